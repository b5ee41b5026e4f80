import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_FILE, indexDirectory, writeIndexFile } from '../../src/repo/index-dir.js';
import { parseIndex, serializeIndex } from '../../src/repo/index-model.js';
import { makeTgz } from '../helpers/tar.js';
import { chartArchive, tempDir } from './helpers.js';

function writeArchive(dir: string, name: string, version: string, description?: string): string {
  const packaged = chartArchive(name, version, { description });
  writeFileSync(join(dir, packaged.fileName), packaged.data);
  return packaged.digest;
}

describe('indexDirectory', () => {
  it('indexes every archive with its digest, its file time as created, and relative or --url urls', async () => {
    const dir = tempDir();
    const d1 = writeArchive(dir, 'web', '1.0.0');
    writeArchive(dir, 'web', '1.2.0');
    mkdirSync(join(dir, 'team'));
    const packaged = chartArchive('db', '0.3.0');
    writeFileSync(join(dir, 'team', packaged.fileName), packaged.data);
    utimesSync(join(dir, 'web-1.0.0.tgz'), new Date('2023-05-06T07:08:09Z'), new Date('2023-05-06T07:08:09Z'));

    const { index, read, reused } = await indexDirectory(dir, { useCache: false });
    expect([read, reused]).toEqual([3, 0]);
    expect(index.entries.web?.map((e) => e.version)).toEqual(['1.2.0', '1.0.0']);
    const web1 = index.entries.web?.[1];
    expect(web1?.digest).toBe(d1);
    expect(web1?.created).toBe('2023-05-06T07:08:09.000Z');
    expect(web1?.urls).toEqual(['web-1.0.0.tgz']);
    expect(web1?.description).toBe('The web chart');
    expect(index.entries.db?.[0]?.urls).toEqual(['team/db-0.3.0.tgz']);

    const withUrl = await indexDirectory(dir, { url: 'https://charts.example.com/stable/', useCache: false });
    expect(withUrl.index.entries.db?.[0]?.urls).toEqual(['https://charts.example.com/stable/team/db-0.3.0.tgz']);
  });

  it('re-reads only the archive that changed, using the cache beside the index, and writes the same index a full run would', async () => {
    const dir = tempDir();
    for (let i = 0; i < 20; i++) writeArchive(dir, `c${i}`, '1.0.0');
    const now = new Date('2024-02-03T04:05:06Z');
    const cold = await indexDirectory(dir, { now });
    expect([cold.read, cold.reused]).toEqual([20, 0]);
    await writeIndexFile(dir, cold);
    // The cache keeps each archive's entry, and where each chart's block sits in index.yaml (not a second copy).
    const cache = JSON.parse(readFileSync(join(dir, CACHE_FILE), 'utf8')) as {
      archives: object;
      blocks: { charts: Record<string, [string, number, number]> };
    };
    expect(Object.keys(cache.archives)).toHaveLength(20);
    expect(Object.keys(cache.blocks.charts)).toHaveLength(20);
    const [, at, length] = cache.blocks.charts.c3 ?? ['', 0, 0];
    expect(readFileSync(join(dir, 'index.yaml'), 'utf8').slice(at, at + length)).toMatch(
      /^ {2}c3:\n {2}- apiVersion: v2\n/,
    );

    const warm = await indexDirectory(dir, { now });
    expect([warm.read, warm.reused]).toEqual([0, 20]);
    expect(warm.index.entries).toEqual(cold.index.entries);
    expect(warm.blocks?.size).toBe(20);

    // A touched archive (same bytes, new mtime) is read and hashed, its entry kept with the new created time.
    utimesSync(join(dir, 'c5-1.0.0.tgz'), new Date('2024-03-01T00:00:00Z'), new Date('2024-03-01T00:00:00Z'));
    const touched = await indexDirectory(dir, { now });
    expect([touched.read, touched.reused]).toEqual([1, 19]);
    expect(touched.index.entries.c5?.[0]).toEqual({
      ...cold.index.entries.c5?.[0],
      created: '2024-03-01T00:00:00.000Z',
    });
    expect(touched.blocks?.has('c5')).toBe(false);
    await writeIndexFile(dir, touched);

    // Same file name, new content: the cache sees a new size or mtime and reads that one archive.
    const newDigest = writeArchive(dir, 'c7', '1.0.0', 'A changed description that is longer');
    const incremental = await indexDirectory(dir, { now });
    expect([incremental.read, incremental.reused]).toEqual([1, 19]);
    expect(incremental.index.entries.c7?.[0]?.digest).toBe(newDigest);
    expect(incremental.index.entries.c7?.[0]?.description).toBe('A changed description that is longer');
    expect(incremental.blocks?.has('c7')).toBe(false);
    await writeIndexFile(dir, incremental);
    const written = readFileSync(join(dir, 'index.yaml'), 'utf8');
    expect(written).toContain('A changed description that is longer');
    // Byte for byte what indexing without any cache gives.
    expect(written).toBe(serializeIndex((await indexDirectory(dir, { now, useCache: false })).index));

    // An index.yaml replaced behind the cache's back gives no blocks: every chart is written afresh.
    writeFileSync(join(dir, 'index.yaml'), written.replace('c3:', 'c3 :'));
    const replaced = await indexDirectory(dir, { now });
    expect([replaced.read, replaced.blocks?.size]).toEqual([0, 0]);
    await writeIndexFile(dir, replaced);
    expect(readFileSync(join(dir, 'index.yaml'), 'utf8')).toBe(written);

    // Another --url invalidates every block (their urls change).
    const moved = await indexDirectory(dir, { now, url: 'https://x.example' });
    expect(moved.blocks?.size).toBe(0);
    await writeIndexFile(dir, moved);
    expect(parseIndex(readFileSync(join(dir, 'index.yaml')), 'i').index.entries.c1?.[0]?.urls).toEqual([
      'https://x.example/c1-1.0.0.tgz',
    ]);
  });

  it('skips archives that are not charts, or hostile, with a warning naming them', async () => {
    const dir = tempDir();
    writeArchive(dir, 'ok', '1.0.0');
    writeFileSync(join(dir, 'garbage.tgz'), 'not gzip at all');
    writeFileSync(
      join(dir, 'evil-1.0.0.tgz'),
      makeTgz([
        { name: 'evil/Chart.yaml', data: 'apiVersion: v2\nname: evil\nversion: 1.0.0\n' },
        { name: 'evil/../../etc/passwd', data: 'x' },
      ]),
    );
    writeFileSync(
      join(dir, 'misnamed-1.0.0.tgz'),
      makeTgz([{ name: 'other/Chart.yaml', data: 'apiVersion: v2\nname: misnamed\nversion: 1.0.0\n' }]),
    );
    const { index, warnings } = await indexDirectory(dir, { useCache: false });
    expect(Object.keys(index.entries)).toEqual(['ok']);
    expect(warnings).toHaveLength(3);
    expect(warnings.find((w) => w.startsWith('garbage.tgz: skipped'))).toMatch(/not a gzip/);
    expect(warnings.find((w) => w.startsWith('evil-1.0.0.tgz: skipped'))).toMatch(/\.\./);
    expect(warnings.find((w) => w.startsWith('misnamed-1.0.0.tgz: skipped'))).toMatch(/top folder "other\/"/);
  });

  it('merges another index: the folder wins for a version both have', async () => {
    const dir = tempDir();
    const digest = writeArchive(dir, 'web', '1.0.0');
    const merge = parseIndex(
      JSON.stringify({
        apiVersion: 'v1',
        entries: {
          web: [
            { name: 'web', version: '1.0.0', digest: 'old', urls: ['x'] },
            { name: 'web', version: '0.9.0', urls: ['https://old/web-0.9.0.tgz'] },
          ],
        },
      }),
      'old.json',
    ).index;
    const { index } = await indexDirectory(dir, { merge, useCache: false });
    expect(index.entries.web?.map((e) => [e.version, e.digest ?? null])).toEqual([
      ['1.0.0', digest],
      ['0.9.0', null],
    ]);
  });

  it('keeps the first archive of a duplicated name and version and says so', async () => {
    const dir = tempDir();
    writeArchive(dir, 'web', '1.0.0');
    mkdirSync(join(dir, 'copy'));
    writeFileSync(join(dir, 'copy', 'web-1.0.0.tgz'), readFileSync(join(dir, 'web-1.0.0.tgz')));
    const { index, warnings } = await indexDirectory(dir, { useCache: false });
    expect(index.entries.web?.[0]?.urls).toEqual(['copy/web-1.0.0.tgz']);
    expect(warnings).toEqual(['web-1.0.0.tgz: skipped: web 1.0.0 is already indexed from copy/web-1.0.0.tgz']);
    expect(statSync(join(dir, 'web-1.0.0.tgz')).isFile()).toBe(true);
  });
});
