// Release actions against FakeCluster, with faults injected where a sandbox cannot put them: answers lost after the
// write was stored, and an API server that goes away in the middle of an install.
import { describe, expect, it } from 'vitest';
import { ClusterConnectionError, FakeCluster, type KubeObject } from '../../src/cluster/index.js';
import { PortolanError } from '../../src/errors.js';
import { History, Install, Status, actionConfig, recordKey } from '../../src/release/index.js';
import { chart, rejection, statuses, values } from './harness.js';
import { buildRecord } from './records.js';

const ns = 'shop';
const identity = { user: 'ann', host: 'build-7', pid: 1 };

function setup(): { fake: FakeCluster; install: Install; cfg: ReturnType<typeof actionConfig> } {
  const fake = new FakeCluster({ namespace: ns });
  const cfg = actionConfig(fake, { namespace: ns, identity });
  const install = new Install(cfg);
  install.releaseName = 'web';
  return { fake, install, cfg };
}

describe('answers lost after the write was stored', () => {
  it('installs when the first create of the Lease and of the record, and the record update, lose their answers', async () => {
    const { fake, install, cfg } = setup();
    fake.fail('create', { error: 'store-then-reset', kind: 'Lease', times: 1 });
    fake.fail('create', { error: 'store-then-reset', kind: 'Secret', times: 1 });
    fake.fail('replace', { error: 'store-then-reset', kind: 'Secret', times: 1 });
    const { release } = await install.run(await chart('app'), await values());
    expect(release.status).toBe('deployed');
    expect(statuses(await new History(cfg).run('web'))).toEqual(['1:deployed']);
    expect(fake.stored('Secret').map((s) => s.metadata.name)).toEqual([recordKey('web', 1)]);
    expect(fake.stored('Lease')).toEqual([]);
    expect(fake.calls.filter((c) => c.startsWith('create Lease'))).toHaveLength(1);
  });
});

describe('the API server going away mid-install', () => {
  it("reports the install's own error first, and the lock it could not release as a note after it", async () => {
    const { fake, install } = setup();
    fake.fail('apply', {
      kind: 'Deployment',
      error: () => {
        fake.unreachable = true;
        return new ClusterConnectionError(
          'CLUSTER',
          'cannot reach the Kubernetes API at fake://cluster: connect ECONNREFUSED (after 5 attempts)',
          false,
        );
      },
    });
    const err = await rejection(install.run(await chart('app'), await values()));
    expect(err).toBeInstanceOf(PortolanError);
    expect(err.message).toBe(
      'cannot apply Deployment shop/web-web: cannot reach the Kubernetes API at fake://cluster: connect ECONNREFUSED (after 5 attempts)',
    );
    const notes = (err as PortolanError).notes;
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(
      /^could not mark revision 1 of "web" failed: cannot reach the Kubernetes API at fake:\/\/cluster: connect ECONNREFUSED/,
    );
    expect(notes[1]).toMatch(
      /^cannot release the lock of release "web": cannot reach .*ECONNREFUSED \(It expires by itself after its duration\.\)$/,
    );
  });

  it('keeps the note that the failed revision could not be recorded through --rollback-on-failure', async () => {
    const { fake, install } = setup();
    install.rollbackOnFailure = true;
    fake.fail('apply', { kind: 'Deployment', error: new PortolanError('CLUSTER', 'quota exceeded') });
    fake.fail('replace', { kind: 'Secret', error: new PortolanError('CLUSTER', 'etcd unavailable') });
    const err = (await rejection(install.run(await chart('app'), await values()))) as PortolanError;
    expect(err.message).toBe(
      'install of "web" failed and was rolled back (uninstalled): cannot apply Deployment shop/web-web: quota exceeded',
    );
    expect(err.notes).toEqual(['could not mark revision 1 of "web" failed: etcd unavailable']);
  });

  it('still throws the lock error when the operation itself succeeded', async () => {
    const { fake, install } = setup();
    fake.fail('delete', { kind: 'Lease', error: new PortolanError('CLUSTER', 'lease delete refused') });
    const err = await rejection(install.run(await chart('app'), await values()));
    expect(err.message).toBe('cannot release the lock of release "web": lease delete refused');
  });
});

describe('status against the fake', () => {
  it('calls a headless Service ready without saying it has a cluster IP', async () => {
    const { fake, cfg } = setup();
    const manifest =
      '---\n# Source: app/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web-db\nspec:\n  clusterIP: None\n';
    await cfg.storage.create(buildRecord({ namespace: ns, manifest }));
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web-db', namespace: ns },
      spec: { clusterIP: 'None', ports: [{ port: 5432 }] },
    };
    await fake.apply(live);
    const status = new Status(cfg);
    status.showResources = true;
    const { resources } = await status.run('web');
    expect(resources).toEqual([
      expect.objectContaining({
        ref: 'Service shop/web-db',
        exists: true,
        ready: true,
        reason: 'headless service (no cluster IP)',
      }),
    ]);
  });
});
