// `portolan sandbox start` in process: prints the URL and kubeconfig, serves until stopped, keeps state with --data.
// As a process with signals and a crash: test/e2e/sandbox.test.ts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runSandbox, sandboxCommand } from '../../src/cli/commands/sandbox.js';
import { connect } from '../../src/cluster/index.js';
import { portolan } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'portolan-sandbox-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An io that records what is printed; `printed` resolves on the first line to stdout (the sandbox listens). */
function io(): CliIo & { out: string[]; err: string[]; printed: Promise<void> } {
  const out: string[] = [];
  const err: string[] = [];
  let started: () => void = () => undefined;
  const printed = new Promise<void>((resolve) => (started = resolve));
  return {
    out,
    err,
    printed,
    stdout: (t) => {
      out.push(t);
      started();
    },
    stderr: (t) => void err.push(t),
    readStdin: async () => '',
    isTTY: false,
    env: {},
    cwd: dir,
  };
}

describe('portolan sandbox start', () => {
  it('declares the command and its flags', () => {
    expect(sandboxCommand.command).toBe('sandbox <action>');
  });

  it('serves until stopped and keeps state in --data across restarts', async () => {
    const data = join(dir, 'state');
    const out = join(dir, 'kc.yaml');
    const first = io();
    const ctl = new AbortController();
    const running = runSandbox({ data, kubeconfigOut: out }, first, ctl.signal);
    await first.printed;
    expect(first.out.join('')).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+/);
    expect(first.out.join('')).toContain(`kubeconfig: ${out}`);
    const client = await connect({ kubeconfig: out, retries: 0 });
    await client.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'survivor', namespace: 'default' },
      data: { a: '1' },
    });
    client.close();
    ctl.abort();
    expect(await running).toBe(0);
    expect(first.err.join('')).toContain('sandbox stopped');

    const second = io();
    const ctl2 = new AbortController();
    const again = runSandbox({ data, kubeconfigOut: out }, second, ctl2.signal);
    await second.printed;
    const client2 = await connect({ kubeconfig: out, retries: 0 });
    expect((await client2.get('v1', 'ConfigMap', 'survivor', 'default'))?.data).toEqual({ a: '1' });
    client2.close();
    ctl2.abort();
    expect(await again).toBe(0);
    expect(existsSync(join(data, 'objects', 'state.json'))).toBe(true);
  });

  it('rejects bad flags as usage errors', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(runSandbox({ port: 70000 }, io(), ctl.signal)).rejects.toMatchObject({
      code: 'USAGE',
      flag: '--port',
    });
    await expect(runSandbox({ failJobLabel: ['nolabel'] }, io(), ctl.signal)).rejects.toMatchObject({
      code: 'USAGE',
      flag: '--fail-job-label',
    });
  });

  it('answers bad flags with a usage error and exit code 2', async () => {
    const r = await portolan(['sandbox', 'start', '--port', '70000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port must be a port number, got 70000');
    const unknown = await portolan(['sandbox', 'stop']);
    expect(unknown.code).toBe(2);
  });
});
