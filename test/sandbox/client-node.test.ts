// Conformance: the real @kubernetes/client-node (its generated typed clients, KubernetesObjectApi and Watch) against a
// sandbox started by this test, reading the kubeconfig the sandbox wrote. (Product code talks to the API only through
// src/cluster; this test uses the library directly to prove the sandbox serves it unchanged.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  type V1Deployment,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { until } from '../helpers/until.js';

let sandbox: Sandbox;
let dir: string;
let kc: KubeConfig;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-client-node-'));
  sandbox = await startSandbox({ readyDelayMs: 100, kubeconfigPath: join(dir, 'kubeconfig') });
  kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigPath);
});

afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('@kubernetes/client-node against the sandbox', () => {
  it('lists namespaces and creates, reads and lists ConfigMaps with the typed CoreV1Api', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'kube-system']));
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'typed', labels: { via: 'client-node' } }, data: { a: '1' } },
    });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect((await core.readNamespacedConfigMap({ name: 'typed', namespace: 'default' })).data).toEqual({ a: '1' });
    const listed = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'via=client-node' });
    expect(listed.items.map((c) => c.metadata?.name)).toEqual(['typed']);
    await expect(core.readNamespacedConfigMap({ name: 'absent', namespace: 'default' })).rejects.toMatchObject({
      code: 404,
    });
  });

  it('server-side applies through KubernetesObjectApi and reads the rollout status with AppsV1Api', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const deployment: V1Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'typed-web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'typed-web' } },
        template: {
          metadata: { labels: { app: 'typed-web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
        },
      },
    };
    const applied = await objects.patch(
      deployment,
      undefined,
      undefined,
      'client-node-test',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(applied.metadata?.managedFields?.[0]).toMatchObject({ manager: 'client-node-test', operation: 'Apply' });
    const apps = kc.makeApiClient(AppsV1Api);
    const status = await until(async () => {
      const now = (await apps.readNamespacedDeploymentStatus({ name: 'typed-web', namespace: 'default' })).status;
      return now?.availableReplicas === 2 && now;
    });
    expect(status?.availableReplicas).toBe(2);
    expect(status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
  });

  it('watches ConfigMaps from a resourceVersion with Watch', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const rv = (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion;
    const seen: string[] = [];
    let controller: AbortController | undefined;
    const finished = new Promise<void>((resolve, reject) => {
      void new Watch(kc)
        .watch(
          '/api/v1/namespaces/default/configmaps',
          { resourceVersion: rv, labelSelector: 'watched=yes' },
          (phase, obj: { metadata: { name: string } }) => {
            seen.push(`${phase} ${obj.metadata.name}`);
            if (seen.length === 2) resolve();
          },
          (err: unknown) => (err && seen.length < 2 ? reject(err as Error) : resolve()),
        )
        .then((c) => (controller = c), reject);
    });
    // No need to wait for the watch to be established: it replays every event after resourceVersion rv.
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'ignored' } } });
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'seen', labels: { watched: 'yes' } } },
    });
    await core.deleteNamespacedConfigMap({ name: 'seen', namespace: 'default' });
    await finished;
    controller?.abort();
    expect(seen).toEqual(['ADDED seen', 'DELETED seen']);
  });
});
