// Release locks between processes: the `portolan` binary in child processes against a sandbox started here, one
// upgrade holding the lock while another is refused, and one killed with SIGKILL while it holds it. Barriers, not
// time windows: the sandbox holds the rollout, and the test waits for the stored revision to turn pending.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, portolan, portolanProcess } from '../helpers/cli.js';
import { Upgrade } from '../../src/release/index.js';
import { chart, fixture, rejection, startHarness, values, type Harness } from '../release/harness.js';

let h: Harness;
let env: NodeJS.ProcessEnv;
const ns = 'locks';
const app = fixture('app');

beforeAll(async () => {
  h = await startHarness({ readyDelayMs: 30 });
  env = { KUBECONFIG: h.sandbox.kubeconfigPath, HOME: h.dir };
  await (await h.client('default')).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
});
afterAll(async () => h?.stop());

const run = (args: string[]) => portolan(args, { env });

/** Resolves once revision `revision` of `release` is stored as pending-upgrade (the upgrade holds the lock). */
async function pendingUpgrade(release: string, revision: number): Promise<void> {
  const client = await h.client(ns);
  for (;;) {
    const secret = await client.get('v1', 'Secret', `portolan.release.v1.${release}.v${revision}`, ns);
    if (secret?.metadata.labels?.status === 'pending-upgrade') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('release locks between processes', () => {
  it('runs exactly one of two concurrent upgrades and refuses the other naming the holder', async () => {
    expect((await run(['install', 'duo', app, '-n', ns])).code).toBe(0);
    // The first upgrade's rollout makes no progress until the second has been refused.
    h.sandbox.holdProgress();
    let first: ReturnType<typeof portolanProcess> | undefined;
    try {
      first = portolanProcess(['upgrade', 'duo', app, '-n', ns, '--set', 'image=held:1', '--wait', '--timeout', '5m'], {
        env,
      });
      await pendingUpgrade('duo', 2);
      const second = await run(['upgrade', 'duo', app, '-n', ns, '--set', 'message=b', '--wait']);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        /release "duo" is locked by .+@.+ \(pid \d+, upgrade\): upgrade started .+, lock expires .+/,
      );
    } finally {
      h.sandbox.releaseProgress();
    }
    const done = await first;
    expect(done?.code, done?.stderr).toBe(0);
    const hist = JSON.parse((await run(['history', 'duo', '-n', ns, '-o', 'json'])).stdout) as Array<{
      revision: number;
      status: string;
    }>;
    expect(hist.map((r) => `${r.revision}:${r.status}`)).toEqual(['1:superseded', '2:deployed']);
  });

  it('recovers a release whose upgrade was killed with SIGKILL once the lock expires', async () => {
    expect((await run(['install', 'crash', app, '-n', ns])).code).toBe(0);
    h.sandbox.setFailureRules([{ image: 'never-ready' }]);
    const child = spawn(
      process.execPath,
      [binPath(), 'upgrade', 'crash', app, '-n', ns, '--set', 'image=never-ready:1', '--wait', '--timeout', '5m'],
      { env: { ...process.env, ...env }, stdio: 'ignore' },
    );
    try {
      // Kill it while it waits: revision 2 is pending-upgrade and the lock is held.
      await pendingUpgrade('crash', 2);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      h.sandbox.setFailureRules([]);
    }
    // Right after the kill the lock is still held (its 60 s have not passed).
    const upgrade = new Upgrade(await h.config(ns));
    upgrade.releaseName = 'crash';
    const refused = await rejection(upgrade.run(await chart('app'), await values()));
    expect(refused.code).toBe('LOCKED');
    expect(refused.message).toContain(`(pid ${child.pid}, upgrade)`);
    expect(refused.message).toContain('unless renewed');
    // Time passes for the lock: its last renewal moves two minutes back, past its duration, as no process renews it.
    const past = new Date(Date.now() - 120_000).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    const client = await h.client(ns);
    await client.patch(
      { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'portolan.lock.crash', namespace: ns } },
      { spec: { acquireTime: past, renewTime: past } },
    );
    const recovered = await run(['upgrade', 'crash', app, '-n', ns, '--set', 'message=back']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stderr).toContain('revision 2 was left pending-upgrade by');
    const hist = JSON.parse((await run(['history', 'crash', '-n', ns, '-o', 'json'])).stdout) as Array<{
      revision: number;
      status: string;
      description: string;
    }>;
    expect(hist.map((r) => `${r.revision}:${r.status}`)).toEqual(['1:superseded', '2:failed', '3:deployed']);
    expect(hist[1]!.description).toMatch(
      new RegExp(
        `^upgrade interrupted: .+ \\(pid ${child.pid}, upgrade\\), whose lock expired at .+; marked failed by upgrade$`,
      ),
    );
  });
});
