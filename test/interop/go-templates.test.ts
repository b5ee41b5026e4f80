// Charts written in Go's text/template dialect render byte for byte as the real helm renders them: each chart under
// test/fixtures/go-charts/ goes through `helm template` and through portolan's own template path in process (load
// the chart, read the values, templateChart, formatManifests: what `portolan template` does), with its defaults and
// with --set overrides. Templates helm refuses, portolan refuses too, naming the template file and line.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChart } from '../../src/chart/load.js';
import { isPortolanError } from '../../src/errors.js';
import { formatManifests } from '../../src/render/index.js';
import { templateChart } from '../../src/template.js';
import { userValues } from '../helpers/charts.js';
import { helm, projectRoot } from '../helpers/peers.js';

const chartsDir = join(projectRoot, 'test', 'fixtures', 'go-charts');

async function renderWithPortolan(chartDir: string, set: string[]): Promise<{ manifests: string; notes: string }> {
  const chart = await loadChart(chartDir);
  const user = await userValues({ set });
  const result = templateChart(chart, user, {
    releaseName: 'rel',
    namespace: 'ns',
    isInstall: true,
    isUpgrade: false,
    apiVersions: [],
    strict: false,
  });
  // `portolan template` prints the manifests, then the hooks (tests included), as `helm template` does.
  return { manifests: formatManifests([...result.manifests, ...result.hooks]), notes: result.notes };
}

async function helmTemplate(chartDir: string, set: string[]): Promise<string> {
  const result = await helm(['template', 'rel', chartDir, '--namespace', 'ns', ...set.flatMap((s) => ['--set', s])]);
  expect(result.code, `helm failed: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** Besides its defaults, each chart renders with these `--set` lists (each list one render). */
const overrides: Record<string, string[][]> = {
  basics: [
    ['name=api', 'enabled=false'],
    ['list={x,y}', 'map.a=changed', 'nested.inner=null'],
  ],
  control: [
    ['mode=api', 'zero=1', 'emptyList={q}'],
    ['mode=other', 'replicas=1', 'nothing.k=v', 'emptyString=s', 'emptyMap.k=v'],
  ],
  defines: [
    ['name=other', 'labels.extra=yes'],
    ['tplText=plain', 'name='],
  ],
  objects: [['replicas=3']],
  printing: [
    ['str=bye', 'small=1e-3', 'bool=false'],
    ['big=2e6', 'list={p,q,r}', 'map.b=null'],
  ],
  scoping: [['enabled=false'], ['items={}', 'conf=null']],
  sprig: [
    ['image.tag=1.2', 'flag=true', 'words={q,r,s,q}'],
    ['version=1.19.0', 'labels.app=api'],
  ],
  umbrella: [
    ['back.enabled=true', 'front.enabled=false', 'global.domain=other.net'],
    ['front.leaf.color=blue', 'global.labels.owner=b'],
  ],
};

const charts = readdirSync(chartsDir).sort();
const cases = charts.flatMap((name) => [
  [name, [] as string[]] as const,
  ...(overrides[name] ?? []).map((set) => [name, set] as const),
]);

describe('Go-template charts render as the real helm renders them', () => {
  it('has overrides for every fixture chart and a fixture for every override', () => {
    expect(Object.keys(overrides).sort()).toEqual(charts);
  });

  it.each(cases)("chart %s with --set %j is byte for byte helm's output", async (name, set) => {
    const dir = join(chartsDir, name);
    const [ours, theirs] = await Promise.all([renderWithPortolan(dir, [...set]), helmTemplate(dir, [...set])]);
    expect(ours.manifests).toBe(theirs);
  });

  it.each([[[] as string[]], [['front.enabled=false']]])(
    'NOTES.txt of the umbrella chart with --set %j reads as helm install --dry-run prints it',
    async (set) => {
      const dir = join(chartsDir, 'umbrella');
      const [ours, theirs] = await Promise.all([
        renderWithPortolan(dir, set),
        helm(['install', 'rel', dir, '--namespace', 'ns', '--dry-run=client', ...set.flatMap((s) => ['--set', s])]),
      ]);
      expect(theirs.code, theirs.stderr).toBe(0);
      // helm prints the rendered notes with surrounding space trimmed after a `NOTES:` line, last in its report.
      const helmNotes = theirs.stdout.slice(theirs.stdout.indexOf('\nNOTES:\n') + '\nNOTES:\n'.length);
      expect(ours.notes.trim()).toBe(helmNotes.trim());
      expect(ours.notes.trim()).not.toBe('');
    },
  );
});

/**
 * Templates both refuse: name, template text (in templates/t.yaml of a chart named `errs`; each has a Go mark, as a
 * file that shows none is read in the chart's other dialect), the line helm's message names, and what each says.
 */
const refused: Array<{ name: string; template: string; line: number; helm: RegExp; portolan: RegExp }> = [
  {
    name: 'nil pointer: a field of a missing value',
    template: '{{ if true }}\na: {{ .Values.some.deep.path }}{{ end }}',
    line: 2,
    helm: /nil pointer evaluating interface \{\}\.deep/,
    portolan: /nil pointer evaluating interface \{\}\.deep/,
  },
  {
    name: 'a field of a string',
    template: '{{ if true }}\na: {{ .Values.str.x }}{{ end }}',
    line: 2,
    helm: /can't evaluate field x in type interface \{\}/,
    portolan: /can't evaluate field x in type string/,
  },
  {
    name: 'arguments to a value that is not a method',
    template: '{{ if true }}\na: {{ .Values.str 1 }}{{ end }}',
    line: 2,
    helm: /str is not a method but has arguments/,
    portolan: /str is not a method but has arguments/,
  },
  {
    name: 'fail',
    template: 'a: 1\n{{ fail "stop here" }}{{ if true }}{{ end }}',
    line: 2,
    helm: /stop here/,
    portolan: /stop here/,
  },
  {
    name: 'fail inside an included define',
    template: '{{ define "x" }}{{ fail "inside define" }}{{ end }}{{ if true }}\na: {{ include "x" . }}{{ end }}',
    line: 2,
    helm: /inside define/,
    portolan: /inside define/,
  },
  {
    name: 'required of a missing value',
    template: '{{- if true }}\na: {{ required "name is required" .Values.name }}\n{{- end }}',
    line: 2,
    helm: /name is required/,
    portolan: /name is required/,
  },
  {
    name: 'an unknown function',
    template: 'a: 1\n{{ if true }}{{ nosuchfunc 1 }}{{ end }}',
    line: 2,
    helm: /function "nosuchfunc" not defined/,
    portolan: /function "nosuchfunc" not defined/,
  },
  {
    name: 'an undefined variable',
    template: '{{ if true }}\na: {{ $nope }}{{ end }}',
    line: 2,
    helm: /undefined variable "\$nope"/,
    portolan: /undefined variable "\$nope"/,
  },
  {
    name: 'eq with one argument',
    template: '{{ if true }}\na: {{ eq 1 }}{{ end }}',
    line: 2,
    helm: /missing argument for comparison/,
    portolan: /missing argument for comparison/,
  },
  {
    name: 'eq of a string and an int',
    template: '{{ if true }}\na: {{ eq "a" 1 }}{{ end }}',
    line: 2,
    helm: /incompatible types for comparison/,
    portolan: /incompatible types for comparison/,
  },
  {
    name: 'eq of lists',
    template: '{{ if true }}\na: {{ eq (list 1) (list 1) }}{{ end }}',
    line: 2,
    helm: /non-comparable type/,
    portolan: /non-comparable type/,
  },
  {
    name: 'index past the end of a list',
    template: '{{ if true }}\na: {{ index .Values.list 5 }}{{ end }}',
    line: 2,
    helm: /index out of range: 5/,
    portolan: /index out of range: 5/,
  },
  {
    name: 'include of a template nobody defines',
    template: '{{ if true }}\na: {{ include "nope" . }}{{ end }}',
    line: 2,
    helm: /no template "nope"/,
    portolan: /no partial named "nope"/,
  },
  {
    name: 'a failure inside tpl',
    template: '{{ if true }}\na: {{ tpl "{{ .Values.missing.x }}" . }}{{ end }}',
    line: 2,
    helm: /nil pointer evaluating interface \{\}\.x/,
    portolan: /nil pointer evaluating interface \{\}\.x/,
  },
  {
    name: 'integer division by zero',
    template: '{{ if true }}\na: {{ div 1 0 }}{{ end }}',
    line: 2,
    helm: /integer divide by zero/,
    portolan: /integer divide by zero/,
  },
  {
    name: '{{ end }} that closes nothing',
    template: 'a: 1\n{{ end }}',
    line: 2,
    helm: /unexpected \{\{end\}\}/,
    portolan: /unexpected \{\{ end \}\}/,
  },
  {
    name: '{{ else }} outside a block',
    template: 'a: 1\n{{ else }}',
    line: 2,
    helm: /unexpected \{\{else\}\}/,
    portolan: /\{\{else\}\} outside a block/,
  },
  {
    name: 'an {{ if }} never closed',
    template: 'a: 1\n{{ if true }}\nb: 2',
    line: 4,
    helm: /unexpected EOF/,
    portolan: /\{\{ if \}\} \(line 2\) is never closed/,
  },
  {
    name: 'a {{ range }} never closed',
    template: 'a: 1\n{{ range .Values.list }}\nb: 2',
    line: 4,
    helm: /unexpected EOF/,
    portolan: /\{\{ range \}\} \(line 2\) is never closed/,
  },
  {
    name: '{{ break }} outside a range',
    template: 'a: 1\n{{ if true }}{{ break }}{{ end }}',
    line: 2,
    helm: /\{\{break\}\} outside \{\{range\}\}/,
    portolan: /\{\{ break \}\} outside \{\{ range \}\}/,
  },
  {
    name: 'a malformed number',
    template: '{{ if true }}{{ 1.2.3 }}{{ end }}',
    line: 1,
    helm: /unexpected "\.3" in operand/,
    portolan: /unexpected "\.3" in operand/,
  },
  {
    name: 'an unterminated string',
    template: '{{ if true }}{{ "abc }}{{ end }}',
    line: 1,
    helm: /unterminated quoted string/,
    portolan: /unterminated quoted string/,
  },
  {
    name: 'a stray right paren',
    template: '{{ if true }}{{ ) }}{{ end }}',
    line: 1,
    helm: /unexpected right paren/,
    portolan: /unexpected right paren/,
  },
];

describe('Go templates helm refuses, portolan refuses naming the file and line', () => {
  const root = mkdtempSync(join(tmpdir(), 'portolan-go-errors-'));

  function chartWith(index: number, template: string): string {
    const dir = join(root, String(index));
    mkdirSync(join(dir, 'templates'), { recursive: true });
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: errs\nversion: 0.1.0\n');
    writeFileSync(join(dir, 'values.yaml'), 'list: [a]\nnum: 1\nstr: s\n');
    writeFileSync(join(dir, 'templates', 't.yaml'), `${template}\n`);
    return dir;
  }

  it.each(refused.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, index) => {
    const dir = chartWith(index, c.template);
    const theirs = await helm(['template', 'rel', dir]);
    expect(theirs.code).not.toBe(0);
    expect(theirs.stderr).toMatch(c.helm);
    expect(theirs.stderr).toContain(`errs/templates/t.yaml:${c.line}`);

    const error = await renderWithPortolan(dir, []).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPortolanError(error), `portolan rendered or threw a non-PortolanError: ${String(error)}`).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(c.portolan);
    // The line may be the failing call's own (a define's line) as long as the chain names the template's line too.
    expect(message).toContain(`errs/templates/t.yaml:${c.line}`);
  });
});
