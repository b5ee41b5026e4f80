// The repository client under concurrency and against a changing server, as users hit it: parallel `repo add`,
// `repo remove` racing `repo update`, a version deleted after the index was cached, and credentials written into
// the repository URL. A real `portolan serve` (in process) on 127.0.0.1, real archives; a gate proxy lines the
// clients up at a barrier instead of relying on timing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { cachedIndexPath, clientPaths, readRepositories, type ClientPaths } from '../../src/repo/client/config.js';
import { addRepository, loadCachedIndex, removeRepositories, updateRepositories } from '../../src/repo/client/repos.js';
import { serializeIndex } from '../../src/repo/index-model.js';
import { type RepoServer, startRepoServer } from '../../src/repo/server/server.js';
import { binPath } from '../helpers/cli.js';
import { bearer, chartArchive, type Gate, gateProxy, http, tempDir } from './helpers.js';

const TOKEN = 'safety-token';
let server: RepoServer;
let privateServer: RepoServer;
let gate: Gate;
let staticServer: Server;
let staticUrl: string;
const staticDir = tempDir('portolan-safety-static-');
const staticHits: string[] = [];

function freshPaths(): ClientPaths {
  const home = tempDir('portolan-safety-');
  return clientPaths({ XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') });
}

function cliIn(paths: ClientPaths) {
  return async (args: string[], options: { stdin?: string; cwd?: string } = {}) => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      readStdin: async () => options.stdin ?? '',
      isTTY: false,
      env: {
        PORTOLAN_REPOSITORY_CONFIG: paths.repositoryConfig,
        PORTOLAN_REPOSITORY_CACHE: paths.repositoryCache,
        NO_COLOR: '1',
      },
      cwd: options.cwd ?? tempDir(),
    };
    const code = await runCli(args, io);
    return { code, stdout, stderr, all: stdout + stderr };
  };
}

async function push(target: RepoServer, name: string, version: string) {
  const res = await http(`${target.url}/api/charts`, {
    method: 'POST',
    body: chartArchive(name, version).data,
    headers: bearer(TOKEN),
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  server = await startRepoServer({ dir: tempDir(), port: 0, authToken: TOKEN });
  privateServer = await startRepoServer({ dir: tempDir(), port: 0, authToken: TOKEN, private: true });
  await push(server, 'nginx', '1.0.0');
  await push(server, 'nginx', '1.1.0');
  await push(privateServer, 'secret', '1.0.0');
  gate = await gateProxy(server.url);
  staticServer = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    staticHits.push(path);
    const file = join(staticDir, path);
    if (!file.startsWith(staticDir) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => staticServer.listen(0, '127.0.0.1', resolve));
  staticUrl = `http://127.0.0.1:${(staticServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all([
    server.stop(),
    privateServer.stop(),
    gate.close(),
    new Promise((resolve) => staticServer.close(resolve)),
  ]);
});

describe('repositories.yaml under concurrency', () => {
  it('keeps all ten repositories when ten `repo add` run at once, every download in flight before any writes', async () => {
    const paths = freshPaths();
    const cli = cliIn(paths);
    gate.hold(10);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => cli(['repo', 'add', `r${i}`, gate.url])));
    for (const [i, r] of results.entries())
      expect(r, r.stderr).toMatchObject({ code: 0, stdout: `"r${i}" has been added to your repositories\n` });
    const names = (await readRepositories(paths.repositoryConfig)).repositories.map((r) => r.name).sort();
    expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
    for (let i = 0; i < 10; i++) expect(existsSync(cachedIndexPath(paths, `r${i}`))).toBe(true);
    expect(existsSync(`${paths.repositoryConfig.replace(/\.yaml$/, '')}.lock`)).toBe(false);
  });

  it('keeps every repository when four `portolan repo add` processes run at once (the lock between processes)', async () => {
    const paths = freshPaths();
    const env = {
      ...process.env,
      PORTOLAN_REPOSITORY_CONFIG: paths.repositoryConfig,
      PORTOLAN_REPOSITORY_CACHE: paths.repositoryCache,
      NO_COLOR: '1',
    };
    const runs = Array.from(
      { length: 4 },
      (_, i) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(
            process.execPath,
            [process.env.PORTOLAN_CLI ?? binPath(), 'repo', 'add', `p${i}`, server.url],
            { env, stdio: ['ignore', 'pipe', 'pipe'] },
          );
          let out = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString()));
          child.stderr.on('data', (c: Buffer) => (out += c.toString()));
          child.on('close', (code) => resolve({ code, out }));
        }),
    );
    const results = await Promise.all(runs);
    for (const r of results) expect(r.code, r.out).toBe(0);
    const names = (await readRepositories(paths.repositoryConfig)).repositories.map((r) => r.name).sort();
    expect(names).toEqual(Array.from({ length: 4 }, (_, i) => `p${i}`).sort());
  });

  it('lets exactly one of two parallel adds of one name with different URLs win, and refuses the other', async () => {
    const paths = freshPaths();
    const cli = cliIn(paths);
    const second = await gateProxy(server.url);
    try {
      gate.hold();
      second.hold();
      const adding = Promise.all([cli(['repo', 'add', 'team', gate.url]), cli(['repo', 'add', 'team', second.url])]);
      await Promise.all([gate.held(1), second.held(1)]);
      gate.release();
      second.release();
      const [a, b] = await adding;
      expect([a?.code, b?.code].sort()).toEqual([0, 1]);
      expect((a?.code === 1 ? a : b)?.stderr).toMatch(
        /repository name "team" already exists with a different configuration/,
      );
      const winner = a?.code === 0 ? gate.url : second.url;
      expect((await readRepositories(paths.repositoryConfig)).repositories).toEqual([{ name: 'team', url: winner }]);
    } finally {
      await second.close();
    }
  });

  it('keeps the other entries exact when adds and removes run at once', async () => {
    const paths = freshPaths();
    for (let i = 0; i < 5; i++) await addRepository(paths, { name: `old${i}`, url: server.url });
    gate.hold(5);
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => addRepository(paths, { name: `new${i}`, url: gate.url })),
      gate.held(5).then(() => Promise.all([0, 2, 4].map((i) => removeRepositories(paths, [`old${i}`])))),
    ]);
    const names = (await readRepositories(paths.repositoryConfig)).repositories.map((r) => r.name).sort();
    expect(names).toEqual(['new0', 'new1', 'new2', 'new3', 'new4', 'old1', 'old3']);
  });

  it('does not bring back the cached index of a repository removed while `repo update` was downloading it', async () => {
    const paths = freshPaths();
    await addRepository(paths, { name: 'team', url: gate.url });
    gate.hold();
    const updating = updateRepositories(paths, ['team']);
    await gate.held(1);
    await removeRepositories(paths, ['team']);
    gate.release();
    const [result] = await updating;
    expect(result?.ok).toBe(false);
    expect(result?.error?.message).toMatch(/repository "team" was removed while its index was downloading/);
    expect(existsSync(cachedIndexPath(paths, 'team'))).toBe(false);
  });

  it('does not store the index of the old URL when `repo add --force-update` changes it during `repo update`', async () => {
    const paths = freshPaths();
    await addRepository(paths, { name: 'team', url: gate.url });
    mkdirSync(join(staticDir, 'other'), { recursive: true });
    writeFileSync(
      join(staticDir, 'other', 'index.yaml'),
      serializeIndex({ apiVersion: 'v1', generated: 'g', entries: {} }),
    );
    gate.hold();
    const updating = updateRepositories(paths, ['team']);
    await gate.held(1);
    await addRepository(paths, { name: 'team', url: `${staticUrl}/other`, forceUpdate: true });
    gate.release();
    const [result] = await updating;
    expect(result?.ok).toBe(false);
    expect(result?.error?.message).toMatch(/changed while its index was downloading/);
    expect((await loadCachedIndex(paths, 'team')).index.entries).toEqual({});
  });
});

describe('the configuration lock', () => {
  it('takes over a lock left by a process that was killed, and waits for a live holder up to a bounded time', async () => {
    const { withRepositoriesLock, lockPathFor } = await import('../../src/repo/client/config.js');
    const paths = freshPaths();
    await addRepository(paths, { name: 'first', url: server.url });
    // A holder killed with -9 leaves its lock file behind.
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const pid = holder.pid as number;
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('exit', resolve));
    const lock = lockPathFor(paths.repositoryConfig);
    expect(lock).toBe(join(paths.repositoryConfig, '..', 'repositories.lock'));
    writeFileSync(
      lock,
      JSON.stringify({ pid, hostname: (await import('node:os')).hostname(), created: new Date().toISOString() }),
    );
    expect((await addRepository(paths, { name: 'second', url: server.url })).outcome).toBe('added');
    expect(existsSync(lock)).toBe(false);

    // A live holder (this process): a second taker waits, then gives up naming the file and the holder.
    let release!: () => void;
    let entered!: () => void;
    const holding = new Promise<void>((resolve) => (entered = resolve));
    const held = withRepositoriesLock(paths.repositoryConfig, () => {
      entered();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await holding;
    await expect(withRepositoriesLock(paths.repositoryConfig, async () => 'never', { timeoutMs: 150 })).rejects.toThrow(
      new RegExp(`repositories\\.lock is held by process ${process.pid}`),
    );
    const waiter = withRepositoriesLock(paths.repositoryConfig, async () => 'got it');
    release();
    await held;
    expect(await waiter).toBe('got it');
    expect(existsSync(lock)).toBe(false);
  });
});

describe('a cached index that is out of date', () => {
  it('refreshes the index once and pulls the newest version left after the newest one was deleted on the server', async () => {
    const target = await startRepoServer({ dir: tempDir(), port: 0, authToken: TOKEN });
    try {
      await push(target, 'shop', '1.0.0');
      await push(target, 'shop', '1.1.0');
      const paths = freshPaths();
      const cli = cliIn(paths);
      expect((await cli(['repo', 'add', 'team', target.url])).code).toBe(0);
      expect(
        (await http(`${target.url}/api/charts/shop/1.1.0`, { method: 'DELETE', headers: bearer(TOKEN) })).status,
      ).toBe(200);

      const dest = tempDir();
      const pulled = await cli(['pull', 'team/shop', '-d', dest]);
      expect(pulled.code, pulled.stderr).toBe(0);
      expect(pulled.stdout).toContain('Pulled shop-1.0.0.tgz');
      expect(pulled.stderr).toMatch(
        /the cached index of repository "team" was out of date \(shop 1\.1\.0 is gone from the server\); refreshed it/,
      );
      expect(existsSync(join(dest, 'shop-1.0.0.tgz'))).toBe(true);
      expect((await loadCachedIndex(paths, 'team')).index.entries.shop?.map((e) => e.version)).toEqual(['1.0.0']);
    } finally {
      await target.stop();
    }
  });

  it('says the version is gone, not to check the repository URL, when the version asked for was deleted', async () => {
    const target = await startRepoServer({ dir: tempDir(), port: 0, authToken: TOKEN });
    try {
      await push(target, 'shop', '1.0.0');
      await push(target, 'shop', '1.1.0');
      const paths = freshPaths();
      const cli = cliIn(paths);
      expect((await cli(['repo', 'add', 'team', target.url])).code).toBe(0);
      expect(
        (await http(`${target.url}/api/charts/shop/1.1.0`, { method: 'DELETE', headers: bearer(TOKEN) })).status,
      ).toBe(200);
      const pulled = await cli(['pull', 'team/shop', '--version', '1.1.0', '-d', tempDir()]);
      expect(pulled.code).toBe(1);
      expect(pulled.stderr).not.toMatch(/Check the repository URL/);
      expect(pulled.stderr).toMatch(
        /chart "shop" has no version matching "1\.1\.0" in repository "team" \(its index was refreshed just now\)/,
      );
      expect(pulled.stderr).toMatch(/Versions there: 1\.0\.0/);
    } finally {
      await target.stop();
    }
  });

  it('refreshes the index once when an archive was replaced on the server (?force), and takes the new one', async () => {
    const target = await startRepoServer({ dir: tempDir(), port: 0, authToken: TOKEN, allowOverwrite: true });
    try {
      await push(target, 'shop', '1.0.0');
      const paths = freshPaths();
      const cli = cliIn(paths);
      expect((await cli(['repo', 'add', 'team', target.url])).code).toBe(0);
      const replacement = chartArchive('shop', '1.0.0', { description: 'Rebuilt' });
      expect(
        (
          await http(`${target.url}/api/charts?force`, {
            method: 'POST',
            body: replacement.data,
            headers: bearer(TOKEN),
          })
        ).status,
      ).toBe(201);
      const dest = tempDir();
      const pulled = await cli(['pull', 'team/shop', '-d', dest]);
      expect(pulled.code, pulled.stderr).toBe(0);
      expect(pulled.stderr).toMatch(/the archive of shop 1\.0\.0 has changed on the server\); refreshed it/);
      expect(readFileSync(join(dest, 'shop-1.0.0.tgz')).equals(replacement.data)).toBe(true);
    } finally {
      await target.stop();
    }
  });

  it('names `portolan repo update` when the server still lists an archive it does not have, after one refresh', async () => {
    const dir = join(staticDir, 'broken');
    mkdirSync(dir, { recursive: true });
    const archive = chartArchive('web', '1.0.0');
    writeFileSync(
      join(dir, 'index.yaml'),
      serializeIndex({
        apiVersion: 'v1',
        generated: 'g',
        entries: {
          web: [{ apiVersion: 'v2', name: 'web', version: '1.0.0', urls: ['web-1.0.0.tgz'], digest: archive.digest }],
        },
      }),
    );
    const paths = freshPaths();
    const cli = cliIn(paths);
    expect((await cli(['repo', 'add', 'broken', `${staticUrl}/broken`])).code).toBe(0);
    const before = staticHits.filter((p) => p === '/broken/index.yaml').length;
    const pulled = await cli(['pull', 'broken/web', '-d', tempDir()]);
    expect(pulled.code).toBe(1);
    expect(staticHits.filter((p) => p === '/broken/index.yaml').length - before).toBe(1);
    expect(pulled.stderr).toMatch(/GET .*\/broken\/web-1\.0\.0\.tgz: 404/);
    expect(pulled.stderr).not.toMatch(/Check the repository URL/);
    expect(pulled.stderr).toMatch(
      /hint: The index of repository "broken", downloaded again just now, still lists web 1\.0\.0 but the server has no archive for it.*`portolan repo update broken` picks it up/,
    );
  });
});

describe('credentials in a repository URL', () => {
  it('accepts user:password@ in the URL as basic auth, as Helm does, and never prints the password', async () => {
    const paths = freshPaths();
    const cli = cliIn(paths);
    const withCredentials = privateServer.url.replace('http://', `http://ci:${TOKEN}@`);
    const added = await cli(['repo', 'add', 'priv', withCredentials]);
    expect(added, added.stderr).toMatchObject({ code: 0, stdout: '"priv" has been added to your repositories\n' });
    expect((await readRepositories(paths.repositoryConfig)).repositories).toEqual([
      { name: 'priv', url: privateServer.url, username: 'ci', password: TOKEN },
    ]);
    const list = await cli(['repo', 'list']);
    expect(list.stdout).toBe(`NAME\tURL\npriv\t${privateServer.url}\n`);

    const dest = tempDir();
    const pulled = await cli(['pull', 'priv/secret', '-d', dest]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const direct = await cli(['pull', '--repo', withCredentials, 'secret', '-d', tempDir()]);
    expect(direct.code, direct.stderr).toBe(0);
    // serve lists archives at relative URLs, beside index.yaml.
    expect(direct.stdout).toBe(`Pulled secret-1.0.0.tgz from ${privateServer.url}/secret-1.0.0.tgz\n`);
    for (const r of [added, list, pulled, direct]) expect(r.all).not.toContain(TOKEN);
  });

  it('masks the password in every message when the URL credentials are refused or the URL is malformed', async () => {
    const paths = freshPaths();
    const cli = cliIn(paths);
    const refused = await cli([
      'repo',
      'add',
      'priv',
      privateServer.url.replace('http://', 'http://ci:hunter2-wrong@'),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/401/);
    expect(refused.all).not.toContain('hunter2');
    const malformed = await cli(['repo', 'add', 'bad', 'http://ci:hunter2-bad@[::1']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/"http:\/\/ci:xxxxx@\[::1" is not a URL/);
    expect(malformed.all).not.toContain('hunter2');
    const unreachable = await cli(['pull', '--repo', 'http://ci:hunter2-down@127.0.0.1:1', 'x']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1\/index\.yaml/);
    expect(unreachable.all).not.toContain('hunter2');
  });

  it('reads a repositories.yaml whose URL holds credentials (as helm writes it), masking them in `repo list`', async () => {
    const paths = freshPaths();
    const cli = cliIn(paths);
    mkdirSync(join(paths.repositoryConfig, '..'), { recursive: true });
    const withCredentials = privateServer.url.replace('http://', `http://ci:${TOKEN}@`);
    writeFileSync(
      paths.repositoryConfig,
      `apiVersion: ""\ngenerated: "0001-01-01T00:00:00Z"\nrepositories:\n- name: priv\n  url: ${withCredentials}\n`,
    );
    const update = await cli(['repo', 'update']);
    expect(update.code, update.stderr).toBe(0);
    const list = await cli(['repo', 'list', '-o', 'json']);
    expect(list.stdout).toBe(`[{"name":"priv","url":"${privateServer.url.replace('http://', 'http://ci:xxxxx@')}"}]\n`);
    const pulled = await cli(['pull', 'priv/secret', '-d', tempDir()]);
    expect(pulled.code, pulled.stderr).toBe(0);
    for (const r of [update, list, pulled]) expect(r.all).not.toContain(TOKEN);
  });

  it('warns that --password on the command line is visible to others and offers --password-stdin, also on pull', async () => {
    const paths = freshPaths();
    const cli = cliIn(paths);
    const added = await cli(['repo', 'add', 'priv', privateServer.url, '--username', 'ci', '--password', TOKEN]);
    expect(added.code).toBe(0);
    expect(added.stderr).toBe(
      'Warning: --password on the command line can be seen by other users (in the process list) and stays in your shell history; use --password-stdin\n',
    );
    const pulled = await cli([
      'pull',
      '--repo',
      privateServer.url,
      'secret',
      '--username',
      'ci',
      '--password',
      TOKEN,
      '-d',
      tempDir(),
    ]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stderr).toMatch(/^Warning: --password on the command line .* use --password-stdin\n$/);
    const fromStdin = await cli(
      ['pull', '--repo', privateServer.url, 'secret', '--username', 'ci', '--password-stdin', '-d', tempDir()],
      { stdin: `${TOKEN}\n` },
    );
    expect(fromStdin, fromStdin.stderr).toMatchObject({ code: 0, stderr: '' });
    const both = await cli(
      ['template', 'x', '--repo', privateServer.url, 'secret', '--username', 'ci', '--password-stdin', '-f', '-'],
      { stdin: `${TOKEN}\n` },
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--password-stdin and -f - both read standard input/);
  });
});
