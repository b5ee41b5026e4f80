// Release features against the sandbox: the configmap and memory drivers, crds/ on install only, --create-namespace,
// --history-max, upgrade --install, server dry runs, rollback targets and uninstall --wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  History,
  Install,
  Rollback,
  Uninstall,
  Upgrade,
  actionConfig,
  decodeRecord,
  recordProblems,
  type ActionConfig,
} from '../../src/release/index.js';
import { chart, rejection, startHarness, statuses, values, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const install = (cfg: ActionConfig, name: string, fields: Partial<Install> = {}) =>
  Object.assign(new Install(cfg), { releaseName: name }, fields);
const upgrade = (cfg: ActionConfig, name: string, fields: Partial<Upgrade> = {}) =>
  Object.assign(new Upgrade(cfg), { releaseName: name }, fields);

describe('storage drivers', () => {
  it('keeps records as labelled ConfigMaps with the configmap driver', async () => {
    const cfg = await h.config('cm-driver', { driver: 'configmap' });
    await install(cfg, 'web').run(await chart('app'), await values());
    await upgrade(cfg, 'web').run(await chart('app'), await values(['message=two']));
    const cm = await h.kubectlGet('configmap', 'portolan.release.v1.web.v2', 'cm-driver');
    expect(cm?.metadata.labels).toEqual({ owner: 'portolan', name: 'web', status: 'deployed', version: '2' });
    const record = await decodeRecord((cm?.data as { release: string }).release, 'test');
    expect(await recordProblems(record)).toEqual([]);
    expect(record.config).toEqual({ message: 'two' });
    const secrets = await h.kubectl(['get', 'secrets', '-n', 'cm-driver', '-l', 'owner=portolan', '-o', 'name']);
    expect(secrets.stdout.trim()).toBe('');
    expect(statuses(await new History(cfg).run('web'))).toEqual(['1:superseded', '2:deployed']);
  });

  it('keeps records in memory with the memory driver, applying objects to the cluster all the same', async () => {
    const cfg = await h.config('mem-driver', { driver: 'memory' });
    await install(cfg, 'web').run(await chart('app'), await values());
    expect(await h.kubectlGet('configmap', 'web-config', 'mem-driver')).toBeDefined();
    const stored = await h.kubectl([
      'get',
      'secrets,configmaps',
      '-n',
      'mem-driver',
      '-l',
      'owner=portolan',
      '-o',
      'name',
    ]);
    expect(stored.stdout.trim()).toBe('');
    expect(statuses(await new History(cfg).run('web'))).toEqual(['1:deployed']);
  });
});

describe('crds/', () => {
  it('creates the CRDs of crds/ before the templates, which then see the new kind in Capabilities', async () => {
    const cfg = await h.config('crds');
    const { release } = await install(cfg, 'w').run(await chart('crd'), await values());
    expect(await h.kubectlGet('customresourcedefinition', 'widgets.example.com', 'crds')).toBeDefined();
    expect((await h.kubectlGet('widget', 'w-widget', 'crds'))?.spec).toEqual({ size: 1 });
    // The CRD is not an object of the release.
    expect(release.manifest).not.toContain('CustomResourceDefinition');
  });

  it('leaves an existing CRD as it is, and upgrades never touch crds/', async () => {
    const cfg = await h.config('crds-2');
    const client = await h.client('crds-2');
    const crd = (await client.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'))!;
    await client.patch(crd, { metadata: { labels: { touched: 'by-hand' } } });
    await install(cfg, 'w').run(await chart('crd'), await values());
    await upgrade(cfg, 'w').run(await chart('crd'), await values(['size=2']));
    expect((await h.kubectlGet('customresourcedefinition', 'widgets.example.com', 'crds'))?.metadata.labels).toEqual({
      touched: 'by-hand',
    });
    expect((await h.kubectlGet('widget', 'w-widget', 'crds-2'))?.spec).toEqual({ size: 2 });
  });

  it('skips crds/ with --skip-crds', async () => {
    const client = await h.client('crds-3');
    await client.delete({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
    });
    await client.waitForDeletion(
      [
        {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'widgets.example.com' },
        },
      ],
      { timeoutMs: 5_000 },
    );
    const cfg = await h.config('crds-3');
    const { release } = await install(cfg, 'w', { skipCrds: true }).run(await chart('crd'), await values());
    expect(await h.kubectlGet('customresourcedefinition', 'widgets.example.com', 'crds-3')).toBeUndefined();
    expect(release.manifest).not.toContain('Widget');
  });
});

describe('namespaces, history and install-or-upgrade', () => {
  it('creates the release namespace with --create-namespace', async () => {
    const nsCfg = actionConfig(await h.client('brand-new'), { namespace: 'brand-new' });
    await expect(install(nsCfg, 'web').run(await chart('app'), await values())).rejects.toThrow(
      'namespace "brand-new" does not exist',
    );
    await install(nsCfg, 'web', { createNamespace: true }).run(await chart('app'), await values());
    expect(await h.kubectlGet('namespace', 'brand-new', 'default')).toBeDefined();
    expect(await h.kubectlGet('configmap', 'web-config', 'brand-new')).toBeDefined();
  });

  it('keeps at most --history-max revisions, never dropping the deployed one', async () => {
    const cfg = await h.config('history-max');
    await install(cfg, 'web').run(await chart('app'), await values());
    for (let i = 2; i <= 6; i++)
      await upgrade(cfg, 'web', { historyMax: 3 }).run(await chart('app'), await values([`message=m${i}`]));
    expect(statuses(await new History(cfg).run('web'))).toEqual(['4:superseded', '5:superseded', '6:deployed']);
    const kept = await h.kubectl([
      'get',
      'secrets',
      '-n',
      'history-max',
      '-l',
      'owner=portolan,name=web',
      '-o',
      'name',
    ]);
    expect(kept.stdout.trim().split('\n').sort()).toEqual([
      'secret/portolan.release.v1.web.v4',
      'secret/portolan.release.v1.web.v5',
      'secret/portolan.release.v1.web.v6',
    ]);
  });

  it('installs with upgrade --install when the release does not exist, and refuses without it', async () => {
    const cfg = await h.config('upsert');
    const err = await rejection(upgrade(cfg, 'web').run(await chart('app'), await values()));
    expect(err.message).toBe('release "web" not found in namespace "upsert"');
    expect(err.hint).toContain('--install');
    const first = await upgrade(cfg, 'web', { install: true }).run(await chart('app'), await values());
    expect(first).toMatchObject({ installed: true, release: { revision: 1, description: 'Install complete' } });
    const second = await upgrade(cfg, 'web', { install: true }).run(await chart('app'), await values(['message=x']));
    expect(second.installed).toBeUndefined();
    expect(second.release).toMatchObject({ revision: 2, description: 'Upgrade complete' });
  });

  it('changes nothing on a server dry run but has the server check every object', async () => {
    const cfg = await h.config('dry');
    await install(cfg, 'web').run(await chart('app'), await values());
    const { release } = await upgrade(cfg, 'web', { dryRun: 'server' }).run(
      await chart('app'),
      await values(['message=dry', 'extra=true']),
    );
    expect(release).toMatchObject({ revision: 2, description: 'Dry run complete' });
    expect(await h.kubectlGet('configmap', 'web-extra', 'dry')).toBeUndefined();
    expect(statuses(await new History(cfg).run('web'))).toEqual(['1:deployed']);
    const err = await rejection(
      upgrade(cfg, 'web', { dryRun: 'server' }).run(await chart('app'), await values(['track=canary'])),
    );
    expect(err.message).toContain('field is immutable');
    expect(statuses(await new History(cfg).run('web'))).toEqual(['1:deployed']);
  });

  it('names the kept revisions when asked to roll back to one that does not exist', async () => {
    const cfg = await h.config('rollback-target');
    await install(cfg, 'web').run(await chart('app'), await values());
    const err = await rejection(Object.assign(new Rollback(cfg), { releaseName: 'web' }).run());
    expect(err.message).toBe('release "web" has only revision 1; there is no earlier revision to roll back to');
    const missing = await rejection(Object.assign(new Rollback(cfg), { releaseName: 'web', revision: 7 }).run());
    expect(missing.message).toBe('release "web" has no revision 7');
    expect(missing.hint).toContain('Revisions kept: 1');
  });

  it('waits until the objects are gone with uninstall --wait', async () => {
    const cfg = await h.config('uninstall-wait');
    await install(cfg, 'web').run(await chart('app'), await values());
    const result = await Object.assign(new Uninstall(cfg), { wait: true, timeoutMs: 10_000 }).run('web');
    expect(result.deleted).toHaveLength(4);
    for (const ref of result.deleted)
      expect(await h.kubectlGet(ref.kind.toLowerCase(), ref.metadata.name, 'uninstall-wait')).toBeUndefined();
  });
});
