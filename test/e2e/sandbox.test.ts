// `portolan sandbox start` as a user runs it: the portolan binary in its own process, with the real kubectl, signals
// and a crash (kill -9).
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, portolan } from '../helpers/cli.js';
import { KUBECTL, runPeer } from '../helpers/peers.js';
import { freePort } from '../helpers/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'portolan-sandbox-e2e-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  url: string;
  kubeconfig: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `portolan sandbox start ARGS` and resolves once it printed where it listens. */
function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [binPath(), 'sandbox', 'start', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.push(child);
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${out}${err}`)), 20_000);
    void exited.then((code) => reject(new Error(`sandbox exited ${String(code)} before it started: ${out}${err}`)));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const kubeconfig = /kubeconfig: (\S+)/.exec(out)?.[1];
      if (url && kubeconfig && out.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve({ child, url, kubeconfig, stderr: () => err, exited });
      }
    });
  });
}

const home = join(dir, 'kubectl-home');
async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<string> {
  const r = await runPeer(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { HOME: home }, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const service = (name: string) =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec:\n  selector: {app: ${name}}\n  ports: [{port: 80}]\n`;

describe('portolan sandbox start, as a process', () => {
  it('prints the URL and kubeconfig path, serves kubectl, and stops on SIGTERM and on Ctrl-C (SIGINT)', async () => {
    const port = await freePort();
    const data = join(dir, 'e2e-data');
    const kubeconfig = join(dir, 'e2e-kubeconfig.yaml');
    const first = await start(['--port', String(port), '--data', data, '--kubeconfig-out', kubeconfig]);
    expect(first.url).toBe(`https://127.0.0.1:${port}`);
    expect(first.kubeconfig).toBe(kubeconfig);
    expect(readFileSync(kubeconfig, 'utf8')).toContain(`server: ${first.url}`);
    const ns = await kubectl(kubeconfig, ['get', 'ns']);
    expect(ns).toMatch(/^NAME\s+STATUS\s+AGE/);
    expect(ns).toMatch(/default\s+Active/);
    await kubectl(kubeconfig, ['apply', '--server-side', '-f', '-'], service('first'));
    const firstIp = await kubectl(kubeconfig, ['get', 'svc', 'first', '-o', 'jsonpath={.spec.clusterIP}']);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stderr()).toContain('sandbox stopped');

    // Same data folder: same port, same kubeconfig, every object kept, new cluster IPs do not reuse old ones.
    const second = await start(['--data', data, '--kubeconfig-out', kubeconfig]);
    expect(second.url).toBe(first.url);
    expect(await kubectl(kubeconfig, ['get', 'svc', 'first', '-o', 'jsonpath={.spec.clusterIP}'])).toBe(firstIp);
    await kubectl(kubeconfig, ['apply', '--server-side', '-f', '-'], service('second'));
    const secondIp = await kubectl(kubeconfig, ['get', 'svc', 'second', '-o', 'jsonpath={.spec.clusterIP}']);
    expect(secondIp).toMatch(/^10\.96\./);
    expect(secondIp).not.toBe(firstIp);

    // A second server on a port in use is refused clearly (exit 1), and the first keeps serving.
    const clash = await portolan(['sandbox', 'start', '--port', String(port)]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    expect(clash.stderr).toContain('hint: Another process uses that port');
    expect(clash.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await kubectl(kubeconfig, ['get', 'svc', '-o', 'name'])).toContain('service/second');

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(second.stderr()).toContain('sandbox stopped');
  });

  it('keeps every object written before a kill -9, even with a torn last journal line', async () => {
    const data = join(dir, 'crash-data');
    const first = await start(['--data', data]);
    expect(first.kubeconfig).toBe(join(data, 'kubeconfig'));
    for (let i = 0; i < 5; i++)
      await kubectl(first.kubeconfig, ['create', 'configmap', `kept-${i}`, `--from-literal=i=${i}`]);
    first.child.kill('SIGKILL');
    await first.exited;
    appendFileSync(join(data, 'objects', 'journal.ndjson'), '{"op":"put","resource":"/configmaps","obj');

    const second = await start(['--data', data]);
    try {
      const names = (await kubectl(second.kubeconfig, ['get', 'cm', '-o', 'name'])).trim().split('\n');
      expect(names).toEqual(expect.arrayContaining([0, 1, 2, 3, 4].map((i) => `configmap/kept-${i}`)));
      expect(await kubectl(second.kubeconfig, ['get', 'cm', 'kept-4', '-o', 'jsonpath={.data.i}'])).toBe('4');
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });

  it('honours --ready-delay, --fail-image and --fail-job-label', async () => {
    const sb = await start(['--ready-delay', '1200', '--fail-image', '^broken/', '--fail-job-label', 'outcome=fail']);
    try {
      const kc = sb.kubeconfig;
      const started = Date.now();
      await kubectl(kc, ['create', 'deployment', 'fine', '--image=nginx:1.27']);
      await kubectl(kc, ['create', 'deployment', 'stuck', '--image=broken/app:1']);
      const job =
        'apiVersion: batch/v1\nkind: Job\nmetadata: {name: doomed, labels: {outcome: fail}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox}]\n';
      await kubectl(kc, ['apply', '--server-side', '-f', '-'], job);
      expect(await kubectl(kc, ['wait', '--for=condition=Available', 'deployment/fine', '--timeout=60s'])).toContain(
        'condition met',
      );
      // Counted from before the create: the configured delay, not the default 100 ms.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(await kubectl(kc, ['wait', '--for=condition=Failed', 'job/doomed', '--timeout=60s'])).toContain(
        'condition met',
      );
      const stuck = await runPeer(
        KUBECTL,
        ['--kubeconfig', kc, 'wait', '--for=condition=Available', 'deployment/stuck', '--timeout=1s'],
        { HOME: home },
      );
      expect(stuck.code).not.toBe(0);
      expect(await kubectl(kc, ['get', 'deployment', 'stuck', '-o', 'jsonpath={.status.availableReplicas}'])).toBe('0');
    } finally {
      sb.child.kill('SIGTERM');
      expect(await sb.exited).toBe(0);
    }
  });
});
