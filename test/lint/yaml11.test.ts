// The YAML 1.1 scan: plain scalars Helm reads as booleans or octal numbers, with their lines.
import fc from 'fast-check';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { lintValuesText } from '../../src/lint/values.js';
import { describeYaml11Scalar, findYaml11Scalars, mayHoldYaml11Scalars } from '../../src/lint/yaml11.js';

describe('findYaml11Scalars', () => {
  it('finds yes/no/on/off/y/n in every spelling, as values, list items and keys, with 1-based lines', () => {
    const text = [
      'a: yes',
      'b: Off',
      'c: "on"',
      "d: 'no'",
      'list:',
      '  - n',
      '  - Y',
      '  - ok',
      'on: 1',
      'e: true',
      'f: yesterday',
      '',
    ].join('\n');
    const hits = findYaml11Scalars(text).map((h) => [h.line, h.text, h.helmValue, h.isKey]);
    expect(hits).toEqual([
      [1, 'yes', true, false],
      [2, 'Off', false, false],
      [6, 'n', false, false],
      [7, 'Y', true, false],
      [9, 'on', true, true],
    ]);
  });

  it('finds octal-looking integers and says what each tool reads', () => {
    const hits = findYaml11Scalars('mode: 0755\nport: 8080\nzero: 0\nneg: -010\nhex: 0x1F\nnew: 0o755\nnine: 09\n');
    expect(hits.map((h) => [h.line, h.text, h.helmValue, h.yaml12Value])).toEqual([
      [1, '0755', 493, 755],
      [4, '-010', -8, -10],
    ]);
  });

  it('looks inside flow collections and every document, but not into quoted or block scalars or comments', () => {
    const text = 'a: [yes, "no", 010]\n# on: off\nb: |\n  yes\n---\nc: {d: off}\n';
    expect(findYaml11Scalars(text).map((h) => [h.line, h.text])).toEqual([
      [1, 'yes'],
      [1, '010'],
      [6, 'off'],
    ]);
  });

  it('gives nothing for text that does not parse (the parse error is reported elsewhere)', () => {
    expect(findYaml11Scalars('a: yes\n  b: c\n')).toEqual([]);
  });

  it('explains the difference and the fix', () => {
    const [bool, octal] = findYaml11Scalars('a: on\nb: 0644\n');
    expect(describeYaml11Scalar(bool!)).toMatch(
      /value on is the boolean true \(YAML 1\.1, as Helm and portolan read it\) but the string "on" to YAML 1\.2 tools; quote it/,
    );
    expect(describeYaml11Scalar(octal!)).toMatch(
      /0644 is 420 \(octal, YAML 1\.1, as Helm and portolan read it\) but the number 644 to YAML 1\.2 tools; write 0o644/,
    );
  });
});

describe('the quick pre-check', () => {
  it('never rules out a text the scan finds something in', () => {
    const layouts = [
      'a:  on',
      'a:\ton',
      '- [on,off]',
      '{a: on}',
      '? on\n: x',
      'on:',
      'a: on # why',
      'a: -010',
      'a: +07',
      'k:\n  - Y\n',
      'x: [a, b,n]',
      'x: {a: 1,b: NO}',
      '---\nOFF\n',
      'YES',
    ];
    for (const text of layouts) {
      expect(findYaml11Scalars(text).length, text).toBeGreaterThan(0);
      expect(mayHoldYaml11Scalars(text), text).toBe(true);
    }
  });

  it('agrees with the scan on generated YAML of every style (property)', () => {
    const word = fc.constantFrom(
      'yes',
      'No',
      'ON',
      'off',
      'y',
      'N',
      '0755',
      '-010',
      'ok',
      'value',
      '8080',
      'yesterday',
      'non',
      'x-y',
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        word,
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(word, tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, fc.integer({ min: -1, max: 3 }), (value, flowLevel) => {
        const text = yaml.dump(value, { flowLevel, schema: yaml.FAILSAFE_SCHEMA });
        if (findYaml11Scalars(text).length > 0) expect(mayHoldYaml11Scalars(text)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('lets JSON values and plain YAML without such scalars through with one parse, and still reports parse errors', () => {
    expect(mayHoldYaml11Scalars('{"a": "no", "b": [1, 2], "c": true}')).toBe(false);
    expect(lintValuesText('{"a": "no", "mode": "0755"}', 'values.yaml')).toEqual({ findings: [], parses: true });
    expect(lintValuesText('a: 1\nb:\n  - hello\n', 'values.yaml')).toEqual({ findings: [], parses: true });
    expect(lintValuesText('{"a": 1,\n  b: [\n', 'values.yaml')).toMatchObject({
      parses: false,
      findings: [{ severity: 'error', rule: 'values', line: 3 }],
    });
    expect(lintValuesText('a: 1\n  b: 2\n', 'values.yaml').parses).toBe(false);
  });
});
