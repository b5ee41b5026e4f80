import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadChartArchive } from '../../src/chart/load.js';
import { PortolanError } from '../../src/errors.js';
import { portolan } from '../helpers/cli.js';
import { MINIMAL_CHART_YAML, makeTar, makeTgz } from '../helpers/tar.js';

function refusal(archive: Buffer): PortolanError {
  try {
    loadChartArchive(archive, 'evil.tgz');
  } catch (error) {
    expect(error).toBeInstanceOf(PortolanError);
    return error as PortolanError;
  }
  throw new Error('the archive was accepted');
}

describe('loading chart archives', () => {
  it('loads a well-formed archive with the top folder stripped', () => {
    const chart = loadChartArchive(
      makeTgz([
        { name: 'demo/', type: '5' },
        { name: 'demo/Chart.yaml', data: MINIMAL_CHART_YAML },
        { name: 'demo/values.yaml', data: 'replicas: 2\n' },
        { name: 'demo/templates/cm.yaml', data: 'kind: ConfigMap\n' },
        { name: 'demo/files/a.txt', data: 'A' },
        { name: 'demo/charts/sub/Chart.yaml', data: 'apiVersion: v2\nname: sub\nversion: 1.0.0\n' },
      ]),
      'demo-0.1.0.tgz',
    );
    expect(chart.metadata.name).toBe('demo');
    expect(chart.values).toEqual({ replicas: 2 });
    expect(chart.templates.map((t) => t.name)).toEqual(['templates/cm.yaml']);
    expect(chart.files.map((f) => f.name)).toEqual(['files/a.txt']);
    expect(chart.dependencies.map((d) => d.metadata.name)).toEqual(['sub']);
  });

  it.each([
    ['a path that climbs out with ..', [{ name: 'demo/../../etc/passwd', data: 'x' }], /leaves the chart folder/],
    ['an absolute path', [{ name: '/etc/cron.d/evil', data: 'x' }], /absolute path/],
    [
      'a symbolic link',
      [{ name: 'demo/templates/link.yaml', type: '2' as const, linkname: '/etc/passwd' }],
      /is a link/,
    ],
    [
      'a hard link',
      [{ name: 'demo/templates/hard.yaml', type: '1' as const, linkname: 'demo/Chart.yaml' }],
      /is a link/,
    ],
    [
      'an entry outside the top folder',
      [{ name: 'other/Chart.yaml', data: MINIMAL_CHART_YAML }],
      /outside the chart's top folder/,
    ],
  ])('refuses %s', (_label, extra, message) => {
    const error = refusal(makeTgz([{ name: 'demo/Chart.yaml', data: MINIMAL_CHART_YAML }, ...extra]));
    expect(error.code).toBe('ARCHIVE_INVALID');
    expect(error.message).toMatch(message);
    expect(error.message).toContain('evil.tgz');
  });

  it('refuses a single file over 5 MiB', () => {
    const error = refusal(
      makeTgz([
        { name: 'demo/Chart.yaml', data: MINIMAL_CHART_YAML },
        { name: 'demo/big.bin', data: Buffer.alloc(5 * 1024 * 1024 + 1) },
      ]),
    );
    expect(error.message).toMatch(/at most 5 MiB/);
  });

  it('refuses an archive that decompresses past 100 MiB (a gzip bomb)', () => {
    const fiveMiB = Buffer.alloc(5 * 1024 * 1024 - 1024);
    const entries = [{ name: 'demo/Chart.yaml', data: MINIMAL_CHART_YAML }];
    for (let i = 0; i < 21; i++) entries.push({ name: `demo/files/zero-${i}.bin`, data: fiveMiB as unknown as string });
    const bomb = gzipSync(makeTar(entries), { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const error = refusal(bomb);
    expect(error.message).toMatch(/decompresses to more than 100 MiB/);
  });

  it('refuses bytes that are not gzip', () => {
    expect(refusal(Buffer.from('PK\u0003\u0004 not a tgz')).message).toMatch(/not a gzip-compressed chart archive/);
  });

  it('refuses an archive without Chart.yaml, saying it is not a chart', () => {
    const error = refusal(makeTgz([{ name: 'demo/values.yaml', data: 'a: 1\n' }]));
    expect(error.code).toBe('CHART_INVALID');
    expect(error.message).toMatch(/Chart.yaml is missing/);
  });
});

describe('hostile archives through the CLI', () => {
  const work = mkdtempSync(join(tmpdir(), 'portolan-hostile-'));
  const chartYaml = { name: 'evil/Chart.yaml', data: 'apiVersion: v2\nname: evil\nversion: 1.0.0\n' };
  const hostile: Array<[string, Buffer, RegExp]> = [
    [
      'a path climbing out with ..',
      makeTgz([chartYaml, { name: 'evil/../../escaped.txt', data: 'x' }]),
      /leaves the chart folder/,
    ],
    ['an absolute path', makeTgz([chartYaml, { name: `${work}/absolute.txt`, data: 'x' }]), /absolute path/],
    [
      'a symbolic link',
      makeTgz([chartYaml, { name: 'evil/templates/link.yaml', type: '2', linkname: '/etc/passwd' }]),
      /is a link/,
    ],
    [
      'a decompressed size over 100 MiB (a gzip bomb)',
      gzipSync(
        makeTar([
          chartYaml,
          ...Array.from({ length: 21 }, (_, i) => ({
            name: `evil/files/zero-${i}.bin`,
            data: Buffer.alloc(5 * 1024 * 1024 - 1024),
          })),
        ]),
        { level: 9 },
      ),
      /decompresses to more than 100 MiB/,
    ],
  ];

  it.each(hostile)(
    'refuses an archive with %s in template, show, lint and package: exit 1, a clear message, nothing written',
    async (label, data, message) => {
      const dir = join(work, String(hostile.findIndex((h) => h[0] === label)));
      mkdirSync(join(dir, 'parent', 'charts'), { recursive: true });
      writeFileSync(join(dir, 'evil-1.0.0.tgz'), data);
      for (const args of [
        ['template', 'x', 'evil-1.0.0.tgz'],
        ['show', 'all', 'evil-1.0.0.tgz'],
        ['template', 'x', 'evil-1.0.0.tgz', '--output-dir', 'out'],
      ]) {
        const result = await portolan(args, { cwd: dir });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
        expect(result.stderr).toMatch(/^Error: /);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).not.toMatch(/bug in portolan|\n\s+at /);
        expect(result.stdout).toBe('');
      }
      // As a subchart under charts/ of a chart folder.
      writeFileSync(
        join(dir, 'parent', 'Chart.yaml'),
        'apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n  - name: evil\n    version: 1.0.0\n',
      );
      writeFileSync(join(dir, 'parent', 'charts', 'evil-1.0.0.tgz'), data);
      const rendered = await portolan(['template', 'x', 'parent'], { cwd: dir });
      expect(rendered.code).toBe(1);
      expect(rendered.stderr).toMatch(message);
      const linted = await portolan(['lint', 'parent', '--with-subcharts'], { cwd: dir });
      expect(linted.code).toBe(1);
      expect(linted.stdout).toMatch(message);
      const packaged = await portolan(['package', 'parent', '-d', 'dist'], { cwd: dir });
      expect(packaged.code).toBe(1);
      expect(packaged.stderr).toMatch(message);
      // Nothing was written anywhere: not beside the chart, not where the entries point, not in --output-dir.
      expect(
        readdirSync(dir)
          .filter((f) => f !== 'dist')
          .sort(),
      ).toEqual(['evil-1.0.0.tgz', 'parent']);
      expect(readdirSync(join(dir, 'dist'))).toEqual([]);
      expect(readdirSync(join(dir, 'parent')).sort()).toEqual(['Chart.yaml', 'charts']);
      expect(existsSync(join(work, 'escaped.txt'))).toBe(false);
      expect(existsSync(join(work, 'absolute.txt'))).toBe(false);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    },
  );
});

describe('loading chart archives: every layer is bounded', () => {
  const chartYaml = (name: string) => `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n`;
  const zeros = Buffer.alloc(5 * 1024 * 1024);
  const bulk = (top: string, count: number) =>
    Array.from({ length: count }, (_, i) => ({ name: `${top}/files/z${i}`, data: zeros }));

  it('refuses a tar gzipped twice, which a tar reader would otherwise inflate by itself without the limit', () => {
    const error = refusal(gzipSync(makeTgz([{ name: 'demo/Chart.yaml', data: MINIMAL_CHART_YAML }])));
    expect(error.message).toMatch(/^evil\.tgz: the archive is compressed twice/);
  });

  it("counts a subchart archive inside a subchart archive against the outer archive's 100 MiB", () => {
    const inner = makeTgz([{ name: 'inner/Chart.yaml', data: chartYaml('inner') }, ...bulk('inner', 12)]);
    const middle = makeTgz([
      { name: 'middle/Chart.yaml', data: chartYaml('middle') },
      ...bulk('middle', 9),
      { name: 'middle/charts/inner.tgz', data: inner },
    ]);
    const error = refusal(
      makeTgz([
        { name: 'demo/Chart.yaml', data: MINIMAL_CHART_YAML },
        { name: 'demo/charts/middle.tgz', data: middle },
      ]),
    );
    expect(error.message).toMatch(
      /evil\.tgz\/charts\/middle\.tgz\/charts\/inner\.tgz: the archive decompresses to more than 100 MiB \(counting the archives inside it\)/,
    );
  });

  it('refuses two entries for one path, also when one of them is written ./path', () => {
    const error = refusal(
      makeTgz([
        { name: 'demo/Chart.yaml', data: MINIMAL_CHART_YAML },
        { name: './demo/Chart.yaml', data: MINIMAL_CHART_YAML },
      ]),
    );
    expect(error.message).toBe('evil.tgz: two entries for "demo/Chart.yaml"; an archive may hold each path once');
  });
});
