// Attacks on `portolan serve` as an attacker would make them: a real server on 127.0.0.1, crafted archives,
// parallel requests. Each test failed on the server before it was hardened (issue 11).
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIndex } from '../../src/repo/index-model.js';
import { type RepoServer, startRepoServer } from '../../src/repo/server/server.js';
import { makeTar, makeTgz, type RawEntry } from '../helpers/tar.js';
import { bearer, chartArchive, http, tempDir } from './helpers.js';

const TOKEN = 'attack-token';
const servers: RepoServer[] = [];
async function start(options: Partial<Parameters<typeof startRepoServer>[0]> = {}): Promise<RepoServer & { dir: string; logs: string[] }> {
  const dir = options.dir ?? tempDir();
  const logs: string[] = [];
  const server = await startRepoServer({ dir, port: 0, address: '127.0.0.1', authToken: TOKEN, log: (l) => logs.push(l), ...options });
  servers.push(server);
  return Object.assign(server, { dir, logs });
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const upload = (url: string, data: Buffer, query = '') =>
  http(`${url}/api/charts${query}`, { method: 'POST', body: data, headers: { 'Content-Type': 'application/gzip', ...bearer(TOKEN) } });

const chartYaml = (name: string, version: string) => `apiVersion: v2\nname: ${name}\nversion: ${version}\n`;
const FIVE_MIB = Buffer.alloc(5 * 1024 * 1024);
/** `count` files of 5 MiB of zeros under `top/files/`: a few KiB once compressed. */
const bulk = (top: string, count: number): RawEntry[] => Array.from({ length: count }, (_, i) => ({ name: `${top}/files/zero-${i}.bin`, data: FIVE_MIB }));

describe('repository server: archives that inflate past the limit at a nested layer', () => {
  let server: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    server = await start();
  });

  it('refuses a chart whose tar is gzipped a second time (105 MiB inside a small upload)', async () => {
    const inner = makeTgz([{ name: 'bomb/Chart.yaml', data: chartYaml('bomb', '1.0.0') }, ...bulk('bomb', 21)]);
    const upload1 = gzipSync(inner);
    expect(upload1.length).toBeLessThan(1024 * 1024);
    const answer = await upload(server.url, upload1);
    expect(answer.status).toBe(400);
    expect(answer.json<{ error: string }>().error).toMatch(/compressed twice/);
    expect(parseIndex((await http(`${server.url}/index.yaml`)).body, 'served').index.entries.bomb).toBeUndefined();
  });

  it('counts subchart archives against the one limit: two 60 MiB subcharts in one chart are refused', async () => {
    const sub = makeTgz([{ name: 'sub/Chart.yaml', data: chartYaml('sub', '1.0.0') }, ...bulk('sub', 12)]);
    const chart = makeTgz([
      { name: 'umbrella/Chart.yaml', data: chartYaml('umbrella', '1.0.0') },
      { name: 'umbrella/charts/a.tgz', data: sub },
      { name: 'umbrella/charts/b.tgz', data: sub },
    ]);
    const answer = await upload(server.url, chart);
    expect(answer.status).toBe(400);
    expect(answer.json<{ error: string }>().error).toMatch(/decompresses to more than 100 MiB \(counting the archives inside it\)/);
  });

  it('accepts a chart holding a legitimate subchart archive under charts/', async () => {
    const sub = makeTgz([{ name: 'sub/Chart.yaml', data: chartYaml('sub', '1.0.0') }, { name: 'sub/templates/cm.yaml', data: 'kind: ConfigMap\n' }]);
    const chart = makeTgz([{ name: 'shop/Chart.yaml', data: chartYaml('shop', '0.2.0') }, { name: 'shop/charts/sub-1.0.0.tgz', data: sub }]);
    expect((await upload(server.url, chart)).status).toBe(201);
    const index = parseIndex((await http(`${server.url}/index.yaml`)).body, 'served').index;
    expect(index.entries.shop?.[0]?.version).toBe('0.2.0');
  });
});

describe('repository server: one reading of an archive for the check, the store and the index', () => {
  let server: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    server = await start();
  });

  it('refuses an archive with two entries for Chart.yaml, and the real version can still be uploaded', async () => {
    const twice = makeTgz([
      { name: 'hello/Chart.yaml', data: chartYaml('hello', '0.0.1') },
      { name: 'hello/Chart.yaml', data: chartYaml('hello', '1.0.0') },
    ]);
    const answer = await upload(server.url, twice);
    expect(answer.status).toBe(400);
    expect(answer.json<{ error: string }>().error).toMatch(/two entries for "hello\/Chart.yaml"/);
    expect((await upload(server.url, chartArchive('hello', '1.0.0').data)).status).toBe(201);
  });

  it('reads a GNU header as Go does (no path prefix), so the index lists the chart that was validated', async () => {
    // GNU headers keep access times where POSIX ustar keeps a path prefix; a reader taking them for a prefix sees
    // "evil/gnu/Chart.yaml" where the loader saw "gnu/Chart.yaml".
    const archive = makeTgz([
      { name: 'gnu/Chart.yaml', data: chartYaml('gnu', '0.3.0'), magic: 'gnu', prefix: 'evil' },
      { name: 'gnu/values.yaml', data: 'a: 1\n', magic: 'gnu' },
    ]);
    expect((await upload(server.url, archive)).status).toBe(201);
    const index = parseIndex((await http(`${server.url}/index.yaml`)).body, 'served').index;
    expect(index.entries.gnu?.map((e) => e.version)).toEqual(['0.3.0']);
  });

  it('refuses a pax header and a GNU long name that name one entry differently', async () => {
    const pax = (records: string) => {
      const line = (r: string) => {
        let length = r.length + 3;
        while (`${length} ${r}\n`.length !== length) length = `${length} ${r}\n`.length;
        return `${length} ${r}\n`;
      };
      return records.split(';').map(line).join('');
    };
    const archive = gzipSync(
      makeTar([
        { name: 'twin/Chart.yaml', data: chartYaml('twin', '0.1.0') },
        { name: 'PaxHeader', type: 'x', data: pax('path=twin/values.yaml') },
        { name: '././@LongLink', type: 'L', data: 'twin/Chart.yaml\0' },
        { name: 'short', data: chartYaml('twin', '9.9.9') },
      ]),
    );
    const answer = await upload(server.url, archive);
    expect(answer.status).toBe(400);
    expect(answer.json<{ error: string }>().error).toMatch(/two different long names/);
  });
});

describe('repository server: storage keys', () => {
  it('refuses with 409 a chart whose file name another chart already uses (hello-1.0.0 1.0.0 vs hello 1.0.0-1.0.0), even with ?force', async () => {
    const server = await start({ allowOverwrite: true });
    const first = chartArchive('hello-1.0.0', '1.0.0');
    const second = chartArchive('hello', '1.0.0-1.0.0');
    expect(first.fileName).toBe(second.fileName);
    expect((await upload(server.url, first.data)).status).toBe(201);
    for (const query of ['', '?force']) {
      const answer = await upload(server.url, second.data, query);
      expect(answer.status).toBe(409);
      expect(answer.json<{ error: string }>().error).toMatch(/hello-1\.0\.0-1\.0\.0\.tgz already holds hello-1\.0\.0 1\.0\.0/);
    }
    const archive = await http(`${server.url}/charts/${first.fileName}`);
    expect(archive.body.equals(first.data)).toBe(true);
    const index = parseIndex((await http(`${server.url}/index.yaml`)).body, 'served').index;
    expect(Object.keys(index.entries)).toEqual(['hello-1.0.0']);
  });
});
