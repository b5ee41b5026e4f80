import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIndex } from '../../src/repo/index-model.js';
import { parseHtpasswd } from '../../src/repo/server/auth.js';
import { type RepoServer, startRepoServer } from '../../src/repo/server/server.js';
import { makeTgz } from '../helpers/tar.js';
import { until } from '../helpers/until.js';
import { basic, bearer, chartArchive, http, multipart, tempDir } from './helpers.js';

const TOKEN = 's3cret-token';
// htpasswd -B: user "ci", password "hunter2" (cost 4 keeps the test fast).
const HTPASSWD = 'ci:$2b$04$CBqWjvLjgSbC19yQXnA2LuP9KzgIeO2RrlSi41Q4YYLLxia70xVou\n';

const servers: RepoServer[] = [];
async function start(
  options: Partial<Parameters<typeof startRepoServer>[0]> = {},
): Promise<RepoServer & { dir: string; logs: string[] }> {
  const dir = options.dir ?? tempDir();
  const logs: string[] = [];
  const server = await startRepoServer({
    dir,
    port: 0,
    address: '127.0.0.1',
    authToken: TOKEN,
    log: (l) => logs.push(l),
    ...options,
  });
  servers.push(server);
  return Object.assign(server, { dir, logs });
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const upload = (url: string, data: Buffer, headers: Record<string, string> = bearer(TOKEN), query = '') =>
  http(`${url}/api/charts${query}`, {
    method: 'POST',
    body: data,
    headers: { 'Content-Type': 'application/gzip', ...headers },
  });

function indexOnDisk(dir: string) {
  return parseIndex(readFileSync(join(dir, 'index.yaml')), 'index.yaml').index;
}

describe('repository server: reads', () => {
  let server: Awaited<ReturnType<typeof start>>;
  const web = chartArchive('web', '1.0.0');
  beforeAll(async () => {
    server = await start();
    expect((await upload(server.url, web.data)).status).toBe(201);
  });

  it('serves index.yaml with an ETag, 304 on If-None-Match, gzip when asked, and HEAD without a body', async () => {
    const full = await http(`${server.url}/index.yaml`);
    expect(full.status).toBe(200);
    expect(full.headers['content-type']).toBe('application/x-yaml');
    const index = parseIndex(full.body, 'served').index;
    expect(index.entries.web?.[0]).toMatchObject({ version: '1.0.0', digest: web.digest, urls: ['web-1.0.0.tgz'] });
    const etag = full.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);

    const conditional = await http(`${server.url}/index.yaml`, { headers: { 'If-None-Match': etag } });
    expect(conditional.status).toBe(304);
    expect(conditional.body.length).toBe(0);

    const gz = await http(`${server.url}/index.yaml`, { headers: { 'Accept-Encoding': 'br, gzip;q=0.8' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(full.body)).toBe(true);
    expect(
      (await http(`${server.url}/index.yaml`, { headers: { 'Accept-Encoding': 'gzip;q=0' } })).headers[
        'content-encoding'
      ],
    ).toBeUndefined();
    expect(
      (await http(`${server.url}/index.yaml`, { headers: { 'If-None-Match': gz.headers.etag as string } })).status,
    ).toBe(304);

    const head = await http(`${server.url}/index.yaml`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(full.body.length);
    expect(head.body.length).toBe(0);

    const asJson = await http(`${server.url}/index.json`);
    expect(asJson.headers['content-type']).toBe('application/json');
    expect(parseIndex(asJson.body, 'json').index.entries).toEqual(index.entries);
  });

  it('serves archives byte for byte with their digest as ETag, and 404s for unknown ones', async () => {
    const got = await http(`${server.url}/charts/web-1.0.0.tgz`);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('application/gzip');
    expect(got.body.equals(web.data)).toBe(true);
    expect(got.headers.etag).toBe(`"${web.digest}"`);
    expect(
      (await http(`${server.url}/charts/web-1.0.0.tgz`, { headers: { 'If-None-Match': `"${web.digest}"` } })).status,
    ).toBe(304);
    expect((await http(`${server.url}/charts/web-9.9.9.tgz`)).status).toBe(404);
    // The cache file and the index live in the same folder but are not archives.
    expect((await http(`${server.url}/charts/.portolan-index-cache.json`)).status).toBe(404);
  });

  it('refuses path traversal in URLs', async () => {
    for (const path of [
      '/charts/../index.yaml',
      '/charts/%2e%2e/index.yaml',
      '/charts/..%2f..%2fetc%2fpasswd',
      '/charts/%2e%2e%5cx.tgz',
      '/charts/a%00.tgz',
    ]) {
      const res = await http(server.url, { path });
      expect(res.status, path).toBe(400);
      expect(res.json()).toEqual({ error: 'path refused' });
    }
  });

  it('answers the ChartMuseum read API, health, 404 and 405', async () => {
    expect((await http(`${server.url}/health`)).json()).toEqual({ healthy: true });
    expect(Object.keys((await http(`${server.url}/api/charts`)).json<Record<string, unknown>>())).toEqual(['web']);
    expect(
      (await http(`${server.url}/api/charts/web`)).json<Array<{ version: string }>>().map((e) => e.version),
    ).toEqual(['1.0.0']);
    expect((await http(`${server.url}/api/charts/web/1.0.0`)).json<{ digest: string }>().digest).toBe(web.digest);
    expect((await http(`${server.url}/api/charts/web/latest`)).json<{ version: string }>().version).toBe('1.0.0');
    expect((await http(`${server.url}/api/charts/nope`)).status).toBe(404);
    expect((await http(`${server.url}/api/charts/web/2.0.0`)).status).toBe(404);
    expect((await http(`${server.url}/nothing`)).status).toBe(404);
    const wrong = await http(`${server.url}/index.yaml`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD');
  });

  it('writes one access-log line per request', async () => {
    const before = server.logs.length;
    await http(`${server.url}/health`);
    // The line is written when the response finishes on the server's side, which may come after the client read it.
    await until(() => server.logs.length > before);
    expect(server.logs.length).toBe(before + 1);
    expect(server.logs.at(-1)).toMatch(/^127\.0\.0\.1 - \[.+\] "GET \/health HTTP\/1\.1" 200 \d+ [\d.]+ms$/);
  });
});

describe('repository server: uploads and deletes', () => {
  it('stores raw and multipart uploads, refuses an existing version, and replaces it only with ?force on a server that allows it', async () => {
    const server = await start();
    const v1 = chartArchive('app', '1.0.0');
    const created = await upload(server.url, v1.data);
    expect([created.status, created.json()]).toEqual([201, { saved: true }]);
    const form = multipart('chart', 'app-1.1.0.tgz', chartArchive('app', '1.1.0').data);
    const viaForm = await http(`${server.url}/api/charts`, {
      method: 'POST',
      body: form.body,
      headers: { 'Content-Type': form.contentType, ...bearer(TOKEN) },
    });
    expect(viaForm.status).toBe(201);
    expect(indexOnDisk(server.dir).entries.app?.map((e) => e.version)).toEqual(['1.1.0', '1.0.0']);

    const changed = chartArchive('app', '1.0.0', { description: 'changed' });
    const conflict = await upload(server.url, changed.data);
    expect(conflict.status).toBe(409);
    expect(conflict.json<{ error: string }>().error).toMatch(/app 1\.0\.0 already exists/);
    const forcedButNotAllowed = await upload(server.url, changed.data, bearer(TOKEN), '?force');
    expect(forcedButNotAllowed.status).toBe(409);
    expect(forcedButNotAllowed.json<{ error: string }>().error).toMatch(/--allow-overwrite/);
    expect(readFileSync(join(server.dir, 'app-1.0.0.tgz')).equals(v1.data)).toBe(true);

    const permissive = await start({ allowOverwrite: true });
    await upload(permissive.url, v1.data);
    expect((await upload(permissive.url, changed.data)).status).toBe(409);
    expect((await upload(permissive.url, changed.data, bearer(TOKEN), '?force')).status).toBe(201);
    expect(indexOnDisk(permissive.dir).entries.app?.[0]?.digest).toBe(changed.digest);
    expect((await http(`${permissive.url}/charts/app-1.0.0.tgz`)).body.equals(changed.data)).toBe(true);
  });

  it('serves a small archive from memory after the first request, and never a copy an upload or delete replaced', async () => {
    const server = await start({ allowOverwrite: true });
    const v1 = chartArchive('mem', '1.0.0');
    await upload(server.url, v1.data);
    expect((await http(`${server.url}/mem-1.0.0.tgz`)).body.equals(v1.data)).toBe(true);
    // The file is overwritten behind the server's back: the answer still comes from memory, whole and unchanged.
    writeFileSync(join(server.dir, 'mem-1.0.0.tgz'), 'not what was uploaded');
    expect((await http(`${server.url}/mem-1.0.0.tgz`)).body.equals(v1.data)).toBe(true);
    const v2 = chartArchive('mem', '1.0.0', { description: 'second' });
    expect((await upload(server.url, v2.data, bearer(TOKEN), '?force')).status).toBe(201);
    const after = await http(`${server.url}/mem-1.0.0.tgz`);
    expect([after.body.equals(v2.data), after.headers.etag]).toEqual([true, `"${v2.digest}"`]);
    await http(`${server.url}/api/charts/mem/1.0.0`, { method: 'DELETE', headers: bearer(TOKEN) });
    expect((await http(`${server.url}/mem-1.0.0.tgz`)).status).toBe(404);
  });

  it('deletes a version from the index and the folder', async () => {
    const server = await start();
    await upload(server.url, chartArchive('gone', '1.0.0').data);
    await upload(server.url, chartArchive('gone', '2.0.0').data);
    const deleted = await http(`${server.url}/api/charts/gone/1.0.0`, { method: 'DELETE', headers: bearer(TOKEN) });
    expect([deleted.status, deleted.json()]).toEqual([200, { deleted: true }]);
    expect(existsSync(join(server.dir, 'gone-1.0.0.tgz'))).toBe(false);
    expect(indexOnDisk(server.dir).entries.gone?.map((e) => e.version)).toEqual(['2.0.0']);
    expect((await http(`${server.url}/charts/gone-1.0.0.tgz`)).status).toBe(404);
    expect(
      (await http(`${server.url}/api/charts/gone/1.0.0`, { method: 'DELETE', headers: bearer(TOKEN) })).status,
    ).toBe(404);
    await http(`${server.url}/api/charts/gone/2.0.0`, { method: 'DELETE', headers: bearer(TOKEN) });
    expect(indexOnDisk(server.dir).entries).toEqual({});
  });

  it('refuses writes without valid credentials; accepts a token, or basic auth against bcrypt htpasswd', async () => {
    const server = await start({ htpasswd: parseHtpasswd(HTPASSWD, 'htpasswd') });
    const data = chartArchive('locked', '1.0.0').data;
    const none = await upload(server.url, data, {});
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="portolan"');
    expect((await upload(server.url, data, bearer('wrong'))).status).toBe(401);
    expect((await upload(server.url, data, basic('ci', 'wrong'))).status).toBe(401);
    expect((await upload(server.url, data, basic('nobody', 'hunter2'))).status).toBe(401);
    expect((await http(`${server.url}/api/charts/locked/1.0.0`, { method: 'DELETE' })).status).toBe(401);
    expect(readdirSync(server.dir).filter((f) => f.endsWith('.tgz'))).toEqual([]);
    expect((await upload(server.url, data, basic('ci', 'hunter2'))).status).toBe(201);
    expect(
      (await http(`${server.url}/api/charts/locked/1.0.0`, { method: 'DELETE', headers: basic('anyone', TOKEN) }))
        .status,
    ).toBe(200);
    // Reads stay anonymous on a server that is not private.
    expect((await http(`${server.url}/index.yaml`)).status).toBe(200);
  });

  it('with --private, reads need credentials too (but /health does not)', async () => {
    const server = await start({ private: true });
    expect((await http(`${server.url}/index.yaml`)).status).toBe(401);
    expect((await http(`${server.url}/charts/x-1.0.0.tgz`)).status).toBe(401);
    expect((await http(`${server.url}/index.yaml`, { headers: bearer(TOKEN) })).status).toBe(200);
    expect((await http(`${server.url}/health`)).status).toBe(200);
    await expect(startRepoServer({ dir: tempDir(), port: 0, private: true })).rejects.toThrow(
      /private repository needs credentials/,
    );
  });

  it('without any credentials configured, refuses writes unless anonymous writes are allowed', async () => {
    const closed = await start({ authToken: undefined });
    expect((await upload(closed.url, chartArchive('x', '1.0.0').data, {})).status).toBe(403);
    const open = await start({ authToken: undefined, allowAnonymousWrites: true });
    expect((await upload(open.url, chartArchive('x', '1.0.0').data, {})).status).toBe(201);
  });

  it('refuses an upload over --max-upload-size with 413, whether or not Content-Length says so', async () => {
    const server = await start({ maxUploadSize: 1000 });
    const big = Buffer.alloc(5000, 1);
    expect((await upload(server.url, big)).status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      // No Content-Length: the limit is enforced while reading.
      import('node:http').then(({ request }) => {
        const u = new URL(`${server.url}/api/charts`);
        const req = request(
          {
            host: u.hostname,
            port: u.port,
            path: u.pathname,
            method: 'POST',
            headers: { ...bearer(TOKEN), 'Transfer-Encoding': 'chunked' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        for (let i = 0; i < 5; i++) req.write(Buffer.alloc(400, 2));
        req.end();
      }, reject);
    });
    expect(chunked).toBe(413);
    expect(readdirSync(server.dir).filter((f) => !f.startsWith('index') && !f.startsWith('.portolan'))).toEqual([]);
  });

  it('validates uploads completely and stores nothing when they are garbage, hostile or misnamed', async () => {
    const server = await start();
    const cases: Array<[string, Buffer, RegExp, string?]> = [
      ['garbage', Buffer.from('definitely not a tgz'), /not a valid chart archive.*gzip/],
      [
        'traversal',
        makeTgz([
          { name: 'evil/Chart.yaml', data: 'apiVersion: v2\nname: evil\nversion: 1.0.0\n' },
          { name: 'evil/../../x', data: 'x' },
        ]),
        /\.\./,
      ],
      [
        'symlink',
        makeTgz([
          { name: 'evil/Chart.yaml', data: 'apiVersion: v2\nname: evil\nversion: 1.0.0\n' },
          { name: 'evil/link', type: '2', linkname: '/etc/passwd' },
        ]),
        /link/,
      ],
      ['no chart', makeTgz([{ name: 'evil/values.yaml', data: 'a: 1\n' }]), /Chart\.yaml is missing/],
      [
        'wrong folder',
        makeTgz([{ name: 'other/Chart.yaml', data: 'apiVersion: v2\nname: evil\nversion: 1.0.0\n' }]),
        /top folder "other\/"/,
      ],
      [
        'bad name',
        makeTgz([{ name: 'e vil/Chart.yaml', data: 'apiVersion: v2\nname: e vil\nversion: 1.0.0\n' }]),
        /chart name "e vil"/,
      ],
      [
        'bad version',
        makeTgz([{ name: 'evil/Chart.yaml', data: 'apiVersion: v2\nname: evil\nversion: one\n' }]),
        /not a valid SemVer/,
      ],
    ];
    for (const [label, data, pattern] of cases) {
      const res = await upload(server.url, data);
      expect(res.status, label).toBe(400);
      expect(res.json<{ error: string }>().error, label).toMatch(pattern);
    }
    const form = multipart('chart', 'web-9.9.9.tgz', chartArchive('web', '1.0.0').data);
    const misnamed = await http(`${server.url}/api/charts`, {
      method: 'POST',
      body: form.body,
      headers: { 'Content-Type': form.contentType, ...bearer(TOKEN) },
    });
    expect(misnamed.status).toBe(400);
    expect(misnamed.json<{ error: string }>().error).toMatch(/"web-9\.9\.9\.tgz" does not match .*"web-1\.0\.0\.tgz"/);
    const noField = multipart('file', 'web-1.0.0.tgz', chartArchive('web', '1.0.0').data);
    expect(
      (
        await http(`${server.url}/api/charts`, {
          method: 'POST',
          body: noField.body,
          headers: { 'Content-Type': noField.contentType, ...bearer(TOKEN) },
        })
      ).status,
    ).toBe(400);
    expect(readdirSync(server.dir).filter((f) => f !== '.portolan-index-cache.json')).toEqual(['index.yaml']);
    expect(indexOnDisk(server.dir).entries).toEqual({});
  });

  it('keeps every one of 50 concurrent uploads in the index', async () => {
    const server = await start();
    const archives = Array.from({ length: 50 }, (_, i) => chartArchive(`c${i % 10}`, `1.${Math.floor(i / 10)}.0`));
    const results = await Promise.all(archives.map((a) => upload(server.url, a.data)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const onDisk = indexOnDisk(server.dir);
    const served = parseIndex((await http(`${server.url}/index.yaml`)).body, 'served').index;
    for (const index of [onDisk, served]) {
      const listed = Object.values(index.entries)
        .flat()
        .map((e) => `${e.name}-${e.version}`);
      expect(listed.sort()).toEqual(archives.map((a) => a.fileName.replace(/\.tgz$/, '')).sort());
    }
    expect(readdirSync(server.dir).filter((f) => f.endsWith('.tgz'))).toHaveLength(50);
  });

  it('lets only one of two concurrent uploads of the same version win', async () => {
    const server = await start();
    const a = chartArchive('race', '1.0.0', { description: 'a' });
    const b = chartArchive('race', '1.0.0', { description: 'b' });
    const statuses = (await Promise.all([upload(server.url, a.data), upload(server.url, b.data)]))
      .map((r) => r.status)
      .sort();
    expect(statuses).toEqual([201, 409]);
    const stored = readFileSync(join(server.dir, 'race-1.0.0.tgz'));
    expect(indexOnDisk(server.dir).entries.race?.[0]?.digest).toBe(stored.equals(a.data) ? a.digest : b.digest);
  });
});

describe('repository server: start-up repair', () => {
  it('rebuilds a corrupt or missing index from the archives, and adds archives the index lacks', async () => {
    const dir = tempDir();
    const first = await start({ dir });
    await upload(first.url, chartArchive('keep', '1.0.0').data);
    await first.stop();

    writeFileSync(join(dir, 'index.yaml'), 'apiVersion: v1\nentries: {keep: [\n');
    const extra = chartArchive('dropped-in', '0.1.0');
    writeFileSync(join(dir, extra.fileName), extra.data);
    writeFileSync(join(dir, '.upload-deadbeef.tmp'), 'half an upload');
    const second = await start({ dir });
    expect(second.startReport.repaired).toMatch(/corrupt/);
    expect(Object.keys(indexOnDisk(dir).entries).sort()).toEqual(['dropped-in', 'keep']);
    expect(existsSync(join(dir, '.upload-deadbeef.tmp'))).toBe(false);
    await second.stop();

    rmSync(join(dir, 'index.yaml'));
    rmSync(join(dir, 'keep-1.0.0.tgz'));
    const third = await start({ dir });
    expect(third.startReport.repaired).toMatch(/missing/);
    expect(Object.keys(indexOnDisk(dir).entries)).toEqual(['dropped-in']);
    expect((await http(`${third.url}/charts/keep-1.0.0.tgz`)).status).toBe(404);
    await third.stop();

    const fourth = await start({ dir });
    expect(fourth.startReport.repaired).toBeUndefined();
    expect(fourth.startReport.read).toBe(0);
  });
});
