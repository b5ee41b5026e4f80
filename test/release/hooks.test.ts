// Hooks against the sandbox: order by weight then name, delete policies, a failing pre-upgrade hook, test hooks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  History,
  Install,
  ReleaseTest,
  Uninstall,
  Upgrade,
  type ActionConfig,
  type ReleaseEvent,
} from '../../src/release/index.js';
import { chart, rejection, startHarness, statuses, values, type Harness } from './harness.js';

let h: Harness;
let cfg: ActionConfig;
const events: ReleaseEvent[] = [];
const ns = 'hooks';

beforeAll(async () => {
  h = await startHarness({ failureRules: [{ kind: 'Job', labels: { fail: 'yes' }, effect: 'fail' }] });
  cfg = await h.config(ns, { events });
});
afterAll(async () => h?.stop());

function hookEvents(): string[] {
  const out = events
    .filter((e): e is Extract<ReleaseEvent, { type: 'hook' }> => e.type === 'hook' && e.phase !== 'Running')
    .map((e) => `${e.hook.name}:${e.phase}`);
  events.length = 0;
  return out;
}

describe('hooks', () => {
  it('runs pre-install hooks by weight, then name, and post-install hooks after the objects', async () => {
    const install = Object.assign(new Install(cfg), { releaseName: 'app', timeoutMs: 20_000 });
    const { release } = await install.run(await chart('hooks'), await values());
    expect(hookEvents()).toEqual([
      'app-c-setup:Succeeded',
      'app-a-setup:Succeeded',
      'app-b-setup:Succeeded',
      'app-announce:Succeeded',
    ]);
    expect(release.hooks.find((x) => x.name === 'app-b-setup')?.lastRun).toMatchObject({ phase: 'Succeeded' });
    // hook-succeeded deleted b; the default (before-hook-creation) keeps c and a until the next run.
    expect(await h.kubectlGet('job', 'app-b-setup', ns)).toBeUndefined();
    expect(await h.kubectlGet('job', 'app-c-setup', ns)).toBeDefined();
    expect(await h.kubectlGet('configmap', 'app-a-setup', ns)).toBeDefined();
    // Hooks are not objects of the release.
    expect(release.manifest).not.toContain('app-a-setup');
    expect((await h.record(ns, 'app', 1))?.hooks.map((x) => x.name).sort()).toEqual([
      'app-a-setup',
      'app-announce',
      'app-b-setup',
      'app-c-setup',
      'app-migrate',
      'app-test-db',
      'app-test-ok',
    ]);
  });

  it('recreates a before-hook-creation hook on the next upgrade', async () => {
    const before = await h.kubectlGet('pod', 'app-announce', ns);
    const { release } = await Object.assign(new Upgrade(cfg), { releaseName: 'app', timeoutMs: 20_000 }).run(
      await chart('hooks'),
      await values(['message=two']),
    );
    expect(hookEvents()).toEqual(['app-migrate:Succeeded', 'app-announce:Succeeded']);
    const after = await h.kubectlGet('pod', 'app-announce', ns);
    expect(after?.metadata.uid).toBeDefined();
    expect(after?.metadata.uid).not.toBe(before?.metadata.uid);
    expect(release.status).toBe('deployed');
  });

  it('stops an upgrade whose pre-upgrade hook fails, keeps the previous revision and deletes the hook (hook-failed)', async () => {
    const err = await rejection(
      Object.assign(new Upgrade(cfg), { releaseName: 'app', timeoutMs: 20_000 }).run(
        await chart('hooks'),
        await values(['message=three', 'failPreUpgrade=yes']),
      ),
    );
    expect(err.message).toMatch(/^pre-upgrade hook Job hooks\/app-migrate failed: job failed: BackoffLimitExceeded/);
    expect(hookEvents()).toEqual(['app-migrate:Failed']);
    expect(statuses(await new History(cfg).run('app'))).toEqual(['1:superseded', '2:deployed', '3:failed']);
    expect((await h.kubectlGet('configmap', 'app-config', ns))?.data?.message).toBe('two');
    expect(await h.kubectlGet('job', 'app-migrate', ns)).toBeUndefined();
  });

  it('runs test hooks and reports each, storing their last run', async () => {
    const ok = await new ReleaseTest(cfg).run('app');
    expect(ok.failed).toBe(0);
    expect(ok.tests.map((t) => `${t.name}:${t.lastRun?.phase}`)).toEqual([
      'app-test-db:Succeeded',
      'app-test-ok:Succeeded',
    ]);
    expect((await h.record(ns, 'app', 2))?.hooks.find((x) => x.name === 'app-test-ok')?.lastRun?.phase).toBe(
      'Succeeded',
    );
    // A failing test is reported, the others still run.
    await Object.assign(new Upgrade(cfg), { releaseName: 'app', timeoutMs: 20_000 }).run(
      await chart('hooks'),
      await values(['message=four', 'failTest=yes']),
    );
    const bad = await new ReleaseTest(cfg).run('app');
    expect(bad.failed).toBe(1);
    expect(bad.tests.map((t) => `${t.name}:${t.lastRun?.phase}`)).toEqual([
      'app-test-db:Failed',
      'app-test-ok:Succeeded',
    ]);
    events.length = 0;
  });

  it('uninstalls without leaving the release objects', async () => {
    await new Uninstall(cfg).run('app');
    expect(await h.kubectlGet('configmap', 'app-config', ns)).toBeUndefined();
  });
});
