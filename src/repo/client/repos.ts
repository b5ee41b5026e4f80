// The repository client: add, update, remove and list repositories, cache their indexes, and find and fetch charts.
// Cached indexes are stored as JSON (a JSON index is valid YAML, so the file keeps Helm's name and format), which
// later reads parse in one JSON.parse; each is parsed at most once per process. Changes to repositories.yaml and
// the cache are made under the configuration lock (withRepositoriesLock), downloads outside it.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { PortolanError } from '../../errors.js';
import { writeFileAtomic, sha256Hex } from '../index-dir.js';
import { type ChartVersionEntry, type IndexFile, parseIndex, serializeIndex } from '../index-model.js';
import {
  type ClientPaths,
  type RepositoryEntry,
  cachedIndexPath,
  readRepositories,
  withRepositoriesLock,
  writeRepositories,
} from './config.js';
import {
  type Credentials,
  HttpStatusError,
  checkRepositoryUrl,
  credentialsFor,
  download,
  resolveChartUrl,
  splitUrlCredentials,
} from './http.js';
import { type SemanticVersion, compareVersions, tryParseVersion } from '../../chart/version-range.js';
import { compileRange } from './search.js';

export interface AddOptions {
  name: string;
  url: string;
  username?: string;
  password?: string;
  passCredentialsAll?: boolean;
  forceUpdate?: boolean;
  now?: Date;
}

export type AddOutcome = 'added' | 'unchanged' | 'replaced';

export interface FetchedIndex {
  index: IndexFile;
  warnings: string[];
}

function indexUrl(url: string): string {
  return `${url.replace(/\/+$/, '')}/index.yaml`;
}

/** Downloads and parses a repository's index. */
export async function fetchIndex(url: string, credentials: Credentials = {}): Promise<FetchedIndex> {
  const data = await download(indexUrl(url), credentials);
  return parseIndex(data, indexUrl(splitUrlCredentials(url).url));
}

/** Call with the configuration lock held. */
async function storeIndex(paths: ClientPaths, name: string, index: IndexFile): Promise<void> {
  await mkdir(paths.repositoryCache, { recursive: true });
  const path = cachedIndexPath(paths, name);
  await writeFileAtomic(path, serializeIndex(index, { json: true, compact: true }));
  parsedCache.set(path, { index, warnings: [] });
}

/**
 * Where and how to reach a configured repository: credentials in its URL (as Helm may have written it) move out of it.
 */
export function repositoryAccess(repo: RepositoryEntry): RepositoryAccess {
  const { url, ...fromUrl } = splitUrlCredentials(repo.url);
  const explicit = repo.username !== undefined || repo.password !== undefined;
  return {
    url,
    ...(explicit ? { username: repo.username, password: repo.password } : fromUrl),
    passCredentialsAll: repo.pass_credentials_all,
  };
}

function sameConfig(a: RepositoryEntry, b: RepositoryEntry): boolean {
  return (
    a.url === b.url &&
    (a.username ?? '') === (b.username ?? '') &&
    (a.password ?? '') === (b.password ?? '') &&
    Boolean(a.pass_credentials_all) === Boolean(b.pass_credentials_all)
  );
}

function checkName(name: string): void {
  if (name === '' || /[/\\]/.test(name) || name === '.' || name === '..') {
    throw new PortolanError('USAGE', `repository name "${name}" is invalid: it must not be empty or contain "/"`, {
      hint: 'e.g. portolan repo add stable https://charts.example.com',
    });
  }
}

/**
 * `repo add`: downloads the index first, so a repository that does not answer is never added. Credentials in the
 * URL are stored as username and password (flags win over them), so the URL itself never holds a password.
 */
export async function addRepository(
  paths: ClientPaths,
  options: AddOptions,
): Promise<{ outcome: AddOutcome; warnings: string[] }> {
  checkName(options.name);
  checkRepositoryUrl(options.url);
  const split = splitUrlCredentials(options.url);
  const explicit = options.username !== undefined || options.password !== undefined;
  const entry: RepositoryEntry = {
    name: options.name,
    url: split.url.replace(/\/+$/, ''),
    username: explicit ? options.username : split.username,
    password: explicit ? options.password : split.password,
    pass_credentials_all: options.passCredentialsAll || undefined,
  };
  // Checked before the download (no network for a refusal) and again under the lock (another add may have won).
  const decide = (repositories: RepositoryEntry[]): RepositoryEntry | undefined => {
    const existing = repositories.find((r) => r.name === options.name);
    if (existing && !options.forceUpdate && !sameConfig(existing, entry)) {
      throw new PortolanError(
        'REPO',
        `repository name "${options.name}" already exists with a different configuration`,
        {
          hint: 'Use --force-update to replace it, or pick another name.',
        },
      );
    }
    return existing;
  };
  const before = decide((await readRepositories(paths.repositoryConfig)).repositories);
  if (before && !options.forceUpdate) return { outcome: 'unchanged', warnings: [] };
  const fetched = await fetchIndex(entry.url, entry);
  return withRepositoriesLock(paths.repositoryConfig, async () => {
    const latest = await readRepositories(paths.repositoryConfig);
    const existing = decide(latest.repositories);
    if (existing && !options.forceUpdate) return { outcome: 'unchanged', warnings: fetched.warnings };
    await storeIndex(paths, entry.name, fetched.index);
    const repositories = latest.repositories.filter((r) => r.name !== entry.name);
    repositories.push(entry);
    await writeRepositories(paths.repositoryConfig, {
      apiVersion: latest.apiVersion || '',
      generated: (options.now ?? new Date()).toISOString(),
      repositories,
    });
    return { outcome: existing ? 'replaced' : 'added', warnings: fetched.warnings };
  });
}

export async function listRepositories(paths: ClientPaths): Promise<RepositoryEntry[]> {
  return (await readRepositories(paths.repositoryConfig)).repositories;
}

async function configured(paths: ClientPaths, names: string[]): Promise<RepositoryEntry[]> {
  const all = await listRepositories(paths);
  if (names.length === 0) return all;
  const unknown = names.filter((n) => !all.some((r) => r.name === n));
  if (unknown.length > 0) {
    throw new PortolanError('REPO', `no repositories found matching ${unknown.map((n) => `"${n}"`).join(', ')}`, {
      hint: 'See `portolan repo list`.',
    });
  }
  return all.filter((r) => names.includes(r.name));
}

export interface UpdateResult {
  name: string;
  ok: boolean;
  error?: PortolanError | Error;
  warnings: string[];
}

/**
 * Stores a freshly downloaded index, under the lock, only if the repository is still configured as it was when the
 * download started: a `repo remove` or `repo add --force-update` meanwhile wins over the older download.
 */
async function storeIfUnchanged(paths: ClientPaths, repo: RepositoryEntry, index: IndexFile): Promise<void> {
  await withRepositoriesLock(paths.repositoryConfig, async () => {
    const now = (await readRepositories(paths.repositoryConfig)).repositories.find((r) => r.name === repo.name);
    if (!now)
      throw new PortolanError(
        'REPO',
        `repository "${repo.name}" was removed while its index was downloading; nothing was stored`,
      );
    if (!sameConfig(now, repo)) {
      throw new PortolanError(
        'REPO',
        `repository "${repo.name}" changed while its index was downloading; nothing was stored`,
        { hint: `Run \`portolan repo update ${repo.name}\` again.` },
      );
    }
    await storeIndex(paths, repo.name, index);
  });
}

/** `repo update`: refreshes the cached index of each (or the named) repositories, in parallel. */
export async function updateRepositories(paths: ClientPaths, names: string[] = []): Promise<UpdateResult[]> {
  const repos = await configured(paths, names);
  return Promise.all(
    repos.map(async (repo): Promise<UpdateResult> => {
      try {
        const access = repositoryAccess(repo);
        const fetched = await fetchIndex(access.url, access);
        await storeIfUnchanged(paths, repo, fetched.index);
        return { name: repo.name, ok: true, warnings: fetched.warnings };
      } catch (error) {
        return { name: repo.name, ok: false, error: error as Error, warnings: [] };
      }
    }),
  );
}

/** `repo remove`: drops the repositories and their cached indexes. */
export async function removeRepositories(paths: ClientPaths, names: string[]): Promise<void> {
  await withRepositoriesLock(paths.repositoryConfig, async () => {
    await configured(paths, names);
    const file = await readRepositories(paths.repositoryConfig);
    file.repositories = file.repositories.filter((r) => !names.includes(r.name));
    await writeRepositories(paths.repositoryConfig, file);
    for (const name of names) {
      const path = cachedIndexPath(paths, name);
      parsedCache.delete(path);
      await rm(path, { force: true });
    }
  });
}

const parsedCache = new Map<string, FetchedIndex>();

/** The cached index of a configured repository (parsed once per process). */
export async function loadCachedIndex(paths: ClientPaths, name: string): Promise<FetchedIndex> {
  const path = cachedIndexPath(paths, name);
  const cached = parsedCache.get(path);
  if (cached) return cached;
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch {
    throw new PortolanError('REPO', `no cached index for repository "${name}"`, {
      file: path,
      hint: `Run \`portolan repo update ${name}\`.`,
    });
  }
  const parsed = parseIndex(data, path);
  parsedCache.set(path, parsed);
  return parsed;
}

export async function findRepository(paths: ClientPaths, name: string): Promise<RepositoryEntry | undefined> {
  return (await listRepositories(paths)).find((r) => r.name === name);
}

/**
 * The newest version of `chart` in `index` allowed by `range` (prereleases only for a prerelease range, or devel
 * without one).
 */
export function selectVersion(
  index: IndexFile,
  chart: string,
  range: string | undefined,
  devel = false,
  source = 'the repository',
): ChartVersionEntry {
  const versions = index.entries[chart];
  if (!versions || versions.length === 0) {
    throw new PortolanError('NOT_FOUND', `chart "${chart}" not found in ${source}`, {
      hint: 'Run `portolan search repo KEYWORD` to look for it, or `portolan repo update` to refresh the indexes.',
    });
  }
  // Helm's IndexFile.Get: --devel only stands in for a missing range; a version written exactly as in the index wins
  // outright; otherwise the newest version the constraint allows.
  const wanted = range === undefined || range.trim() === '' ? (devel ? '>0.0.0-0' : '') : range.trim();
  const test = compileRange(wanted);
  const exact = wanted === '' ? undefined : versions.find((entry) => entry.version === wanted);
  if (exact) return exact;
  let best: ChartVersionEntry | undefined;
  let bestVersion: SemanticVersion | undefined;
  for (const entry of versions) {
    const version = tryParseVersion(entry.version);
    if (!version || !test(entry.version)) continue;
    if (!bestVersion || compareVersions(version, bestVersion) > 0) {
      best = entry;
      bestVersion = version;
    }
  }
  if (!best) {
    throw new PortolanError(
      'NOT_FOUND',
      `chart "${chart}" has no version matching "${range ?? (devel ? '>0.0.0-0' : 'any release')}" in ${source}`,
      {
        hint: `Versions there: ${versions
          .slice(0, 8)
          .map((v) => v.version)
          .join(', ')}${versions.length > 8 ? ', …' : ''}${!devel && !range ? '. Use --devel for prereleases.' : ''}`,
      },
    );
  }
  return best;
}

export interface RepositoryAccess extends Credentials {
  url: string;
  passCredentialsAll?: boolean;
}

/** An archive whose digest is not the one its index gives. */
export class DigestMismatchError extends PortolanError {}

/**
 * Downloads the archive of an index entry and checks it against the index's digest. Nothing is written. `source`
 * names the index in messages (a 404 here means the index lists an archive the server does not have).
 */
export async function downloadChart(
  repo: RepositoryAccess,
  entry: ChartVersionEntry,
  source = repo.url,
): Promise<{ data: Buffer; url: string; fileName: string }> {
  const first = entry.urls[0];
  if (!first) throw new PortolanError('REPO', `the index lists no URL for ${entry.name} ${entry.version}`);
  const url = resolveChartUrl(repo.url, first);
  let data: Buffer;
  try {
    data = await download(url, credentialsFor(repo.url, url, repo));
  } catch (error) {
    if (error instanceof HttpStatusError && error.status === 404) {
      throw new HttpStatusError(
        404,
        error.url,
        error.message,
        `The index of ${source} lists ${entry.name} ${entry.version} but the server has no archive for it: the index is out of step with the archives.`,
      );
    }
    throw error;
  }
  if (entry.digest) {
    const actual = sha256Hex(data);
    if (actual !== entry.digest.replace(/^sha256:/, '').toLowerCase()) {
      throw new DigestMismatchError(
        'REPO',
        `${url}: the archive's sha256 digest ${actual} does not match the index (${entry.digest}); refusing it`,
        {
          hint: 'The archive changed after the index was made, or was tampered with. Run `portolan repo update` and try again.',
        },
      );
    }
  }
  return { data, url, fileName: `${entry.name}-${entry.version}.tgz` };
}

export interface FetchedChart {
  entry: ChartVersionEntry;
  data: Buffer;
  url: string;
  fileName: string;
  /** For the CLI to print (e.g. the cached index was out of date and refreshed). */
  warnings: string[];
}

/**
 * A chart from a configured repository (`repo/chart`) or a repository URL: its index entry and verified archive.
 * A cached index can be older than the server: when the archive it names is gone (404) or has changed (digest),
 * the repository's index is downloaded once more (and cached, as `repo update` does) and the choice made again.
 */
export async function fetchChart(
  paths: ClientPaths,
  ref: {
    repository?: string;
    repoUrl?: string;
    chart: string;
    version?: string;
    devel?: boolean;
    credentials?: Credentials & { passCredentialsAll?: boolean };
  },
): Promise<FetchedChart> {
  if (ref.repoUrl !== undefined) {
    checkRepositoryUrl(ref.repoUrl, '--repo');
    const { url, ...fromUrl } = splitUrlCredentials(ref.repoUrl.replace(/\/+$/, ''));
    const explicit = ref.credentials?.username !== undefined || ref.credentials?.password !== undefined;
    const access: RepositoryAccess = {
      url,
      ...(explicit ? ref.credentials : fromUrl),
      passCredentialsAll: ref.credentials?.passCredentialsAll,
    };
    const index = (await fetchIndex(access.url, access)).index;
    const entry = selectVersion(index, ref.chart, ref.version, ref.devel, access.url);
    return { entry, ...(await downloadChart(access, entry)), warnings: [] };
  }
  const name = ref.repository ?? '';
  const repo = await findRepository(paths, name);
  if (!repo)
    throw new PortolanError('REPO', `repository "${name}" is not configured`, {
      hint: `Add it: portolan repo add ${name} URL`,
    });
  const access = repositoryAccess(repo);
  const source = `repository "${name}"`;
  const cached = selectVersion((await loadCachedIndex(paths, name)).index, ref.chart, ref.version, ref.devel, source);
  let why: string;
  try {
    return { entry: cached, ...(await downloadChart(access, cached, source)), warnings: [] };
  } catch (error) {
    if (error instanceof HttpStatusError && error.status === 404)
      why = `${cached.name} ${cached.version} is gone from the server`;
    else if (error instanceof DigestMismatchError)
      why = `the archive of ${cached.name} ${cached.version} has changed on the server`;
    else throw error;
  }
  const warnings = [
    `the cached index of ${source} was out of date (${why}); refreshed it, as \`portolan repo update ${name}\` does`,
  ];
  const fresh = await fetchIndex(access.url, access);
  warnings.push(...fresh.warnings);
  try {
    await storeIfUnchanged(paths, repo, fresh.index);
  } catch (error) {
    warnings.push(`the refreshed index of ${source} was not cached: ${(error as Error).message}`);
  }
  const refreshed = `${source} (its index was refreshed just now)`;
  const entry = selectVersion(fresh.index, ref.chart, ref.version, ref.devel, refreshed);
  try {
    return { entry, ...(await downloadChart(access, entry, source)), warnings };
  } catch (error) {
    if (error instanceof HttpStatusError && error.status === 404) {
      throw new HttpStatusError(
        404,
        error.url,
        error.message,
        `The index of ${source}, downloaded again just now, still lists ${entry.name} ${entry.version} but the server has no archive for it: the server's index is out of step with its archives. Tell the repository's owner; once it is fixed, \`portolan repo update ${name}\` picks it up.`,
      );
    }
    if (error instanceof DigestMismatchError) {
      throw new DigestMismatchError('REPO', error.message, {
        hint: 'The archive does not match even the index downloaded just now: it was changed without reindexing, or tampered with.',
      });
    }
    throw error;
  }
}
