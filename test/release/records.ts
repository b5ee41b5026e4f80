// Record builders for release tests (Helm's buildChart(withName(..)) habit): a valid record with overrides.
import type { ReleaseRecord } from '../../src/release/index.js';

export function buildRecord(overrides: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    name: 'web',
    namespace: 'default',
    revision: 1,
    status: 'deployed',
    description: 'Install complete',
    firstDeployed: '2025-01-01T00:00:00.000Z',
    lastDeployed: '2025-01-01T00:00:00.000Z',
    chart: { metadata: { apiVersion: 'v2', name: 'webapp', version: '1.4.0', appVersion: '1.4.0' } },
    config: { replicaCount: 2 },
    values: { replicaCount: 2, image: { tag: '' } },
    manifest:
      '---\n# Source: webapp/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: "1"\n',
    hooks: [],
    notes: 'web is installed\n',
    ...overrides,
  };
}
