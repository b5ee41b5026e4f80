// History rules above the drivers, on the memory driver: order, latest of each, conflicts, --history-max pruning.
import { describe, expect, it } from 'vitest';
import { MemoryDriver, MemoryStore, ReleaseStorage, driverName } from '../../src/release/index.js';
import { buildRecord } from './records.js';

function storage(namespace = 'default', store = new MemoryStore()): ReleaseStorage {
  return new ReleaseStorage(new MemoryDriver(namespace, store));
}

describe('release storage', () => {
  it('returns a release history oldest first whatever the write order', async () => {
    const s = storage();
    for (const revision of [3, 1, 2])
      await s.create(buildRecord({ revision, status: revision === 3 ? 'deployed' : 'superseded' }));
    expect((await s.history('web')).map((r) => r.revision)).toEqual([1, 2, 3]);
    expect((await s.last('web'))?.revision).toBe(3);
  });

  it('lists the newest revision of each release, across namespaces when asked', async () => {
    const store = new MemoryStore();
    const a = storage('a', store);
    const b = storage('b', store);
    await a.create(buildRecord({ namespace: 'a', revision: 1, status: 'superseded' }));
    await a.create(buildRecord({ namespace: 'a', revision: 2 }));
    await b.create(buildRecord({ namespace: 'b', name: 'api' }));
    expect((await a.latestOfEach()).map((r) => `${r.namespace}/${r.name}.v${r.revision}`)).toEqual(['a/web.v2']);
    const all = new ReleaseStorage(new MemoryDriver(undefined, store));
    expect((await all.latestOfEach()).map((r) => `${r.namespace}/${r.name}.v${r.revision}`)).toEqual([
      'b/api.v1',
      'a/web.v2',
    ]);
  });

  it('refuses to create a revision that already exists', async () => {
    const s = storage();
    await s.create(buildRecord());
    await expect(s.create(buildRecord())).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('revision 1 of release "web"'),
    });
  });

  it('prunes the oldest revisions down to --history-max, never the deployed one nor the newest', async () => {
    const s = storage();
    // 1 deployed (a failed upgrade chain left it deployed), 2..5 failed, 6 the newest (failed too)
    await s.create(buildRecord({ revision: 1, status: 'deployed' }));
    for (const revision of [2, 3, 4, 5, 6]) await s.create(buildRecord({ revision, status: 'failed' }));
    expect(await s.prune('web', 3)).toEqual([2, 3, 4]);
    expect((await s.history('web')).map((r) => `${r.revision}:${r.status}`)).toEqual([
      '1:deployed',
      '5:failed',
      '6:failed',
    ]);
  });

  it('does not prune with --history-max 0', async () => {
    const s = storage();
    for (const revision of [1, 2, 3])
      await s.create(buildRecord({ revision, status: revision === 3 ? 'deployed' : 'superseded' }));
    expect(await s.prune('web', 0)).toEqual([]);
    expect(await s.history('web')).toHaveLength(3);
  });

  it('copies records in and out so callers cannot change stored ones by accident', async () => {
    const s = storage();
    const record = buildRecord();
    await s.create(record);
    record.status = 'failed';
    const read = await s.last('web');
    expect(read?.status).toBe('deployed');
  });
});

describe('driver names', () => {
  it('takes --driver first, then PORTOLAN_DRIVER, then secret', () => {
    expect(driverName(undefined, {})).toBe('secret');
    expect(driverName(undefined, { PORTOLAN_DRIVER: 'configmap' })).toBe('configmap');
    expect(driverName('memory', { PORTOLAN_DRIVER: 'configmap' })).toBe('memory');
    expect(driverName('secrets', {})).toBe('secret');
  });

  it('refuses an unknown driver with a usage error naming the choices', () => {
    expect(() => driverName('sql', {})).toThrow(/unknown storage driver "sql"/);
    let error: unknown;
    try {
      driverName(undefined, { PORTOLAN_DRIVER: 'etcd' });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({
      code: 'USAGE',
      flag: undefined,
      hint: 'Use one of: secret, configmap, memory.',
      message: 'unknown storage driver "etcd" (from PORTOLAN_DRIVER)',
    });
  });
});
