// The HTTP ClusterClient against a sandbox started here: discovery, apply, prune, waits, retries, auth errors.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterApiError, connect, type HttpClusterClient, type KubeObject } from '../../src/cluster/index.js';
import { isPortolanError, type PortolanError } from '../../src/errors.js';
import { createTls } from '../../src/sandbox/cert.js';
import { kubeconfigText, startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let client: HttpClusterClient;
let dir: string;

function deployment(name: string, image = 'nginx:1.27', replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
    },
  };
}

function configMap(name: string, data: Record<string, string>, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

async function caught(p: Promise<unknown>): Promise<PortolanError> {
  try {
    await p;
  } catch (err) {
    if (isPortolanError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-cluster-'));
  sandbox = await startSandbox({
    readyDelayMs: 50,
    kubeconfigPath: join(dir, 'kubeconfig'),
    extraTokens: [{ token: 'reader-token', access: 'read' }],
  });
  client = await connect({
    kubeconfig: sandbox.kubeconfigPath,
    namespace: 'cluster-test',
    timeoutMs: 5_000,
    retries: 4,
    backoffMs: 10,
  });
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cluster-test' } });
});

afterAll(async () => {
  client?.close();
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('discovery', () => {
  it('maps built-in kinds to resources with scope', async () => {
    expect(await client.resourceFor('apps/v1', 'Deployment')).toEqual({
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      kind: 'Deployment',
      namespaced: true,
    });
    expect((await client.resourceFor('rbac.authorization.k8s.io/v1', 'ClusterRole')).namespaced).toBe(false);
    expect((await client.resourceFor('v1', 'PersistentVolumeClaim')).resource).toBe('persistentvolumeclaims');
    const versions = await client.apiVersions();
    expect(versions).toContain('apps/v1');
    expect(versions).toContain('batch/v1/Job');
    expect((await client.serverVersion()).minor).toBe('34');
  });

  it('refreshes once on a miss so a just-created CRD kind resolves', async () => {
    await client.resourceFor('v1', 'ConfigMap'); // cache is warm
    const unknown = await caught(client.resourceFor('example.com/v1', 'Gadget'));
    expect(unknown.code).toBe('CLUSTER');
    expect(unknown.message).toContain('Gadget');
    await client.apply({
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
    const before = client.requestCount;
    expect(await client.resourceFor('example.com/v1', 'Gadget')).toMatchObject({
      resource: 'gadgets',
      namespaced: true,
    });
    expect(client.requestCount).toBeGreaterThan(before); // it re-discovered
    const again = client.requestCount;
    await client.resourceFor('example.com/v1', 'Gadget');
    expect(client.requestCount).toBe(again); // and then it is cached
    const cr = await client.apply({
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'g1' },
      spec: { size: 2 },
    });
    expect(cr.metadata.namespace).toBe('cluster-test');
  });
});

describe('apply, get, list, delete', () => {
  it('server-side applies with field manager portolan and removes fields it stops applying', async () => {
    const live = await client.apply(configMap('settings', { a: '1', b: '2' }, { app: 'settings' }));
    expect(live.metadata.uid).toBeTruthy();
    expect(live.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'portolan', operation: 'Apply' })]);
    await client.apply(configMap('settings', { a: '1' }, { app: 'settings' }));
    const got = await client.get('v1', 'ConfigMap', 'settings');
    expect(got?.data).toEqual({ a: '1' });
  });

  it('reports field conflicts with another manager unless forced', async () => {
    await client.apply(deployment('conflicted'));
    await client.patch(deployment('conflicted'), { spec: { replicas: 3 } });
    const err = await caught(client.apply(deployment('conflicted')));
    expect(err).toBeInstanceOf(ClusterApiError);
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toContain('.spec.replicas');
    const forced = await client.apply(deployment('conflicted'), { force: true });
    expect((forced.spec as { replicas: number }).replicas).toBe(1);
  });

  it('lists with label selectors, across pages', async () => {
    for (let i = 0; i < 7; i++)
      await client.apply(configMap(`item-${i}`, { i: String(i) }, { group: i % 2 === 0 ? 'even' : 'odd' }));
    const even = await client.list('v1', 'ConfigMap', { labelSelector: 'group=even' });
    expect(even.map((o) => o.metadata.name)).toEqual(['item-0', 'item-2', 'item-4', 'item-6']);
    expect(even.every((o) => o.kind === 'ConfigMap')).toBe(true);
    const notEven = await client.list('v1', 'ConfigMap', { labelSelector: 'group,group!=even' });
    expect(notEven).toHaveLength(3);
  });

  it('get answers undefined for a missing object and delete reports whether it existed', async () => {
    expect(await client.get('v1', 'ConfigMap', 'nope')).toBeUndefined();
    await client.apply(configMap('doomed', { x: 'y' }));
    expect(await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'doomed' } })).toBe(true);
    expect(await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'doomed' } })).toBe(false);
    const err = await caught(
      client.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'doomed' } }, { mustExist: true }),
    );
    expect(err.code).toBe('NOT_FOUND');
  });

  it('deletes dependents in the background and keeps them with Orphan', async () => {
    const owner = await client.apply(configMap('owner', {}));
    const ownerRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid };
    await client.apply({ ...configMap('child', {}), metadata: { name: 'child', ownerReferences: [ownerRef] } });
    await client.delete(owner, { propagation: 'Background' });
    expect(await client.get('v1', 'ConfigMap', 'child')).toBeUndefined();
    const owner2 = await client.apply(configMap('owner2', {}));
    await client.apply({
      ...configMap('child2', {}),
      metadata: { name: 'child2', ownerReferences: [{ ...ownerRef, name: 'owner2', uid: owner2.metadata.uid }] },
    });
    await client.delete(owner2, { propagation: 'Orphan' });
    const orphan = await client.get('v1', 'ConfigMap', 'child2');
    expect(orphan?.metadata.ownerReferences ?? []).toEqual([]);
  });

  it('deletes dependents before the owner with Foreground', async () => {
    const owner = await client.apply(configMap('fg-owner', {}));
    const ownerRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'fg-owner', uid: owner.metadata.uid };
    const child = await client.apply({
      ...configMap('fg-child', {}),
      metadata: { name: 'fg-child', ownerReferences: [ownerRef] },
    });
    await client.apply({
      ...configMap('fg-grandchild', {}),
      metadata: {
        name: 'fg-grandchild',
        ownerReferences: [{ ...ownerRef, name: 'fg-child', uid: child.metadata.uid }],
      },
    });
    expect(await client.delete(owner, { propagation: 'Foreground' })).toBe(true);
    for (const name of ['fg-owner', 'fg-child', 'fg-grandchild'])
      expect(await client.get('v1', 'ConfigMap', name), name).toBeUndefined();
  });

  it('lists across namespaces and filters by the metadata.namespace and metadata.name field selectors', async () => {
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cluster-test-b' } });
    await client.apply({ ...configMap('twin', { at: 'a' }, { twin: 'yes' }) });
    await client.apply({
      ...configMap('twin', { at: 'b' }, { twin: 'yes' }),
      metadata: { name: 'twin', namespace: 'cluster-test-b', labels: { twin: 'yes' } },
    });
    const all = await client.list('v1', 'ConfigMap', { allNamespaces: true, labelSelector: 'twin=yes' });
    expect(all.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      'cluster-test-b/twin',
      'cluster-test/twin',
    ]);
    const onlyB = await client.list('v1', 'ConfigMap', {
      allNamespaces: true,
      fieldSelector: 'metadata.namespace=cluster-test-b,metadata.name=twin',
    });
    expect(onlyB.map((o) => o.data)).toEqual([{ at: 'b' }]);
    const notB = await client.list('v1', 'ConfigMap', {
      allNamespaces: true,
      labelSelector: 'twin=yes',
      fieldSelector: 'metadata.namespace!=cluster-test-b',
    });
    expect(notB.map((o) => o.metadata.namespace)).toEqual(['cluster-test']);
    expect((await client.list('v1', 'ConfigMap', { namespace: 'cluster-test-b' })).map((o) => o.metadata.name)).toEqual(
      ['twin'],
    );
  });

  it('creates, updates with resourceVersion (stale → CONFLICT) and replaces', async () => {
    const lease = await client.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'lock' },
      spec: { holderIdentity: 'a' },
    });
    const exists = await caught(
      client.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'lock' }, spec: {} }),
    );
    expect(exists.code).toBe('CONFLICT');
    expect((exists as ClusterApiError).reason).toBe('AlreadyExists');
    const updated = await client.update({ ...lease, spec: { holderIdentity: 'b' } });
    const stale = await caught(client.update({ ...lease, spec: { holderIdentity: 'c' } }));
    expect(stale.code).toBe('CONFLICT');
    expect((stale as ClusterApiError).reason).toBe('Conflict');
    const replaced = await client.replace({ ...lease, spec: { holderIdentity: 'd' } });
    expect(Number(replaced.metadata.resourceVersion)).toBeGreaterThan(Number(updated.metadata.resourceVersion));
    expect((replaced.spec as { holderIdentity: string }).holderIdentity).toBe('d');
  });

  it('surfaces 422 Invalid with the causes', async () => {
    await client.apply(deployment('immutable'));
    const changed = deployment('immutable');
    (changed.spec as { selector: unknown }).selector = { matchLabels: { app: 'other' } };
    const err = await caught(client.apply(changed));
    expect(err.code).toBe('CLUSTER');
    expect((err as ClusterApiError).status).toBe(422);
    expect(err.problems?.join('\n')).toContain('spec.selector');
  });
});

describe('prune', () => {
  it('deletes what left the desired set but keeps resource-policy keep', async () => {
    const a = configMap('prune-a', {});
    const b = configMap('prune-b', {});
    const kept = {
      ...configMap('prune-kept', {}),
      metadata: { name: 'prune-kept', annotations: { 'helm.sh/resource-policy': 'keep' } },
    };
    await client.applyAll([a, b, kept]);
    const deleted = await client.prune([a, b, kept], [a]);
    expect(deleted.map((d) => d.metadata.name)).toEqual(['prune-b']);
    expect(await client.get('v1', 'ConfigMap', 'prune-a')).toBeDefined();
    expect(await client.get('v1', 'ConfigMap', 'prune-b')).toBeUndefined();
    expect(await client.get('v1', 'ConfigMap', 'prune-kept')).toBeDefined();
  });
});

describe('waitForReady', () => {
  it('waits for a Deployment, Job, PVC and Service and reports progress', async () => {
    const objs: KubeObject[] = [
      deployment('ready-web', 'nginx:1.27', 2),
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'migrate' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] } } },
      },
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'lb' },
        spec: { type: 'LoadBalancer', selector: { app: 'x' }, ports: [{ port: 80 }] },
      },
      configMap('plain', {}),
    ];
    // The simulated controllers make no progress until the wait has polled once (a barrier, not a race).
    sandbox.holdProgress();
    await client.applyAll(objs);
    const seen: number[] = [];
    const result = await client.waitForReady(objs, {
      timeoutMs: 25_000,
      intervalMs: 20,
      onProgress: (p) => {
        if (seen.length === 0) sandbox.releaseProgress();
        seen.push(p.ready);
      },
    });
    expect(result.ready).toHaveLength(5);
    expect(seen[seen.length - 1]).toBe(5);
    expect(seen[0]).toBeLessThan(5); // the workloads were not ready at first
  });

  it('times out naming what is pending when an image never becomes ready', async () => {
    sandbox.setFailureRules([{ image: '^broken/' }]);
    const d = deployment('never', 'broken/app:1');
    await client.apply(d);
    const err = await caught(client.waitForReady([d], { timeoutMs: 400, intervalMs: 20 }));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toContain('Deployment cluster-test/never');
    expect(err.message).toContain('0/1 replicas available');
    sandbox.setFailureRules([]);
  });

  it('fails fast when a Job fails', async () => {
    sandbox.setFailureRules([{ kind: 'Job', labels: { fail: 'yes' } }]);
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'bad-job', labels: { fail: 'yes' } },
      spec: {
        backoffLimit: 1,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] } },
      },
    };
    await client.apply(job);
    const err = await caught(client.waitForReady([job], { timeoutMs: 25_000, intervalMs: 20 }));
    expect(err.code).toBe('WAIT_FAILED');
    expect(err.message).toContain('BackoffLimitExceeded');
    sandbox.setFailureRules([]);
  });

  it('fails fast when a Pod fails or a Deployment passes its progress deadline', async () => {
    sandbox.setFailureRules([
      { kind: 'Pod', name: '^crash' },
      { kind: 'Deployment', image: '^stuck/' },
    ]);
    try {
      const pod: KubeObject = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'crash-once' },
        spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
      };
      await client.apply(pod);
      const podErr = await caught(client.waitForReady([pod], { timeoutMs: 25_000, intervalMs: 20 }));
      expect(podErr.code).toBe('WAIT_FAILED');
      expect(podErr.message).toContain('Pod cluster-test/crash-once failed: pod failed');

      const stuck = deployment('stuck', 'stuck/app:1');
      (stuck.spec as { progressDeadlineSeconds: number }).progressDeadlineSeconds = 1;
      await client.apply(stuck);
      // WAIT_FAILED, not TIMEOUT: the 1 s progress deadline ended the wait, not the wait's own 25 s.
      const deadlineErr = await caught(client.waitForReady([stuck], { timeoutMs: 25_000, intervalMs: 50 }));
      expect(deadlineErr.code).toBe('WAIT_FAILED');
      expect(deadlineErr.message).toContain('rollout failed');
      expect(deadlineErr.message).toContain('has timed out progressing');
    } finally {
      sandbox.setFailureRules([]);
    }
  });

  it('treats a custom resource with no status as ready, and honours Ready conditions', async () => {
    const plain: KubeObject = {
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'no-status' },
      spec: {},
    };
    await client.apply(plain);
    await expect(client.waitForReady([plain], { timeoutMs: 1_000, intervalMs: 20 })).resolves.toMatchObject({
      ready: [{ reason: expect.stringContaining('no readiness signal') }],
    });
    const strict = await caught(
      client.waitForReady([plain], { timeoutMs: 100, intervalMs: 20, unknownAsReady: false }),
    );
    expect(strict.code).toBe('TIMEOUT');
    const notReady: KubeObject = {
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'cond' },
      spec: {},
      status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Provisioning' }] },
    };
    await client.apply(notReady);
    const pending = await caught(client.waitForReady([notReady], { timeoutMs: 100, intervalMs: 20 }));
    expect(pending.message).toContain('Ready=False (Provisioning)');
  });
});

describe('retries and errors', () => {
  it('retries 500 and 429 answers with backoff', async () => {
    const before = sandbox.stats().faults;
    sandbox.setFaults({ rate: 0.5, codes: [500, 429] });
    try {
      for (let i = 0; i < 6; i++) await client.apply(configMap(`flaky-${i}`, { i: String(i) }));
      const items = await client.list('v1', 'ConfigMap', { labelSelector: '' });
      expect(items.filter((o) => o.metadata.name.startsWith('flaky-'))).toHaveLength(6);
    } finally {
      sandbox.setFaults(undefined);
    }
    expect(sandbox.stats().faults - before).toBeGreaterThanOrEqual(3);
    expect(client.retryCount).toBeGreaterThanOrEqual(3);
  });

  it('retries connection resets', async () => {
    const before = client.retryCount;
    sandbox.setFaults({ rate: 0.5, codes: ['reset'] });
    try {
      await client.apply(configMap('after-reset', { ok: 'yes' }));
      await client.get('v1', 'ConfigMap', 'after-reset');
    } finally {
      sandbox.setFaults(undefined);
    }
    expect(client.retryCount).toBeGreaterThan(before);
    expect((await client.get('v1', 'ConfigMap', 'after-reset'))?.data).toEqual({ ok: 'yes' });
  });

  it('gives up after the configured retries with the last error', async () => {
    const strict = await connect({ kubeconfig: sandbox.kubeconfigPath, retries: 1, backoffMs: 1 });
    sandbox.setFaults({ rate: 1, codes: [503] });
    try {
      const err = await caught(strict.get('v1', 'ConfigMap', 'x', 'default'));
      expect((err as ClusterApiError).status).toBe(503);
      expect(strict.requestCount).toBe(2);
    } finally {
      sandbox.setFaults(undefined);
      strict.close();
    }
  });

  it('explains 401 and 403', async () => {
    const badFile = join(dir, 'bad-token');
    writeFileSync(badFile, kubeconfigText(sandbox.url, sandbox.caCert, 'wrong-token'));
    const bad = await connect({ kubeconfig: badFile, retries: 0 });
    const unauthorized = await caught(bad.list('v1', 'ConfigMap'));
    expect(unauthorized.message).toContain('401 Unauthorized');
    expect(unauthorized.hint).toContain('token');
    bad.close();

    const readerFile = join(dir, 'reader');
    writeFileSync(readerFile, kubeconfigText(sandbox.url, sandbox.caCert, 'reader-token'));
    const reader = await connect({ kubeconfig: readerFile, retries: 0 });
    expect(await reader.get('v1', 'Namespace', 'default')).toBeDefined();
    const forbidden = await caught(reader.apply(configMap('nope', {})));
    expect((forbidden as ClusterApiError).status).toBe(403);
    expect(forbidden.message).toContain('forbidden');
    expect(forbidden.hint).toContain('RBAC');
    reader.close();
  });

  it('reports an unreachable server clearly', async () => {
    const port = await new Promise<number>((resolve) => {
      const s: Server = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const file = join(dir, 'unreachable');
    writeFileSync(file, kubeconfigText(`https://127.0.0.1:${port}`, sandbox.caCert, sandbox.token));
    const c = await connect({ kubeconfig: file, retries: 1, backoffMs: 1 });
    const err = await caught(c.serverVersion());
    expect(err.code).toBe('CLUSTER');
    expect(err.message).toContain(`cannot reach the Kubernetes API at https://127.0.0.1:${port}`);
    expect(err.message).toContain('ECONNREFUSED');
    c.close();
  });

  it('reads a certificate-authority file named relative to the kubeconfig', async () => {
    const sub = join(dir, 'relative');
    mkdirSync(join(sub, 'certs'), { recursive: true });
    writeFileSync(join(sub, 'certs', 'ca.pem'), sandbox.caCert);
    writeFileSync(
      join(sub, 'config'),
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: sb, cluster: {server: "${sandbox.url}", certificate-authority: certs/ca.pem}}]`,
        `users: [{name: sb, user: {token: "${sandbox.token}"}}]`,
        'contexts: [{name: sb, context: {cluster: sb, user: sb}}]',
        'current-context: sb',
        '',
      ].join('\n'),
    );
    const c = await connect({ kubeconfig: join(sub, 'config'), retries: 0 });
    try {
      expect((await c.serverVersion()).gitVersion).toBe('v1.34.0');
    } finally {
      c.close();
    }
  });

  it('reports a server certificate the kubeconfig CA did not issue as a TLS error, without retrying', async () => {
    const file = join(dir, 'other-ca');
    writeFileSync(file, kubeconfigText(sandbox.url, createTls().caCert, sandbox.token));
    const c = await connect({ kubeconfig: file, retries: 3, backoffMs: 1 });
    try {
      const err = await caught(c.serverVersion());
      expect(err.code).toBe('CLUSTER');
      expect(err.message).toContain(`TLS error talking to ${sandbox.url}`);
      expect(err.hint).toContain('certificate-authority');
      expect(c.requestCount).toBe(1);
    } finally {
      c.close();
    }
  });

  it('times out a request that gets no answer', async () => {
    const server: Server = createServer(() => undefined); // accepts, never answers TLS
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const file = join(dir, 'silent');
    writeFileSync(file, kubeconfigText(`https://127.0.0.1:${port}`, sandbox.caCert, sandbox.token));
    const c = await connect({ kubeconfig: file, retries: 0, timeoutMs: 150 });
    try {
      const err = await caught(c.serverVersion());
      expect(err.code).toBe('TIMEOUT');
      expect(err.message).toContain('no answer within 150 ms');
    } finally {
      c.close();
      server.close();
    }
  });
});

describe('request targets', () => {
  it("keeps the server's path prefix, escapes what a URL escapes and sends the query", async () => {
    const seen: string[] = [];
    const server = createHttpServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ major: '1', minor: '34', gitVersion: 'v1.34.0' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const file = join(dir, 'prefixed-kubeconfig');
    writeFileSync(
      file,
      kubeconfigText(`http://127.0.0.1:${port}/k8s/clusters/c-1/`, '', 'token').replace(
        /certificate-authority-data: .*/,
        'insecure-skip-tls-verify: true',
      ),
    );
    const prefixed = await connect({ kubeconfig: file, retries: 0 });
    try {
      expect((await prefixed.serverVersion()).gitVersion).toBe('v1.34.0');
      await prefixed.request('GET', '/api/v1/namespaces/x/configmaps', {
        query: { labelSelector: 'app=web,tier in (a b)', limit: undefined, watch: '1' },
      });
      await prefixed.request('GET', '/api/v1/namespaces/x/configmaps/a b/../ünï');
    } finally {
      prefixed.close();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(seen).toEqual([
      '/k8s/clusters/c-1/version',
      '/k8s/clusters/c-1/api/v1/namespaces/x/configmaps?labelSelector=app%3Dweb%2Ctier+in+%28a+b%29&watch=1',
      '/k8s/clusters/c-1/api/v1/namespaces/x/configmaps/%C3%BCn%C3%AF',
    ]);
  });
});
