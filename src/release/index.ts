// Releases: the record and its storage, the locks, and the actions (install, upgrade, rollback, uninstall, list,
// history, status, test). Each action is configured with a typed options object (or by setting its fields), then run().
export type { HookPhase, HookRecord, ReleaseRecord, ReleaseStatus } from './types.js';
export { RELEASE_STATUSES, isInProgress } from './types.js';
export {
  MAX_RECORD_BYTES,
  checkReleaseName,
  decodeRecord,
  encodeRecord,
  recordKey,
  recordProblems,
  recordToJson,
  parseJsonKeepingBigInts,
} from './record.js';
export {
  ConfigMapDriver,
  DRIVER_NAMES,
  MemoryDriver,
  MemoryStore,
  ReleaseStorage,
  SecretDriver,
  createDriver,
  driverName,
  recordLabels,
  type DriverName,
  type ReleaseDriver,
} from './storage/index.js';
export {
  DEFAULT_LOCK_DURATION_MS,
  LeaseLocker,
  MemoryLocker,
  currentIdentity,
  holderOf,
  lockName,
  type HeldLock,
  type Identity,
  type LockHolder,
  type Locker,
} from './lock.js';
export { actionConfig, setOptions, type ActionConfig, type ConfigOptions, type ReleaseEvent } from './config.js';
export { DEFAULT_TIMEOUT_MS } from './operation.js';
export { Install, type DryRun, type InstallOptions, type InstallResult } from './install.js';
export { Upgrade, upgradeValues, type UpgradeOptions, type UpgradeResult, type ValueFlags } from './upgrade.js';
export { Rollback, type RollbackOptions } from './rollback.js';
export { Uninstall, type UninstallOptions, type UninstallResult } from './uninstall.js';
export {
  History,
  List,
  ReleaseTest,
  Status,
  getRevision,
  type HistoryOptions,
  type ListOptions,
  type ResourceState,
  type StatusOptions,
  type TestOptions,
  type TestResult,
} from './query.js';
export { hookState, hooksFor, type HookEvent } from './hooks.js';
export { MANAGED_BY_LABEL, RELEASE_NAME_ANNOTATION, RELEASE_NAMESPACE_ANNOTATION } from './objects.js';
