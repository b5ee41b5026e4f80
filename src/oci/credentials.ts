// Registry credentials in Docker's config.json format, which helm, docker, podman and oras all read: portolan's
// own file (`registry/config.json` under its config folder, as helm keeps `registry/config.json` under its own;
// --registry-config or PORTOLAN_REGISTRY_CONFIG move it), then Docker's ($DOCKER_CONFIG/config.json, else
// ~/.docker/config.json) read as a fallback, as helm does. Logins are written to portolan's file only, 0600.
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { PortolanError, messageOf } from '../errors.js';
import { writeFileAtomic } from '../repo/index-dir.js';

export interface RegistryPaths {
  /** Where `registry login` writes. */
  config: string;
  /** Docker's config.json, read when portolan's file has no entry for a registry. */
  dockerConfig: string;
  /** Verified blobs, by digest. */
  cache: string;
}

export function registryPaths(
  env: NodeJS.ProcessEnv,
  overrides: { config?: string; cache?: string } = {},
): RegistryPaths {
  const home = env.HOME || homedir();
  const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
  const cacheHome = env.XDG_CACHE_HOME || join(home, '.cache');
  return {
    config: overrides.config || env.PORTOLAN_REGISTRY_CONFIG || join(configHome, 'portolan', 'registry', 'config.json'),
    dockerConfig: join(env.DOCKER_CONFIG || join(home, '.docker'), 'config.json'),
    cache: overrides.cache || env.PORTOLAN_REGISTRY_CACHE || join(cacheHome, 'portolan', 'registry'),
  };
}

export interface RegistryCredential {
  username: string;
  password: string;
}

/** The key a registry's entry has in config.json: Docker Hub's is its old index URL, as docker and helm write it. */
export function credentialKey(registry: string): string {
  const host = registry.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return host === 'docker.io' || host === 'registry-1.docker.io' || host === 'index.docker.io'
    ? 'https://index.docker.io/v1/'
    : host;
}

type ConfigFile = Record<string, unknown> & { auths?: Record<string, Record<string, unknown>> };

async function readConfig(path: string): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PortolanError('IO', `cannot read ${path}: ${messageOf(error)}`, { file: path });
  }
  if (text.trim() === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new PortolanError('REPO', `${path}: not valid JSON (${messageOf(error)})`, {
      file: path,
      hint: 'It is a Docker config.json: {"auths": {"HOST": {"auth": "base64(user:password)"}}}',
    });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new PortolanError('REPO', `${path}: not a JSON object`, { file: path });
  return doc as ConfigFile;
}

function entryCredential(entry: Record<string, unknown> | undefined): RegistryCredential | undefined {
  if (!entry) return undefined;
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string')
    return { username: entry.username, password: entry.password };
  return undefined;
}

function findEntry(file: ConfigFile | undefined, registry: string): Record<string, unknown> | undefined {
  const auths = file?.auths;
  if (!auths || typeof auths !== 'object') return undefined;
  const key = credentialKey(registry);
  if (auths[key]) return auths[key];
  // Docker also accepts entries written as URLs (`https://host`, `http://host/v2/`).
  for (const [name, entry] of Object.entries(auths)) if (credentialKey(name) === key) return entry;
  return undefined;
}

/** The stored credential for a registry: portolan's file first, then Docker's. */
export async function findCredential(paths: RegistryPaths, registry: string): Promise<RegistryCredential | undefined> {
  for (const path of [paths.config, paths.dockerConfig]) {
    const found = entryCredential(findEntry(await readConfig(path), registry));
    if (found) return found;
  }
  return undefined;
}

/** Stores a login in portolan's config.json (other keys and entries kept), atomically, mode 0600. */
export async function storeCredential(
  paths: RegistryPaths,
  registry: string,
  credential: RegistryCredential,
): Promise<void> {
  const file = (await readConfig(paths.config)) ?? {};
  const auths = file.auths && typeof file.auths === 'object' ? { ...file.auths } : {};
  auths[credentialKey(registry)] = {
    auth: Buffer.from(`${credential.username}:${credential.password}`).toString('base64'),
  };
  await mkdir(dirname(paths.config), { recursive: true, mode: 0o700 });
  await writeFileAtomic(paths.config, `${JSON.stringify({ ...file, auths }, null, '\t')}\n`, 0o600);
}

/** Removes a login; false when there was none. */
export async function removeCredential(paths: RegistryPaths, registry: string): Promise<boolean> {
  const file = await readConfig(paths.config);
  const auths = file?.auths;
  if (!file || !auths || typeof auths !== 'object') return false;
  const key = credentialKey(registry);
  const names = Object.keys(auths).filter((name) => credentialKey(name) === key);
  if (names.length === 0) return false;
  const rest = Object.fromEntries(Object.entries(auths).filter(([name]) => !names.includes(name)));
  await writeFileAtomic(paths.config, `${JSON.stringify({ ...file, auths: rest }, null, '\t')}\n`, 0o600);
  return true;
}
