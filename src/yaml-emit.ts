// A small, linear-time YAML emitter for plain data (maps, lists, strings, numbers, booleans, null), used to write
// index.yaml and by the `toYaml` template helper. js-yaml's dump walks the whole tree looking for shared references
// with an array (quadratic in the number of objects); an index of 15,000 entries has hundreds of thousands of
// objects, so we emit it ourselves.
//
// The output is byte for byte what Helm writes with sigs.k8s.io/yaml: json.Marshal the value, read the JSON back
// with go-yaml v2 and marshal it again with go-yaml v2. So numbers take the form the JSON round trip gives them,
// keys are sorted as yaml.v2 sorts them, and each string gets yaml.v2's style: plain where a reader would read it
// back as the same string, 'single quotes' where plain is not allowed, "double quotes" for anything a reader would
// take for another type or that needs escapes, and literal blocks for multi-line strings; long plain and quoted
// strings are folded at yaml.v2's width of 80 columns. The scalar code follows yaml.v2's encode.go (stringv),
// resolve.go (resolve) and emitterc.go (analyze_scalar, select_scalar_style and the write_* functions).

import { PortolanError } from './errors.js';

/** yaml.v2's best_width: a space past this column may become a line break in a plain or quoted scalar. */
const BEST_WIDTH = 80;
/** yaml.v2's best_indent. */
const INDENT = 2;
/** A mapping key longer than this many UTF-8 bytes is written as a complex key (`? key` / `: value`). */
const SIMPLE_KEY_MAX = 128;

// --- resolve: would the string, written plain, be read back as something other than a string? ---

/** The plain words yaml.v2 reads as a bool, null, a special float or a merge key. */
const RESOLVED_WORDS = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
  '~',
  'null',
  'Null',
  'NULL',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
]);
/** Go's strconv.ParseFloat on a string starting with a dot (decimal only; underscores between digits). */
const DOT_FLOAT = /^\.\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?$/;
/** strconv.ParseInt(s, 0, 64) syntax, underscores already removed. */
const GO_INT = /^[+-]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9]\d*)$/;
/** resolve.go's yamlStyleFloat. */
const YAML_FLOAT = /^[-+]?(?:\.\d+|\d+(?:\.\d*)?)(?:[eE][-+]?\d+)?$/;
/** encode.go's base60float: quoted on the way out for readers that still know YAML 1.1 sexagesimals. */
const BASE60_FLOAT = /^[-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.[\d_]*)?$/;
// resolve.go's timestamp formats as time.Parse reads them (one- or two-digit month, day, hour, minute, second).
const DATE_ONLY = /^(\d{4})-(\d\d?)-(\d\d?)$/;
const DATE_TIME_ZONE = /^(\d{4})-(\d\d?)-(\d\d?)[Tt](\d\d?):(\d\d?):(\d\d?)(?:[.,]\d+)?(?:Z|[+-](\d\d):(\d\d))$/;
const DATE_TIME_SPACE = /^(\d{4})-(\d\d?)-(\d\d?) (\d\d?):(\d\d?):(\d\d?)(?:[.,]\d+)?$/;
const INT64_MIN = 2n ** 63n;
const UINT64_MAX = 2n ** 64n - 1n;

function daysIn(month: number, year: number): number {
  if (month !== 2) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

function isTimestamp(s: string): boolean {
  const match = DATE_TIME_ZONE.exec(s) ?? DATE_TIME_SPACE.exec(s) ?? DATE_ONLY.exec(s);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return false;
  if (match[4] !== undefined && (Number(match[4]) > 23 || Number(match[5]) > 59 || Number(match[6]) > 59)) return false;
  // Go accepts zone offsets up to 24 hours and 60 minutes ("some people do write offsets of 24 hours").
  return match[7] === undefined || (Number(match[7]) <= 24 && Number(match[8]) <= 60);
}

function isGoInt(plain: string): boolean {
  if (!GO_INT.test(plain)) return false;
  const negative = plain.startsWith('-');
  const body = negative || plain.startsWith('+') ? plain.slice(1) : plain;
  if (body.length < 16) return true;
  const prefixed = /^0[xXoObB]/.test(body);
  const magnitude = BigInt(
    prefixed ? body.toLowerCase() : body.length > 1 && body.startsWith('0') ? `0o${body.slice(1)}` : body,
  );
  // ParseInt takes a signed int64; failing that, ParseUint takes an unsigned one without a sign.
  return negative ? magnitude <= INT64_MIN : magnitude <= (plain.startsWith('+') ? INT64_MIN - 1n : UINT64_MAX);
}

/** True when yaml.v2 reads `s`, written plain, back as this same string (resolve gives !!str; not a base 60 float). */
function resolvesToString(s: string): boolean {
  if (s === '') return false;
  const first = s.charCodeAt(0);
  const isSign = first === 43 || first === 45;
  const isDigit = first >= 48 && first <= 57;
  // Only a string whose first character is a resolve hint can be anything but a string.
  if (!isSign && !isDigit && first !== 46 && !'yYnNtTfFoO~'.includes(s[0] as string)) return true;
  if (RESOLVED_WORDS.has(s)) return false;
  if (first === 46) return !(DOT_FLOAT.test(s) && Number.isFinite(Number(s.replaceAll('_', ''))));
  if (!isSign && !isDigit) return true;
  if (s.length >= 8 && s.charCodeAt(4) === 45 && isTimestamp(s)) return false;
  const plain = s.includes('_') ? s.replaceAll('_', '') : s;
  if (isGoInt(plain)) return false;
  // A float that overflows (1e400) fails ParseFloat and stays a string; one that underflows is read as 0.
  if (YAML_FLOAT.test(plain) && Number.isFinite(Number(plain))) return false;
  return !(s.includes(':') && BASE60_FLOAT.test(s));
}

// --- analyze_scalar: which styles can hold the string exactly ---

const PLAIN_ALLOWED = 1;
const SINGLE_ALLOWED = 2;
const BLOCK_ALLOWED = 4;
const MULTILINE = 8;

function isBreak(c: number): boolean {
  return c === 10 || c === 13 || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/** yaml.v2's is_printable; characters past U+FFFF never are (they are escaped as \U…). */
function isPrintable(c: number): boolean {
  return (
    c === 10 || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
  );
}

/** The code point at `i`, a surrogate pair read as one. */
function codePointAt(s: string, i: number): number {
  return s.codePointAt(i) as number;
}

/** The style flags yaml_emitter_analyze_scalar sets for a non-empty string (block context, which is all we write). */
function analyzeScalar(s: string): number {
  let blockIndicators = s.startsWith('---') || s.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  const n = s.length;
  for (let i = 0; i < n;) {
    const c = codePointAt(s, i);
    const w = c > 0xffff ? 2 : 1;
    const next = i + w < n ? s.charCodeAt(i + w) : -1;
    const followedByWhitespace = next === -1 || next === 32 || next === 9;
    if (i === 0) {
      switch (c) {
        case 35:
        case 44:
        case 91:
        case 93:
        case 123:
        case 125:
        case 38:
        case 42:
        case 33:
        case 124:
        case 62:
        case 39:
        case 34:
        case 37:
        case 64:
        case 96:
          blockIndicators = true; // # , [ ] { } & * ! | > ' " % @ `
          break;
        case 63:
        case 58: // ? :
          if (followedByWhitespace) blockIndicators = true;
          break;
        case 45: // -
          if (followedByWhitespace) blockIndicators = true;
          break;
      }
    } else if ((c === 58 && followedByWhitespace) || (c === 35 && precededByWhitespace)) {
      blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (c === 32) {
      if (i === 0) leadingSpace = true;
      if (i + w === n) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i + w === n) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = c === 32 || c === 9 || isBreak(c);
    i += w;
  }
  const plain = !(
    leadingSpace ||
    leadingBreak ||
    trailingSpace ||
    trailingBreak ||
    breakSpace ||
    spaceBreak ||
    special ||
    lineBreaks ||
    blockIndicators
  );
  const single = !(breakSpace || spaceBreak || special);
  const block = !(trailingSpace || spaceBreak || special);
  return (
    (plain ? PLAIN_ALLOWED : 0) |
    (single ? SINGLE_ALLOWED : 0) |
    (block ? BLOCK_ALLOWED : 0) |
    (lineBreaks ? MULTILINE : 0)
  );
}

// --- the JSON round trip's effect on strings ---

// Characters Go's json.Marshal leaves raw that yaml.v2's reader then refuses (DEL, C1 controls, U+FFFE/U+FFFF), NEL
// (a line break inside the JSON's double-quoted scalar, so folded), and lone surrogates (invalid UTF-8 to Go).
const ROUND_TRIP_CHANGES = /[\u007f-\u009f\ud800-\udfff\ufffe\uffff]/;

/** The string yaml.v2 reads back from json.Marshal's text for `s`; throws where it cannot read it at all. */
function jsonRoundTrip(s: string): string {
  if (!ROUND_TRIP_CHANGES.test(s)) return s;
  const refused = /[\u007f-\u0084\u0086-\u009f\ufffe\uffff]/.exec(s);
  if (refused) {
    const code = (refused[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
    throw new PortolanError(
      'TEMPLATE_RENDER',
      `cannot write ${JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s)} as YAML: it holds the control character U+${code}, which Helm's YAML reader refuses ("control characters are not allowed")`,
      { hint: 'remove the character, or encode the string (b64enc) before writing it as YAML' },
    );
  }
  // json.Marshal writes invalid UTF-8 as U+FFFD; a double-quoted scalar folds a raw NEL and the spaces around it into
  // one space, or into n-1 line breaks for a run of n.
  return s
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/ *\u0085[ \u0085]*/g, (run) => {
      const breaks = run.split('\u0085').length - 1;
      return breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
    });
}

// --- writing one scalar ---

/** A character as yaml.v2's double-quoted writer escapes it. */
function escapeChar(c: number): string {
  switch (c) {
    case 0x00:
      return '\\0';
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0b:
      return '\\v';
    case 0x0c:
      return '\\f';
    case 0x0d:
      return '\\r';
    case 0x1b:
      return '\\e';
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x85:
      return '\\N';
    case 0xa0:
      return '\\_';
    case 0x2028:
      return '\\L';
    case 0x2029:
      return '\\P';
    default: {
      const hex = c.toString(16).toUpperCase();
      return c <= 0xff
        ? `\\x${hex.padStart(2, '0')}`
        : c <= 0xffff
          ? `\\u${hex.padStart(4, '0')}`
          : `\\U${hex.padStart(8, '0')}`;
    }
  }
}

/** A line break and the indentation to `indent` (yaml_emitter_write_indent after text on the line). */
function newLine(indent: number): string {
  return `\n${' '.repeat(indent)}`;
}

function writePlain(s: string, column: number, indent: number, allowBreaks: boolean): string {
  // Plain scalars hold no line breaks and no character past U+FFFF (analyzeScalar refuses both), so a UTF-16 index
  // counts columns, and the only change is folding: a single space past column 80 becomes a line break.
  if (!allowBreaks || column + s.length <= BEST_WIDTH + 1) return s;
  let out = '';
  let start = 0;
  for (let i = s.indexOf(' '); i !== -1; i = s.indexOf(' ', i + 1)) {
    if (column + i - start > BEST_WIDTH && s.charCodeAt(i - 1) !== 32 && s.charCodeAt(i + 1) !== 32) {
      out += s.slice(start, i) + newLine(indent);
      start = i + 1;
      column = indent;
    }
  }
  return start === 0 ? s : out + s.slice(start);
}

const LINE_SEPARATORS = /[\u2028\u2029]/;

function writeSingleQuoted(s: string, column: number, indent: number, allowBreaks: boolean): string {
  // Nothing to double, no line separator and nowhere to fold: the string as it is.
  if (
    !s.includes("'") &&
    !LINE_SEPARATORS.test(s) &&
    (!allowBreaks || column + s.length <= BEST_WIDTH || !s.includes(' '))
  )
    return `'${s}'`;
  let out = "'";
  column++;
  let spaces = false;
  let breaks = false;
  const last = s.length - 1;
  for (let i = 0; i < s.length;) {
    const c = codePointAt(s, i);
    const w = c > 0xffff ? 2 : 1;
    if (c === 32) {
      if (allowBreaks && !spaces && column > BEST_WIDTH && i > 0 && i < last && s.charCodeAt(i + 1) !== 32) {
        out += newLine(indent);
        column = indent;
      } else {
        out += ' ';
        column++;
      }
      spaces = true;
    } else if (isBreak(c)) {
      // Only U+2028 and U+2029 get here (a newline asks for a literal block, CR and NEL for double quotes).
      out += s[i];
      column = 0;
      breaks = true;
    } else {
      if (breaks) {
        out += ' '.repeat(Math.max(indent - column, 0));
        column = Math.max(indent, column);
      }
      out += c === 39 ? "''" : s.slice(i, i + w);
      column += c === 39 ? 2 : 1;
      spaces = false;
      breaks = false;
    }
    i += w;
  }
  return `${out}'`;
}

/** Printable ASCII but the two characters a double-quoted scalar escapes. */
const DOUBLE_QUOTE_SAFE = /^[ !#-[\]-~]*$/;

function writeDoubleQuoted(s: string, column: number, indent: number, allowBreaks: boolean): string {
  if (DOUBLE_QUOTE_SAFE.test(s) && (!allowBreaks || column + s.length <= BEST_WIDTH || !s.includes(' ')))
    return `"${s}"`;
  let out = '"';
  column++;
  let spaces = false;
  // yaml.v2's is_bom looks at the start of the string, not at the character: a string that starts with a BOM has
  // every character escaped.
  const escapeAll = s.charCodeAt(0) === 0xfeff;
  const last = s.length - 1;
  for (let i = 0; i < s.length;) {
    const c = codePointAt(s, i);
    const w = c > 0xffff ? 2 : 1;
    if (escapeAll || !isPrintable(c) || isBreak(c) || c === 34 || c === 92) {
      const escaped = escapeChar(c);
      out += escaped;
      column += escaped.length;
      spaces = false;
    } else if (c === 32) {
      if (allowBreaks && !spaces && column > BEST_WIDTH && i > 0 && i < last) {
        out += newLine(indent);
        column = indent;
        // A space that starts the continuation line would be folded away: escape it.
        if (s.charCodeAt(i + 1) === 32) {
          out += '\\';
          column++;
        }
      } else {
        out += ' ';
        column++;
      }
      spaces = true;
    } else {
      out += s.slice(i, i + w);
      column++;
      spaces = false;
    }
    i += w;
  }
  return `${out}"`;
}

function writeLiteral(s: string, indent: number): string {
  let out = '|';
  const first = s.charCodeAt(0);
  if (first === 32 || isBreak(first)) out += String(INDENT);
  const lastIndex = s.length - 1;
  if (!isBreak(s.charCodeAt(lastIndex))) out += '-';
  else if (lastIndex === 0 || isBreak(s.charCodeAt(lastIndex - 1))) out += '+';
  out += '\n';
  if (!LINE_SEPARATORS.test(s)) {
    // Only newlines break lines: each non-empty line gets the indentation.
    const pad = ' '.repeat(indent);
    const lines = s.split('\n');
    for (let i = 0; i < lines.length; i++)
      out += `${i === 0 ? '' : '\n'}${lines[i] === '' ? '' : pad + (lines[i] as string)}`;
    return out;
  }
  let column = 0;
  let breaks = true;
  for (let i = 0; i < s.length;) {
    const c = codePointAt(s, i);
    const w = c > 0xffff ? 2 : 1;
    if (isBreak(c)) {
      out += s[i];
      column = 0;
      breaks = true;
    } else {
      if (breaks && column < indent) {
        out += ' '.repeat(indent - column);
        column = indent;
      }
      out += s.slice(i, i + w);
      column++;
      breaks = false;
    }
    i += w;
  }
  return out;
}

/**
 * The string as yaml.v2 writes it: `column` is where it starts (after the separating space), `indent` the
 * indentation of its continuation lines, and `isSimpleKey` true for a mapping key (never folded).
 */
function writeString(value: string, column: number, indent: number, isSimpleKey: boolean): string {
  const s = jsonRoundTrip(value);
  if (s === '') return '""';
  const canUsePlain = resolvesToString(s);
  const flags = analyzeScalar(s);
  // stringv asks for a literal block for a multi-line string, else plain when resolve allows it, else double
  // quotes; select_scalar_style then falls back from plain to single quotes to double quotes as analysis requires.
  if (s.includes('\n')) {
    if (!isSimpleKey && flags & BLOCK_ALLOWED) return writeLiteral(s, indent);
  } else if (canUsePlain && !(isSimpleKey && flags & MULTILINE)) {
    if (flags & PLAIN_ALLOWED) return writePlain(s, column, indent, !isSimpleKey);
    if (flags & SINGLE_ALLOWED) return writeSingleQuoted(s, column, indent, !isSimpleKey);
  }
  return writeDoubleQuoted(s, column, indent, !isSimpleKey);
}

// Strings that need no analysis: they start with a letter (or _ /) and hold only characters that are never
// indicators, so they are plain unless they are one of yaml.v2's words, and have no space to fold at.
const FAST_PLAIN = /^[A-Za-z_/][\w./+=()$^;~<>-]*$/;
// Printable ASCII text starting with a letter: resolve leaves it a string unless it is one of yaml.v2's words, and
// it is plain unless it has `: ` or ` #`, or ends with a space or a colon.
const ASCII_TEXT = /^[A-Za-z_/][ -~]*$/;

function isPlainText(s: string): boolean {
  return (
    ASCII_TEXT.test(s) &&
    !RESOLVED_WORDS.has(s) &&
    !s.includes(': ') &&
    !s.includes(' #') &&
    !s.endsWith(' ') &&
    !s.endsWith(':')
  );
}

/** The string as a mapping key or single-line scalar writes it (plain, quoted or escaped as yaml.v2 chooses). */
export function yamlString(value: string): string {
  if (FAST_PLAIN.test(value) && !RESOLVED_WORDS.has(value)) return value;
  return writeString(value, 0, INDENT, true);
}

// --- numbers as the JSON round trip leaves them ---

/** strconv.FormatFloat(x, 'g', -1, 64): the shortest digits, with an exponent below 1e-4 or from 1e+06 up. */
function goFloat(x: number): string {
  const exponential = x.toExponential();
  const at = exponential.indexOf('e');
  const exponent = Number(exponential.slice(at + 1));
  if (exponent >= -4 && exponent < 6) return String(x);
  const digits = exponential.slice(at + 2);
  return `${exponential.slice(0, at)}e${exponential[at + 1]}${digits.length < 2 ? `0${digits}` : digits}`;
}

/**
 * A float64 as Helm's toYaml writes it: json.Marshal gives a whole number below 1e21 as its digits, which yaml.v2
 * reads back as an int (or a uint64) when it fits one and writes as is; everything else is read as a float64.
 */
function formatNumber(x: number): string {
  if (!Number.isFinite(x)) {
    throw new PortolanError(
      'TEMPLATE_RENDER',
      `cannot write ${String(x)} as YAML: Helm's toYaml goes through JSON, which has no ${Number.isNaN(x) ? 'NaN' : 'infinity'}`,
      { hint: 'check the arithmetic that produced it (a division by zero?)' },
    );
  }
  if (!Number.isInteger(x) || Math.abs(x) >= 1e21) return goFloat(x);
  if (Number.isSafeInteger(x)) return String(x === 0 ? 0 : x);
  // The text JSON gives (shortest digits padded with zeros), not the float's exact value, must fit the integer.
  const text = String(x);
  const big = BigInt(text);
  return (x < 0 ? -big <= INT64_MIN : big <= UINT64_MAX) ? text : goFloat(x);
}

function scalar(value: unknown, column: number, indent: number): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      if (FAST_PLAIN.test(value)) return RESOLVED_WORDS.has(value) ? `"${value}"` : value;
      return isPlainText(value) ? writePlain(value, column, indent, true) : writeString(value, column, indent, false);
    case 'number':
      return formatNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    default:
      return value instanceof Date ? writeString(value.toISOString(), column, indent, false) : 'null';
  }
}

/** Whether a scalar's text left the writer at the start of a line (a literal block that ends with a line break). */
function endsLine(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  return last === 10 || last === 0x2028 || last === 0x2029;
}

// --- key order ---

const LETTER = /\p{L}/u;
const DECIMAL_DIGIT = /\p{Nd}/u;
function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c > 0x7f && LETTER.test(String.fromCodePoint(c)));
}
function isDigitRune(c: number): boolean {
  return (c >= 48 && c <= 57) || (c > 0x7f && DECIMAL_DIGIT.test(String.fromCodePoint(c)));
}

/**
 * yaml.v2's key order (sorter.go): rune by rune; a letter sorts after anything that is not one; runs of digits
 * compare as numbers (so `a9` comes before `a10`).
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) === b.charCodeAt(i)) continue;
    // Compare runes, not UTF-16 units, when a surrogate pair is involved.
    if (a.charCodeAt(i) >= 0xd800 || b.charCodeAt(i) >= 0xd800) {
      const toRunes = (text: string) => Array.from(text.slice(i), (c) => c.codePointAt(0) as number);
      return compareAt(toRunes(a), toRunes(b), 0, a, i);
    }
    return compareAt(a, b, i, a, i);
  }
  // One is a prefix of the other: the longer sorts last, in runes as in UTF-16 units.
  return a.length - b.length;
}

type Runes = string | number[];
function runeAt(text: Runes, i: number): number {
  return typeof text === 'string' ? text.charCodeAt(i) : (text[i] as number);
}

/** sorter.go's comparison from the first rune that differs (`i` in `a`/`b`; `at` in the whole key `whole`). */
function compareAt(a: Runes, b: Runes, i: number, whole: string, at: number): number {
  const ac = runeAt(a, i);
  const bc = runeAt(b, i);
  const al = isLetter(ac);
  const bl = isLetter(bc);
  if (al && bl) return ac - bc;
  if (al || bl) return al ? 1 : -1;
  let an = 0;
  let bn = 0;
  // When either side has a 0 here and a non-zero digit comes earlier in the same run, both numbers start from 1 (so
  // leading zeros count).
  if (ac === 48 || bc === 48) {
    for (let j = at - 1; j >= 0 && isDigitRune(whole.charCodeAt(j)); j--) {
      if (whole.charCodeAt(j) !== 48) {
        an = 1;
        bn = 1;
        break;
      }
    }
  }
  let ai = i;
  let bi = i;
  for (; ai < a.length && isDigitRune(runeAt(a, ai)); ai++) an = an * 10 + (runeAt(a, ai) - 48);
  for (; bi < b.length && isDigitRune(runeAt(b, bi)); bi++) bn = bn * 10 + (runeAt(b, bi) - 48);
  if (an !== bn) return an < bn ? -1 : 1;
  if (ai !== bi) return ai - bi;
  return ac - bc;
}

function sortedKeys(map: Record<string, unknown>): string[] {
  const keys = Object.keys(map);
  if (keys.length > 1) keys.sort(compareKeys);
  for (const key of keys) if (map[key] === undefined) return keys.filter((k) => map[k] !== undefined);
  return keys;
}

// --- block structure ---

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object' && !(value instanceof Date);
}

/** `[]`/`{}` for empty containers, else undefined. */
function emptyContainer(value: Record<string, unknown> | unknown[]): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  for (const key in value) if (value[key] !== undefined) return undefined;
  return '{}';
}

function utf8Length(text: string): number {
  return text.length * 3 <= SIMPLE_KEY_MAX ? text.length : Buffer.byteLength(text, 'utf8');
}

/**
 * A node after an indicator (`key:`, `-`, `?`, `:`) that ends at `column`; `indent` is where the node's own block
 * lines start. Returns its text up to and including the line break that ends it.
 */
function emitNode(value: unknown, column: number, indent: number, afterKey: boolean): string {
  if (!isContainer(value)) {
    const text = scalar(value, column + 1, indent);
    return endsLine(text) ? ` ${text}` : ` ${text}\n`;
  }
  const empty = emptyContainer(value);
  if (empty !== undefined) return ` ${empty}\n`;
  // After a simple key the block starts on the next line (a list at the key's own indentation); after `-`, `?` or
  // `:` it continues on the same line, indented past the indicator.
  if (afterKey) {
    return Array.isArray(value)
      ? `\n${emitList(value, indent - INDENT, ' '.repeat(indent - INDENT))}`
      : `\n${emitMap(value, indent, ' '.repeat(indent))}`;
  }
  const pad = ' '.repeat(indent - column);
  return Array.isArray(value) ? emitList(value, indent, pad) : emitMap(value, indent, pad);
}

/** The YAML of a map's entries at `indent`; the first line gets `first` instead of the indentation. */
function emitMap(map: Record<string, unknown>, indent: number, first: string): string {
  let out = '';
  let lead = first;
  const spaces = ' '.repeat(indent);
  for (const key of sortedKeys(map)) {
    const child = map[key];
    const keyText = key.length <= SIMPLE_KEY_MAX && FAST_PLAIN.test(key) && !RESOLVED_WORDS.has(key) ? key : undefined;
    if (
      keyText !== undefined ||
      (utf8Length(key) <= SIMPLE_KEY_MAX && !(analyzeScalar(jsonRoundTrip(key)) & MULTILINE))
    ) {
      const text = keyText ?? writeString(key, indent, indent + INDENT, true);
      out += `${lead}${text}:${emitNode(child, indent + text.length + 1, indent + INDENT, true)}`;
    } else {
      // A complex key: `? key` then `: value`, each node indented past its indicator.
      const keyNode = writeString(key, indent + 2, indent + INDENT, false);
      out += `${lead}? ${keyNode}${endsLine(keyNode) ? '' : '\n'}${spaces}:${emitNode(child, indent + 1, indent + INDENT, false)}`;
    }
    lead = spaces;
  }
  return out;
}

/** The YAML of a list's items at `indent`; the first line gets `first` instead of the indentation. */
function emitList(list: unknown[], indent: number, first: string): string {
  let out = '';
  let lead = first;
  const spaces = ' '.repeat(indent);
  for (const item of list) {
    out += `${lead}-${emitNode(item, indent + 1, indent + INDENT, false)}`;
    lead = spaces;
  }
  return out;
}

/** YAML text for a map of plain data. Linear in the size of the data. */
export function toYaml(value: Record<string, unknown>): string {
  return emitMap(value, 0, '');
}

/** YAML text for a list of plain data (`[]` when empty). */
export function toYamlList(items: unknown[]): string {
  return items.length === 0 ? '[]\n' : emitList(items, 0, '');
}

/**
 * YAML text for any plain value, as Helm's toYaml gives it before trimming (a scalar on its own; `{}`/`[]` when empty).
 */
export function toYamlValue(value: unknown): string {
  if (Array.isArray(value)) return toYamlList(value);
  if (isContainer(value)) return emptyContainer(value) === '{}' ? '{}\n' : toYaml(value as Record<string, unknown>);
  // A document's root scalar starts at column 0 and continues at yaml.v2's first indentation step.
  const text = scalar(value, 0, INDENT);
  return endsLine(text) ? text : `${text}\n`;
}
