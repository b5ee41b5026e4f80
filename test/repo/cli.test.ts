// `portolan serve` as a real process (the portolan binary) with the client commands (in process), crash recovery,
// and interop with the real helm binary in both directions.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChartArchive } from '../../src/chart/load.js';
import { sha256Hex } from '../../src/repo/index-dir.js';
import { parseIndex } from '../../src/repo/index-model.js';
import { portolan as portolanIn, binPath } from '../helpers/cli.js';
import { helm, projectRoot } from '../helpers/peers.js';
import { makeTgz } from '../helpers/tar.js';
import { bearer, chartArchive, http, killServeProcesses, startServe, tempDir } from './helpers.js';

const home = tempDir('portolan-cli-home-');
const clientEnv = { XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), NO_COLOR: '1' };
const portolan = (args: string[], options: { cwd?: string; input?: string } = {}) =>
  portolanIn(args, { ...options, env: clientEnv });

const serve = (args: string[]) => startServe(args, { cli: binPath() });

let staticServer: Server;
let staticRoot: string;
let staticUrl: string;
beforeAll(async () => {
  staticRoot = tempDir('portolan-static-');
  staticServer = createServer((req, res) => {
    const file = join(staticRoot, decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/'));
    if (!file.startsWith(staticRoot) || !existsSync(file)) return void res.writeHead(404).end();
    try {
      res.writeHead(200).end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => staticServer.listen(0, '127.0.0.1', resolve));
  staticUrl = `http://127.0.0.1:${(staticServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  killServeProcesses();
  await new Promise((resolve) => staticServer.close(resolve));
});

describe('portolan serve (real process) with the portolan client', () => {
  it('serves, takes uploads, answers repo add/search/pull, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '..', 'token-cli'), 'tok-123\n');
    const server = await serve(['--dir', dir, '--auth-token-file', join(dir, '..', 'token-cli')]);
    const a = chartArchive('shop', '1.0.0', { description: 'An online shop', appVersion: '2.1' });
    const b = chartArchive('shop', '1.2.0', { description: 'An online shop', appVersion: '2.3' });
    for (const archive of [a, b])
      expect(
        (await http(`${server.url}/api/charts`, { method: 'POST', body: archive.data, headers: bearer('tok-123') }))
          .status,
      ).toBe(201);
    expect((await http(`${server.url}/api/charts`, { method: 'POST', body: a.data })).status).toBe(401);

    expect((await portolan(['repo', 'add', 'shop-repo', server.url])).stdout).toBe(
      '"shop-repo" has been added to your repositories\n',
    );
    expect((await portolan(['repo', 'list', '-o', 'json'])).stdout).toBe(
      `[{"name":"shop-repo","url":"${server.url}"}]\n`,
    );
    const search = await portolan(['search', 'repo', 'online', '--versions']);
    expect(search.stdout.split('\n').map((l) => l.split('\t').map((c) => c.trim()))).toEqual([
      ['NAME', 'CHART VERSION', 'APP VERSION', 'DESCRIPTION'],
      ['shop-repo/shop', '1.2.0', '2.3', 'An online shop'],
      ['shop-repo/shop', '1.0.0', '2.1', 'An online shop'],
      [''],
    ]);
    expect((await portolan(['search', 'repo', 'nothing-like-it', '--fail-on-no-result'])).code).toBe(1);

    const out = tempDir();
    const pulled = await portolan(['pull', 'shop-repo/shop', '--version', '~1.0', '-d', out]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(readFileSync(join(out, 'shop-1.0.0.tgz')).equals(a.data)).toBe(true);
    const untar = await portolan(['pull', '--repo', server.url, 'shop', '--untar', '-d', out]);
    expect(untar.code, untar.stderr).toBe(0);
    expect(readFileSync(join(out, 'shop', 'Chart.yaml'), 'utf8')).toContain('version: 1.2.0');

    expect((await portolan(['repo', 'remove', 'shop-repo'])).code).toBe(0);
    expect((await portolan(['repo', 'list'])).code).toBe(1);

    expect(server.stdout()).toMatch(/"POST \/api\/charts HTTP\/1\.1" 201 /);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('refuses to start on a bad flag with a usage error', async () => {
    const result = await portolan(['serve', '--port', '0', '--max-upload-size', 'lots']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--max-upload-size "lots" is not a size/);
  });

  it('after kill -9 during uploads, a restart gives an index that lists exactly the archives on disk', async () => {
    const dir = tempDir();
    const first = await serve(['--dir', dir, '--allow-anonymous-writes', '--quiet']);
    const archives = Array.from({ length: 40 }, (_, i) => chartArchive(`crash${i % 8}`, `0.${Math.floor(i / 8)}.0`));
    const acknowledged: string[] = [];
    let lost = 0;
    // Killed as soon as the first upload is acknowledged: the others are still in flight.
    const uploads = archives.map((archive) =>
      http(`${first.url}/api/charts`, { method: 'POST', body: archive.data }).then(
        (res) => {
          if (res.status === 201) acknowledged.push(archive.fileName);
          first.child.kill('SIGKILL');
        },
        () => void lost++,
      ),
    );
    await Promise.all(uploads);
    await first.exited;
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(lost).toBeGreaterThan(0);

    const second = await serve(['--dir', dir, '--allow-anonymous-writes', '--quiet']);
    const index = parseIndex((await http(`${second.url}/index.yaml`)).body, 'served').index;
    const onDisk = readdirSync(dir)
      .filter((f) => f.endsWith('.tgz'))
      .sort();
    const listed = Object.values(index.entries)
      .flat()
      .map((e) => `${e.name}-${e.version}.tgz`)
      .sort();
    expect(listed).toEqual(onDisk);
    for (const name of acknowledged) expect(onDisk).toContain(name);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    for (const entry of Object.values(index.entries).flat()) {
      const data = readFileSync(join(dir, `${entry.name}-${entry.version}.tgz`));
      expect(sha256Hex(data)).toBe(entry.digest);
      expect(loadChartArchive(data, entry.name).metadata.version).toBe(entry.version);
    }
    // The index on disk says the same as the served one.
    expect(parseIndex(readFileSync(join(dir, 'index.yaml')), 'disk').index.entries).toEqual(index.entries);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('repo index writes index.yaml (YAML or --json) and --merge keeps other entries', async () => {
    const dir = tempDir();
    const a = chartArchive('idx', '1.0.0');
    writeFileSync(join(dir, a.fileName), a.data);
    writeFileSync(
      join(dir, 'old.yaml'),
      'apiVersion: v1\nentries:\n  legacy:\n  - name: legacy\n    version: 0.1.0\n    urls: [https://old.example/legacy-0.1.0.tgz]\n',
    );
    const result = await portolan([
      'repo',
      'index',
      dir,
      '--url',
      'https://charts.example.com',
      '--merge',
      join(dir, 'old.yaml'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/2 charts, 2 versions \(1 archives read, 0 unchanged\)/);
    const text = readFileSync(join(dir, 'index.yaml'), 'utf8');
    expect(text.startsWith('apiVersion: v1\n')).toBe(true);
    const index = parseIndex(text, 'index.yaml').index;
    expect(index.entries.idx?.[0]).toMatchObject({
      urls: ['https://charts.example.com/idx-1.0.0.tgz'],
      digest: a.digest,
    });
    expect(index.entries.legacy).toHaveLength(1);
    expect((await portolan(['repo', 'index', dir, '--json'])).stdout).toMatch(/\(0 archives read, 1 unchanged\)/);
    expect(JSON.parse(readFileSync(join(dir, 'index.yaml'), 'utf8')).entries.idx[0].urls).toEqual(['idx-1.0.0.tgz']);
  });

  it('dependency update fetches a dependency from a repository and writes Chart.lock', async () => {
    const dir = tempDir();
    const dep = chartArchive('library-dep', '2.3.4');
    writeFileSync(join(dir, dep.fileName), dep.data);
    await portolan(['repo', 'index', dir]);
    mkdirSync(join(staticRoot, 'deps'), { recursive: true });
    for (const f of readdirSync(dir)) writeFileSync(join(staticRoot, 'deps', f), readFileSync(join(dir, f)));
    const chart = tempDir();
    writeFileSync(
      join(chart, 'Chart.yaml'),
      `apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: library-dep\n    version: ^2.0.0\n    repository: ${staticUrl}/deps\n`,
    );
    const result = await portolan(['dependency', 'update', chart]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(chart, 'charts', 'library-dep-2.3.4.tgz')).equals(dep.data)).toBe(true);
    expect(readFileSync(join(chart, 'Chart.lock'), 'utf8')).toMatch(
      /name: library-dep\n\s+repository: http:\/\/127\.0\.0\.1:\d+\/deps\n\s+version: 2\.3\.4/,
    );
  });
});

describe('interop with the real helm', () => {
  it('helm repo add / search repo / pull --version work against portolan serve, with matching digests', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '..', 'token-helm'), 'helm-tok\n');
    const server = await serve(['--dir', dir, '--auth-token-file', join(dir, '..', 'token-helm')]);
    const archives = [
      chartArchive('interop', '0.1.0', { appVersion: '1.0' }),
      chartArchive('interop', '0.2.0', { appVersion: '1.1' }),
    ];
    for (const a of archives)
      expect(
        (await http(`${server.url}/api/charts`, { method: 'POST', body: a.data, headers: bearer('helm-tok') })).status,
      ).toBe(201);

    const added = await helm(['repo', 'add', 'ours', server.url]);
    expect(added.code, added.stderr).toBe(0);
    const search = await helm(['search', 'repo', 'ours/interop', '--versions', '-o', 'json']);
    expect(search.code, search.stderr).toBe(0);
    expect(JSON.parse(search.stdout)).toEqual([
      { name: 'ours/interop', version: '0.2.0', app_version: '1.1', description: 'The interop chart' },
      { name: 'ours/interop', version: '0.1.0', app_version: '1.0', description: 'The interop chart' },
    ]);
    const out = tempDir();
    const pulled = await helm(['pull', 'ours/interop', '--version', '0.1.0', '-d', out]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const data = readFileSync(join(out, 'interop-0.1.0.tgz'));
    expect(sha256Hex(data)).toBe(archives[0]?.digest);
    const served = parseIndex((await http(`${server.url}/index.yaml`)).body, 'served').index;
    expect(served.entries.interop?.[1]?.digest).toBe(sha256Hex(data));
    await helm(['repo', 'remove', 'ours']);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('helm reads a --private portolan serve with basic auth (the token as password), and is refused without it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '..', 'token-private'), 'priv-tok\n');
    const server = await serve([
      '--dir',
      dir,
      '--auth-token-file',
      join(dir, '..', 'token-private'),
      '--private',
      '--quiet',
    ]);
    const archive = chartArchive('secretapp', '1.0.0');
    expect(
      (await http(`${server.url}/api/charts`, { method: 'POST', body: archive.data, headers: bearer('priv-tok') }))
        .status,
    ).toBe(201);
    const refused = await helm(['repo', 'add', 'closed', server.url]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/401/);
    const added = await helm(['repo', 'add', 'closed', server.url, '--username', 'ci', '--password-stdin'], {
      input: 'priv-tok\n',
    });
    expect(added.code, added.stderr).toBe(0);
    const out = tempDir();
    const pulled = await helm(['pull', 'closed/secretapp', '-d', out]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(sha256Hex(readFileSync(join(out, 'secretapp-1.0.0.tgz')))).toBe(archive.digest);
    await helm(['repo', 'remove', 'closed']);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('the portolan client works with a folder indexed by helm repo index behind a plain static server', async () => {
    const folder = join(staticRoot, 'helm-indexed');
    mkdirSync(folder, { recursive: true });
    const packaged = await helm(['package', join(projectRoot, 'charts', 'webapp'), '-d', folder]);
    expect(packaged.code, packaged.stderr).toBe(0);
    const extra = chartArchive('webapp', '1.5.0-rc.1');
    writeFileSync(join(folder, extra.fileName), extra.data);
    const indexed = await helm(['repo', 'index', folder, '--url', `${staticUrl}/helm-indexed`]);
    expect(indexed.code, indexed.stderr).toBe(0);

    expect((await portolan(['repo', 'add', 'helmidx', `${staticUrl}/helm-indexed`])).code).toBe(0);
    const search = await portolan(['search', 'repo', 'helmidx/', '--devel', '-o', 'json']);
    expect(JSON.parse(search.stdout)).toEqual([
      expect.objectContaining({ name: 'helmidx/webapp', version: '1.5.0-rc.1' }),
    ]);
    const out = tempDir();
    const pulled = await portolan(['pull', 'helmidx/webapp', '-d', out]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const archive = readdirSync(out)[0] ?? '';
    expect(archive).toMatch(/^webapp-1\.4\.\d+\.tgz$/);
    expect(readFileSync(join(out, archive)).equals(readFileSync(join(folder, archive)))).toBe(true);
    await portolan(['repo', 'remove', 'helmidx']);
  });

  it('helm reads an index written by portolan repo index', async () => {
    const folder = join(staticRoot, 'ours-indexed');
    mkdirSync(folder, { recursive: true });
    const archive = chartArchive('fromportolan', '3.2.1', {
      description: 'yes: this description needs quoting # really',
    });
    writeFileSync(join(folder, archive.fileName), archive.data);
    expect((await portolan(['repo', 'index', folder])).code).toBe(0);
    expect((await helm(['repo', 'add', 'portidx', `${staticUrl}/ours-indexed`])).code).toBe(0);
    const search = await helm(['search', 'repo', 'portidx/', '-o', 'json']);
    expect(JSON.parse(search.stdout)).toEqual([
      {
        name: 'portidx/fromportolan',
        version: '3.2.1',
        app_version: '',
        description: 'yes: this description needs quoting # really',
      },
    ]);
    const out = tempDir();
    expect((await helm(['pull', 'portidx/fromportolan', '-d', out])).code).toBe(0);
    expect(readFileSync(join(out, archive.fileName)).equals(archive.data)).toBe(true);
    await helm(['repo', 'remove', 'portidx']);
  });
});

describe('the client commands against a repository, as a user runs them', () => {
  it('template and show take REPO/CHART --version RANGE, and --repo URL CHART', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '..', 'token-refs'), 'refs-tok\n');
    const server = await serve(['--dir', dir, '--auth-token-file', join(dir, '..', 'token-refs'), '--quiet']);
    for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
      const archive = chartArchive('greeter', version, { appVersion: `app-${version}` });
      expect(
        (await http(`${server.url}/api/charts`, { method: 'POST', body: archive.data, headers: bearer('refs-tok') }))
          .status,
      ).toBe(201);
    }
    expect((await portolan(['repo', 'add', 'refs', server.url])).code).toBe(0);
    const rendered = await portolan([
      'template',
      'hi',
      'refs/greeter',
      '--version',
      '~1.0',
      '--set',
      'greeting=bonjour',
    ]);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stdout).toContain('# Source: greeter/templates/configmap.yaml');
    expect(rendered.stdout).toMatch(/name: hi\n[\s\S]*greeting: bonjour/);
    const shown = await portolan(['show', 'chart', 'refs/greeter', '--version', '^1']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^version: 1\.1\.0$/m);
    const newest = await portolan(['show', 'chart', 'greeter', '--repo', server.url]);
    expect(newest.stdout).toMatch(/^version: 2\.0\.0$/m);
    const none = await portolan(['show', 'chart', 'refs/greeter', '--version', '^3']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/chart "greeter" has no version matching "\^3" in repository "refs"/);
    expect(none.stderr).toMatch(/Versions there: 2\.0\.0, 1\.1\.0, 1\.0\.0/);
    await portolan(['repo', 'remove', 'refs']);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('repo add refuses another URL under a known name unless --force-update', async () => {
    const folder = join(staticRoot, 'force-update');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'index.yaml'), 'apiVersion: v1\nentries: {}\n');
    expect((await portolan(['repo', 'add', 'moving', `${staticUrl}/helm-indexed-nothing`])).code).toBe(1);
    expect((await portolan(['repo', 'add', 'moving', `${staticUrl}/force-update`])).code).toBe(0);
    const again = await portolan(['repo', 'add', 'moving', `${staticUrl}/force-update/`]);
    expect(again.stdout).toBe('"moving" already exists with the same configuration, skipping\n');
    mkdirSync(join(staticRoot, 'moved'), { recursive: true });
    writeFileSync(join(staticRoot, 'moved', 'index.yaml'), 'apiVersion: v1\nentries: {}\n');
    const refused = await portolan(['repo', 'add', 'moving', `${staticUrl}/moved`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /repository name "moving" already exists with a different configuration\n {2}hint: Use --force-update/,
    );
    const forced = await portolan(['repo', 'add', 'moving', `${staticUrl}/moved`, '--force-update']);
    expect(forced.stdout).toBe('"moving" has been updated\n');
    expect(JSON.parse((await portolan(['repo', 'list', '-o', 'json'])).stdout)).toContainEqual({
      name: 'moving',
      url: `${staticUrl}/moved`,
    });
    await portolan(['repo', 'remove', 'moving']);
  });

  it('pull refuses an archive whose digest does not match the index and keeps nothing', async () => {
    const folder = join(staticRoot, 'mismatch');
    mkdirSync(folder, { recursive: true });
    const real = chartArchive('swapped', '1.0.0');
    const other = chartArchive('swapped', '1.0.0', { description: 'not what the index says' });
    writeFileSync(join(folder, real.fileName), real.data);
    expect((await portolan(['repo', 'index', folder])).code).toBe(0);
    writeFileSync(join(folder, real.fileName), other.data);
    const out = tempDir();
    for (const extra of [[], ['--untar']]) {
      const pulled = await portolan(['pull', '--repo', `${staticUrl}/mismatch`, 'swapped', '-d', out, ...extra]);
      expect(pulled.code).toBe(1);
      expect(pulled.stderr).toMatch(
        new RegExp(
          `the archive's sha256 digest ${other.digest} does not match the index \\(${real.digest}\\); refusing it`,
        ),
      );
      expect(readdirSync(out)).toEqual([]);
    }
  });

  it('pull --untar refuses a hostile archive (even with a matching digest) and writes nothing', async () => {
    const folder = join(staticRoot, 'hostile');
    mkdirSync(folder, { recursive: true });
    const evil = makeTgz([
      { name: 'evil/Chart.yaml', data: 'apiVersion: v2\nname: evil\nversion: 1.0.0\n' },
      { name: 'evil/values.yaml', data: 'a: 1\n' },
      { name: 'evil/../../escaped.txt', data: 'owned' },
    ]);
    writeFileSync(join(folder, 'evil-1.0.0.tgz'), evil);
    writeFileSync(
      join(folder, 'index.yaml'),
      `apiVersion: v1\nentries:\n  evil:\n  - apiVersion: v2\n    name: evil\n    version: 1.0.0\n    digest: ${sha256Hex(evil)}\n    urls: [evil-1.0.0.tgz]\n`,
    );
    const base = tempDir();
    const out = join(base, 'a', 'b');
    mkdirSync(out, { recursive: true });
    const pulled = await portolan(['pull', '--repo', `${staticUrl}/hostile`, 'evil', '--untar', '-d', out]);
    expect(pulled.code).toBe(1);
    expect(pulled.stderr).toMatch(/entry "evil\/\.\.\/\.\.\/escaped\.txt" leaves the chart folder/);
    expect(readdirSync(out)).toEqual([]);
    expect(existsSync(join(base, 'a', 'escaped.txt'))).toBe(false);
    expect(existsSync(join(base, 'escaped.txt'))).toBe(false);
  });
});
