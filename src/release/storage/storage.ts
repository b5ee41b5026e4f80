// History rules above the drivers: revisions in order, the deployed one, the latest of each release, size checks
// before a write, and --history-max pruning (oldest first, never the deployed revision nor the newest).
import { PortolanError, isPortolanError } from '../../errors.js';
import { checkRecordSize, encodeRecord, recordKey } from '../record.js';
import type { ReleaseRecord } from '../types.js';
import type { ReleaseDriver } from './driver.js';

export class ReleaseStorage {
  constructor(readonly driver: ReleaseDriver) {}

  /** Every revision of a release, oldest first. */
  async history(name: string): Promise<ReleaseRecord[]> {
    const records = await this.driver.query({ name });
    return records.sort((a, b) => a.revision - b.revision);
  }

  async get(name: string, revision: number): Promise<ReleaseRecord | undefined> {
    return this.driver.get(recordKey(name, revision));
  }

  /** The newest revision, whatever its status. */
  async last(name: string): Promise<ReleaseRecord | undefined> {
    const history = await this.history(name);
    return history[history.length - 1];
  }

  /** The newest revision of every release in the driver's namespace (or all namespaces). */
  async latestOfEach(): Promise<ReleaseRecord[]> {
    const latest = new Map<string, ReleaseRecord>();
    for (const r of await this.driver.query({})) {
      const key = `${r.namespace}/${r.name}`;
      const seen = latest.get(key);
      if (!seen || seen.revision < r.revision) latest.set(key, r);
    }
    return [...latest.values()].sort((a, b) =>
      a.name === b.name ? a.namespace.localeCompare(b.namespace) : a.name < b.name ? -1 : 1,
    );
  }

  /** Encodes and size-checks a record without storing it (call before applying anything). */
  prepare(record: ReleaseRecord): string {
    const encoded = encodeRecord(record);
    checkRecordSize(record, encoded);
    return encoded;
  }

  async create(record: ReleaseRecord): Promise<void> {
    const encoded = this.prepare(record);
    try {
      await this.driver.create(recordKey(record.name, record.revision), record, encoded);
    } catch (err) {
      if (isPortolanError(err) && err.code === 'CONFLICT') {
        throw new PortolanError(
          'CONFLICT',
          `revision ${record.revision} of release "${record.name}" was written by another operation at the same time`,
          {
            hint: 'Run `portolan history` to see what happened, then try again.',
            cause: err,
          },
        );
      }
      throw err;
    }
  }

  async update(record: ReleaseRecord): Promise<void> {
    await this.driver.update(recordKey(record.name, record.revision), record, this.prepare(record));
  }

  async delete(record: ReleaseRecord): Promise<void> {
    await this.driver.delete(recordKey(record.name, record.revision));
  }

  /**
   * Keeps at most `max` revisions (0 = no limit): deletes the oldest, never a deployed one nor the newest.
   * Returns the revisions removed.
   */
  async prune(name: string, max: number): Promise<number[]> {
    if (max <= 0) return [];
    const history = await this.history(name);
    let excess = history.length - max;
    if (excess <= 0) return [];
    const newest = history[history.length - 1]!.revision;
    const removed: number[] = [];
    for (const r of history) {
      if (excess <= 0) break;
      if (r.status === 'deployed' || r.revision === newest) continue;
      await this.delete(r);
      removed.push(r.revision);
      excess--;
    }
    return removed;
  }
}
