// The repository client's files: repositories.yaml (Helm's format) under the XDG config folder and the cached
// indexes under the XDG cache folder, each overridable (flag, then PORTOLAN_REPOSITORY_CONFIG/_CACHE, then XDG).
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
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
    repositoryConfig: overrides.repositoryConfig || env.PORTOLAN_REPOSITORY_CONFIG || join(configHome, 'portolan', 'repositories.yaml'),
    repositoryCache: overrides.repositoryCache || env.PORTOLAN_REPOSITORY_CACHE || join(cacheHome, 'portolan', 'repository'),
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
  const repositories = list.filter((r): r is RepositoryEntry => r !== null && typeof r === 'object' && typeof r.name === 'string' && typeof r.url === 'string');
  return { apiVersion: typeof map.apiVersion === 'string' ? map.apiVersion : '', generated: String(map.generated ?? ''), repositories };
}

/** Writes repositories.yaml atomically, readable by its owner only (it may hold passwords). */
export async function writeRepositories(path: string, file: RepositoriesFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const text = yaml.dump(
    { apiVersion: file.apiVersion, generated: file.generated, repositories: file.repositories.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && v !== ''))) },
    { lineWidth: -1, noRefs: true },
  );
  await writeFileAtomic(path, text, 0o600);
}
