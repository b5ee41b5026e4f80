// The Go dialect: Go's text/template syntax as Helm runs it, in the same engine as handlebars. Expected outputs
// were checked against helm 4.1.4 (`helm template`); test/interop/go-templates.test.ts compares whole charts live.
import { describe, expect, it } from 'vitest';
import { PortolanError } from '../../src/errors.js';
import { detectDialect, renderChart } from '../../src/render/index.js';
import { prepareChart } from '../../src/values/index.js';
import { chartFrom, userValues } from '../helpers/charts.js';

const VALUES = [
  'name: web',
  'big: 1000000',
  'small: 0.00001',
  'float: 1.5',
  'port: 8080',
  'list: [a, b, c]',
  'nums: [1, 2, 3]',
  'map: {z: 1, a: two}',
  'empty: []',
  'nested: {inner: {deep: v}}',
  'enabled: true',
  'nothing: null',
].join('\n');

const HELPERS =
  '{{- define "t.name" -}}{{ .Chart.Name }}-{{ .Values.name }}{{- end }}\n{{- define "t.echo" }}[{{ . }}]{{ end }}';

async function render(
  template: string,
  options: { values?: string; set?: string[]; strict?: boolean; goStrict?: boolean; helpers?: string } = {},
): Promise<string> {
  const chart = chartFrom({
    'values.yaml': options.values ?? VALUES,
    'templates/NOTES.txt': template,
    'templates/_helpers.tpl': options.helpers ?? HELPERS,
    'f.txt': 'hi',
  });
  const prepared = prepareChart(chart, await userValues({ set: options.set ?? [] }));
  return renderChart(prepared.chart, prepared.values, {
    releaseName: 'rel',
    namespace: 'ns',
    strict: options.strict,
    goStrict: options.goStrict,
  }).notes;
}

async function failure(template: string, options: Parameters<typeof render>[1] = {}): Promise<PortolanError> {
  const error = await render(template, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PortolanError);
  return error as PortolanError;
}

describe('Go actions', () => {
  it.each([
    ['{{ if .Values.enabled }}yes{{ else }}no{{ end }}', 'yes'],
    ['{{ if eq .Values.name "api" }}a{{ else if eq .Values.name "web" }}w{{ else }}c{{ end }}', 'w'],
    ['{{ if .Values.nothing }}x{{ else if .Values.empty }}y{{ else }}z{{ end }}', 'z'],
    ['{{ range .Values.list }}{{ . }},{{ end }}', 'a,b,c,'],
    ['{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }} {{ end }}', '0=a 1=b 2=c '],
    ['{{ range $v := .Values.list }}{{ $v }}{{ end }}', 'abc'],
    ['{{ range $k, $v := .Values.map }}{{ $k }}:{{ $v }} {{ end }}', 'a:two z:1 '],
    ['{{ range .Values.empty }}x{{ else }}empty{{ end }}', 'empty'],
    ['{{ range .Values.missing }}x{{ else }}nil{{ end }}', 'nil'],
    ['{{ range 3 }}{{ . }}{{ end }}', '012'],
    [
      '{{ range .Values.nums }}{{ if eq . 2.0 }}{{ continue }}{{ end }}{{ if eq . 3.0 }}{{ break }}{{ end }}{{ . }}{{ end }}',
      '1',
    ],
    ['{{ range $i, $v := .Values.list }}{{ range $.Values.nums }}{{ $v }}{{ end }}{{ end }}', 'aaabbbccc'],
    ['{{ with .Values.nested.inner }}{{ .deep }} {{ $.Values.name }}{{ end }}', 'v web'],
    ['{{ with .Values.missing }}x{{ else with .Values.name }}{{ . }}{{ else }}z{{ end }}', 'web'],
    ['{{ with .Values.missing }}x{{ else }}{{ .Values.name }}{{ end }}', 'web'],
    ['{{ template "t.name" . }}', 'demo-web'],
    ['{{ template "t.echo" }}', '[]'],
    ['{{ block "t.block" . }}default {{ .Values.name }}{{ end }}', 'default web'],
    ['{{ define "t.local" }}local{{ end }}{{ include "t.local" . }}', 'local'],
    ['a{{/* comment */}}b', 'ab'],
    ['a  {{- /* trimmed */ -}}  b', 'ab'],
    ['a\n\n  {{- "x" -}}  \n\nb', 'axb'],
    ['{{- if true }}\nline\n{{- end }}\n', '\nline\n'],
    ['{{ "tab\\there" }} {{ `raw\\n` }} {{ \'a\' }}', 'tab\there raw\\n 97'],
    [
      '{{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 1_000 }} {{ -3 }} {{ 1e3 }} {{ 1.0 }} {{ 2.50 }}',
      '31 15 15 1000 -3 1000 1 2.5',
    ],
  ])('%s', async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });
});

describe('Go variables', () => {
  it.each([
    ['{{ $x := 1 }}{{ $x }}', '1'],
    [
      '{{ $x := "outer" }}{{ if true }}{{ $x = "assigned" }}{{ $y := "inner" }}{{ $y }} {{ end }}{{ $x }}',
      'inner assigned',
    ],
    ['{{ $x := "outer" }}{{ if true }}{{ $x := "shadow" }}{{ $x }} {{ end }}{{ $x }}', 'shadow outer'],
    ['{{ $n := 0 }}{{ range .Values.list }}{{ $n = add $n 1 }}{{ end }}{{ $n }}', '3'],
    ['{{ range $i, $v := .Values.list }}{{ end }}{{ $.Values.name }}', 'web'],
    ['{{ $d := dict "a" (dict "b" "deep") }}{{ $d.a.b }}', 'deep'],
    ['{{ with $x := .Values.name }}{{ $x }}{{ end }}', 'web'],
    // A nil out of a pipeline, a variable or parentheses has no fields to fail on (Go's invalid value).
    ['[{{ ((.Values.global).postgresql).auth }}][{{ (.Values.missing).a.b }}]', '[][]'],
    ['{{ $m := .Values.missing }}[{{ $m.a.b }}]', '[]'],
    ['{{ define "t.field" }}[{{ .a.b }}]{{ end }}{{ include "t.field" nil }}{{ template "t.field" }}', '[][]'],
  ])('%s', async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });
});

describe('Go pipelines and functions', () => {
  it.each([
    ['{{ .Values.name | upper | printf "%s!" }}', 'WEB!'],
    ['{{ .Values.name | upper | }}', 'WEB'],
    ['{{ (dict "k" (dict "j" "v")).k.j }}', 'v'],
    ['{{ (fromYaml "a: {b: 1}").a.b }}', '1'],
    [
      '{{ (fromYaml "a: yes\\nb: 0755\\n---\\nc: 2").a }} {{ (fromYaml "a: yes\\nb: 0755\\n---\\nc: 2").b }} {{ len (fromYaml "a: 1\\n---\\nc: 2") }}',
      'true 493 1',
    ],
    ['{{ and 1 "" 3 | quote }} {{ or 0 "" "z" }} {{ and 1 2 }}', '"" z 2'],
    ['{{ and false .Values.missing.field }}', 'false'],
    ['{{ or true .Values.missing.field }}', 'true'],
    ['{{ not .Values.enabled }} {{ not "" }}', 'false true'],
    [
      '{{ eq .Values.name "a" "b" "web" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }}',
      'true true true true true false',
    ],
    ['{{ eq .Values.missing "x" }}', 'false'],
    ['{{ index .Values.map "a" }} {{ index .Values.list 1 }} {{ index (dict "m" (list "x" "y")) "m" 1 }}', 'two b y'],
    ['{{ slice .Values.list 1 }} {{ len .Values.list }} {{ len "héllo" }}', '[b c] 3 6'],
    [
      '{{ printf "%s-%d-%v-%q-%t-%05.2f-%x" .Values.name 42 .Values.float "q" true 3.14159 255 }}',
      'web-42-1.5-"q"-true-03.14-ff',
    ],
    ['{{ print 1 2 "a" "b" 3 }}|{{ println 1 "a" }}|', '1 2ab3|1 a\n|'],
    ['{{ html "<a href=\'x\'>&</a>" }}', '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;'],
    ['{{ js "it\'s <b> \\"x\\" = y" }}', 'it\\\'s \\u003Cb\\u003E \\"x\\" \\u003D y'],
    ['{{ urlquery "a b&c" }}', 'a+b%26c'],
    ['{{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.KubeVersion.Version }}', 'true v1.35.0'],
    ['{{ tpl "{{ .Values.name }}-{{ .Release.Name }}" . }}', 'web-rel'],
    ['{{ include "t.name" . | upper }}', 'DEMO-WEB'],
    ['{{ .Release.Service }}', 'Helm'],
    [
      '{{ $v := semver "1.18.2-rc.1" }}{{ printf "%d.%d.%d" $v.Major $v.Minor $v.Patch }} {{ gt $v.Minor 10 }}',
      '1.18.2 true',
    ],
    [
      '{{ semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion }} {{ .Capabilities.APIVersions.Has "policy/v1beta1" }} {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" }}',
      'true true false',
    ],
    [
      '{{ typeOf .Values.port }} {{ typeOf 3 }} {{ kindOf .Values.list }} {{ kindIs "float64" .Values.port }} {{ kindIs "int" 3 }}',
      'float64 int64 slice true true',
    ],
  ])('%s', async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });
});

describe('Go printing, as Helm prints values', () => {
  it.each([
    ['{{ .Values.big }} {{ .Values.big | quote }} {{ toString .Values.big }}', '1e+06 "1e+06" 1e+06'],
    ['{{ .Values.small }} {{ .Values.float }} {{ .Values.port }}', '1e-05 1.5 8080'],
    [
      '{{ add .Values.big 1 }} {{ mul 1000 1000 }} {{ div 7 2 }} {{ sub 1 5 }} {{ int .Values.big }}',
      '1000001 1000000 3 -4 1000000',
    ],
    ['{{ .Values.map }} {{ .Values.list }} {{ .Values.nums }}', 'map[a:two z:1] [a b c] [1 2 3]'],
    ['[{{ .Values.nothing }}][{{ .Values.missing }}]', '[][]'],
    ['{{ toJson .Values.map }} {{ toJson (list 1 (add 1 1)) }}', '{"a":"two","z":1} [1,2]'],
    ['{{ printf "%d" .Values.port }}', '%!d(float64=8080)'],
    ['{{ printf "%q|%q" "a\\"b" 65 }}', '"a\\"b"|\'A\''],
    ['{{ printf "%x|%X|%x|%o|%b|%c%c" 255 255 "hi" 8 5 72 105 }}', 'ff|FF|6869|10|101|Hi'],
    ['{{ printf "%f|%s|%s" 3 5 (list "a" 1 true) }}', '%!f(int=3)|%!s(int=5)|[a %!s(int=1) %!s(bool=true)]'],
    [
      '{{ printf "%s" "one" "two" }}|{{ printf "%s:%d" .Values.missing }}',
      'one%!(EXTRA string=two)|%!s(<nil>):%!d(MISSING)',
    ],
    [
      '{{ printf "%T %T %T %T %T" 3 1.5 "s" .Values.list .Values.map }}',
      'int float64 string []interface {} map[string]interface {}',
    ],
    [
      '{{ printf "%5.1f|%-4d|%04d|%+d|%.3s|%8.3g|%v" 3.14159 7 42 5 "abcdef" 1234.5678 .Values.big }}',
      '  3.1|7   |0042|+5|abc|1.23e+03|1e+06',
    ],
    [
      '{{ printf "%v|%s|%d" (dict "a" 1.5) (dict "a" 1.5) (dict "a" 1 "b" 2.5) }}',
      'map[a:1.5]|map[a:%!s(float64=1.5)]|map[%!d(string=a):1 %!d(string=b):%!d(float64=2.5)]',
    ],
    [
      '{{ printf "%6.2f|%e|%g|%g|%.2e" 3.14159 123456.789 0.000012 100000000.0 1234.5 }}',
      '  3.14|1.234568e+05|1.2e-05|1e+08|1.23e+03',
    ],
    [
      '{{ printf "%t|%v|%s" true nil nil }}|{{ print 1 2 "a" nil 3.5 .Values.big }}|{{ println nil 1 }}',
      'true|<nil>|%!s(<nil>)|1 2a<nil> 3.5 1e+06|<nil> 1\n',
    ],
    ['{{ float64 "1.5" }} {{ 1e6 }}', '1.5 1e+06'],
    [
      '{{ addf 1.1 2.2 }} {{ subf 0.3 0.1 }} {{ mulf 1.1 3 }} {{ divf 1 3 }} {{ addf 0.1 0.2 0.3 }} {{ maxf 0.1 0.2 }} {{ divf 2 3 }} {{ mulf .Values.big 1.5 }}',
      '3.3 0.2 3.3 0.3333333333333333 0.6 0.2 0.6666666666666667 1.5e+06',
    ],
    ['literal <no value> goes', 'literal  goes'],
    [
      '{{ toString .Values.missing }} {{ quote .Values.missing }}|{{ .Files.GetBytes "f.txt" }} {{ toString (.Files.GetBytes "f.txt") }}',
      '<nil> |[104 105] hi',
    ],
  ])('%s', async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  it('prints a --set integer as a values-file number prints (both are numbers to portolan)', async () => {
    expect(await render('{{ .Values.port }} {{ gt .Values.port 1 }}', { set: ['port=9090'] })).toBe('9090 true');
  });
});

describe('Go errors, with the template and line', () => {
  it.each([
    [
      'a\n{{ .Values.missing.field }}',
      'demo/templates/NOTES.txt:2: executing "demo/templates/NOTES.txt" at <.Values.missing.field>: nil pointer evaluating interface {}.field',
    ],
    // Refused while parsing, as Go does, even in a branch that never runs.
    ['{{ qoute 1 }}', 'demo/templates/NOTES.txt:1: function "qoute" not defined'],
    ['{{ if false }}{{ nosuch }}{{ end }}', 'demo/templates/NOTES.txt:1: function "nosuch" not defined'],
    [
      '{{ if true }}{{ $inner := 1 }}{{ end }}\n{{ $inner }}',
      'demo/templates/NOTES.txt:2: undefined variable "$inner"',
    ],
    [
      '{{ $outer := 1 }}{{ define "t.x" }}{{ $outer }}{{ end }}',
      'demo/templates/NOTES.txt:1: undefined variable "$outer"',
    ],
    [
      '{{ .Values.name 1 }}',
      'demo/templates/NOTES.txt:1: executing "demo/templates/NOTES.txt" at <.Values.name 1>: name is not a method but has arguments',
    ],
    [
      '{{ "a" 1 }}',
      'demo/templates/NOTES.txt:1: executing "demo/templates/NOTES.txt" at <"a" 1>: can\'t give argument to non-function "a"',
    ],
    [
      '{{ eq .Values.name 1 }}',
      'demo/templates/NOTES.txt:1: executing "demo/templates/NOTES.txt" at <eq .Values.name 1>: error calling eq: incompatible types for comparison',
    ],
    [
      '{{ lt .Values.missing 1 }}',
      'demo/templates/NOTES.txt:1: executing "demo/templates/NOTES.txt" at <lt .Values.missing 1>: error calling lt: invalid type for comparison',
    ],
    ['{{ range .Values.port }}{{ end }}', "demo/templates/NOTES.txt:1: range can't iterate over 8080"],
    [
      '{{ .Chart.Nope }}',
      'demo/templates/NOTES.txt:1: executing "demo/templates/NOTES.txt" at <.Chart.Nope>: can\'t evaluate field Nope in type *chart.Metadata',
    ],
    ['{{ $nope }}', 'demo/templates/NOTES.txt:1: undefined variable "$nope"'],
    ['x\n{{ fail "stop here" }}', 'demo/templates/NOTES.txt:2: stop here'],
    ['{{ required "name is required" .Values.missing }}', 'demo/templates/NOTES.txt:1: name is required'],
    [
      '{{ if true }}',
      'demo/templates/NOTES.txt:1: {{ if }} (line 1) is never closed with {{ end }}: the template ends inside it',
    ],
    ['{{ end }}', 'demo/templates/NOTES.txt:1: unexpected {{ end }}'],
    ['{{ else }}', 'demo/templates/NOTES.txt:1: unexpected {{ else }}'],
    ['{{ break }}', 'demo/templates/NOTES.txt:1: {{ break }} outside {{ range }}'],
    [
      '{{ if true }}{{ define "x" }}{{ end }}{{ end }}',
      'demo/templates/NOTES.txt:1: unexpected {{ define }}: definitions go at the top level of a file',
    ],
    ['{{ .Values.name | "x" }}', 'demo/templates/NOTES.txt:1: non executable command in pipeline stage 2'],
    ['{{ quote (upper "a" }}', 'demo/templates/NOTES.txt:1: unclosed left paren'],
    ['{{ "abc }}', 'demo/templates/NOTES.txt:1: unterminated quoted string'],
    ['{{ range $i, $v := 3 }}{{ end }}', "demo/templates/NOTES.txt:1: can't use $i, $v to iterate over 3"],
    [
      '{{ define "t.twice" }}a{{ end }}\n{{ block "t.twice" . }}b{{ end }}',
      'demo/templates/NOTES.txt:2: multiple definition of template "t.twice"',
    ],
  ])('%s', async (template, message) => {
    const error = await failure(template);
    expect(error.message).toBe(message);
    expect(error.file).toBe('demo/templates/NOTES.txt');
  });

  it('stops a template that includes itself with one short message naming the cycle', async () => {
    const error = await failure('{{ include "a" . }}', {
      helpers: '{{- define "a" }}{{ include "b" . }}{{ end }}{{- define "b" }}{{ include "a" . }}{{ end }}',
    });
    expect(error.message).toBe('demo/templates/_helpers.tpl:1: template "a" includes itself without end (a → b → a)');
  });

  it('stops a tpl that renders itself', async () => {
    const error = await failure('{{ tpl .Values.t . }}', { values: 't: "{{ tpl .Values.t . }}"' });
    expect(error.message).toMatch(/tpl renders itself without end/);
  });

  it('fails a missing key only in strict mode (Helm missingkey=error), and lint-style rendering keeps Go lenient', async () => {
    expect(await render('[{{ .Values.missing }}]', { strict: true, goStrict: false })).toBe('[]');
    expect((await failure('{{ .Values.missing }}', { strict: true })).message).toMatch(
      /map has no entry for key "missing"/,
    );
  });
});

describe('the dialect of a file', () => {
  it.each([
    ['{{ .Values.x }}', 'neutral'],
    ['{{#if x}}a{{/if}}', 'handlebars'],
    ['{{- /* note */ -}}{{ .Values.x }}', 'neutral'],
    ['{{ if .x }}a{{ end }}', 'go'],
    ['{{- define "x" -}}{{- end -}}', 'go'],
    ['{{ $x := 1 }}', 'go'],
    ['{{ .Values.x | default $.Values.y }}', 'neutral'],
    ['{{~ .x ~}}', 'handlebars'],
    ['plain text', 'neutral'],
  ])('%s is %s', (text, dialect) => {
    expect(detectDialect(text)).toBe(dialect);
  });

  it('reads a neutral file in its chart dialect: Go beside Go templates, handlebars beside handlebars', async () => {
    expect(await render('{{ .Values.big }}')).toBe('1e+06');
    expect(await render('{{ .Values.big }}', { helpers: '{{#define "x"}}x{{/define}}' })).toBe('1000000');
  });

  it('lets a Go template include a handlebars partial and the other way round', async () => {
    const chart = chartFrom({
      'values.yaml': 'name: web\nbig: 1000000',
      'templates/a.yaml': 'a: {{ include "hb.part" . }}\nb: {{ .Values.big }}\n{{- if true }}{{ end }}',
      'templates/b.yaml': '{{#if true}}c: {{ include "go.part" . }}{{/if}}\nd: {{ .Values.big }}',
      'templates/_hb.tpl': '{{#define "hb.part"}}{{ upper .Values.name }}{{/define}}',
      'templates/_go.tpl': '{{- define "go.part" -}}{{ .Values.name | title }}{{- end }}',
    });
    const prepared = prepareChart(chart, await userValues({}));
    const out = renderChart(prepared.chart, prepared.values, {}).manifests.map((m) => m.text);
    expect(out.join('|')).toContain('a: WEB\nb: 1e+06');
    expect(out.join('|')).toContain('c: Web\nd: 1000000');
  });
});
