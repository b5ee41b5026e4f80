// `portolan sandbox start` in-process: prints the URL and kubeconfig, serves until stopped, keeps state with --data.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runSandbox, sandboxCommand } from '../../src/cli/commands/sandbox.js';
import { connect } from '../../src/cluster/index.js';

const dir = mkdtempSync(join(tmpdir(), 'portolan-sandbox-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), readStdin: async () => '', isTTY: false, env: {}, cwd: dir };
}

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
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
    const running = runSandbox({ action: 'start', data, 'kubeconfig-out': out }, first, ctl.signal);
    await waitFor(() => first.out.length > 0);
    expect(first.out.join('')).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+/);
    expect(first.out.join('')).toContain(`kubeconfig: ${out}`);
    const client = await connect({ kubeconfig: out, retries: 0 });
    await client.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'survivor', namespace: 'default' }, data: { a: '1' } });
    client.close();
    ctl.abort();
    expect(await running).toBe(0);
    expect(first.err.join('')).toContain('sandbox stopped');

    const second = io();
    const ctl2 = new AbortController();
    const again = runSandbox({ action: 'start', data, 'kubeconfig-out': out }, second, ctl2.signal);
    await waitFor(() => second.out.length > 0);
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
    await expect(runSandbox({ action: 'start', port: 70000 }, io(), ctl.signal)).rejects.toMatchObject({ code: 'USAGE', flag: '--port' });
    await expect(runSandbox({ action: 'start', 'fail-job-label': ['nolabel'] }, io(), ctl.signal)).rejects.toMatchObject({ code: 'USAGE', flag: '--fail-job-label' });
  });
});
