// Templates as chart authors write them: handlebars blocks, Helm habits inside one expression, partials, tpl,
// required/fail, strict mode, the context objects, and errors that name the template and line.
import { describe, expect, it } from 'vitest';
import { PortolanError } from '../../src/errors.js';
import { renderChart } from '../../src/render/index.js';
import { compileText } from '../../src/render/engine.js';
import { prepareChart } from '../../src/values/index.js';
import { chartFrom, userValues } from '../helpers/charts.js';

/** Renders `template` (as templates/t.yaml, beside `partials`) and returns its text. */
async function render(
  template: string,
  values = '',
  options: {
    set?: string[];
    strict?: boolean;
    partials?: string;
    files?: Record<string, string>;
    kubeVersion?: string;
    apiVersions?: string[];
  } = {},
): Promise<string> {
  const chart = chartFrom({
    'values.yaml': values,
    'templates/NOTES.txt': template,
    ...(options.partials ? { 'templates/_helpers.tpl': options.partials } : {}),
    ...options.files,
  });
  const prepared = prepareChart(chart, await userValues({ set: options.set ?? [] }));
  return renderChart(prepared.chart, prepared.values, {
    releaseName: 'rel',
    namespace: 'ns',
    strict: options.strict,
    kubeVersion: options.kubeVersion,
    apiVersions: options.apiVersions,
  }).notes;
}

async function failure(
  template: string,
  values = '',
  options: Parameters<typeof render>[2] = {},
): Promise<PortolanError> {
  const error = await render(template, values, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PortolanError);
  return error as PortolanError;
}

describe('Helm habits inside one expression', () => {
  it.each([
    ['{{ .Values.name }}', 'web'],
    ['{{ Values.name }}', 'web'],
    ['{{ .Values.name | upper }}', 'WEB'],
    ['{{ .Values.name | quote }}', '"web"'],
    ['{{ .Values.port | quote }}', '"8080"'],
    ['{{ .Values.missing | default "dflt" | quote }}', '"dflt"'],
    ['{{ printf "%s-%s" .Release.Name .Values.name | trunc 6 | trimSuffix "-" }}', 'rel-we'],
    ['{{ $.Release.Name }}', 'rel'],
    ['{{#each Values.list}}{{ $.Values.name }}:{{ . }} {{/each}}', 'web:a web:b '],
    ['{{#with Values.nested}}{{ .inner }}{{/with}}', 'deep'],
    ['{{ toYaml .Values.nested | indent 2 }}', '  inner: deep'],
    ['{{ "a" }}{{ 1 }}', 'a1'],
    ['{{ "tab\\there" }}', 'tab\there'],
    ['{{ `raw \\n "quoted"` }}', 'raw \\n "quoted"'],
    ['a\n  {{- " b" }}', 'a b'],
    ['{{ "a" -}}\n  b', 'ab'],
    ['{{/* a comment */}}x{{- /* trimmed */ -}} y', 'xy'],
    ['{{ (.Files.Glob "conf/*").AsConfig | nindent 2 }}', '\n  a.conf: |-\n    alpha\n    more\n  b.conf: beta'],
    ['{{ .Values.name | replace "w" "W" | printf "%s!" }}', 'Web!'],
    ['{{ list 1 2 3 | len }}', '3'],
    ['{{ now | date "2006" | len }}', '4'],
    ['{{ include "demo.label" . | nindent 4 }}', '\n    app: web'],
    ['{{ template "demo.label" . }}', 'app: web'],
    ['{{ (include "demo.label" .) | upper }}', 'APP: WEB'],
  ])('%s', async (template, expected) => {
    const files = { 'conf/a.conf': 'alpha\nmore', 'conf/b.conf': 'beta' };
    expect(
      await render(template, 'name: web\nport: 8080\nlist: [a, b]\nnested: {inner: deep}\n', {
        partials: '{{#define "demo.label"~}}\napp: {{ .Values.name }}\n{{~/define}}',
        files,
      }),
    ).toBe(expected);
  });
});

describe('blocks decide truth as Go templates do', () => {
  it.each([
    ['false', 'no'],
    ['0', 'no'],
    ['""', 'no'],
    ['null', 'no'],
    ['[]', 'no'],
    ['{}', 'no'],
    ['[0]', 'yes'],
    ['{a: 1}', 'yes'],
    ['"0"', 'yes'],
  ])('%s is %s', async (value, expected) => {
    expect(await render('{{#if Values.v}}yes{{else}}no{{/if}}', `v: ${value}\n`)).toBe(expected);
    expect(await render('{{#with Values.v}}yes{{else}}no{{/with}}', `v: ${value}\n`)).toBe(expected);
    expect(await render('{{#unless Values.v}}no{{else}}yes{{/unless}}', `v: ${value}\n`)).toBe(expected);
  });

  it('chains else if', async () => {
    // (values keys avoid y/n/on/off: YAML 1.1 reads them as booleans, as Helm does)
    const t =
      '{{#if (eq .Values.num 1)}}one{{else if (eq .Values.num 2)}}two{{else if (eq .Values.num 3)}}three{{else}}many{{/if}}';
    expect(await render(t, 'num: 2\n')).toBe('two');
    expect(await render(t, 'num: 3\n')).toBe('three');
    expect(await render(t, 'num: 9\n')).toBe('many');
  });

  it('walks maps in sorted key order with @key, @index, @first, @last and block params', async () => {
    const t =
      '{{#each Values.m}}{{@index}}{{@key}}={{this}}{{#if @first}}^{{/if}}{{#if @last}}${{/if}} {{/each}}|{{#each Values.l as |item i|}}{{i}}:{{item}} {{/each}}';
    expect(await render(t, 'm: {zeta: 1, alpha: 2, mid: 3}\nl: [x, z]\n')).toBe('0alpha=2^ 1mid=3 2zeta=1$ |0:x 1:z ');
  });

  it('drops lines holding only a block tag (handlebars standalone lines)', async () => {
    expect(await render('a:\n  {{#if Values.flag}}\n  b: 1\n  {{/if}}\nc: 2\n', 'flag: true\n')).toBe(
      'a:\n  b: 1\nc: 2\n',
    );
  });

  it('reaches the parent context with ../', async () => {
    expect(await render('{{#each Values.l}}{{../Values.sep}}{{this}}{{/each}}', 'sep: "-"\nl: [a, b]\n')).toBe('-a-b');
  });
});

describe('values print as Go prints them, integers as written', () => {
  it.each([
    ['big: 1000000', '{{ .Values.big }}', '1000000'],
    ['f: 1.5', '{{ .Values.f }}', '1.5'],
    ['l: [a, 1, true]', '{{ .Values.l }}', '[a 1 true]'],
    ['m: {b: 2, a: 1}', '{{ .Values.m }}', 'map[a:1 b:2]'],
    ['n: null', '[{{ .Values.n }}]', '[]'],
    ['', '[{{ .Values.missing }}]', '[]'],
  ])('%s: %s', async (values, template, expected) => {
    expect(await render(template, values)).toBe(expected);
  });

  it('keeps every digit of a big integer from --set', async () => {
    expect(await render('{{ .Values.id }} {{ toJson .Values }}', '', { set: ['id=9007199254740993'] })).toBe(
      '9007199254740993 {"id":9007199254740993}',
    );
  });
});

describe('the context', () => {
  it("has Release, Chart, Capabilities and Template with Helm's names", async () => {
    const t =
      '{{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.Revision }} {{ .Release.IsInstall }} {{ .Release.Service }} {{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Minor }} {{ .Template.Name }} {{ .Template.BasePath }}';
    expect(await render(t)).toBe(
      'rel ns 1 true portolan demo 1.0.0 2.0.0 v1.35.0 35 demo/templates/NOTES.txt demo/templates',
    );
  });

  it('answers Capabilities.APIVersions.Has for built-in and --api-versions entries', async () => {
    const t =
      '{{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" }} {{ .Capabilities.APIVersions.Has "example.com/v1" }}';
    expect(await render(t)).toBe('true true false');
    expect(await render(t, '', { apiVersions: ['example.com/v1'] })).toBe('true true true');
    expect(
      await render('{{ semverCompare ">=1.30-0" .Capabilities.KubeVersion.GitVersion }}', '', {
        kubeVersion: '1.29.3',
      }),
    ).toBe('false');
  });

  it("reads the chart's other files with Files.Get, Lines, Glob and AsSecrets", async () => {
    const files = { 'files/a.txt': 'one\ntwo\n', 'files/b.txt': 'B', 'README.md': 'r' };
    expect(
      await render(
        '{{ .Files.Get "files/a.txt" | trim }}|{{ len (.Files.Lines "files/a.txt") }}|{{ (.Files.Glob "files/*.txt").AsSecrets }}|{{ .Files.Get "none" }}',
        '',
        { files },
      ),
    ).toBe('one\ntwo|2|a.txt: b25lCnR3bwo=\nb.txt: Qg==|'); // plain, as helm 4.1.4 writes them
    expect(
      await render(
        '{{ .Files.get "files/b.txt" }}{{ len (.Files.lines "files/a.txt") }}{{ (.Files.glob "**/b.txt").asConfig }}{{ .Capabilities.APIVersions.has "v1" }}',
        '',
        { files },
      ),
    ).toBe('B2b.txt: Btrue');
  });
});

describe('partials, tpl, required and fail', () => {
  it('renders partials with the context they are given, $ being that context', async () => {
    const partials =
      '{{#define "demo.name"}}{{ .root.Release.Name }}-{{ .suffix }}{{/define}}{{#define "demo.dollar"}}{{ $.x }}{{/define}}';
    expect(
      await render(
        '{{ include "demo.name" (dict "root" . "suffix" "api") }} {{ include "demo.dollar" (dict "x" 1) }}',
        '',
        { partials },
      ),
    ).toBe('rel-api 1');
  });

  it('renders tpl strings against the context given, with partials available', async () => {
    expect(
      await render('{{ tpl .Values.t . }}', 't: "{{ .Release.Name }}-{{ include \\"demo.p\\" . }}"\n', {
        partials: '{{#define "demo.p"}}p{{/define}}',
      }),
    ).toBe('rel-p');
  });

  it('fails an undefined partial, naming it, the template and line, and what is defined', async () => {
    const error = await failure('line1\n{{ include "demo.labls" . }}', '', {
      partials: '{{#define "demo.labels"}}{{/define}}',
    });
    expect(error.code).toBe('PARTIAL_NOT_FOUND');
    expect(error.message).toBe(
      'demo/templates/NOTES.txt:2: no partial named "demo.labls" (did you mean "demo.labels"?)',
    );
    expect(error.hint).toMatch(/defined here: demo\.labels/);
  });

  it('names the partial and the include site when a partial fails', async () => {
    const error = await failure('a\nb\n{{ include "demo.bad" . }}', '', {
      partials: 'x\n{{#define "demo.bad"}}\n{{ fail "inner problem" }}\n{{/define}}',
    });
    expect(error.message).toBe(
      'demo/templates/_helpers.tpl:3: inner problem (in "demo.bad", included from demo/templates/NOTES.txt:3)',
    );
  });

  it('stops a partial that includes itself', async () => {
    const error = await failure('{{ include "demo.loop" . }}', '', {
      partials: '{{#define "demo.loop"}}{{ include "demo.loop" . }}{{/define}}',
    });
    expect(error.message).toBe(
      'demo/templates/_helpers.tpl:1: template "demo.loop" includes itself without end (demo.loop → demo.loop)',
    );
  });

  it("fails required with the chart's message when the value is missing or empty", async () => {
    const error = await failure(
      'a: 1\n{{ required "db.password is required" .Values.db.password }}',
      'db: {password: ""}\n',
    );
    expect(error.code).toBe('TEMPLATE_REQUIRED');
    expect(error.message).toBe('demo/templates/NOTES.txt:2: db.password is required');
    expect(await render('{{ required "x" .Values.v }}', 'v: 0\n')).toBe('0');
  });

  it("fails fail with the chart's message", async () => {
    const error = await failure('{{ fail "unsupported mode" }}');
    expect([error.code, error.message]).toEqual(['TEMPLATE_FAIL', 'demo/templates/NOTES.txt:1: unsupported mode']);
  });
});

describe('strict mode', () => {
  it('fails a template that prints or passes on a value that is not set, naming the path', async () => {
    expect((await failure('ok\n{{ .Values.image.tagg }}', 'image: {tag: x}\n', { strict: true })).message).toMatch(
      /^demo\/templates\/NOTES\.txt:2: \.Values\.image\.tagg is not set/,
    );
    expect((await failure('{{ .Values.nope | quote }}', '', { strict: true })).message).toMatch(
      /\.Values\.nope is not set/,
    );
    expect((await failure('{{ .Values.nope.deeper }}', '', { strict: true })).message).toMatch(
      /\.Values\.nope\.deeper is not set/,
    );
  });

  it('lets tests and fallbacks look at missing values', async () => {
    expect(
      await render(
        '{{#if .Values.nope}}x{{/if}}{{ .Values.nope | default "d" }}{{ empty .Values.nope }}{{#with Values.nope.deep}}y{{/with}}',
        '',
        { strict: true },
      ),
    ).toBe('dtrue');
  });

  it('is off by default: a missing value prints nothing', async () => {
    expect(await render('[{{ .Values.nope.deeper }}]')).toBe('[]');
  });
});

describe('template errors name the file and line', () => {
  it.each([
    ['a\n{{#if Values.x}}\nb', /NOTES\.txt:2: \{\{#if\}\} is never closed: the template ends inside it/],
    ['{{#if x}}a{{/each}}', /NOTES\.txt:1: \{\{\/each\}\} does not close the open \{\{#if\}\} block/],
    // Go's block syntax is the Go dialect: its own errors.
    ['a\n\n{{ if .Values.x }}', /NOTES\.txt:3: \{\{ if \}\} \(line 3\) is never closed with \{\{ end \}\}/],
    ['{{ end }}', /NOTES\.txt:1: unexpected \{\{ end \}\}/],
    ['{{ range .Values.l }}', /\{\{ range \}\} \(line 1\) is never closed/],
    ['{{ $name }}', /NOTES\.txt:1: undefined variable "\$name"/],
    ['{{ .Values.a', /this \{\{ is never closed/],
    ['{{ quote "a }}', /this \{\{ is never closed|never closed/],
    ['{{ quote (upper "a" }}', /a \( is never closed/],
    ['{{ > partial }}', /handlebars partials .* are not supported/],
    [
      '{{#if true}}\n{{ range .Values.l }}{{/if}}',
      /NOTES\.txt:2: \{\{ range … \}\} is Go template syntax in a file that uses handlebars block tags/,
    ],
    [
      '{{#if true}}{{ $x := 1 }}{{/if}}',
      /Go template variables \(\$x := …\) in a file that uses handlebars block tags/,
    ],
    ['{{else}}', /\{\{else\}\} outside a block/],
    ['{{ nosuchfn 1 }}', /NOTES\.txt:1: unknown function "nosuchfn"/],
    ['{{ qoute 1 }}', /unknown function "qoute" \(did you mean quote/],
    ['x\n{{ div 1 0 }}', /NOTES\.txt:2: div: integer divide by zero/],
  ])('%s', async (template, message) => {
    const error = await failure(template);
    expect(error.message).toMatch(message);
    expect(error.file).toBe('demo/templates/NOTES.txt');
  });
});

describe('parsed templates are shared by text', () => {
  it('parses one text once wherever it sits, as the common library vendored by many charts', () => {
    const text = '{{- define "lib.name" -}}{{ .Chart.Name }}{{- end -}}\n';
    expect(compileText(text, 'a/charts/common/templates/_names.tpl', 'go')).toBe(
      compileText(text, 'b/charts/common/templates/_names.tpl', 'go'),
    );
  });

  it('still names the file that fails when two files share a text', async () => {
    const text = 'ok: 1\n{{ if eq .Template.Name "demo/templates/b.yaml" }}{{ fail "b fails" }}{{ end }}\n';
    const chart = chartFrom({ 'templates/a.yaml': text, 'templates/b.yaml': text });
    const prepared = prepareChart(chart, await userValues({}));
    const error = (() => {
      try {
        renderChart(prepared.chart, prepared.values);
      } catch (caught) {
        return caught;
      }
    })() as PortolanError;
    expect(error).toBeInstanceOf(PortolanError);
    expect(error.message).toBe('demo/templates/b.yaml:2: b fails');
    expect(error.file).toBe('demo/templates/b.yaml');
  });
});
