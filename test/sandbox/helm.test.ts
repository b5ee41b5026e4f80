// Conformance: the real helm 4 installs, lists, upgrades, rolls back and uninstalls a Go-template chart in the sandbox.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { HELM, KUBECTL, runPeer, type PeerResult } from '../helpers/peers.js';

const CHART = fileURLToPath(new URL('./fixtures/go-chart', import.meta.url));
let sandbox: Sandbox;
let home: string;

function env(): Record<string, string> {
  return {
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}

async function helm(args: string[]): Promise<string> {
  const r = await runPeer(HELM, ['--kubeconfig', sandbox.kubeconfigPath, ...args], env());
  if (r.code !== 0) throw new Error(`helm ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

function kubectl(args: string[]): Promise<PeerResult> {
  return runPeer(KUBECTL, ['--kubeconfig', sandbox.kubeconfigPath, ...args], env());
}

async function kget(args: string[]): Promise<string> {
  const r = await kubectl(['get', ...args]);
  if (r.code !== 0) throw new Error(`kubectl get ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'portolan-helm-'));
  sandbox = await startSandbox({ readyDelayMs: 100, kubeconfigPath: join(home, 'kubeconfig') });
});

afterAll(async () => {
  await sandbox?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('helm against the sandbox', () => {
  it('install --wait creates the namespace, objects and a release Secret, and waits for the rollout', async () => {
    sandbox.setReadyDelay(1_500); // longer than helm needs to create the objects: only a real wait sees them ready
    let out: string;
    try {
      out = await helm(['install', 'web', CHART, '-n', 'apps', '--create-namespace', '--wait', '--timeout', '30s']);
    } finally {
      sandbox.setReadyDelay(100);
    }
    expect(out).toContain('STATUS: deployed');
    expect(out).toContain('REVISION: 1');
    expect(await kget(['deploy', 'web', '-n', 'apps', '-o', 'jsonpath={.status.availableReplicas}'])).toBe('1');
    expect(await kget(['secret', '-n', 'apps', '-l', 'owner=helm', '-o', 'name'])).toContain(
      'secret/sh.helm.release.v1.web.v1',
    );
  });

  it('list shows the release', async () => {
    const list = JSON.parse(await helm(['list', '-n', 'apps', '-o', 'json'])) as Array<{
      name: string;
      revision: string;
      status: string;
      chart: string;
    }>;
    expect(list).toEqual([
      expect.objectContaining({ name: 'web', revision: '1', status: 'deployed', chart: 'hello-go-0.1.0' }),
    ]);
  });

  it('upgrade changes objects, adds new ones and records revision 2', async () => {
    const out = await helm([
      'upgrade',
      'web',
      CHART,
      '-n',
      'apps',
      '--set',
      'replicas=3,message=bye,extra=true',
      '--wait',
      '--timeout',
      '30s',
    ]);
    expect(out).toContain('REVISION: 2');
    expect(await kget(['cm', 'web-config', '-n', 'apps', '-o', 'jsonpath={.data.message}'])).toBe('bye');
    expect(await kget(['cm', 'web-extra', '-n', 'apps', '-o', 'jsonpath={.data.kube}'])).toBe('v1.34.0');
    expect(await kget(['deploy', 'web', '-n', 'apps', '-o', 'jsonpath={.spec.replicas} {.status.readyReplicas}'])).toBe(
      '3 3',
    );
    const history = JSON.parse(await helm(['history', 'web', '-n', 'apps', '-o', 'json'])) as Array<{
      revision: number;
      status: string;
    }>;
    expect(history.map((h) => `${h.revision}:${h.status}`)).toEqual(['1:superseded', '2:deployed']);
  });

  it('rollback restores revision 1 and removes what it did not have', async () => {
    await helm(['rollback', 'web', '1', '-n', 'apps', '--wait', '--timeout', '30s']);
    expect(await kget(['cm', 'web-config', '-n', 'apps', '-o', 'jsonpath={.data.message}'])).toBe('hello');
    const extra = await kubectl(['get', 'cm', 'web-extra', '-n', 'apps']);
    expect(extra.stderr).toContain('NotFound');
  });

  it('uninstall removes the objects and the release history', async () => {
    expect(await helm(['uninstall', 'web', '-n', 'apps', '--wait', '--timeout', '30s'])).toContain(
      'release "web" uninstalled',
    );
    expect(await kget(['deploy,svc,cm,secret', '-n', 'apps', '-o', 'name'])).not.toMatch(/web/);
    expect(JSON.parse(await helm(['list', '-n', 'apps', '-o', 'json']))).toEqual([]);
  });
});
