// 403 answers told apart from their Status: RBAC, admission plugins and webhooks, and a 403 that is not from the API.
// A tiny HTTP server on 127.0.0.1 answers each request with the canned body the test gives it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, forbiddenKind, type HttpClusterClient } from '../../src/cluster/index.js';
import { isPortolanError, type PortolanError } from '../../src/errors.js';

let answer: { type: string; body: string } = { type: 'application/json', body: '{}' };
let server: http.Server;
let client: HttpClusterClient;
let dir: string;

const status = (message: string, reason = 'Forbidden') => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  details: { kind: 'pods' },
  code: 403,
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(403, { 'Content-Type': answer.type });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  dir = mkdtempSync(join(tmpdir(), 'portolan-403-'));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(
    join(dir, 'config'),
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: prod, context: {cluster: c, user: u}}]\ncurrent-context: prod\n`,
  );
  client = await connect({ kubeconfig: join(dir, 'config'), retries: 0 });
});

afterAll(async () => {
  client?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function forbidden(body: unknown, type = 'application/json'): Promise<PortolanError> {
  answer = { type, body: typeof body === 'string' ? body : JSON.stringify(body) };
  try {
    await client.serverVersion();
  } catch (err) {
    if (isPortolanError(err)) return err;
    throw err;
  }
  throw new Error('expected a 403');
}

describe('403 Forbidden', () => {
  it('gives the RBAC hint only for an RBAC refusal ("User … cannot …")', async () => {
    const err = await forbidden(
      status(
        'configmaps is forbidden: User "dev" cannot create resource "configmaps" in API group "" in the namespace "prod"',
      ),
    );
    expect(err.message).toBe(
      'forbidden (403): configmaps is forbidden: User "dev" cannot create resource "configmaps" in API group "" in the namespace "prod"',
    );
    expect(err.hint).toContain('lacks RBAC permission');
  });

  it('shows an admission refusal with the admission message and a hint that fits it, not RBAC', async () => {
    const err = await forbidden(
      status(
        'pods "web-0" is forbidden: error looking up service account newns/default: serviceaccount "default" not found',
      ),
    );
    expect(err.message).toBe(
      `refused by the cluster's admission control (403): pods "web-0" is forbidden: error looking up service account newns/default: serviceaccount "default" not found`,
    );
    expect(err.hint).not.toContain('RBAC');
    expect(err.hint).toContain('ServiceAccount newns/default does not exist');
  });

  it.each([
    [
      'admission webhook "policy.example.com" denied the request: images must come from registry.example.com',
      'admission webhook "policy.example.com" refused the object',
    ],
    [
      'pods "x" is forbidden: exceeded quota: compute, requested: cpu=2, used: cpu=9, limited: cpu=10',
      'ResourceQuota would be exceeded',
    ],
    [
      'pods "x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false',
      'Pod Security level',
    ],
    [
      'configmaps "x" is forbidden: unable to create new content in namespace old because it is being terminated',
      'namespace is being deleted',
    ],
    [
      'pods "x" is forbidden: [maximum cpu usage per Container is 1, but limit is 2]',
      'This is not a permission problem',
    ],
  ])('reads %j as an admission refusal', async (message, hint) => {
    const err = await forbidden(status(message));
    expect(err.message).toBe(`refused by the cluster's admission control (403): ${message}`);
    expect(err.hint).toContain(hint);
    expect(err.hint).not.toContain('RBAC');
  });

  it('says a 403 without a Status body came from something in front of the API server', async () => {
    const err = await forbidden('<html><body>403 Forbidden</body></html>', 'text/html');
    expect(err.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/version was answered 403 Forbidden, not by the Kubernetes API: <html>/,
    );
    expect(err.hint).toContain('proxy');
  });

  it('classifies Status bodies without a request', () => {
    expect(forbiddenKind(status('forbidden: User "system:anonymous" cannot get path "/api"'))).toBe('rbac');
    expect(forbiddenKind(status('pods "x" is forbidden: exceeded quota: q'))).toBe('admission');
    expect(forbiddenKind('Forbidden')).toBe('other');
  });
});
