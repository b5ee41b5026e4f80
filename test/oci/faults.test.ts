// A registry that misbehaves, as a small in-test server: a manifest of the wrong media type, a blob whose bytes do
// not match its digest, a 2 GB layer, a bearer-token registry, and no registry at all. Each failure is a
// PortolanError naming the reference, and nothing is left in the blob cache.
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortolanError } from '../../src/errors.js';
import { pullChart } from '../../src/oci/chart.js';
import { registryPaths } from '../../src/oci/credentials.js';
import { chartArtifact, CONFIG_MEDIA_TYPE } from '../../src/oci/manifest.js';
import { parseChartYaml } from '../../src/chart/metadata.js';
import { freePort } from '../helpers/registry.js';
import { chartArchive, tempDir } from '../repo/helpers.js';

interface Stored {
  manifest: Buffer;
  contentType?: string;
  blobs: Map<string, Buffer>;
}

const repos = new Map<string, Stored>();
const blobRequests: string[] = [];
let server: Server;
let host: string;
const TOKEN = 'tok-123';

/** Stores a chart the way helm pushes it, then lets `change` spoil it. */
function store(repo: string, change: (s: Stored, artifact: ReturnType<typeof chartArtifact>) => void = () => {}) {
  const packaged = chartArchive(repo.split('/').pop() as string, '1.0.0');
  const metadata = parseChartYaml(`apiVersion: v2\nname: ${repo.split('/').pop()}\nversion: 1.0.0\n`, 'Chart.yaml');
  const artifact = chartArtifact({ metadata, archive: packaged.data, created: '2026-01-01T00:00:00Z' });
  const stored: Stored = { manifest: artifact.manifest, blobs: new Map() };
  for (const blob of artifact.blobs) stored.blobs.set(blob.descriptor.digest, blob.data);
  change(stored, artifact);
  repos.set(repo, stored);
}

function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', `http://${host}`);
  if (url.pathname === '/token') {
    const basic = `Basic ${Buffer.from('bob:pw').toString('base64')}`;
    if (req.headers.authorization !== basic) return void res.writeHead(401).end();
    if (
      url.searchParams.get('service') !== 'fake' ||
      !url.searchParams.getAll('scope').includes('repository:tokened/app:pull')
    )
      return void res.writeHead(400).end();
    return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: TOKEN }));
  }
  const match = /^\/v2\/(.+)\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
  const repo = match?.[1] ?? '';
  if (repo.startsWith('tokened/') || (url.pathname === '/v2/' && req.headers.authorization?.startsWith('Bearer'))) {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return void res
        .writeHead(401, {
          'WWW-Authenticate': `Bearer realm="http://${host}/token",service="fake",scope="repository:${repo}:pull"`,
        })
        .end();
    }
  }
  if (url.pathname === '/v2/') return void res.writeHead(200).end('{}');
  const stored = repos.get(repo);
  if (!match || !stored) return void res.writeHead(404).end();
  if (match[2] === 'manifests') {
    return void res
      .writeHead(200, { 'Content-Type': stored.contentType ?? 'application/vnd.oci.image.manifest.v1+json' })
      .end(stored.manifest);
  }
  blobRequests.push(`${repo}@${match[3]}${req.headers.range ? ` ${req.headers.range}` : ''}`);
  const blob = stored.blobs.get(match[3] as string);
  if (!blob) return void res.writeHead(404).end();
  if (repo === 'flaky/app' && blob.length > 200) {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (!range) {
      // The first time: half the bytes, then the connection ends (the declared length is never reached).
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.length });
      return void res.write(blob.subarray(0, 150), () => res.socket?.end());
    }
    const from = Number(range[1]);
    return void res
      .writeHead(206, {
        'Content-Range': `bytes ${from}-${blob.length - 1}/${blob.length}`,
        'Content-Length': blob.length - from,
      })
      .end(blob.subarray(from));
  }
  res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(blob);
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  store('good/app');
  store('flaky/app');
  store('tokened/app');
  store('image/app', (s, artifact) => {
    const manifest = JSON.parse(artifact.manifest.toString()) as { config: { mediaType: string } };
    manifest.config.mediaType = 'application/vnd.oci.image.config.v1+json';
    s.manifest = Buffer.from(JSON.stringify(manifest));
  });
  store('docker/app', (s) => {
    s.contentType = 'application/vnd.docker.distribution.manifest.v2+json';
    const manifest = JSON.parse(s.manifest.toString()) as Record<string, unknown>;
    s.manifest = Buffer.from(
      JSON.stringify({ ...manifest, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }),
    );
  });
  store('corrupt/app', (s, artifact) => {
    const layer = artifact.blobs[1]?.descriptor.digest as string;
    const bytes = Buffer.from(s.blobs.get(layer) as Buffer);
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0xff, bytes.length - 1);
    s.blobs.set(layer, bytes);
  });
  store('huge/app', (s) => {
    const manifest = JSON.parse(s.manifest.toString()) as { layers: Array<{ size: number }> };
    (manifest.layers[0] as { size: number }).size = 2 * 1024 * 1024 * 1024;
    s.manifest = Buffer.from(JSON.stringify(manifest));
  });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function paths() {
  const home = tempDir('portolan-oci-faults-');
  return registryPaths({ HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') });
}

async function failure(ref: string, p = paths(), options: Parameters<typeof pullChart>[2] = {}) {
  const error = await pullChart(ref, p, { plainHttp: true, ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PortolanError);
  const cached = existsSync(join(p.cache, 'blobs', 'sha256')) ? readdirSync(join(p.cache, 'blobs', 'sha256')) : [];
  return { message: (error as PortolanError).message, hint: (error as PortolanError).hint, cached };
}

describe('a registry that misbehaves', () => {
  it('pulls a good chart, with only verified blobs in the cache', async () => {
    const p = paths();
    const pulled = await pullChart(`oci://${host}/good/app`, p, { plainHttp: true, version: '1.0.0' });
    expect(pulled.name).toBe('app');
    expect(pulled.ref).toBe(`${host}/good/app:1.0.0`);
    expect(readdirSync(join(p.cache, 'blobs', 'sha256')).sort()).toEqual(
      [...(repos.get('good/app') as Stored).blobs.keys()].map((d) => d.slice(7)).sort(),
    );
  });

  it('refuses a manifest whose config is not a Helm chart config, naming the reference', async () => {
    const f = await failure(`oci://${host}/image/app:1.0.0`);
    expect(f.message).toBe(
      `oci://${host}/image/app:1.0.0: the config has the media type application/vnd.oci.image.config.v1+json, not ${CONFIG_MEDIA_TYPE}: it is not a Helm chart`,
    );
    expect(f.cached).toEqual([]);
  });

  it('refuses a manifest of another media type', async () => {
    const f = await failure(`oci://${host}/docker/app:1.0.0`);
    expect(f.message).toContain(
      `oci://${host}/docker/app:1.0.0: the manifest has the media type application/vnd.docker.distribution.manifest.v2+json`,
    );
  });

  it('refuses a blob whose bytes do not match its digest and leaves no partial file', async () => {
    const f = await failure(`oci://${host}/corrupt/app:1.0.0`);
    expect(f.message).toMatch(
      new RegExp(`^oci://${host}/corrupt/app:1.0.0: the blob's digest is sha256:[a-f0-9]{64}, not sha256:`),
    );
    // The config blob was good and stays; the bad layer and its temporary file are gone.
    const layer = (
      JSON.parse((repos.get('corrupt/app') as Stored).manifest.toString()) as { layers: Array<{ digest: string }> }
    ).layers[0]?.digest;
    expect(f.cached.some((name) => name.includes(layer?.slice(7) ?? '-'))).toBe(false);
    expect(f.cached.every((name) => /^[a-f0-9]{64}$/.test(name))).toBe(true);
  });

  it('refuses a 2 GB layer from the manifest alone, before downloading any blob', async () => {
    const before = blobRequests.filter((r) => r.startsWith('huge/')).length;
    const f = await failure(`oci://${host}/huge/app:1.0.0`);
    expect(f.message).toBe(
      `oci://${host}/huge/app:1.0.0: the manifest declares a chart layer of 2147483648 bytes, over the limit of 134217728; refusing to download it`,
    );
    expect(blobRequests.filter((r) => r.startsWith('huge/')).length).toBe(before);
    expect(f.cached).toEqual([]);
  });

  it('takes a bearer token from the realm with the credentials, for the repository scope', async () => {
    const p = paths();
    const pulled = await pullChart(`oci://${host}/tokened/app`, p, {
      plainHttp: true,
      version: '1.0.0',
      username: 'bob',
      password: 'pw',
    });
    expect(pulled.version).toBe('1.0.0');
    const refused = await failure(`oci://${host}/tokened/app:1.0.0`, paths(), { username: 'bob', password: 'nope' });
    expect(refused.message).toBe(
      `oci://${host}/tokened/app:1.0.0: the registry ${host} answered 401 Unauthorized (the token service refused the credentials)`,
    );
  });

  it('says a registry cannot be reached, naming the reference and the address', async () => {
    const port = await freePort();
    const f = await failure(`oci://127.0.0.1:${port}/none/app:1.0.0`);
    expect(f.message).toMatch(
      new RegExp(
        `^oci://127.0.0.1:${port}/none/app:1.0.0: cannot reach the registry at http://127.0.0.1:${port}: .*ECONNREFUSED`,
      ),
    );
    expect(f.cached).toEqual([]);
  });

  it('hints at --plain-http when https meets a plain http registry', async () => {
    const f = await failure(`oci://${host}/good/app:1.0.0`, paths(), { plainHttp: false });
    expect(f.message).toContain(`oci://${host}/good/app:1.0.0: cannot reach the registry at https://${host}`);
    expect(f.hint).toContain('--plain-http');
  });

  it('keeps a download the network cut off and resumes it with a Range request on the next pull', async () => {
    const p = paths();
    const f = await failure(`oci://${host}/flaky/app:1.0.0`, p);
    expect(f.message).toMatch(
      new RegExp(
        `^oci://${host}/flaky/app:1.0.0: downloading the blob sha256:[a-f0-9]{64}: .*\\(after 150 of \\d+ bytes\\)$`,
      ),
    );
    expect(f.hint).toBe('Pull again: the download resumes where it stopped.');
    expect(f.cached.filter((name) => name.endsWith('.partial'))).toHaveLength(1);
    const pulled = await pullChart(`oci://${host}/flaky/app:1.0.0`, p, { plainHttp: true });
    expect(pulled.name).toBe('app');
    expect(blobRequests.filter((r) => r.startsWith('flaky/') && r.endsWith(' bytes=150-'))).toHaveLength(1);
    const names = readdirSync(join(p.cache, 'blobs', 'sha256'));
    expect(names.every((name) => /^[a-f0-9]{64}$/.test(name))).toBe(true);
    expect(pulled.chartDigest).toBe(`sha256:${names.find((n) => pulled.chartDigest.endsWith(n))}`);
  });
});
