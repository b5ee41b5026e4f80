// sandbox --rbac: Roles and bindings are enforced, kubectl --as impersonates, and auth can-i answers per user.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { KUBECTL, runPeer, type PeerResult } from '../helpers/peers.js';

let sandbox: Sandbox;
let home: string;

function kubectl(args: string[], input?: string): Promise<PeerResult> {
  return runPeer(KUBECTL, ['--kubeconfig', sandbox.kubeconfigPath, ...args], { HOME: home }, input);
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'portolan-rbac-'));
  sandbox = await startSandbox({ readyDelayMs: 0, rbac: true, kubeconfigPath: join(home, 'kubeconfig') });
  for (const ns of ['team', 'other']) expect((await kubectl(['create', 'namespace', ns])).code).toBe(0);
  expect(
    (await kubectl(['create', 'role', 'reader', '-n', 'team', '--verb=get,list,watch', '--resource=pods,configmaps']))
      .code,
  ).toBe(0);
  expect(
    (await kubectl(['create', 'rolebinding', 'alice-reads', '-n', 'team', '--role=reader', '--user=alice'])).code,
  ).toBe(0);
  expect((await kubectl(['create', 'clusterrole', 'ns-viewer', '--verb=get,list', '--resource=namespaces'])).code).toBe(
    0,
  );
  expect(
    (await kubectl(['create', 'clusterrolebinding', 'devs-see-ns', '--clusterrole=ns-viewer', '--group=devs'])).code,
  ).toBe(0);
});

afterAll(async () => {
  await sandbox.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('the sandbox with --rbac', () => {
  it('lets an impersonated user do what a RoleBinding grants in its namespace, and nothing else', async () => {
    expect((await kubectl(['get', 'pods', '-n', 'team', '--as', 'alice'])).code).toBe(0);
    const elsewhere = await kubectl(['get', 'pods', '-n', 'other', '--as', 'alice']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(
      'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "other"',
    );
    const write = await kubectl(['create', 'configmap', 'x', '-n', 'team', '--as', 'alice']);
    expect(write.stderr).toContain(
      'User "alice" cannot create resource "configmaps" in API group "" in the namespace "team"',
    );
  });

  it('grants a ClusterRoleBinding to a group (--as-group)', async () => {
    expect((await kubectl(['get', 'namespaces', '--as', 'bob', '--as-group', 'devs'])).code).toBe(0);
    const alone = await kubectl(['get', 'namespaces', '--as', 'bob']);
    expect(alone.stderr).toContain('User "bob" cannot list resource "namespaces" in API group "" at the cluster scope');
  });

  it('answers auth can-i and whoami for the impersonated user', async () => {
    expect((await kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'team', '--as', 'alice'])).stdout.trim()).toBe('yes');
    const no = await kubectl(['auth', 'can-i', 'delete', 'pods', '-n', 'team', '--as', 'alice']);
    expect(no.stdout.trim()).toBe('no');
    expect(no.code).toBe(1);
    expect((await kubectl(['auth', 'can-i', 'delete', 'pods', '-n', 'team'])).stdout.trim()).toBe('yes');
    expect((await kubectl(['auth', 'whoami', '--as', 'alice'])).stdout).toContain('alice');
  });
});
