// The RemoteResolver `dependency update|build` uses for dependencies from chart repositories. `repository` may be
// a URL (the credentials of a configured repository with that URL are used; otherwise it is fetched anonymously),
// `@name` or `alias:name` (a configured repository), or `oci://HOST/PATH` (the chart is PATH/NAME in that registry,
// its version from the tags; stored logins apply). Each repository's index is downloaded once per run.
import { PortolanError } from '../../errors.js';
import type { ChartDependency } from '../../chart/types.js';
import type { RemoteResolver } from '../../chart/dependency-update.js';
import type { ClientPaths, RepositoryEntry } from './config.js';
import {
  type RepositoryAccess,
  downloadChart,
  fetchIndex,
  listRepositories,
  repositoryAccess,
  selectVersion,
} from './repos.js';
import { redactUrl, splitUrlCredentials } from './http.js';
import type { IndexFile } from '../index-model.js';
import type { RegistryPaths } from '../../oci/credentials.js';
import type { ConnectionOptions } from '../../oci/chart.js';

/** Where registry logins and blobs are, and how to reach registries (--plain-http, --ca-file, …). */
export interface RegistryAccess {
  paths: RegistryPaths;
  options?: ConnectionOptions;
}

async function resolveOci(dep: ChartDependency, registry: RegistryAccess | undefined, lockedVersion?: string) {
  const repository = (dep.repository ?? '').replace(/\/+$/, '');
  if (!registry) {
    throw new PortolanError(
      'DEPENDENCY',
      `dependency "${dep.name}": no registry client is configured for ${repository}`,
    );
  }
  const { pullChart } = await import('../../oci/chart.js');
  const pulled = await pullChart(`${repository}/${dep.name}`, registry.paths, {
    ...registry.options,
    version: lockedVersion ?? dep.version,
  });
  if (pulled.name !== dep.name) {
    throw new PortolanError(
      'DEPENDENCY',
      `dependency "${dep.name}": oci://${pulled.ref} holds a chart named "${pulled.name}"`,
    );
  }
  if (lockedVersion !== undefined && pulled.version !== lockedVersion) {
    throw new PortolanError(
      'DEPENDENCY',
      `dependency "${dep.name}": oci://${pulled.ref} holds version ${pulled.version}, not the locked ${lockedVersion}`,
    );
  }
  return { version: pulled.version, archive: pulled.data };
}

export function createRemoteResolver(paths: ClientPaths, registry?: RegistryAccess): RemoteResolver {
  const indexes = new Map<string, Promise<IndexFile>>();
  let repositories: Promise<RepositoryEntry[]> | undefined;

  const accessFor = async (repository: string, depName: string): Promise<RepositoryAccess> => {
    repositories ??= listRepositories(paths);
    const all = await repositories;
    const alias = repository.startsWith('@')
      ? repository.slice(1)
      : repository.startsWith('alias:')
        ? repository.slice('alias:'.length)
        : undefined;
    if (alias !== undefined) {
      const repo = all.find((r) => r.name === alias);
      if (!repo) {
        throw new PortolanError('DEPENDENCY', `dependency "${depName}": no repository named "${alias}" is configured`, {
          hint: `Add it: portolan repo add ${alias} URL`,
        });
      }
      return repositoryAccess(repo);
    }
    if (!/^https?:\/\//.test(repository)) {
      throw new PortolanError(
        'DEPENDENCY',
        `dependency "${depName}": repository "${redactUrl(repository)}" is not a URL, @name or file:// path`,
      );
    }
    const { url, ...fromUrl } = splitUrlCredentials(repository.replace(/\/+$/, ''));
    const repo = all.map(repositoryAccess).find((r) => r.url.replace(/\/+$/, '') === url);
    return repo ? { ...repo, url } : { url, ...fromUrl };
  };

  return {
    async resolve(dep: ChartDependency, lockedVersion?: string) {
      if ((dep.repository ?? '').startsWith('oci://')) return resolveOci(dep, registry, lockedVersion);
      const access = await accessFor(dep.repository ?? '', dep.name);
      let index = indexes.get(access.url);
      if (!index) {
        index = fetchIndex(access.url, access).then((f) => f.index);
        indexes.set(access.url, index);
      }
      const range = lockedVersion ?? dep.version;
      const entry = selectVersion(await index, dep.name, range, false, access.url);
      if (lockedVersion !== undefined && entry.version !== lockedVersion) {
        throw new PortolanError(
          'DEPENDENCY',
          `dependency "${dep.name}": the locked version ${lockedVersion} is not in ${access.url}`,
        );
      }
      const { data } = await downloadChart(access, entry);
      return { version: entry.version, archive: data };
    },
  };
}
