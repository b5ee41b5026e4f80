// Go text/template's builtin functions where they differ from the helpers the handlebars dialect uses: comparisons
// with Go's errors across kinds, len in bytes, and the html/js escapers. Go-dialect templates look here first. Pure.
import { formatValue, isDict, truth } from './go.js';

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid' | 'other';

/** Go's basicKind as the template sees our values: bigint is int, number is float64 (Helm's values are float64). */
function kindOf(value: unknown): Kind {
  if (value === undefined || value === null) return 'invalid';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
    default:
      return 'other';
  }
}

const isNumberKind = (kind: Kind): boolean => kind === 'int' || kind === 'float';

/**
 * Go's eq. One difference, on purpose: a Go int and a whole-number float64 compare by value where Go stops with
 * "incompatible types for comparison" (Helm reads values files as float64 but `--set` values as int64, so the same
 * chart would work or fail depending on where a number came from).
 */
export function goEq(first: unknown, ...others: unknown[]): boolean {
  if (others.length === 0) throw new Error('missing argument for comparison');
  const k1 = kindOf(first);
  for (const other of others) {
    const k2 = kindOf(other);
    let truth = false;
    if (k1 !== k2) {
      if (isNumberKind(k1) && isNumberKind(k2)) truth = Number(first) === Number(other);
      else if (k1 !== 'invalid' && k2 !== 'invalid') throw new Error('incompatible types for comparison');
    } else if (k1 === 'other') {
      if (Array.isArray(first) || isDict(first) || Array.isArray(other) || isDict(other)) {
        throw new Error(
          `non-comparable types ${formatValue(first)}: ${goType(first)}, ${goType(other)}: ${formatValue(other)}`,
        );
      }
      truth = first === other;
    } else truth = k1 === 'invalid' ? true : first === other;
    if (truth) return true;
  }
  return false;
}

/** Go's lt: numbers and strings only; nil, bools and mixed kinds are errors. */
export function goLess(a: unknown, b: unknown): boolean {
  const k1 = kindOf(a);
  const k2 = kindOf(b);
  if (k1 === 'invalid' || k2 === 'invalid' || k1 === 'other' || k2 === 'other')
    throw new Error('invalid type for comparison');
  if (k1 !== k2) {
    if (isNumberKind(k1) && isNumberKind(k2)) return Number(a) < Number(b);
    throw new Error('incompatible types for comparison');
  }
  if (k1 === 'bool') throw new Error('invalid type for comparison');
  return (a as number | bigint | string) < (b as number | bigint | string);
}

function goType(value: unknown): string {
  if (Array.isArray(value)) return '[]interface {}';
  if (isDict(value)) return 'map[string]interface {}';
  return typeof value;
}

/** fmt.Sprint of escaper arguments, as text/template's evalArgs does. */
function escaperText(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  let out = '';
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += arg === undefined || arg === null ? '<nil>' : formatValue(arg);
  });
  return out;
}

const HTML_ESCAPES: Record<string, string> = {
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\u0000': '\uFFFD',
};
// eslint-disable-next-line no-control-regex -- Go's HTMLEscape replaces NUL too
const HTML_SPECIAL = /["'&<>\u0000]/g;
const JS_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '=': '\\u003D',
};

export const goBuiltins: Record<string, (...args: unknown[]) => unknown> = {
  eq: (a, ...others) => goEq(a, ...others),
  ne: (a, b) => !goEq(a, b),
  lt: (a, b) => goLess(a, b),
  le: (a, b) => goLess(a, b) || goEq(a, b),
  gt: (a, b) => !(goLess(a, b) || goEq(a, b)),
  ge: (a, b) => !goLess(a, b),
  not: (value) => !truth(value),
  len: (value) => {
    if (typeof value === 'string') return Buffer.byteLength(value);
    if (Array.isArray(value) || Buffer.isBuffer(value)) return value.length;
    if (isDict(value)) return Object.keys(value).length;
    if (value === undefined || value === null) throw new Error('len of nil pointer');
    throw new Error(
      `len of type ${typeof value === 'number' ? 'float64' : typeof value === 'bigint' ? 'int' : typeof value}`,
    );
  },
  html: (...args) => escaperText(args).replace(HTML_SPECIAL, (c) => HTML_ESCAPES[c] as string),
  js: (...args) =>
    [...escaperText(args)]
      .map((c) => {
        const escape = JS_ESCAPES[c];
        if (escape) return escape;
        const code = c.codePointAt(0) as number;
        if (code < 0x20) return `\\u00${code.toString(16).toUpperCase().padStart(2, '0')}`;
        return c;
      })
      .join(''),
  call: (fn, ...args) => {
    if (typeof fn !== 'function') throw new Error(`non-function of type ${goType(fn)}`);
    return (fn as (...a: unknown[]) => unknown)(...args);
  },
};
