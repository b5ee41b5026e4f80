// portolan serve answers the OCI distribution API from its folder of archives: helm push lands in index.yaml, helm
// pull oci:// gets the archive byte for byte, uploads through the HTTP API are pullable as OCI artifacts with the
// manifest helm push would write, and pushes need the same credentials as uploads.
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { startRepoServer, type RepoServer } from '../../src/repo/server/server.js';
import { HELM, runPeer } from '../helpers/peers.js';
import { bearer, chartArchive, http, tempDir } from '../repo/helpers.js';

const TOKEN = 'oci-serve-token';
let server: RepoServer;
let host: string;
let dir: string;
const home = tempDir('portolan-oci-serve-home-');

const helmEnv = {
  HOME: home,
  HELM_CONFIG_HOME: join(home, 'helm-config'),
  HELM_CACHE_HOME: join(home, 'helm-cache'),
  HELM_DATA_HOME: join(home, 'helm-data'),
};
const helm = (args: string[], input?: string) => runPeer(HELM, args, helmEnv, input);

async function cli(args: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => stdin,
    isTTY: false,
    env: { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), NO_COLOR: '1' },
    cwd: home,
  };
  return { code: await runCli(args, io), stdout, stderr };
}

function writeArchive(name: string, version: string): string {
  const packaged = chartArchive(name, version);
  const path = join(home, packaged.fileName);
  writeFileSync(path, packaged.data);
  utimesSync(path, new Date('2026-02-03T04:05:06Z'), new Date('2026-02-03T04:05:06Z'));
  return path;
}

beforeAll(async () => {
  dir = tempDir('portolan-oci-serve-');
  server = await startRepoServer({ dir, port: 0, authToken: TOKEN });
  host = new URL(server.url).host;
});
afterAll(async () => server?.stop());

describe('portolan serve as an OCI registry', () => {
  it('refuses pushes without credentials, as uploads, and asks for basic auth on /v2/', async () => {
    const archive = writeArchive('anon', '1.0.0');
    const pushed = await cli(['push', archive, `oci://${host}/charts`, '--plain-http']);
    expect(pushed.code).toBe(1);
    expect(pushed.stderr).toContain(`oci://${host}/charts/anon:1.0.0`);
    const ping = await http(`${server.url}/v2/`);
    expect(ping.status).toBe(401);
    expect(ping.headers['www-authenticate']).toBe('Basic realm="portolan"');
    expect((await http(`${server.url}/v2/`, { headers: bearer(TOKEN) })).status).toBe(200);
  });

  it('takes helm push after helm registry login; the chart is in index.yaml and pulls back byte for byte', async () => {
    const login = await helm(['registry', 'login', host, '--plain-http', '-u', 'ci', '--password-stdin'], TOKEN);
    expect(login.stderr + login.stdout).toContain('Login Succeeded');
    const archive = writeArchive('pushed', '1.2.3');
    const pushed = await helm(['push', archive, `oci://${host}/charts`, '--plain-http']);
    expect(pushed.code, pushed.stderr).toBe(0);
    const digest = /Digest: (\S+)/.exec(pushed.stdout + pushed.stderr)?.[1];

    const index = await http(`${server.url}/index.yaml`);
    expect(index.text).toContain('pushed:');
    expect(index.text).toContain('- pushed-1.2.3.tgz');
    expect(readFileSync(join(dir, 'pushed-1.2.3.tgz')).equals(readFileSync(archive))).toBe(true);

    const out = tempDir();
    const pulled = await helm(['pull', `oci://${host}/charts/pushed`, '--version', '1.2.3', '--plain-http', '-d', out]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout + pulled.stderr).toContain(`Digest: ${digest}`);
    expect(readFileSync(join(out, 'pushed-1.2.3.tgz')).equals(readFileSync(archive))).toBe(true);

    const ours = tempDir();
    const portolanPulled = await cli(['pull', `oci://${host}/charts/pushed`, '--plain-http', '-d', ours]);
    expect(portolanPulled.stdout).toBe(`Pulled: ${host}/charts/pushed:1.2.3\nDigest: ${digest}\n`);

    const tags = await http(`${server.url}/v2/charts/pushed/tags/list`);
    expect(tags.json()).toEqual({ name: 'charts/pushed', tags: ['1.2.3'] });
    expect((await http(`${server.url}/v2/_catalog`)).json()).toEqual({ repositories: ['pushed'] });
  });

  it('serves an archive uploaded through the HTTP API with the manifest helm push would write for it', async () => {
    const archive = writeArchive('uploaded', '0.3.0');
    const upload = await http(`${server.url}/api/charts`, {
      method: 'POST',
      body: readFileSync(archive),
      headers: bearer(TOKEN),
    });
    expect(upload.status).toBe(201);
    // The stored file's mtime is the created annotation; make it the one helm will read from our copy.
    utimesSync(join(dir, 'uploaded-0.3.0.tgz'), new Date('2026-02-03T04:05:06Z'), new Date('2026-02-03T04:05:06Z'));
    await server.stop();
    server = await startRepoServer({ dir, port: server.port, authToken: TOKEN });
    const out = tempDir();
    const pulled = await helm(['pull', `oci://${host}/uploaded`, '--plain-http', '-d', out]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(readFileSync(join(out, 'uploaded-0.3.0.tgz')).equals(readFileSync(archive))).toBe(true);
    const served = /Digest: (\S+)/.exec(pulled.stdout + pulled.stderr)?.[1];
    // helm pushing the same archive names the same manifest (and the push is a no-op for the folder).
    const pushedByHelm = await helm(['push', archive, `oci://${host}/copy`, '--plain-http']);
    expect(pushedByHelm.code, pushedByHelm.stderr).toBe(0);
    expect(served).toMatch(/^sha256:/);
    expect(pushedByHelm.stdout + pushedByHelm.stderr).toContain(`Digest: ${served}`);
    const manifest = await http(`${server.url}/v2/uploaded/manifests/0.3.0`);
    expect(manifest.headers['docker-content-digest']).toBe(served);
  });

  it('takes portolan push with the token as the password, and refuses a manifest that is not a Helm chart', async () => {
    const archive = writeArchive('ours', '2.0.0');
    const pushed = await cli([
      'push',
      archive,
      `oci://${host}/team`,
      '--plain-http',
      '--username',
      'ci',
      '--password',
      TOKEN,
    ]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect((await http(`${server.url}/index.yaml`)).text).toContain('- ours-2.0.0.tgz');
    const bad = await http(`${server.url}/v2/team/ours/manifests/2.0.1`, {
      method: 'PUT',
      headers: { ...bearer(TOKEN), 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
      body: JSON.stringify({
        schemaVersion: 2,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 2 },
        layers: [],
      }),
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('MANIFEST_INVALID');
  });

  it('refuses a blob over the upload limit with 413 and a blob whose bytes are not its digest with 400', async () => {
    const small = await startRepoServer({ dir: tempDir(), port: 0, authToken: TOKEN, maxUploadSize: 1024 });
    try {
      const big = await http(`${small.url}/v2/a/b/blobs/uploads/?digest=sha256:${'0'.repeat(64)}`, {
        method: 'POST',
        headers: bearer(TOKEN),
        body: Buffer.alloc(4096),
      });
      expect(big.status).toBe(413);
      expect(big.text).toContain('SIZE_INVALID');
      const wrong = await http(`${small.url}/v2/a/b/blobs/uploads/?digest=sha256:${'0'.repeat(64)}`, {
        method: 'POST',
        headers: bearer(TOKEN),
        body: 'hello',
      });
      expect(wrong.status).toBe(400);
      expect(wrong.text).toContain('DIGEST_INVALID');
    } finally {
      await small.stop();
    }
  });

  it('with --private, answers OCI reads only with credentials', async () => {
    const privateDir = tempDir();
    const privateServer = await startRepoServer({ dir: privateDir, port: 0, authToken: TOKEN, private: true });
    try {
      const target = new URL(privateServer.url).host;
      const archive = writeArchive('hidden', '1.0.0');
      const auth = ['--username', 'ci', '--password', TOKEN];
      expect((await cli(['push', archive, `oci://${target}`, '--plain-http', ...auth])).code).toBe(0);
      expect((await http(`${privateServer.url}/v2/hidden/tags/list`)).status).toBe(401);
      const anonymous = await cli(['pull', `oci://${target}/hidden`, '--plain-http', '-d', tempDir()]);
      expect(anonymous.code).toBe(1);
      expect(anonymous.stderr).toContain(`oci://${target}/hidden: the registry ${target} answered 401`);
      const out = tempDir();
      const pulled = await cli(['pull', `oci://${target}/hidden`, '--plain-http', '-d', out, ...auth]);
      expect(pulled.code, pulled.stderr).toBe(0);
      expect(readFileSync(join(out, 'hidden-1.0.0.tgz')).equals(readFileSync(archive))).toBe(true);
    } finally {
      await privateServer.stop();
    }
  });
});
