// FakeCluster, the memory ClusterClient for tests: what it stores and serves, and the failures it injects per verb.
import { describe, expect, it } from 'vitest';
import { ClusterConnectionError, FakeCluster, isAmbiguous, type KubeObject } from '../../src/cluster/index.js';
import { PortolanError } from '../../src/errors.js';

const configMap = (
  name: string,
  data: Record<string, string> = {},
  labels: Record<string, string> = {},
): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });

async function rejection(p: Promise<unknown>): Promise<PortolanError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PortolanError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('FakeCluster', () => {
  it('stores objects in the client namespace, lists them by label and serves the kinds of CRDs created in it', async () => {
    const fake = new FakeCluster({ namespace: 'shop' });
    await fake.create(configMap('a', { x: '1' }, { app: 'web' }));
    await fake.apply(configMap('b', {}, { app: 'db' }));
    expect((await fake.get('v1', 'ConfigMap', 'a'))?.metadata).toMatchObject({
      namespace: 'shop',
      resourceVersion: '1',
    });
    expect((await fake.list('v1', 'ConfigMap', { labelSelector: 'app=web' })).map((o) => o.metadata.name)).toEqual([
      'a',
    ]);
    expect((await rejection(fake.create(configMap('a')))).code).toBe('CONFLICT');
    expect((await rejection(fake.resourceFor('example.com/v1', 'Gadget'))).message).toContain(
      'has no resource for kind "Gadget"',
    );
    await fake.apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'gadgets', kind: 'Gadget' },
        versions: [{ name: 'v1', served: true, storage: true }],
      },
    });
    expect(await fake.resourceFor('example.com/v1', 'Gadget')).toMatchObject({ resource: 'gadgets', namespaced: true });
    expect(await fake.apiVersions()).toContain('example.com/v1/Gadget');
  });

  it('fails the verb it is told to, for the kind, name and number of times given', async () => {
    const fake = new FakeCluster();
    fake.fail('create', { error: new PortolanError('CLUSTER', 'create refused'), kind: 'Secret', times: 1 });
    await fake.create(configMap('fine'));
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } };
    expect((await rejection(fake.create(secret))).message).toBe('create refused');
    await fake.create(secret);
    fake.fail('wait', new PortolanError('TIMEOUT', 'never ready'));
    expect((await rejection(fake.waitForReady([secret], { timeoutMs: 1_000 }))).code).toBe('TIMEOUT');
    expect(fake.calls).toEqual([
      'create ConfigMap default/fine',
      'create Secret default/s',
      'create Secret default/s',
      'wait 1 object',
    ]);
  });

  it('stores a write and then resets the connection, and the write is read back as done instead of sent again', async () => {
    const fake = new FakeCluster();
    fake.fail('create', 'store-then-reset');
    const created = await fake.create(configMap('once', { a: '1' }));
    expect(created.data).toEqual({ a: '1' });
    expect(fake.calls).toEqual(['create ConfigMap default/once', 'get ConfigMap default/once']);
    fake.heal().fail('update', { error: 'store-then-reset', times: 1 });
    const updated = await fake.update({ ...created, data: { a: '2' } });
    expect(updated.data).toEqual({ a: '2' });
  });

  it('answers every call with a refused connection while unreachable, which is safe to repeat', async () => {
    const fake = new FakeCluster();
    fake.unreachable = true;
    const err = await rejection(fake.get('v1', 'ConfigMap', 'x'));
    expect(err).toBeInstanceOf(ClusterConnectionError);
    expect(err.message).toContain('ECONNREFUSED');
    expect(isAmbiguous(err)).toBe(false);
    fake.heal();
    expect(await fake.get('v1', 'ConfigMap', 'x')).toBeUndefined();
  });

  it('waits with the real readiness rules when told to, reporting progress and what is pending', async () => {
    const fake = new FakeCluster();
    const { readiness } = await import('../../src/cluster/index.js');
    fake.readiness = readiness;
    await fake.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1 } });
    const progress: number[] = [];
    const err = await rejection(
      fake.waitForReady([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }], {
        timeoutMs: 0,
        onProgress: (p) => progress.push(p.ready),
      }),
    );
    expect(err.code).toBe('TIMEOUT');
    expect(err.problems?.[0]).toMatch(/^Deployment default\/web: /);
    expect(progress).toEqual([0]);
  });
});
