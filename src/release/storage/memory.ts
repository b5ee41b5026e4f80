// Records in process memory: for tests and for `--driver memory` dry runs. Same semantics as the cluster drivers.
import { PortolanError } from '../../errors.js';
import type { ReleaseRecord } from '../types.js';
import { recordLabels, type ReleaseDriver } from './driver.js';

interface Entry {
  record: ReleaseRecord;
  labels: Record<string, string>;
}

/** Shared between MemoryDriver views of different namespaces. */
export class MemoryStore {
  readonly namespaces = new Map<string, Map<string, Entry>>();
}

export class MemoryDriver implements ReleaseDriver {
  readonly name = 'memory' as const;

  constructor(
    readonly namespace: string | undefined,
    private readonly store: MemoryStore = new MemoryStore(),
  ) {}

  /** A view of the same records in another namespace (or all, with undefined). */
  withNamespace(namespace: string | undefined): MemoryDriver {
    return new MemoryDriver(namespace, this.store);
  }

  private bucket(namespace: string): Map<string, Entry> {
    let b = this.store.namespaces.get(namespace);
    if (!b) {
      b = new Map();
      this.store.namespaces.set(namespace, b);
    }
    return b;
  }

  private ns(): string {
    if (this.namespace === undefined)
      throw new PortolanError('INTERNAL', 'a memory driver for all namespaces can only query');
    return this.namespace;
  }

  async get(key: string): Promise<ReleaseRecord | undefined> {
    const entry = this.store.namespaces.get(this.ns())?.get(key);
    return entry ? structuredClone(entry.record) : undefined;
  }

  async query(labels: Record<string, string>): Promise<ReleaseRecord[]> {
    const buckets =
      this.namespace === undefined
        ? [...this.store.namespaces.values()]
        : [this.store.namespaces.get(this.namespace) ?? new Map<string, Entry>()];
    const out: ReleaseRecord[] = [];
    for (const bucket of buckets) {
      for (const entry of bucket.values()) {
        if (Object.entries(labels).every(([k, v]) => entry.labels[k] === v)) out.push(structuredClone(entry.record));
      }
    }
    return out;
  }

  async create(key: string, record: ReleaseRecord): Promise<void> {
    const bucket = this.bucket(record.namespace);
    if (bucket.has(key))
      throw new PortolanError('CONFLICT', `release record ${key} already exists in namespace ${record.namespace}`);
    bucket.set(key, { record: structuredClone(record), labels: recordLabels(record) });
  }

  async update(key: string, record: ReleaseRecord): Promise<void> {
    const bucket = this.bucket(record.namespace);
    if (!bucket.has(key))
      throw new PortolanError('NOT_FOUND', `release record ${key} not found in namespace ${record.namespace}`);
    bucket.set(key, { record: structuredClone(record), labels: recordLabels(record) });
  }

  async delete(key: string): Promise<void> {
    this.store.namespaces.get(this.ns())?.delete(key);
  }
}
