// Go semantics the helpers share: truth as Go templates decide it, fmt's %v and printf verbs, Go's kinds and
// types for kindOf/typeOf, and sprig's conversions (toInt64, toFloat64, strval). Pure.
import { compareKeys } from '../../yaml-emit.js';

export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/** Go's truth: false, 0, "", nil, and empty lists and maps are false; everything else is true. */
export function truth(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '' || value === 0n)
    return false;
  if (typeof value === 'number' && Number.isNaN(value)) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isDict(value)) {
    for (const key in value) if (Object.hasOwn(value, key)) return true;
    return false;
  }
  return true;
}

const printedBytes = new WeakMap<Buffer, string>();

/** fmt's %v: strings as they are, lists as `[a b]`, maps as `map[k:v]` (keys sorted), nil as `<nil>`. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`;
  if (value instanceof Date) return value.toISOString();
  // []byte, as fmt prints it: the numbers. A chart's files are bytes that never change, and `printf "%v" $` (or a
  // `dict` given the root as a key) prints them all each time: remembered per buffer.
  if (Buffer.isBuffer(value)) {
    let text = printedBytes.get(value);
    if (text === undefined) printedBytes.set(value, (text = `[${value.join(' ')}]`));
    return text;
  }
  if (typeof value === 'function') return String(value);
  if (isDict(value)) {
    if (Object.hasOwn(value, 'toString') && typeof value.toString === 'function') return String(value);
    return `map[${Object.keys(value)
      .sort(compareKeys)
      .map((key) => `${key}:${formatValue(value[key])}`)
      .join(' ')}]`;
  }
  return String(value);
}

/**
 * Whether numbers print as Go prints a float64 (`1e+06`): on while a Go-dialect template runs, since Helm reads every
 * number of a values file as a float64 and charts were tested against that. Handlebars templates print integers as
 * written. (Go's ints are bigints in the Go dialect and always print as written.)
 */
let goStyle = false;

/** Sets the number style for the template about to run; returns the previous one, to restore. */
export function setGoStyle(on: boolean): boolean {
  const previous = goStyle;
  goStyle = on;
  return previous;
}

export function isGoStyle(): boolean {
  return goStyle;
}

/**
 * strconv.FormatFloat(v, 'g', -1, 64), what fmt's %v prints for a float64: exponent form from 1e+06 and below 1e-04.
 */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(value);
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** Integers print as written (1000000, never 1e+06); other numbers as JavaScript prints them. */
export function formatNumber(value: number): string {
  if (goStyle) return goFloat(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

/** sprig's strval: a string as it is, anything else as %v. */
export function strval(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return formatValue(value);
}

/** cast.ToInt64 as sprig uses it: numbers truncate, numeric strings parse (0x, 0o, 0b prefixes too), else 0. */
export function toInt64(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^[+-]?\d+$/.test(text)) return Number(text.replace(/^([+-]?)0+(?=\d)/, '$1'));
    if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(text)) return Number.parseInt(text, 16);
    if (/^[+-]?0[oO][0-7]+$/.test(text)) return Number.parseInt(text.replace(/0[oO]/, ''), 8);
    if (/^[+-]?0[bB][01]+$/.test(text)) return Number.parseInt(text.replace(/0[bB]/, ''), 2);
    return 0;
  }
  return 0;
}

/** cast.ToFloat64: numbers as they are, numeric strings parsed, booleans 1/0, else 0. */
export function toFloat64(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const parsed = Number(value.trim());
    return value.trim() !== '' && Number.isFinite(parsed) ? parsed : 0;
  }
  return 0;
}

/** Go's reflect kind of a value as a template sees it: map, slice, string, int64, float64, bool, invalid. */
export function kindOf(value: unknown): string {
  if (value === undefined || value === null) return 'invalid';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'int64';
  // Helm reads every number of a values file as a float64; Go templates see them so.
  if (typeof value === 'number') return Number.isInteger(value) && !goStyle ? 'int64' : 'float64';
  if (Array.isArray(value)) return 'slice';
  if (typeof value === 'function') return 'func';
  if (value instanceof Date) return 'struct';
  return 'map';
}

/** kindIs accepts Go's names; a whole number is an int, an int64 and a float64 (Helm reads YAML numbers as float64). */
export function kindIs(kind: string, value: unknown): boolean {
  const actual = kindOf(value);
  if (goStyle && typeof value === 'bigint') return kind === 'int' || kind === 'int64';
  if (actual === 'int64' && ['int', 'int32', 'int64', 'float64', 'uint', 'uint64'].includes(kind)) return true;
  return actual === kind;
}

/** Go's %T of a value: map[string]interface {}, []interface {}, string, int64, float64, bool, <nil>. */
export function typeOf(value: unknown): string {
  switch (kindOf(value)) {
    case 'invalid':
      return '<nil>';
    case 'map':
      return 'map[string]interface {}';
    case 'slice':
      return '[]interface {}';
    case 'struct':
      return 'time.Time';
    default:
      return kindOf(value);
  }
}

// A lone UTF-16 surrogate is matched alone; written out it would be U+FFFD, a printable character, so it is one here.
const GO_QUOTE_ESCAPED = /["\\]|[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu;
const GO_SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/**
 * Go's strconv.Quote (what sprig's quote and %q use): only the string's own characters are escaped, so a backslash
 * already in the text (`\u003c` from toJson) becomes `\\`, never a rewritten escape. Printable characters (strconv's
 * IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space) stay as they are.
 */
export function goQuote(text: string): string {
  return `"${text.replace(GO_QUOTE_ESCAPED, goEscapeCharacter)}"`;
}

function goEscapeCharacter(char: string): string {
  if (char === '"' || char === '\\') return `\\${char}`;
  const short = GO_SHORT_ESCAPES[char];
  if (short !== undefined) return short;
  const code = char.codePointAt(0) as number;
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

/** fmt.Sprintf for the verbs templates use: %s %v %d %q %t %f %e %g %x %X %o %b %c %U %%, flags, width, precision. */
export function sprintf(format: string, args: unknown[]): string {
  let argIndex = 0;
  return format.replace(
    /%([-+# 0]*)(\*|\d+)?(?:\.(\*|\d+))?([a-zA-Z%])/g,
    (_whole, flags: string, widthText: string | undefined, precText: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      const width =
        widthText === '*' ? toInt64(args[argIndex++]) : widthText === undefined ? undefined : Number(widthText);
      const precision =
        precText === '*' ? toInt64(args[argIndex++]) : precText === undefined ? undefined : Number(precText);
      if (argIndex >= args.length) return `%!${verb}(MISSING)`;
      const arg = args[argIndex++];
      let text = formatVerb(verb, arg, flags, precision);
      if (text === undefined) return `%!${verb}(${typeOf(arg)}=${formatValue(arg)})`;
      if (width !== undefined && text.length < width) {
        if (flags.includes('-')) text = text.padEnd(width);
        else if (flags.includes('0') && /[dfeEgGxXob]/.test(verb)) {
          const sign = /^[+-]/.test(text) ? (text[0] as string) : '';
          text = sign + text.slice(sign.length).padStart(width - sign.length, '0');
        } else text = text.padStart(width);
      }
      return text;
    },
  );
}

function formatVerb(verb: string, arg: unknown, flags: string, precision: number | undefined): string | undefined {
  const signed = (text: string, value: number): string =>
    value >= 0 && flags.includes('+') ? `+${text}` : value >= 0 && flags.includes(' ') ? ` ${text}` : text;
  switch (verb) {
    case 'v':
    case 's': {
      const text = strvalForPrint(arg);
      return precision === undefined ? text : [...text].slice(0, precision).join('');
    }
    case 'q':
      return typeof arg === 'number' ? `'${String.fromCodePoint(arg)}'` : goQuote(strvalForPrint(arg));
    case 't':
      return typeof arg === 'boolean' ? String(arg) : undefined;
    case 'd': {
      if (typeof arg === 'bigint') return signed(arg.toString(), Number(arg));
      // Go's %d takes integers only: Helm's float64 values give %!d(float64=8080).
      if (typeof arg !== 'number' || goStyle) return undefined;
      return signed(Number.isInteger(arg) ? arg.toFixed(0) : String(arg), arg);
    }
    case 'f':
    case 'F': {
      const value = numberArg(arg);
      return value === undefined ? undefined : signed(value.toFixed(precision ?? 6), value);
    }
    case 'e':
    case 'E': {
      const value = numberArg(arg);
      if (value === undefined) return undefined;
      const text = value.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      return signed(verb === 'E' ? text.toUpperCase() : text, value);
    }
    case 'g':
    case 'G': {
      const value = numberArg(arg);
      if (value === undefined) return undefined;
      const text = precision === undefined ? formatNumber(value) : String(Number(value.toPrecision(precision)));
      return signed(verb === 'G' ? text.toUpperCase() : text, value);
    }
    case 'x':
    case 'X': {
      let text: string;
      if (typeof arg === 'string') text = Buffer.from(arg, 'utf8').toString('hex');
      else if (typeof arg === 'number' && Number.isInteger(arg))
        text = (arg < 0 ? '-' : '') + Math.abs(arg).toString(16);
      else if (typeof arg === 'bigint') text = arg.toString(16);
      else return undefined;
      if (flags.includes('#')) text = `0x${text}`;
      return verb === 'X' ? text.toUpperCase() : text;
    }
    case 'o':
    case 'b': {
      if (typeof arg !== 'number' || !Number.isInteger(arg)) return undefined;
      return arg.toString(verb === 'o' ? 8 : 2);
    }
    case 'c':
      return typeof arg === 'number' ? String.fromCodePoint(arg) : undefined;
    case 'U':
      return typeof arg === 'number' ? `U+${arg.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
    default:
      return undefined;
  }
}

function strvalForPrint(value: unknown): string {
  return value === undefined ? '<nil>' : formatValue(value);
}

function numberArg(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}
