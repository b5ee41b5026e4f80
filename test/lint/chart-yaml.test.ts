// Chart.yaml rules, table-driven: each case is a Chart.yaml text and the findings it must (and must not) give.
import { describe, expect, it } from 'vitest';
import { lintChartYaml } from '../../src/lint/chart-yaml.js';
import type { LintFinding } from '../../src/lint/types.js';

const base = 'apiVersion: v2\nname: demo\nversion: 1.2.3\nicon: https://example.com/i.png\n';
const summary = (findings: LintFinding[]) => findings.map((f) => `${f.severity}: ${f.message}`);

describe('lintChartYaml', () => {
  it('has nothing to say about a complete Chart.yaml', () => {
    expect(lintChartYaml(base).findings).toEqual([]);
  });

  const cases: Array<{ name: string; text: string | undefined; expected: RegExp[] }> = [
    { name: 'a missing Chart.yaml', text: undefined, expected: [/^error: file does not exist/] },
    { name: 'YAML that does not parse', text: 'name: a\n  b: c\n', expected: [/^error: unable to parse YAML/] },
    { name: 'a list instead of a map', text: '- a\n', expected: [/^error: expected a map/] },
    {
      name: 'a missing name',
      text: 'apiVersion: v2\nversion: 1.0.0\nicon: https://x.io/i.png\n',
      expected: [/^error: name is required$/],
    },
    {
      name: 'a name with a path separator',
      text: base.replace('name: demo', 'name: a/b'),
      expected: [/^error: chart name "a\/b" is invalid$/],
    },
    {
      name: 'a missing apiVersion',
      text: base.replace('apiVersion: v2\n', ''),
      expected: [/^error: apiVersion is required/],
    },
    {
      name: 'an unknown apiVersion',
      text: base.replace('v2', 'v3'),
      expected: [/^error: apiVersion 'v3' is not valid/],
    },
    {
      name: 'a missing version',
      text: base.replace('version: 1.2.3\n', ''),
      expected: [/^error: version is required$/],
    },
    {
      name: 'a version that is a number',
      text: base.replace('1.2.3', '1.0'),
      expected: [/^error: version should be of type string but it's of type float64/],
    },
    {
      name: 'a version that is not SemVer',
      text: base.replace('1.2.3', 'latest'),
      expected: [/^error: version 'latest' is not a valid SemVer$/],
    },
    {
      name: 'a v-prefixed version (warning only)',
      text: base.replace('1.2.3', 'v1.2.3'),
      expected: [/^warning: version 'v1.2.3' is not a valid SemVerV2$/],
    },
    {
      name: 'an appVersion that is a number',
      text: `${base}appVersion: 1.5\n`,
      expected: [/^error: appVersion should be of type string but it's of type float64/],
    },
    { name: 'no icon (info)', text: base.replace(/icon:.*\n/, ''), expected: [/^info: icon is recommended$/] },
    {
      name: 'an icon that is not a URL',
      text: base.replace('https://example.com/i.png', 'not a url'),
      expected: [/^error: invalid icon URL 'not a url'$/],
    },
    { name: 'an unknown type', text: `${base}type: service\n`, expected: [/^error: chart type 'service' is invalid/] },
    {
      name: 'a type in an apiVersion v1 chart',
      text: `${base.replace('v2', 'v1')}type: application\n`,
      expected: [/^error: chart type is not valid in apiVersion 'v1'/],
    },
    {
      name: 'a maintainer without a name',
      text: `${base}maintainers:\n  - email: a@b.io\n`,
      expected: [/^error: each maintainer requires a name/],
    },
    {
      name: 'a maintainer with a bad email and url',
      text: `${base}maintainers:\n  - name: Bob\n    email: nope\n    url: nope\n`,
      expected: [
        /^error: invalid email 'nope' for maintainer 'Bob'$/,
        /^error: invalid url 'nope' for maintainer 'Bob'$/,
      ],
    },
    {
      name: 'a source that is not a URL',
      text: `${base}sources: ["::bad"]\n`,
      expected: [/^error: invalid source URL '::bad'$/],
    },
    {
      name: 'a kubeVersion that is not a range',
      text: `${base}kubeVersion: "soon"\n`,
      expected: [/^error: kubeVersion 'soon' is not a valid SemVer range/],
    },
    {
      name: 'dependencies in an apiVersion v1 chart',
      text: `${base.replace('v2', 'v1')}dependencies:\n  - name: a\n`,
      expected: [/^error: dependencies are not valid in the Chart file with apiVersion 'v1'/],
    },
    {
      name: 'duplicate dependencies',
      text: `${base}dependencies:\n  - name: a\n  - name: a\n`,
      expected: [/^error: multiple dependencies with name or alias "a"$/],
    },
    {
      name: 'a bad alias and version range',
      text: `${base}dependencies:\n  - name: a\n    alias: "a b"\n    version: "!!"\n`,
      expected: [
        /^error: dependency "a" has an invalid alias/,
        /^error: dependency "a" has an invalid version range '!!'$/,
      ],
    },
  ];
  it.each(cases)('reports $name', ({ text, expected }) => {
    const found = summary(lintChartYaml(text).findings);
    for (const pattern of expected)
      expect(
        found.some((f) => pattern.test(f)),
        `${pattern} in ${JSON.stringify(found)}`,
      ).toBe(true);
    expect(found).toHaveLength(expected.length);
  });

  it('reports every problem of one file, not just the first, with the line of each key', () => {
    const text = 'apiVersion: v2\nname: x\nversion: 1.0\nappVersion: 2\ntype: service\nicon: nope\n';
    const findings = lintChartYaml(text).findings;
    expect(findings.map((f) => [f.severity, f.line])).toEqual([
      ['error', 3],
      ['error', 4],
      ['error', 6],
      ['error', 5],
    ]);
  });
});
