import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeconfig } from '../../src/cluster/index.js';
import { isPortolanError, type PortolanError } from '../../src/errors.js';

let dir: string;

function config(name: string, server: string, namespace?: string, current = name): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: ${name}, cluster: {server: "${server}"}}]`,
    `users: [{name: ${name}, user: {token: tok-${name}}}]`,
    `contexts: [{name: ${name}, context: {cluster: ${name}, user: ${name}${namespace ? `, namespace: ${namespace}` : ''}}}]`,
    `current-context: "${current}"`,
    '',
  ].join('\n');
}

function fails(fn: () => unknown): PortolanError {
  try {
    fn();
  } catch (err) {
    if (isPortolanError(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-kubeconfig-'));
  writeFileSync(join(dir, 'a'), config('alpha', 'https://127.0.0.1:1001', 'team-a'));
  writeFileSync(join(dir, 'b'), config('beta', 'https://127.0.0.1:1002', undefined));
  writeFileSync(join(dir, 'dup'), config('alpha', 'https://127.0.0.1:9999', 'other', 'alpha'));
  writeFileSync(join(dir, 'nocurrent'), config('gamma', 'https://127.0.0.1:1003', undefined, ''));
  mkdirSync(join(dir, 'home', '.kube'), { recursive: true });
  writeFileSync(join(dir, 'home', '.kube', 'config'), config('homed', 'https://127.0.0.1:1004'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadKubeconfig', () => {
  it('reads --kubeconfig, taking the namespace from the context, then from the flag', () => {
    const a = loadKubeconfig({ kubeconfig: join(dir, 'a'), env: {} });
    expect(a).toMatchObject({ context: 'alpha', namespace: 'team-a' });
    expect(a.cluster.server).toBe('https://127.0.0.1:1001');
    expect(loadKubeconfig({ kubeconfig: join(dir, 'a'), namespace: 'flag-ns', env: {} }).namespace).toBe('flag-ns');
    expect(loadKubeconfig({ kubeconfig: join(dir, 'b'), env: {} }).namespace).toBe('default');
  });

  it('merges several KUBECONFIG files: first wins for names and current-context', () => {
    const env = {
      KUBECONFIG: [join(dir, 'a'), join(dir, 'dup'), join(dir, 'b'), join(dir, 'missing')].join(delimiter),
    };
    const merged = loadKubeconfig({ env });
    expect(merged.context).toBe('alpha');
    expect(merged.cluster.server).toBe('https://127.0.0.1:1001');
    expect(merged.files).toHaveLength(3);
    const beta = loadKubeconfig({ env, context: 'beta' });
    expect(beta.cluster.server).toBe('https://127.0.0.1:1002');
    expect(beta.user.token).toBe('tok-beta');
  });

  it('falls back to ~/.kube/config', () => {
    expect(loadKubeconfig({ env: {}, home: join(dir, 'home') }).context).toBe('homed');
  });

  it('explains a missing config, an unknown context and a missing current-context', () => {
    const none = fails(() => loadKubeconfig({ env: {}, home: join(dir, 'nowhere') }));
    expect(none.code).toBe('KUBECONFIG');
    expect(none.message).toContain('no kubeconfig found');
    expect(none.hint).toContain('--kubeconfig');
    const flag = fails(() => loadKubeconfig({ kubeconfig: join(dir, 'absent'), env: {} }));
    expect(flag.flag).toBe('--kubeconfig');
    const ctx = fails(() => loadKubeconfig({ kubeconfig: join(dir, 'a'), context: 'nope', env: {} }));
    expect(ctx.message).toContain('context "nope" does not exist');
    expect(ctx.hint).toContain('alpha');
    expect(ctx.flag).toBe('--kube-context');
    const noCurrent = fails(() => loadKubeconfig({ kubeconfig: join(dir, 'nocurrent'), env: {} }));
    expect(noCurrent.message).toContain('no current-context');
    expect(noCurrent.hint).toContain('gamma');
  });

  it('explains a KUBECONFIG whose files are all missing, an unreadable file and a context without its cluster', () => {
    const missing = [join(dir, 'gone-1'), join(dir, 'gone-2')].join(delimiter);
    const none = fails(() => loadKubeconfig({ env: { KUBECONFIG: missing } }));
    expect(none.message).toBe(`no kubeconfig found: none of the files in KUBECONFIG exist (${missing})`);
    expect(none.hint).toContain('sandbox start');
    writeFileSync(join(dir, 'garbage'), 'clusters: [unclosed\n');
    const garbage = fails(() => loadKubeconfig({ kubeconfig: join(dir, 'garbage'), env: {} }));
    expect(garbage.message).toContain(`cannot read kubeconfig ${join(dir, 'garbage')}`);
    expect(garbage.file).toBe(join(dir, 'garbage'));
    writeFileSync(
      join(dir, 'orphan'),
      'apiVersion: v1\nkind: Config\ncontexts: [{name: lost, context: {cluster: nowhere, user: u}}]\ncurrent-context: lost\n',
    );
    const orphan = fails(() => loadKubeconfig({ kubeconfig: join(dir, 'orphan'), env: {} }));
    expect(orphan.message).toContain('context "lost" names cluster "nowhere", which is not defined');
  });

  it('lets --kubeconfig win over KUBECONFIG and --kube-context pick a context with its own namespace', () => {
    const env = { KUBECONFIG: join(dir, 'b') };
    expect(loadKubeconfig({ env, kubeconfig: join(dir, 'a') }).context).toBe('alpha');
    const merged = { KUBECONFIG: [join(dir, 'b'), join(dir, 'a')].join(delimiter) };
    expect(loadKubeconfig({ env: merged })).toMatchObject({ context: 'beta', namespace: 'default' });
    expect(loadKubeconfig({ env: merged, context: 'alpha' })).toMatchObject({ context: 'alpha', namespace: 'team-a' });
    expect(loadKubeconfig({ env: merged, context: 'alpha', namespace: 'flag-wins' }).namespace).toBe('flag-wins');
  });
});
