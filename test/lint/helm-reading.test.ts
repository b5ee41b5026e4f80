// What Helm's loader reads without a word, lint says: keys given twice (Chart.yaml, values.yaml, -f files) and
// numbers or booleans Chart.yaml gives string fields, each with its file and line. helm lint 4.1.4 errors on a
// number in version/appVersion and warns on a duplicate Chart.yaml key; portolan does the same and more.
import { describe, expect, it } from 'vitest';
import { lintChartYaml } from '../../src/lint/chart-yaml.js';
import { lintChartFiles, readLintValues } from '../../src/lint/index.js';
import { lintValuesText } from '../../src/lint/values.js';
import { findDuplicateKeys } from '../../src/lint/yaml11.js';

const files = (entries: Record<string, string>) =>
  Object.entries(entries).map(([name, text]) => ({ name, data: Buffer.from(text) }));

describe('keys given twice', () => {
  it("finds each later occurrence with both lines, in nested and flow maps, and Helm's equal keys (on, true)", () => {
    const text = 'a: 1\nb:\n  c: 1\n  c: 2\na: 3\nf: {x: 1, x: 2}\nl:\n  - k: 1\n    k: 2\non: 1\ntrue: 2\n';
    expect(findDuplicateKeys(text)).toEqual([
      { line: 4, key: 'c', firstLine: 3 },
      { line: 5, key: 'a', firstLine: 1 },
      { line: 6, key: 'x', firstLine: 6 },
      { line: 9, key: 'k', firstLine: 8 },
      { line: 11, key: 'true', firstLine: 10 },
    ]);
  });

  it('does not count the same key in different maps, or merge keys', () => {
    expect(findDuplicateKeys('a:\n  x: 1\nb:\n  x: 1\nbase: &b {y: 1}\nc:\n  <<: *b\n  <<: *b\n---\na: 2\n')).toEqual(
      [],
    );
  });

  it('warns in values.yaml with the file and line, and the values still parse', () => {
    const { findings, parses } = lintValuesText('image:\n  tag: "1"\n  tag: "2"\n', 'values.yaml');
    expect(parses).toBe(true);
    expect(findings).toEqual([
      {
        severity: 'warning',
        rule: 'duplicate-key',
        file: 'values.yaml',
        line: 3,
        message: 'key "tag" is given again (first on line 2); Helm keeps this last value and drops the earlier one',
      },
    ]);
  });

  it('warns in Chart.yaml too (helm lint: "key \\"name\\" already set in map")', () => {
    const findings = lintChartYaml(
      'apiVersion: v2\nname: a\nversion: 1.0.0\nname: b\nicon: https://x.example/i.png\n',
    ).findings;
    expect(findings).toEqual([
      {
        severity: 'warning',
        rule: 'duplicate-key',
        file: 'Chart.yaml',
        line: 4,
        message: 'key "name" is given again (first on line 2); Helm keeps this last value and drops the earlier one',
      },
    ]);
  });

  it("warns about a -f file's duplicate keys in a chart lint", async () => {
    const values = await readLintValues(
      { valueFiles: ['prod.yaml'], set: [], setString: [], setJson: [], setFile: [], setLiteral: [] },
      { readFile: async () => 'a: 1\na: 2\n', readStdin: async () => '' },
    );
    const report = await lintChartFiles(
      files({
        'Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1.0.0\nicon: https://x.example/i.png\n',
        'values.yaml': 'a: 0\n',
        'templates/cm.yaml': 'x: 1\n',
      }),
      'c',
      { values },
    );
    expect(report.findings.filter((f) => f.rule === 'duplicate-key')).toEqual([
      {
        severity: 'warning',
        rule: 'duplicate-key',
        file: 'prod.yaml',
        line: 2,
        message: 'key "a" is given again (first on line 1); Helm keeps this last value and drops the earlier one',
      },
    ]);
  });
});

describe('Chart.yaml scalars Helm turns into strings', () => {
  it('warns, with the line, about each number or boolean in a string field other than version and appVersion', () => {
    const text =
      'apiVersion: v2\nname: c\nversion: 1.0.0\ndescription: 1.10\nkeywords: [yes, web]\nannotations:\n  count: 3\nicon: https://x.example/i.png\n';
    expect(lintChartYaml(text).findings).toEqual([
      {
        severity: 'warning',
        rule: 'chart-yaml',
        file: 'Chart.yaml',
        line: 7,
        message:
          'annotations.count is the integer 3, which Helm reads as the string "3"; quote it to write the string you mean',
      },
      {
        severity: 'warning',
        rule: 'chart-yaml',
        file: 'Chart.yaml',
        line: 4,
        message:
          'description is the number 1.1, which Helm reads as the string "1.1"; quote it to write the string you mean',
      },
      {
        severity: 'warning',
        rule: 'chart-yaml',
        file: 'Chart.yaml',
        line: 5,
        message:
          'keywords[0] is the boolean true, which Helm reads as the string "true"; quote it to write the string you mean',
      },
    ]);
  });

  it("keeps helm lint's errors for a number in version or appVersion", () => {
    const messages = lintChartYaml(
      'apiVersion: v2\nname: c\nversion: 1.10\nappVersion: 1.0\nicon: https://x.example/i.png\n',
    ).findings.map((f) => `${f.severity} ${f.message}`);
    expect(messages).toContain(
      'error version should be of type string but it\'s of type float64 (quote it: version: "1.10")',
    );
    expect(messages).toContain(
      'error appVersion should be of type string but it\'s of type float64 (quote it: appVersion: "1.0")',
    );
  });

  it('reports what the loader refuses (.inf) as an error with its line', () => {
    expect(
      lintChartYaml('apiVersion: v2\nname: c\nversion: 1.0.0\ndescription: .inf\nicon: https://x.example/i.png\n')
        .findings,
    ).toEqual([
      {
        severity: 'error',
        rule: 'chart-yaml',
        file: 'Chart.yaml',
        line: 4,
        message: 'description is +Inf, which Helm cannot read (json: unsupported value: +Inf)',
      },
    ]);
  });
});
