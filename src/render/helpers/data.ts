// Helpers over data: math (sprig's integer math truncates, as Go's int64 does), logic and comparison with Go's
// template rules, defaults, type tests and conversions, encodings and hashes, JSON and YAML, dates, SemVer. Pure
// except for the clock, randomness and uuidv4.
import { nodeCrypto } from '../../lazy-modules.js';
import { formatVersion, parseVersion, semverCompare } from '../../chart/version-range.js';
import { isPortolanError, messageOf } from '../../errors.js';
import { toYamlValue } from '../../yaml-emit.js';
import { checkedCopy, loadHelmYaml, valuesToJson } from '../../values/yaml.js';
import { deepEqual } from './collections.js';
import { decimalOp } from './decimal.js';
import { isDict, kindIs, kindOf, strval, toFloat64, toInt64, truth, typeOf } from './go.js';
import type { HelperFn } from './strings.js';

const ints = (values: unknown[]): number[] => values.map(toInt64);

function compare(a: unknown, b: unknown): number {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint'))
    return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error(`incompatible types for comparison: ${typeOf(a)} and ${typeOf(b)}`);
}

/** Go's eq: true when the first argument equals any of the others. */
function eq(a: unknown, ...others: unknown[]): boolean {
  return others.some((b) => deepEqual(a ?? null, b ?? null));
}

/** As Helm's fromYaml (sigs.k8s.io/yaml over go-yaml v2): YAML 1.1 scalars, and the first document only. */
function parseYaml(text: string): unknown {
  const [parsed] = loadHelmYaml(text, 'fromYaml');
  return checkedCopy(
    parsed ?? null,
    (path) => {
      throw new Error(`the key "${String(path.at(-1))}" is not allowed`);
    },
    () => {
      throw new Error('the document is too large once aliases are expanded');
    },
  );
}

/** fromYaml and fromJson never fail in Helm: the error goes into the result under "Error". */
function decode(text: unknown, parse: (t: string) => unknown, wantList: boolean): unknown {
  try {
    const parsed = parse(strval(text));
    if (wantList) return Array.isArray(parsed) ? parsed : parsed === null || parsed === undefined ? [] : [parsed];
    return isDict(parsed) ? parsed : {};
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return wantList ? [message] : { Error: message };
  }
}

function hash(algorithm: string, value: unknown): string {
  return nodeCrypto().createHash(algorithm).update(strval(value)).digest('hex');
}

function adler32(text: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Encode(data: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

function base32Decode(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const index = BASE32.indexOf(c);
    if (index < 0) throw new Error(`illegal base32 data: ${c}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** Go's reference time layout (Mon Jan 2 15:04:05 MST 2006) to a formatted date. UTC unless a zone is given. */
export function goDate(layout: string, date: Date, zone = 'UTC'): string {
  const parts = zonedParts(date, zone);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const months = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const offset = parts.offsetMinutes;
  const sign = offset < 0 ? '-' : '+';
  const oh = pad(Math.floor(Math.abs(offset) / 60));
  const om = pad(Math.abs(offset) % 60);
  const tokens: Array<[string, () => string]> = [
    ['January', () => months[parts.month - 1] as string],
    ['Monday', () => days[parts.weekday] as string],
    ['2006', () => String(parts.year)],
    ['Z07:00', () => (offset === 0 ? 'Z' : `${sign}${oh}:${om}`)],
    ['-07:00', () => `${sign}${oh}:${om}`],
    ['-0700', () => `${sign}${oh}${om}`],
    ['Jan', () => (months[parts.month - 1] as string).slice(0, 3)],
    ['Mon', () => (days[parts.weekday] as string).slice(0, 3)],
    ['MST', () => (zone === 'UTC' ? 'UTC' : zone)],
    ['.000000000', () => `.${pad(date.getUTCMilliseconds(), 3)}000000`],
    ['.000000', () => `.${pad(date.getUTCMilliseconds(), 3)}000`],
    ['.000', () => `.${pad(date.getUTCMilliseconds(), 3)}`],
    ['01', () => pad(parts.month)],
    ['02', () => pad(parts.day)],
    ['06', () => pad(parts.year % 100)],
    ['15', () => pad(parts.hour)],
    ['03', () => pad(parts.hour % 12 === 0 ? 12 : parts.hour % 12)],
    ['04', () => pad(parts.minute)],
    ['05', () => pad(parts.second)],
    ['PM', () => (parts.hour < 12 ? 'AM' : 'PM')],
    ['pm', () => (parts.hour < 12 ? 'am' : 'pm')],
    ['_2', () => String(parts.day).padStart(2, ' ')],
    ['1', () => String(parts.month)],
    ['2', () => String(parts.day)],
    ['3', () => String(parts.hour % 12 === 0 ? 12 : parts.hour % 12)],
    ['4', () => String(parts.minute)],
    ['5', () => String(parts.second)],
  ];
  let out = '';
  for (let i = 0; i < layout.length;) {
    const token = tokens.find(([t]) => layout.startsWith(t, i));
    if (token) {
      out += token[1]();
      i += token[0].length;
    } else out += layout[i++];
  }
  return out;
}

function zonedParts(
  date: Date,
  zone: string,
): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
  offsetMinutes: number;
} {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone === 'Local' ? undefined : zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'short',
  });
  const values: Record<string, string> = {};
  for (const part of format.formatToParts(date)) values[part.type] = part.value;
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(values.weekday as string);
  const asUtc = Date.UTC(
    Number(values.year),
    Number(values.month) - 1,
    Number(values.day),
    Number(values.hour),
    Number(values.minute),
    Number(values.second),
  );
  return {
    year: Number(values.year),
    month: Number(values.month),
    day: Number(values.day),
    hour: Number(values.hour),
    minute: Number(values.minute),
    second: Number(values.second),
    weekday,
    offsetMinutes: Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000),
  };
}

function toDateValue(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value * 1000);
  const parsed = new Date(strval(value));
  return Number.isNaN(parsed.getTime()) ? new Date(0) : parsed;
}

/** Go duration text (1h30m, -2m, 500ms) in milliseconds. */
function parseDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const match = /^([+-]?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(text.trim());
  if (!match) throw new Error(`invalid duration "${text}"`);
  let total = 0;
  for (const part of (match[2] as string).matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(part[1]) * (units[part[2] as string] as number);
  return match[1] === '-' ? -total : total;
}

/**
 * Helm 4's asDuration: Go duration text (`2h13m`), or seconds as a number or numeric string; a Duration as it is.
 * Durations are milliseconds here, printed as Go prints a time.Duration.
 */
function asDuration(value: unknown): number {
  if (isDict(value) && typeof value.milliseconds === 'number') return value.milliseconds;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') throw new Error('empty duration');
    try {
      return parseDuration(text);
    } catch {
      const seconds = Number(text);
      if (text !== '' && Number.isFinite(seconds)) return seconds * 1000;
      throw new Error(`could not parse duration "${value}"`);
    }
  }
  if (value === undefined || value === null) throw new Error('invalid duration');
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) * 1000;
  throw new Error(`unsupported duration type ${typeOf(value)}`);
}

/** A time.Duration value: prints as Go does, and reads back through asDuration. */
function durationValue(ms: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  Object.defineProperty(out, 'milliseconds', { value: ms, enumerable: false });
  Object.defineProperty(out, 'toString', { value: () => formatDuration(ms), enumerable: false });
  return out;
}

/** A Helm 4 duration helper: `fallback` (0) when the value is not a duration. */
function durationIn(value: unknown, per: number, integer: boolean): number {
  let ms: number;
  try {
    ms = asDuration(value);
  } catch {
    return 0;
  }
  return integer ? Math.trunc(ms / per) : ms / per;
}

/** durationRoundTo/TruncateTo: 0 when `value` is no duration, `value` when `multiple` is none. */
function durationStep(value: unknown, multiple: unknown, step: (x: number) => number): Record<string, unknown> {
  let ms: number;
  try {
    ms = asDuration(value);
  } catch {
    return durationValue(0);
  }
  let by: number;
  try {
    by = asDuration(multiple);
  } catch {
    return durationValue(ms);
  }
  return durationValue(by <= 0 ? ms : step(ms / by) * by);
}

function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms) / 1000;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  const sText = `${Number(rest.toFixed(3))}s`;
  return `${sign}${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${sText}`;
}

/**
 * Masterminds' errors as plain errors: the template engine passes a PortolanError through untouched, while Helm
 * reports these as `error calling semverCompare: MESSAGE` at the template's position.
 */
function asTemplateError<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new Error(messageOf(error));
  }
}

/** Sprig's semver: a Masterminds Version, with its methods' names as fields and its String() for printing. */
function semverObject(version: unknown): Record<string, unknown> {
  const parsed = asTemplateError(() => parseVersion(strval(version)));
  return {
    // uint64 in Go: integers, so printf "%d" and comparisons with int constants work in Go templates.
    Major: BigInt(parsed.major),
    Minor: BigInt(parsed.minor),
    Patch: BigInt(parsed.patch),
    Prerelease: parsed.prerelease,
    Metadata: parsed.metadata,
    Original: parsed.original,
    toString: () => formatVersion(parsed),
  };
}

export const dataHelpers: Record<string, HelperFn> = {
  // math
  add: (...values) => ints(values).reduce((a, b) => a + b, 0),
  add1: (value) => toInt64(value) + 1,
  sub: (a, b) => toInt64(a) - toInt64(b),
  mul: (...values) => ints(values).reduce((a, b) => a * b, 1),
  div: (a, b) => {
    if (toInt64(b) === 0) throw new Error('integer divide by zero');
    return Math.trunc(toInt64(a) / toInt64(b));
  },
  mod: (a, b) => {
    if (toInt64(b) === 0) throw new Error('integer divide by zero');
    return toInt64(a) % toInt64(b);
  },
  max: (...values) => Math.max(...ints(values)),
  min: (...values) => Math.min(...ints(values)),
  // In decimal, as Sprig computes them (addf 1.1 2.2 is 3.3).
  addf: (...values) => decimalOp('add', 0, values.map(toFloat64)),
  add1f: (value) => decimalOp('add', toFloat64(value), [1]),
  subf: (a, ...rest) => decimalOp('sub', toFloat64(a), rest.map(toFloat64)),
  mulf: (a, ...rest) => decimalOp('mul', toFloat64(a), rest.map(toFloat64)),
  divf: (a, ...rest) => decimalOp('div', toFloat64(a), rest.map(toFloat64)),
  maxf: (...values) => Math.max(...values.map(toFloat64)),
  minf: (...values) => Math.min(...values.map(toFloat64)),
  floor: (value) => Math.floor(toFloat64(value)),
  ceil: (value) => Math.ceil(toFloat64(value)),
  round: (value, precision, roundOn) => {
    const p = 10 ** toInt64(precision);
    const on = roundOn === undefined ? 0.5 : toFloat64(roundOn);
    const scaled = toFloat64(value) * p;
    const whole = Math.trunc(scaled);
    return (Math.abs(scaled - whole) >= on ? whole + Math.sign(scaled) : whole) / p;
  },
  // logic
  eq: (a, ...others) => eq(a, ...others),
  ne: (a, b) => !eq(a, b),
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  and: (...values) => {
    for (const value of values) if (!truth(value)) return value;
    return values.at(-1);
  },
  or: (...values) => {
    for (const value of values) if (truth(value)) return value;
    return values.at(-1);
  },
  not: (value) => !truth(value),
  default: (fallback, ...given) => (given.length > 0 && truth(given[0]) ? given[0] : fallback),
  empty: (value) => !truth(value),
  coalesce: (...values) => values.find(truth) ?? null,
  all: (...values) => values.every(truth),
  any: (...values) => values.some(truth),
  ternary: (whenTrue, whenFalse, condition) => (truth(condition) ? whenTrue : whenFalse),
  // types
  kindOf: (value) => kindOf(value),
  kindIs: (kind, value) => kindIs(strval(kind), value),
  typeOf: (value) => typeOf(value),
  typeIs: (type, value) => typeOf(value) === strval(type),
  typeIsLike: (type, value) => typeOf(value) === strval(type) || `*${typeOf(value)}` === strval(type),
  int: (value) => toInt64(value),
  int64: (value) => toInt64(value),
  float64: (value) => toFloat64(value),
  atoi: (value) => (/^[+-]?\d+$/.test(strval(value).trim()) ? Number(strval(value).trim()) : 0),
  toDecimal: (value) => {
    const text = strval(value).trim();
    return /^[+-]?[0-7]+$/.test(text) ? Number.parseInt(text, 8) : 0;
  },
  // encodings and hashes
  b64enc: (value) => Buffer.from(strval(value), 'utf8').toString('base64'),
  b64dec: (value) => Buffer.from(strval(value), 'base64').toString('utf8'),
  b32enc: (value) => base32Encode(Buffer.from(strval(value), 'utf8')),
  b32dec: (value) => base32Decode(strval(value)).toString('utf8'),
  sha1sum: (value) => hash('sha1', value),
  sha256sum: (value) => hash('sha256', value),
  sha512sum: (value) => hash('sha512', value),
  md5sum: (value) => hash('md5', value),
  adler32sum: (value) => String(adler32(strval(value))),
  uuidv4: () => nodeCrypto().randomUUID(),
  randInt: (min, max) => nodeCrypto().randomInt(toInt64(min), toInt64(max)),
  // JSON and YAML
  toJson: (value) => valuesToJson(value ?? null),
  mustToJson: (value) => valuesToJson(value ?? null),
  toRawJson: (value) =>
    valuesToJson(value ?? null).replace(/\\u00(3c|3e|26)/g, (_m, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    ),
  toPrettyJson: (value) => valuesToJson(value ?? null, 2),
  fromJson: (text) => decode(text, JSON.parse, false),
  fromJsonArray: (text) => decode(text, JSON.parse, true),
  // Helm's toYaml prints nothing for a value YAML cannot hold (NaN, some control characters); mustToYaml fails.
  toYaml: (value) => {
    try {
      return toYamlValue(value ?? null).replace(/\n$/, '');
    } catch (error) {
      if (isPortolanError(error)) return '';
      throw error;
    }
  },
  mustToYaml: (value) => toYamlValue(value ?? null).replace(/\n$/, ''),
  toYamlPretty: (value) => toYamlValue(value ?? null).replace(/\n$/, ''),
  fromYaml: (text) => decode(text, parseYaml, false),
  fromYamlArray: (text) => decode(text, parseYaml, true),
  // dates
  now: () => new Date(),
  date: (layout, value) => goDate(strval(layout), toDateValue(value)),
  dateInZone: (layout, value, zone) => goDate(strval(layout), toDateValue(value), strval(zone)),
  htmlDate: (value) => goDate('2006-01-02', toDateValue(value)),
  htmlDateInZone: (value, zone) => goDate('2006-01-02', toDateValue(value), strval(zone)),
  unixEpoch: (value) => Math.floor(toDateValue(value).getTime() / 1000),
  toDate: (layout, value) => toDateValue(value),
  dateModify: (change, value) => new Date(toDateValue(value).getTime() + parseDuration(strval(change))),
  ago: (value) => formatDuration(Math.round((Date.now() - toDateValue(value).getTime()) / 1000) * 1000),
  duration: (seconds) => formatDuration(toInt64(seconds) * 1000),
  // Helm 4's duration helpers.
  mustToDuration: (value) => durationValue(asDuration(value)),
  durationSeconds: (value) => durationIn(value, 1000, false),
  durationMilliseconds: (value) => durationIn(value, 1, true),
  durationMicroseconds: (value) => durationIn(value, 1e-3, true),
  durationNanoseconds: (value) => durationIn(value, 1e-6, true),
  durationMinutes: (value) => durationIn(value, 60_000, false),
  durationHours: (value) => durationIn(value, 3_600_000, false),
  durationDays: (value) => durationIn(value, 86_400_000, false),
  durationWeeks: (value) => durationIn(value, 604_800_000, false),
  durationRoundTo: (value, multiple) => durationStep(value, multiple, Math.round),
  durationTruncateTo: (value, multiple) => durationStep(value, multiple, Math.trunc),
  durationRound: (value) => formatDuration(typeof value === 'string' ? parseDuration(value) : toInt64(value) / 1e6),
  // SemVer
  semver: (version) => semverObject(version),
  semverCompare: (constraint, version) => asTemplateError(() => semverCompare(strval(constraint), strval(version))),
  // paths
  base: (path) => strval(path).replace(/\/+$/, '').split('/').pop() || (strval(path).startsWith('/') ? '/' : '.'),
  dir: (path) => {
    const text = strval(path);
    const i = text.lastIndexOf('/');
    return i < 0 ? '.' : i === 0 ? '/' : text.slice(0, i);
  },
  ext: (path) => {
    const base = strval(path).split('/').pop() ?? '';
    const i = base.lastIndexOf('.');
    return i < 0 ? '' : base.slice(i);
  },
  clean: (path) => {
    const text = strval(path);
    const out: string[] = [];
    for (const part of text.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..' && out.length > 0 && out.at(-1) !== '..') out.pop();
      else if (part !== '..' || !text.startsWith('/')) out.push(part);
    }
    return (text.startsWith('/') ? '/' : '') + out.join('/') || (text.startsWith('/') ? '/' : '.');
  },
  isAbs: (path) => strval(path).startsWith('/'),
  hello: () => 'Hello!',
  // URLs
  urlParse: (text) => {
    const url = new URL(strval(text));
    return {
      scheme: url.protocol.replace(/:$/, ''),
      host: url.host,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      fragment: url.hash.replace(/^#/, ''),
      userinfo: url.username ? `${url.username}${url.password ? `:${url.password}` : ''}` : '',
      opaque: '',
    };
  },
  urlJoin: (parts) => {
    const p = isDict(parts) ? parts : {};
    const auth = p.userinfo ? `${strval(p.userinfo)}@` : '';
    const query = p.query ? `?${strval(p.query)}` : '';
    const fragment = p.fragment ? `#${strval(p.fragment)}` : '';
    return `${strval(p.scheme)}://${auth}${strval(p.host)}${strval(p.path)}${query}${fragment}`;
  },
};
