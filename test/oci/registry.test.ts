// Charts in a real OCI registry (Debian's docker-registry on 127.0.0.1): portolan push → helm pull and helm push →
// portolan pull give the same archive bytes and the same manifest digests; logins with htpasswd; references
// resolved from tags by Helm's semver rules.
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { HELM, runPeer } from '../helpers/peers.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { packageChartFiles } from '../../src/chart/package.js';
import { chartArchive, tempDir } from '../repo/helpers.js';
import { startHarness } from '../release/harness.js';

let registry: TestRegistry;
let secured: TestRegistry;

function isolated(extraEnv: Record<string, string> = {}) {
  const home = tempDir('portolan-oci-home-');
  const env = {
    ...extraEnv,
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

  it('writes the same manifest and config bytes as helm for a Chart.yaml using every field, and a .prov layer', async () => {
    const t = isolated();
    const chartYaml = [
      'apiVersion: v2',
      'name: full',
      'version: 2.0.0+meta.1',
      'kubeVersion: ">=1.25.0-0"',
      'description: "Tabs\tand <tags> & ampersands too"',
      'type: application',
      'keywords: [web, "a&b"]',
      'home: https://example.com/full',
      'sources: [https://github.com/example/full, https://mirror.example/full]',
      'icon: https://example.com/icon.png',
      'appVersion: "9.1"',
      'deprecated: true',
      'condition: full.enabled',
      'tags: frontend',
      'maintainers:',
      '  - name: Ann',
      '    email: ann@example.com',
      '  - name: Bob',
      '    url: https://bob.example',
      '  - email: nobody@example.com',
      'annotations:',
      '  zeta: last',
      '  alpha: first',
      '  org.opencontainers.image.title: ignored',
      '  org.opencontainers.image.url: https://overridden.example',
      '  category: "Web <server>"',
      'dependencies:',
      '  - name: sub',
      '    version: ~1.0.0',
      '    repository: file://../sub',
      '    condition: sub.enabled',
      '    tags: [a, b]',
      '    alias: child',
      '    import-values:',
      '      - child: exports.data',
      '        parent: fromChild',
      '      - simple',
      '',
    ].join('\n');
    const packaged = packageChartFiles(
      [
        { name: 'Chart.yaml', data: Buffer.from(chartYaml) },
        { name: 'values.yaml', data: Buffer.from('sub: {}\n') },
        { name: 'charts/sub/Chart.yaml', data: Buffer.from('apiVersion: v2\nname: sub\nversion: 1.0.3\n') },
      ],
      'full',
    );
    const archive = join(t.home, packaged.fileName);
    writeFileSync(archive, packaged.data);
    writeFileSync(`${archive}.prov`, '-----BEGIN PGP SIGNED MESSAGE-----\nnot really signed\n');
    const pushed = await t.cli(['push', archive, `oci://${registry.host}/full-ours`, '--plain-http']);
    expect(pushed.stderr).toBe('');
    expect(pushed.stdout).toContain(`Pushed: ${registry.host}/full-ours/full:2.0.0_meta.1`);
    const helmPushed = await t.helm(['push', archive, `oci://${registry.host}/full-helm`, '--plain-http']);
    expect(helmPushed.code).toBe(0);
    const manifest = async (repo: string) =>
      Buffer.from(
        await (
          await fetch(`http://${registry.host}/v2/${repo}/full/manifests/2.0.0_meta.1`, {
            headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
          })
        ).arrayBuffer(),
      );
    const ours = await manifest('full-ours');
    expect(ours.toString()).toBe((await manifest('full-helm')).toString());
    expect(ours.toString()).toContain('application/vnd.cncf.helm.chart.provenance.v1.prov');
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

describe('versions from tags', () => {
  it('picks the newest tag a range allows, by Helm semver rules, and maps + in versions to _ in tags', async () => {
    const t = isolated();
    for (const version of ['1.0.0', '1.2.0', '1.3.0-beta.1', '2.0.0', '1.2.1+build.7']) {
      const pushed = await t.cli([
        'push',
        writeArchive(t.home, 'ranged', version),
        `oci://${registry.host}/r`,
        '--plain-http',
      ]);
      expect(pushed.code).toBe(0);
    }
    const tags = (await (await fetch(`http://${registry.host}/v2/r/ranged/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags).toContain('1.2.1_build.7');
    const pull = async (...flags: string[]) => {
      const out = tempDir();
      const r = await t.cli(['pull', `oci://${registry.host}/r/ranged`, '--plain-http', '-d', out, ...flags]);
      return r.code === 0 ? /Pulled: \S+:(\S+)/.exec(r.stdout)?.[1] : r.stderr;
    };
    expect(await pull('--version', '^1.0')).toBe('1.2.1_build.7');
    expect(await pull('--version', '~1.2.0 || 1.0.0')).toBe('1.2.1_build.7');
    expect(await pull('--version', '<1.2.0')).toBe('1.0.0');
    expect(await pull()).toBe('2.0.0');
    expect(await pull('--version', '>=1.3.0-0 <2')).toBe('1.3.0-beta.1');
    expect(await pull('--version', '1.2.1+build.7')).toBe('1.2.1_build.7');
    expect(await pull('--version', '^3')).toContain(`oci://${registry.host}/r/ranged: no version matches "^3"`);
  });

  it('renders and shows a chart straight from the registry (template and show take oci:// references)', async () => {
    const t = isolated();
    await t.cli(['push', writeArchive(t.home, 'shown', '0.1.0'), `oci://${registry.host}/s`, '--plain-http']);
    const rendered = await t.cli([
      'template',
      'rel',
      `oci://${registry.host}/s/shown`,
      '--plain-http',
      '--set',
      'greeting=hi',
    ]);
    expect(rendered.stderr).toBe('');
    expect(rendered.stdout).toContain('greeting: hi');
    const shown = await t.cli(['show', 'chart', `oci://${registry.host}/s/shown:0.1.0`, '--plain-http']);
    expect(shown.stdout).toContain('name: shown');
    const byDigest = await t.cli([
      'show',
      'chart',
      `oci://${registry.host}/s/shown`,
      '--plain-http',
      '--version',
      '9.9.9',
    ]);
    expect(byDigest.code).toBe(1);
    expect(byDigest.stderr).toContain(`oci://${registry.host}/s/shown:9.9.9`);
  });

  it('pulls by digest, and refuses a digest the registry does not hold', async () => {
    const t = isolated();
    const pushed = await t.cli([
      'push',
      writeArchive(t.home, 'pinned', '3.0.0'),
      `oci://${registry.host}/d`,
      '--plain-http',
    ]);
    const digest = /Digest: (\S+)/.exec(pushed.stdout)?.[1] as string;
    const out = tempDir();
    const pulled = await t.cli(['pull', `oci://${registry.host}/d/pinned@${digest}`, '--plain-http', '-d', out]);
    expect(pulled.code).toBe(0);
    expect(existsSync(join(out, 'pinned-3.0.0.tgz'))).toBe(true);
    const wrong = await t.cli([
      'pull',
      `oci://${registry.host}/d/pinned@sha256:${'0'.repeat(64)}`,
      '--plain-http',
      '-d',
      out,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`oci://${registry.host}/d/pinned@sha256:${'0'.repeat(64)}`);
  });
});

describe('dependencies from a registry', () => {
  it('resolves repository: oci://… into charts/ and Chart.lock as helm dependency update does', async () => {
    const t = isolated();
    for (const version of ['1.1.0', '1.4.0', '2.0.0'])
      await t.cli(['push', writeArchive(t.home, 'redis', version), `oci://${registry.host}/deps`, '--plain-http']);
    const chartYaml = [
      'apiVersion: v2',
      'name: umbrella',
      'version: 0.1.0',
      'dependencies:',
      '  - name: redis',
      '    version: ^1.0.0',
      `    repository: oci://${registry.host}/deps`,
      '',
    ].join('\n');
    const ours = join(t.home, 'ours');
    const theirs = join(t.home, 'theirs');
    for (const dir of [ours, theirs]) {
      mkdirSync(join(dir, 'templates'), { recursive: true });
      writeFileSync(join(dir, 'Chart.yaml'), chartYaml);
    }
    const updated = await t.cli(['dependency', 'update', ours, '--plain-http']);
    expect(updated.stderr).toBe('');
    expect(updated.code).toBe(0);
    const helmUpdated = await t.helm(['dependency', 'update', theirs, '--plain-http']);
    expect(helmUpdated.code).toBe(0);
    const lock = (dir: string) => readFileSync(join(dir, 'Chart.lock'), 'utf8').replace(/generated: .*/, '');
    expect(lock(ours)).toBe(lock(theirs));
    expect(lock(ours)).toContain(`- name: redis\n  repository: oci://${registry.host}/deps\n  version: 1.4.0\n`);
    expect(
      readFileSync(join(ours, 'charts', 'redis-1.4.0.tgz')).equals(
        readFileSync(join(theirs, 'charts', 'redis-1.4.0.tgz')),
      ),
    ).toBe(true);
    // build takes the locked version even when a newer one matches the range now.
    await t.cli(['push', writeArchive(t.home, 'redis', '1.5.0'), `oci://${registry.host}/deps`, '--plain-http']);
    const built = await t.cli(['dependency', 'build', ours, '--plain-http']);
    expect(built.code).toBe(0);
    expect(existsSync(join(ours, 'charts', 'redis-1.4.0.tgz'))).toBe(true);
    expect(existsSync(join(ours, 'charts', 'redis-1.5.0.tgz'))).toBe(false);
  });
});

describe('logins', () => {
  it('logs in with htpasswd basic auth, stores Docker config.json 0600 that helm reads too, and logs out', async () => {
    const t = isolated();
    const refused = await t.cli(
      ['registry', 'login', secured.host, '--plain-http', '-u', 'alice', '--password-stdin'],
      {
        stdin: 'wrong\n',
      },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('401');
    const configPath = join(t.env.XDG_CONFIG_HOME, 'portolan', 'registry', 'config.json');
    expect(existsSync(configPath)).toBe(false);

    const anonymous = await t.cli([
      'push',
      writeArchive(t.home, 'private', '1.0.0'),
      `oci://${secured.host}/p`,
      '--plain-http',
    ]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain(`oci://${secured.host}/p/private:1.0.0`);
    expect(anonymous.stderr).toContain('portolan registry login');

    const login = await t.cli(['registry', 'login', secured.host, '--plain-http', '-u', 'alice', '--password-stdin'], {
      stdin: 's3cret\n',
    });
    expect(login.stdout).toBe('Login Succeeded\n');
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(configPath, 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(stored.auths[secured.host]?.auth ?? '', 'base64').toString()).toBe('alice:s3cret');

    const archive = writeArchive(t.home, 'private', '1.0.0');
    const pushed = await t.cli(['push', archive, `oci://${secured.host}/p`, '--plain-http']);
    expect(pushed.code).toBe(0);
    // helm reads the same file (Docker's format).
    const out = tempDir();
    const helmPulled = await runPeer(
      HELM,
      [
        'pull',
        `oci://${secured.host}/p/private`,
        '--version',
        '1.0.0',
        '--plain-http',
        '-d',
        out,
        '--registry-config',
        configPath,
      ],
      {
        HOME: t.home,
        HELM_CACHE_HOME: join(t.home, 'hc'),
        HELM_CONFIG_HOME: join(t.home, 'hcfg'),
        HELM_DATA_HOME: join(t.home, 'hd'),
      },
    );
    expect(helmPulled.code).toBe(0);
    expect(readFileSync(join(out, 'private-1.0.0.tgz')).equals(readFileSync(archive))).toBe(true);

    const logout = await t.cli(['registry', 'logout', secured.host]);
    expect(logout.stdout).toBe(`Removing login credentials for ${secured.host}\n`);
    expect(JSON.parse(readFileSync(configPath, 'utf8'))).toEqual({ auths: {} });
    const again = await t.cli([
      'pull',
      `oci://${secured.host}/p/private`,
      '--version',
      '1.0.0',
      '--plain-http',
      '-d',
      out,
    ]);
    expect(again.code).toBe(1);
  });

  it('says the stored login was refused when the registry answers 401 after login (a rotated password), leaving nothing in the cache', async () => {
    const t = isolated();
    const login = await t.cli(['registry', 'login', secured.host, '--plain-http', '-u', 'alice', '--password-stdin'], {
      stdin: 's3cret',
    });
    expect(login.code).toBe(0);
    await t.cli(['push', writeArchive(t.home, 'rotated', '1.0.0'), `oci://${secured.host}/p`, '--plain-http']);
    const configPath = join(t.env.XDG_CONFIG_HOME, 'portolan', 'registry', 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({ auths: { [secured.host]: { auth: Buffer.from('alice:old').toString('base64') } } }),
    );
    const pulled = await t.cli([
      'pull',
      `oci://${secured.host}/p/rotated`,
      '--version',
      '1.0.0',
      '--plain-http',
      '-d',
      tempDir(),
    ]);
    expect(pulled.code).toBe(1);
    expect(pulled.stderr).toContain(`oci://${secured.host}/p/rotated:1.0.0`);
    expect(pulled.stderr).toContain('401');
    expect(pulled.stderr).toContain(`portolan registry login ${secured.host}`);
    expect(existsSync(join(t.cacheDir, 'blobs'))).toBe(false);
  });
});

describe('releases from a registry', () => {
  it('installs and upgrades a release from oci:// references, the version chosen from the tags', async () => {
    const h = await startHarness({ readyDelayMs: 0 });
    try {
      const t = isolated({ KUBECONFIG: h.sandbox.kubeconfigPath });
      for (const version of ['1.0.0', '1.1.0'])
        await t.cli(['push', writeArchive(t.home, 'shop', version), `oci://${registry.host}/rel`, '--plain-http']);
      const installed = await t.cli([
        'install',
        'shop',
        `oci://${registry.host}/rel/shop`,
        '--version',
        '1.0.0',
        '--plain-http',
        '--set',
        'greeting=one',
      ]);
      expect(installed.stderr).toBe('');
      expect(installed.stdout).toContain('STATUS: deployed');
      const upgraded = await t.cli([
        'upgrade',
        'shop',
        `oci://${registry.host}/rel/shop`,
        '--plain-http',
        '--set',
        'greeting=two',
      ]);
      expect(upgraded.stderr).toBe('');
      const history = await t.cli(['history', 'shop', '-o', 'json']);
      expect((JSON.parse(history.stdout) as Array<{ chart: string }>).map((r) => r.chart)).toEqual([
        'shop-1.0.0',
        'shop-1.1.0',
      ]);
      const live = await h.kubectlGet('configmap', 'shop', 'default');
      expect(live?.data).toEqual({ greeting: 'two' });
    } finally {
      await h.stop();
    }
  });
});

describe('https', () => {
  it('verifies the registry certificate: refused without its CA, accepted with --ca-file or --insecure-skip-tls-verify, and helm agrees', async () => {
    const tlsRegistry = await startRegistry({ tls: true, users: { carol: 'pw' } });
    try {
      const t = isolated();
      const ca = tlsRegistry.caFile as string;
      const unknownCa = await t.cli(['registry', 'login', tlsRegistry.host, '-u', 'carol', '--password-stdin'], {
        stdin: 'pw',
      });
      expect(unknownCa.code).toBe(1);
      expect(unknownCa.stderr).toContain(`cannot reach the registry at https://${tlsRegistry.host}`);
      expect(unknownCa.stderr).toContain('--ca-file');
      const login = await t.cli(
        ['registry', 'login', tlsRegistry.host, '-u', 'carol', '--password-stdin', '--ca-file', ca],
        { stdin: 'pw' },
      );
      expect(login.stdout).toBe('Login Succeeded\n');
      const archive = writeArchive(t.home, 'secure', '1.0.0');
      const pushed = await t.cli(['push', archive, `oci://${tlsRegistry.host}/s`, '--ca-file', ca]);
      expect(pushed.code, pushed.stderr).toBe(0);
      const out = tempDir();
      const insecure = await t.cli([
        'pull',
        `oci://${tlsRegistry.host}/s/secure`,
        '--insecure-skip-tls-verify',
        '-d',
        out,
      ]);
      expect(insecure.code, insecure.stderr).toBe(0);
      expect(readFileSync(join(out, 'secure-1.0.0.tgz')).equals(readFileSync(archive))).toBe(true);
      const plainAgainstTls = await t.cli(['pull', `oci://${tlsRegistry.host}/s/secure`, '--plain-http', '-d', out]);
      expect(plainAgainstTls.code).toBe(1);
      const configPath = join(t.env.XDG_CONFIG_HOME, 'portolan', 'registry', 'config.json');
      const helmOut = tempDir();
      const helmPulled = await t.helm([
        'pull',
        `oci://${tlsRegistry.host}/s/secure`,
        '--ca-file',
        ca,
        '--registry-config',
        configPath,
        '-d',
        helmOut,
      ]);
      expect(helmPulled.code, helmPulled.stderr).toBe(0);
      expect(readFileSync(join(helmOut, 'secure-1.0.0.tgz')).equals(readFileSync(archive))).toBe(true);
    } finally {
      await tlsRegistry.stop();
    }
  });
});
