// YAML as Helm reads it: sigs.k8s.io/yaml over go-yaml v2, i.e. YAML 1.1 scalars as go-yaml resolves them, then a
// conversion to JSON. This module holds the scalar rules (which plain scalars are booleans, nulls, integers and
// floats), the key rules (a map key becomes a string: `on` → "true", `1.5` → "1.5", `123456789.0` → "1.2345679e+08",
// a null key is an error) and Go's float formatting for them. Pure.
import yaml from 'js-yaml';

// go-yaml v2's resolve table (resolve.go): exactly these spellings, nothing case-insensitive beyond them.
const TRUE_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULL_WORDS = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOATS = new Map<string, number>([
  ...['.nan', '.NaN', '.NAN'].map((w) => [w, Number.NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((w) => [w, Number.POSITIVE_INFINITY] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((w) => [w, Number.NEGATIVE_INFINITY] as const),
]);

// Go's strconv.ParseInt(s, 0, 64) syntax once go-yaml has removed every underscore: a sign, then a 0x/0o/0b prefix,
// a leading 0 (octal), or decimal digits.
const GO_INTEGER = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/;
// go-yaml's yamlStyleFloat, tried only after the integer parses fail.
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const MAX_UINT64 = (1n << 64n) - 1n;
const MIN_INT64 = -(1n << 63n);

/** A YAML integer as go-yaml reads it (BigInt, exact), or undefined when the scalar is not one. */
export function goYamlInteger(text: string): bigint | undefined {
  const first = text.charCodeAt(0);
  // Only scalars starting with a digit or a sign are tried as numbers (go-yaml's resolve hints).
  if (!(first >= 48 && first <= 57) && first !== 43 && first !== 45) return undefined;
  const plain = text.includes('_') ? text.replace(/_/g, '') : text;
  const match = GO_INTEGER.exec(plain);
  if (!match) return undefined;
  const [, sign, hex, octal, binary, leadingZero, decimal] = match;
  let magnitude: bigint;
  if (hex !== undefined) magnitude = BigInt(`0x${hex}`);
  else if (octal !== undefined) magnitude = BigInt(`0o${octal}`);
  else if (binary !== undefined) magnitude = BigInt(`0b${binary}`);
  else if (leadingZero !== undefined) magnitude = leadingZero === '' ? 0n : BigInt(`0o${leadingZero}`);
  else magnitude = BigInt(decimal as string);
  const value = sign === '-' ? -magnitude : magnitude;
  // A decimal past int64/uint64 is read as a float by go-yaml (yamlStyleFloat comes before its big-integer case).
  if (decimal !== undefined && (value > MAX_UINT64 || value < MIN_INT64)) return undefined;
  return value;
}

/** A YAML float as go-yaml reads it, or undefined. */
export function goYamlFloat(text: string): number | undefined {
  const special = SPECIAL_FLOATS.get(text);
  if (special !== undefined) return special;
  const first = text.charCodeAt(0);
  if (first === 46 /* . */) return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : undefined;
  if (!(first >= 48 && first <= 57) && first !== 43 && first !== 45) return undefined;
  const plain = text.includes('_') ? text.replace(/_/g, '') : text;
  return YAML_STYLE_FLOAT.test(plain) ? Number(plain) : undefined;
}

/** What go-yaml makes of a plain scalar: its value, and whether it is a float (for Go's formatting of it). */
export type GoScalarKind = 'null' | 'bool' | 'int' | 'float' | 'string';

export function resolveGoScalar(text: string): { kind: GoScalarKind; value: unknown } {
  if (NULL_WORDS.has(text)) return { kind: 'null', value: null };
  if (TRUE_WORDS.has(text)) return { kind: 'bool', value: true };
  if (FALSE_WORDS.has(text)) return { kind: 'bool', value: false };
  const integer = goYamlInteger(text);
  if (integer !== undefined) return { kind: 'int', value: integer };
  const float = goYamlFloat(text);
  if (float !== undefined) return { kind: 'float', value: float };
  return { kind: 'string', value: text };
}

/**
 * A number kept with its YAML type while keys are still to be converted: js-yaml turns every key into a string with
 * String(), which would lose what Go needs (an int or a float, and a null key must fail). `toString` gives a
 * placeholder key that `GoScalars.keyFor` turns into Go's key.
 */
export class GoScalar {
  constructor(
    readonly kind: 'int' | 'float' | 'null',
    readonly value: bigint | number | null,
    readonly id: number,
  ) {}

  get [Symbol.toStringTag](): string {
    return 'GoScalar';
  }

  toString(): string {
    return `${KEY_MARK}${this.id}`;
  }

  /** The plain value: Helm turns every number into a float64, so integers become JavaScript numbers. */
  plain(): number | null {
    if (this.value === null) return null;
    if (typeof this.value === 'bigint') return Number(this.value);
    return this.value;
  }
}

export const KEY_MARK = '\u0000go-scalar:';

/** The numbers and nulls of one precise parse, by id; their offsets in the text, for lines in messages. */
export class GoScalars {
  readonly items: GoScalar[] = [];
  readonly offsets = new Map<GoScalar, number>();

  add(kind: GoScalar['kind'], value: GoScalar['value']): GoScalar {
    const scalar = new GoScalar(kind, value, this.items.length);
    this.items.push(scalar);
    return scalar;
  }

  /** The scalar behind a placeholder key, or undefined for an ordinary key. */
  fromKey(key: string): GoScalar | undefined {
    return key.startsWith(KEY_MARK) ? this.items[Number(key.slice(KEY_MARK.length))] : undefined;
  }
}

/** sigs.k8s.io/yaml's key conversion: ints in decimal, floats as FormatFloat(f, 'g', -1, 32); a null key fails. */
export function goKeyString(scalar: GoScalar): string | undefined {
  if (scalar.kind === 'null') return undefined;
  if (scalar.kind === 'int') return String(scalar.value);
  const text = formatGoFloat32(scalar.value as number);
  return text === '+Inf' ? '.inf' : text === '-Inf' ? '-.inf' : text === 'NaN' ? '.nan' : text;
}

/** strconv.FormatFloat(x, 'g', -1, 32): the shortest digits that read back as the same float32. */
export function formatGoFloat32(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  const value = Math.fround(x);
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  let exponential = value.toExponential(8);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = value.toExponential(digits - 1);
    if (Math.fround(Number(candidate)) === value) {
      exponential = candidate;
      break;
    }
  }
  return goStyleG(exponential);
}

/** Go's %g layout for shortest digits: exponent form below 1e-4 and from 1e+06 up, two exponent digits at least. */
function goStyleG(exponential: string): string {
  const [mantissa, exponentText] = exponential.split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6)
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  let text: string;
  if (exponent < 0) text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  else if (digits.length <= exponent + 1) text = digits.padEnd(exponent + 1, '0');
  else text = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  return negative ? `-${text}` : text;
}

/** A YAML 1.1 plain scalar resolved by go-yaml rules: the implicit types of the schema below. */
function implicitTypes(scalars: GoScalars | undefined): yaml.Type[] {
  const nullType = new yaml.Type('tag:yaml.org,2002:null', {
    kind: 'scalar',
    resolve: (data: string | null) => data === null || NULL_WORDS.has(data),
    construct: () => (scalars ? scalars.add('null', null) : null),
  });
  const boolType = new yaml.Type('tag:yaml.org,2002:bool', {
    kind: 'scalar',
    resolve: (data: string | null) => data !== null && (TRUE_WORDS.has(data) || FALSE_WORDS.has(data)),
    construct: (data: string) => TRUE_WORDS.has(data),
  });
  const intType = new yaml.Type('tag:yaml.org,2002:int', {
    kind: 'scalar',
    resolve: (data: string | null) => data !== null && goYamlInteger(data.trim()) !== undefined,
    construct: (data: string) => {
      const value = goYamlInteger(data.trim()) as bigint;
      // An integer -0 is 0 (only a float keeps the sign of zero).
      return scalars ? scalars.add('int', value) : Number(value) || 0;
    },
  });
  const floatType = new yaml.Type('tag:yaml.org,2002:float', {
    kind: 'scalar',
    // `!!float 3` is go-yaml's integer 3 made a float.
    resolve: (data: string | null) =>
      data !== null && (goYamlFloat(data.trim()) !== undefined || goYamlInteger(data.trim()) !== undefined),
    construct: (data: string) => {
      const value = goYamlFloat(data.trim()) ?? Number(goYamlInteger(data.trim()));
      return scalars ? scalars.add('float', value) : value;
    },
  });
  return [nullType, boolType, intType, floatType];
}

// js-yaml exports its built-in types at run time; its type definitions leave `types` out.
const builtins = (yaml as unknown as { types: Record<'merge' | 'set', yaml.Type> }).types;

/**
 * `!!binary` is the decoded bytes as a string, `!!timestamp` the text as written (go-yaml decoding into interface{}).
 */
const explicitTypes: yaml.Type[] = [
  new yaml.Type('tag:yaml.org,2002:binary', {
    kind: 'scalar',
    resolve: (data: string | null) => data !== null,
    construct: (data: string) => Buffer.from(data.replace(/\s/g, ''), 'base64').toString('utf8'),
  }),
  new yaml.Type('tag:yaml.org,2002:timestamp', {
    kind: 'scalar',
    resolve: (data: string | null) => data !== null,
    construct: (data: string) => data,
  }),
  builtins.set,
  // Any other tag (`!custom`, `!!foo`) leaves the node as it is: go-yaml only knows the core tags, and reads the rest
  // as plain data.
  new yaml.Type('', { kind: 'scalar', multi: true, construct: (data: string | null) => data ?? '' }),
  new yaml.Type('', { kind: 'sequence', multi: true, construct: (data: unknown[] | null) => data ?? [] }),
  new yaml.Type('', { kind: 'mapping', multi: true, construct: (data: Record<string, unknown> | null) => data ?? {} }),
];

/** go-yaml's YAML 1.1 reading of plain scalars, with `<<` merge keys; numbers as JavaScript numbers. */
export const HELM_YAML_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [...implicitTypes(undefined), builtins.merge],
  explicit: explicitTypes,
});

/** The same rules, with every number and null kept as a GoScalar so keys can be converted as Go converts them. */
export function preciseSchema(scalars: GoScalars): yaml.Schema {
  return yaml.FAILSAFE_SCHEMA.extend({
    implicit: [...implicitTypes(scalars), builtins.merge],
    explicit: explicitTypes,
  });
}

/**
 * Parses every document with GoScalar numbers and nulls, remembering where each one starts so a message can name
 * its line. Throws js-yaml's YAMLException for syntax errors.
 */
export function loadPrecise(text: string, filename: string): { documents: unknown[]; scalars: GoScalars } {
  const scalars = new GoScalars();
  const opens: number[] = [];
  const documents: unknown[] = [];
  yaml.loadAll(
    text,
    (document) => {
      documents.push(document);
    },
    {
      schema: preciseSchema(scalars),
      filename,
      json: true,
      listener(event, state) {
        if (event === 'open') opens.push(state.position);
        else {
          const start = opens.pop() ?? state.position;
          if (state.result instanceof GoScalar && !scalars.offsets.has(state.result))
            scalars.offsets.set(state.result, start);
        }
      },
    },
  );
  return { documents, scalars };
}

/** The 1-based line of an offset, skipping the blanks before the node. */
export function lineAt(text: string, offset: number): number {
  let at = offset;
  while (at < text.length && (text[at] === ' ' || text[at] === '\t')) at++;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * True when a key js-yaml produced may differ from Go's: a null or complex key, or a number whose JavaScript
 * spelling is not Go's (1e+06, float32 rounding, big integers). Ordinary keys, and small integers, never are.
 */
export function isSuspectKey(key: string): boolean {
  const first = key.charCodeAt(0);
  if (key === 'null' || key === '[object Object]' || key === 'NaN' || key === 'Infinity' || key === '-Infinity')
    return true;
  if (!((first >= 48 && first <= 57) || first === 45 || first === 46)) return false;
  if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]\d+)?$/.test(key)) return false;
  return formatGoFloat32(Number(key)) !== key;
}
