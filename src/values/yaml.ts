// Values as YAML, read as Helm reads them (sigs.k8s.io/yaml over go-yaml v2: YAML 1.1 scalars, `<<` merge keys, a
// key given twice keeps its last value, keys made strings as Go makes them; see go-yaml.ts), several documents merged
// in order, and the checks every source of values needs: no prototype keys, no alias bombs, nothing JSON cannot hold
// (Helm refuses .inf, .nan and null keys). `lineOf` finds where a value path is written, for error messages; it
// parses again only when asked.
import yaml from 'js-yaml';
import { PortolanError } from '../errors.js';
import type { Values } from '../chart/types.js';
import {
  GoScalar,
  HELM_YAML_SCHEMA,
  type GoScalars,
  goKeyString,
  isSuspectKey,
  lineAt,
  loadPrecise,
} from './go-yaml.js';

export { HELM_YAML_SCHEMA } from './go-yaml.js';

/**
 * The YAML 1.2 core schema plus merge keys: what portolan read values with before it read them as Helm does. Kept
 * for the modules that still parse with it (rendered manifests, fromYaml); values files use HELM_YAML_SCHEMA.
 */
// js-yaml exports its built-in types at run time; its type definitions leave `types` out.
const mergeType = (yaml as unknown as { types: { merge: yaml.Type } }).types.merge;
export const VALUES_SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [mergeType] });

/** Keys that would reach an object's prototype if assigned; refused from every source. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A values tree larger than this many nodes (after YAML aliases are expanded) is refused. */
export const MAX_VALUE_NODES = 1_000_000;

export type PathSegment = string | number;

/** `image.tag`, `servers[1].port`; dots inside a key are escaped as in `--set` (`a\.b`). */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += `${out === '' ? '' : '.'}${segment.replace(/([.[\]\\])/g, '\\$1')}`;
  }
  return out;
}

export function isMap(value: unknown): value is Values {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Helm's MergeMaps: maps merge deeply, anything else replaces. Returns a new map; inputs are not changed. */
export function mergeMaps(base: Values, next: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(next)) {
    const current = out[key];
    out[key] = isMap(value) && isMap(current) ? mergeMaps(current, value) : value;
  }
  return out;
}

/**
 * A fresh copy of parsed data with every key checked: shared (aliased) nodes become separate copies, so their
 * expansion is counted and a "billion laughs" document is refused rather than grown.
 */
export function checkedCopy(
  value: unknown,
  onForbidden: (path: PathSegment[]) => never,
  onTooLarge: () => never,
): unknown {
  let nodes = 0;
  const copy = (node: unknown, path: PathSegment[]): unknown => {
    if (++nodes > MAX_VALUE_NODES) onTooLarge();
    if (Array.isArray(node)) return node.map((item, index) => copy(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      const out: Values = {};
      for (const key of Object.keys(node)) {
        if (FORBIDDEN_KEYS.has(key)) onForbidden([...path, key]);
        out[key] = copy((node as Values)[key], [...path, key]);
      }
      return out;
    }
    return node;
  };
  return copy(value, []);
}

function yamlError(error: unknown, name: string): never {
  if (error instanceof yaml.YAMLException) {
    const line = error.mark.line + 1;
    const column = error.mark.column + 1;
    throw new PortolanError('VALUES_PARSE', `${name}:${line}:${column}: ${error.reason}`, {
      file: name,
      line,
      column,
      hint: 'Fix the YAML at that position.',
    });
  }
  throw error;
}

/** What Helm cannot read out of YAML, found in a fast parse: then the text is read again precisely for the message. */
function needsPreciseRead(node: unknown, seen = new WeakSet<object>()): boolean {
  if (typeof node === 'number') return !Number.isFinite(node);
  if (node === null || typeof node !== 'object') return false;
  // An alias is the same object at every place it is used: look at it once (a "billion laughs" text has 10^9 places).
  if (seen.has(node)) return false;
  seen.add(node);
  if (Array.isArray(node)) return node.some((item) => needsPreciseRead(item, seen));
  for (const key of Object.keys(node))
    if (isSuspectKey(key) || needsPreciseRead((node as Values)[key], seen)) return true;
  return false;
}

/**
 * A precisely parsed document made plain: keys as Go writes them, numbers as JavaScript numbers (or left as
 * GoScalars when `keepScalars`, for Chart.yaml's string fields). Throws what Helm refuses, naming file and line.
 */
export function plainGoDocument(
  node: unknown,
  scalars: GoScalars,
  text: string,
  name: string,
  keepScalars = false,
  code: 'VALUES_PARSE' | 'CHART_INVALID' = 'VALUES_PARSE',
): unknown {
  const where = (scalar: GoScalar | undefined, path: PathSegment[]): { line?: number; at: string } => {
    const offset = scalar ? scalars.offsets.get(scalar) : undefined;
    const line = offset !== undefined ? lineAt(text, offset) : lineOf(text, path);
    return { line, at: `${name}${line ? `:${line}` : ''}` };
  };
  let nodes = 0;
  const walk = (value: unknown, path: PathSegment[]): unknown => {
    // Aliases are expanded here, before checkedCopy counts: count too, so a "billion laughs" text stops here.
    if (++nodes > MAX_VALUE_NODES) {
      throw new PortolanError(
        code,
        `${name}: more than ${MAX_VALUE_NODES.toLocaleString('en-US')} values once YAML aliases are expanded`,
        {
          file: name,
          hint: 'A values file this large is refused; check for aliases (*name) that repeat large parts of the file.',
        },
      );
    }
    if (value instanceof GoScalar) {
      if (value.kind === 'float' && !Number.isFinite(value.value as number)) {
        const shown = Number.isNaN(value.value) ? 'NaN' : (value.value as number) > 0 ? '+Inf' : '-Inf';
        const { line, at } = where(value, path);
        throw new PortolanError(
          code,
          `${at}: ${formatPath(path) || 'the value'} is ${shown}, which Helm cannot read (json: unsupported value: ${shown})`,
          {
            file: name,
            line,
            path: formatPath(path),
            hint: 'Values pass through JSON, which has no infinity or NaN: quote it (".inf") to keep the text.',
          },
        );
      }
      return keepScalars ? value : value.plain();
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (value === null || typeof value !== 'object') return value;
    const out: Values = {};
    for (const key of Object.keys(value)) {
      const scalar = scalars.fromKey(key);
      let goKey = key;
      if (scalar) {
        const converted = goKeyString(scalar);
        if (converted === undefined) {
          const { line, at } = where(scalar, path);
          throw new PortolanError(
            code,
            `${at}: a null map key${path.length > 0 ? ` under ${formatPath(path)}` : ''}, which Helm cannot read (unsupported map key of type <nil>)`,
            {
              file: name,
              line,
              path: formatPath(path),
              hint: 'Keys become JSON strings: quote the key ("null": …, "~": …) or remove it.',
            },
          );
        }
        goKey = converted;
      } else if (key === '[object Object]') {
        const { line, at } = where(undefined, path);
        throw new PortolanError(
          code,
          `${at}: a map used as a map key${path.length > 0 ? ` under ${formatPath(path)}` : ''}, which Helm cannot read (yaml: invalid map key)`,
          {
            file: name,
            line,
            path: formatPath(path),
            hint: 'Keys must be plain scalars.',
          },
        );
      }
      out[goKey] = walk((value as Values)[key], [...path, goKey]);
    }
    return out;
  };
  return walk(node, []);
}

/** Every document of a YAML text as Helm reads it (see plainGoDocument). Syntax errors name the file and line. */
export function loadHelmYaml(text: string, name: string): unknown[] {
  let documents: unknown[];
  try {
    documents = yaml.loadAll(text, null, { schema: HELM_YAML_SCHEMA, filename: name, json: true });
  } catch (error) {
    yamlError(error, name);
  }
  if (!documents.some((document) => needsPreciseRead(document))) return documents;
  const precise = loadPrecise(text, name);
  return precise.documents.map((document) => plainGoDocument(document, precise.scalars, text, name));
}

/**
 * Parses a values file: every document must be a map (or empty); documents merge in order (Helm's LoadValues).
 * `name` is what messages call the file.
 */
export function parseValuesYaml(text: string, name: string): Values {
  let documents: unknown[] | undefined;
  // JSON is YAML too, and JSON.parse reads it many times faster (generated values files are often JSON).
  if (text.trimStart().startsWith('{')) {
    try {
      documents = [JSON.parse(text)];
    } catch {
      documents = undefined;
    }
  }
  documents ??= loadHelmYaml(text, name);
  let merged: Values = {};
  documents.forEach((document, index) => {
    if (document === null || document === undefined) return;
    if (!isMap(document)) {
      const found = Array.isArray(document) ? 'a list' : `${typeof document} ${JSON.stringify(document)}`;
      throw new PortolanError(
        'VALUES_PARSE',
        `${name}: expected a map of values${documents.length > 1 ? ` in document ${index + 1}` : ''}, found ${found}`,
        {
          file: name,
          hint: 'A values file maps keys to values, e.g. `replicaCount: 2`.',
        },
      );
    }
    const checked = checkedCopy(
      document,
      (path) => {
        const line = lineOf(text, path);
        throw new PortolanError(
          'FORBIDDEN_KEY',
          `${name}${line ? `:${line}` : ''}: the key "${path[path.length - 1]}" (at ${formatPath(path)}) is not allowed in values`,
          {
            file: name,
            line,
            path: formatPath(path),
            hint: '__proto__, constructor and prototype are refused so that values can never reach an object prototype.',
          },
        );
      },
      () => {
        throw new PortolanError(
          'VALUES_PARSE',
          `${name}: more than ${MAX_VALUE_NODES.toLocaleString('en-US')} values once YAML aliases are expanded`,
          {
            file: name,
            hint: 'A values file this large is refused; check for aliases (*name) that repeat large parts of the file.',
          },
        );
      },
    ) as Values;
    merged = mergeMaps(merged, checked);
  });
  return merged;
}

interface ListenerState {
  line: number;
  kind: string | null;
  result: unknown;
}

interface Frame {
  line: number;
  children: Frame[];
  kind?: string | null;
  result?: unknown;
  /** Paths below this node (relative to it) and the line each starts on. */
  entries?: Array<[PathSegment[], number]>;
}

/** Every path written in a YAML text and its 1-based line; later documents win. */
export function pathLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const stack: Frame[] = [{ line: 0, children: [] }];
  const listener = (event: 'open' | 'close', state: ListenerState): void => {
    if (event === 'open') {
      const frame: Frame = { line: state.line + 1, children: [] };
      (stack[stack.length - 1] as Frame).children.push(frame);
      stack.push(frame);
      return;
    }
    const frame = stack.pop() as Frame;
    frame.kind = state.kind;
    frame.result = state.result;
    const entries: Array<[PathSegment[], number]> = [];
    if (frame.kind === 'mapping') {
      for (let i = 0; i + 1 < frame.children.length; i += 2) {
        const keyFrame = frame.children[i] as Frame;
        const key = String(keyFrame.result);
        entries.push([[key], keyFrame.line]);
        for (const [path, line] of (frame.children[i + 1] as Frame).entries ?? []) entries.push([[key, ...path], line]);
      }
    } else if (frame.kind === 'sequence') {
      frame.children.forEach((child, index) => {
        entries.push([[index], child.line]);
        for (const [path, line] of child.entries ?? []) entries.push([[index, ...path], line]);
      });
    } else if (frame.children.length === 1) {
      // A sequence item's node wraps the node that holds its content.
      entries.push(...((frame.children[0] as Frame).entries ?? []));
    }
    frame.entries = entries;
    frame.children = [];
    if (stack.length === 1) {
      for (const [path, line] of entries) lines.set(formatPath(path), line);
      (stack[0] as Frame).children = [];
    }
  };
  try {
    yaml.loadAll(text, null, { schema: HELM_YAML_SCHEMA, json: true, listener: listener as never });
  } catch {
    // Only asked about texts that parsed before; a failure here just means no lines.
  }
  return lines;
}

const lineCache = new Map<string, Map<string, number>>();

/** The line where `path` (or the nearest enclosing key that is written) is set in `text`. */
export function lineOf(text: string, path: readonly PathSegment[]): number | undefined {
  let lines = lineCache.get(text);
  if (!lines) {
    lines = pathLines(text);
    if (lineCache.size > 32) lineCache.clear();
    lineCache.set(text, lines);
  }
  for (let length = path.length; length > 0; length--) {
    const line = lines.get(formatPath(path.slice(0, length)));
    if (line !== undefined) return line;
  }
  return undefined;
}

/** True when `path` exists in `values` (a null counts as present). */
export function hasPath(values: unknown, path: readonly PathSegment[]): boolean {
  let node: unknown = values;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(node) || segment >= node.length) return false;
      node = node[segment];
    } else {
      if (!isMap(node) || !Object.hasOwn(node, segment)) return false;
      node = node[segment];
    }
  }
  return true;
}

/**
 * JSON text of values as Go's encoding/json writes it: map keys sorted, `<`, `>` and `&` escaped; integers beyond
 * 2^53 (kept as BigInt from `--set`) keep every digit.
 */
export function valuesToJson(value: unknown, indent?: number): string {
  let hasBig = false;
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') {
        hasBig = true;
        return `\u0000big:${v.toString()}\u0000`;
      }
      if (isMap(v) && !(v instanceof Date)) {
        const keys = Object.keys(v);
        if (keys.length < 2) return v;
        const sorted: Values = {};
        for (const key of keys.sort()) sorted[key] = v[key];
        return sorted;
      }
      return v;
    },
    indent,
  );
  if (text === undefined) return 'null';
  const escaped = text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return hasBig ? escaped.replace(/"\\u0000big:(-?\d+)\\u0000"/g, '$1') : escaped;
}
