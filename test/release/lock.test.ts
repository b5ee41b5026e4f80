// Release locks as coordination.k8s.io Leases in the sandbox: holder and expiry, renewal, release, take-over of an
// expired lease (a crashed operation), and noticing a lost lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterClient } from '../../src/cluster/index.js';
import { LeaseLocker, holderOf, lockName } from '../../src/release/index.js';
import { until } from '../helpers/until.js';
import { rejection, startHarness, type Harness } from './harness.js';

let h: Harness;
let client: ClusterClient;
const ns = 'locks';
const identity = { user: 'ann', host: 'build-7', pid: 4242 };

beforeAll(async () => {
  h = await startHarness();
  client = await h.client(ns);
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
});
afterAll(async () => h?.stop());

const lease = (release: string) => client.get('coordination.k8s.io/v1', 'Lease', lockName(release), ns);

describe('release locks', () => {
  it('holds a Lease naming the operation, user, host and start time, and refuses a second holder', async () => {
    const held = await new LeaseLocker(client, { identity, durationMs: 30_000 }).acquire('web', ns, 'upgrade');
    const live = await lease('web');
    expect(live?.spec).toMatchObject({ holderIdentity: 'ann@build-7 (pid 4242, upgrade)', leaseDurationSeconds: 30 });
    expect(live?.metadata.annotations).toMatchObject({
      'portolan.dev/operation': 'upgrade',
      'portolan.dev/user': 'ann',
      'portolan.dev/host': 'build-7',
      'portolan.dev/pid': '4242',
    });
    const other = new LeaseLocker(client, { identity: { user: 'bob', host: 'laptop', pid: 1 } });
    const err = await rejection(other.acquire('web', ns, 'rollback'));
    expect(err.code).toBe('LOCKED');
    expect(err.message).toMatch(
      /^release "web" is locked by ann@build-7 \(pid 4242, upgrade\): upgrade started \S+, lock expires \S+ unless renewed$/,
    );
    const expires = Date.parse(/lock expires (\S+)/.exec(err.message)![1]!);
    expect(expires - Date.now()).toBeGreaterThan(25_000);
    await held.release();
    expect(await lease('web')).toBeUndefined();
    const again = await other.acquire('web', ns, 'rollback');
    await again.release();
  });

  it('renews the lease while the operation runs', async () => {
    const held = await new LeaseLocker(client, { identity, durationMs: 1_500 }).acquire('renewed', ns, 'install');
    const first = holderOf((await lease('renewed'))!)!;
    // The renewal comes by itself (every third of the duration): wait for it, not for a time.
    const later = await until(async () => {
      const now = holderOf((await lease('renewed'))!)!;
      return now.renewedAt !== first.renewedAt && now;
    });
    expect(Date.parse(later.renewedAt)).toBeGreaterThan(Date.parse(first.renewedAt));
    expect(Date.parse(later.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
    held.check();
    await held.release();
  });

  it('takes over a lease that expired, reporting who held it', async () => {
    const past = new Date(Date.now() - 120_000).toISOString();
    await client.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: lockName('stale'),
        namespace: ns,
        annotations: { 'portolan.dev/operation': 'upgrade', 'portolan.dev/started': past },
      },
      spec: {
        holderIdentity: 'gone@host (pid 99, upgrade)',
        leaseDurationSeconds: 60,
        acquireTime: past,
        renewTime: past,
      },
    });
    const held = await new LeaseLocker(client, { identity }).acquire('stale', ns, 'upgrade');
    expect(held.expired).toMatchObject({ holder: 'gone@host (pid 99, upgrade)', operation: 'upgrade' });
    expect(Date.parse(held.expired!.expiresAt)).toBeLessThan(Date.now());
    expect((await lease('stale'))?.spec).toMatchObject({
      holderIdentity: 'ann@build-7 (pid 4242, upgrade)',
      leaseTransitions: 1,
    });
    await held.release();
  });

  it('notices when the lease was taken by someone else and stops', async () => {
    const held = await new LeaseLocker(client, { identity, durationMs: 1_200 }).acquire('lost', ns, 'upgrade');
    const live = (await lease('lost'))!;
    await client.update({
      ...live,
      spec: { ...(live.spec as object), holderIdentity: 'thief@elsewhere (pid 7, upgrade)' },
    });
    // The next renewal finds the lease taken: from then on check() throws.
    const thrown = await until(() => {
      try {
        held.check();
        return false;
      } catch (error) {
        return error as Error;
      }
    });
    expect(thrown.message).toMatch(/lost the lock of release "lost": another operation took the lease over/);
    await held.release();
    // The thief's lease is left alone.
    expect((await lease('lost'))?.spec).toMatchObject({ holderIdentity: 'thief@elsewhere (pid 7, upgrade)' });
  });
});
