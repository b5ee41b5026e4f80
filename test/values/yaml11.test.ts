// Values files read as Helm 4.1.4 reads them (sigs.k8s.io/yaml over go-yaml v2). Every expectation was taken from
// `helm template` of a chart whose template is `{{ toJson .Values }}`, with the same values file.
import { describe, expect, it } from 'vitest';
import { PortolanError } from '../../src/errors.js';
import { parseValuesYaml } from '../../src/values/index.js';

function read(text: string): unknown {
  return parseValuesYaml(text, 'values.yaml');
}

function failure(text: string): PortolanError {
  try {
    read(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PortolanError);
    return error as PortolanError;
  }
  throw new Error('expected the values file to be refused');
}

describe('YAML 1.1 scalars as go-yaml v2 resolves them', () => {
  it.each([
    // Booleans: exactly these spellings; other mixed cases stay strings.
    ['[y, Y, yes, Yes, YES, on, On, ON, true, True, TRUE]', Array(11).fill(true)],
    ['[n, N, no, No, NO, off, Off, OFF, false, False, FALSE]', Array(11).fill(false)],
    ['[yEs, oN, tRUE, nO, oFF]', ['yEs', 'oN', 'tRUE', 'nO', 'oFF']],
    // Nulls, and what only looks like one.
    ["[~, null, Null, NULL, nULL, '']", [null, null, null, null, 'nULL', '']],
    // Integers: octal with a leading 0, 0x/0o/0b prefixes in either case, signs, underscores anywhere.
    [
      '[0755, 0x1F, 0X1f, -0x1F, +0x1F, 0o17, 0O17, 0b101, -0b101, 1_000, 1__0, 0_7, 010]',
      [493, 31, 31, -31, 31, 15, 15, 5, -5, 1000, 10, 7, 8],
    ],
    // Not octal after all: a float.
    ['[08, 09.5]', [8, 9.5]],
    // Floats.
    [
      '[1e3, 1E3, 1., .5, -.5, +1, +12.5, 1.0, 1e21, 123456789.0, 0.1, 1e-7]',
      [1000, 1000, 1, 0.5, -0.5, 1, 12.5, 1, 1e21, 123456789, 0.1, 1e-7],
    ],
    // Integers past 2^53 become float64s in Helm, as they are JavaScript numbers here.
    [
      '[12345678901234567890, 100000000000000000000000, 9007199254740993]',
      [12345678901234567000, 1e23, 9007199254740992],
    ],
    // Sexagesimal numbers are strings in go-yaml, and so are timestamps (decoded into interface{}).
    ['[1:20, 190:20:30]', ['1:20', '190:20:30']],
    [
      '[2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10 -5, 2001-12-14T21:59:43Z, 2001-1-2]',
      ['2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2001-12-14T21:59:43Z', '2001-1-2'],
    ],
    // Almost numbers.
    [
      '[0x, 0xG, 1.2.3, 1e, e3, .e3, ._5, 0b, 0b2, 12e, "0755", \'1e3\']',
      ['0x', '0xG', '1.2.3', '1e', 'e3', '.e3', '._5', '0b', '0b2', '12e', '0755', '1e3'],
    ],
  ])('a: %s', (list, expected) => {
    expect(read(`a: ${list}\n`)).toEqual({ a: expected });
  });

  it('keeps the sign of a float zero only', () => {
    const { a } = read('a: [-0, -0.0]\n') as { a: number[] };
    expect(Object.is(a[0], 0)).toBe(true);
    expect(Object.is(a[1], -0)).toBe(true);
  });

  it('reads an empty value as null', () => {
    expect(read('e:\n')).toEqual({ e: null });
  });

  it('reads tags as go-yaml does: !!binary decoded, !!timestamp as written, !!set a map of nulls, unknown tags plain', () => {
    expect(
      read(
        'a: !!binary aGVsbG8=\nb: !!float 3\nc: !!str 3\nd: !!int "3"\ne: !!timestamp 2001-12-14\nf: !!set {x}\ng: !custom 1\nh: !!int 0x1F\n',
      ),
    ).toEqual({
      a: 'hello',
      b: 3,
      c: '3',
      d: 3,
      e: '2001-12-14',
      f: { x: null },
      g: '1',
      h: 31,
    });
  });
});

describe('keys as sigs.k8s.io/yaml makes them strings', () => {
  it('writes boolean, integer and float keys as Go does, the last of equal keys winning', () => {
    const text =
      'keys:\n  on: a\n  off: b\n  yes: c\n  1: d\n  0755: e\n  1.5: f\n  0x10: h\n  123456789.0: i\n  0.1: j\n  1e6: k\n  true: l2\n';
    expect(read(text)).toEqual({
      keys: {
        '0.1': 'j',
        '1': 'd',
        '1.2345679e+08': 'i',
        '1.5': 'f',
        '16': 'h',
        '1e+06': 'k',
        '493': 'e',
        false: 'b',
        true: 'l2',
      },
    });
  });

  it('keeps the last value of a key given twice, replacing a map whole', () => {
    expect(read('a: 1\na: 2\n')).toEqual({ a: 2 });
    expect(read('a:\n  b: 1\na:\n  c: 2\n')).toEqual({ a: { c: 2 } });
  });

  it('reads aliases and merge keys', () => {
    expect(read('a: &x 1\nb: *x\nbase: &m {p: 1}\nc:\n  <<: *m\n  q: 2\n')).toEqual({
      a: 1,
      b: 1,
      base: { p: 1 },
      c: { p: 1, q: 2 },
    });
  });
});

describe('what Helm refuses', () => {
  // helm: "cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: json: unsupported
  // value: +Inf"
  it.each([
    ['a: .inf\n', 1, /values\.yaml:1: a is \+Inf, which Helm cannot read \(json: unsupported value: \+Inf\)/],
    [
      'x: 1\na: [1, -.Inf]\n',
      2,
      /values\.yaml:2: a\[1\] is -Inf, which Helm cannot read \(json: unsupported value: -Inf\)/,
    ],
    ['a:\n  b: .nan\n', 2, /values\.yaml:2: a\.b is NaN, which Helm cannot read \(json: unsupported value: NaN\)/],
  ])('refuses %j naming the line', (text, line, message) => {
    const error = failure(text);
    expect(error.message).toMatch(message);
    expect(error.line).toBe(line);
    expect(error.hint).toMatch(/quote it/);
  });

  // helm: "error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>, value: 1"
  it.each([
    ['~: 1\n', 1, /values\.yaml:1: a null map key, which Helm cannot read \(unsupported map key of type <nil>\)/],
    ['x: 1\na:\n  null: 1\n', 3, /values\.yaml:3: a null map key under a, which Helm cannot read/],
  ])('refuses the null key in %j naming the line', (text, line, message) => {
    const error = failure(text);
    expect(error.message).toMatch(message);
    expect(error.line).toBe(line);
  });

  it('refuses a map used as a key (helm: yaml: invalid map key)', () => {
    expect(failure('{a: 1}: x\n').message).toMatch(/a map used as a map key, which Helm cannot read/);
  });

  it('still reads a quoted "null", ".inf" or 1e6 key as the string written', () => {
    expect(read('"null": 1\n".inf": 2\n"1000000": 3\nv: ".inf"\n')).toEqual({
      null: 1,
      '.inf': 2,
      '1000000': 3,
      v: '.inf',
    });
  });
});
