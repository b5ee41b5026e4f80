// Sprig's float arithmetic (addf, subf, mulf, divf): each operand becomes the shortest decimal that reads back as the
// same float64 (shopspring/decimal's NewFromFloat), the operation is exact in decimal (division rounded half away
// from zero at 16 places, decimal's DivisionPrecision), and the result is read back as a float64. So `addf 1.1 2.2`
// is 3.3, not 3.3000000000000003. Pure.

/** coefficient × 10^exponent */
interface Decimal {
  coefficient: bigint;
  exponent: number;
}

const DIVISION_PRECISION = 16;

function fromFloat(value: number): Decimal {
  if (!Number.isFinite(value)) throw new Error(`cannot create a decimal from ${value}`);
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const [whole, fraction = ''] = mantissa.split('.');
  return { coefficient: BigInt(`${whole}${fraction}`), exponent: Number(exponentText) - fraction.length };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const exponent = Math.min(a.exponent, b.exponent);
  return [
    a.coefficient * 10n ** BigInt(a.exponent - exponent),
    b.coefficient * 10n ** BigInt(b.exponent - exponent),
    exponent,
  ];
}

function toFloat(d: Decimal): number {
  return Number(`${d.coefficient}e${d.exponent}`);
}

type Op = 'add' | 'sub' | 'mul' | 'div';

function apply(op: Op, a: Decimal, b: Decimal): Decimal {
  switch (op) {
    case 'add':
    case 'sub': {
      const [x, y, exponent] = align(a, b);
      return { coefficient: op === 'add' ? x + y : x - y, exponent };
    }
    case 'mul':
      return { coefficient: a.coefficient * b.coefficient, exponent: a.exponent + b.exponent };
    case 'div': {
      if (b.coefficient === 0n) throw new Error('decimal division by 0');
      // a / b at DIVISION_PRECISION places: (a.c × 10^(a.e - b.e + P)) / b.c, rounded half away from zero.
      const shift = a.exponent - b.exponent + DIVISION_PRECISION;
      let numerator = a.coefficient;
      let denominator = b.coefficient;
      if (shift >= 0) numerator *= 10n ** BigInt(shift);
      else denominator *= 10n ** BigInt(-shift);
      const negative = numerator < 0n !== denominator < 0n;
      const n = numerator < 0n ? -numerator : numerator;
      const m = denominator < 0n ? -denominator : denominator;
      let quotient = n / m;
      if ((n % m) * 2n >= m) quotient += 1n;
      return { coefficient: negative ? -quotient : quotient, exponent: -DIVISION_PRECISION };
    }
  }
}

/** Sprig's execDecimalOp: `first` op each of `rest`, in decimal, read back as a float64. */
export function decimalOp(op: Op, first: number, rest: number[]): number {
  let result = fromFloat(first);
  for (const value of rest) result = apply(op, result, fromFloat(value));
  return toFloat(result);
}
