// The public library API of portolan: the same functions the CLI uses, without a terminal.
//
//   import { loadChart, readValues, templateChart, formatManifests } from 'portolan';
//   const chart = await loadChart('charts/webapp');
//   const user = await readValues({ valueFiles: ['charts/webapp/values-prod.yaml'], set: ['image.tag=1.4.3'] }, io);
//   const { manifests } = templateChart(chart, user, { releaseName: 'web', namespace: 'prod' });
export * from './errors.js';
export type * from './chart/types.js';
export { loadChart, loadChartArchive, loadChartFiles, readChartFolder } from './chart/load.js';
export {
  packageChartFiles,
  applyChartOverrides,
  archiveTimeFromEnv,
  type PackageOptions,
  type PackagedChart,
} from './chart/package.js';
export { packageChartFolder, type PackageFolderOptions, type PackageFolderResult } from './package.js';
export { updateDependencies, buildDependencies, type RemoteResolver } from './chart/dependency-update.js';
export { lockDigest, listDependencies } from './chart/dependencies.js';
export { satisfiesRange, maxSatisfying } from './chart/version-range.js';
export {
  readValues,
  templateChart,
  checkDependenciesPresent,
  type TemplateOptions,
  type TemplateResult,
} from './template.js';
export { applySet, parseValuesYaml, prepareChart, readUserValues, validateValues } from './values/index.js';
export type { Origins, PreparedChart, SourcedValues, ValueOptions, ValuesIo } from './values/index.js';
export { renderChart, formatManifests, sortByInstallOrder } from './render/index.js';
export { convertChartFiles, type ConvertOptions, type ConvertResult, type ConversionProblem } from './convert/index.js';
export type { RenderOptions, RenderResult, RenderedDocument } from './render/index.js';
export {
  FakeCluster,
  HttpClusterClient,
  connect,
  type ClusterClient,
  type ConnectOptions,
  type FakeFailure,
  type FakeVerb,
} from './cluster/index.js';
export {
  Install,
  Upgrade,
  Rollback,
  Uninstall,
  List,
  History,
  Status,
  ReleaseTest,
  getRevision,
  actionConfig,
  upgradeValues,
  ReleaseStorage,
  SecretDriver,
  ConfigMapDriver,
  MemoryDriver,
  LeaseLocker,
  MemoryLocker,
  decodeRecord,
  encodeRecord,
  recordKey,
} from './release/index.js';
export type {
  ActionConfig,
  DriverName,
  HeldLock,
  HookRecord,
  InstallOptions,
  Locker,
  ReleaseDriver,
  ReleaseEvent,
  ReleaseRecord,
  ReleaseStatus,
  RollbackOptions,
  UninstallOptions,
  UpgradeOptions,
} from './release/index.js';
export {
  pullChart,
  pushChart,
  parseOciReference,
  registryPaths,
  storeCredential,
  removeCredential,
  chartArtifact,
} from './oci/index.js';
export type { OciReference, PulledChart, PushResult, RegistryPaths } from './oci/index.js';
