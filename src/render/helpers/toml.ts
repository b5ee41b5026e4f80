// Helm's toToml: a port of the BurntSushi/toml v1.6 encoder Helm 4 calls, so the text matches Helm's byte for byte
// (key order, indentation of nested tables, `8080.0` for a float, `[[array.of.tables]]`, Go's float spelling).
// A general TOML writer orders and spells things differently, and templates embed this text in config files that
// are compared and hashed. Pure.
import { isDict } from './go.js';

/** What the encoder fails on; toToml prints the message instead of the document, as Helm does. */
export class TomlEncodeError extends Error {}

/** How a number is typed: Go ints print as `1`, float64s as `1.0`. */
export type NumberKind = (value: number) => 'int' | 'float';

type TomlType = 'integer' | 'float' | 'string' | 'bool' | 'datetime' | 'array' | 'hash' | 'arrayHash';

// Go's strings.NewReplacer table from encode.go: quotes, backslash, and the control characters.
const NAMED_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
};

function quoted(text: string): string {
  const escaped = text.replace(
    // eslint-disable-next-line no-control-regex
    /["\\\x00-\x1f\x7f]/g,
    (c) => NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}"`;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

function keyPiece(piece: string): string {
  if (piece === '') return '""';
  return BARE_KEY.test(piece) ? piece : quoted(piece);
}

/** Go sorts map keys by their UTF-8 bytes; JavaScript's default sort compares UTF-16 units. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** strconv.FormatFloat(f, 'g', -1, 64): the shortest digits, in exponent form below 1e-4 and from 1e+06 on. */
function goFloatG(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(value);
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** RFC 3339 with nanoseconds, trailing zeros of the fraction dropped, as Go prints a time.Time. */
function goTime(date: Date): string {
  return date.toISOString().replace(/\.?0+Z$/, 'Z');
}

class Encoder {
  private out = '';
  private hasWritten = false;

  constructor(private readonly numberKind: NumberKind) {}

  run(value: unknown): string {
    this.encode([], value);
    return this.out;
  }

  private write(text: string): void {
    this.out += text;
    this.hasWritten = true;
  }

  private newline(): void {
    if (this.hasWritten) this.write('\n');
  }

  private indent(key: string[]): string {
    return '  '.repeat(Math.max(0, key.length - 1));
  }

  private typeOf(value: unknown): TomlType | undefined {
    if (value === null || value === undefined) return undefined;
    if (value instanceof Date) return 'datetime';
    if (typeof value === 'boolean') return 'bool';
    if (typeof value === 'string') return 'string';
    if (typeof value === 'bigint') return 'integer';
    if (typeof value === 'number') return this.numberKind(value) === 'int' ? 'integer' : 'float';
    if (Array.isArray(value)) return this.isTableArray(value) ? 'arrayHash' : 'array';
    if (isDict(value)) return 'hash';
    throw new TomlEncodeError(`unsupported type: ${typeof value}`);
  }

  /** A non-empty list whose items are all tables; a nil item anywhere is an error, as in Go. */
  private isTableArray(list: unknown[]): boolean {
    if (list.length === 0) return false;
    let all = true;
    for (const item of list) {
      const type = this.typeOf(item);
      if (type === undefined) throw new TomlEncodeError('toml: cannot encode array with nil element');
      if (type !== 'hash') all = false;
    }
    return all;
  }

  private encode(key: string[], value: unknown): void {
    if (value === null || value === undefined) {
      if (key.length === 0) throw new TomlEncodeError('reflect: call of reflect.Value.Type on zero Value');
      return;
    }
    if (Array.isArray(value)) {
      if (this.typeOf(value) === 'arrayHash') this.arrayOfTables(key, value);
      else this.keyValue(key, value, false);
    } else if (isDict(value)) this.table(key, value);
    else this.keyValue(key, value, false);
  }

  private keyValue(key: string[], value: unknown, inline: boolean): void {
    if (key.length === 0) {
      this.element(value);
      return;
    }
    this.write(`${this.indent(key)}${keyPiece(key[key.length - 1] as string)} = `);
    this.element(value);
    if (!inline) this.newline();
  }

  private element(value: unknown): void {
    if (value instanceof Date) this.write(goTime(value));
    else if (typeof value === 'string') this.write(quoted(value));
    else if (typeof value === 'boolean') this.write(String(value));
    else if (typeof value === 'bigint') this.write(value.toString());
    else if (typeof value === 'number') {
      if (Number.isNaN(value)) this.write('nan');
      else if (!Number.isFinite(value)) this.write(value < 0 ? '-inf' : 'inf');
      else if (this.numberKind(value) === 'int') this.write(value.toFixed(0));
      else {
        const text = goFloatG(value);
        this.write(/[.e]/.test(text) ? text : `${text}.0`);
      }
    } else if (Array.isArray(value)) {
      this.write('[');
      value.forEach((item, index) => {
        this.element(item);
        if (index !== value.length - 1) this.write(', ');
      });
      this.write(']');
    } else if (isDict(value)) this.map([], value, true);
    else throw new TomlEncodeError(`unexpected type: ${value === null ? 'nil' : typeof value}`);
  }

  private arrayOfTables(key: string[], list: unknown[]): void {
    if (key.length === 0) throw new TomlEncodeError('toml: top-level values must be Go maps or structs');
    for (const item of list) {
      if (item === null || item === undefined) continue;
      this.newline();
      this.write(`${this.indent(key)}[[${key.map(keyPiece).join('.')}]]`);
      this.newline();
      this.map(key, item as Record<string, unknown>, false);
    }
  }

  private table(key: string[], dict: Record<string, unknown>): void {
    // A blank line between top-level tables (none before the first thing written).
    if (key.length === 1) this.newline();
    if (key.length > 0) {
      this.write(`${this.indent(key)}[${key.map(keyPiece).join('.')}]`);
      this.newline();
    }
    this.map(key, dict, false);
  }

  /** Plain values first, then tables and arrays of tables, each group in byte order of the keys. */
  private map(key: string[], dict: Record<string, unknown>, inline: boolean): void {
    const direct: string[] = [];
    const sub: string[] = [];
    for (const name of Object.keys(dict)) {
      const type = this.typeOf(dict[name]);
      (type === 'hash' || type === 'arrayHash' ? sub : direct).push(name);
    }
    const writeKeys = (names: string[], trailingComma: boolean) => {
      names.sort(compareBytes);
      names.forEach((name, index) => {
        const value = dict[name];
        if (value === null || value === undefined) return;
        if (inline) {
          this.keyValue([name], value, true);
          // Go's loop counts skipped nil entries too, so `{a = 1, }` can happen; kept for byte equality.
          if (trailingComma || index !== names.length - 1) this.write(', ');
        } else this.encode([...key, name], value);
      });
    };
    if (inline) this.write('{');
    writeKeys(direct, sub.length > 0);
    writeKeys(sub, false);
    if (inline) this.write('}');
  }
}

/** BurntSushi/toml's Encoder.Encode of a value as Helm's toToml passes it; throws TomlEncodeError where Go fails. */
export function encodeToml(value: unknown, numberKind: NumberKind): string {
  return new Encoder(numberKind).run(value);
}
