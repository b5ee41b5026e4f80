// The index.yaml model: parse (JSON first, YAML fallback, invalid entries skipped with a warning), merge, sort,
// and serialize (YAML or JSON). Pure: no I/O here.
import yaml from 'js-yaml';
// Only the functions used: the whole of semver costs ~30 ms to load, which `repo index` pays on every run.
import valid from 'semver/functions/valid.js';
import rcompare from 'semver/functions/rcompare.js';
import { PortolanError } from '../errors.js';
import type { ChartMetadata } from '../chart/types.js';
import { compareKeys, toYaml } from '../yaml-emit.js';

/** One chart version in an index: the chart's metadata plus where to get it. */
export interface ChartVersionEntry extends ChartMetadata {
  urls: string[];
  /** RFC 3339 time. */
  created?: string;
  /** Hex sha256 of the archive. */
  digest?: string;
}

export interface IndexFile {
  apiVersion: string;
  generated: string;
  entries: Record<string, ChartVersionEntry[]>;
  annotations?: Record<string, string>;
  [extra: string]: unknown;
}

export interface ParsedIndex {
  index: IndexFile;
  /** One line per skipped entry, naming the chart, the version and the reason. */
  warnings: string[];
}

/** The Chart.yaml fields Helm keeps in an index entry (its ChartVersion struct); others are dropped. */
const METADATA_FIELDS = [
  'apiVersion',
  'name',
  'version',
  'kubeVersion',
  'description',
  'type',
  'keywords',
  'home',
  'sources',
  'dependencies',
  'maintainers',
  'icon',
  'appVersion',
  'deprecated',
  'annotations',
  'condition',
  'tags',
] as const;

export function emptyIndex(now: Date = new Date()): IndexFile {
  return { apiVersion: 'v1', entries: {}, generated: now.toISOString() };
}

/** An index entry for a chart archive. */
export function entryFromMetadata(
  metadata: ChartMetadata,
  details: { urls: string[]; created: string; digest: string },
): ChartVersionEntry {
  const entry: Record<string, unknown> = {};
  for (const field of METADATA_FIELDS) {
    const value = metadata[field];
    if (value !== undefined && value !== null && value !== '') entry[field] = value;
  }
  entry.urls = details.urls;
  entry.created = details.created;
  entry.digest = details.digest;
  return entry as unknown as ChartVersionEntry;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Why an entry is unusable, or undefined when it is fine. Normalises harmless oddities in place. */
function entryProblem(raw: Record<string, unknown>): string | undefined {
  if (raw.apiVersion === undefined || raw.apiVersion === null || raw.apiVersion === '') raw.apiVersion = 'v1';
  if (typeof raw.name !== 'string' || raw.name === '') return 'name is missing';
  if (/[/\\]/.test(raw.name) || raw.name === '.' || raw.name === '..')
    return `name "${raw.name}" is not a valid chart name`;
  if (typeof raw.appVersion === 'number') raw.appVersion = String(raw.appVersion);
  if (typeof raw.version !== 'string' || raw.version === '') return 'version is missing or not a string';
  if (!valid(raw.version, { loose: true })) return `version "${raw.version}" is not valid SemVer`;
  if (raw.urls === undefined || raw.urls === null) raw.urls = [];
  if (!Array.isArray(raw.urls) || !raw.urls.every((u) => typeof u === 'string'))
    return 'urls must be a list of strings';
  if (raw.digest !== undefined && raw.digest !== null && typeof raw.digest !== 'string')
    return 'digest must be a string';
  if (raw.created instanceof Date) raw.created = raw.created.toISOString();
  if (raw.created !== undefined && raw.created !== null && typeof raw.created !== 'string')
    return 'created must be a time';
  if (
    raw.type !== undefined &&
    raw.type !== null &&
    raw.type !== '' &&
    raw.type !== 'application' &&
    raw.type !== 'library'
  )
    return `type "${String(raw.type)}" is invalid`;
  for (const key of ['appVersion', 'description', 'kubeVersion', 'home', 'icon'] as const) {
    const value = raw[key];
    if (value !== undefined && value !== null && typeof value !== 'string') return `${key} must be a string`;
  }
  if (
    raw.keywords !== undefined &&
    raw.keywords !== null &&
    !(Array.isArray(raw.keywords) && raw.keywords.every((k) => typeof k === 'string'))
  )
    return 'keywords must be a list of strings';
  return undefined;
}

/**
 * Parses an index: JSON when the text is JSON, YAML otherwise. Entries that are not valid are skipped with a warning.
 */
export function parseIndex(input: string | Buffer, source: string): ParsedIndex {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  let doc: unknown;
  let parsed = false;
  const start = text.search(/\S/);
  if (start >= 0 && text[start] === '{') {
    try {
      doc = JSON.parse(text);
      parsed = true;
    } catch {
      // not JSON after all: YAML below
    }
  }
  if (!parsed) {
    try {
      doc = yaml.load(text, { schema: yaml.CORE_SCHEMA, json: true, filename: source });
    } catch (error) {
      const mark = error instanceof yaml.YAMLException ? error.mark : undefined;
      throw new PortolanError(
        'REPO',
        `${source}${mark ? `:${mark.line + 1}:${mark.column + 1}` : ''}: not a valid index (${error instanceof yaml.YAMLException ? error.reason : String(error)})`,
        {
          file: source,
          line: mark ? mark.line + 1 : undefined,
          hint: 'A chart repository index is the index.yaml that `portolan repo index` or `helm repo index` writes.',
        },
      );
    }
  }
  return normalizeIndex(doc, source);
}

/** Checks a parsed document and turns it into an IndexFile, skipping invalid entries. */
export function normalizeIndex(doc: unknown, source: string): ParsedIndex {
  if (!isMap(doc))
    throw new PortolanError('REPO', `${source}: not a valid index (expected a map with apiVersion and entries)`, {
      file: source,
    });
  if (typeof doc.apiVersion !== 'string' || doc.apiVersion === '') {
    throw new PortolanError('REPO', `${source}: not a valid index: no apiVersion`, {
      file: source,
      hint: 'An index starts with `apiVersion: v1`.',
    });
  }
  const warnings: string[] = [];
  const entries: Record<string, ChartVersionEntry[]> = Object.create(null) as Record<string, ChartVersionEntry[]>;
  const rawEntries = doc.entries ?? {};
  if (!isMap(rawEntries))
    throw new PortolanError('REPO', `${source}: not a valid index: entries must be a map of chart names`, {
      file: source,
    });
  for (const name of Object.keys(rawEntries)) {
    const list = rawEntries[name];
    if (!Array.isArray(list)) {
      warnings.push(`${source}: skipping chart "${name}": its entry is not a list of versions`);
      continue;
    }
    const kept: ChartVersionEntry[] = [];
    for (const [position, raw] of list.entries()) {
      if (!isMap(raw)) {
        warnings.push(`${source}: skipping invalid entry for chart "${name}" (#${position + 1}): not a map`);
        continue;
      }
      const problem = entryProblem(raw);
      if (problem) {
        const version = typeof raw.version === 'string' ? ` ${raw.version}` : '';
        warnings.push(`${source}: skipping invalid entry for chart "${name}"${version}: ${problem}`);
        continue;
      }
      kept.push(raw as unknown as ChartVersionEntry);
    }
    if (kept.length > 0) entries[name] = kept;
  }
  const index: IndexFile = {
    ...doc,
    apiVersion: doc.apiVersion,
    generated:
      typeof doc.generated === 'string'
        ? doc.generated
        : doc.generated instanceof Date
          ? doc.generated.toISOString()
          : '',
    entries,
  };
  sortIndex(index);
  return { index, warnings };
}

function compareNewestFirst(a: ChartVersionEntry, b: ChartVersionEntry): number {
  return rcompare(a.version, b.version, { loose: true });
}

/** Sorts every chart's versions newest first (SemVer), in place, and returns the index. */
export function sortIndex(index: IndexFile): IndexFile {
  for (const list of Object.values(index.entries)) {
    // Already sorted is the usual case; checking first keeps large indexes cheap.
    let sorted = true;
    for (let i = 1; i < list.length && sorted; i++)
      if (compareNewestFirst(list[i - 1] as ChartVersionEntry, list[i] as ChartVersionEntry) > 0) sorted = false;
    if (!sorted) list.sort(compareNewestFirst);
  }
  return index;
}

/** Adds one entry, replacing the same name and version. Pure: returns a new index. */
export function withEntry(index: IndexFile, entry: ChartVersionEntry): IndexFile {
  const list = (index.entries[entry.name] ?? []).filter((e) => e.version !== entry.version);
  list.push(entry);
  list.sort(compareNewestFirst);
  return { ...index, entries: { ...index.entries, [entry.name]: list } };
}

/** The entry for `name` at `version`, if any. */
export function findEntry(index: IndexFile, name: string, version: string): ChartVersionEntry | undefined {
  return index.entries[name]?.find((e) => e.version === version);
}

/** Helm's Merge: every entry of `primary`, plus the entries of `secondary` whose name and version primary lacks. */
export function mergeIndexes(primary: IndexFile, secondary: IndexFile): IndexFile {
  const entries: Record<string, ChartVersionEntry[]> = {};
  for (const [name, list] of Object.entries(primary.entries)) entries[name] = [...list];
  for (const [name, list] of Object.entries(secondary.entries)) {
    const target = (entries[name] ??= []);
    const have = new Set(target.map((e) => e.version));
    for (const entry of list) if (!have.has(entry.version)) target.push(entry);
  }
  return sortIndex({ ...secondary, ...primary, entries });
}

/** Every entry of the index, chart names sorted, versions newest first. */
export function allEntries(index: IndexFile): ChartVersionEntry[] {
  const names = Object.keys(index.entries).sort(compareKeys);
  return names.flatMap((name) => index.entries[name] ?? []);
}

export function countEntries(index: IndexFile): number {
  let n = 0;
  for (const list of Object.values(index.entries)) n += list.length;
  return n;
}

/** Where each chart's versions sit in a serialized index.yaml: character offsets, for caching them by position. */
export interface IndexLayout {
  /** The `entries:` section, from its first block to its end. */
  entries: { start: number; end: number };
  /** Chart name → [start, length] of its block. */
  blocks: Map<string, [number, number]>;
}

/** index.yaml text in Helm's layout (keys sorted), or pretty JSON (which is valid YAML too) with `json`.
 *  `blocks` memoises the YAML of each chart's versions by chart name: a caller that rewrites a large index after a
 *  change deletes the changed names and re-emits only those. With `blocks`, `layout` (when given) is filled with
 *  where each block landed in the text. */
export function serializeIndex(
  index: IndexFile,
  options: { json?: boolean; compact?: boolean; blocks?: Map<string, string>; layout?: IndexLayout } = {},
): string {
  const ordered: Record<string, unknown> = {
    ...index,
    apiVersion: index.apiVersion,
    entries: index.entries,
    generated: index.generated,
  };
  if (options.json) return `${JSON.stringify(ordered, null, options.compact ? undefined : 2)}\n`;
  const blocks = options.blocks;
  const names = Object.keys(index.entries).filter((n) => (index.entries[n]?.length ?? 0) > 0);
  if (!blocks || names.length === 0) return toYaml(ordered);
  // The same bytes toYaml gives, with `entries` assembled from per-chart blocks.
  names.sort(compareKeys);
  const header = 'entries:\n';
  const parts: string[] = [header];
  const positions: Array<[string, number, number]> = [];
  let offset = header.length;
  for (const name of names) {
    let block = blocks.get(name);
    if (block === undefined) {
      block = toYaml({ [name]: index.entries[name] })
        .replace(/^/gm, '  ')
        .slice(0, -2);
      blocks.set(name, block);
    }
    parts.push(block);
    positions.push([name, offset, block.length]);
    offset += block.length;
  }
  const entries = parts.join('');
  const { entries: _entries, ...rest } = ordered;
  const others = toYaml(rest);
  // Top-level keys are sorted; insert `entries:` before the first key that sorts after it.
  const lines = others.match(/^[^ \n-][^\n]*\n(?:[ -][^\n]*\n)*/gm) ?? [];
  const at = lines.findIndex((l) => l > 'entries:');
  const before = at < 0 ? others : lines.slice(0, at).join('');
  if (options.layout) {
    options.layout.entries = { start: before.length + header.length, end: before.length + entries.length };
    options.layout.blocks.clear();
    for (const [name, start, length] of positions) options.layout.blocks.set(name, [before.length + start, length]);
  }
  return at < 0 ? others + entries : before + entries + lines.slice(at).join('');
}
