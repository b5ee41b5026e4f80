// Plain scalars that YAML 1.1 (Helm's parser, and so portolan's reading of values) reads differently from YAML 1.2
// readers (editors, linters, other tools): the booleans y/n/yes/no/on/off in any of their spellings, and
// octal-looking integers such as 0755. Also keys given twice in one map (the last wins, silently). Pure: text in,
// hits out.
import yaml from 'js-yaml';
import { HELM_YAML_SCHEMA } from '../values/go-yaml.js';

const YAML11_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const YAML11_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const OCTAL = /^[-+]?0[0-7]+$/;

export interface Yaml11Scalar {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** The scalar as written. */
  text: string;
  /** True when the scalar is a map key. */
  isKey: boolean;
  /** What YAML 1.1 (Helm, portolan) makes of it. */
  helmValue: boolean | number;
  /** What a YAML 1.2 reader makes of it. */
  yaml12Value: string | number;
}

// A plain scalar that could be one of them, with what may stand before it (line start, indentation, `- `, `: `, a
// flow `[`, `{` or `,`) and after it. It matches more than the scan finds (block scalars, comments): it only has to
// never miss one, so texts without a match (most values files, every JSON one) skip the slower parse with a listener.
const CANDIDATE = /(?:^|[\s[{,:-])(?:[yYnN]|[yY]es|YES|[nN]o|NO|[oO]n|ON|[oO]ff|OFF|[-+]?0[0-7]+)(?=$|[\s,\]}:#])/m;

/** False when the text surely holds none of these scalars. */
export function mayHoldYaml11Scalars(text: string): boolean {
  return CANDIDATE.test(text);
}

/** Every such scalar of a YAML text (all documents), in order. Text that does not parse gives none. */
export function findYaml11Scalars(text: string): Yaml11Scalar[] {
  return scanYaml11(text).hits;
}

/** The scalars, and the parse error when the text is not YAML: one parse serves both questions. */
export function scanYaml11(text: string): { hits: Yaml11Scalar[]; error?: unknown } {
  if (!mayHoldYaml11Scalars(text)) {
    try {
      yaml.loadAll(text, () => undefined, { schema: HELM_YAML_SCHEMA, json: true });
      return { hits: [] };
    } catch (error) {
      return { hits: [], error };
    }
  }
  const hits = new Map<number, Yaml11Scalar>();
  const opens: number[] = [];
  try {
    yaml.loadAll(text, () => undefined, {
      schema: HELM_YAML_SCHEMA,
      json: true,
      listener(event, state) {
        if (event === 'open') {
          opens.push(state.position);
          return;
        }
        const start = opens.pop() ?? state.position;
        if (state.kind !== 'scalar') return;
        const raw = state.input.slice(start, state.position);
        const offset = start + (raw.length - raw.trimStart().length);
        const written = raw.trim();
        if (written === '' || hits.has(offset)) return;
        const hit = classify(written);
        if (!hit) return;
        const before = state.input.slice(0, offset);
        const line = before.split('\n').length;
        const column = offset - before.lastIndexOf('\n');
        const isKey = /^[ \t]*:/.test(state.input.slice(state.position));
        hits.set(offset, { line, column, text: written, isKey, ...hit });
      },
    });
  } catch (error) {
    return { hits: [], error };
  }
  return { hits: [...hits.values()].sort((a, b) => a.line - b.line || a.column - b.column) };
}

function classify(written: string): Pick<Yaml11Scalar, 'helmValue' | 'yaml12Value'> | undefined {
  if (YAML11_TRUE.has(written)) return { helmValue: true, yaml12Value: written };
  if (YAML11_FALSE.has(written)) return { helmValue: false, yaml12Value: written };
  if (OCTAL.test(written)) {
    const negative = written.startsWith('-');
    const digits = written.replace(/^[-+]/, '');
    const octal = parseInt(digits, 8);
    const decimal = parseInt(digits, 10);
    return { helmValue: negative ? -octal : octal, yaml12Value: negative ? -decimal : decimal };
  }
  return undefined;
}

/** The warning text for one hit. */
export function describeYaml11Scalar(hit: Yaml11Scalar): string {
  const what = hit.isKey ? 'key' : 'value';
  if (typeof hit.helmValue === 'boolean') {
    return `${what} ${hit.text} is the boolean ${hit.helmValue} (YAML 1.1, as Helm and portolan read it) but the string "${hit.text}" to YAML 1.2 tools; quote it ("${hit.text}") if you mean the string, or write ${hit.helmValue}`;
  }
  return `${what} ${hit.text} is ${hit.helmValue} (octal, YAML 1.1, as Helm and portolan read it) but the number ${hit.yaml12Value} to YAML 1.2 tools; write 0o${hit.text.replace(/^[-+]?0/, '')} (octal to both), or quote it`;
}

export interface DuplicateKey {
  /** 1-based line of the later occurrence, whose value is the one kept. */
  line: number;
  key: string;
  /** 1-based line of the earlier occurrence, whose value is dropped. */
  firstLine: number;
}

/**
 * Keys given twice in the same map, as Helm reads the text (`on` and `true` are the same key): Helm keeps the last
 * value and says nothing. Text that does not parse gives none.
 */
export function findDuplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const frames: Array<{ start: number; keys: Map<string, number> }> = [];
  const lineOf = (offset: number): number => {
    let line = 1;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    return line;
  };
  try {
    yaml.loadAll(text, () => undefined, {
      schema: HELM_YAML_SCHEMA,
      json: true,
      listener(event, state) {
        if (event === 'open') {
          frames.push({ start: state.position, keys: new Map() });
          return;
        }
        const frame = frames.pop();
        const parent = frames[frames.length - 1];
        if (!frame || !parent || state.kind !== 'scalar') return;
        // A key is a scalar followed by its `:` (block and flow maps alike).
        if (!/^[ \t]*:/.test(state.input.slice(state.position))) return;
        const raw = state.input.slice(frame.start, state.position);
        const offset = frame.start + (raw.length - raw.trimStart().length);
        const key = String(state.result);
        if (key === '<<') return;
        const first = parent.keys.get(key);
        if (first !== undefined) found.push({ line: lineOf(offset), key, firstLine: lineOf(first) });
        else parent.keys.set(key, offset);
      },
    });
  } catch {
    return [];
  }
  return found;
}

/** The warning text for one duplicate key. */
export function describeDuplicateKey(duplicate: DuplicateKey): string {
  return `key "${duplicate.key}" is given again (first on line ${duplicate.firstLine}); Helm keeps this last value and drops the earlier one`;
}
