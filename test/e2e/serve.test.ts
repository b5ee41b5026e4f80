// `portolan serve` as a user runs it: the portolan binary as a real process on a free 127.0.0.1 port, driven over
// HTTP the way CI scripts and push plugins drive ChartMuseum (raw and multipart uploads, tokens and basic auth).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIndex } from '../../src/repo/index-model.js';
import { makeTgz } from '../helpers/tar.js';
import {
  basic,
  bearer,
  chartArchive,
  http,
  killServeProcesses,
  multipart,
  startServe,
  tempDir,
} from '../repo/helpers.js';

afterAll(() => killServeProcesses());

const TOKEN = 'e2e-token-1';
const archivesIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.tgz'))
    .sort();
const listed = (text: Buffer | string) =>
  Object.values(parseIndex(text, 'index').index.entries)
    .flat()
    .map((e) => `${e.name}-${e.version}.tgz`)
    .sort();

function secrets(): { tokenFile: string; htpasswdFile: string } {
  const dir = tempDir('portolan-e2e-secrets-');
  const tokenFile = join(dir, 'tokens');
  const htpasswdFile = join(dir, 'htpasswd');
  writeFileSync(tokenFile, `# CI tokens\n${TOKEN}\n`);
  writeFileSync(htpasswdFile, `ci:${bcrypt.hashSync('hunter2', 4)}\n`);
  return { tokenFile, htpasswdFile };
}

describe('portolan serve, end to end', () => {
  it('takes raw and multipart uploads, refuses an existing version, replaces it with ?force, deletes, and logs every request', async () => {
    const dir = tempDir();
    const { tokenFile, htpasswdFile } = secrets();
    const server = await startServe([
      '--dir',
      dir,
      '--auth-token-file',
      tokenFile,
      '--htpasswd',
      htpasswdFile,
      '--allow-overwrite',
    ]);
    let requests = 0;
    const call = (...args: Parameters<typeof http>) => {
      requests++;
      return http(...args);
    };
    const v1 = chartArchive('shop', '1.0.0');
    const raw = await call(`${server.url}/api/charts`, {
      method: 'POST',
      body: v1.data,
      headers: { 'Content-Type': 'application/octet-stream', ...bearer(TOKEN) },
    });
    expect([raw.status, raw.json()]).toEqual([201, { saved: true }]);
    const form = multipart('chart', 'shop-1.1.0.tgz', chartArchive('shop', '1.1.0').data);
    const viaForm = await call(`${server.url}/api/charts`, {
      method: 'POST',
      body: form.body,
      headers: { 'Content-Type': form.contentType, ...basic('ci', 'hunter2') },
    });
    expect([viaForm.status, viaForm.json()]).toEqual([201, { saved: true }]);

    const changed = chartArchive('shop', '1.0.0', { description: 'changed' });
    const conflict = await call(`${server.url}/api/charts`, {
      method: 'POST',
      body: changed.data,
      headers: bearer(TOKEN),
    });
    expect(conflict.status).toBe(409);
    expect(readFileSync(join(dir, 'shop-1.0.0.tgz')).equals(v1.data)).toBe(true);
    const forced = await call(`${server.url}/api/charts?force`, {
      method: 'POST',
      body: changed.data,
      headers: bearer(TOKEN),
    });
    expect(forced.status).toBe(201);
    const index = await call(`${server.url}/index.yaml`);
    expect(parseIndex(index.body, 'served').index.entries.shop?.map((e) => [e.version, e.digest])).toEqual([
      ['1.1.0', chartArchive('shop', '1.1.0').digest],
      ['1.0.0', changed.digest],
    ]);

    const deleted = await call(`${server.url}/api/charts/shop/1.1.0`, { method: 'DELETE', headers: bearer(TOKEN) });
    expect([deleted.status, deleted.json()]).toEqual([200, { deleted: true }]);
    expect(archivesIn(dir)).toEqual(['shop-1.0.0.tgz']);
    expect(listed(readFileSync(join(dir, 'index.yaml')))).toEqual(['shop-1.0.0.tgz']);
    expect(
      (await call(`${server.url}/api/charts/shop`)).json<Array<{ version: string }>>().map((e) => e.version),
    ).toEqual(['1.0.0']);

    const accessLines = () =>
      server
        .stdout()
        .split('\n')
        .filter((l) =>
          /^127\.0\.0\.1 \S+ \[[^\]]+\] "(GET|POST|DELETE|HEAD) \S+ HTTP\/1\.1" \d{3} \d+ [\d.]+ms$/.test(l),
        );
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // Every line it printed has been read once its output closed.
    await server.closed;
    expect(server.stderr()).toMatch(/SIGTERM: finishing requests in flight and stopping/);
    const logLines = accessLines();
    expect(logLines).toHaveLength(requests);
    expect(logLines.filter((l) => / ci \[/.test(l))).toHaveLength(1);
    expect(logLines.some((l) => /"POST \/api\/charts\?force HTTP\/1\.1" 201 /.test(l))).toBe(true);
  });

  it('refuses writes without valid credentials, oversize uploads, garbage and traversal, storing nothing', async () => {
    const dir = tempDir();
    const { tokenFile, htpasswdFile } = secrets();
    const server = await startServe([
      '--dir',
      dir,
      '--auth-token-file',
      tokenFile,
      '--htpasswd',
      htpasswdFile,
      '--max-upload-size',
      '64KiB',
      '--quiet',
    ]);
    const good = chartArchive('web', '1.0.0');
    expect((await http(`${server.url}/api/charts`, { method: 'POST', body: good.data })).status).toBe(401);
    expect(
      (await http(`${server.url}/api/charts`, { method: 'POST', body: good.data, headers: bearer('not-the-token') }))
        .status,
    ).toBe(401);
    expect(
      (await http(`${server.url}/api/charts`, { method: 'POST', body: good.data, headers: basic('ci', 'wrong') }))
        .status,
    ).toBe(401);
    expect((await http(`${server.url}/api/charts/web/1.0.0`, { method: 'DELETE' })).status).toBe(401);

    const big = await http(`${server.url}/api/charts`, {
      method: 'POST',
      body: Buffer.alloc(65 * 1024, 7),
      headers: bearer(TOKEN),
    });
    expect(big.status).toBe(413);
    const garbage = await http(`${server.url}/api/charts`, {
      method: 'POST',
      body: 'not an archive at all',
      headers: bearer(TOKEN),
    });
    expect(garbage.status).toBe(400);
    const traversal = makeTgz([
      { name: 'web/Chart.yaml', data: 'apiVersion: v2\nname: web\nversion: 2.0.0\n' },
      { name: 'web/../../../../tmp/owned', data: 'x' },
    ]);
    const refused = await http(`${server.url}/api/charts`, { method: 'POST', body: traversal, headers: bearer(TOKEN) });
    expect(refused.status).toBe(400);
    expect(refused.json<{ error: string }>().error).toMatch(/leaves the chart folder/);
    for (const path of [
      '/charts/../index.yaml',
      '/charts/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/api/charts/..%2f..',
      '/charts/..\\x.tgz',
    ]) {
      expect((await http(server.url, { path })).status, path).toBe(400);
    }
    expect(archivesIn(dir)).toEqual([]);
    expect(
      readdirSync(dir)
        .filter((f) => !f.startsWith('.portolan'))
        .sort(),
    ).toEqual(['index.yaml']);
    expect(listed((await http(`${server.url}/index.yaml`)).body)).toEqual([]);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('keeps every one of 50 concurrent uploads in the index, on disk and served', async () => {
    const dir = tempDir();
    const { tokenFile } = secrets();
    const server = await startServe(['--dir', dir, '--auth-token-file', tokenFile, '--quiet']);
    const archives = Array.from({ length: 50 }, (_, i) => chartArchive(`many${i % 7}`, `0.${i}.0`));
    const results = await Promise.all(
      archives.map((a, i) =>
        i % 2
          ? http(`${server.url}/api/charts`, { method: 'POST', body: a.data, headers: bearer(TOKEN) })
          : (() => {
              const form = multipart('chart', a.fileName, a.data);
              return http(`${server.url}/api/charts`, {
                method: 'POST',
                body: form.body,
                headers: { 'Content-Type': form.contentType, ...bearer(TOKEN) },
              });
            })(),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const expected = archives.map((a) => a.fileName).sort();
    expect(archivesIn(dir)).toEqual(expected);
    expect(listed(readFileSync(join(dir, 'index.yaml')))).toEqual(expected);
    expect(listed((await http(`${server.url}/index.yaml`)).body)).toEqual(expected);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('rebuilds a corrupt index at start from the archives, saying so', async () => {
    const dir = tempDir();
    const kept = [chartArchive('a', '1.0.0'), chartArchive('b', '2.0.0')];
    for (const archive of kept) writeFileSync(join(dir, archive.fileName), archive.data);
    writeFileSync(join(dir, 'index.yaml'), 'apiVersion: v1\nentries:\n  a: [ {name: a, version: 1.0.0\n');
    const server = await startServe(['--dir', dir, '--quiet']);
    expect(server.stderr()).toMatch(/Warning: index\.yaml was corrupt \(.*\); rebuilt it from 2 archives/);
    expect(server.stdout()).toMatch(/\(2 chart versions\)/);
    expect(listed((await http(`${server.url}/index.yaml`)).body)).toEqual(['a-1.0.0.tgz', 'b-2.0.0.tgz']);
    expect(listed(readFileSync(join(dir, 'index.yaml')))).toEqual(['a-1.0.0.tgz', 'b-2.0.0.tgz']);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('with --private, answers reads only with credentials, basic auth with the token as password included', async () => {
    const dir = tempDir();
    const { tokenFile } = secrets();
    const server = await startServe(['--dir', dir, '--auth-token-file', tokenFile, '--private', '--quiet']);
    expect((await http(`${server.url}/index.yaml`)).status).toBe(401);
    expect((await http(`${server.url}/index.yaml`, { headers: basic('anyone', TOKEN) })).status).toBe(200);
    expect((await http(`${server.url}/health`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const refused = await startServe(['--dir', dir, '--private']).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/a private repository needs credentials/);
  });
});
