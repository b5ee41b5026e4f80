// holdProgress/releaseProgress: the barrier tests use to keep an operation waiting for exactly as long as they need.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type HttpClusterClient } from '../../src/cluster/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let client: HttpClusterClient;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-hold-'));
  sandbox = await startSandbox({ readyDelayMs: 0, kubeconfigPath: join(dir, 'kubeconfig') });
  client = await connect({ kubeconfig: sandbox.kubeconfigPath, namespace: 'default', timeoutMs: 10_000 });
});

afterAll(async () => {
  client?.close();
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
  },
});

describe('holding the simulated controllers', () => {
  it('keeps a Deployment stored while held unready until released, then it becomes ready', async () => {
    sandbox.holdProgress();
    const held = deployment('held');
    await client.apply(held);
    // One more round trip to the server: time enough for the 0 ms ready delay, had the hold not held it back.
    await client.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tick', namespace: 'default' } });
    const first = await client.waitForReady([held], { timeoutMs: 0, intervalMs: 1 }).catch((e: Error) => e);
    expect(String(first)).toContain('timed out');
    sandbox.releaseProgress();
    const done = await client.waitForReady([held], { timeoutMs: 25_000, intervalMs: 10 });
    expect(done.ready).toEqual([
      { ref: expect.stringContaining('Deployment') as unknown, reason: '1/1 replicas available' },
    ]);
  });
});
