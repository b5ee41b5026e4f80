// Patch formats and field ownership: JSON merge patch (RFC 7386), JSON patch (RFC 6902), strategic merge
// patch for the common built-in lists, and server-side apply with managedFields (fieldsV1).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A deep copy of a JSON value (what the sandbox stores: parsed request bodies). Six times as fast as
 * structuredClone, which serializes (1.2 against 7.8 µs for a Deployment); a `__proto__` key stays an own property as
 * JSON.parse made it.
 */
export function clone<T>(v: T): T {
  return cloneJson(v as Json) as T;
}

function cloneJson(v: Json): Json {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(cloneJson);
  const out: JsonObject = {};
  for (const key of Object.keys(v)) {
    const value = cloneJson(v[key]!);
    if (key === '__proto__')
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export class PatchError extends Error {
  constructor(
    message: string,
    readonly code: 400 | 409 | 422 = 422,
  ) {
    super(message);
  }
}

// ---- JSON merge patch ----
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// ---- JSON patch ----
function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(path)}`, 422);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[], path: string): { parent: JsonObject | Json[]; key: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)] as Json;
    else if (isObject(cur)) cur = cur[p] as Json;
    else cur = undefined as unknown as Json;
    if (cur === undefined || cur === null || typeof cur !== 'object') {
      throw new PatchError(`jsonpatch: path ${path} does not exist`, 422);
    }
  }
  return { parent: cur as JsonObject | Json[], key: parts[parts.length - 1]! };
}

function getPointer(doc: Json, path: string): Json {
  let cur: Json | undefined = doc;
  for (const p of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`jsonpatch: path ${path} does not exist`, 422);
  }
  return cur;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const parts = pointer(path);
  if (parts.length === 0) return clone(value);
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const idx = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length || (replace && idx >= parent.length)) {
      throw new PatchError(`jsonpatch: index ${key} out of range at ${path}`, 422);
    }
    if (replace) parent[idx] = clone(value);
    else parent.splice(idx, 0, clone(value));
  } else {
    if (replace && !(key in parent)) throw new PatchError(`jsonpatch replace: path ${path} does not exist`, 422);
    parent[key] = clone(value);
  }
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const parts = pointer(path);
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const idx = Number(key);
    if (!(idx >= 0 && idx < parent.length)) throw new PatchError(`jsonpatch remove: index ${key} out of range`, 422);
    parent.splice(idx, 1);
  } else {
    if (!(key in parent)) throw new PatchError(`jsonpatch remove: path ${path} does not exist`, 422);
    delete parent[key];
  }
  return doc;
}

export function jsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be a list of operations', 400);
  let out = clone(doc);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError('jsonpatch: each operation needs op and path', 400);
    }
    const { op, path } = raw;
    switch (op) {
      case 'add':
        out = addAt(out, path, raw.value ?? null, false);
        break;
      case 'replace':
        out = addAt(out, path, raw.value ?? null, true);
        break;
      case 'remove':
        out = removeAt(out, path);
        break;
      case 'move':
      case 'copy': {
        const from = String(raw.from);
        const value = clone(getPointer(out, from));
        if (op === 'move') out = removeAt(out, from);
        out = addAt(out, path, value, false);
        break;
      }
      case 'test':
        if (!deepEqual(getPointer(out, path), raw.value)) throw new PatchError(`jsonpatch test failed at ${path}`, 422);
        break;
      default:
        throw new PatchError(`jsonpatch: unknown op ${op}`, 400);
    }
  }
  return out;
}

// ---- merge keys (strategic merge and apply) ----
const MERGE_KEYS: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  imagePullSecrets: ['name'],
  ports: ['containerPort', 'protocol'],
  conditions: ['type'],
  hostAliases: ['ip'],
  ownerReferences: ['uid'],
  topologySpreadConstraints: ['topologyKey', 'whenUnsatisfiable'],
};

/** The key fields of an associative list, given its field name and parent path; undefined for atomic lists. */
export function mergeKeysFor(field: string, parentPath: string[], custom: boolean): string[] | undefined {
  if (custom && !(parentPath.length === 1 && parentPath[0] === 'metadata')) return undefined;
  if (field === 'ports') {
    // Service ports are keyed by port+protocol; container ports by containerPort+protocol.
    return parentPath[parentPath.length - 1] === 'spec' &&
      !parentPath.includes('template') &&
      !parentPath.includes('containers')
      ? ['port', 'protocol']
      : ['containerPort', 'protocol'];
  }
  return MERGE_KEYS[field];
}

function keyOf(item: Json, keys: string[]): JsonObject | undefined {
  if (!isObject(item)) return undefined;
  const out: JsonObject = {};
  for (const k of keys) {
    const v = item[k];
    if (v === undefined) {
      if (k === 'protocol') out[k] = 'TCP';
      else return undefined;
    } else out[k] = v;
  }
  return out;
}

function sameKey(a: Json, b: Json, keys: string[]): boolean {
  const ka = keyOf(a, keys);
  const kb = keyOf(b, keys);
  return ka !== undefined && kb !== undefined && deepEqual(ka, kb);
}

// ---- strategic merge patch (common cases: merge-keyed lists, $patch directives, null deletes) ----
export function strategicMerge(target: Json | undefined, patch: Json, path: string[] = [], custom = false): Json {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const rest = { ...patch };
    delete rest.$patch;
    return stripDirectives(rest);
  }
  if (patch.$patch === 'delete') return null;
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const keys = mergeKeysFor(k, path, custom);
    if (Array.isArray(v) && keys && Array.isArray(out[k]) && v.every((i) => keyOf(i, keys) !== undefined)) {
      const list = clone(out[k] as Json[]);
      for (const item of v) {
        const idx = list.findIndex((x) => sameKey(x, item, keys));
        if (isObject(item) && item.$patch === 'delete') {
          if (idx >= 0) list.splice(idx, 1);
        } else if (idx >= 0) {
          list[idx] = strategicMerge(list[idx], item, [...path, k], custom);
        } else {
          list.push(stripDirectives(item));
        }
      }
      out[k] = list;
    } else if (isObject(v)) {
      out[k] = strategicMerge(out[k], v, [...path, k], custom);
      if (out[k] === null) delete out[k];
    } else {
      out[k] = stripDirectives(v);
    }
  }
  return out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

// ---- field sets (fieldsV1) ----
/** A fieldsV1 tree: `f:name`, `k:{json}` and `.` (the node itself) keys; `{}` is a leaf. */
export type FieldTree = { [key: string]: FieldTree };

const IGNORED_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** The fields an object (or applied configuration) sets, as a fieldsV1 tree. */
export function fieldsOf(obj: JsonObject, custom: boolean): FieldTree {
  const out: FieldTree = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k === 'metadata' && isObject(v)) {
      const meta: FieldTree = {};
      for (const [mk, mv] of Object.entries(v)) {
        if (IGNORED_METADATA.has(mk)) continue;
        meta[`f:${mk}`] = fieldsOfValue(mv, mk, ['metadata'], custom);
      }
      if (Object.keys(meta).length) out['f:metadata'] = meta;
      continue;
    }
    out[`f:${k}`] = fieldsOfValue(v, k, [], custom);
  }
  return out;
}

function fieldsOfValue(v: Json, field: string, parentPath: string[], custom: boolean): FieldTree {
  if (typeof v !== 'object' || v === null) return {};
  const path = [...parentPath, field];
  if (isObject(v)) {
    const t: FieldTree = {};
    for (const [k, x] of Object.entries(v)) t[`f:${k}`] = fieldsOfValue(x, k, path, custom);
    return t;
  }
  if (Array.isArray(v)) {
    const keys = mergeKeysFor(field, parentPath, custom);
    if (keys && v.length > 0 && v.every((i) => keyOf(i, keys) !== undefined)) {
      const t: FieldTree = {};
      for (const item of v) {
        const key = keyOf(item, keys)!;
        const sub: FieldTree = { '.': {} };
        for (const [k, x] of Object.entries(item as JsonObject)) sub[`f:${k}`] = fieldsOfValue(x, k, path, custom);
        t[`k:${JSON.stringify(key)}`] = sub;
      }
      return t;
    }
  }
  return {};
}

/** Flattens a tree into member paths (JSON-encoded lists of path elements). */
export function toPaths(tree: FieldTree, out = new Set<string>()): Set<string> {
  walkMembers(tree, '[', (path, _sub, isMember) => {
    if (isMember) out.add(path);
  });
  return out;
}

/**
 * Calls `visit` for every node below `tree` with its path as JSON (what JSON.stringify of the list of path elements
 * gives, built piece by piece), the node, and whether it is a member: a leaf, or marked with '.'.
 */
function walkMembers(tree: FieldTree, open: string, visit: (path: string, sub: FieldTree, isMember: boolean) => void) {
  for (const k in tree) {
    if (k === '.') continue;
    const sub = tree[k]!;
    const path = `${open}${JSON.stringify(k)}`;
    let empty = true;
    for (const _child in sub) {
      empty = false;
      break;
    }
    visit(`${path}]`, sub, empty || '.' in sub);
    walkMembers(sub, `${path},`, visit);
  }
}

export function fromPaths(paths: Iterable<string>): FieldTree {
  const root: FieldTree = {};
  const members: string[][] = [];
  for (const s of paths) {
    const p = JSON.parse(s) as string[];
    members.push(p);
    let node = root;
    for (const el of p) node = node[el] ??= {};
  }
  for (const p of members) {
    let node = root;
    for (const el of p) node = node[el]!;
    const keys = Object.keys(node).filter((k) => k !== '.');
    if (keys.length > 0) node['.'] = {};
  }
  return root;
}

/** Leaf members only (paths without member descendants). */
function leafPaths(tree: FieldTree): Set<string> {
  const out = new Set<string>();
  walkMembers(tree, '[', (path, sub) => {
    for (const k in sub) if (k !== '.') return;
    out.add(path);
  });
  return out;
}

/** The value at a field path, or undefined. */
export function valueAt(obj: Json | undefined, path: string[]): Json | undefined {
  let cur: Json | undefined = obj;
  for (const el of path) {
    if (el.startsWith('f:')) {
      cur = isObject(cur) ? cur[el.slice(2)] : undefined;
    } else if (el.startsWith('k:')) {
      const key = JSON.parse(el.slice(2)) as JsonObject;
      cur = Array.isArray(cur) ? cur.find((i) => sameKey(i, key, Object.keys(key))) : undefined;
    } else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

function removeAtPath(obj: Json, path: string[]): void {
  let cur: Json | undefined = obj;
  for (let i = 0; i < path.length - 1; i++) cur = valueAt(cur, [path[i]!]);
  const last = path[path.length - 1]!;
  if (last.startsWith('f:') && isObject(cur)) delete cur[last.slice(2)];
  else if (last.startsWith('k:') && Array.isArray(cur)) {
    const key = JSON.parse(last.slice(2)) as JsonObject;
    const idx = cur.findIndex((i) => sameKey(i, key, Object.keys(key)));
    if (idx >= 0) cur.splice(idx, 1);
  }
}

/** Merges an applied configuration into a live object: maps deep, keyed lists by key, others replaced. */
export function applyMerge(
  live: Json | undefined,
  config: Json,
  field: string,
  parentPath: string[],
  custom: boolean,
): Json {
  return mergeOwned(live === undefined ? undefined : clone(live), clone(config), field, parentPath, custom);
}

/** applyMerge on values this call may take apart and reuse (fresh copies), so nothing is copied twice. */
function mergeOwned(live: Json | undefined, config: Json, field: string, parentPath: string[], custom: boolean): Json {
  if (isObject(config)) {
    const out: JsonObject = isObject(live) ? live : {};
    const path = field ? [...parentPath, field] : parentPath;
    for (const [k, v] of Object.entries(config)) out[k] = mergeOwned(out[k], v, k, path, custom);
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live)) {
    const keys = mergeKeysFor(field, parentPath, custom);
    if (keys && config.every((i) => keyOf(i, keys) !== undefined) && live.every((i) => keyOf(i, keys) !== undefined)) {
      for (const item of config) {
        const idx = live.findIndex((x) => sameKey(x, item, keys));
        if (idx >= 0) live[idx] = mergeOwned(live[idx], item, '', [...parentPath, field], custom);
        else live.push(item);
      }
      return live;
    }
  }
  return config;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldTree;
  subresource?: string;
}

export interface ApplyConflict {
  manager: string;
  apiVersion: string;
  field: string;
}

/** `.spec.template.spec.containers[name="web"].image` for a field path. */
export function describePath(path: string[]): string {
  let s = '';
  for (const el of path) {
    if (el.startsWith('f:')) s += `.${el.slice(2)}`;
    else if (el.startsWith('k:')) {
      const key = JSON.parse(el.slice(2)) as JsonObject;
      s += `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    }
  }
  return s;
}

export interface ApplyResult {
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Server-side apply of `config` by `manager` onto `live` (undefined when creating). Fields the manager applied
 * before and no longer applies are removed unless another manager owns them; a field another manager owns with a
 * different value is a conflict unless `force` (then ownership moves to this manager).
 */
export function serverSideApply(
  live: JsonObject | undefined,
  config: JsonObject,
  manager: string,
  force: boolean,
  apiVersion: string,
  custom: boolean,
  now: string,
): ApplyResult | { conflicts: ApplyConflict[] } {
  const managed: ManagedFieldsEntry[] = clone(
    ((live?.metadata as JsonObject | undefined)?.managedFields ?? []) as unknown as ManagedFieldsEntry[],
  );
  const newTree = fieldsOf(config, custom);
  const newSet = toPaths(newTree);
  const newLeaves = leafPaths(newTree);
  const mine = managed.find((m) => m.manager === manager && m.operation === 'Apply' && !m.subresource);
  const prevSet = mine ? toPaths(mine.fieldsV1) : new Set<string>();

  const conflicts: ApplyConflict[] = [];
  const stolen = new Map<ManagedFieldsEntry, string[]>();
  for (const entry of managed) {
    if (entry === mine) continue;
    const theirs = toPaths(entry.fieldsV1);
    for (const p of newLeaves) {
      if (!theirs.has(p)) continue;
      const path = JSON.parse(p) as string[];
      if (!deepEqual(valueAt(live, path), valueAt(config, path))) {
        conflicts.push({ manager: entry.manager, apiVersion: entry.apiVersion, field: describePath(path) });
        const list = stolen.get(entry) ?? [];
        list.push(p);
        stolen.set(entry, list);
      }
    }
  }
  if (conflicts.length > 0 && !force) return { conflicts };
  for (const [entry, paths] of stolen) {
    const set = toPaths(entry.fieldsV1);
    for (const p of paths) set.delete(p);
    entry.fieldsV1 = fromPaths(set);
  }

  const configBody = clone(config);
  delete configBody.status;
  let object = mergeOwned(live ? clone(live) : {}, configBody, '', [], custom) as JsonObject;

  // Remove what this manager stopped applying and nobody else owns.
  const others = new Set<string>();
  for (const entry of managed) {
    if (entry === mine || entry.subresource) continue;
    if (entry.manager === manager && entry.operation === 'Apply') continue;
    for (const p of toPaths(entry.fieldsV1)) others.add(p);
  }
  const removedSet = new Set([...prevSet].filter((p) => !newSet.has(p) && !others.has(p)));
  const kept = [...newSet, ...others];
  const removed: string[][] = [];
  for (const p of removedSet) {
    const path = JSON.parse(p) as string[];
    // An ancestor being removed covers this path.
    if (path.some((_, i) => i > 0 && removedSet.has(JSON.stringify(path.slice(0, i))))) continue;
    // A map or list item someone still owns fields under stays.
    const below = p.slice(0, -1) + ',';
    if (kept.some((q) => q.startsWith(below))) continue;
    removed.push(path);
  }
  for (const path of removed) removeAtPath(object, path);
  object = dropEmptyParents(object, removed);

  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion,
    time: now,
    fieldsType: 'FieldsV1',
    fieldsV1: newTree,
  };
  const rest = managed.filter((m) => m !== mine && Object.keys(m.fieldsV1).length > 0);
  return { object, managedFields: [entry, ...rest] };
}

function dropEmptyParents(obj: JsonObject, removed: string[][]): JsonObject {
  for (const path of removed) {
    for (let i = path.length - 1; i > 0; i--) {
      const parentPath = path.slice(0, i);
      const v = valueAt(obj, parentPath);
      const empty = (isObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
      if (!empty) break;
      removeAtPath(obj, parentPath);
    }
  }
  return obj;
}

/**
 * Ownership after a non-apply write (create, update, patch) by `manager`: it takes every field it changed, other
 * managers lose those and any field that no longer exists.
 */
export function updateManagedFields(
  before: JsonObject | undefined,
  after: JsonObject,
  manager: string,
  apiVersion: string,
  custom: boolean,
  now: string,
  subresource?: string,
): ManagedFieldsEntry[] {
  const managed: ManagedFieldsEntry[] = clone(
    ((before?.metadata as JsonObject | undefined)?.managedFields ?? []) as unknown as ManagedFieldsEntry[],
  );
  const afterTree = fieldsOf(after, custom);
  const afterSet = toPaths(afterTree);
  const changed = new Set<string>();
  for (const p of leafPaths(afterTree)) {
    const path = JSON.parse(p) as string[];
    if (!before || !deepEqual(valueAt(before, path), valueAt(after, path))) changed.add(p);
  }
  if (subresource === 'status') {
    // Status writes are tracked per manager in the status subresource; the sandbox keeps them simple.
    return managed;
  }
  let mine = managed.find((m) => m.manager === manager && m.operation === 'Update' && !m.subresource);
  for (const entry of managed) {
    if (entry.subresource) continue;
    const set = toPaths(entry.fieldsV1);
    let changedAny = false;
    for (const p of [...set]) {
      if (!afterSet.has(p) || (entry !== mine && changed.has(p))) {
        set.delete(p);
        changedAny = true;
      }
    }
    if (changedAny) entry.fieldsV1 = fromPaths(set);
  }
  if (changed.size > 0) {
    if (!mine) {
      mine = { manager, operation: 'Update', apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: {} };
      managed.push(mine);
    }
    const set = toPaths(mine.fieldsV1);
    for (const p of changed) set.add(p);
    mine.fieldsV1 = fromPaths(set);
    mine.time = now;
    mine.apiVersion = apiVersion;
  }
  return managed.filter((m) => Object.keys(m.fieldsV1).length > 0);
}
