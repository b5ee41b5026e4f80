// Charts in a real OCI registry (Debian's docker-registry on 127.0.0.1): portolan push → helm pull and helm push →
// portolan pull give the same archive bytes and the same manifest digests; logins with htpasswd; references
// resolved from tags by Helm's semver rules.
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { HELM, runPeer } from '../helpers/peers.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { chartArchive, tempDir } from '../repo/helpers.js';

let registry: TestRegistry;
let secured: TestRegistry;

function isolated() {
  const home = tempDir('portolan-oci-home-');
  const env = {
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    HOME: home,
    NO_COLOR: '1',
  };
  const cli = async (args: string[], options: { stdin?: string; cwd?: string } = {}) => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      readStdin: async () => options.stdin ?? '',
      isTTY: false,
      env,
      cwd: options.cwd ?? home,
    };
    const code = await runCli(args, io);
    return { code, stdout, stderr };
  };
  const helmEnv = {
    HOME: home,
    HELM_CONFIG_HOME: join(home, 'helm-config'),
    HELM_CACHE_HOME: join(home, 'helm-cache'),
    HELM_DATA_HOME: join(home, 'helm-data'),
    HELM_REGISTRY_CONFIG: join(home, 'helm-config', 'registry.json'),
  };
  const helm = (args: string[], input?: string) => runPeer(HELM, args, helmEnv, input);
  return { home, env, cli, helm, cacheDir: join(home, 'cache', 'portolan', 'registry') };
}

/** Writes a chart archive with a fixed modification time (helm records it as the manifest's creation time). */
function writeArchive(dir: string, name: string, version: string, extra: { description?: string } = {}): string {
  const packaged = chartArchive(name, version, extra);
  const path = join(dir, packaged.fileName);
  writeFileSync(path, packaged.data);
  utimesSync(path, new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
  return path;
}

beforeAll(async () => {
  [registry, secured] = await Promise.all([startRegistry(), startRegistry({ users: { alice: 's3cret' } })]);
});

afterAll(async () => {
  await Promise.all([registry?.stop(), secured?.stop()]);
});

describe('portolan and helm against one registry', () => {
  it('pushes an archive that helm pulls byte for byte, with the manifest digest helm computes for the same archive', async () => {
    const t = isolated();
    const archive = writeArchive(t.home, 'web', '1.2.3', { description: 'A <web> & "chart"' });
    const pushed = await t.cli(['push', archive, `oci://${registry.host}/portolan`, '--plain-http']);
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    const digest = /Digest: (sha256:[a-f0-9]{64})/.exec(pushed.stdout)?.[1];
    expect(pushed.stdout).toContain(`Pushed: ${registry.host}/portolan/web:1.2.3`);

    const out = join(t.home, 'helm-out');
    mkdirSync(out);
    const pulled = await t.helm([
      'pull',
      `oci://${registry.host}/portolan/web`,
      '--version',
      '1.2.3',
      '--plain-http',
      '-d',
      out,
    ]);
    expect(pulled.stderr + pulled.stdout).toContain(`Digest: ${digest}`);
    expect(readFileSync(join(out, 'web-1.2.3.tgz')).equals(readFileSync(archive))).toBe(true);

    // helm pushing the same archive elsewhere writes the very same manifest bytes.
    const helmPushed = await t.helm(['push', archive, `oci://${registry.host}/helm`, '--plain-http']);
    expect(helmPushed.code).toBe(0);
    expect(helmPushed.stdout + helmPushed.stderr).toContain(`Digest: ${digest}`);
  });

  it("pulls what helm pushed, byte for byte, and prints helm's lines", async () => {
    const t = isolated();
    const archive = writeArchive(t.home, 'api', '0.4.0_rc.1'.replace('_', '-'));
    const helmPushed = await t.helm(['push', archive, `oci://${registry.host}/team`, '--plain-http']);
    expect(helmPushed.code).toBe(0);
    const digest = /Digest: (sha256:[a-f0-9]{64})/.exec(helmPushed.stdout + helmPushed.stderr)?.[1];
    const out = join(t.home, 'out');
    const pulled = await t.cli([
      'pull',
      `oci://${registry.host}/team/api`,
      '--version',
      '0.4.0-rc.1',
      '--plain-http',
      '-d',
      out,
    ]);
    expect(pulled.stderr).toBe('');
    expect(pulled.stdout).toBe(`Pulled: ${registry.host}/team/api:0.4.0-rc.1\nDigest: ${digest}\n`);
    expect(readFileSync(join(out, 'api-0.4.0-rc.1.tgz')).equals(readFileSync(archive))).toBe(true);
  });
});
