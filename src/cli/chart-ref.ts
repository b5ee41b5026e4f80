// Resolving a CHART argument to a loaded chart: a folder or archive on disk; `repo/chart` from a configured
// repository; with --repo URL, a chart name in that repository; or `oci://HOST/PATH/NAME` in an OCI registry.
// --version RANGE picks the version (newest matching release; --devel lets prereleases in; in a registry, from
// its tags). Archives from repositories are checked against the index digest, from registries against the
// manifest's digests.
import { resolve } from 'node:path';
import { readFile, stat } from 'node:fs/promises';
import type { Argv } from 'yargs';
import type { Chart } from '../chart/types.js';
import { PortolanError, UsageError } from '../errors.js';
import type { ClientPaths } from '../repo/client/config.js';
import type { ValuesIo } from '../values/index.js';
import type { ValuesFlags } from './flags.js';
import { colours, type CliIo } from './io.js';

export interface ChartRefOptions {
  /** A version or Helm range. */
  version?: string;
  /** A repository URL to take the chart from (`--repo`). */
  repo?: string;
  username?: string;
  password?: string;
  /** Read the password from standard input (`--password-stdin`). */
  passwordStdin?: boolean;
  passCredentials?: boolean;
  devel?: boolean;
  repositoryConfig?: string;
  repositoryCache?: string;
  /** OCI registries: http instead of https (--plain-http). */
  plainHttp?: boolean;
  /** OCI registries: skip TLS verification (--insecure-skip-tls-verify). */
  insecure?: boolean;
  caFile?: string;
  registryConfig?: string;
}

/** --repository-config and --repository-cache: where the client keeps repositories.yaml and cached indexes. */
export function withRepositoryFlags<T>(y: Argv<T>) {
  return y
    .option('repository-config', {
      type: 'string',
      describe:
        'Path to repositories.yaml (default $XDG_CONFIG_HOME/portolan/repositories.yaml; env PORTOLAN_REPOSITORY_CONFIG)',
    })
    .option('repository-cache', {
      type: 'string',
      describe: 'Folder of cached indexes (default $XDG_CACHE_HOME/portolan/repository; env PORTOLAN_REPOSITORY_CACHE)',
    });
}

/** The flags withRepositoryFlags declares, as run() receives them. */
export interface RepositoryFlags {
  repositoryConfig?: string;
  repositoryCache?: string;
}

/** --plain-http, --insecure-skip-tls-verify, --ca-file and --registry-config: how to reach OCI registries. */
export function withRegistryFlags<T>(y: Argv<T>) {
  return y
    .option('plain-http', {
      type: 'boolean',
      default: false,
      describe: 'Talk to OCI registries over http instead of https',
    })
    .option('insecure-skip-tls-verify', {
      type: 'boolean',
      default: false,
      describe: "Do not verify OCI registries' certificates",
    })
    .option('ca-file', { type: 'string', describe: 'CA certificates (PEM) to verify OCI registries with' })
    .option('registry-config', {
      type: 'string',
      describe:
        'Path to the registry logins (default $XDG_CONFIG_HOME/portolan/registry/config.json; env PORTOLAN_REGISTRY_CONFIG)',
    });
}

/** The flags withRegistryFlags declares, as run() receives them. */
export interface RegistryFlags {
  plainHttp: boolean;
  insecureSkipTlsVerify: boolean;
  caFile?: string;
  registryConfig?: string;
}

/** How to connect to a registry, from its flags: --ca-file is relative to the working folder. */
export function registryConnection(
  io: CliIo,
  flags: { plainHttp: boolean; insecure: boolean; caFile?: string },
): { plainHttp: boolean; insecure: boolean; caFile?: string } {
  return {
    plainHttp: flags.plainHttp,
    insecure: flags.insecure,
    caFile: flags.caFile === undefined ? undefined : resolve(io.cwd, flags.caFile),
  };
}

/** The flags of a command that takes a CHART which may come from a repository. */
export function withChartRefFlags<T>(y: Argv<T>) {
  return withRegistryFlags(withRepositoryFlags(y))
    .option('version', {
      type: 'string',
      describe: 'Chart version or range (e.g. 1.2.3, ^1.2) when CHART comes from a repository',
    })
    .option('devel', { type: 'boolean', default: false, describe: 'Let prereleases match when choosing a version' })
    .option('repo', { type: 'string', describe: 'Repository URL to take CHART from (without adding it)' })
    .option('username', { type: 'string', describe: 'Username for --repo' })
    .option('password', { type: 'string', describe: 'Password for --repo (prefer --password-stdin)' })
    .option('password-stdin', {
      type: 'boolean',
      default: false,
      describe: 'Read the password for --repo from standard input',
    })
    .option('pass-credentials', {
      type: 'boolean',
      default: false,
      describe: 'Send the --repo credentials to chart URLs on other hosts too',
    });
}

/** The flags withChartRefFlags declares, as run() receives them. */
export interface ChartRefFlags extends RepositoryFlags, RegistryFlags {
  version?: string;
  devel: boolean;
  repo?: string;
  username?: string;
  password?: string;
  passwordStdin: boolean;
  passCredentials: boolean;
}

/** --repo and its credentials; -f/--set-file, when the command has them, must not read stdin with --password-stdin. */
export function chartRefOptions(args: ChartRefFlags & Pick<ValuesFlags, 'values' | 'setFile'>): ChartRefOptions {
  if (args.passwordStdin) {
    if (args.password !== undefined)
      throw new UsageError('--password and --password-stdin are mutually exclusive', { flag: '--password-stdin' });
    const values = args.values ?? [];
    const setFile = args.setFile ?? [];
    if (values.some((f) => f.trim() === '-') || setFile.some((f) => /=\s*-\s*$/.test(f))) {
      throw new UsageError('--password-stdin and -f - both read standard input; give the values in a file', {
        flag: '--password-stdin',
      });
    }
  }
  return {
    version: args.version,
    repo: args.repo,
    username: args.username,
    password: args.password,
    passwordStdin: args.passwordStdin,
    passCredentials: args.passCredentials,
    devel: args.devel,
    repositoryConfig: args.repositoryConfig,
    repositoryCache: args.repositoryCache,
    plainHttp: args.plainHttp,
    insecure: args.insecureSkipTlsVerify,
    caFile: args.caFile,
    registryConfig: args.registryConfig,
  };
}

/** Where registry logins and verified blobs live, with --registry-config resolved against the working folder. */
export async function registryPathsFor(io: CliIo, options: { registryConfig?: string } = {}) {
  const { registryPaths } = await import('../oci/credentials.js');
  return registryPaths(io.env, {
    config: options.registryConfig === undefined ? undefined : resolve(io.cwd, options.registryConfig),
  });
}

export async function clientPathsFor(
  io: CliIo,
  options: { repositoryConfig?: string; repositoryCache?: string } = {},
): Promise<ClientPaths> {
  const { clientPaths } = await import('../repo/client/config.js');
  return clientPaths(io.env, {
    repositoryConfig: options.repositoryConfig === undefined ? undefined : resolve(io.cwd, options.repositoryConfig),
    repositoryCache: options.repositoryCache === undefined ? undefined : resolve(io.cwd, options.repositoryCache),
  });
}

/** Splits `repo/chart`; undefined for anything else. */
export function parseRepoRef(ref: string): { repository: string; chart: string } | undefined {
  const match = /^([^/\\]+)\/([^/\\]+)$/.exec(ref);
  return match ? { repository: match[1] as string, chart: match[2] as string } : undefined;
}

/** The warning Helm gives for a password on the command line (shared with `repo add`). */
export function warnPasswordFlag(io: CliIo): void {
  io.stderr(
    `${colours(io).yellow('Warning:')} --password on the command line can be seen by other users (in the process list) and stays in your shell history; use --password-stdin\n`,
  );
}

/** Warns about --password, and reads --password-stdin (once, before anything else reads standard input). */
async function settlePassword(io: CliIo, options: ChartRefOptions): Promise<ChartRefOptions> {
  if (options.password !== undefined) warnPasswordFlag(io);
  if (!options.passwordStdin) return options;
  if (options.username === undefined) throw new UsageError('a password needs --username', { flag: '--username' });
  return { ...options, password: (await io.readStdin()).replace(/\r?\n$/, ''), passwordStdin: false };
}

/** Fetches a chart archive from a repository (verified against the index digest). */
export async function fetchChartArgument(
  ref: string,
  io: CliIo,
  options: ChartRefOptions,
): Promise<{ data: Buffer; fileName: string; url: string; version: string; digest?: string }> {
  return fetchSettled(ref, io, await settlePassword(io, options));
}

async function fetchSettled(
  ref: string,
  io: CliIo,
  options: ChartRefOptions,
): Promise<{ data: Buffer; fileName: string; url: string; version: string; digest?: string }> {
  if (ref.startsWith('oci://')) return fetchOci(ref, io, options);
  const { fetchChart } = await import('../repo/client/repos.js');
  const paths = await clientPathsFor(io, options);
  const warn = (warnings: string[]) => {
    for (const w of warnings) io.stderr(`${colours(io).yellow('Warning:')} ${w}\n`);
  };
  const credentials = {
    username: options.username,
    password: options.password,
    passCredentialsAll: options.passCredentials,
  };
  if (options.repo !== undefined) {
    const fetched = await fetchChart(paths, {
      repoUrl: options.repo,
      chart: ref,
      version: options.version,
      devel: options.devel,
      credentials,
    });
    warn(fetched.warnings);
    return { ...fetched, version: fetched.entry.version };
  }
  const parsed = parseRepoRef(ref);
  if (!parsed) {
    throw new PortolanError(
      'CHART_NOT_FOUND',
      `chart "${ref}" not found: no such folder or archive, and not a repo/chart reference`,
      {
        hint: 'Give a chart folder, a .tgz, REPO/CHART for a configured repository, or --repo URL CHART.',
      },
    );
  }
  const fetched = await fetchChart(paths, { ...parsed, version: options.version, devel: options.devel });
  warn(fetched.warnings);
  return { ...fetched, version: fetched.entry.version };
}

/** A chart from an OCI registry (verified); `url` is the resolved reference, as helm prints it. */
async function fetchOci(
  ref: string,
  io: CliIo,
  options: ChartRefOptions,
): Promise<{ data: Buffer; fileName: string; url: string; version: string; digest: string }> {
  if (options.repo !== undefined)
    throw new UsageError('--repo and an oci:// reference cannot be combined', { flag: '--repo' });
  const { pullChart } = await import('../oci/chart.js');
  const pulled = await pullChart(ref, await registryPathsFor(io, options), {
    version: options.version,
    devel: options.devel,
    ...registryConnection(io, {
      plainHttp: options.plainHttp ?? false,
      insecure: options.insecure ?? false,
      caFile: options.caFile,
    }),
    username: options.username,
    password: options.password,
  });
  for (const w of pulled.warnings) io.stderr(`${colours(io).yellow('Warning:')} ${w}\n`);
  return {
    data: pulled.data,
    fileName: pulled.fileName,
    url: `oci://${pulled.ref}`,
    version: pulled.version,
    digest: pulled.manifestDigest,
  };
}

export async function loadChartArgument(ref: string, io: CliIo, given: ChartRefOptions = {}): Promise<Chart> {
  const options = await settlePassword(io, given);
  const { loadChart, loadChartArchive } = await import('../chart/load.js');
  const local = resolve(io.cwd, ref);
  if (ref.startsWith('oci://')) {
    const fetched = await fetchOci(ref, io, options);
    return loadChartArchive(fetched.data, fetched.url);
  }
  if (options.repo === undefined) {
    const exists = await stat(local).then(
      () => true,
      () => false,
    );
    // A path on disk wins, as in Helm; `repo/chart` goes to the repository only when nothing is there.
    // (--version is ignored for a path, as Helm does.)
    if (exists || !parseRepoRef(ref)) return loadChart(local);
  }
  if (options.repo === undefined) {
    // `charts/nope` is a path with a typo more often than a repository: say both when neither exists.
    const { findRepository } = await import('../repo/client/repos.js');
    const repository = (parseRepoRef(ref) as { repository: string }).repository;
    if (!(await findRepository(await clientPathsFor(io, options), repository))) {
      throw new PortolanError(
        'CHART_NOT_FOUND',
        `chart "${local}" not found: no such folder or archive, and "${repository}" is not a configured repository`,
        {
          file: local,
          hint: `Give a chart folder or .tgz, or add the repository first: portolan repo add ${repository} URL`,
        },
      );
    }
  }
  const fetched = await fetchSettled(ref, io, options);
  return loadChartArchive(fetched.data, fetched.url);
}

export function valuesIo(io: CliIo): ValuesIo {
  return {
    readFile: (path) => readFile(resolve(io.cwd, path), 'utf8'),
    readStdin: () => io.readStdin(),
  };
}
