// The repository a server owns: a folder of `<name>-<version>.tgz` archives and the index derived from them.
// The archives are the truth; index.yaml (and the incremental cache beside it) are rebuilt from them at start and
// rewritten after every change. Every mutation runs under one in-process lock; index writes are coalesced (one
// write covers every change made before it started). Archives and the index are written to a temporary file and
// renamed, so a crash at any point leaves old-or-new files, and the start-up reconciliation repairs the index.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import semver from 'semver';
import { PortolanError, messageOf } from '../../errors.js';
import { type ChartArchiveContents, readChartArchive } from '../../chart/archive.js';
import { loadChartFiles } from '../../chart/load.js';
import type { Chart } from '../../chart/types.js';
import {
  type ArchiveCache,
  type CachedArchive,
  INDEX_FILE,
  archiveRecord,
  indexFromRecords,
  listArchives,
  readArchiveCache,
  refreshArchiveCache,
  writeArchiveCache,
  writeFileAtomic,
} from '../index-dir.js';
import { type ChartVersionEntry, type IndexFile, parseIndex, serializeIndex } from '../index-model.js';

/**
 * URLs in the served index are relative (`<name>-<version>.tgz`), as `repo index` writes them: the server works
 * behind any proxy path, and its folder can be served as it is by any static web server. `/charts/<file>` (the
 * older layout) is still answered.
 */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION_PATTERN = /^v?[0-9A-Za-z.+-]+$/;
const UPLOAD_TEMP_PREFIX = '.upload-';
/** Archives up to this size are kept in memory once served (most charts are a few KiB)… */
export const SMALL_ARCHIVE = 256 * 1024;
/** …within this total, least recently used first out. */
const ARCHIVE_MEMORY_BUDGET = 16 * 1024 * 1024;

/** A serialized representation of the index, with its ETag and (lazily) its gzip. */
export class Representation {
  readonly etag: string;
  private gzipped?: Buffer;
  constructor(
    readonly body: Buffer,
    readonly contentType: string,
  ) {
    this.etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  }
  gzip(): Buffer {
    this.gzipped ??= gzipSync(this.body, { level: 6 });
    return this.gzipped;
  }
}

export interface StoreStartReport {
  /** Why the index was rewritten at start, if it was. */
  repaired?: string;
  archives: number;
  read: number;
  warnings: string[];
}

export interface SaveResult {
  entry: ChartVersionEntry;
  replaced: boolean;
}

export class UploadRejected extends PortolanError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(status === 409 ? 'CONFLICT' : 'REPO', message);
  }
}

export class RepoStore {
  private records: ArchiveCache = new Map();
  private archiveBytes = new Map<string, { record: CachedArchive; data: Buffer }>();
  private archiveBytesTotal = 0;
  /** The last entry of archiveBytes (the most recently used), when known. */
  private newestArchive: string | undefined;
  private index: IndexFile;
  private lock: Promise<unknown> = Promise.resolve();
  private changeCount = 0;
  private writtenCount = 0;
  private writing: Promise<void> | undefined;
  private yamlRep: Representation;
  private jsonRep: Representation | undefined;
  /** The YAML of each chart's versions, re-emitted only for charts that changed. */
  private readonly blocks = new Map<string, string>();

  private constructor(
    readonly dir: string,
    private readonly now: () => Date,
    private readonly archiveMemoryBudget: number,
  ) {
    this.index = indexFromRecords([]).index;
    this.yamlRep = new Representation(Buffer.from(serializeIndex(this.index)), 'application/x-yaml');
  }

  /** Opens (and creates) the folder: removes upload leftovers, rebuilds or reconciles the index with the archives. */
  static async open(
    dir: string,
    options: { now?: () => Date; archiveMemoryBudget?: number } = {},
  ): Promise<{ store: RepoStore; report: StoreStartReport }> {
    const store = new RepoStore(
      dir,
      options.now ?? (() => new Date()),
      options.archiveMemoryBudget ?? ARCHIVE_MEMORY_BUDGET,
    );
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir)) {
      if (name.startsWith(UPLOAD_TEMP_PREFIX) || name.endsWith('.tmp')) await rm(join(dir, name), { force: true });
    }
    const files = (await listArchives(dir, false)).filter((f) => !f.includes('/'));
    const refreshed = await refreshArchiveCache(dir, files, await readArchiveCache(dir));
    store.records = refreshed.cache;
    store.index = store.buildIndex();
    let repaired: string | undefined;
    let onDisk: Buffer | undefined;
    try {
      onDisk = await readFile(join(dir, INDEX_FILE));
    } catch {
      repaired = 'index.yaml was missing';
    }
    if (onDisk) {
      // Our own writes are deterministic: when the disk holds exactly what we would write (same `generated`), the
      // index is consistent and there is nothing to parse.
      const generated = /^generated: (.*)$/m.exec(onDisk.toString('latin1', Math.max(0, onDisk.length - 200)))?.[1];
      const candidate =
        generated === undefined
          ? undefined
          : { ...store.index, generated: generated.startsWith('"') ? (JSON.parse(generated) as string) : generated };
      const text = candidate ? serializeIndex(candidate, { blocks: store.blocks }) : undefined;
      if (candidate && text !== undefined && onDisk.equals(Buffer.from(text))) {
        store.index = candidate;
        store.yamlRep = new Representation(onDisk, 'application/x-yaml');
      } else {
        const verdict = compareWithArchives(onDisk, dir, store.index);
        if (verdict.matches) {
          // Another tool (`repo index`, helm) wrote an index that lists exactly these archives at these URLs: it is
          // served as it is, byte for byte, until the first change.
          store.index = verdict.index;
          store.yamlRep = new Representation(onDisk, 'application/x-yaml');
        } else repaired = verdict.reason;
      }
    }
    if (repaired !== undefined) await store.writeIndexFiles();
    else if (refreshed.read > 0) await writeArchiveCache(dir, store.records);
    return {
      store,
      report: { repaired, archives: store.records.size, read: refreshed.read, warnings: refreshed.warnings },
    };
  }

  private buildIndex(): IndexFile {
    const ordered = [...this.records.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return indexFromRecords(ordered, { now: this.now() }).index;
  }

  /** The current index (as last written to disk). */
  currentIndex(): IndexFile {
    return this.index;
  }

  representation(format: 'yaml' | 'json'): Representation {
    if (format === 'yaml') return this.yamlRep;
    this.jsonRep ??= new Representation(
      Buffer.from(serializeIndex(this.index, { json: true, compact: true })),
      'application/json',
    );
    return this.jsonRep;
  }

  /** The archive file of a served file name, if the index has it. */
  archiveFile(fileName: string): { path: string; record: CachedArchive } | undefined {
    const record = this.records.get(fileName);
    return record ? { path: join(this.dir, fileName), record } : undefined;
  }

  /** The bytes of a small archive when memory holds them, still those of its current record. */
  cachedArchive(fileName: string): Buffer | undefined {
    const cached = this.archiveBytes.get(fileName);
    if (!cached || cached.record !== this.records.get(fileName)) return undefined;
    // Most recently used last; a Map's delete and set cost more than the rest of the lookup, so not when it is.
    if (this.newestArchive !== fileName) {
      this.archiveBytes.delete(fileName);
      this.archiveBytes.set(fileName, cached);
      this.newestArchive = fileName;
    }
    return cached.data;
  }

  /**
   * The bytes of a small archive (at most SMALL_ARCHIVE bytes), from memory after the first read; undefined for a
   * larger one or one that is gone. An entry belongs to the record it was read for: an upload that replaces the
   * archive makes a new record, so a stale copy is never served. Least recently used entries leave past the budget.
   */
  async smallArchive(fileName: string): Promise<Buffer | undefined> {
    const cached = this.cachedArchive(fileName);
    if (cached) return cached;
    const record = this.records.get(fileName);
    if (!record || record.size > SMALL_ARCHIVE) return undefined;
    let data: Buffer;
    try {
      data = await readFile(join(this.dir, fileName));
    } catch {
      return undefined;
    }
    // Read while an upload or delete changed it: serve what was read, keep nothing.
    if (this.records.get(fileName) !== record || data.length !== record.size) return data;
    this.forgetArchive(fileName);
    this.archiveBytes.set(fileName, { record, data });
    this.newestArchive = fileName;
    this.archiveBytesTotal += data.length;
    for (const name of this.archiveBytes.keys()) {
      if (this.archiveBytesTotal <= this.archiveMemoryBudget) break;
      this.forgetArchive(name);
    }
    return data;
  }

  private forgetArchive(fileName: string): void {
    const entry = this.archiveBytes.get(fileName);
    if (!entry) return;
    this.archiveBytes.delete(fileName);
    this.archiveBytesTotal -= entry.data.length;
    if (this.newestArchive === fileName) this.newestArchive = undefined;
  }

  entries(name: string): ChartVersionEntry[] | undefined {
    return this.index.entries[name];
  }

  /** Runs `fn` alone: no other mutation runs meanwhile. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Validates an uploaded archive completely, stores it, and returns once the index on disk lists it. */
  async save(
    data: Buffer,
    options: { force?: boolean; allowOverwrite?: boolean; fileName?: string } = {},
  ): Promise<SaveResult> {
    const { chart, read } = validateUpload(data, options.fileName);
    const { name, version } = chart.metadata;
    const fileName = `${name}-${version}.tgz`;
    const result = await this.exclusive(async () => {
      const existing = this.findRecord(name, version);
      const holder = this.records.get(fileName)?.entry;
      if (holder && (holder.name !== name || holder.version !== version)) {
        // `<name>-<version>.tgz` is ambiguous (hello-1.0.0 1.0.0 and hello 1.0.0-1.0.0): never replace another chart.
        throw new UploadRejected(
          409,
          `${fileName} already holds ${holder.name} ${holder.version}; ${name} ${version} would replace it (rename the chart or choose another version)`,
        );
      }
      if (existing && !(options.force && options.allowOverwrite)) {
        throw new UploadRejected(
          409,
          options.force
            ? `${name} ${version} already exists and this server does not allow overwriting (start it with --allow-overwrite)`
            : `${name} ${version} already exists; upload with ?force to replace it`,
        );
      }
      const target = join(this.dir, fileName);
      const temp = join(this.dir, `${UPLOAD_TEMP_PREFIX}${randomBytes(6).toString('hex')}.tmp`);
      try {
        await writeFile(temp, data);
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw new PortolanError('IO', `cannot store ${fileName}: ${messageOf(error)}`);
      }
      if (existing && existing[0] !== fileName) await rm(join(this.dir, existing[0]), { force: true });
      if (existing) this.records.delete(existing[0]);
      if (existing) this.forgetArchive(existing[0]);
      const info = await stat(target);
      const record = archiveRecord(data, fileName, { size: info.size, mtimeMs: info.mtimeMs }, read);
      this.records.set(fileName, record);
      this.blocks.delete(name);
      this.changed();
      return { entry: { ...record.entry, urls: [fileName] } as ChartVersionEntry, replaced: existing !== undefined };
    });
    await this.flush();
    return result;
  }

  /** Deletes a chart version; false when there is none. Returns once the index on disk no longer lists it. */
  async remove(name: string, version: string): Promise<boolean> {
    const removed = await this.exclusive(async () => {
      const existing = this.findRecord(name, version);
      if (!existing) return false;
      await rm(join(this.dir, existing[0]), { force: true });
      this.records.delete(existing[0]);
      this.forgetArchive(existing[0]);
      this.blocks.delete(name);
      this.changed();
      return true;
    });
    if (removed) await this.flush();
    return removed;
  }

  private findRecord(name: string, version: string): [string, CachedArchive] | undefined {
    for (const [file, record] of this.records)
      if (record.entry.name === name && record.entry.version === version) return [file, record];
    return undefined;
  }

  private changed(): void {
    this.changeCount++;
  }

  /** Waits until every change made so far is on disk. Writes are coalesced: one write covers all changes before it. */
  async flush(): Promise<void> {
    const target = this.changeCount;
    while (this.writtenCount < target) {
      if (this.writing) {
        await this.writing;
        continue;
      }
      this.writing = this.writeIndexFiles().finally(() => {
        this.writing = undefined;
      });
      await this.writing;
    }
  }

  private cacheTimer: NodeJS.Timeout | undefined;
  private cacheDirty = false;

  /** The archive cache only saves re-reading archives at the next start (a stale one costs reads, never
   *  correctness: records are checked by size and mtime), so it is written a little later, and at close. */
  private scheduleCacheWrite(): void {
    this.cacheDirty = true;
    if (this.cacheTimer) return;
    this.cacheTimer = setTimeout(() => {
      this.cacheTimer = undefined;
      void this.writeCache().catch(() => undefined);
    }, 5_000);
    this.cacheTimer.unref();
  }

  private async writeCache(): Promise<void> {
    if (!this.cacheDirty) return;
    this.cacheDirty = false;
    await writeArchiveCache(this.dir, new Map(this.records));
  }

  /** Flushes the index and the archive cache; call when the server stops. */
  async close(): Promise<void> {
    await this.flush();
    if (this.cacheTimer) clearTimeout(this.cacheTimer);
    this.cacheTimer = undefined;
    await this.writeCache();
  }

  private async writeIndexFiles(): Promise<void> {
    const version = this.changeCount;
    const index = this.buildIndex();
    const text = serializeIndex(index, { blocks: this.blocks });
    await writeFileAtomic(join(this.dir, INDEX_FILE), text);
    this.scheduleCacheWrite();
    this.index = index;
    this.yamlRep = new Representation(Buffer.from(text), 'application/x-yaml');
    this.jsonRep = undefined;
    this.writtenCount = Math.max(this.writtenCount, version);
  }
}

function entryKeys(index: IndexFile): Map<string, ChartVersionEntry> {
  const keys = new Map<string, ChartVersionEntry>();
  for (const list of Object.values(index.entries)) for (const e of list) keys.set(`${e.name} ${e.version}`, e);
  return keys;
}

/**
 * Whether an index on disk lists exactly the archives (same names, versions, digests and URLs); when not, why not,
 * naming the first entries that differ.
 */
function compareWithArchives(
  onDisk: Buffer,
  dir: string,
  expected: IndexFile,
): { matches: true; index: IndexFile } | { matches: false; reason: string } {
  let parsed: IndexFile;
  try {
    parsed = parseIndex(onDisk, join(dir, INDEX_FILE)).index;
  } catch (error) {
    return { matches: false, reason: `index.yaml was corrupt (${messageOf(error)})` };
  }
  const want = entryKeys(expected);
  const have = entryKeys(parsed);
  const missing = [...want.keys()].filter((k) => !have.has(k));
  const stale = [...have.keys()].filter((k) => !want.has(k));
  const changed: string[] = [];
  for (const [key, entry] of want) {
    const listed = have.get(key);
    if (!listed) continue;
    if ((listed.digest ?? '') !== (entry.digest ?? '')) changed.push(`${key}: its digest is not the archive's`);
    else if (JSON.stringify(listed.urls) !== JSON.stringify(entry.urls))
      changed.push(`${key}: listed at ${listed.urls.join(', ')}, served at ${entry.urls.join(', ')}`);
  }
  if (missing.length === 0 && stale.length === 0 && changed.length === 0) return { matches: true, index: parsed };
  const some = (list: string[]) =>
    `${list.slice(0, 3).join('; ')}${list.length > 3 ? `; and ${list.length - 3} more` : ''}`;
  const reasons: string[] = [];
  if (missing.length > 0) reasons.push(`${missing.length} archive(s) not listed (${some(missing)})`);
  if (stale.length > 0) reasons.push(`${stale.length} listed without an archive (${some(stale)})`);
  if (changed.length > 0) reasons.push(`${changed.length} listed differently (${some(changed)})`);
  return { matches: false, reason: `index.yaml did not match the archives: ${reasons.join(', ')}` };
}

/**
 * A complete check of an upload before anything is stored: a loadable chart, named and versioned safely. Returns
 * the archive as read, so that the store and the index use this one reading of it.
 */
export function validateUpload(data: Buffer, fileName?: string): { chart: Chart; read: ChartArchiveContents } {
  const source = fileName ?? 'the uploaded archive';
  let chart: Chart;
  let topFolder: string;
  let read: ChartArchiveContents;
  try {
    read = readChartArchive(data, source);
    topFolder = read.topFolder;
    chart = loadChartFiles(read.files, source, read.budget);
  } catch (error) {
    throw new UploadRejected(400, `not a valid chart archive: ${messageOf(error)}`);
  }
  const { name, version } = chart.metadata;
  if (!NAME_PATTERN.test(name))
    throw new UploadRejected(400, `chart name "${name}" may only hold letters, digits, ".", "_" and "-"`);
  if (!VERSION_PATTERN.test(version) || !semver.valid(version, { loose: true }))
    throw new UploadRejected(400, `chart version "${version}" is not a valid SemVer version`);
  if (topFolder !== name)
    throw new UploadRejected(400, `the archive's top folder "${topFolder}/" is not the chart's name "${name}"`);
  const expected = `${name}-${version}.tgz`;
  if (fileName !== undefined && fileName !== expected) {
    throw new UploadRejected(
      400,
      `the file name "${fileName}" does not match the chart's Chart.yaml (expected "${expected}")`,
    );
  }
  return { chart, read };
}
