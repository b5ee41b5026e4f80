// The semantics a converted chart keeps: `portolan convert` writes portolan.dev/template-semantics into Chart.yaml,
// and the engine renders a marked chart with the semantics its templates were written for, whatever their syntax.
import { describe, expect, it } from 'vitest';
import type { ChartFile } from '../../src/chart/types.js';
import { convertChartFiles, withAnnotation } from '../../src/convert/index.js';
import { renderChart } from '../../src/render/index.js';
import { prepareChart } from '../../src/values/index.js';
import { chartFrom, userValues } from '../helpers/charts.js';

const chartYaml = (annotations = '') => `apiVersion: v2\nname: demo\nversion: 1.0.0\n${annotations}`;

async function notes(template: string, chartYamlText: string, values = 'big: 1000000\nword: "né"\n') {
  const chart = chartFrom({ 'Chart.yaml': chartYamlText, 'values.yaml': values, 'templates/NOTES.txt': template });
  const prepared = prepareChart(chart, await userValues({}));
  return renderChart(prepared.chart, prepared.values, { releaseName: 'rel' }).notes;
}

const probe = [
  '{{#if true}}{{/if}}{{ Release.Service }}',
  '{{ Values.big }}',
  '{{ len Values.word }}',
  '{{ mul 1000 1000 }}',
  '{{ Capabilities.APIVersions.Has "policy/v1beta1" }}',
  '{{#each (list "a" "b") as |v i|}}{{ printf "%d" i }}{{/each}}',
].join('|');

describe('a chart marked portolan.dev/template-semantics', () => {
  it('renders a handlebars chart marked helm as helm renders Go templates: service, numbers, len, APIVersions', async () => {
    expect(await notes(probe, chartYaml('annotations:\n  portolan.dev/template-semantics: helm\n'))).toBe(
      'Helm|1e+06|3|1000000|true|01',
    );
    // Unmarked, the same handlebars chart keeps portolan's own semantics.
    expect(await notes(probe.replace('{{ printf "%d" i }}', '{{ i }}'), chartYaml())).toBe(
      'portolan|1000000|2|1000000|false|01',
    );
  });

  it('renders a Go chart marked portolan with portolan context and printing', async () => {
    const go = '{{ if true }}{{ end }}{{ .Release.Service }}|{{ .Values.big }}|{{ len .Values.word }}';
    expect(await notes(go, chartYaml())).toBe('Helm|1e+06|3');
    expect(await notes(go, chartYaml('annotations:\n  portolan.dev/template-semantics: portolan\n'))).toBe(
      'portolan|1000000|2',
    );
  });
});

const files = (entries: Record<string, string>): ChartFile[] =>
  Object.entries(entries).map(([name, text]) => ({ name, data: Buffer.from(text) }));
const text = (result: { files: ChartFile[] }, name: string) =>
  result.files.find((f) => f.name === name)?.data.toString('utf8');

describe('convert marks the charts it converts', () => {
  const goChart = files({
    'Chart.yaml': chartYaml('# the demo chart\n'),
    'templates/cm.yaml': 'name: {{ .Release.Name }}\n{{- if .Values.x }}\nx: 1\n{{- end }}\n',
    'charts/sub/Chart.yaml': chartYaml('annotations:\n  team: a\n'),
    'charts/sub/templates/a.yaml': '{{ if .Values.y }}y{{ end }}\n',
  });

  it('go → handlebars marks each converted chart helm, and back to go removes the mark', () => {
    const hbs = convertChartFiles(goChart, 'handlebars');
    expect(text(hbs, 'Chart.yaml')).toBe(
      `${chartYaml('# the demo chart\n')}annotations:\n  portolan.dev/template-semantics: helm\n`,
    );
    expect(text(hbs, 'charts/sub/Chart.yaml')).toBe(
      chartYaml('annotations:\n  portolan.dev/template-semantics: helm\n  team: a\n'),
    );
    const back = convertChartFiles(hbs.files, 'go');
    expect(text(back, 'Chart.yaml')).toBe(chartYaml('# the demo chart\n'));
    expect(text(back, 'charts/sub/Chart.yaml')).toBe(chartYaml('annotations:\n  team: a\n'));
  });

  it('handlebars → go marks the chart portolan', () => {
    const go = convertChartFiles(files({ 'Chart.yaml': chartYaml(), 'templates/a.yaml': '{{#if x}}a{{/if}}\n' }), 'go');
    expect(text(go, 'Chart.yaml')).toBe(`${chartYaml()}annotations:\n  portolan.dev/template-semantics: portolan\n`);
  });

  it.each([
    ['name: a\n', 'helm', 'name: a\nannotations:\n  portolan.dev/template-semantics: helm\n'],
    ['name: a', 'helm', 'name: a\nannotations:\n  portolan.dev/template-semantics: helm\n'],
    [
      'annotations:\n    # why\n    a: b\nname: a\n',
      'helm',
      'annotations:\n    portolan.dev/template-semantics: helm\n    # why\n    a: b\nname: a\n',
    ],
    ['annotations:\n  portolan.dev/template-semantics: helm\nname: a\n', undefined, 'name: a\n'],
    [
      'annotations:\n  portolan.dev/template-semantics: helm\n  a: b\n',
      'portolan',
      'annotations:\n  portolan.dev/template-semantics: portolan\n  a: b\n',
    ],
    [
      'annotations: {a: b}\nname: a\n',
      'helm',
      'annotations:\n  a: b\n  portolan.dev/template-semantics: helm\nname: a\n',
    ],
    ['name: a\n', undefined, 'name: a\n'],
  ] as const)('sets the annotation in %j to %s', (before, value, after) => {
    expect(withAnnotation(before, value)).toBe(after);
  });
});
