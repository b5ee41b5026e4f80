// Failure paths against the sandbox: wait timeouts, rollback-on-failure with its own timeout, immutable fields,
// ownership conflicts, the record size limit, injected 429/500 faults, and concurrent operations in one process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpClusterClient } from '../../src/cluster/index.js';
import { History, Install, Rollback, Uninstall, Upgrade, type ActionConfig } from '../../src/release/index.js';
import { chart, rejection, startHarness, statuses, values, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

async function install(
  cfg: ActionConfig,
  name: string,
  set: string[] = [],
  fields: Partial<Install> = {},
): Promise<void> {
  const action = Object.assign(new Install(cfg), { releaseName: name, wait: true, timeoutMs: 20_000 }, fields);
  await action.run(await chart('app'), await values(set));
}

function upgrade(cfg: ActionConfig, name: string, fields: Partial<Upgrade> = {}): Upgrade {
  return Object.assign(new Upgrade(cfg), { releaseName: name }, fields);
}

async function history(cfg: ActionConfig, name: string): Promise<string[]> {
  return statuses(await new History(cfg).run(name));
}

describe('waiting', () => {
  it('marks the revision failed when the wait times out, naming what was not ready and why', async () => {
    const cfg = await h.config('wait-timeout');
    await install(cfg, 'web');
    h.sandbox.setFailureRules([{ image: 'broken' }]);
    try {
      const err = await rejection(
        upgrade(cfg, 'web', { wait: true, timeoutMs: 1_000 }).run(await chart('app'), await values(['image=broken:1'])),
      );
      expect(err.code).toBe('TIMEOUT');
      expect(err.message).toMatch(
        /timed out after 1s waiting for 1 of 4 objects to be ready: Deployment wait-timeout\/web-web: \d\/1 replicas available/,
      );
    } finally {
      h.sandbox.setFailureRules([]);
    }
    expect(await history(cfg, 'web')).toEqual(['1:deployed', '2:failed']);
    const failed = (await new History(cfg).run('web'))[1]!;
    expect(failed.description).toMatch(/^Upgrade "web" failed: timed out after 1s/);
  });

  it('rolls back to the previous revision with --rollback-on-failure, restoring its objects', async () => {
    const cfg = await h.config('rollback-on-failure');
    await install(cfg, 'web', ['message=good']);
    h.sandbox.setFailureRules([{ image: 'broken' }]);
    try {
      const err = await rejection(
        upgrade(cfg, 'web', { rollbackOnFailure: true, timeoutMs: 1_000 }).run(
          await chart('app'),
          await values(['image=broken:1', 'message=bad', 'extra=true']),
        ),
      );
      expect(err.message).toMatch(
        /^upgrade of "web" failed and was rolled back to revision 1 \(now revision 3\): timed out after 1s/,
      );
    } finally {
      h.sandbox.setFailureRules([]);
    }
    expect(await history(cfg, 'web')).toEqual(['1:superseded', '2:failed', '3:deployed']);
    expect((await new History(cfg).run('web'))[2]!.description).toBe('Rollback to 1');
    const deployment = await h.kubectlGet('deployment', 'web-web', 'rollback-on-failure');
    expect(
      (deployment?.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec
        .containers[0]!.image,
    ).toBe('nginx:1.27');
    expect((await h.kubectlGet('configmap', 'web-config', 'rollback-on-failure'))?.data?.message).toBe('good');
    expect(await h.kubectlGet('configmap', 'web-extra', 'rollback-on-failure')).toBeUndefined();
  });

  it('gives the rollback its own --rollback-timeout, not what the failed wait left over', async () => {
    const cfg = await h.config('rollback-timeout');
    await install(cfg, 'web');
    // Rollouts take 1.5 s: the failed attempt uses all of its 1 s, the rollback needs 1.5 s of its own.
    h.sandbox.setReadyDelay(1_500);
    h.sandbox.setFailureRules([{ image: 'broken' }]);
    try {
      const tooShort = await rejection(
        upgrade(cfg, 'web', { rollbackOnFailure: true, timeoutMs: 1_000, rollbackTimeoutMs: 300 }).run(
          await chart('app'),
          await values(['image=broken:1']),
        ),
      );
      expect(tooShort.message).toMatch(
        /^upgrade of "web" failed \(timed out after 1s.*\), and so did the rollback to revision 1: timed out after 0\.3s/,
      );
      const enough = await rejection(
        upgrade(cfg, 'web', { rollbackOnFailure: true, timeoutMs: 1_000, rollbackTimeoutMs: 10_000 }).run(
          await chart('app'),
          await values(['image=broken:2']),
        ),
      );
      expect(enough.message).toMatch(/failed and was rolled back to revision 1 \(now revision 5\)/);
    } finally {
      h.sandbox.setFailureRules([]);
      h.sandbox.setReadyDelay(30);
    }
    expect(await history(cfg, 'web')).toEqual(['1:superseded', '2:failed', '3:failed', '4:failed', '5:deployed']);
  });
});

describe('cleaning up after a failure', () => {
  it('deletes the objects a failed upgrade created with --cleanup-on-fail, and keeps the others', async () => {
    const cfg = await h.config('cleanup');
    await install(cfg, 'web');
    h.sandbox.setFailureRules([{ image: 'broken' }]);
    try {
      await rejection(
        upgrade(cfg, 'web', { wait: true, timeoutMs: 800, cleanupOnFail: true }).run(
          await chart('app'),
          await values(['image=broken:1', 'extra=true']),
        ),
      );
    } finally {
      h.sandbox.setFailureRules([]);
    }
    expect(await h.kubectlGet('configmap', 'web-extra', 'cleanup')).toBeUndefined();
    expect(await h.kubectlGet('configmap', 'web-config', 'cleanup')).toBeDefined();
    expect(await history(cfg, 'web')).toEqual(['1:deployed', '2:failed']);
  });

  it('uninstalls a failed install with --rollback-on-failure, leaving neither objects nor history', async () => {
    const cfg = await h.config('atomic-install');
    h.sandbox.setFailureRules([{ image: 'broken' }]);
    try {
      const err = await rejection(install(cfg, 'web', ['image=broken:1'], { rollbackOnFailure: true, timeoutMs: 800 }));
      expect(err.message).toMatch(
        /^install of "web" failed and was rolled back \(uninstalled\): timed out after 0\.8s/,
      );
    } finally {
      h.sandbox.setFailureRules([]);
    }
    expect(await h.kubectlGet('configmap', 'web-config', 'atomic-install')).toBeUndefined();
    expect(await h.kubectlGet('deployment', 'web-web', 'atomic-install')).toBeUndefined();
    await expect(new History(cfg).run('web')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('refused changes', () => {
  it('explains an immutable field change and leaves the deployed revision deployed', async () => {
    const cfg = await h.config('immutable');
    await install(cfg, 'web');
    const err = await rejection(upgrade(cfg, 'web').run(await chart('app'), await values(['track=canary'])));
    expect(err.message).toContain('cannot apply Deployment immutable/web-web');
    expect(err.message).toContain('field is immutable');
    expect(err.hint).toMatch(/does not let you change/);
    expect(await history(cfg, 'web')).toEqual(['1:deployed', '2:failed']);
    const deployment = await h.kubectlGet('deployment', 'web-web', 'immutable');
    expect((deployment?.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels.track).toBe(
      'stable',
    );
    // The release still upgrades once the change is reverted.
    await upgrade(cfg, 'web').run(await chart('app'), await values(['message=fine']));
    expect(await history(cfg, 'web')).toEqual(['1:superseded', '2:failed', '3:deployed']);
  });

  it('refuses objects that belong to no release or to another one, before applying anything', async () => {
    const cfg = await h.config('owners');
    const client = await h.client('owners');
    await client.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-config', namespace: 'owners' },
      data: { mine: 'yes' },
    });
    await install(cfg, 'other', [], {});
    await client.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'web-legacy',
        namespace: 'owners',
        annotations: { 'meta.portolan.dev/release-name': 'other', 'meta.portolan.dev/release-namespace': 'owners' },
      },
      data: { old: 'theirs' },
    });
    const err = await rejection(install(cfg, 'web'));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe('2 objects of release "web" already exist and are not part of it; nothing was applied');
    expect(err.problems).toEqual([
      'ConfigMap owners/web-config: it exists and belongs to no release',
      'ConfigMap owners/web-legacy: it belongs to portolan release "other" in namespace "owners"',
    ]);
    expect(err.hint).toContain('--take-ownership');
    expect(await h.kubectlGet('deployment', 'web-web', 'owners')).toBeUndefined();
    await expect(new History(cfg).run('web')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // --take-ownership adopts them.
    await install(cfg, 'web', [], { takeOwnership: true });
    const adopted = await h.kubectlGet('configmap', 'web-config', 'owners');
    expect(adopted?.metadata.annotations?.['meta.portolan.dev/release-name']).toBe('web');
    expect(adopted?.data).toMatchObject({ message: 'hello' });
  });

  it('refuses a release whose record would pass 1 MiB before anything is applied', async () => {
    const cfg = await h.config('too-big');
    // Incompressible filler: a random base64 string of 1.2 MiB.
    const filler = Buffer.from(Array.from({ length: 900 * 1024 }, () => Math.floor(Math.random() * 256))).toString(
      'base64',
    );
    const err = await rejection(install(cfg, 'web', [`filler=${filler}`]));
    expect(err.message).toMatch(
      /release "web" revision 1 is too large to store: its record is \d\.\d\d MiB compressed, and Kubernetes keeps at most 1\.00 MiB .*nothing was applied/,
    );
    expect(await h.kubectlGet('configmap', 'web-config', 'too-big')).toBeUndefined();
    expect(await h.kubectlGet('lease', 'portolan.lock.web', 'too-big')).toBeUndefined();
    const secrets = await h.kubectl(['get', 'secrets', '-n', 'too-big', '-o', 'name']);
    expect(secrets.stdout.trim()).toBe('');
  });
});

describe('resource-policy keep', () => {
  it('keeps an annotated object that leaves the chart, and on uninstall', async () => {
    const cfg = await h.config('keep');
    await install(cfg, 'web', ['keepLegacy=true']);
    await upgrade(cfg, 'web').run(await chart('app'), await values(['keepLegacy=true', 'legacy=false']));
    expect(await h.kubectlGet('configmap', 'web-legacy', 'keep')).toBeDefined();
    await Object.assign(new Rollback(cfg), { releaseName: 'web', revision: 1 }).run();
    expect(await h.kubectlGet('configmap', 'web-legacy', 'keep')).toBeDefined();
    const result = await new Uninstall(cfg).run('web');
    expect(result.kept.map((k) => k.metadata.name)).toEqual(['web-legacy']);
    expect(await h.kubectlGet('configmap', 'web-legacy', 'keep')).toBeDefined();
    expect(await h.kubectlGet('configmap', 'web-config', 'keep')).toBeUndefined();
  });
});

describe('faults', () => {
  it('retries 429 and 500 answers without losing or duplicating history', async () => {
    const cfg = await h.config('faults');
    h.sandbox.setFaults({ rate: 0.2, codes: [429, 500] });
    const before = h.sandbox.stats().faults;
    try {
      await install(cfg, 'web');
      await upgrade(cfg, 'web', { wait: true, timeoutMs: 20_000 }).run(
        await chart('app'),
        await values(['message=two', 'extra=true']),
      );
      await Object.assign(new Rollback(cfg), { releaseName: 'web', wait: true, timeoutMs: 20_000 }).run();
      expect(await history(cfg, 'web')).toEqual(['1:superseded', '2:superseded', '3:deployed']);
    } finally {
      h.sandbox.setFaults(undefined);
    }
    const faults = h.sandbox.stats().faults - before;
    expect(faults).toBeGreaterThan(5);
    // Reads and apply patches are retried; writes are read back and sent again only when they did not happen.
    expect((cfg.cluster as HttpClusterClient).retryCount).toBeGreaterThan(0);
    expect((await h.kubectlGet('configmap', 'web-config', 'faults'))?.data?.message).toBe('hello');
    expect(await h.kubectlGet('configmap', 'web-extra', 'faults')).toBeUndefined();
  });
});

describe('locking in one process', () => {
  it('lets one of two concurrent upgrades run and refuses the other with the holder', async () => {
    const cfg = await h.config('locks');
    await install(cfg, 'web');
    const [app, a, b] = await Promise.all([chart('app'), values(['message=a']), values(['message=b'])]);
    // The rollout is held until one of the two has settled: the lock holder cannot finish first (a barrier, where a
    // 1 s ready delay was a window the other had to be refused in).
    h.sandbox.holdProgress();
    let results: PromiseSettledResult<unknown>[];
    try {
      const runs = [
        upgrade(cfg, 'web', { wait: true, timeoutMs: 60_000 }).run(app, a),
        upgrade(cfg, 'web', { wait: true, timeoutMs: 60_000 }).run(app, b),
      ];
      await Promise.race(runs.map((run) => run.then(undefined, () => undefined)));
      h.sandbox.releaseProgress();
      results = await Promise.allSettled(runs);
    } finally {
      h.sandbox.releaseProgress();
    }
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatchObject({
      code: 'LOCKED',
      message: expect.stringMatching(/^release "web" is locked by .+ \(pid \d+, upgrade\)/),
    });
    expect(await history(cfg, 'web')).toEqual(['1:superseded', '2:deployed']);
  });
});
