// Helm 2 (apiVersion v1) charts load as Helm 4.1.4 loads them: a missing apiVersion is v1, requirements.yaml holds the
// dependencies (conditions, tags, aliases, import-values work as Chart.yaml's) and requirements.lock the lock; and
// Chart.yaml's scalars read as Helm reads them. Expectations come from helm 4.1.4 runs on the same charts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChartFiles } from '../../src/chart/load.js';
import { parseChartYaml } from '../../src/chart/metadata.js';
import type { Chart } from '../../src/chart/types.js';
import { PortolanError } from '../../src/errors.js';
import { indexDirectory, writeIndexFile } from '../../src/repo/index-dir.js';
import { renderChart } from '../../src/render/index.js';
import { prepareChart } from '../../src/values/index.js';
import { userValues } from '../helpers/charts.js';
import { makeTgz } from '../helpers/tar.js';
import { tempDir } from '../repo/helpers.js';

const REQUIREMENTS = `dependencies:
  - name: sub
    version: 0.1.0
    repository: https://example.com/charts
    condition: sub.enabled
    tags: [back]
    import-values:
      - child: data
        parent: imported
  - name: other
    version: ~0.2.0
    repository: "@stable"
    alias: renamed
`;

/** A v1 chart (no apiVersion at all) whose dependencies are in requirements.yaml; templates in handlebars syntax. */
const V1_CHART: Record<string, string> = {
  'Chart.yaml': 'name: v1\nversion: 1.0.0\n',
  'requirements.yaml': REQUIREMENTS,
  'requirements.lock':
    'dependencies:\n- name: sub\n  repository: https://example.com/charts\n  version: 0.1.0\ndigest: sha256:abc\ngenerated: "2020-01-01T00:00:00Z"\n',
  'values.yaml': 'sub:\n  enabled: false\n',
  'templates/p.yaml': 'p: {{ toJson Values.imported | quote }}\nf: {{ len (Files.Get "requirements.yaml") }}\n',
  'charts/sub/Chart.yaml': 'apiVersion: v1\nname: sub\nversion: 0.1.0\n',
  'charts/sub/values.yaml': 'data:\n  x: 1\n',
  'charts/sub/templates/s.yaml': 'sub: here\n',
  'charts/other/Chart.yaml': 'apiVersion: v1\nname: other\nversion: 0.2.1\n',
  'charts/other/templates/o.yaml': 'other: {{ Chart.Name }}\n',
};

function load(files: Record<string, string>, name = 'v1'): Chart {
  return loadChartFiles(
    Object.entries(files).map(([file, text]) => ({ name: file, data: Buffer.from(text) })),
    name,
  );
}

async function render(files: Record<string, string>, set: string[] = []): Promise<string[]> {
  const prepared = prepareChart(load(files), await userValues({ set }));
  return renderChart(prepared.chart, prepared.values, { releaseName: 'rel', namespace: 'ns' }).manifests.map(
    (d) => d.text,
  );
}

describe('apiVersion v1 charts', () => {
  it('reads a chart without apiVersion as v1, as Helm 2 charts were written', () => {
    expect(load(V1_CHART).metadata.apiVersion).toBe('v1');
    expect(parseChartYaml('name: x\nversion: 1.0.0\n', 'x/Chart.yaml').apiVersion).toBe('v1');
  });

  it('takes dependencies from requirements.yaml and the lock from requirements.lock', () => {
    const chart = load(V1_CHART);
    expect(chart.metadata.dependencies).toEqual([
      {
        name: 'sub',
        version: '0.1.0',
        repository: 'https://example.com/charts',
        condition: 'sub.enabled',
        tags: ['back'],
        'import-values': [{ child: 'data', parent: 'imported' }],
      },
      { name: 'other', version: '~0.2.0', repository: '@stable', alias: 'renamed' },
    ]);
    expect(chart.lock?.digest).toBe('sha256:abc');
    // A v1 chart keeps both files among its files, as Helm's loader does (.Files.Get "requirements.yaml" works).
    expect(chart.files.map((f) => f.name)).toEqual(['requirements.lock', 'requirements.yaml']);
  });

  it('does not render a subchart its requirements.yaml condition disables, and applies the alias', async () => {
    const docs = await render(V1_CHART);
    expect(docs).toEqual(['other: renamed', `p: "null"\nf: ${REQUIREMENTS.length}`]);
  });

  it('renders the subchart once the condition is true, with its import-values pulled up', async () => {
    expect(await render(V1_CHART, ['sub.enabled=true'])).toEqual([
      'other: renamed',
      'sub: here',
      `p: "{\\"x\\":1}"\nf: ${REQUIREMENTS.length}`,
    ]);
  });

  it('disables by requirements.yaml tags when no condition decides', async () => {
    expect(await render(V1_CHART, ['tags.back=false', 'sub.enabled=null'])).toEqual([
      'other: renamed',
      `p: "null"\nf: ${REQUIREMENTS.length}`,
    ]);
  });

  it("reads requirements.yaml over a v2 chart's dependencies too, but keeps it out of the v2 chart's files", () => {
    const chart = load({
      ...V1_CHART,
      'Chart.yaml': 'apiVersion: v2\nname: v1\nversion: 1.0.0\ndependencies:\n  - name: gone\n    version: 1.0.0\n',
    });
    expect(chart.metadata.dependencies?.map((d) => d.alias ?? d.name)).toEqual(['sub', 'renamed']);
    expect(chart.files.map((f) => f.name)).toEqual([]);
  });

  it('refuses a requirements.yaml whose alias Helm refuses, naming the file', () => {
    const error = (() => {
      try {
        load({ ...V1_CHART, 'requirements.yaml': 'dependencies:\n  - name: sub\n    alias: "no good"\n' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PortolanError);
    expect((error as PortolanError).message).toMatch(
      /v1\/Chart\.yaml \(with requirements\.yaml\): invalid chart metadata: dependencies\[0\]\.alias "no good"/,
    );
  });

  it("lists a v1 chart's requirements.yaml dependencies in `repo index`, as helm repo index does", async () => {
    const dir = tempDir();
    const entries = Object.entries(V1_CHART)
      .filter(([name]) => !name.startsWith('charts/'))
      .map(([name, text]) => ({ name: `v1/${name}`, data: Buffer.from(text) }));
    writeFileSync(join(dir, 'v1-1.0.0.tgz'), makeTgz(entries));
    const result = await indexDirectory(dir, { now: new Date('2024-01-01T00:00:00Z'), useCache: false });
    const [entry] = result.index.entries.v1 ?? [];
    expect(entry?.apiVersion).toBe('v1');
    expect(entry?.dependencies).toEqual([
      {
        name: 'sub',
        version: '0.1.0',
        repository: 'https://example.com/charts',
        condition: 'sub.enabled',
        tags: ['back'],
        'import-values': [{ child: 'data', parent: 'imported' }],
      },
      { name: 'other', version: '~0.2.0', repository: '@stable', alias: 'renamed' },
    ]);
    await writeIndexFile(dir, result);
    const text = readFileSync(join(dir, 'index.yaml'), 'utf8');
    // helm 4.1.4's index.yaml for the same archive lists the dependencies in this form.
    expect(text).toContain(
      [
        '    dependencies:',
        '    - condition: sub.enabled',
        '      import-values:',
        '      - child: data',
        '        parent: imported',
        '      name: sub',
        '      repository: https://example.com/charts',
        '      tags:',
        '      - back',
        '      version: 0.1.0',
        '    - alias: renamed',
        '      name: other',
        "      repository: '@stable'",
        '      version: ~0.2.0',
      ].join('\n'),
    );
  });
});

describe('Chart.yaml scalars, as Helm reads them into string fields', () => {
  // helm template of a chart printing {{ .Chart.AppVersion }} and {{ .Chart.Version }}, helm 4.1.4.
  it.each([
    ['1.10', '1.1'],
    ['3', '3'],
    ['1.0', '1'],
    ['true', 'true'],
    ['yes', 'true'],
    ['0755', '493'],
    ['1e3', '1000'],
    ['1_000', '1000'],
    ['0x1F', '31'],
    ['1:20', '1:20'],
    ['2001-12-14', '2001-12-14'],
    ['~', ''],
    ['12345678901234567890', '12345678901234567890'],
    ['1.23456789012', '1.2345679'],
    ['1e21', '1e+21'],
    ['1e-7', '1e-07'],
    ['123456789.0', '1.2345679e+08'],
    ['16777217.0', '1.6777216e+07'],
    ['100000000000000000000000', '1e+23'],
    ['-0.0', '-0'],
    ['0o17', '15'],
    ['0b101', '5'],
  ])('appVersion: %s reads as %s', (written, expected) => {
    const meta = parseChartYaml(
      `apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: ${written}\ndescription: ${written}\n`,
      'c/Chart.yaml',
    );
    expect([meta.appVersion ?? '', meta.description ?? '']).toEqual([expected, expected]);
  });

  it.each([
    ['1.10', '1.1'],
    ['1', '1'],
    ['1.0', '1'],
    ['2.5', '2.5'],
  ])('version: %s reads as %s (a version Helm accepts)', (written, expected) => {
    expect(parseChartYaml(`apiVersion: v2\nname: c\nversion: ${written}\n`, 'c/Chart.yaml').version).toBe(expected);
  });

  it('keeps the last value of a key given twice, as Helm does', () => {
    expect(parseChartYaml('apiVersion: v2\nname: first\nversion: 1.0.0\nname: second\n', 'c/Chart.yaml').name).toBe(
      'second',
    );
  });

  it("matches field names case-insensitively and drops unknown fields, as Go's JSON decoding does", () => {
    const meta = parseChartYaml(
      'apiVersion: v2\nName: c\nversion: 1.0.0\nAppVersion: "2"\nunknown: x\nannotations:\n  a: 1\n',
      'c/Chart.yaml',
    );
    expect(meta).toEqual({ apiVersion: 'v2', name: 'c', version: '1.0.0', appVersion: '2', annotations: { a: '1' } });
  });

  it('refuses .inf as Helm does (JSON has no infinity), naming the file and line', () => {
    expect(() => parseChartYaml('apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: .inf\n', 'c/Chart.yaml')).toThrow(
      /^c\/Chart\.yaml:4: appVersion is \+Inf, which Helm cannot read \(json: unsupported value: \+Inf\)/,
    );
  });

  it('refuses a map where Helm wants a string', () => {
    expect(() =>
      parseChartYaml('apiVersion: v2\nname: c\nversion: 1.0.0\ndescription: {a: 1}\n', 'c/Chart.yaml'),
    ).toThrow(/description must be a string, found a map/);
  });
});
