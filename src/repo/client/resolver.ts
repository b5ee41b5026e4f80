// The RemoteResolver `dependency update|build` uses for dependencies from chart repositories. `repository` may be
// a URL (the credentials of a configured repository with that URL are used; otherwise it is fetched anonymously),
// `@name` or `alias:name` (a configured repository). Each repository's index is downloaded once per run.
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

export function createRemoteResolver(paths: ClientPaths): RemoteResolver {
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
    if (repository.startsWith('oci://')) {
      throw new PortolanError(
        'DEPENDENCY',
        `dependency "${depName}": OCI registries (${redactUrl(repository)}) are not supported yet`,
        { hint: 'Use a chart repository URL, or a file:// dependency.' },
      );
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
