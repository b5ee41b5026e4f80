// Go's fmt.Sprintf as Go-dialect templates run it: every verb checks its operand's Go type and prints Go's bad-verb
// form (`%!d(float64=8080)`, `%!s(<nil>)`) when it does not fit, lists and maps apply the verb to each element,
// extra operands are reported (`%!(EXTRA string=x)`) and `%T` prints the type. Our values' Go types: bigint is an
// int, number a float64 (Helm reads values files so), Buffer a []uint8. Pure.
import { formatValue, goFloat, goQuote, isDict } from './go.js';

/** Go's %T (and the type in a bad-verb form). */
export function goTypeName(value: unknown): string {
  if (value === undefined || value === null) return '<nil>';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    default:
      if (Array.isArray(value)) return '[]interface {}';
      if (Buffer.isBuffer(value)) return '[]uint8';
      if (value instanceof Date) return 'time.Time';
      return 'map[string]interface {}';
  }
}

interface Spec {
  flags: string;
  width: number | undefined;
  precision: number | undefined;
  verb: string;
}

const SPEC = /%([-+# 0]*)(\*|\d+)?(?:\.(\*|\d*))?([a-zA-Z%])/g;

export function goSprintf(format: string, args: unknown[]): string {
  let next = 0;
  let out = format.replace(
    SPEC,
    (_whole, flags: string, widthText: string | undefined, precText: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      const star = (): number | undefined => {
        const value = args[next++];
        return typeof value === 'bigint' ? Number(value) : undefined;
      };
      const width = widthText === '*' ? star() : widthText === undefined ? undefined : Number(widthText);
      const precision =
        precText === '*' ? star() : precText === undefined ? undefined : precText === '' ? 0 : Number(precText);
      if (next >= args.length) return `%!${verb}(MISSING)`;
      const arg = args[next++];
      return formatArg({ flags, width, precision, verb }, arg);
    },
  );
  if (next < args.length) {
    out += `%!(EXTRA ${args
      .slice(next)
      .map((arg) => `${goTypeName(arg)}=${arg === undefined || arg === null ? '<nil>' : formatValue(arg)}`)
      .join(', ')})`;
  }
  return out;
}

function bad(spec: Spec, arg: unknown): string {
  if (arg === undefined || arg === null) return `%!${spec.verb}(<nil>)`;
  return `%!${spec.verb}(${goTypeName(arg)}=${formatValue(arg)})`;
}

function pad(spec: Spec, text: string, numeric: boolean): string {
  if (spec.width === undefined || [...text].length >= spec.width) return text;
  const fill = spec.width - [...text].length;
  if (spec.flags.includes('-')) return text + ' '.repeat(fill);
  if (numeric && spec.flags.includes('0')) {
    const sign = /^[+-]/.test(text) ? (text[0] as string) : '';
    return sign + '0'.repeat(fill) + text.slice(sign.length);
  }
  return ' '.repeat(fill) + text;
}

function signed(spec: Spec, text: string, negative: boolean): string {
  if (negative) return text;
  if (spec.flags.includes('+')) return `+${text}`;
  if (spec.flags.includes(' ')) return ` ${text}`;
  return text;
}

function formatArg(spec: Spec, arg: unknown): string {
  const { verb } = spec;
  if (verb === 'T') return pad(spec, goTypeName(arg), false);
  if (verb === 'v' && (arg === undefined || arg === null)) return pad(spec, '<nil>', false);
  if (arg === undefined || arg === null) return bad(spec, arg);
  // Lists and maps: the verb applies to each element, as fmt does.
  if (Array.isArray(arg))
    return pad(spec, `[${arg.map((item) => formatArg({ ...spec, width: undefined }, item)).join(' ')}]`, false);
  if (isDict(arg) && !Buffer.isBuffer(arg) && verb !== 'v') {
    const keys = Object.keys(arg).sort();
    const inner = { ...spec, width: undefined };
    return pad(
      spec,
      `map[${keys.map((key) => `${formatArg(inner, key)}:${formatArg(inner, arg[key])}`).join(' ')}]`,
      false,
    );
  }
  switch (typeof arg) {
    case 'bigint':
      return pad(spec, formatInt(spec, arg) ?? bad(spec, arg), true);
    case 'number':
      return pad(spec, formatFloat(spec, arg) ?? bad(spec, arg), true);
    case 'string':
      return pad(spec, formatString(spec, arg) ?? bad(spec, arg), false);
    case 'boolean':
      return pad(spec, verb === 't' || verb === 'v' ? String(arg) : bad(spec, arg), false);
    default:
      if (Buffer.isBuffer(arg))
        return pad(
          spec,
          verb === 's' ? arg.toString('utf8') : verb === 'x' ? arg.toString('hex') : formatValue(arg),
          false,
        );
      return pad(spec, verb === 'v' || verb === 's' ? formatValue(arg) : bad(spec, arg), false);
  }
}

function formatInt(spec: Spec, value: bigint): string | undefined {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const sign = (text: string) => signed(spec, negative ? `-${text}` : text, negative);
  switch (spec.verb) {
    case 'd':
    case 'v':
      return sign(magnitude.toString());
    case 'x':
      return sign((spec.flags.includes('#') ? '0x' : '') + magnitude.toString(16));
    case 'X':
      return sign((spec.flags.includes('#') ? '0X' : '') + magnitude.toString(16).toUpperCase());
    case 'o':
      return sign((spec.flags.includes('#') ? '0' : '') + magnitude.toString(8));
    case 'O':
      return sign(`0o${magnitude.toString(8)}`);
    case 'b':
      return sign(magnitude.toString(2));
    case 'c':
      return String.fromCodePoint(Number(value));
    case 'q':
      return `'${String.fromCodePoint(Number(value))}'`;
    case 'U':
      return `U+${magnitude.toString(16).toUpperCase().padStart(4, '0')}`;
    default:
      return undefined;
  }
}

function formatFloat(spec: Spec, value: number): string | undefined {
  const negative = value < 0 || Object.is(value, -0);
  const sign = (text: string) => signed(spec, text, negative);
  if (!Number.isFinite(value)) {
    if (!'vfFeEgG'.includes(spec.verb)) return undefined;
    return sign(Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf');
  }
  switch (spec.verb) {
    case 'v':
      return sign(spec.precision === undefined ? goFloat(value) : gFormat(value, spec.precision));
    case 'f':
    case 'F':
      return sign(value.toFixed(spec.precision ?? 6));
    case 'e':
    case 'E': {
      const text = value.toExponential(spec.precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      return sign(spec.verb === 'E' ? text.toUpperCase() : text);
    }
    case 'g':
    case 'G': {
      const text = spec.precision === undefined ? goFloat(value) : gFormat(value, spec.precision);
      return sign(spec.verb === 'G' ? text.toUpperCase() : text);
    }
    default:
      return undefined;
  }
}

/** %.Ng: N significant digits, exponent form when the exponent is < -4 or >= N, trailing zeros dropped. */
function gFormat(value: number, precision: number): string {
  const digits = Math.max(precision, 1);
  const [mantissa, exponentText] = value.toExponential(digits - 1).split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= digits) {
    const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    return `${trimmed}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = value.toFixed(Math.max(0, digits - 1 - exponent));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

function formatString(spec: Spec, value: string): string | undefined {
  const cut = (text: string) => (spec.precision === undefined ? text : [...text].slice(0, spec.precision).join(''));
  switch (spec.verb) {
    case 's':
    case 'v':
      return cut(value);
    case 'q':
      return spec.flags.includes('#') && !value.includes('`') ? `\`${cut(value)}\`` : goQuote(cut(value));
    case 'x':
      return Buffer.from(cut(value), 'utf8').toString('hex');
    case 'X':
      return Buffer.from(cut(value), 'utf8').toString('hex').toUpperCase();
    default:
      return undefined;
  }
}
