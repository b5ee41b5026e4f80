// Loading kubeconfig the way kubectl does: --kubeconfig, else every file in KUBECONFIG (first wins for duplicate
// names and for current-context), else ~/.kube/config; then --kube-context and the namespace. @kubernetes/client-node
// reads the files and resolves credentials (CA, client certificates, tokens, exec plugins, auth providers); the CLI
// bundles the part of it this needs, so loading it costs little.
import { existsSync } from 'node:fs';
import type * as https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
// The config module alone: the package's index also loads every generated API model, ws, tar and more.
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import type { Cluster, Context, User } from '@kubernetes/client-node/dist/config_types.js';
import { PortolanError, messageOf } from '../errors.js';

export interface KubeconfigOptions {
  /** Path from --kubeconfig (one file; wins over KUBECONFIG). */
  kubeconfig?: string;
  /** --kube-context */
  context?: string;
  /** -n/--namespace; else the context's namespace; else `default`. */
  namespace?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export interface LoadedKubeconfig {
  context: string;
  cluster: Cluster;
  user: User;
  namespace: string;
  /** Files read, in order. */
  files: string[];
  /** Fills in TLS material and credentials for a request (client-node's KubeConfig.applyToHTTPSOptions). */
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
  /** client-node's KubeConfig for these files, with the chosen context current. */
  kubeConfig(): Promise<KubeConfig>;
}

function loadFile(file: string, flag: string | undefined): KubeConfig {
  if (!existsSync(file)) {
    throw new PortolanError('KUBECONFIG', `kubeconfig file ${file} does not exist`, {
      file,
      flag,
      hint:
        flag === '--kubeconfig'
          ? 'Pass the path of an existing kubeconfig file.'
          : 'Fix the KUBECONFIG environment variable.',
    });
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new PortolanError('KUBECONFIG', `cannot read kubeconfig ${file}: ${messageOf(err)}`, {
      file,
      flag,
      cause: err,
    });
  }
  return kc;
}

function merge(configs: KubeConfig[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let current = '';
  for (const kc of configs) {
    for (const c of kc.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const x of kc.getContexts()) if (!contexts.has(x.name)) contexts.set(x.name, x);
    if (!current && kc.getCurrentContext()) current = kc.getCurrentContext();
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext: current,
  });
  return merged;
}

export function loadKubeconfig(options: KubeconfigOptions = {}): LoadedKubeconfig {
  const env = options.env ?? process.env;
  let files: string[];
  let flag: string | undefined;
  if (options.kubeconfig) {
    files = [options.kubeconfig];
    flag = '--kubeconfig';
  } else if (env.KUBECONFIG) {
    files = env.KUBECONFIG.split(delimiter).filter((f) => f !== '');
    // kubectl skips KUBECONFIG entries that do not exist, as long as one does.
    const present = files.filter((f) => existsSync(f));
    if (present.length === 0) {
      throw new PortolanError(
        'KUBECONFIG',
        `no kubeconfig found: none of the files in KUBECONFIG exist (${files.join(delimiter)})`,
        {
          hint: 'Point KUBECONFIG at an existing file, or pass --kubeconfig. `portolan sandbox start` writes one for a local test cluster.',
        },
      );
    }
    files = present;
  } else {
    const file = join(options.home ?? homedir(), '.kube', 'config');
    if (!existsSync(file)) {
      throw new PortolanError(
        'KUBECONFIG',
        `no kubeconfig found: ${file} does not exist and neither --kubeconfig nor KUBECONFIG is set`,
        {
          hint: 'Pass --kubeconfig FILE or set KUBECONFIG. `portolan sandbox start` writes one for a local test cluster.',
        },
      );
    }
    files = [file];
  }
  const kc = files.length === 1 ? loadFile(files[0]!, flag) : merge(files.map((f) => loadFile(f, flag)));

  const contextName = options.context ?? kc.getCurrentContext();
  if (!contextName) {
    throw new PortolanError('KUBECONFIG', `kubeconfig ${files.join(delimiter)} has no current-context`, {
      flag: '--kube-context',
      hint: `Pass --kube-context NAME (known: ${
        kc
          .getContexts()
          .map((c) => c.name)
          .join(', ') || 'none'
      }).`,
    });
  }
  const ctx = kc.getContextObject(contextName);
  if (!ctx) {
    throw new PortolanError('KUBECONFIG', `context "${contextName}" does not exist in ${files.join(delimiter)}`, {
      flag: options.context ? '--kube-context' : undefined,
      hint: `Known contexts: ${
        kc
          .getContexts()
          .map((c) => c.name)
          .join(', ') || 'none'
      }.`,
    });
  }
  kc.setCurrentContext(contextName);
  const cluster = kc.getCluster(ctx.cluster);
  if (!cluster || !cluster.server) {
    throw new PortolanError(
      'KUBECONFIG',
      `context "${contextName}" names cluster "${ctx.cluster}", which is not defined (or has no server)`,
      {
        file: files[0],
      },
    );
  }
  const user = kc.getUser(ctx.user) ?? { name: ctx.user };
  return {
    context: contextName,
    cluster,
    user,
    namespace: options.namespace || ctx.namespace || 'default',
    files,
    applyToHTTPSOptions: (opts) => kc.applyToHTTPSOptions(opts),
    kubeConfig: async () => kc,
  };
}
