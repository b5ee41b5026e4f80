// Attacks on `portolan serve` as an attacker would make them: a real server on 127.0.0.1, crafted archives,
// parallel requests. Each test failed on the server before it was hardened (issue 11).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { parseIndex } from '../../src/repo/index-model.js';
import { Authenticator, parseHtpasswd } from '../../src/repo/server/auth.js';
import { type RepoServer, startRepoServer } from '../../src/repo/server/server.js';
import { makeTar, makeTgz, type RawEntry } from '../helpers/tar.js';
import { basic, bearer, chartArchive, http, tempDir } from './helpers.js';

const TOKEN = 'attack-token';
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

const upload = (url: string, data: Buffer, query = '') =>
  http(`${url}/api/charts${query}`, {
    method: 'POST',
    body: data,
    headers: { 'Content-Type': 'application/gzip', ...bearer(TOKEN) },
  });

const captureIo = (): CliIo => ({
  stdout: () => undefined,
  stderr: () => undefined,
  readStdin: async () => '',
  isTTY: false,
  env: { NO_COLOR: '1' },
  cwd: tempDir(),
});

const chartYaml = (name: string, version: string) => `apiVersion: v2\nname: ${name}\nversion: ${version}\n`;
const FIVE_MIB = Buffer.alloc(5 * 1024 * 1024);
/** `count` files of 5 MiB of zeros under `top/files/`: a few KiB once compressed. */
const bulk = (top: string, count: number): RawEntry[] =>
  Array.from({ length: count }, (_, i) => ({ name: `${top}/files/zero-${i}.bin`, data: FIVE_MIB }));

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
    expect(answer.json<{ error: string }>().error).toMatch(
      /decompresses to more than 100 MiB \(counting the archives inside it\)/,
    );
  });

  it('accepts a chart holding a legitimate subchart archive under charts/', async () => {
    const sub = makeTgz([
      { name: 'sub/Chart.yaml', data: chartYaml('sub', '1.0.0') },
      { name: 'sub/templates/cm.yaml', data: 'kind: ConfigMap\n' },
    ]);
    const chart = makeTgz([
      { name: 'shop/Chart.yaml', data: chartYaml('shop', '0.2.0') },
      { name: 'shop/charts/sub-1.0.0.tgz', data: sub },
    ]);
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
      expect(answer.json<{ error: string }>().error).toMatch(
        /hello-1\.0\.0-1\.0\.0\.tgz already holds hello-1\.0\.0 1\.0\.0/,
      );
    }
    const archive = await http(`${server.url}/charts/${first.fileName}`);
    expect(archive.body.equals(first.data)).toBe(true);
    const index = parseIndex((await http(`${server.url}/index.yaml`)).body, 'served').index;
    expect(Object.keys(index.entries)).toEqual(['hello-1.0.0']);
  });
});

/** A raw connection: what was received, and a promise of its end (the server closed it). */
function rawConnection(url: string): { socket: Socket; received: () => string; closed: Promise<void> } {
  const target = new URL(url);
  const socket = connect(Number(target.port), target.hostname);
  let text = '';
  socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, received: () => text, closed };
}

describe('repository server: htpasswd logins under attack', () => {
  // A cost-10 bcrypt hash: about 0.1 s of CPU per comparison in bcryptjs (20 at once stalled the old server ~2 s).
  const hash = bcrypt.hashSync('right-password', 10);

  it('keeps answering GET /index.yaml while 20 clients send wrong passwords in parallel', async () => {
    const server = await start({
      htpasswd: parseHtpasswd(`ci:${hash}\n`, 'htpasswd'),
      authLimits: { freeFailures: 1000 },
    });
    await http(`${server.url}/index.yaml`);
    let running = true;
    const attackers = Array.from({ length: 20 }, async (_, i) => {
      let attempts = 0;
      while (running) {
        // A refused client's connection is closed a second after the 401: on a loaded machine it may be cut before
        // this client read the answer (socket hang up), which is the server doing its job.
        await http(`${server.url}/api/charts`, {
          method: 'POST',
          headers: basic(i % 2 ? 'ci' : `nobody${i}`, `wrong-${attempts++}`),
          body: 'x',
        }).catch(() => undefined);
      }
      return attempts;
    });
    // Reads while the attack runs: each is answered (the old server stalled them for seconds).
    for (let i = 0; i < 10; i++) expect((await http(`${server.url}/index.yaml`)).status).toBe(200);
    running = false;
    const attempts = await Promise.all(attackers);
    expect(attempts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it('answers a read sent after a wrong password before that password is refused: bcrypt never holds up requests', async () => {
    // Ordering, not a time limit: on the old server the comparison ran on the thread that answers, so the read sent
    // right after the login waited for it and came second.
    const server = await start({ htpasswd: parseHtpasswd(`ci:${bcrypt.hashSync('right', 12)}\n`, 'htpasswd') });
    await http(`${server.url}/index.yaml`);
    const order: string[] = [];
    const login = http(`${server.url}/api/charts`, { method: 'POST', headers: basic('ci', 'wrong'), body: 'x' })
      .catch(() => undefined)
      .then(() => order.push('401'));
    // The login's request is on the wire before the read is sent.
    await new Promise((resolve) => setImmediate(resolve));
    const read = http(`${server.url}/index.yaml`).then((r) => order.push(`read ${r.status}`));
    await Promise.all([login, read]);
    expect(order).toEqual(['read 200', '401']);
  });

  it('compares unknown users against a hash of the cost the file itself uses, so timing does not tell which users exist', async () => {
    // Costs other than the default 10 prove it follows the file (a cost of 12 would spend seconds of CPU on it).
    for (const cost of [4, 5, 6]) {
      const auth = new Authenticator({
        tokens: [],
        users: parseHtpasswd(`ci:${bcrypt.hashSync('pw', cost)}\n`, 'htpasswd'),
      });
      expect((await auth.unknownUserHash()).slice(0, 7)).toBe(`$2b$${String(cost).padStart(2, '0')}$`);
      await auth.close();
    }
  });

  it('makes a client that keeps failing wait (429 with Retry-After), without running bcrypt for it', async () => {
    const server = await start({
      htpasswd: parseHtpasswd(`ci:${bcrypt.hashSync('right', 4)}\n`, 'htpasswd'),
      authLimits: { freeFailures: 3, backoffMs: 60_000 },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await http(`${server.url}/api/charts`, { method: 'POST', headers: basic('ci', `wrong${i}`), body: 'x' }))
          .status,
      );
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const refused = await http(`${server.url}/api/charts/x/1.0.0`, { method: 'DELETE', headers: basic('ci', 'right') });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('repository server: slow and hostile connections', () => {
  it('closes the connection after a 401 even while the client keeps trickling its body', async () => {
    const server = await start();
    const conn = rawConnection(server.url);
    conn.socket.write(
      'POST /api/charts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\nContent-Type: application/gzip\r\nContent-Length: 100000\r\n\r\nabc',
    );
    const trickle = setInterval(() => conn.socket.writable && conn.socket.write('x'), 20);
    await conn.closed;
    clearInterval(trickle);
    expect(conn.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(conn.received()).toMatch(/\r\nConnection: close\r\n/i);
  });

  it('ends an authorized upload whose body trickles in for longer than the request timeout', async () => {
    const server = await start({ limits: { requestTimeout: 400, headersTimeout: 200 } });
    const conn = rawConnection(server.url);
    conn.socket.write(
      `POST /api/charts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 100000\r\n\r\nabc`,
    );
    const trickle = setInterval(() => conn.socket.writable && conn.socket.write('x'), 20);
    await conn.closed;
    clearInterval(trickle);
    expect(conn.received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
  });

  it('refuses connections past the cap', async () => {
    const server = await start({ limits: { maxConnections: 2 } });
    const held = [rawConnection(server.url), rawConnection(server.url)];
    for (const c of held) c.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await vi.waitFor(() => expect(held.every((c) => c.received().includes('200 OK'))).toBe(true));
    const third = rawConnection(server.url);
    third.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await third.closed;
    expect(third.received()).toBe('');
    for (const c of held) c.socket.destroy();
  });

  it('answers a GET racing a DELETE with 200 and the whole archive or 404, never an empty reply', async () => {
    const server = await start();
    const archive = chartArchive('race', '1.0.0');
    const statuses = new Map<number | string, number>();
    for (let round = 0; round < 20; round++) {
      expect((await upload(server.url, archive.data)).status).toBe(201);
      let deleting = true;
      const readers = Array.from({ length: 8 }, async () => {
        // Each reader keeps reading until the DELETE has answered, so reads are in flight on both sides of it.
        let seenAfter = 0;
        while (deleting || seenAfter++ < 2) {
          const status = await http(`${server.url}/charts/race-1.0.0.tgz`).then(
            (r) => (r.status === 200 && !r.body.equals(archive.data) ? 'truncated' : r.status),
            (error: Error) => error.message,
          );
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(
        (await http(`${server.url}/api/charts/race/1.0.0`, { method: 'DELETE', headers: bearer(TOKEN) })).status,
      ).toBe(200);
      deleting = false;
      await Promise.all(readers);
    }
    expect(Object.fromEntries([...statuses].filter(([status]) => status !== 200 && status !== 404))).toEqual({});
    expect(statuses.get(200)).toBeGreaterThan(0);
  });

  it('answers a 500 without the absolute paths of the server', async () => {
    const server = await start();
    mkdirSync(join(server.dir, 'blocked-1.0.0.tgz'));
    const answer = await upload(server.url, chartArchive('blocked', '1.0.0').data);
    expect(answer.status).toBe(500);
    expect(answer.text).not.toContain(server.dir);
    expect(answer.text).not.toMatch(/\/tmp\//);
    expect(answer.json<{ error: string }>().error).toMatch(/^internal error: cannot store blocked-1\.0\.0\.tgz/);
  });

  it('writes a user name holding a newline as one escaped access-log line', async () => {
    const server = await start();
    const forged = 'x\n127.0.0.1 admin [2026-01-01] "DELETE /api/charts/web/1.0.0 HTTP/1.1" 200';
    expect(
      (await http(`${server.url}/api/charts/none/1.0.0`, { method: 'DELETE', headers: basic(forged, TOKEN) })).status,
    ).toBe(404);
    await vi.waitFor(() => expect(server.logs.length).toBe(1));
    expect(server.logs[0]).not.toContain('\n');
    expect(server.logs[0]).toContain('x\\x0a127.0.0.1');
  });

  it('sends nosniff and a content security policy on every answer, and archives as attachments', async () => {
    const server = await start();
    expect((await upload(server.url, chartArchive('hdr', '1.0.0').data)).status).toBe(201);
    for (const path of ['/index.yaml', '/hdr-1.0.0.tgz', '/charts/hdr-1.0.0.tgz', '/nope', '/api/charts']) {
      const answer = await http(`${server.url}${path}`);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['content-security-policy']).toMatch(/default-src 'none'/);
    }
    expect((await http(`${server.url}/hdr-1.0.0.tgz`)).headers['content-disposition']).toBe(
      'attachment; filename="hdr-1.0.0.tgz"',
    );
  });
});

describe('repository server: a folder indexed by `repo index`', () => {
  it('is served as it is: the same index.yaml bytes, archives at its relative URLs, no warning', async () => {
    const dir = tempDir();
    for (const [name, version] of [
      ['shop', '0.2.0'],
      ['shop', '0.1.0'],
      ['web', '1.0.0'],
    ] as const) {
      const packaged = chartArchive(name, version);
      writeFileSync(join(dir, packaged.fileName), packaged.data);
    }
    const io = captureIo();
    expect(await runCli(['repo', 'index', dir], io)).toBe(0);
    const written = readFileSync(join(dir, 'index.yaml'));
    const server = await start({ dir });
    expect(server.startReport.repaired).toBeUndefined();
    const served = await http(`${server.url}/index.yaml`);
    expect(served.body.equals(written)).toBe(true);
    const index = parseIndex(served.body, 'served').index;
    const url = index.entries.shop?.[0]?.urls[0] ?? '';
    expect(url).toBe('shop-0.2.0.tgz');
    expect((await http(`${server.url}/${url}`)).status).toBe(200);
  });

  it('says why when the index does not match the archives', async () => {
    const dir = tempDir();
    const packaged = chartArchive('shop', '0.2.0');
    writeFileSync(join(dir, packaged.fileName), packaged.data);
    const io = captureIo();
    expect(await runCli(['repo', 'index', dir, '--url', 'https://example.com/charts'], io)).toBe(0);
    const server = await start({ dir });
    expect(server.startReport.repaired).toBe(
      'index.yaml did not match the archives: 1 listed differently (shop 0.2.0: listed at https://example.com/charts/shop-0.2.0.tgz, served at shop-0.2.0.tgz)',
    );
  });
});
