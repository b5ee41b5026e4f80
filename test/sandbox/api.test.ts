// The sandbox's REST semantics over raw HTTPS: auth, discovery, verbs, Status errors, watch, persistence, faults.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { until } from '../helpers/until.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

let sandbox: Sandbox;
let dir: string;

function call(
  sb: Sandbox,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(
      `${sb.url}${path}`,
      {
        method,
        ca: sb.caCert,
        agent: false,
        headers: {
          Authorization: `Bearer ${sb.token}`,
          ...(payload ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  call(sandbox, method, path, body, headers);
const CM = '/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-sandbox-api-'));
  sandbox = await startSandbox({ readyDelayMs: 30, kubeconfigPath: join(dir, 'kubeconfig') });
});

afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('transport and auth', () => {
  it('serves HTTPS on 127.0.0.1 with a certificate issued by the kubeconfig CA', async () => {
    expect(sandbox.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const kubeconfig = readFileSync(sandbox.kubeconfigPath, 'utf8');
    expect(kubeconfig).toContain(`server: ${sandbox.url}`);
    expect(kubeconfig).toContain(`token: ${sandbox.token}`);
    const ca = new X509Certificate(sandbox.caCert);
    expect(ca.ca).toBe(true);
    expect((await api('GET', '/version')).body.gitVersion).toBe('v1.34.0');
  });

  it('answers 401 Unauthorized without a valid bearer token', async () => {
    const r = await api('GET', '/api/v1/namespaces', undefined, { Authorization: 'Bearer nope' });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    const none = await call({ ...sandbox, token: '' }, 'GET', '/api', undefined, { Authorization: '' });
    expect(none.status).toBe(401);
  });
});

describe('discovery', () => {
  it('lists core and group versions and their resources', async () => {
    expect((await api('GET', '/api')).body.versions).toEqual(['v1']);
    const groups = (await api('GET', '/apis')).body.groups as Array<{ name: string }>;
    const names = groups.map((g) => g.name);
    for (const g of [
      'apps',
      'batch',
      'networking.k8s.io',
      'rbac.authorization.k8s.io',
      'autoscaling',
      'policy',
      'coordination.k8s.io',
      'apiextensions.k8s.io',
    ]) {
      expect(names).toContain(g);
    }
    const core = (await api('GET', '/api/v1')).body.resources as Array<{ name: string; namespaced: boolean }>;
    const coreNames = core.map((r) => r.name);
    for (const r of [
      'namespaces',
      'configmaps',
      'secrets',
      'services',
      'serviceaccounts',
      'pods',
      'persistentvolumeclaims',
      'events',
    ])
      expect(coreNames).toContain(r);
    expect(core.find((r) => r.name === 'namespaces')?.namespaced).toBe(false);
    const apps = (await api('GET', '/apis/apps/v1')).body.resources as Array<{ name: string }>;
    expect(apps.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'deployments',
        'statefulsets',
        'daemonsets',
        'replicasets',
        'deployments/status',
        'deployments/scale',
      ]),
    );
    expect((await api('GET', '/apis/apps')).body).toMatchObject({
      kind: 'APIGroup',
      name: 'apps',
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
    expect((await api('GET', '/apis/autoscaling/v2')).body.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'horizontalpodautoscalers',
          kind: 'HorizontalPodAutoscaler',
          namespaced: true,
        }),
      ]),
    );
    expect((await api('GET', '/apis/nope/v1')).status).toBe(404);
  });

  it('serves custom resources once their CRD exists, and not after it is deleted', async () => {
    expect((await api('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs')).status).toBe(404);
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'crontabs.stable.example.com' },
      spec: {
        group: 'stable.example.com',
        scope: 'Namespaced',
        names: { plural: 'crontabs', kind: 'CronTab' },
        versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} } }],
      },
    };
    expect((await api('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(201);
    const list = (await api('GET', '/apis/stable.example.com/v1')).body.resources as Array<{ name: string }>;
    expect(list.map((r) => r.name)).toEqual(['crontabs', 'crontabs/status']);
    const created = await api('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', {
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'c1' },
      spec: { cron: '* * * * *' },
      status: { ignored: true },
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBeUndefined(); // status subresource: ignored on create
    const st = await api(
      'PATCH',
      '/apis/stable.example.com/v1/namespaces/default/crontabs/c1/status',
      { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(st.status).toBe(200);
    expect((st.body.metadata as { generation: number }).generation).toBe(1);
    expect(
      (await api('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com'))
        .status,
    ).toBe(200);
    expect((await api('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs')).status).toBe(404);
  });
});

describe('verbs', () => {
  it('create sets server fields and answers 409 AlreadyExists for a duplicate', async () => {
    const r = await api(
      'POST',
      CM,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', labels: { tier: 'a' } }, data: { k: 'v' } },
      { 'User-Agent': 'tester/1.0' },
    );
    expect(r.status).toBe(201);
    const meta = r.body.metadata as Record<string, unknown>;
    expect(meta.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(meta.resourceVersion).toMatch(/^\d+$/);
    expect(meta.creationTimestamp).toMatch(/Z$/);
    expect(meta.managedFields).toEqual([
      expect.objectContaining({
        manager: 'tester',
        operation: 'Update',
        fieldsV1: { 'f:data': { 'f:k': {} }, 'f:metadata': { 'f:labels': { 'f:tier': {} } } },
      }),
    ]);
    const dup = await api('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({
      kind: 'Status',
      reason: 'AlreadyExists',
      message: 'configmaps "one" already exists',
      details: { name: 'one', kind: 'configmaps' },
    });
  });

  it('update checks resourceVersion (409 Conflict when stale)', async () => {
    const cur = await api('GET', `${CM}/one`);
    const rv = (cur.body.metadata as { resourceVersion: string }).resourceVersion;
    const ok = await api('PUT', `${CM}/one`, { ...cur.body, data: { k: 'v2' } });
    expect(ok.status).toBe(200);
    expect((ok.body.metadata as { resourceVersion: string }).resourceVersion).not.toBe(rv);
    const stale = await api('PUT', `${CM}/one`, { ...cur.body, data: { k: 'v3' } });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    expect(String(stale.body.message)).toContain('the object has been modified');
  });

  it('404 NotFound is a Status naming the resource', async () => {
    const r = await api('GET', `${CM}/missing`);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ reason: 'NotFound', message: 'configmaps "missing" not found', code: 404 });
    const deploy = await api('GET', '/apis/apps/v1/namespaces/default/deployments/missing');
    expect(deploy.body.message).toBe('deployments.apps "missing" not found');
  });

  it('patches: merge, JSON patch and strategic merge by key', async () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'p' },
      spec: {
        selector: { matchLabels: { app: 'p' } },
        template: {
          metadata: { labels: { app: 'p' } },
          spec: {
            containers: [
              { name: 'a', image: 'a:1' },
              { name: 'b', image: 'b:1' },
            ],
          },
        },
      },
    };
    expect((await api('POST', '/apis/apps/v1/namespaces/default/deployments', d)).status).toBe(201);
    const path = '/apis/apps/v1/namespaces/default/deployments/p';
    const smp = await api(
      'PATCH',
      path,
      { spec: { template: { spec: { containers: [{ name: 'b', image: 'b:2' }] } } } },
      { 'Content-Type': 'application/strategic-merge-patch+json' },
    );
    const containers = (smp.body.spec as { template: { spec: { containers: Array<{ name: string; image: string }> } } })
      .template.spec.containers;
    expect(containers.map((c) => [c.name, c.image])).toEqual([
      ['a', 'a:1'],
      ['b', 'b:2'],
    ]);
    expect((smp.body.metadata as { generation: number }).generation).toBe(2);
    const merge = await api(
      'PATCH',
      path,
      { metadata: { labels: { x: 'y' } } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(merge.body.metadata as { labels: Record<string, string>; generation: number }).toMatchObject({
      labels: { x: 'y' },
      generation: 2,
    });
    const json = await api('PATCH', path, [{ op: 'replace', path: '/spec/replicas', value: 5 }], {
      'Content-Type': 'application/json-patch+json',
    });
    expect((json.body.spec as { replicas: number }).replicas).toBe(5);
    const del = await api(
      'PATCH',
      path,
      { spec: { template: { spec: { containers: [{ name: 'a', $patch: 'delete' }] } } } },
      { 'Content-Type': 'application/strategic-merge-patch+json' },
    );
    expect((del.body.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers).toEqual([
      expect.objectContaining({ name: 'b', image: 'b:2' }),
    ]);
  });

  it('server-side apply: managers, removal of dropped fields, conflicts and force', async () => {
    const path = `${CM}/applied`;
    const yaml = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n${data}`;
    const headers = { 'Content-Type': 'application/apply-patch+yaml' };
    const first = await api('PATCH', `${path}?fieldManager=alice`, yaml('  a: "1"\n  b: "2"\n'), headers);
    expect(first.status).toBe(201);
    const bob = await api('PATCH', `${path}?fieldManager=bob`, yaml('  b: "2"\n  c: "3"\n'), headers);
    expect(bob.status).toBe(200);
    const conflict = await api('PATCH', `${path}?fieldManager=bob`, yaml('  a: "changed"\n'), headers);
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toBe('Apply failed with 1 conflict: conflict with "alice" using v1: .data.a');
    // alice stops applying b (bob still owns it: kept) and a... no, alice keeps a; drops b
    const alice2 = await api('PATCH', `${path}?fieldManager=alice`, yaml('  a: "1"\n'), headers);
    expect(alice2.body.data).toEqual({ a: '1', b: '2', c: '3' });
    const bob2 = await api('PATCH', `${path}?fieldManager=bob`, yaml('  c: "3"\n'), headers);
    expect(bob2.body.data).toEqual({ a: '1', c: '3' });
    const forced = await api('PATCH', `${path}?fieldManager=bob&force=true`, yaml('  a: "bob"\n  c: "3"\n'), headers);
    expect(forced.body.data).toEqual({ a: 'bob', c: '3' });
    const managers = (forced.body.metadata as { managedFields: Array<{ manager: string; fieldsV1: unknown }> })
      .managedFields;
    expect(managers.map((m) => m.manager)).toEqual(['bob']); // alice lost her only field
    const missingManager = await api('PATCH', path, yaml('  a: "1"\n'), headers);
    expect(missingManager.status).toBe(422);
  });

  it('validates names, namespaces and immutable fields with 422 Invalid / 404', async () => {
    const bad = await api('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({
      reason: 'Invalid',
      details: { causes: [expect.objectContaining({ field: 'metadata.name' })] },
    });
    const noNs = await api('POST', '/api/v1/namespaces/ghost/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
    });
    expect(noNs.status).toBe(404);
    expect(noNs.body.message).toBe('namespaces "ghost" not found');
    const svc = await api('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80 }] },
    });
    const ip = (svc.body.spec as { clusterIP: string }).clusterIP;
    expect(ip).toMatch(/^10\.96\./);
    const change = await api(
      'PATCH',
      '/api/v1/namespaces/default/services/s',
      { spec: { clusterIP: '10.0.0.1' } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(change.status).toBe(422);
    expect(String(change.body.message)).toContain('may not change once set');
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'a' }] } } },
    };
    expect((await api('POST', '/apis/batch/v1/namespaces/default/jobs', job)).status).toBe(201);
    const jobChange = await api(
      'PATCH',
      '/apis/batch/v1/namespaces/default/jobs/j',
      { spec: { template: { spec: { containers: [{ name: 'c', image: 'b' }] } } } },
      { 'Content-Type': 'application/strategic-merge-patch+json' },
    );
    expect(jobChange.status).toBe(422);
    expect(String(jobChange.body.message)).toContain('spec.template: Invalid value');
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'a' }] } },
      },
    };
    expect((await api('POST', '/apis/apps/v1/namespaces/default/statefulsets', sts)).status).toBe(201);
    const stsChange = await api(
      'PATCH',
      '/apis/apps/v1/namespaces/default/statefulsets/db',
      { spec: { selector: { matchLabels: { tier: 'x' } } } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(stsChange.status).toBe(422);
    expect(stsChange.body).toMatchObject({
      reason: 'Invalid',
      details: {
        kind: 'StatefulSet',
        causes: [
          expect.objectContaining({ field: 'spec.selector', message: expect.stringContaining('field is immutable') }),
        ],
      },
    });
    const mismatch = await api('POST', '/apis/apps/v1/namespaces/default/deployments', {
      ...sts,
      kind: 'Deployment',
      metadata: { name: 'mismatch' },
      spec: { ...sts.spec, selector: { matchLabels: { app: 'other' } } },
    });
    expect(mismatch.status).toBe(422);
    expect(String(mismatch.body.message)).toContain('`selector` does not match template `labels`');
  });

  it('lists with label and field selectors and pages with limit/continue', async () => {
    for (let i = 0; i < 5; i++)
      await api('POST', CM, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `page-${i}`, labels: { page: 'yes', n: String(i) } },
      });
    const sel = await api('GET', `${CM}?labelSelector=${encodeURIComponent('page=yes,n in (1,3)')}`);
    expect((sel.body.items as Array<{ metadata: { name: string } }>).map((o) => o.metadata.name)).toEqual([
      'page-1',
      'page-3',
    ]);
    const field = await api('GET', `${CM}?fieldSelector=metadata.name%3Dpage-2`);
    expect((field.body.items as unknown[]).length).toBe(1);
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = await api('GET', `${CM}?labelSelector=page%3Dyes&limit=2${cont ? `&continue=${cont}` : ''}`);
      names.push(...(r.body.items as Array<{ metadata: { name: string } }>).map((o) => o.metadata.name));
      cont = String((r.body.metadata as { continue?: string }).continue ?? '');
      pages++;
    } while (cont);
    expect(pages).toBe(3);
    expect(names).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  });

  it('bumps generation on spec changes only', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments/p';
    const before = (await api('GET', path)).body.metadata as { generation: number };
    const labelled = await api(
      'PATCH',
      path,
      { metadata: { labels: { only: 'meta' } } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect((labelled.body.metadata as { generation: number }).generation).toBe(before.generation);
    const spec = await api(
      'PATCH',
      path,
      { spec: { replicas: 7 } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect((spec.body.metadata as { generation: number }).generation).toBe(before.generation + 1);
  });

  it('deleting a namespace removes its contents', async () => {
    await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } });
    await api('POST', '/api/v1/namespaces/gone/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'inside' },
    });
    const del = await api('DELETE', '/api/v1/namespaces/gone');
    expect(del.status).toBe(200);
    expect((del.body.status as { phase: string }).phase).toBe('Terminating');
    expect((await api('GET', '/api/v1/namespaces/gone/configmaps/inside')).status).toBe(404);
    expect((await api('GET', '/api/v1/namespaces/gone')).status).toBe(404);
    expect((await api('DELETE', '/api/v1/namespaces/default')).status).toBe(403);
  });
});

describe('watch', () => {
  it('streams events from a resourceVersion', async () => {
    const list = await api('GET', CM);
    const rv = (list.body.metadata as { resourceVersion: string }).resourceVersion;
    const events: Array<{ type: string; object: { metadata: { name: string } } }> = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = request(
        `${sandbox.url}${CM}?watch=1&resourceVersion=${rv}&labelSelector=w%3D1`,
        { ca: sandbox.caCert, headers: { Authorization: `Bearer ${sandbox.token}` } },
        (res) => {
          let buf = '';
          res.on('data', (c: Buffer) => {
            buf += c.toString();
            let i: number;
            while ((i = buf.indexOf('\n')) >= 0) {
              events.push(JSON.parse(buf.slice(0, i)) as (typeof events)[number]);
              buf = buf.slice(i + 1);
              if (events.length === 3) {
                req.destroy();
                resolve();
              }
            }
          });
        },
      );
      req.on('error', (e) => (events.length === 3 ? resolve() : reject(e)));
      req.end();
    });
    // No need to wait for the watch to be established: it replays every event after resourceVersion rv.
    await api('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched', labels: { w: '1' } } });
    await api('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unwatched' } });
    await api('PATCH', `${CM}/watched`, { data: { x: 'y' } }, { 'Content-Type': 'application/merge-patch+json' });
    await api('DELETE', `${CM}/watched`);
    await done;
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED watched',
      'MODIFIED watched',
      'DELETED watched',
    ]);
  });

  it('with a label selector, sends ADDED when an object enters the selection and DELETED when it leaves', async () => {
    const list = await api('GET', CM);
    const rv = (list.body.metadata as { resourceVersion: string }).resourceVersion;
    const merge = { 'Content-Type': 'application/merge-patch+json' };
    await api('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'joiner' } });
    await api('PATCH', `${CM}/joiner`, { metadata: { labels: { sel: 'yes' } } }, merge);
    await api('PATCH', `${CM}/joiner`, { data: { a: 'b' } }, merge);
    await api('PATCH', `${CM}/joiner`, { metadata: { labels: { sel: null } } }, merge);
    await api('DELETE', `${CM}/joiner`);
    // Replayed from the history after rv: the events are all there when the watch starts.
    const r = await api('GET', `${CM}?watch=1&resourceVersion=${rv}&labelSelector=sel%3Dyes&timeoutSeconds=1`);
    const events = r.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; object: { metadata: { name: string }; data?: unknown } });
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED joiner',
      'MODIFIED joiner',
      'DELETED joiner',
    ]);
    expect(events[2]!.object.data).toEqual({ a: 'b' });
  });

  it('shows a deleted namespace Terminating, then its contents and itself deleted', async () => {
    await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'going' } });
    await api('POST', '/api/v1/namespaces/going/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'inside' },
    });
    const rv = ((await api('GET', '/api/v1/namespaces')).body.metadata as { resourceVersion: string }).resourceVersion;
    const gone = await api('DELETE', '/api/v1/namespaces/going');
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ status: { phase: 'Terminating' }, spec: { finalizers: ['kubernetes'] } });
    const r = await api(
      'GET',
      `/api/v1/namespaces?watch=1&resourceVersion=${rv}&fieldSelector=metadata.name%3Dgoing&timeoutSeconds=1`,
    );
    const events = r.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; object: { status?: { phase?: string } } });
    expect(events.map((e) => `${e.type} ${e.object.status?.phase ?? ''}`)).toEqual([
      'MODIFIED Terminating',
      'DELETED Terminating',
    ]);
    expect((await api('GET', '/api/v1/namespaces/going/configmaps/inside')).status).toBe(404);
  });

  it('answers an expired resourceVersion with a 410 ERROR event', async () => {
    const r = await api('GET', `${CM}?watch=1&resourceVersion=-5&timeoutSeconds=1`);
    const ev = JSON.parse(r.text.trim().split('\n')[0]!) as { type: string; object: { code: number; reason: string } };
    expect(ev.type).toBe('ERROR');
    expect(ev.object).toMatchObject({ code: 410, reason: 'Expired' });
  });
});

describe('controllers and failure rules', () => {
  it('makes workloads ready after the configured delay and applies failure rules', async () => {
    sandbox.setFailureRules([{ image: 'never/' }]);
    sandbox.setReadyDelay(400);
    const mk = (name: string, image: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
      },
    });
    type DeployStatus = { availableReplicas: number; conditions: Array<{ type: string; status: string }> };
    const status = async (name: string) =>
      (await api('GET', `/apis/apps/v1/namespaces/default/deployments/${name}`)).body.status as DeployStatus;
    try {
      // Held until the first look, so that look sees them unready however long the requests took.
      sandbox.holdProgress();
      await api('POST', '/apis/apps/v1/namespaces/default/deployments', mk('good', 'ok:1'));
      await api('POST', '/apis/apps/v1/namespaces/default/deployments', mk('bad', 'never/x:1'));
      expect((await status('good')).availableReplicas).toBe(0);
      const released = Date.now();
      sandbox.releaseProgress();
      const good = await until(async () => {
        const now = await status('good');
        return now.availableReplicas === 2 && now;
      });
      expect(good.availableReplicas).toBe(2);
      expect(Date.now() - released).toBeGreaterThanOrEqual(390); // not before the configured delay
      expect(good.conditions).toContainEqual(expect.objectContaining({ type: 'Available', status: 'True' }));
      expect((await status('bad')).availableReplicas).toBe(0);
    } finally {
      sandbox.setFailureRules([]);
      sandbox.setReadyDelay(30);
    }
  });

  it('injects a configurable share of 500/429 faults, changeable at run time', async () => {
    sandbox.setFaults({ rate: 0.5, codes: [500, 429] });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await api('GET', '/api/v1/namespaces/default')).status);
    sandbox.setFaults(undefined);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 500)).toHaveLength(2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect((await api('GET', '/api/v1/namespaces/default')).status).toBe(200);
  });
});

describe('persistence', () => {
  it('keeps every object, the token and the CA across a restart with a data folder', async () => {
    const data = join(dir, 'data');
    const first = await startSandbox({ dataDir: data });
    await call(first, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'kept' },
    });
    for (let i = 0; i < 3; i++)
      await call(first, 'POST', '/api/v1/namespaces/kept/secrets', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `s${i}` },
        stringData: { i: String(i) },
      });
    await call(first, 'DELETE', '/api/v1/namespaces/kept/secrets/s1');
    const rv = (await call(first, 'GET', '/api/v1/namespaces/kept/secrets')).body.metadata as {
      resourceVersion: string;
    };
    await first.stop();
    const second = await startSandbox({ dataDir: data });
    try {
      expect(second.token).toBe(first.token);
      expect(second.caCert).toBe(first.caCert);
      const list = await call(second, 'GET', '/api/v1/namespaces/kept/secrets');
      expect((list.body.items as Array<{ metadata: { name: string } }>).map((s) => s.metadata.name)).toEqual([
        's0',
        's2',
      ]);
      expect(Number((list.body.metadata as { resourceVersion: string }).resourceVersion)).toBeGreaterThanOrEqual(
        Number(rv.resourceVersion),
      );
      expect(readFileSync(join(data, 'kubeconfig'), 'utf8')).toContain(second.url);
    } finally {
      await second.stop();
    }
  });

  it('writes its data files, which hold Secret data, readable by their owner only', async () => {
    const data = join(dir, 'private-data');
    const sb = await startSandbox({ dataDir: data });
    await call(sb, 'POST', '/api/v1/namespaces/default/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'pw' },
      stringData: { password: 'hunter2' },
    });
    await sb.stop();
    const files = readdirSync(data, { recursive: true, encoding: 'utf8' }).sort();
    expect(files).toEqual(expect.arrayContaining(['kubeconfig', 'objects/journal.ndjson', 'tls.json']));
    const modes = files.map((f) => [f, (statSync(join(data, f)).mode & 0o777).toString(8)]);
    expect(modes).toEqual(files.map((f) => [f, f === 'objects' ? '700' : '600']));
  });
  it('carries on simulated rollouts, Jobs and claims that were unfinished when it stopped', async () => {
    const data = join(dir, 'resume');
    const first = await startSandbox({ dataDir: data, readyDelayMs: 60_000 });
    const ns = '/api/v1/namespaces/default';
    await call(first, 'POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'halfway' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'h' } },
        template: { metadata: { labels: { app: 'h' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      },
    });
    await call(first, 'POST', '/apis/batch/v1/namespaces/default/jobs', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'halfway' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
    });
    await call(first, 'POST', `${ns}/persistentvolumeclaims`, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'halfway' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    expect(
      (
        (await call(first, 'GET', '/apis/apps/v1/namespaces/default/deployments/halfway')).body.status as {
          availableReplicas: number;
        }
      ).availableReplicas,
    ).toBe(0);
    await first.stop();

    const second = await startSandbox({ dataDir: data, readyDelayMs: 20 });
    try {
      const done = async () => {
        const d = (await call(second, 'GET', '/apis/apps/v1/namespaces/default/deployments/halfway')).body.status as {
          availableReplicas?: number;
        };
        const j = (await call(second, 'GET', '/apis/batch/v1/namespaces/default/jobs/halfway')).body.status as {
          succeeded?: number;
        };
        const p = (await call(second, 'GET', `${ns}/persistentvolumeclaims/halfway`)).body.status as { phase?: string };
        return d.availableReplicas === 2 && j.succeeded === 1 && p.phase === 'Bound';
      };
      expect(await until(done)).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('refuses a damaged data folder with a clear error instead of starting empty', async () => {
    const broken = join(dir, 'broken');
    const ok = await startSandbox({ dataDir: broken });
    await ok.stop();
    writeFileSync(join(broken, 'objects', 'state.json'), '{"rv": 3, "objects": {');
    await expect(startSandbox({ dataDir: broken })).rejects.toMatchObject({
      code: 'IO',
      message: expect.stringContaining(`cannot load sandbox state from ${broken}`),
      hint: expect.stringContaining('Remove the data folder'),
    });
    writeFileSync(join(broken, 'tls.json'), 'not json');
    await expect(startSandbox({ dataDir: broken })).rejects.toMatchObject({
      code: 'IO',
      file: join(broken, 'tls.json'),
      hint: expect.stringContaining('Remove that file'),
    });
  });
});
