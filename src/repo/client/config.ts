// The repository client's files: repositories.yaml (Helm's format) under the XDG config folder and the cached
// indexes under the XDG cache folder, each overridable (flag, then PORTOLAN_REPOSITORY_CONFIG/_CACHE, then XDG).
// Every read-modify-write of these files happens under one lock file beside repositories.yaml, as Helm does.
import { link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { homedir, hostname } from 'node:os';
import { dirname, extname, join } from 'node:path';
import yaml from 'js-yaml';
import { PortolanError, messageOf } from '../../errors.js';
import { writeFileAtomic } from '../index-dir.js';

export interface RepositoryEntry {
  name: string;
  url: string;
  username?: string;
  password?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  insecure_skip_tls_verify?: boolean;
  /** Send the credentials to chart URLs on other hosts too (Helm's --pass-credentials). */
  pass_credentials_all?: boolean;
}

export interface RepositoriesFile {
  apiVersion: string;
  generated: string;
  repositories: RepositoryEntry[];
}

export interface ClientPaths {
  repositoryConfig: string;
  repositoryCache: string;
}

export function clientPaths(env: NodeJS.ProcessEnv, overrides: Partial<ClientPaths> = {}): ClientPaths {
  const home = env.HOME || homedir();
  const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
  const cacheHome = env.XDG_CACHE_HOME || join(home, '.cache');
  return {
    repositoryConfig:
      overrides.repositoryConfig || env.PORTOLAN_REPOSITORY_CONFIG || join(configHome, 'portolan', 'repositories.yaml'),
    repositoryCache:
      overrides.repositoryCache || env.PORTOLAN_REPOSITORY_CACHE || join(cacheHome, 'portolan', 'repository'),
  };
}

export function cachedIndexPath(paths: ClientPaths, name: string): string {
  return join(paths.repositoryCache, `${name}-index.yaml`);
}

export async function readRepositories(path: string): Promise<RepositoriesFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { apiVersion: '', generated: '', repositories: [] };
  }
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (error) {
    throw new PortolanError('REPO', `${path}: not valid YAML (${messageOf(error)})`, { file: path });
  }
  if (doc === null || doc === undefined) return { apiVersion: '', generated: '', repositories: [] };
  const map = doc as Partial<RepositoriesFile>;
  const list = Array.isArray(map.repositories) ? map.repositories : [];
  const repositories = list.filter(
    (r): r is RepositoryEntry =>
      r !== null && typeof r === 'object' && typeof r.name === 'string' && typeof r.url === 'string',
  );
  return {
    apiVersion: typeof map.apiVersion === 'string' ? map.apiVersion : '',
    generated: String(map.generated ?? ''),
    repositories,
  };
}

/** Writes repositories.yaml atomically, readable by its owner only (it may hold passwords). */
export async function writeRepositories(path: string, file: RepositoriesFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const text = yaml.dump(
    {
      apiVersion: file.apiVersion,
      generated: file.generated,
      repositories: file.repositories.map((r) =>
        Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && v !== '')),
      ),
    },
    { lineWidth: -1, noRefs: true },
  );
  await writeFileAtomic(path, text, 0o600);
}

export interface LockOptions {
  /** How long to wait for another holder (default 30 s, as Helm). */
  timeoutMs?: number;
  /** A lock older than this whose holder cannot be checked (another host) is taken over (default 20 s). */
  staleMs?: number;
}

interface LockHolder {
  pid?: number;
  hostname?: string;
  created?: string;
}

/** Helm's lock path: `repositories.lock` beside `repositories.yaml` (the extension replaced, or `.lock` added). */
export function lockPathFor(configPath: string): string {
  const ext = extname(configPath);
  return ext.length > 0 && ext.length < configPath.length
    ? `${configPath.slice(0, -ext.length)}.lock`
    : `${configPath}.lock`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<{ holder: LockHolder; ino: number; ageMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    let holder: LockHolder = {};
    try {
      holder = JSON.parse(text) as LockHolder;
    } catch {
      // Created but not written yet (or cut short): judged by its age alone.
    }
    return { holder, ino: info.ino, ageMs: Date.now() - info.mtimeMs };
  } catch {
    return undefined;
  }
}

/** A holder on this host whose process is gone, or a lock older than staleMs, will never be released. */
function isStale(found: { holder: LockHolder; ageMs: number }, staleMs: number): boolean {
  const { pid, hostname: host } = found.holder;
  if (typeof pid === 'number' && host === hostname() && !isAlive(pid)) return true;
  return found.ageMs > staleMs;
}

/**
 * Moves a stale lock aside and deletes it, unless another process replaced it meanwhile (then puts that one back).
 * Renaming is atomic, so two processes recovering the same stale lock cannot both delete it.
 */
async function breakStaleLock(path: string, ino: number): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return;
  }
  const moved = await stat(aside).catch(() => undefined);
  if (moved && moved.ino !== ino) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

/**
 * Runs `fn` holding the lock of repositories.yaml (and of the cached indexes): an exclusive lock file created with
 * O_EXCL beside it, retried with a bounded wait, released when `fn` settles. A lock left by a process that died is
 * taken over. Holders keep it for local file work only, never across a download.
 */
export async function withRepositoriesLock<T>(
  configPath: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const path = lockPathFor(configPath);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 20_000;
  await mkdir(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  let ino: number;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        ino = (await handle.stat()).ino;
        await handle.writeFile(
          JSON.stringify({ pid: process.pid, hostname: hostname(), created: new Date().toISOString() }),
        );
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new PortolanError('IO', `cannot create the lock file ${path}: ${messageOf(error)}`, { file: path });
      }
    }
    const found = await readHolder(path);
    if (!found) continue;
    if (isStale(found, staleMs)) {
      await breakStaleLock(path, found.ino);
      continue;
    }
    if (Date.now() >= deadline) {
      const who =
        typeof found.holder.pid === 'number'
          ? `process ${found.holder.pid}${found.holder.hostname && found.holder.hostname !== hostname() ? ` on ${found.holder.hostname}` : ''}`
          : 'another process';
      const waited = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
      throw new PortolanError('LOCKED', `${path} is held by ${who}; waited ${waited} for it`, {
        file: path,
        hint: 'Another portolan command is changing your repositories; try again. If none is running, delete the lock file.',
      });
    }
    // Holders keep the lock for milliseconds: poll soon, with jitter so waiters do not wake together.
    await sleep(Math.min(delay + Math.random() * delay, Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 2, 20);
  }
  try {
    return await fn();
  } finally {
    // Only our own lock: had it been taken over as stale, the file is another holder's now.
    if ((await stat(path).catch(() => undefined))?.ino === ino) await rm(path, { force: true });
  }
}
