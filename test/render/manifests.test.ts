// From rendered text to objects: documents split on ---, empty ones dropped, Helm's install order, hooks apart,
// NOTES.txt on its own, and rendered YAML that does not parse reported with its template and line.
import { describe, expect, it } from 'vitest';
import { formatManifests, renderChart, sortByInstallOrder, splitDocuments } from '../../src/render/index.js';
import { prepareChart } from '../../src/values/index.js';
import { chartFrom, userValues } from '../helpers/charts.js';

async function renderFiles(files: Record<string, string>) {
  const prepared = prepareChart(chartFrom(files), await userValues({}));
  return renderChart(prepared.chart, prepared.values, { releaseName: 'rel' });
}

const object = (kind: string, name: string, extra = '') =>
  `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${extra}`;

describe('rendered documents', () => {
  it('split on --- at the start of a line as Helm does (a separator right after an empty document stays in the next)', () => {
    expect(splitDocuments('---\na: 1\n---\n\n---\n# only a comment\n---\nb: 2\nc: "---"\n').map((d) => d.text)).toEqual(
      ['a: 1', '---\n# only a comment', 'b: 2\nc: "---"'],
    );
  });

  it('sort by the install order of kinds, stable within a kind, unknown kinds last alphabetically', async () => {
    const result = await renderFiles({
      'templates/a.yaml': [object('Deployment', 'd'), object('Zeta', 'z'), object('Service', 's1')].join('---\n'),
      'templates/b.yaml': [
        object('Service', 's2'),
        object('Namespace', 'ns'),
        object('Alpha', 'x'),
        object('ConfigMap', 'c'),
      ].join('---\n'),
      'templates/empty.yaml': '{{#if false}}\nkind: Secret\n{{/if}}\n',
    });
    expect(result.manifests.map((m) => `${m.kind}/${m.name}`)).toEqual([
      'Namespace/ns',
      'ConfigMap/c',
      'Service/s1',
      'Service/s2',
      'Deployment/d',
      'Alpha/x',
      'Zeta/z',
    ]);
    expect(result.manifests.every((m) => m.source.startsWith('demo/templates/'))).toBe(true);
  });

  it('keep documents of comments only, as Helm does, sorted as a kind without a name and never an object to apply', async () => {
    const result = await renderFiles({
      'templates/a.yaml': [object('Zeta', 'z'), '# only a comment\n# and another\n', object('ConfigMap', 'c')].join(
        '---\n',
      ),
    });
    expect(result.manifests.map((m) => (m.commentOnly ? `comment:${m.text}` : `${m.kind}/${m.name}`))).toEqual([
      'ConfigMap/c',
      'comment:# only a comment\n# and another',
      'Zeta/z',
    ]);
  });

  it('put hooks apart with their events, weight and delete policies; unknown hook events are skipped with a warning', async () => {
    const hook = (name: string, annotations: string) => object('Job', name, `  annotations:\n${annotations}`);
    const result = await renderFiles({
      'templates/hooks.yaml': [
        hook(
          'migrate',
          '    helm.sh/hook: pre-install,pre-upgrade\n    helm.sh/hook-weight: "-5"\n    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded\n',
        ),
        hook('smoke', '    portolan.dev/hook: test\n'),
        hook('odd', '    helm.sh/hook: pre-nothing\n'),
      ].join('---\n'),
      'templates/cm.yaml': object('ConfigMap', 'cm', '  annotations:\n    note: not a hook\n'),
    });
    expect(result.manifests.map((m) => m.name)).toEqual(['cm']);
    expect(result.hooks.map((h) => [h.name, h.hook, h.hookWeight, h.hookDeletePolicies])).toEqual([
      ['migrate', ['pre-install', 'pre-upgrade'], -5, ['before-hook-creation', 'hook-succeeded']],
      ['smoke', ['test'], 0, []],
    ]);
    expect(result.warnings).toEqual([
      expect.stringMatching(/Job "odd" has unknown hook events \(pre-nothing\) and is skipped/),
    ]);
  });

  it('render NOTES.txt of the top chart apart from the manifests, and skip _ files', async () => {
    const result = await renderFiles({
      'templates/NOTES.txt': 'Hi {{ .Release.Name }}',
      'templates/_x.yaml': object('ConfigMap', 'never'),
      'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
      'charts/sub/templates/NOTES.txt': 'sub notes',
    });
    expect(result.notes).toBe('Hi rel');
    expect(result.manifests).toEqual([]);
  });

  it("name subchart templates parent/charts/sub/templates/…, rendered with the subchart's values", async () => {
    const result = await renderFiles({
      'values.yaml': 'sub: {text: from-parent}\n',
      'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
      'charts/sub/templates/cm.yaml': object('ConfigMap', '{{ .Values.text }}-{{ .Chart.Name }}'),
    });
    expect(result.manifests.map((m) => [m.source, m.name])).toEqual([
      ['demo/charts/sub/templates/cm.yaml', 'from-parent-sub'],
    ]);
  });

  it('report YAML that does not parse with the template, the line of its output, and the line itself', async () => {
    const error = await renderFiles({
      'templates/bad.yaml': 'a: 1\n---\nkind: ConfigMap\ndata:\n  a: b\n   c: d\n',
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      "demo/templates/bad.yaml:6: the rendered YAML does not parse (line 6 of the template's output): bad indentation of a mapping entry\n    6 |    c: d",
    );
  });

  it('refuse a document that is not a map', async () => {
    await expect(renderFiles({ 'templates/list.yaml': '- a\n- b\n' })).rejects.toThrow(
      /demo\/templates\/list\.yaml: a rendered document at line 1 of the template's output is a list, not a Kubernetes object/,
    );
  });

  it('print as helm template does: ---, # Source, the document', () => {
    expect(
      formatManifests([
        { source: 'c/templates/a.yaml', text: 'a: 1' },
        { source: 'c/templates/b.yaml', text: 'b: 2' },
      ]),
    ).toBe('---\n# Source: c/templates/a.yaml\na: 1\n---\n# Source: c/templates/b.yaml\nb: 2\n');
    expect(sortByInstallOrder([{ kind: 'Ingress' }, { kind: 'Service' }, { kind: undefined }])).toEqual([
      { kind: 'Service' },
      { kind: 'Ingress' },
      { kind: undefined },
    ]);
  });

  it('refuse a chart whose kubeVersion the target Kubernetes does not meet', async () => {
    const chart = chartFrom({ 'Chart.yaml': 'apiVersion: v2\nname: k\nversion: 1.0.0\nkubeVersion: ">=1.36.0-0"\n' });
    const prepared = prepareChart(chart, await userValues({}));
    expect(() => renderChart(prepared.chart, prepared.values, {})).toThrow(
      /chart "k" requires kubeVersion >=1\.36\.0-0, which does not include Kubernetes v1\.35\.0/,
    );
    expect(() => renderChart(prepared.chart, prepared.values, { kubeVersion: '1.36.1' })).not.toThrow();
  });
});
