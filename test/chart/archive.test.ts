import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { loadChartArchive } from '../../src/chart/load.js';
import { PortolanError } from '../../src/errors.js';
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
    ['a symbolic link', [{ name: 'demo/templates/link.yaml', type: '2' as const, linkname: '/etc/passwd' }], /is a link/],
    ['a hard link', [{ name: 'demo/templates/hard.yaml', type: '1' as const, linkname: 'demo/Chart.yaml' }], /is a link/],
    ['an entry outside the top folder', [{ name: 'other/Chart.yaml', data: MINIMAL_CHART_YAML }], /outside the chart's top folder/],
  ])('refuses %s', (_label, extra, message) => {
    const error = refusal(makeTgz([{ name: 'demo/Chart.yaml', data: MINIMAL_CHART_YAML }, ...extra]));
    expect(error.code).toBe('ARCHIVE_INVALID');
    expect(error.message).toMatch(message);
    expect(error.message).toContain('evil.tgz');
  });

  it('refuses a single file over 5 MiB', () => {
    const error = refusal(makeTgz([{ name: 'demo/Chart.yaml', data: MINIMAL_CHART_YAML }, { name: 'demo/big.bin', data: Buffer.alloc(5 * 1024 * 1024 + 1) }]));
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
