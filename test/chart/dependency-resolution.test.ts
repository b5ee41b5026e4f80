// Which subcharts render and what values they see, proved against the real helm on one fixture chart whose templates
// both tools render (Helm-style single expressions): conditions, tags, aliases, and import-values in both forms.
// Then the example umbrella chart: webapp twice under two aliases plus the common library, globals reaching both.
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { helm, projectRoot } from '../helpers/peers.js';
import { portolan } from '../helpers/cli.js';
import { copyExampleCharts } from './examples.js';

type Obj = {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
};
const objects = (stdout: string): Obj[] =>
  (yaml.loadAll(stdout) as Array<Obj | null>).filter((d): d is Obj => d !== null);
const summary = (stdout: string) => Object.fromEntries(objects(stdout).map((o) => [o.metadata.name, o.data]));
const fixture = 'test/fixtures/dependencies/resolution';

describe('dependency resolution matches helm template', () => {
  const cases: Array<{ name: string; flags: string[]; rendered: string[] }> = [
    {
      name: 'defaults: no condition renders, a false condition beats a true tag, a true tag enables',
      flags: [],
      rendered: ['r-exporter', 'r-exporter2', 'r-first', 'r-parent', 'r-third'],
    },
    {
      name: 'every tag false disables a tag-only dependency',
      flags: ['--set', 'tags.extra=false'],
      rendered: ['r-exporter', 'r-exporter2', 'r-first', 'r-parent'],
    },
    {
      name: 'a true condition enables its chart though its only tag is false',
      flags: ['--set', 'second.enabled=true,tags.extra=false'],
      rendered: ['r-exporter', 'r-exporter2', 'r-first', 'r-parent', 'r-second'],
    },
    {
      name: 'any one true tag is enough',
      flags: ['--set', 'tags.extra=false,tags.other=true'],
      rendered: ['r-exporter', 'r-exporter2', 'r-first', 'r-parent', 'r-third'],
    },
    {
      name: 'a condition that is not a boolean is ignored, so the tags decide',
      flags: ['--set-string', 'second.enabled=false', '--set', 'tags.extra=true'],
      rendered: ['r-exporter', 'r-exporter2', 'r-first', 'r-parent', 'r-second', 'r-third'],
    },
    {
      name: 'parent values win over imported ones',
      flags: ['--set', 'exportedPort=9090,fromChild.mode=slow,first.color=green'],
      rendered: ['r-exporter', 'r-exporter2', 'r-first', 'r-parent', 'r-third'],
    },
  ];
  it.each(cases)('$name', async ({ flags, rendered }) => {
    const [ours, theirs] = await Promise.all([
      portolan(['template', 'r', fixture, ...flags]),
      helm(['template', 'r', join(projectRoot, fixture), ...flags]),
    ]);
    expect(ours.code, ours.stderr).toBe(0);
    expect(theirs.code, theirs.stderr).toBe(0);
    expect(Object.keys(summary(ours.stdout)).sort()).toEqual(rendered);
    expect(summary(ours.stdout)).toEqual(summary(theirs.stdout));
  });

  it('gives aliases their own values and the chart name, imports exports.data and child/parent pairs, and passes globals', async () => {
    const result = await portolan(['template', 'r', fixture]);
    const byName = summary(result.stdout);
    expect(byName['r-first']).toEqual({ color: 'red', env: 'test' });
    expect(byName['r-third']).toEqual({ color: 'blue', env: 'test' });
    expect(byName['r-parent']).toEqual({ env: 'test', exportedPort: '8080', mode: 'fast', own: 'parent' });
  });

  it('warns, as helm does, about a condition that is not a boolean', async () => {
    const result = await portolan(['template', 'r', fixture, '--set-string', 'second.enabled=false']);
    expect(result.stderr).toMatch(
      /condition "second\.enabled" of dependency "second" is string "false", not a boolean/,
    );
  });
});

describe('the umbrella example chart', () => {
  it('renders webapp as frontend and backend with their own values, the common partials, and globals in both', async () => {
    const work = copyExampleCharts(['umbrella', 'webapp', 'common'], 'portolan-umbrella-');
    const dir = join(work, 'umbrella');
    const built = await portolan(['dependency', 'build', dir]);
    expect(built.code, built.stderr).toBe(0);
    const lint = await portolan(['lint', dir, '--with-subcharts', '--quiet']);
    expect(lint.code, lint.stdout).toBe(0);

    const result = await portolan(['template', 'shop', dir]);
    expect(result.code, result.stderr).toBe(0);
    const list = objects(result.stdout);
    const deployments = list.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => [d.metadata.name, d.spec?.replicas])).toEqual([
      ['shop-backend', 3],
      ['shop-frontend', 2],
    ]);
    for (const d of deployments)
      expect(d.metadata.labels?.['portolan.dev/environment'], d.metadata.name).toBe('staging');
    expect(list.filter((o) => o.kind === 'Ingress').map((o) => o.metadata.name)).toEqual(['shop-frontend']);
    const components = list.find((o) => o.metadata.name === 'shop-components');
    expect(components?.metadata.labels).toMatchObject({
      'portolan.dev/environment': 'staging',
      'portolan.dev/team': 'shop',
      'app.kubernetes.io/part-of': 'shop',
    });
    expect(components?.data).toEqual({ frontend: 'shop-frontend', backend: 'enabled' });

    const without = await portolan(['template', 'shop', dir, '--set', 'backend.enabled=false,global.environment=prod']);
    expect(without.code, without.stderr).toBe(0);
    const rest = objects(without.stdout);
    expect(
      rest
        .filter((o) => o.kind === 'Deployment')
        .map((d) => [d.metadata.name, d.metadata.labels?.['portolan.dev/environment']]),
    ).toEqual([['shop-frontend', 'prod']]);
    expect(rest.find((o) => o.metadata.name === 'shop-components')?.data?.backend).toBe('disabled');
  });
});
