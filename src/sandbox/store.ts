// The sandbox's object store: objects per resource, a global resourceVersion, a bounded event history for
// watches, and optional persistence (snapshot written atomically + an append-only journal replayed on start).
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from './patch.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: EventType;
  /** `group/resource` */
  resource: string;
  object: JsonObject;
  /** The object before a MODIFIED event (what a selector matched before). */
  previous?: JsonObject;
}

const HISTORY = 20_000;
const COMPACT_AFTER = 2_000;

interface Snapshot {
  rv: number;
  objects: Record<string, JsonObject[]>;
}

function metaOf(obj: JsonObject): JsonObject {
  return (obj.metadata ?? {}) as JsonObject;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class Store {
  rv = 0;
  private readonly objects = new Map<string, Map<string, JsonObject>>();
  private events: StoreEvent[] = [];
  private readonly listeners = new Set<(ev: StoreEvent) => void>();
  private journalEntries = 0;

  constructor(private readonly dataDir?: string) {
    if (dataDir) this.load();
  }

  /** The oldest resourceVersion a watch can resume from. */
  get oldestRv(): number {
    return this.events.length ? this.events[0]!.rv - 1 : this.rv;
  }

  get(resource: string, namespace: string | undefined, name: string): JsonObject | undefined {
    return this.objects.get(resource)?.get(objectKey(namespace, name));
  }

  /** Objects of a resource (in one namespace, or all), ordered by namespace then name, as etcd keys are. */
  list(resource: string, namespace?: string): JsonObject[] {
    const map = this.objects.get(resource);
    if (!map) return [];
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    const entries: Array<[string, JsonObject]> = [];
    for (const entry of map) if (prefix === undefined || entry[0].startsWith(prefix)) entries.push(entry);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return entries.map((e) => e[1]);
  }

  resources(): string[] {
    return [...this.objects.keys()];
  }

  /** Stores a new or changed object, stamping the next resourceVersion. Returns the stored object. */
  put(resource: string, obj: JsonObject, type: EventType): JsonObject {
    this.rv++;
    const meta = metaOf(obj);
    meta.resourceVersion = String(this.rv);
    obj.metadata = meta;
    const key = objectKey(meta.namespace as string | undefined, String(meta.name));
    let map = this.objects.get(resource);
    if (!map) this.objects.set(resource, (map = new Map()));
    const previous = map.get(key);
    map.set(key, obj);
    this.emit({ rv: this.rv, type, resource, object: obj, ...(previous ? { previous } : {}) });
    this.journal({ op: 'put', resource, object: obj, rv: this.rv });
    return obj;
  }

  remove(resource: string, obj: JsonObject): JsonObject {
    this.rv++;
    const meta = metaOf(obj);
    this.objects.get(resource)?.delete(objectKey(meta.namespace as string | undefined, String(meta.name)));
    const gone = { ...obj, metadata: { ...meta, resourceVersion: String(this.rv) } };
    this.emit({ rv: this.rv, type: 'DELETED', resource, object: gone });
    this.journal({ op: 'remove', resource, object: gone, rv: this.rv });
    return gone;
  }

  /** Events after `rv` for a resource (undefined when `rv` is older than the history kept). */
  since(rv: number): StoreEvent[] | undefined {
    if (rv < this.oldestRv) return undefined;
    return this.events.filter((e) => e.rv > rv);
  }

  subscribe(listener: (ev: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(ev: StoreEvent): void {
    this.events.push(ev);
    if (this.events.length > HISTORY) this.events = this.events.slice(-HISTORY / 2);
    for (const l of this.listeners) l(ev);
  }

  // ---- persistence ----
  private get snapshotPath(): string {
    return join(this.dataDir!, 'state.json');
  }
  private get journalPath(): string {
    return join(this.dataDir!, 'journal.ndjson');
  }

  private journal(entry: { op: 'put' | 'remove'; resource: string; object: JsonObject; rv: number }): void {
    if (!this.dataDir) return;
    appendFileSync(this.journalPath, JSON.stringify(entry) + '\n', { mode: 0o600 });
    if (++this.journalEntries >= COMPACT_AFTER) this.compact();
  }

  /** Writes a full snapshot (temp file + rename, so a crash leaves the old or the new one) and empties the journal. */
  compact(): void {
    if (!this.dataDir) return;
    const snap: Snapshot = { rv: this.rv, objects: {} };
    for (const [res, map] of this.objects) snap.objects[res] = [...map.values()];
    const tmp = `${this.snapshotPath}.${process.pid}.tmp`;
    // Secrets are stored here: only their owner may read them, as the kubeconfig and tls.json.
    writeFileSync(tmp, JSON.stringify(snap), { mode: 0o600 });
    renameSync(tmp, this.snapshotPath);
    writeFileSync(this.journalPath, '', { mode: 0o600 });
    this.journalEntries = 0;
  }

  private load(): void {
    mkdirSync(this.dataDir!, { recursive: true, mode: 0o700 });
    // Files an older version wrote readable by everyone are tightened.
    for (const file of [this.snapshotPath, this.journalPath]) if (existsSync(file)) chmodSync(file, 0o600);
    if (existsSync(this.snapshotPath)) {
      const snap = JSON.parse(readFileSync(this.snapshotPath, 'utf8')) as Snapshot;
      this.rv = snap.rv;
      for (const [res, list] of Object.entries(snap.objects)) {
        const map = new Map<string, JsonObject>();
        for (const o of list) map.set(objectKey(metaOf(o).namespace as string | undefined, String(metaOf(o).name)), o);
        this.objects.set(res, map);
      }
    }
    if (existsSync(this.journalPath)) {
      for (const line of readFileSync(this.journalPath, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        let entry: { op: 'put' | 'remove'; resource: string; object: JsonObject; rv: number };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          break; // a torn last line from a crash: everything before it is intact
        }
        if (entry.rv <= this.rv) continue;
        this.rv = entry.rv;
        const meta = metaOf(entry.object);
        const key = objectKey(meta.namespace as string | undefined, String(meta.name));
        let map = this.objects.get(entry.resource);
        if (!map) this.objects.set(entry.resource, (map = new Map()));
        if (entry.op === 'put') map.set(key, entry.object);
        else map.delete(key);
      }
    }
    this.compact();
  }
}
