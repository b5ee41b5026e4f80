// The `--set` family's grammar, as Helm's strvals parses it: `a.b=c,d[0]=e`, `\` escapes, `{x,y}` lists, index
// padding, and Helm's type inference. Where Helm ignores a mistake (`=b`, `a[0=x`) or panics (a type conflict),
// this parser throws a PortolanError naming the flag and the key.
import { PortolanError } from '../errors.js';
import type { Values } from '../chart/types.js';
import { FORBIDDEN_KEYS, formatPath, isMap, type PathSegment } from './yaml.js';

export type SetMode = 'set' | 'string' | 'json' | 'file' | 'literal';

/** The flag each mode comes from, for messages. */
export const SET_FLAGS: Record<SetMode, string> = {
  set: '--set',
  string: '--set-string',
  json: '--set-json',
  file: '--set-file',
  literal: '--set-literal',
};

export const MAX_INDEX = 65536;
export const MAX_NESTING = 30;

/** One `key=value` item of a flag: the path it assigned and its text (`image.tag=1.4.2`). */
export interface SetAssignment {
  path: PathSegment[];
  text: string;
}

/** Reads the file a `--set-file` item names; returns its content. */
export type SetFileReader = (path: string) => string;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Helm's typedVal: true/false/null in any case, integers without a leading zero, everything else a string. */
export function inferType(text: string): unknown {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (text === '0') return 0;
  if (text !== '' && text[0] !== '0' && /^[+-]?\d+$/.test(text)) {
    const big = BigInt(text);
    if (big < INT64_MIN || big > INT64_MAX) return text;
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  return text;
}

const EOF = Symbol('eof');

/**
 * Applies one flag's text (e.g. `a=1,b.c=2`) to `base`, in place, and returns what each item assigned.
 * `fileReader` is required for mode `file`.
 */
export function applySet(
  base: Values,
  text: string,
  mode: SetMode = 'set',
  fileReader?: SetFileReader,
): SetAssignment[] {
  return new SetParser(text, mode, fileReader).parseInto(base);
}

class SetParser {
  private pos = 0;
  private readonly flag: string;
  private itemStart = 0;

  constructor(
    private readonly text: string,
    private readonly mode: SetMode,
    private readonly fileReader?: SetFileReader,
  ) {
    this.flag = SET_FLAGS[mode];
  }

  parseInto(data: Values): SetAssignment[] {
    const assignments: SetAssignment[] = [];
    while (this.pos < this.text.length) {
      this.itemStart = this.pos;
      const path = this.key(data, [], 0);
      if (path === undefined) break;
      assignments.push({ path, text: this.text.slice(this.itemStart, this.pos).replace(/,$/, '') });
    }
    return assignments;
  }

  private fail(
    message: string,
    code: 'SET_SYNTAX' | 'SET_TYPE' | 'FORBIDDEN_KEY' = 'SET_SYNTAX',
    hint?: string,
  ): never {
    const item = this.text.slice(this.itemStart).split(',')[0] ?? '';
    throw new PortolanError(code, `${this.flag} ${item === this.text ? this.text : `"${this.text}"`}: ${message}`, {
      flag: this.flag,
      hint:
        hint ??
        `${this.flag} takes key=value pairs separated by commas, e.g. ${this.flag} image.tag=1.4.2,replicaCount=3`,
    });
  }

  /** Reads up to (and consumes) the first stop character; `\` escapes the next one unless literal. */
  private until(stops: string, literal = this.mode === 'literal'): { text: string; stop: string | typeof EOF } {
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++] as string;
      if (stops.includes(c)) return { text: out, stop: c };
      if (c === '\\' && !literal) {
        if (this.pos >= this.text.length) return { text: out, stop: EOF };
        out += this.text[this.pos++];
        continue;
      }
      out += c;
    }
    return { text: out, stop: EOF };
  }

  private checkKey(key: string, path: PathSegment[]): void {
    if (key === '')
      this.fail(`empty key${path.length > 0 ? ` after ${formatPath(path)}` : ''} (Helm ignores this silently)`);
    if (FORBIDDEN_KEYS.has(key)) {
      this.fail(
        `the key "${key}" is not allowed in values`,
        'FORBIDDEN_KEY',
        '__proto__, constructor and prototype are refused so that values can never reach an object prototype.',
      );
    }
  }

  /** Parses one key (and what follows it) into `data`; returns the full path assigned, or undefined at the end. */
  private key(data: Values, path: PathSegment[], nesting: number): PathSegment[] | undefined {
    const stops = this.mode === 'literal' ? '=[.' : '=[,.';
    const { text: key, stop } = this.until(stops);
    if (stop === EOF) {
      if (key === '' && path.length === 0) return undefined;
      this.fail(`key "${formatPath([...path, key])}" has no value (expected ${formatPath([...path, key])}=VALUE)`);
    }
    this.checkKey(key, path);
    const here = [...path, key];
    switch (stop) {
      case '[': {
        const index = this.index(here);
        const existing = Object.hasOwn(data, key) ? data[key] : undefined;
        if (existing !== undefined && existing !== null && !Array.isArray(existing)) {
          this.fail(
            `${formatPath(here)} is ${describe(existing)}, so it cannot take a list index`,
            'SET_TYPE',
            'Use one type per key: a list (key[0]=x) or a map (key.sub=x).',
          );
        }
        const list = Array.isArray(existing) ? existing : [];
        const result = this.listItem(list, index, [...here, index], nesting);
        data[key] = result.list;
        return result.path;
      }
      case '=':
        data[key] = this.value(here);
        return here;
      case ',':
        this.fail(`key "${formatPath(here)}" has no value (cannot end with ,)`);
        break;
      case '.': {
        if (nesting + 1 > MAX_NESTING)
          this.fail(`${formatPath(here)}: keys are nested more than ${MAX_NESTING} levels deep`);
        const existing = Object.hasOwn(data, key) ? data[key] : undefined;
        if (existing !== undefined && existing !== null && !isMap(existing)) {
          this.fail(
            `cannot set keys under ${formatPath(here)}: it is ${describe(existing)}`,
            'SET_TYPE',
            'Use one type per key: a map (key.sub=x) or a value (key=x), not both.',
          );
        }
        const inner: Values = isMap(existing) ? existing : {};
        const assigned = this.key(inner, here, nesting + 1);
        if (assigned === undefined) this.fail(`key "${formatPath(here)}" has no value`);
        data[key] = inner;
        return assigned;
      }
    }
    return undefined;
  }

  private index(path: PathSegment[]): number {
    const { text, stop } = this.until(']', true);
    if (stop === EOF) this.fail(`the index after ${formatPath(path)} has no closing ] (Helm ignores this silently)`);
    if (!/^\d+$/.test(text.trim())) {
      if (/^-\d+$/.test(text.trim())) this.fail(`negative index ${text.trim()} at ${formatPath(path)} is not allowed`);
      this.fail(`index "${text}" at ${formatPath(path)} is not a number`);
    }
    const index = Number(text.trim());
    if (index > MAX_INDEX)
      this.fail(`index ${index} at ${formatPath(path)} is greater than the maximum of ${MAX_INDEX}`);
    return index;
  }

  private listItem(
    list: unknown[],
    index: number,
    path: PathSegment[],
    nesting: number,
  ): { list: unknown[]; path: PathSegment[] } {
    const { text, stop } = this.until('[.=', true);
    if (text.length > 0) this.fail(`unexpected "${text}" after the index in ${formatPath(path)}`);
    // `a[0]` and nothing more leaves the list as it was (an empty one when new), as Helm does.
    if (stop === EOF) return { list, path: path.slice(0, -1) };
    switch (stop) {
      case '=':
        return { list: setIndex(list, index, this.value(path)), path };
      case '[': {
        const next = this.index(path);
        const existing = index < list.length ? list[index] : undefined;
        if (existing !== undefined && existing !== null && !Array.isArray(existing)) {
          this.fail(`${formatPath(path)} is ${describe(existing)}, so it cannot take a list index`, 'SET_TYPE');
        }
        const inner = this.listItem(Array.isArray(existing) ? existing : [], next, [...path, next], nesting);
        return { list: setIndex(list, index, inner.list), path: inner.path };
      }
      default: {
        // '.': a map inside the list; anything that is not a map there is replaced, as Helm does.
        const existing = index < list.length ? list[index] : undefined;
        const inner: Values = isMap(existing) ? existing : {};
        const assigned = this.key(inner, path, nesting);
        if (assigned === undefined) this.fail(`key "${formatPath(path)}" has no value`);
        return { list: setIndex(list, index, inner), path: assigned };
      }
    }
  }

  /** The value after `=`: a `{a,b}` list, JSON, a file, the literal rest, or one typed scalar up to `,`. */
  private value(path: PathSegment[]): unknown {
    switch (this.mode) {
      case 'literal': {
        const rest = this.text.slice(this.pos);
        this.pos = this.text.length;
        return rest;
      }
      case 'json':
        return this.jsonValue(path);
      default:
        if (this.text[this.pos] === '{') return this.list(path);
        return this.scalar(this.until(',').text, path);
    }
  }

  private scalar(text: string, path: PathSegment[]): unknown {
    if (this.mode === 'string') return text;
    if (this.mode === 'file') {
      if (!this.fileReader) throw new PortolanError('INTERNAL', '--set-file needs a file reader');
      try {
        return this.fileReader(text);
      } catch (error) {
        if (error instanceof PortolanError) throw error;
        this.fail(
          `cannot read the file "${text}" for ${formatPath(path)}: ${(error as Error).message}`,
          'SET_SYNTAX',
          "--set-file takes key=path; the file's content becomes the value.",
        );
      }
    }
    return inferType(text);
  }

  private list(path: PathSegment[]): unknown[] {
    this.pos++; // '{'
    const items: unknown[] = [];
    for (;;) {
      const { text, stop } = this.until(',}{');
      if (stop === EOF) this.fail(`the list for ${formatPath(path)} must end with }`);
      if (stop === '{')
        this.fail(
          `nested lists are not supported in ${formatPath(path)}={…}`,
          'SET_SYNTAX',
          "Use --set-json for nested structures, e.g. --set-json 'a=[[1,2],[3]]'.",
        );
      items.push(this.scalar(text, path));
      if (stop === '}') {
        if (this.text[this.pos] === ',') this.pos++;
        else if (this.pos < this.text.length)
          this.fail(`unexpected "${this.text.slice(this.pos)}" after the list for ${formatPath(path)}`);
        return items;
      }
    }
  }

  private jsonValue(path: PathSegment[]): unknown {
    this.skipSpaces();
    if (this.pos >= this.text.length || this.text[this.pos] === ',') {
      if (this.text[this.pos] === ',') this.pos++;
      return null;
    }
    const end = jsonEnd(this.text, this.pos);
    const raw = this.text.slice(this.pos, end);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      this.fail(
        `${formatPath(path)}: ${raw} is not valid JSON (${(error as Error).message})`,
        'SET_SYNTAX',
        "--set-json takes key=JSON, e.g. --set-json 'ports=[80,443]'.",
      );
    }
    this.pos = end;
    this.skipSpaces();
    if (this.pos < this.text.length) {
      if (this.text[this.pos] !== ',')
        this.fail(`unexpected "${this.text.slice(this.pos)}" after the JSON value of ${formatPath(path)}`);
      this.pos++;
    }
    checkJsonKeys(parsed, path, (message) => this.fail(message, 'FORBIDDEN_KEY'));
    return parsed;
  }

  private skipSpaces(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }
}

/** Refuses prototype keys anywhere in parsed JSON. */
export function checkJsonKeys(value: unknown, path: PathSegment[], fail: (message: string) => never): void {
  if (Array.isArray(value)) value.forEach((item, index) => checkJsonKeys(item, [...path, index], fail));
  else if (isMap(value)) {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) fail(`the key "${key}" (at ${formatPath([...path, key])}) is not allowed in values`);
      checkJsonKeys(value[key], [...path, key], fail);
    }
  }
}

/** Where the JSON value starting at `start` ends: balanced brackets and strings, or a bare literal. */
function jsonEnd(text: string, start: number): number {
  const first = text[start];
  if (first !== '{' && first !== '[' && first !== '"') {
    let end = start;
    while (end < text.length && !/[\s,\]}]/.test(text[end] as string)) end++;
    return end;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return i + 1;
      }
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

function setIndex(list: unknown[], index: number, value: unknown): unknown[] {
  while (list.length < index) list.push(null);
  list[index] = value;
  return list;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isMap(value)) return 'a map';
  return `${typeof value === 'string' ? 'the string' : typeof value === 'bigint' ? 'the number' : `the ${typeof value}`} ${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`;
}
