// A small, linear-time YAML emitter for plain data (maps, lists, strings, numbers, booleans, null), used to write
// index.yaml and by the `toYaml` template helper. js-yaml's dump walks the whole tree looking for shared references
// with an array (quadratic in the number of objects); an index of 15,000 entries has hundreds of thousands of
// objects, so we emit it ourselves. Output follows Go's yaml.v2 as Helm writes it: keys sorted, list items at their
// key's indentation, multi-line strings as literal blocks, and every string that a YAML 1.1 or 1.2 reader could take
// for something else double-quoted.

const RESERVED_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', '~']);
const PLAIN_WORD = /^[A-Za-z_][A-Za-z0-9_./+ ,()-]*$/;
const PLAIN_VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/;
// Characters JSON.stringify leaves alone that YAML must see escaped: C1 controls, NEL, LS/PS, BOM, DEL.
const NEEDS_ESCAPE = /[\u007f-\u009f\u2028\u2029\ufeff]/g;

export function yamlString(value: string): string {
  if (value === '') return '""';
  if (PLAIN_WORD.test(value)) {
    if (!value.endsWith(' ') && !RESERVED_WORDS.has(value.toLowerCase())) return value;
  } else if (PLAIN_VERSION.test(value)) return value;
  return JSON.stringify(value).replace(NEEDS_ESCAPE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// A literal block keeps a multi-line string readable; yaml.v2 refuses it for strings a block cannot hold exactly.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const BLOCK_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]| \n|\t\n/;

/** `|`, `|-` or `|+` and the lines of `value` at `indent`, or undefined when a block cannot hold it. */
function literalBlock(value: string, indent: string): string | undefined {
  if (!value.includes('\n') || BLOCK_UNSAFE.test(value) || /^[ \t\n]/.test(value) || /[ \t]$/.test(value)) return undefined;
  const body = value.replace(/\n+$/, '');
  const trailing = value.length - body.length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const lines = (trailing > 1 ? value.slice(0, -1) : body).split('\n').map((line) => (line === '' ? '' : `${indent}${line}`));
  return `|${chomp}\n${lines.join('\n')}`;
}

function scalar(value: unknown, indent = '  '): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return literalBlock(value, indent) ?? yamlString(value);
    case 'number':
      if (Number.isFinite(value)) return String(value);
      return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    default:
      return value instanceof Date ? yamlString(value.toISOString()) : 'null';
  }
}

/**
 * yaml.v2's key order: rune by rune; a letter sorts after anything that is not one; runs of digits compare as
 * numbers (so `a9` comes before `a10`).
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ac = a.charCodeAt(i);
    const bc = b.charCodeAt(i);
    if (ac === bc) continue;
    const al = isLetter(a[i] as string);
    const bl = isLetter(b[i] as string);
    if (al && bl) return ac - bc;
    if (al || bl) return al ? 1 : -1;
    const [an, ae] = digitRun(a, i);
    const [bn, be] = digitRun(b, i);
    if (ae > i || be > i) {
      if (an !== bn) return an < bn ? -1 : 1;
      if (ae !== be) return ae - be;
    }
    return ac - bc;
  }
  return a.length - b.length;
}

const LETTER = /\p{L}/u;
function isLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c > '\u007f' && LETTER.test(c));
}

/** The number written by the digits at `start` (0 when none) and where they end. */
function digitRun(text: string, start: number): [number, number] {
  let end = start;
  let value = 0;
  while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) value = value * 10 + (text.charCodeAt(end++) - 48);
  return [value, end];
}

function sortedKeys(map: Record<string, unknown>): string[] {
  const keys = Object.keys(map);
  if (keys.length > 1) keys.sort(compareKeys);
  for (const key of keys) if (map[key] === undefined) return keys.filter((k) => map[k] !== undefined);
  return keys;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object' && !(value instanceof Date);
}

/** `[]`/`{}` for empty containers, else undefined. */
function emptyContainer(value: Record<string, unknown> | unknown[]): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  for (const key in value) if (value[key] !== undefined) return undefined;
  return '{}';
}

/** The YAML of a map's entries at `indent`; the first line gets `first` instead of `indent` (for `- ` items). */
function emitMap(map: Record<string, unknown>, indent: string, first: string): string {
  let out = '';
  let lead = first;
  for (const key of sortedKeys(map)) {
    const child = map[key];
    const head = `${lead}${yamlString(key)}:`;
    lead = indent;
    if (!isContainer(child)) {
      out += `${head} ${scalar(child, `${indent}  `)}\n`;
      continue;
    }
    const empty = emptyContainer(child);
    if (empty !== undefined) out += `${head} ${empty}\n`;
    // yaml.v2 style: list items sit at their key's indentation; map children go two deeper.
    else if (Array.isArray(child)) out += `${head}\n${emitList(child, indent)}`;
    else out += `${head}\n${emitMap(child, `${indent}  `, `${indent}  `)}`;
  }
  return out;
}

function emitList(list: unknown[], indent: string): string {
  let out = '';
  for (const item of list) {
    if (!isContainer(item)) {
      out += `${indent}- ${scalar(item, `${indent}  `)}\n`;
      continue;
    }
    const empty = emptyContainer(item);
    if (empty !== undefined) out += `${indent}- ${empty}\n`;
    else if (Array.isArray(item)) out += `${indent}-\n${emitList(item, `${indent}  `)}`;
    // A map item: the first key shares the dash's line.
    else out += emitMap(item, `${indent}  `, `${indent}- `);
  }
  return out;
}

/** YAML text for a map of plain data. Linear in the size of the data. */
export function toYaml(value: Record<string, unknown>): string {
  return emitMap(value, '', '');
}

/** YAML text for a list of plain data (`[]` when empty). */
export function toYamlList(items: unknown[]): string {
  return items.length === 0 ? '[]\n' : emitList(items, '');
}

/** YAML text for any plain value, as Go's yaml.Marshal gives it (a scalar on one line; `{}`/`[]` when empty). */
export function toYamlValue(value: unknown): string {
  if (Array.isArray(value)) return toYamlList(value);
  if (isContainer(value)) return emptyContainer(value) === '{}' ? '{}\n' : toYaml(value as Record<string, unknown>);
  return `${scalar(value)}\n`;
}
