// Sprig's string functions with Helm's argument order: the string comes last so pipelines feed it
// (`{{ .Values.name | trunc 63 | trimSuffix "-" }}`). Pure.
import { nodeCrypto } from '../../lazy-modules.js';
import { formatValue, goQuote, isGoStyle, sprintf, strval, toInt64, type Dict } from './go.js';
import { goSprintf } from './gofmt.js';
import { checkStringSize } from './limits.js';
import {
  regexFind,
  regexFindAll,
  regexMatch,
  regexQuoteMeta,
  regexReplaceAll,
  regexReplaceAllLiteral,
  regexSplit,
} from './regex.js';

export type HelperFn = (...args: unknown[]) => unknown;

const s = strval;

function trimCutset(text: string, cutset: string, left: boolean, right: boolean): string {
  const chars = new Set([...cutset]);
  const runes = [...text];
  let start = 0;
  let end = runes.length;
  if (left) while (start < end && chars.has(runes[start] as string)) start++;
  if (right) while (end > start && chars.has(runes[end - 1] as string)) end--;
  return runes.slice(start, end).join('');
}

function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '');
}

/** goutils' CryptoRandom as sprig calls it: a negative length is an error sprig drops, so the result is "". */
function randomFrom(alphabet: string, length: unknown): string {
  const n = toInt64(length);
  if (n <= 0) return '';
  // The alphabets are ASCII: one byte a character.
  checkStringSize(n);
  // Random bytes at or over `unbiased` are dropped, so that every character of the alphabet is equally likely.
  const unbiased = 256 - (256 % alphabet.length);
  const out = Buffer.allocUnsafe(n);
  let filled = 0;
  while (filled < n) {
    for (const byte of nodeCrypto().randomBytes(Math.min(65536, 2 * (n - filled)))) {
      if (byte >= unbiased) continue;
      out[filled++] = alphabet.charCodeAt(byte % alphabet.length);
      if (filled === n) break;
    }
  }
  return out.toString('latin1');
}

/** strings.Repeat: a negative count fails as Go's does (Helm shows the panic's message). */
function repeatText(count: number, text: string): string {
  if (count < 0) throw new Error('strings: negative Repeat count');
  checkStringSize(count * Buffer.byteLength(text));
  return text.repeat(count);
}

/** sprig's indent: the pad before every line; a negative width fails in strings.Repeat as in Helm. */
function indentText(spaces: number, text: string): string {
  const pad = repeatText(spaces, ' ');
  const lines = text.split('\n').length;
  checkStringSize(spaces * lines + Buffer.byteLength(text));
  return pad + text.replace(/\n/g, `\n${pad}`);
}

/**
 * xstrings.Shuffle: the characters (code points) in a random order (math/rand there too: nothing secret hangs on it).
 */
function shuffleText(text: string): string {
  checkStringSize(Buffer.byteLength(text));
  // A typed array, filled by hand: spreading a 100 MiB string into an array of strings would exhaust the heap.
  const all = new Uint32Array(text.length);
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i) as number;
    all[count++] = code;
    if (code > 0xffff) i++;
  }
  const chars = all.subarray(0, count);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const swap = chars[i] as number;
    chars[i] = chars[j] as number;
    chars[j] = swap;
  }
  // Back to UTF-16 code units, decoded in one go (far faster than String.fromCodePoint over millions of arguments).
  const units = new Uint16Array(text.length);
  let length = 0;
  for (const code of chars) {
    if (code > 0xffff) {
      units[length++] = 0xd800 + ((code - 0x10000) >> 10);
      units[length++] = 0xdc00 + ((code - 0x10000) & 0x3ff);
    } else units[length++] = code;
  }
  return Buffer.from(units.buffer, 0, length * 2).toString('utf16le');
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';

export const stringHelpers: Record<string, HelperFn> = {
  trim: (text) => s(text).trim(),
  trimAll: (cutset, text) => trimCutset(s(text), s(cutset), true, true),
  trimPrefix: (prefix, text) => (s(text).startsWith(s(prefix)) ? s(text).slice(s(prefix).length) : s(text)),
  trimSuffix: (suffix, text) =>
    s(suffix) !== '' && s(text).endsWith(s(suffix)) ? s(text).slice(0, -s(suffix).length) : s(text),
  upper: (text) => s(text).toUpperCase(),
  lower: (text) => s(text).toLowerCase(),
  title: (text) =>
    s(text).replace(
      /(^|[^\p{L}\p{N}'])(\p{L})/gu,
      (_m, before: string, letter: string) => before + letter.toUpperCase(),
    ),
  untitle: (text) =>
    s(text).replace(/(^|\s)(\p{L})/gu, (_m, before: string, letter: string) => before + letter.toLowerCase()),
  repeat: (count, text) => repeatText(toInt64(count), s(text)),
  substr: (start, end, text) => {
    const str = s(text);
    let a = toInt64(start);
    let b = toInt64(end);
    if (a < 0) a = 0;
    if (b < 0 || b > str.length) b = str.length;
    return a > b ? '' : str.slice(a, b);
  },
  nospace: (text) => s(text).replace(/\s+/g, ''),
  trunc: (length, text) => {
    const n = toInt64(length);
    const str = s(text);
    if (n < 0) return -n < str.length ? str.slice(str.length + n) : str;
    return str.length > n ? str.slice(0, n) : str;
  },
  abbrev: (width, text) => {
    const n = toInt64(width);
    const str = s(text);
    if (n < 4 || str.length <= n) return str;
    return `${str.slice(0, n - 3)}...`;
  },
  abbrevboth: (left, width, text) => {
    const str = s(text);
    const n = toInt64(width);
    let offset = toInt64(left);
    if (n < 4 || str.length <= n) return str;
    if (offset <= 4) return `${str.slice(0, n - 3)}...`;
    offset = Math.min(offset, str.length - (n - 3));
    if (offset + n - 3 >= str.length) return `...${str.slice(str.length - (n - 3))}`;
    return `...${str.slice(offset, offset + n - 6)}...`;
  },
  initials: (text) =>
    s(text)
      .split(/\s+/)
      .filter((w) => w !== '')
      .map((w) => [...w][0])
      .join(''),
  wrap: (width, text) => wrapText(s(text), toInt64(width), '\n'),
  wrapWith: (width, separator, text) => wrapText(s(text), toInt64(width), s(separator)),
  contains: (needle, text) => s(text).includes(s(needle)),
  hasPrefix: (prefix, text) => s(text).startsWith(s(prefix)),
  hasSuffix: (suffix, text) => s(text).endsWith(s(suffix)),
  quote: (...values) =>
    values
      .filter((v) => v !== undefined && v !== null)
      .map((v) => goQuote(s(v)))
      .join(' '),
  squote: (...values) =>
    values
      .filter((v) => v !== undefined && v !== null)
      .map((v) => `'${s(v)}'`)
      .join(' '),
  cat: (...values) =>
    values
      .filter((v) => v !== undefined && v !== null)
      .map(s)
      .join(' '),
  indent: (spaces, text) => indentText(toInt64(spaces), s(text)),
  nindent: (spaces, text) => `\n${indentText(toInt64(spaces), s(text))}`,
  replace: (old, replacement, text) => s(text).split(s(old)).join(s(replacement)),
  plural: (one, many, count) => (toInt64(count) === 1 ? s(one) : s(many)),
  snakecase: (text) =>
    words(s(text))
      .map((w) => w.toLowerCase())
      .join('_'),
  camelcase: (text) =>
    s(text)
      .split(/[_\s-]+/)
      .filter((w) => w !== '')
      .map((w) => (w[0] as string).toUpperCase() + w.slice(1))
      .join(''),
  kebabcase: (text) =>
    words(s(text))
      .map((w) => w.toLowerCase())
      .join('-'),
  swapcase: (text) => [...s(text)].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  shuffle: (text) => shuffleText(s(text)),
  randAlphaNum: (length) => randomFrom(LOWER + UPPER + DIGITS, length),
  randAlpha: (length) => randomFrom(LOWER + UPPER, length),
  randNumeric: (length) => randomFrom(DIGITS, length),
  randAscii: (length) =>
    randomFrom(Array.from({ length: 94 }, (_v, i) => String.fromCharCode(33 + i)).join(''), length),
  printf: (format, ...args) => (isGoStyle() ? goSprintf(s(format), args) : sprintf(s(format), args)),
  print: (...args) => goPrint(args),
  println: (...args) => `${args.map(formatValue).join(' ')}\n`,
  // Sprig's strval of nil is fmt's "<nil>" (Go templates); handlebars templates keep an empty string.
  toString: (value: unknown) => (value === undefined || value === null ? (isGoStyle() ? '<nil>' : '') : s(value)),
  toStrings: (list) => (Array.isArray(list) ? list.map(s) : [s(list)]),
  split: (separator, text) => {
    const out: Dict = {};
    s(text)
      .split(s(separator))
      .forEach((part, i) => (out[`_${i}`] = part));
    return out;
  },
  splitList: (separator, text) => s(text).split(s(separator)),
  splitn: (separator, count, text) => {
    const n = toInt64(count);
    const parts = s(text).split(s(separator));
    const kept = n > 0 && parts.length > n ? [...parts.slice(0, n - 1), parts.slice(n - 1).join(s(separator))] : parts;
    const out: Dict = {};
    kept.forEach((part, i) => (out[`_${i}`] = part));
    return out;
  },
  join: (separator, list) => (Array.isArray(list) ? list.map(s).join(s(separator)) : s(list)),
  sortAlpha: (list) => (Array.isArray(list) ? list.map(s).sort() : [s(list)]),
  // Go's regexp (RE2): linear time whatever the pattern, so a chart's pattern cannot hang a render.
  regexMatch: (pattern, text) => regexMatch(s(pattern), s(text)),
  regexFind: (pattern, text) => regexFind(s(pattern), s(text)),
  regexFindAll: (pattern, text, count) => regexFindAll(s(pattern), s(text), toInt64(count)),
  regexReplaceAll: (pattern, text, replacement) => regexReplaceAll(s(pattern), s(text), s(replacement)),
  regexReplaceAllLiteral: (pattern, text, replacement) => regexReplaceAllLiteral(s(pattern), s(text), s(replacement)),
  regexSplit: (pattern, text, count) => regexSplit(s(pattern), s(text), toInt64(count)),
  regexQuoteMeta: (text) => regexQuoteMeta(s(text)),
  urlquery: (...values) => values.map((v) => encodeURIComponent(s(v)).replace(/%20/g, '+')).join(''),
};

/** Go's fmt.Sprint: spaces only between operands when neither is a string. */
function goPrint(args: unknown[]): string {
  let out = '';
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}

function wrapText(text: string, width: number, separator: string): string {
  if (width < 1) return text;
  return text
    .split('\n')
    .map((line) => {
      const out: string[] = [];
      let current = '';
      for (const word of line.split(' ')) {
        if (current === '') current = word;
        else if (current.length + 1 + word.length > width) {
          out.push(current);
          current = word;
        } else current += ` ${word}`;
      }
      out.push(current);
      return out.join(separator);
    })
    .join('\n');
}
