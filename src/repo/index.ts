// The repository module's public surface: the index model, directory indexing, the server, and the client.
export * from './index-model.js';
export {
  indexDirectory,
  listArchives,
  metadataFromArchive,
  writeFileAtomic,
  joinUrl,
  INDEX_FILE,
  CACHE_FILE,
} from './index-dir.js';
export type { IndexDirectoryOptions, IndexDirectoryResult, CachedArchive } from './index-dir.js';
export { startRepoServer, DEFAULT_PORT, DEFAULT_MAX_UPLOAD } from './server/server.js';
export type { RepoServer, RepoServerOptions } from './server/server.js';
export { parseHtpasswd, parseTokenFile } from './server/auth.js';
export { RepoStore, validateUpload } from './server/store.js';
export { clientPaths, readRepositories, writeRepositories, cachedIndexPath } from './client/config.js';
export type { ClientPaths, RepositoryEntry, RepositoriesFile } from './client/config.js';
export {
  addRepository,
  updateRepositories,
  removeRepositories,
  listRepositories,
  loadCachedIndex,
  fetchIndex,
  fetchChart,
  downloadChart,
  selectVersion,
} from './client/repos.js';
export { searchIndexes, compileRange, truncate } from './client/search.js';
export type { SearchOptions, SearchResult } from './client/search.js';
export { createRemoteResolver } from './client/resolver.js';
