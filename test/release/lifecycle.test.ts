// The whole life of a release against the sandbox, through the real client, checked with the real kubectl:
// install → upgrade (changed, added, removed objects) → rollback (the exact objects of revision 1) → uninstall.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/index.js';
import {
  History,
  Install,
  Rollback,
  Uninstall,
  Upgrade,
  recordProblems,
  type ActionConfig,
} from '../../src/release/index.js';
import { chart, startHarness, statuses, values, type Harness } from './harness.js';

let h: Harness;
let cfg: ActionConfig;
const ns = 'life';

beforeAll(async () => {
  h = await startHarness();
  cfg = await h.config(ns);
});
afterAll(async () => h?.stop());

/** An object without what the server changes on every write, to compare revisions. */
function essence(o: KubeObject | undefined): unknown {
  if (!o) return undefined;
  const { metadata, status: _status, ...rest } = o;
  return {
    ...rest,
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      labels: metadata.labels,
      annotations: metadata.annotations,
    },
  };
}

async function history(): Promise<string[]> {
  return statuses(await new History(cfg).run('shop'));
}

describe('a release from install to uninstall', () => {
  let installed: Record<string, unknown>;

  it('installs revision 1: objects carry the release marks and the record is a schema-valid Secret', async () => {
    const install = new Install(cfg);
    install.releaseName = 'shop';
    install.wait = true;
    install.timeoutMs = 20_000;
    const { release } = await install.run(await chart('app'), await values(['message=first']));
    expect(release).toMatchObject({ revision: 1, status: 'deployed', description: 'Install complete' });
    expect(release.notes).toBe('shop revision 1 says first.\n');

    const cm = await h.kubectlGet('configmap', 'shop-config', ns);
    expect(cm?.data).toEqual({ message: 'first', revision: '1' });
    expect(cm?.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('portolan');
    expect(cm?.metadata.annotations).toMatchObject({
      'meta.portolan.dev/release-name': 'shop',
      'meta.portolan.dev/release-namespace': ns,
    });
    expect(await h.kubectlGet('configmap', 'shop-legacy', ns)).toBeDefined();
    expect(await h.kubectlGet('configmap', 'shop-extra', ns)).toBeUndefined();

    const secret = await h.kubectlGet('secret', 'portolan.release.v1.shop.v1', ns);
    expect(secret?.type).toBe('portolan.dev/release.v1');
    expect(secret?.metadata.labels).toEqual({ owner: 'portolan', name: 'shop', status: 'deployed', version: '1' });
    const record = await h.record(ns, 'shop', 1);
    expect(await recordProblems(record)).toEqual([]);
    expect(record?.config).toEqual({ message: 'first' });
    expect(record?.manifest).toContain('# Source: app/templates/deployment.yaml');
    expect(await history()).toEqual(['1:deployed']);
    installed = {
      config: essence(cm),
      legacy: essence(await h.kubectlGet('configmap', 'shop-legacy', ns)),
      deployment: (await h.kubectlGet('deployment', 'shop-web', ns))?.spec,
    };
    // The lock is released once the install is done.
    expect(await h.kubectlGet('lease', 'portolan.lock.shop', ns)).toBeUndefined();
  });

  it('refuses a second install of the same name', async () => {
    const install = new Install(cfg);
    install.releaseName = 'shop';
    await expect(install.run(await chart('app'), await values())).rejects.toThrow(
      /cannot install "shop": a release of that name exists/,
    );
  });

  it('upgrades to revision 2: changes, adds and removes objects and supersedes revision 1', async () => {
    const upgrade = new Upgrade(cfg);
    upgrade.releaseName = 'shop';
    upgrade.wait = true;
    upgrade.timeoutMs = 20_000;
    const { release } = await upgrade.run(
      await chart('app'),
      await values(['message=second', 'extra=true', 'legacy=false', 'image=nginx:1.28', 'replicas=3']),
    );
    expect(release).toMatchObject({ revision: 2, status: 'deployed', description: 'Upgrade complete' });
    expect((await h.kubectlGet('configmap', 'shop-config', ns))?.data).toEqual({ message: 'second', revision: '2' });
    expect((await h.kubectlGet('configmap', 'shop-extra', ns))?.data).toEqual({ added: 'yes' });
    expect(await h.kubectlGet('configmap', 'shop-legacy', ns)).toBeUndefined();
    const deployment = await h.kubectlGet('deployment', 'shop-web', ns);
    expect(deployment?.spec).toMatchObject({
      replicas: 3,
      template: { spec: { containers: [{ image: 'nginx:1.28' }] } },
    });
    expect(await history()).toEqual(['1:superseded', '2:deployed']);
    expect((await h.record(ns, 'shop', 1))?.status).toBe('superseded');
  });

  it('reuses the previous values when an upgrade is given none', async () => {
    const upgrade = new Upgrade(cfg);
    upgrade.releaseName = 'shop';
    const { release } = await upgrade.run(await chart('app'), await values());
    expect(release.config).toEqual({ message: 'second', extra: true, legacy: false, image: 'nginx:1.28', replicas: 3 });
    expect((await h.kubectlGet('configmap', 'shop-config', ns))?.data).toEqual({ message: 'second', revision: '3' });
    expect(await history()).toEqual(['1:superseded', '2:superseded', '3:deployed']);
  });

  it('rolls back to revision 1 as revision 4 and restores exactly the objects of revision 1', async () => {
    const rollback = new Rollback(cfg);
    rollback.releaseName = 'shop';
    rollback.revision = 1;
    rollback.wait = true;
    rollback.timeoutMs = 20_000;
    const release = await rollback.run();
    expect(release).toMatchObject({ revision: 4, status: 'deployed', description: 'Rollback to 1' });
    expect(release.config).toEqual({ message: 'first' });
    expect(await h.kubectlGet('configmap', 'shop-extra', ns)).toBeUndefined();
    // revision is rendered into the ConfigMap: revision 1's manifest comes back as it was.
    expect(essence(await h.kubectlGet('configmap', 'shop-config', ns))).toEqual(installed.config);
    expect(essence(await h.kubectlGet('configmap', 'shop-legacy', ns))).toEqual(installed.legacy);
    expect((await h.kubectlGet('deployment', 'shop-web', ns))?.spec).toEqual(installed.deployment);
    expect(await history()).toEqual(['1:superseded', '2:superseded', '3:superseded', '4:deployed']);
    const h4 = await new History(cfg).run('shop');
    expect(h4.map((r) => r.description)).toEqual([
      'Install complete',
      'Upgrade complete',
      'Upgrade complete',
      'Rollback to 1',
    ]);
  });

  it('rolls back to the previous revision when none is named', async () => {
    const rollback = new Rollback(cfg);
    rollback.releaseName = 'shop';
    const release = await rollback.run();
    expect(release).toMatchObject({ revision: 5, description: 'Rollback to 3' });
    expect((await h.kubectlGet('configmap', 'shop-extra', ns))?.data).toEqual({ added: 'yes' });
  });

  it('uninstalls: every object, every record and the lock are gone', async () => {
    const result = await new Uninstall(cfg).run('shop');
    expect(result.deleted.map((r) => `${r.kind}/${r.metadata.name}`).sort()).toEqual([
      'ConfigMap/shop-config',
      'ConfigMap/shop-extra',
      'Deployment/shop-web',
      'Service/shop-web',
    ]);
    for (const [kind, name] of [
      ['configmap', 'shop-config'],
      ['configmap', 'shop-extra'],
      ['deployment', 'shop-web'],
      ['service', 'shop-web'],
    ] as const) {
      expect(await h.kubectlGet(kind, name, ns)).toBeUndefined();
    }
    const secrets = await h.kubectl(['get', 'secrets', '-n', ns, '-l', 'owner=portolan', '-o', 'name']);
    expect(secrets.stdout.trim()).toBe('');
    await expect(new History(cfg).run('shop')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps the history with --keep-history and marks the last revision uninstalled', async () => {
    const install = new Install(cfg);
    install.releaseName = 'kept';
    await install.run(await chart('app'), await values());
    const uninstall = new Uninstall(cfg);
    uninstall.keepHistory = true;
    const { release } = await uninstall.run('kept');
    expect(release).toMatchObject({ status: 'uninstalled', description: 'Uninstallation complete' });
    expect(await h.kubectlGet('configmap', 'kept-config', ns)).toBeUndefined();
    expect(statuses(await new History(cfg).run('kept'))).toEqual(['1:uninstalled']);
    // Installing the name again continues the history.
    const again = new Install(cfg);
    again.releaseName = 'kept';
    const { release: next } = await again.run(await chart('app'), await values());
    expect(next.revision).toBe(2);
    expect(statuses(await new History(cfg).run('kept'))).toEqual(['1:uninstalled', '2:deployed']);
  });
});
