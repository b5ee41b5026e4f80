// The opt-in discovery cache (as kubectl's ~/.kube/cache/discovery): a second client reuses it without discovery
// requests, a kind missing from it triggers a fresh discovery, and an expired cache is not used.
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/cluster/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let dir: string;
let sandbox: Sandbox;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-discovery-'));
  sandbox = await startSandbox({ kubeconfigPath: join(dir, 'kubeconfig') });
});
afterAll(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('discovery cache', () => {
  it('is reused by the next client, refreshed on a miss, and ignored once expired', async () => {
    const cache = join(dir, 'cache');
    const first = await connect({ kubeconfig: sandbox.kubeconfigPath, discoveryCacheDir: cache });
    await first.resourceFor('v1', 'ConfigMap');
    expect(first.requestCount).toBeGreaterThan(5);
    first.close();
    expect(readdirSync(cache)).toHaveLength(1);

    const second = await connect({ kubeconfig: sandbox.kubeconfigPath, discoveryCacheDir: cache });
    expect((await second.resourceFor('apps/v1', 'Deployment')).resource).toBe('deployments');
    expect(await second.apiVersions()).toContain('apps/v1/Deployment');
    expect(second.requestCount).toBe(0);
    // A kind the cache does not know (a CRD created since) is looked up afresh.
    await second.apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    });
    expect((await second.resourceFor('example.com/v1', 'Gadget')).resource).toBe('gadgets');
    second.close();

    const file = join(cache, readdirSync(cache)[0]!);
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(file, old, old);
    const third = await connect({ kubeconfig: sandbox.kubeconfigPath, discoveryCacheDir: cache });
    await third.resourceFor('v1', 'ConfigMap');
    expect(third.requestCount).toBeGreaterThan(5);
    third.close();
  });
});
