// Which requests the HTTP client repeats: writes whose answer was lost are read back, never sent again blindly (a
// proxy in front of the sandbox stores the first write and then resets the connection), while a write the server
// refused (429, 503 with Retry-After) is sent again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type HttpClusterClient, type KubeObject } from '../../src/cluster/index.js';
import { isPortolanError, type PortolanError } from '../../src/errors.js';
import { LeaseLocker, ReleaseStorage, SecretDriver, lockName } from '../../src/release/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { buildRecord } from '../release/records.js';

const ns = 'lost-answers';
let dir: string;
let sandbox: Sandbox;
let proxy: FaultProxy;
let client: HttpClusterClient;

const configMap = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});

async function rejection(p: Promise<unknown>): Promise<PortolanError> {
  try {
    await p;
  } catch (err) {
    if (isPortolanError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** The proxy's log of one method, without discovery. */
const seen = (method: string) =>
  proxy.log.filter(
    (l) =>
      l.startsWith(`${method} `) &&
      !/^GET \/(version|(api|apis)(\/[^/]+){0,2})$/.test(l.split(' -> ')[0]!.split('?')[0]!),
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-lost-'));
  sandbox = await startSandbox({ readyDelayMs: 0, kubeconfigPath: join(dir, 'sandbox') });
  proxy = await startFaultProxy(sandbox, join(dir, 'proxy'));
  client = await connect({
    kubeconfig: proxy.kubeconfigPath,
    namespace: ns,
    timeoutMs: 5_000,
    retries: 4,
    backoffMs: 1,
  });
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
});

afterEach(() => {
  proxy.log.length = 0;
});

afterAll(async () => {
  client?.close();
  await proxy?.stop();
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a write whose answer is lost', () => {
  it('is read back instead of sent again: a stored POST counts as done, not as 409 AlreadyExists', async () => {
    proxy.add({ method: 'POST', path: '/configmaps', action: 'store-then-reset' });
    const created = await client.create(configMap('once', { a: '1' }));
    expect(created.data).toEqual({ a: '1' });
    expect(seen('POST')).toEqual([`POST /api/v1/namespaces/${ns}/configmaps -> 201 (stored, then reset)`]);
    expect(seen('GET')).toEqual([`GET /api/v1/namespaces/${ns}/configmaps/once -> 200`]);
  });

  it('takes the release lock whose Lease it stored before the reset, instead of reporting itself as the rival', async () => {
    proxy.add({ method: 'POST', path: '/leases', action: 'store-then-reset' });
    const lock = await new LeaseLocker(client, { identity: { user: 'ann', host: 'build-7', pid: 1 } }).acquire(
      'web',
      ns,
      'install',
    );
    expect((await client.get('coordination.k8s.io/v1', 'Lease', lockName('web'), ns))?.spec).toMatchObject({
      holderIdentity: 'ann@build-7 (pid 1, install)',
    });
    await lock.release();
    expect(seen('POST')).toHaveLength(1);
  });

  it('stores a release record once, instead of calling it "written by another operation"', async () => {
    proxy.add({ method: 'POST', path: '/secrets', action: 'store-then-reset' });
    const storage = new ReleaseStorage(new SecretDriver(client, ns));
    await storage.create(buildRecord({ namespace: ns }));
    expect((await storage.history('web')).map((r) => r.revision)).toEqual([1]);
    expect(seen('POST')).toHaveLength(1);
  });

  it('does not send a guarded PUT again (its own new resourceVersion would make it a conflict)', async () => {
    const live = await client.create(configMap('guarded', { v: '1' }));
    proxy.add({ method: 'PUT', path: '/configmaps/guarded', action: 'store-then-reset' });
    const updated = await client.update({ ...live, data: { v: '2' } });
    expect(updated.data).toEqual({ v: '2' });
    expect(seen('PUT')).toHaveLength(1);
  });

  it('counts a DELETE whose answer was lost as done when the object is gone', async () => {
    await client.create(configMap('doomed', { v: '1' }));
    proxy.add({ method: 'DELETE', path: '/configmaps/doomed', action: 'store-then-reset' });
    expect(
      await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'doomed', namespace: ns } }),
    ).toBe(true);
    expect(seen('DELETE')).toHaveLength(1);
  });

  it('reads back after a 500 before sending a POST again, and sends it when nothing was stored', async () => {
    proxy.add({ method: 'POST', path: '/configmaps', action: 500 });
    await client.create(configMap('after-500', { a: '1' }));
    expect([...seen('POST'), ...seen('GET')]).toEqual([
      `POST /api/v1/namespaces/${ns}/configmaps -> 500 (injected)`,
      `POST /api/v1/namespaces/${ns}/configmaps -> 201`,
      `GET /api/v1/namespaces/${ns}/configmaps/after-500 -> 404`,
    ]);
  });

  it('reports an object someone else created meanwhile as a conflict', async () => {
    await client.create(configMap('theirs', { owner: 'them' }));
    proxy.add({ method: 'POST', path: '/configmaps', action: 500 });
    const err = await rejection(client.create(configMap('theirs', { owner: 'us' })));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toContain('ConfigMap lost-answers/theirs already exists');
  });
});

describe('a write the server refused', () => {
  it('is sent again after 429 and after 503 with Retry-After, without reading back', async () => {
    proxy.add({ method: 'POST', path: '/configmaps', action: 429, headers: { 'Retry-After': '0' } });
    proxy.add({ method: 'POST', path: '/configmaps', action: 503, headers: { 'Retry-After': '0' } });
    await client.create(configMap('refused', { a: '1' }));
    expect(seen('POST').map((l) => l.split(' -> ')[1])).toEqual(['429 (injected)', '503 (injected)', '201']);
    expect(seen('GET')).toEqual([]);
  });

  it('is not repeated when the server asks to wait longer than a request may take', async () => {
    const impatient = await connect({
      kubeconfig: proxy.kubeconfigPath,
      namespace: ns,
      timeoutMs: 1_000,
      retries: 4,
      backoffMs: 1,
    });
    try {
      proxy.add({ method: 'GET', path: '/configmaps/x', action: 429, headers: { 'Retry-After': '120' } });
      const err = await rejection(impatient.get('v1', 'ConfigMap', 'x', ns));
      expect(err.message).toBe('injected 429');
      expect(impatient.retryCount).toBe(0);
    } finally {
      impatient.close();
    }
  });
});
