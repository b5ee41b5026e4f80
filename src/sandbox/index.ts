// The sandbox as a library: startSandbox() serves a Kubernetes-compatible API on 127.0.0.1 over HTTPS and writes
// a kubeconfig that real clients (kubectl, helm, @kubernetes/client-node) accept unchanged.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dump } from 'js-yaml';
import { PortolanError } from '../errors.js';
import { createTls, keyParses, type SandboxTls } from './cert.js';
import type { FailureRule } from './controllers.js';
import { ApiServer, type ApiStats, type Faults, type TokenGrant } from './server.js';

export type { FailureRule } from './controllers.js';
export type { ApiStats, FaultCode, Faults, TokenGrant } from './server.js';
export { KUBE_VERSION } from './server.js';

export interface SandboxOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one, or reuses the last one kept in `dataDir` when free. */
  port?: number;
  /** Persist objects, TLS material and token here; in memory when absent. */
  dataDir?: string;
  /** Where to write the kubeconfig; default `<dataDir>/kubeconfig` or a temporary file removed on stop. */
  kubeconfigPath?: string;
  /** How long simulated workloads take to become ready (default 100 ms). */
  readyDelayMs?: number;
  /** Share of requests answered with an error (changeable later with setFaults). */
  faults?: Faults;
  /** Objects that never become ready or fail (changeable later with setFailureRules). */
  failureRules?: FailureRule[];
  /** Extra bearer tokens with restricted access, for testing 403 handling. */
  extraTokens?: TokenGrant[];
  /** Enforce Roles/ClusterRoles and their bindings and honour impersonation (`kubectl --as`); off by default. */
  rbac?: boolean;
  /** Name used for the kubeconfig's cluster, user and context (default `portolan-sandbox`). */
  contextName?: string;
}

export interface Sandbox {
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  kubeconfigPath: string;
  token: string;
  /** The CA certificate (PEM) the server certificate is issued by. */
  caCert: string;
  setFaults(faults: Faults | undefined): void;
  setFailureRules(rules: FailureRule[]): void;
  setReadyDelay(ms: number): void;
  /**
   * Workloads, Pods and Jobs stored from now on make no progress until releaseProgress(): a barrier for tests
   * (an operation is certainly still waiting), where a long ready delay would only be a time window.
   */
  holdProgress(): void;
  /** Lets the progress held since holdProgress() happen (after the ready delay). */
  releaseProgress(): void;
  /** Request counters since start. */
  stats(): ApiStats;
  stop(): Promise<void>;
}

interface Persisted extends SandboxTls {
  token: string;
  port?: number;
}

function loadOrCreateSecrets(dataDir: string | undefined): Persisted {
  const file = dataDir ? join(dataDir, 'tls.json') : undefined;
  if (file && existsSync(file)) {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Persisted;
    if (p.token && p.cert && keyParses(p.key)) return p;
  }
  const fresh: Persisted = { ...createTls(), token: randomBytes(24).toString('hex') };
  if (file) writeAtomic(file, JSON.stringify(fresh), 0o600);
  return fresh;
}

function writeAtomic(file: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, file);
}

export function kubeconfigText(url: string, caCert: string, token: string, name = 'portolan-sandbox'): string {
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name, cluster: { server: url, 'certificate-authority-data': Buffer.from(caCert).toString('base64') } },
    ],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const dataDir = options.dataDir;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  let secrets: Persisted;
  try {
    secrets = loadOrCreateSecrets(dataDir);
  } catch (err) {
    throw new PortolanError(
      'IO',
      `cannot read the sandbox's TLS material and token in ${join(dataDir ?? '', 'tls.json')}: ${err instanceof Error ? err.message : String(err)}`,
      {
        file: dataDir ? join(dataDir, 'tls.json') : undefined,
        hint: 'Remove that file to issue a new CA and token (clients then need the new kubeconfig).',
        cause: err,
      },
    );
  }
  let api: ApiServer;
  try {
    api = new ApiServer({
      token: secrets.token,
      extraTokens: options.extraTokens,
      readyDelayMs: options.readyDelayMs ?? 100,
      failureRules: [...(options.failureRules ?? [])],
      faults: options.faults,
      dataDir: dataDir ? join(dataDir, 'objects') : undefined,
      rbac: options.rbac,
    });
  } catch (err) {
    throw new PortolanError(
      'IO',
      `cannot load sandbox state from ${dataDir ?? 'memory'}: ${err instanceof Error ? err.message : String(err)}`,
      {
        file: dataDir,
        hint: 'Remove the data folder to start from an empty cluster.',
        cause: err,
      },
    );
  }
  const sockets = new Set<Socket>();
  const server = createServer({ cert: secrets.cert + secrets.caCert, key: secrets.key }, (req, res) => {
    void api.handle(req, res);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 30_000;

  let port: number;
  try {
    const wanted = options.port ?? secrets.port ?? 0;
    try {
      port = await listen(server, wanted);
    } catch (err) {
      if (options.port === undefined && wanted !== 0 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE')
        port = await listen(server, 0);
      else throw err;
    }
  } catch (err) {
    api.stop();
    const code = (err as NodeJS.ErrnoException).code;
    throw new PortolanError('IO', `cannot listen on 127.0.0.1:${options.port ?? 0}: ${code ?? String(err)}`, {
      flag: '--port',
      hint: code === 'EADDRINUSE' ? 'Another process uses that port; pick another or omit --port.' : undefined,
      cause: err,
    });
  }
  const url = `https://127.0.0.1:${port}`;
  if (dataDir && secrets.port !== port)
    writeAtomic(join(dataDir, 'tls.json'), JSON.stringify({ ...secrets, port }), 0o600);

  let tempDir: string | undefined;
  let kubeconfigPath = options.kubeconfigPath;
  if (!kubeconfigPath) {
    if (dataDir) kubeconfigPath = join(dataDir, 'kubeconfig');
    else {
      tempDir = mkdtempSync(join(tmpdir(), 'portolan-sandbox-'));
      kubeconfigPath = join(tempDir, 'kubeconfig');
    }
  }
  writeAtomic(kubeconfigPath, kubeconfigText(url, secrets.caCert, secrets.token, options.contextName), 0o600);

  let stopped = false;
  return {
    url,
    port,
    kubeconfigPath,
    token: secrets.token,
    caCert: secrets.caCert,
    setFaults: (f) => api.setFaults(f),
    setFailureRules: (r) => api.setFailureRules(r),
    setReadyDelay: (ms) => {
      api.readyDelayMs = ms;
    },
    holdProgress: () => api.holdProgress(),
    releaseProgress: () => api.releaseProgress(),
    stats: () => structuredClone(api.stats),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      api.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
