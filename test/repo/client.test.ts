import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateDependencies } from '../../src/chart/dependency-update.js';
import { loadChartArgument } from '../../src/cli/chart-ref.js';
import type { CliIo } from '../../src/cli/io.js';
import { cachedIndexPath, clientPaths, readRepositories, type ClientPaths } from '../../src/repo/client/config.js';
import {
  addRepository,
  fetchChart,
  listRepositories,
  loadCachedIndex,
  removeRepositories,
  updateRepositories,
} from '../../src/repo/client/repos.js';
import { createRemoteResolver } from '../../src/repo/client/resolver.js';
import { searchIndexes } from '../../src/repo/client/search.js';
import { parseIndex, serializeIndex } from '../../src/repo/index-model.js';
import { type RepoServer, startRepoServer } from '../../src/repo/server/server.js';
import { bearer, chartArchive, http, tempDir } from './helpers.js';

const TOKEN = 'client-token';
let server: RepoServer;
let privateServer: RepoServer;
let staticServer: Server;
let staticUrl: string;
const staticDir = tempDir();

function freshPaths(): ClientPaths {
  const home = tempDir('portolan-client-');
  return clientPaths({ XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') });
}

async function push(
  target: RepoServer,
  name: string,
  version: string,
  options: Parameters<typeof chartArchive>[2] = {},
) {
  const res = await http(`${target.url}/api/charts`, {
    method: 'POST',
    body: chartArchive(name, version, options).data,
    headers: bearer(TOKEN),
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  server = await startRepoServer({ dir: tempDir(), port: 0, authToken: TOKEN });
  privateServer = await startRepoServer({ dir: tempDir(), port: 0, authToken: TOKEN, private: true });
  await push(server, 'nginx', '1.0.0', { description: 'A web server', appVersion: '1.25.0' });
  await push(server, 'nginx', '1.1.0', { description: 'A web server', appVersion: '1.25.3' });
  await push(server, 'nginx', '2.0.0-beta.1', { description: 'A web server' });
  await push(server, 'proxy', '0.5.0', { description: 'Sits in front of nginx', keywords: ['ingress'] });
  await push(server, 'cache', '3.0.0', { description: 'Key-value store', keywords: ['nginx-cache'] });
  await push(privateServer, 'secret', '1.0.0');

  // A plain static file server over a folder (what `helm repo index` + any web server gives).
  staticServer = createServer((req, res) => {
    const file = join(staticDir, decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/'));
    if (!file.startsWith(staticDir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => staticServer.listen(0, '127.0.0.1', resolve));
  staticUrl = `http://127.0.0.1:${(staticServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all([server.stop(), privateServer.stop(), new Promise((resolve) => staticServer.close(resolve))]);
});

describe('client configuration', () => {
  it('follows XDG folders, then PORTOLAN_* variables, then explicit overrides', () => {
    expect(clientPaths({ HOME: '/h' })).toEqual({
      repositoryConfig: '/h/.config/portolan/repositories.yaml',
      repositoryCache: '/h/.cache/portolan/repository',
    });
    expect(clientPaths({ HOME: '/h', XDG_CONFIG_HOME: '/c', XDG_CACHE_HOME: '/k' })).toEqual({
      repositoryConfig: '/c/portolan/repositories.yaml',
      repositoryCache: '/k/portolan/repository',
    });
    expect(
      clientPaths({ HOME: '/h', PORTOLAN_REPOSITORY_CONFIG: '/r.yaml', PORTOLAN_REPOSITORY_CACHE: '/rc' }),
    ).toEqual({ repositoryConfig: '/r.yaml', repositoryCache: '/rc' });
    expect(
      clientPaths({ HOME: '/h', PORTOLAN_REPOSITORY_CONFIG: '/r.yaml' }, { repositoryConfig: '/flag.yaml' })
        .repositoryConfig,
    ).toBe('/flag.yaml');
  });
});

describe('repo add / update / remove', () => {
  it('adds a repository after fetching its index, writes repositories.yaml (0600) and the cached index', async () => {
    const paths = freshPaths();
    expect((await addRepository(paths, { name: 'team', url: `${server.url}/` })).outcome).toBe('added');
    const config = await readRepositories(paths.repositoryConfig);
    expect(config.repositories).toEqual([{ name: 'team', url: server.url }]);
    expect(statSync(paths.repositoryConfig).mode & 0o777).toBe(0o600);
    expect(Object.keys(parseIndex(readFileSync(cachedIndexPath(paths, 'team')), 'cache').index.entries).sort()).toEqual(
      ['cache', 'nginx', 'proxy'],
    );

    expect((await addRepository(paths, { name: 'team', url: server.url })).outcome).toBe('unchanged');
    await expect(addRepository(paths, { name: 'team', url: staticUrl })).rejects.toThrow(
      /already exists with a different configuration/,
    );
    await expect(addRepository(paths, { name: 'a/b', url: server.url })).rejects.toThrow(
      /must not be empty or contain "\/"/,
    );
    await expect(addRepository(paths, { name: 'nothing', url: `${server.url}/nothing` })).rejects.toThrow(/404/);
    await expect(addRepository(paths, { name: 'oci', url: 'oci://registry.example/charts' })).rejects.toThrow(
      /an OCI registry is not a chart repository/,
    );
    expect((await listRepositories(paths)).map((r) => r.name)).toEqual(['team']);
  });

  it('needs credentials for a private repository and uses them for the index and the archives', async () => {
    const paths = freshPaths();
    await expect(addRepository(paths, { name: 'private', url: privateServer.url })).rejects.toThrow(/401/);
    await addRepository(paths, { name: 'private', url: privateServer.url, username: 'ci', password: TOKEN });
    const fetched = await fetchChart(paths, { repository: 'private', chart: 'secret' });
    expect(fetched.entry.version).toBe('1.0.0');
    expect(fetched.data.subarray(0, 2).toString('hex')).toBe('1f8b');
  });

  it('update refreshes cached indexes and reports a repository that fails; remove drops config and cache', async () => {
    const paths = freshPaths();
    await addRepository(paths, { name: 'team', url: server.url });
    mkdirSync(join(staticDir, 'gone'), { recursive: true });
    writeFileSync(
      join(staticDir, 'gone', 'index.yaml'),
      serializeIndex({ apiVersion: 'v1', generated: 'g', entries: {} }),
    );
    await addRepository(paths, { name: 'flaky', url: `${staticUrl}/gone` });
    await push(server, 'fresh', '0.0.1');
    writeFileSync(join(staticDir, 'gone', 'index.yaml'), 'not: [an index');
    const results = await updateRepositories(paths);
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['team', true],
      ['flaky', false],
    ]);
    expect(results[1]?.error?.message).toMatch(/not a valid index/);
    expect((await loadCachedIndex(paths, 'team')).index.entries.fresh).toBeDefined();
    await expect(updateRepositories(paths, ['nope'])).rejects.toThrow(/no repositories found matching "nope"/);

    await removeRepositories(paths, ['team']);
    expect((await listRepositories(paths)).map((r) => r.name)).toEqual(['flaky']);
    expect(existsSync(cachedIndexPath(paths, 'team'))).toBe(false);
    await expect(removeRepositories(paths, ['team'])).rejects.toThrow(/no repositories found/);
  });
});

describe('search', () => {
  it('finds charts by name, description and keyword, newest stable release first, scored as Helm does', async () => {
    const paths = freshPaths();
    await addRepository(paths, { name: 'team', url: server.url });
    const repos = [{ name: 'team', index: (await loadCachedIndex(paths, 'team')).index }];
    const byKeyword = searchIndexes(repos, { keyword: 'NGINX' }).map((r) => [r.name, r.chart.version, r.score]);
    expect(byKeyword).toEqual([
      ['team/nginx', '1.1.0', 0],
      ['team/proxy', '0.5.0', 2],
      ['team/cache', '3.0.0', 3],
    ]);
    expect(
      searchIndexes(repos, { keyword: 'nginx', versions: true })
        .filter((r) => r.name === 'team/nginx')
        .map((r) => r.chart.version),
    ).toEqual(['1.1.0', '1.0.0']);
    expect(searchIndexes(repos, { keyword: 'nginx', devel: true })[0]?.chart.version).toBe('2.0.0-beta.1');
    expect(searchIndexes(repos, { keyword: 'nginx', version: '~1.0' })[0]?.chart.version).toBe('1.0.0');
    expect(searchIndexes(repos, { keyword: 'nginx', version: '>= 2.0.0-0' })[0]?.chart.version).toBe('2.0.0-beta.1');
    expect(searchIndexes(repos, { keyword: '^pro', regexp: true }).map((r) => r.name)).toEqual(['team/proxy']);
    expect(searchIndexes(repos, {}).map((r) => r.name)).toEqual(
      ['team/cache', 'team/fresh', 'team/nginx', 'team/proxy'].filter((n) => repos[0]?.index.entries[n.slice(5)]),
    );
    expect(searchIndexes(repos, { keyword: 'zzz' })).toEqual([]);
    expect(() => searchIndexes(repos, { version: 'not a range' })).toThrow(/not a valid version range/);
  });
});

describe('pull and chart references', () => {
  it('picks the newest version a range allows and checks the digest against the index', async () => {
    const paths = freshPaths();
    await addRepository(paths, { name: 'team', url: server.url });
    const newest = await fetchChart(paths, { repository: 'team', chart: 'nginx' });
    expect(newest.entry.version).toBe('1.1.0');
    expect(newest.url).toBe(`${server.url}/nginx-1.1.0.tgz`);
    expect((await fetchChart(paths, { repository: 'team', chart: 'nginx', version: '<1.1' })).fileName).toBe(
      'nginx-1.0.0.tgz',
    );
    expect((await fetchChart(paths, { repository: 'team', chart: 'nginx', devel: true })).entry.version).toBe(
      '2.0.0-beta.1',
    );
    expect((await fetchChart(paths, { repoUrl: server.url, chart: 'proxy' })).entry.version).toBe('0.5.0');
    await expect(fetchChart(paths, { repository: 'team', chart: 'nginx', version: '^9' })).rejects.toThrow(
      /no version matching "\^9"/,
    );
    await expect(fetchChart(paths, { repository: 'team', chart: 'nope' })).rejects.toThrow(/chart "nope" not found/);
    await expect(fetchChart(paths, { repository: 'other', chart: 'nginx' })).rejects.toThrow(
      /repository "other" is not configured/,
    );
  });

  it('refuses an archive whose digest does not match the index', async () => {
    const dir = join(staticDir, 'tampered');
    mkdirSync(dir, { recursive: true });
    const real = chartArchive('web', '1.0.0');
    const evil = chartArchive('web', '1.0.0', { description: 'tampered' });
    writeFileSync(join(dir, 'web-1.0.0.tgz'), evil.data);
    writeFileSync(
      join(dir, 'index.yaml'),
      serializeIndex({
        apiVersion: 'v1',
        generated: 'g',
        entries: {
          web: [{ apiVersion: 'v2', name: 'web', version: '1.0.0', urls: ['web-1.0.0.tgz'], digest: real.digest }],
        },
      }),
    );
    const paths = freshPaths();
    await expect(fetchChart(paths, { repoUrl: `${staticUrl}/tampered`, chart: 'web' })).rejects.toThrow(
      /sha256 digest .* does not match the index/,
    );
  });

  it('loadChartArgument resolves repo/chart --version, --repo URL CHART, and still prefers a path on disk', async () => {
    const paths = freshPaths();
    await addRepository(paths, { name: 'team', url: server.url });
    const cwd = tempDir();
    const io: CliIo = {
      stdout: () => undefined,
      stderr: () => undefined,
      readStdin: async () => '',
      isTTY: false,
      env: { PORTOLAN_REPOSITORY_CONFIG: paths.repositoryConfig, PORTOLAN_REPOSITORY_CACHE: paths.repositoryCache },
      cwd,
    };
    const fromRepo = await loadChartArgument('team/nginx', io, { version: '1.0.x' });
    expect([fromRepo.metadata.name, fromRepo.metadata.version]).toEqual(['nginx', '1.0.0']);
    expect((await loadChartArgument('cache', io, { repo: server.url })).metadata.version).toBe('3.0.0');
    mkdirSync(join(cwd, 'team', 'nginx'), { recursive: true });
    writeFileSync(join(cwd, 'team', 'nginx', 'Chart.yaml'), 'apiVersion: v2\nname: local-nginx\nversion: 0.0.1\n');
    expect((await loadChartArgument('team/nginx', io)).metadata.name).toBe('local-nginx');
    await expect(loadChartArgument('not/there/at-all', io)).rejects.toThrow(/not found/);
  });

  it('dependency update fetches repository dependencies (by URL and by @name) and locks them', async () => {
    const paths = freshPaths();
    await addRepository(paths, { name: 'team', url: server.url });
    const chartDir = tempDir();
    writeFileSync(
      join(chartDir, 'Chart.yaml'),
      `apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n  - name: nginx\n    version: ~1.0.0\n    repository: ${server.url}\n  - name: proxy\n    version: ">= 0.1"\n    repository: "@team"\n`,
    );
    const result = await updateDependencies(chartDir, {
      remote: createRemoteResolver(paths),
      now: new Date('2024-01-01T00:00:00Z'),
    });
    expect(result.lock.dependencies).toEqual([
      { name: 'nginx', version: '1.0.0', repository: server.url },
      { name: 'proxy', version: '0.5.0', repository: '@team' },
    ]);
    expect(result.written.sort()).toEqual(['nginx-1.0.0.tgz', 'proxy-0.5.0.tgz']);
    const served = await http(`${server.url}/charts/nginx-1.0.0.tgz`);
    expect(readFileSync(join(chartDir, 'charts', 'nginx-1.0.0.tgz')).equals(served.body)).toBe(true);
    expect(readFileSync(join(chartDir, 'Chart.lock'), 'utf8')).toContain(`repository: ${server.url}`);

    writeFileSync(
      join(chartDir, 'Chart.yaml'),
      'apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n  - name: x\n    version: 1.0.0\n    repository: "@missing"\n',
    );
    await expect(updateDependencies(chartDir, { remote: createRemoteResolver(paths) })).rejects.toThrow(
      /no repository named "missing"/,
    );
  });
});
