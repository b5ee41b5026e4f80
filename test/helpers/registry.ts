// A real OCI registry for tests: Debian's docker-registry (the reference distribution server), configured by the
// test in a temporary folder (filesystem storage, 127.0.0.1 on a free port, htpasswd auth when asked) and stopped
// by the caller.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import bcrypt from 'bcryptjs';
import { createTls } from '../../src/sandbox/cert.js';

export const REGISTRY_BINARY = process.env.PORTOLAN_TEST_REGISTRY ?? '/usr/bin/docker-registry';

export interface TestRegistry {
  /** `127.0.0.1:PORT`. */
  host: string;
  dir: string;
  /** With `tls`: the CA certificate file that verifies the registry. */
  caFile?: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function answersTls(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`https://${host}/v2/`, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 || res.statusCode === 401);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function waitUntilUp(host: string, tls: boolean, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${log()}`);
    const up = tls
      ? await answersTls(host)
      : await fetch(`http://${host}/v2/`).then(
          (r) => r.status === 200 || r.status === 401,
          () => false,
        );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`docker-registry did not answer on ${host}: ${log()}`);
}

export async function startRegistry(
  options: { users?: Record<string, string>; tls?: boolean } = {},
): Promise<TestRegistry> {
  if (!existsSync(REGISTRY_BINARY))
    throw new Error(`${REGISTRY_BINARY} is missing: apt-get install docker-registry (.ci/run does)`);
  const dir = mkdtempSync(join(tmpdir(), 'portolan-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
  ];
  let caFile: string | undefined;
  if (options.tls) {
    const tls = createTls();
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, tls.caCert);
    writeFileSync(join(dir, 'cert.pem'), tls.cert);
    writeFileSync(join(dir, 'key.pem'), tls.key);
    lines.push('  tls:', `    certificate: ${join(dir, 'cert.pem')}`, `    key: ${join(dir, 'key.pem')}`);
  }
  if (options.users) {
    const htpasswd = Object.entries(options.users)
      .map(([user, password]) => `${user}:${bcrypt.hashSync(password, 4)}`)
      .join('\n');
    writeFileSync(join(dir, 'htpasswd'), `${htpasswd}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: portolan-test', `    path: ${join(dir, 'htpasswd')}`);
  }
  writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const child = spawn(REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilUp(host, Boolean(options.tls), child, () => stderr);
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    host,
    dir,
    caFile,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
