// Shared set-up for release tests: a sandbox started by the test, a client for one namespace, actions configured
// against it, fixture charts, values the way the CLI reads them, and the real kubectl to look at the result.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChart } from '../../src/chart/load.js';
import type { Chart } from '../../src/chart/types.js';
import { connect, type HttpClusterClient, type KubeObject } from '../../src/cluster/index.js';
import {
  actionConfig,
  type ActionConfig,
  type DriverName,
  type ReleaseEvent,
  type ReleaseRecord,
  decodeRecord,
} from '../../src/release/index.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { NO_VALUE_OPTIONS, readUserValues, type SourcedValues } from '../../src/values/index.js';
import { KUBECTL, projectRoot, runPeer } from '../helpers/peers.js';

export const fixture = (name: string): string => join(projectRoot, 'test', 'fixtures', 'release', name);

/** A live object as kubectl prints it, with the fields tests look at typed loosely. */
export type LiveObject = KubeObject & { data?: Record<string, string>; spec?: Record<string, unknown>; type?: string };

export interface Harness {
  sandbox: Sandbox;
  dir: string;
  client(namespace: string): Promise<HttpClusterClient>;
  config(
    namespace: string,
    options?: { driver?: DriverName; lockDurationMs?: number; events?: ReleaseEvent[] },
  ): Promise<ActionConfig>;
  kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** `kubectl get KIND NAME -n NS -o json`, or undefined when it does not exist. */
  kubectlGet(kind: string, name: string, namespace: string): Promise<LiveObject | undefined>;
  /** The stored record of one revision (Secret driver), decoded. */
  record(namespace: string, name: string, revision: number): Promise<ReleaseRecord | undefined>;
  stop(): Promise<void>;
}

export async function startHarness(options: SandboxOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'portolan-release-'));
  const sandbox = await startSandbox({ readyDelayMs: 30, kubeconfigPath: join(dir, 'kubeconfig'), ...options });
  const clients: HttpClusterClient[] = [];
  const client = async (namespace: string) => {
    const c = await connect({ kubeconfig: sandbox.kubeconfigPath, namespace, timeoutMs: 10_000, backoffMs: 20 });
    clients.push(c);
    return c;
  };
  const admin = await client('default');
  const kubectl = (args: string[]) =>
    runPeer(KUBECTL, ['--kubeconfig', sandbox.kubeconfigPath, ...args], { HOME: dir });
  return {
    sandbox,
    dir,
    client,
    config: async (namespace, opts = {}) => {
      const c = await client(namespace);
      await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      const events = opts.events;
      return actionConfig(c, {
        namespace,
        driver: opts.driver,
        lockDurationMs: opts.lockDurationMs,
        onEvent: events ? (e) => void events.push(e) : undefined,
      });
    },
    kubectl,
    kubectlGet: async (kind, name, namespace) => {
      const r = await kubectl(['get', kind, name, '-n', namespace, '-o', 'json']);
      if (r.code !== 0) {
        if (/NotFound|not found/.test(r.stderr)) return undefined;
        throw new Error(`kubectl get ${kind} ${name}: ${r.stderr}`);
      }
      return JSON.parse(r.stdout) as LiveObject;
    },
    record: async (namespace, name, revision) => {
      const secret = await admin.get('v1', 'Secret', `portolan.release.v1.${name}.v${revision}`, namespace);
      if (!secret) return undefined;
      return await decodeRecord(
        Buffer.from((secret.data as { release: string }).release, 'base64').toString('utf8'),
        'test',
      );
    },
    stop: async () => {
      for (const c of clients) c.close();
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function chart(name: string): Promise<Chart> {
  return loadChart(fixture(name));
}

/** User values as the CLI reads them from --set flags and -f files. */
export async function values(set: string[] = [], files: string[] = []): Promise<SourcedValues> {
  return readUserValues(
    { ...NO_VALUE_OPTIONS, set, valueFiles: files },
    { readFile: async (p) => readFileSync(p, 'utf8'), readStdin: async () => '' },
  );
}

/** Resolves with the error a promise rejects with. */
export async function rejection(
  p: Promise<unknown>,
): Promise<Error & { code?: string; problems?: string[]; hint?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected the operation to fail');
}

/** `revision:status` of every stored revision. */
export function statuses(history: ReleaseRecord[]): string[] {
  return history.map((r) => `${r.revision}:${r.status}`);
}
