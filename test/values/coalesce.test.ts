// Coalescing user values with chart defaults as Helm 4.1 does: maps merge, lists and scalars replace, nulls delete,
// subcharts are scoped under their name or alias with globals copied down, and dependencies switch on and off.
import { describe, expect, it } from 'vitest';
import { prepareChart } from '../../src/values/index.js';
import { chartFrom, userValues } from '../helpers/charts.js';

const sub = (name: string, values: string) => ({
  [`charts/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`,
  [`charts/${name}/values.yaml`]: values,
});

async function prepare(
  files: Record<string, string>,
  options: Parameters<typeof userValues>[0] = {},
  valueFiles: Record<string, string> = {},
) {
  return prepareChart(chartFrom(files), await userValues(options, valueFiles));
}

describe('coalescing with chart defaults', () => {
  it('merges maps deeply and replaces lists and scalars whole', async () => {
    const { values } = await prepare(
      { 'values.yaml': 'image: {repo: a, tag: "1"}\nlist: [a, b]\ncount: 1\n' },
      { set: ['image.tag=2', 'list={c}', 'count=5'] },
    );
    expect(values).toEqual({ image: { repo: 'a', tag: 2 }, list: ['c'], count: 5 });
  });

  it('deletes a defaulted key a user sets to null, at the top and nested', async () => {
    const { values } = await prepare(
      { 'values.yaml': 'a: 1\nb: {c: 1, d: 2}\n' },
      { valueFiles: ['u.yaml'] },
      { 'u.yaml': 'a: null\nb: {c: null}\n' },
    );
    expect(values).toEqual({ b: { d: 2 } });
  });

  it('keeps a user null where the chart has no default, and keeps chart-default nulls (Helm 4.1)', async () => {
    const { values } = await prepare(
      { 'values.yaml': 'keep: null\nm: {x: 1}\n' },
      { valueFiles: ['u.yaml'] },
      { 'u.yaml': 'new: null\nm: {z: null}\n' },
    );
    expect(values).toEqual({ keep: null, new: null, m: { x: 1, z: null } });
  });

  it('does not change the loaded chart or the user values', async () => {
    const chart = chartFrom({ 'values.yaml': 'a: {b: 1}\n' });
    const user = await userValues({ set: ['a.c=2'] });
    prepareChart(chart, user);
    expect(chart.values).toEqual({ a: { b: 1 } });
    expect(user.values).toEqual({ a: { c: 2 } });
  });
});

describe('subcharts', () => {
  const files = {
    'Chart.yaml':
      'apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n  - name: sub\n    alias: other\n    version: 0.1.0\n',
    'values.yaml': 'global: {region: eu, nested: {a: 1}}\nsub: {port: 9000}\n',
    ...sub('sub', 'port: 8080\nhost: sub.local\nglobal: {region: us, tier: backend, nested: {b: 2}}\n'),
  };

  it('scope values under the name or alias, parents over subchart defaults', async () => {
    const { values, chart } = await prepare(files, { set: ['other.host=o.local'] });
    expect(chart.dependencies.map((d) => d.metadata.name)).toEqual(['sub', 'other']);
    expect(values.sub).toMatchObject({ port: 9000, host: 'sub.local' });
    expect(values.other).toMatchObject({ port: 8080, host: 'o.local' });
  });

  it("see the parent's globals, merged over their own, and the top chart keeps its own", async () => {
    const { values } = await prepare(files, { set: ['global.region=ap'] });
    expect((values.sub as { global: unknown }).global).toEqual({
      region: 'ap',
      tier: 'backend',
      nested: { a: 1, b: 2 },
    });
    expect(values.global).toEqual({ region: 'ap', nested: { a: 1 } });
  });

  it('see an empty global map when nothing sets one', async () => {
    const { values } = await prepare({ ...sub('lone', 'x: 1\n') });
    expect(values.lone).toEqual({ x: 1, global: {} });
  });

  it("refuses a value that is not a map at a subchart's key, naming the subchart and where it came from", async () => {
    await expect(prepare(files, { set: ['sub=oops'] })).rejects.toThrow(
      /the values of subchart "sub" must be a map, found string "oops" \(value from --set sub=oops\)/,
    );
  });
});

describe('enabling dependencies', () => {
  const parent = (deps: string) => `apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n${deps}`;
  const two = { ...sub('a', 'x: 1\n'), ...sub('b', 'y: 1\n') };
  const names = async (deps: string, values: string, options: Parameters<typeof userValues>[0] = {}) => {
    const prepared = await prepare({ 'Chart.yaml': parent(deps), 'values.yaml': values, ...two }, options);
    return { names: prepared.chart.dependencies.map((d) => d.metadata.name), prepared };
  };

  it('drops a subchart whose condition is false, and its values get no defaults', async () => {
    const { names: enabled, prepared } = await names(
      '  - name: a\n    condition: a.enabled\n  - name: b\n',
      'a: {enabled: false}\n',
    );
    expect(enabled).toEqual(['b']);
    expect(prepared.values.a).toEqual({ enabled: false });
  });

  it('lets the first condition path that exists decide', async () => {
    const { names: enabled } = await names(
      '  - name: a\n    condition: missing.flag,a.active,b.active\n  - name: b\n',
      'a: {active: false}\nb: {active: true}\n',
    );
    expect(enabled).toEqual(['b']);
  });

  it('warns about a condition that is not a boolean and keeps the chart', async () => {
    const { names: enabled, prepared } = await names(
      '  - name: a\n    condition: a.enabled\n  - name: b\n',
      'a: {enabled: "false"}\n',
    );
    expect(enabled).toEqual(['a', 'b']);
    expect(prepared.warnings.join('\n')).toMatch(
      /condition "a.enabled" of dependency "a" is string "false", not a boolean/,
    );
  });

  it('disables by tags when no tag is true, and a condition beats tags', async () => {
    const deps = '  - name: a\n    tags: [front]\n  - name: b\n    tags: [back]\n    condition: b.enabled\n';
    expect((await names(deps, 'tags: {front: false, back: false}\nb: {enabled: true}\n')).names).toEqual(['b']);
    expect((await names(deps, 'tags: {front: true}\n')).names).toEqual(['a', 'b']);
    expect((await names(deps, '', { set: ['tags.front=false'] })).names).toEqual(['b']);
  });

  it('leaves a dependency without a version unaliased and under its own name, as Helm does', async () => {
    const { names: enabled } = await names(
      '  - name: a\n    alias: first\n  - name: b\n    alias: second\n    version: 0.1.0\n',
      '',
    );
    expect(enabled).toEqual(['a', 'second']);
  });

  it('takes --set into account for conditions, and keeps charts in charts/ that Chart.yaml does not list', async () => {
    expect((await names('  - name: a\n    condition: a.enabled\n', '', { set: ['a.enabled=false'] })).names).toEqual([
      'b',
    ]);
  });
});

describe('import-values', () => {
  const chart = (imports: string) => ({
    'Chart.yaml': `apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n  - name: db\n    version: 0.1.0\n    import-values:\n${imports}`,
    'values.yaml': 'own: 1\nsettings: {port: 1}\n',
    ...sub('db', 'exports:\n  data: {port: 5432, user: app}\nconfig: {pool: 10}\n'),
  });

  it("pulls a child's exports.NAME into the parent (the string form)", async () => {
    const { values } = await prepare(chart('      - data\n'));
    expect(values).toMatchObject({ own: 1, port: 5432, user: 'app' });
  });

  it("pulls child into parent paths (the map form), the parent's own values winning", async () => {
    const { values } = await prepare(chart('      - child: config\n        parent: settings\n'));
    expect(values.settings).toEqual({ port: 1, pool: 10 });
  });
});
