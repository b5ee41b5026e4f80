// `portolan convert --to go`, `package --for-helm` and `create --dialect go`: handlebars charts rewritten as Go
// templates that the real helm renders exactly as portolan renders the originals.
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { handlebarsToGo } from '../../src/convert/to-go.js';
import { helperNames } from '../../src/render/engine.js';
import { helm, projectRoot } from '../helpers/peers.js';
import { portolan } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'portolan-convert-'));
const helpers = new Set(helperNames());
const toGo = (text: string, defaults: unknown = {}) => handlebarsToGo(text, 't.yaml', (n) => helpers.has(n), defaults);

/** portolan in this process, in the work folder. */
const cli = (args: string[]) => portolan(args, { cwd: work });

/** helm's render of `goChart` against portolan's of `original`, the same text but for the managed-by label. */
async function expectSameRender(original: string, goChart: string, set: string[] = []): Promise<void> {
  const flags = set.flatMap((s) => ['--set', s]);
  const ours = await cli(['template', 'rel', original, ...flags]);
  expect(ours.code, ours.stderr).toBe(0);
  const theirs = await helm(['template', 'rel', goChart, ...flags]);
  expect(theirs.code, theirs.stderr).toBe(0);
  expect(theirs.stdout.replaceAll('managed-by: Helm', 'managed-by: portolan')).toBe(ours.stdout);
}

describe('handlebars templates as Go templates', () => {
  it.each([
    ['{{ .Values.name | upper }}', '{{ upper .Values.name }}'],
    ['{{ include "x.labels" . | nindent 4 }}', '{{ include "x.labels" . | nindent 4 }}'],
    [
      '{{#if Values.on}}a{{else if (eq .Values.mode "b")}}b{{else}}c{{/if}}',
      '{{ if .Values.on }}a{{ else if eq .Values.mode "b" }}b{{ else }}c{{ end }}',
    ],
    ['{{#unless .Values.off}}x{{/unless}}', '{{ if not .Values.off }}x{{ end }}'],
    ['{{#each Values.list}}{{ . }}{{/each}}', '{{ range .Values.list }}{{ . }}{{ end }}'],
    [
      '{{#each Values.map}}{{ @key }}={{ this }} {{/each}}',
      '{{ range $key, $_ := .Values.map }}{{ $key }}={{ . }} {{ end }}',
    ],
    [
      '{{#each Values.list as |item i|}}{{ i }}:{{ item.name }}{{/each}}',
      '{{ range $i, $item := .Values.list }}{{ $i }}:{{ $item.name }}{{ end }}',
    ],
    [
      '{{#each Values.hosts}}{{#each paths}}{{ ../host }}{{ .path }}{{/each}}{{/each}}',
      '{{ range $host := .Values.hosts }}{{ range .paths }}{{ $host.host }}{{ .path }}{{ end }}{{ end }}',
    ],
    ['{{#with Values.a}}{{ .b }}{{else}}none{{/with}}', '{{ with .Values.a }}{{ .b }}{{ else }}none{{ end }}'],
    ['{{#define "x"}}{{ @root.Values.a }}{{/define}}', '{{ define "x" }}{{ $.Values.a }}{{ end }}'],
    ['{{!-- a note --}}x', '{{/* a note */}}x'],
    ['literal \\{{ braces }}', 'literal {{ "{{" }} braces }}'],
    ['{{ Values.[my-key] }}', '{{ (index . "Values" "my-key") }}'],
    // A path the defaults do not hold as a map is guarded as handlebars reads it: nil, not a failure.
    ['{{ .Values.global.env }}|{{ .Values.image.tag }}', '{{ (.Values.global).env }}|{{ .Values.image.tag }}'],
  ])('%s', (hbs, go) => {
    const result = toGo(hbs, { image: { tag: 'x' } });
    expect(result.problems).toEqual([]);
    expect(result.text).toBe(go);
  });

  it('keeps a block whose tags stand alone on their lines as the author laid it out, with {{- on its tags', () => {
    const result = toGo(
      'spec:\n  {{#if Values.a}}\n  replicas: 1\n  {{else}}\n  replicas: 2\n  {{/if}}\n  selector: x\n',
    );
    expect(result.text).toBe(
      'spec:\n  {{- if .Values.a }}\n  replicas: 1\n  {{- else }}\n  replicas: 2\n  {{- end }}\n  selector: x\n',
    );
  });

  it('reports what Go cannot express, with the line', () => {
    const result = toGo('a\n{{#each Values.l}}{{#if @first}}x{{/if}}{{/each}}\n{{ f a=1 }}');
    expect(result.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '2: @first and @last have no Go equivalent inside range',
      '2: @first has no Go equivalent here',
      '3: key=value arguments (a) have no Go equivalent',
    ]);
  });
});

describe('portolan convert', () => {
  it('writes charts/webapp as Go templates that helm renders as portolan renders the original, with any values', async () => {
    const out = join(work, 'webapp-go');
    const result = await cli(['convert', join(projectRoot, 'charts/webapp'), '--to', 'go', '--output-dir', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Converted \d+ template\(s\) to go templates in /);
    expect(readFileSync(join(out, 'templates/deployment.yaml'), 'utf8')).toContain(
      '  {{- if not .Values.autoscaling.enabled }}\n  replicas: {{ .Values.replicaCount }}\n  {{- end }}',
    );
    const original = join(projectRoot, 'charts/webapp');
    await expectSameRender(original, out);
    await expectSameRender(original, out, [
      'autoscaling.enabled=true',
      'ingress.enabled=true',
      'global.environment=prod',
      'podAnnotations.a=b',
    ]);
    // Converting the Go chart again changes nothing: it holds no handlebars.
    expect((await cli(['convert', out, '--to', 'go', '--output-dir', join(work, 'webapp-go-again')])).stdout).toMatch(
      /^Converted 0 template/,
    );
  });

  it('refuses an output folder that exists, unless --force', async () => {
    const out = join(work, 'hello-go');
    expect((await cli(['convert', join(projectRoot, 'charts/hello'), '--to', 'go', '--output-dir', out])).code).toBe(0);
    const again = await cli(['convert', join(projectRoot, 'charts/hello'), '--to', 'go', '--output-dir', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/hello-go already exists/);
    expect(
      (await cli(['convert', join(projectRoot, 'charts/hello'), '--to', 'go', '--output-dir', out, '--force'])).code,
    ).toBe(0);
  });

  it('fails on a template Go cannot express, naming file and line, and copies it with --allow-partial', async () => {
    const chart = join(work, 'firsts');
    cpSync(join(projectRoot, 'charts/hello'), chart, { recursive: true });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      join(chart, 'templates/list.yaml'),
      'items:\n{{#each Values.items}}\n  - {{#if @last}}last{{/if}}\n{{/each}}\n',
    );
    const failed = await cli(['convert', chart, '--to', 'go', '--output-dir', join(work, 'firsts-go')]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('templates/list.yaml:2: @first and @last have no Go equivalent inside range');
    expect(readdirSync(work)).not.toContain('firsts-go');
    const partial = await cli([
      'convert',
      chart,
      '--to',
      'go',
      '--output-dir',
      join(work, 'firsts-go'),
      '--allow-partial',
    ]);
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stderr).toContain('templates/list.yaml copied unchanged (--allow-partial)');
    expect(readFileSync(join(work, 'firsts-go/templates/list.yaml'), 'utf8')).toContain('{{#each Values.items}}');
  });
});

describe('Helm-compatible charts from portolan', () => {
  it('create --dialect go writes the scaffold in Go templates, rendering as the handlebars scaffold does', async () => {
    expect((await cli(['create', 'scaffold-hbs'])).code).toBe(0);
    expect((await cli(['create', 'scaffold-go', '--dialect', 'go'])).code).toBe(0);
    // The same chart name on both sides: copy the Go scaffold under the handlebars one's name.
    const goChart = join(work, 'go', 'scaffold-hbs');
    cpSync(join(work, 'scaffold-go'), goChart, { recursive: true });
    const { readFileSync: read, writeFileSync: write, readdirSync: list } = await import('node:fs');
    const rename = (dir: string) => {
      for (const entry of list(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) rename(path);
        else write(path, read(path, 'utf8').replaceAll('scaffold-go', 'scaffold-hbs'));
      }
    };
    rename(goChart);
    expect(read(join(goChart, 'templates/deployment.yaml'), 'utf8')).not.toMatch(/\{\{[#/]/);
    const hbs = join(work, 'scaffold-hbs');
    await expectSameRender(hbs, goChart);
    await expectSameRender(hbs, goChart, [
      'ingress.enabled=true',
      'service.type=NodePort',
      'autoscaling.enabled=true',
      'serviceAccount.create=false',
    ]);
    await expectSameRender(hbs, goChart, [
      'httpRoute.enabled=true',
      'ingress.tls[0].secretName=x',
      'service.type=LoadBalancer',
    ]);
  });

  it('package --for-helm writes an archive helm templates as portolan templates the chart', async () => {
    const result = await cli(['package', join(projectRoot, 'charts/webapp'), '--for-helm', '-d', join(work, 'dist')]);
    expect(result.code, result.stderr).toBe(0);
    const archive = join(work, 'dist', readdirSync(join(work, 'dist')).find((f) => f.startsWith('webapp-')) as string);
    await expectSameRender(join(projectRoot, 'charts/webapp'), archive, ['ingress.enabled=true']);
  });
});
