// What every release action needs, chosen once at start-up (Helm's action.Configuration): the cluster, the record
// storage, the locker, the namespace, a clock, and where to report progress. Actions never print.
import type { ClusterClient, WaitProgress } from '../cluster/index.js';
import type { LockHolder, Locker } from './lock.js';
import { LeaseLocker, MemoryLocker, type Identity } from './lock.js';
import { createDriver, ReleaseStorage, type DriverName } from './storage/index.js';
import type { HookPhase, HookRecord } from './types.js';

/** What an action reports while it runs (the CLI shows these on a TTY). */
export type ReleaseEvent =
  | { type: 'step'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'wait'; progress: WaitProgress }
  | { type: 'hook'; event: string; hook: HookRecord; phase: HookPhase }
  | { type: 'recovered'; revision: number; previousStatus: string; holder?: LockHolder };

export interface ActionConfig {
  /** The target cluster; absent only for `install --dry-run=client`. */
  cluster?: ClusterClient;
  storage: ReleaseStorage;
  locker: Locker;
  /** The release namespace. */
  namespace: string;
  now?: () => Date;
  onEvent?: (event: ReleaseEvent) => void;
}

export interface ConfigOptions {
  namespace: string;
  driver?: DriverName;
  /** Lock duration (default 60 s). */
  lockDurationMs?: number;
  identity?: Identity;
  onEvent?: (event: ReleaseEvent) => void;
  /** Read every namespace (list -A). */
  allNamespaces?: boolean;
}

/**
 * Sets each field of `action` that `options` gives a value (undefined keeps the default). Actions take their options
 * as a typed object in the constructor, so a misspelt option is a compile error.
 */
export function setOptions<T extends object>(action: T, options: Partial<T>): void {
  for (const key of Object.keys(options) as Array<keyof T>) {
    const value = options[key];
    if (value !== undefined) action[key] = value;
  }
}

/** The usual configuration: records in the cluster (secret driver unless told otherwise), Lease locks. */
export function actionConfig(cluster: ClusterClient | undefined, options: ConfigOptions): ActionConfig {
  const driver = createDriver(
    options.driver ?? 'secret',
    cluster,
    options.allNamespaces ? undefined : options.namespace,
  );
  return {
    cluster,
    storage: new ReleaseStorage(driver),
    locker: cluster
      ? new LeaseLocker(cluster, { durationMs: options.lockDurationMs, identity: options.identity })
      : new MemoryLocker(options.identity),
    namespace: options.namespace,
    onEvent: options.onEvent,
  };
}
