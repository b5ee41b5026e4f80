// The storage driver interface: where release records live (Secrets, ConfigMaps, or memory). Drivers store and find
// records; history rules (ordering, pruning, the deployed revision) live above them in ReleaseStorage.
import type { ReleaseRecord } from '../types.js';

export type DriverName = 'secret' | 'configmap' | 'memory';
export const DRIVER_NAMES: readonly DriverName[] = ['secret', 'configmap', 'memory'];

/** Labels every stored record carries, so records can be found without reading them. */
export function recordLabels(record: ReleaseRecord): Record<string, string> {
  return { owner: 'portolan', name: record.name, status: record.status, version: String(record.revision) };
}

export interface ReleaseDriver {
  readonly name: DriverName;
  /** The namespace this driver reads from; undefined reads every namespace (list -A). */
  readonly namespace: string | undefined;
  /** One record by key (`portolan.release.v1.<name>.v<revision>`) in this driver's namespace. */
  get(key: string): Promise<ReleaseRecord | undefined>;
  /** Every record whose labels include all of `labels`. */
  query(labels: Record<string, string>): Promise<ReleaseRecord[]>;
  /** Stores a new record (in record.namespace); fails with CONFLICT when the key exists. */
  create(key: string, record: ReleaseRecord, encoded: string): Promise<void>;
  /** Replaces a stored record. */
  update(key: string, record: ReleaseRecord, encoded: string): Promise<void>;
  /** Removes a record; a missing one is not an error. */
  delete(key: string): Promise<void>;
}
