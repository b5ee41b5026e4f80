// The indexer's fast Chart.yaml scan must refuse exactly what the chart loader refuses, and read what it reads.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readChartArchive } from '../../src/chart/archive.js';
import { scanChartYaml } from '../../src/repo/archive-scan.js';
import { makeTgz, type RawEntry } from '../helpers/tar.js';
import { chartArchive } from './helpers.js';

const CHART = 'apiVersion: v2\nname: demo\nversion: 0.1.0\n';

function pax(records: Record<string, string>): RawEntry {
  const body = Object.entries(records)
    .map(([k, v]) => {
      const text = ` ${k}=${v}\n`;
      let length = text.length + 1;
      while (`${length}${text}`.length !== length) length++;
      return `${length}${text}`;
    })
    .join('');
  return { name: 'PaxHeader', type: 'x' as RawEntry['type'], data: body };
}

const hostile: Array<[string, RawEntry[]]> = [
  [
    'absolute path',
    [
      { name: 'demo/Chart.yaml', data: CHART },
      { name: '/etc/passwd', data: 'x' },
    ],
  ],
  [
    'dot-dot',
    [
      { name: 'demo/Chart.yaml', data: CHART },
      { name: 'demo/../../x', data: 'x' },
    ],
  ],
  [
    'symlink',
    [
      { name: 'demo/Chart.yaml', data: CHART },
      { name: 'demo/l', type: '2', linkname: '../../etc' },
    ],
  ],
  [
    'hard link',
    [
      { name: 'demo/Chart.yaml', data: CHART },
      { name: 'demo/h', type: '1', linkname: 'demo/Chart.yaml' },
    ],
  ],
  [
    'outside the top folder',
    [
      { name: 'demo/Chart.yaml', data: CHART },
      { name: 'other/x', data: 'x' },
    ],
  ],
  ['file at the top', [{ name: 'Chart.yaml', data: CHART }]],
  [
    'pax path with ..',
    [{ name: 'demo/Chart.yaml', data: CHART }, pax({ path: 'demo/../../evil' }), { name: 'demo/innocent', data: 'x' }],
  ],
  [
    'oversize file',
    [
      { name: 'demo/Chart.yaml', data: CHART },
      { name: 'demo/big', data: Buffer.alloc(5 * 1024 * 1024 + 1) },
    ],
  ],
  ['no Chart.yaml', [{ name: 'demo/values.yaml', data: 'a: 1\n' }]],
  [
    'two entries for Chart.yaml',
    [
      { name: 'demo/Chart.yaml', data: CHART },
      { name: 'demo/Chart.yaml', data: CHART.replace('0.1.0', '1.0.0') },
    ],
  ],
  [
    'a GNU header whose time fields a prefix-reading tar would take for a path',
    [
      { name: 'demo/Chart.yaml', data: CHART },
      { name: 'Chart.yaml', data: CHART, magic: 'gnu', prefix: 'demo' },
    ],
  ],
];

describe('scanChartYaml', () => {
  it('reads the Chart.yaml of a real package', () => {
    const packaged = chartArchive('web', '1.2.3');
    const { topFolder, chartYaml } = scanChartYaml(packaged.data, 'web.tgz');
    expect(topFolder).toBe('web');
    expect(chartYaml.toString()).toBe(
      readChartArchive(packaged.data, 'web.tgz')
        .files.find((f) => f.name === 'Chart.yaml')
        ?.data.toString(),
    );
  });

  it('follows pax and GNU long names as the loader does', () => {
    const long = `demo/${'d'.repeat(120)}/file.txt`;
    const archive = makeTgz([
      { name: 'demo/x', data: 'x' },
      pax({ path: long }),
      { name: 'demo/short', data: 'y' },
      { name: 'demo/Chart.yaml', data: CHART },
    ]);
    expect(scanChartYaml(archive, 'a').chartYaml.toString()).toBe(CHART);
    expect(readChartArchive(archive, 'a').files.map((f) => f.name)).toContain(long.slice('demo/'.length));
  });

  for (const [label, entries] of hostile) {
    it(`refuses an archive with ${label}, as the loader does`, () => {
      const archive = makeTgz(entries);
      expect(() => scanChartYaml(archive, 'evil.tgz')).toThrow(/^evil\.tgz: /);
      if (label !== 'no Chart.yaml') expect(() => readChartArchive(archive, 'evil.tgz')).toThrow();
    });
  }

  it('refuses a tar gzipped twice (repo index skips it with a warning)', () => {
    expect(() => scanChartYaml(gzipSync(makeTgz([{ name: 'demo/Chart.yaml', data: CHART }])), 'x.tgz')).toThrow(
      /^x\.tgz: the archive is compressed twice/,
    );
  });

  it('refuses what is not gzip, or not tar inside', () => {
    expect(() => scanChartYaml(Buffer.from('plain text'), 'x.tgz')).toThrow(/not a gzip-compressed chart archive/);
    expect(() => scanChartYaml(makeTgz([]).subarray(0, 10), 'x.tgz')).toThrow(/x\.tgz: /);
  });
});
