// Credentials from kubeconfig as requests carry them, resolved by @kubernetes/client-node: static ones (token,
// token-file, basic auth, impersonation, relative CA paths) and exec plugins. (A plain HTTP test server needs
// insecure-skip-tls-verify, as client-node requires.)
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import type * as NodeTls from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/cluster/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let dir: string;
let server: Server;
let url: string;
let seen: IncomingHttpHeaders[] = [];
let sandbox: Sandbox;

function kubeconfig(name: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-credentials-'));
  server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ major: '1', minor: '34', gitVersion: 'v1.34.0' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sandbox = await startSandbox({ kubeconfigPath: join(dir, 'sandbox-kubeconfig') });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function headersFor(file: string): Promise<IncomingHttpHeaders> {
  seen = [];
  const client = await connect({ kubeconfig: file, retries: 0 });
  try {
    await client.serverVersion();
  } finally {
    client.close();
  }
  return seen[0]!;
}

describe('static kubeconfig credentials', () => {
  it('sends a bearer token, and one read from token-file', async () => {
    const headers = await headersFor(
      kubeconfig('token', { server: url, 'insecure-skip-tls-verify': true }, { token: 'abc' }),
    );
    expect(headers.authorization).toBe('Bearer abc');
    // The headers the client writes itself, Host among them.
    expect([headers.host, headers.accept, headers['user-agent']]).toEqual([
      new URL(url).host,
      'application/json',
      'portolan',
    ]);
    writeFileSync(join(dir, 'tok'), 'from-file');
    expect(
      (
        await headersFor(
          kubeconfig(
            'token-file',
            { server: url, 'insecure-skip-tls-verify': true },
            { 'token-file': join(dir, 'tok') },
          ),
        )
      ).authorization,
    ).toBe('Bearer from-file');
  });

  it('sends basic auth for username and password, and Impersonate-User for `as`', async () => {
    const headers = await headersFor(
      kubeconfig(
        'basic',
        { server: url, 'insecure-skip-tls-verify': true },
        { username: 'ann', password: 's3cret', as: 'bob' },
      ),
    );
    expect(headers.authorization).toBe(`Basic ${Buffer.from('ann:s3cret').toString('base64')}`);
    expect(headers['impersonate-user']).toBe('bob');
  });

  it('reads a certificate-authority path relative to the kubeconfig file, so TLS to the sandbox verifies', async () => {
    writeFileSync(join(dir, 'ca.pem'), sandbox.caCert);
    const file = kubeconfig(
      'relative-ca',
      { server: sandbox.url, 'certificate-authority': 'ca.pem' },
      { token: sandbox.token },
    );
    const client = await connect({ kubeconfig: file, retries: 0 });
    try {
      expect((await client.serverVersion()).gitVersion).toBe('v1.34.0');
    } finally {
      client.close();
    }
  });

  it('builds one TLS context for all its connections, and names credentials OpenSSL refuses before any request', async () => {
    const file = kubeconfig(
      'shared-context',
      { server: sandbox.url, 'certificate-authority-data': Buffer.from(sandbox.caCert).toString('base64') },
      { token: sandbox.token },
    );
    // Node's TLS connect calls tls.createSecureContext (the CommonJS export) for a socket given no context.
    const nodeTls = createRequire(import.meta.url)('node:tls') as typeof NodeTls;
    const original = nodeTls.createSecureContext;
    let perSocket = 0;
    nodeTls.createSecureContext = (...args) => {
      perSocket++;
      return original(...args);
    };
    const client = await connect({ kubeconfig: file, retries: 0 });
    try {
      const answers = await Promise.all(Array.from({ length: 16 }, () => client.serverVersion()));
      expect(answers.map((a) => a.gitVersion)).toEqual(Array(16).fill('v1.34.0'));
      expect(perSocket).toBe(0);
    } finally {
      nodeTls.createSecureContext = original;
      client.close();
    }
    const broken = kubeconfig(
      'broken-key',
      { server: sandbox.url, 'certificate-authority-data': Buffer.from(sandbox.caCert).toString('base64') },
      {
        'client-certificate-data': Buffer.from('not a certificate').toString('base64'),
        'client-key-data': Buffer.from('not a key').toString('base64'),
      },
    );
    await expect(connect({ kubeconfig: broken, retries: 0 })).rejects.toMatchObject({
      code: 'KUBECONFIG',
      message: expect.stringContaining('cannot use the TLS credentials of context "x": ') as unknown,
    });
  });
});

describe('exec credential plugins', () => {
  it('runs the plugin through @kubernetes/client-node and uses the token it prints', async () => {
    const plugin = join(dir, 'plugin.mjs');
    writeFileSync(
      plugin,
      `#!${process.execPath}\nconsole.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: ${JSON.stringify(sandbox.token)} } }));\n`,
    );
    chmodSync(plugin, 0o755);
    writeFileSync(join(dir, 'ca.pem'), sandbox.caCert);
    const file = kubeconfig(
      'exec',
      { server: sandbox.url, 'certificate-authority': join(dir, 'ca.pem') },
      { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } },
    );
    const client = await connect({ kubeconfig: file, retries: 0 });
    try {
      const namespaces = await client.list('v1', 'Namespace');
      expect(namespaces.map((n) => n.metadata.name)).toContain('kube-system');
    } finally {
      client.close();
    }
  });
});
