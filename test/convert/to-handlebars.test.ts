// `portolan convert --to handlebars`: Go templates rewritten in portolan's handlebars dialect, rendering as the real
// helm renders the originals; and round trips between the dialects.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChartFile } from '../../src/chart/types.js';
import { convertChartFiles } from '../../src/convert/index.js';
import { goToHandlebars } from '../../src/convert/to-handlebars.js';
import { loadChartFiles } from '../../src/chart/load.js';
import { renderChart } from '../../src/render/index.js';
import { prepareChart } from '../../src/values/index.js';
import { userValues } from '../helpers/charts.js';
import { helm, projectRoot } from '../helpers/peers.js';
import { portolan } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'portolan-convert-hbs-'));

/** portolan in this process, in the work folder. */
const cli = (args: string[]) => portolan(args, { cwd: work });

describe('Go templates as handlebars', () => {
  it.each([
    ['{{ .Values.name | upper }}', '{{.Values.name | upper}}'],
    ['{{ include "x" . | nindent 4 }}', '{{include "x" . | nindent 4}}'],
    [
      '{{ if eq .Values.a "b" }}x{{ else if .Values.c }}y{{ else }}z{{ end }}',
      '{{#if (eq .Values.a "b")}}x{{else if .Values.c}}y{{else}}z{{/if}}',
    ],
    [
      '{{ range $i, $v := .Values.list }}{{ $i }}={{ $v.name }}{{ end }}',
      '{{#each .Values.list as |v i|}}{{i}}={{v.name}}{{/each}}',
    ],
    ['{{ range 3 }}{{ . }}{{ end }}', '{{#each (until 3)}}{{.}}{{/each}}'],
    ['{{ with $x := .Values.a }}{{ $x }}{{ end }}', '{{#with .Values.a as |x|}}{{x}}{{/with}}'],
    ['{{ define "x" }}{{ $.Values.a }}{{ end }}', '{{#define "x"}}{{$.Values.a}}{{/define}}'],
    ['{{ $name := include "x" . }}{{ $name | quote }}', '{{!-- $name := include "x" . --}}{{(include "x" .) | quote}}'],
    ['{{/* a note */}}x', '{{!-- a note --}}x'],
    ['data:\n  {{- if .Values.a }}\n  a: 1\n  {{- end }}\n', 'data:\n  {{#if .Values.a}}\n  a: 1\n  {{/if}}\n'],
    // A variable set where . is $ reads $ where it is written out inside a range or with (the test failed before:
    // `$g.Release.Name` became `..Release.Name`, read from each item).
    [
      '{{ $g := . }}{{ range .Values.l }}{{ $g.Release.Name }}{{ end }}',
      '{{!-- $g := . --}}{{#each .Values.l}}{{$.Release.Name}}{{/each}}',
    ],
    [
      '{{ $n := default 1 .Values.n | int }}{{ range until $n }}{{ $n }}{{ end }}',
      '{{!-- $n := default 1 .Values.n | int --}}{{#each (until (default 1 .Values.n | int))}}{{(default 1 $.Values.n | int)}}{{/each}}',
    ],
    [
      '{{ range $i, $e := .Values.l }}{{ $x := $e.name }}{{ with .sub }}{{ $x }}{{ end }}{{ end }}',
      '{{#each .Values.l as |e i|}}{{!-- $x := e.name --}}{{#with .sub}}{{e.name}}{{/with}}{{/each}}',
    ],
    // A Go tag alone on its line without `-` prints the line's white space; handlebars would drop the line, so a
    // comment keeps it (such templates were reported before).
    [
      'a:\n  {{ if .Values.x }}\n  b: 1\n  {{ end }}\n  c: 2\n',
      'a:\n  {{#if .Values.x}}{{! keep line }}\n  b: 1\n  {{/if}}{{! keep line }}\n  c: 2\n',
    ],
    // Handlebars has no float constant 1.0 or 1e6 (the printing fixture printed 1000000 for 1e6 before).
    ['{{ 1e6 }} {{ 2.5 }} {{ 3 }}', '{{(float64 "1e6")}} {{2.5}} {{3}}'],
    // A value made anew each time may be written out where it is used once; words in strings are not calls (both
    // were reported before).
    ['{{ $p := randAlphaNum 8 }}{{ $p | b64enc }}', '{{!-- $p := randAlphaNum 8 --}}{{(randAlphaNum 8) | b64enc}}'],
    [
      '{{ $l := include "x.labels.set" . }}{{ $l }}',
      '{{!-- $l := include "x.labels.set" . --}}{{(include "x.labels.set" .)}}',
    ],
  ])('%s', (go, hbs) => {
    const result = goToHandlebars(go, 't.yaml');
    expect(result.problems).toEqual([]);
    expect(result.text).toBe(hbs);
  });

  it.each([
    ['{{ range .Values.l }}{{ break }}{{ end }}', '{{ break }} has no handlebars equivalent'],
    ['{{ html "<" }}', 'the Go builtin html has no handlebars equivalent'],
    ['{{ $x := 1 }}{{ $x = 2 }}{{ $x }}', '$x is assigned again: handlebars has no variables'],
    [
      '{{ $d := dict }}{{ $_ := set $d "a" 1 }}',
      '$_ := set … changes a value in place: handlebars has no variables to hold it',
    ],
    [
      '{{ $p := randAlphaNum 8 }}{{ $p }}{{ $p }}',
      '$p holds a value that changes each time it is made, used more than once: handlebars has no variables',
    ],
    [
      '{{ $p := randAlphaNum 8 }}{{ range .Values.l }}{{ $p }}{{ end }}',
      '$p holds a value that changes each time it is made, used more than once: handlebars has no variables',
    ],
    [
      '{{ range .Values.l }}{{ $x := .name }}{{ with .sub }}{{ $x }}{{ end }}{{ end }}',
      '$x reads the . of an outer block, which handlebars cannot reach here',
    ],
  ])('reports %s', (go, message) => {
    expect(goToHandlebars(go, 't.yaml').problems.map((p) => p.message)).toContain(message);
  });
});

/** A Go chart's templates and values, rendered as they are and converted to handlebars: the two outputs. */
async function bothRenders(templates: Record<string, string>, values = ''): Promise<[string, string]> {
  const files: ChartFile[] = Object.entries({
    'Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 1.0.0\n',
    'values.yaml': values,
    ...templates,
  }).map(([name, text]) => ({ name, data: Buffer.from(text) }));
  const converted = convertChartFiles(files, 'handlebars');
  const render = async (chartFiles: ChartFile[]) => {
    const prepared = prepareChart(loadChartFiles(chartFiles, 'demo'), await userValues({}));
    const result = renderChart(prepared.chart, prepared.values, { releaseName: 'rel' });
    return result.manifests.map((m) => m.text).join('---\n');
  };
  return [await render(files), await render(converted.files)];
}

describe('converted templates render as the Go originals', () => {
  it.each([
    [
      // A define's body that starts with a newline keeps it (handlebars drops the line after a standalone tag; the
      // test failed before: `labels:     app: a`, YAML that does not parse).
      'a define whose body starts with a newline',
      {
        'templates/_helpers.tpl':
          '{{- define "n" -}}\n{{- .Chart.Name -}}\n{{- end -}}\n\n{{/* labels */}}\n{{- define "l" }}\napp: a\n{{- if .Values.x }}\nx: 1\n{{- end }}\n{{- end }}\n',
        'templates/cm.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {{ include "l" . | indent 4 }}\n',
      },
      'x: true\n',
    ],
    [
      'printf %d of a range index, and numbers printed as Go prints float64s',
      {
        'templates/cm.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  big: "{{ .Values.big }}"\n{{- range $i, $e := until 2 }}\n  k{{ $i }}: {{ printf "%d-%s" $i $.Release.Service | quote }}\n{{- end }}\n',
      },
      'big: 1000000\n',
    ],
    [
      'tags alone on their lines inside a block scalar, where the white space they print is data',
      {
        'templates/cm.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  conf: |\n    x\n    {{ if .Values.x }}\n    y\n    {{ else }}\n    n\n    {{ end }}\n    z\n',
      },
      'x: true\n',
    ],
  ])('%s', async (_name, templates, values) => {
    const [go, hbs] = await bothRenders(templates, values);
    expect(hbs).toBe(go);
  });
});

describe('portolan convert --to handlebars', () => {
  it.each(['basics', 'control', 'scoping', 'defines', 'sprig', 'umbrella', 'printing', 'objects'])(
    'renders the %s chart byte for byte as helm renders the Go original (templates Go cannot leave copied with --allow-partial)',
    async (name) => {
      const original = join(projectRoot, 'test/fixtures/go-charts', name);
      const out = join(work, `${name}-hbs`);
      const converted = await cli(['convert', original, '--to', 'handlebars', '--output-dir', out, '--allow-partial']);
      expect(converted.code, converted.stderr).toBe(0);
      expect(Number(/Converted (\d+)/.exec(converted.stdout)?.[1])).toBeGreaterThan(0);
      const theirs = await helm(['template', 'rel', original, '--namespace', 'ns']);
      const ours = await cli(['template', 'rel', out, '--namespace', 'ns']);
      expect(ours.code, ours.stderr).toBe(0);
      // The converted chart keeps Helm's semantics (portolan.dev/template-semantics: helm): managed-by Helm too.
      expect(ours.stdout).toBe(theirs.stdout);
    },
  );

  it('round-trips: go → handlebars → go and handlebars → go → handlebars render the same', async () => {
    const render = async (chart: string) =>
      (await cli(['template', 'rel', chart, '--namespace', 'ns'])).stdout.replaceAll(
        'managed-by: Helm',
        'managed-by: portolan',
      );
    const go = join(projectRoot, 'test/fixtures/go-charts/umbrella');
    expect((await cli(['convert', go, '--to', 'handlebars', '--output-dir', join(work, 'u-hbs')])).code).toBe(0);
    expect((await cli(['convert', join(work, 'u-hbs'), '--to', 'go', '--output-dir', join(work, 'u-go')])).code).toBe(
      0,
    );
    expect(await render(join(work, 'u-go'))).toBe(await render(go));
    const hbs = join(projectRoot, 'charts/webapp');
    expect((await cli(['convert', hbs, '--to', 'go', '--output-dir', join(work, 'w-go')])).code).toBe(0);
    expect(
      (await cli(['convert', join(work, 'w-go'), '--to', 'handlebars', '--output-dir', join(work, 'w-hbs')])).code,
    ).toBe(0);
    expect(await render(join(work, 'w-hbs'))).toBe(await render(hbs));
  });

  it('fails on what handlebars cannot express, naming file and line, unless --allow-partial', async () => {
    const result = await cli([
      'convert',
      join(projectRoot, 'test/fixtures/go-charts/control'),
      '--to',
      'handlebars',
      '--output-dir',
      join(work, 'control-strict'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /templates\/range\.yaml:\d+: \{\{ (break|continue) \}\} has no handlebars equivalent/,
    );
  });
});
