// Plain scalars that YAML 1.1 (Helm's parser) reads differently from YAML 1.2 (portolan's): the booleans
// y/n/yes/no/on/off in any of their spellings, and octal-looking integers such as 0755. Pure: text in, hits out.
import yaml from 'js-yaml';

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
  /** What YAML 1.1 makes of it. */
  helmValue: boolean | number;
  /** What portolan (YAML 1.2) makes of it. */
  portolanValue: string | number;
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
      yaml.loadAll(text, () => undefined);
      return { hits: [] };
    } catch (error) {
      return { hits: [], error };
    }
  }
  const hits = new Map<number, Yaml11Scalar>();
  const opens: number[] = [];
  try {
    yaml.loadAll(text, () => undefined, {
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

function classify(written: string): Pick<Yaml11Scalar, 'helmValue' | 'portolanValue'> | undefined {
  if (YAML11_TRUE.has(written)) return { helmValue: true, portolanValue: written };
  if (YAML11_FALSE.has(written)) return { helmValue: false, portolanValue: written };
  if (OCTAL.test(written)) {
    const negative = written.startsWith('-');
    const digits = written.replace(/^[-+]/, '');
    const octal = parseInt(digits, 8);
    const decimal = parseInt(digits, 10);
    return { helmValue: negative ? -octal : octal, portolanValue: negative ? -decimal : decimal };
  }
  return undefined;
}

/** The warning text for one hit. */
export function describeYaml11Scalar(hit: Yaml11Scalar): string {
  const what = hit.isKey ? 'key' : 'value';
  if (typeof hit.helmValue === 'boolean') {
    return `${what} ${hit.text} is the string "${hit.text}" in portolan (YAML 1.2) but the boolean ${hit.helmValue} in Helm (YAML 1.1); quote it ("${hit.text}") or write ${hit.helmValue}`;
  }
  return `${what} ${hit.text} is the number ${hit.portolanValue} in portolan (YAML 1.2) but ${hit.helmValue} (octal) in Helm (YAML 1.1); write 0o${hit.text.replace(/^[-+]?0/, '')} for octal, or quote it`;
}
