// The server's memory of small archives: least recently used archives leave first when the budget is reached.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RepoStore } from '../../src/repo/server/store.js';
import { chartArchive, tempDir } from './helpers.js';

describe('small archives in memory', () => {
  it('keeps the most recently used archives within the budget and reads an evicted one from disk again', async () => {
    const dir = tempDir();
    const archives = ['a', 'b', 'c'].map((name) => ({ file: `${name}-1.0.0.tgz`, ...chartArchive(name, '1.0.0') }));
    for (const { file, data } of archives) writeFileSync(join(dir, file), data);
    const [a, b, c] = archives as [(typeof archives)[0], (typeof archives)[0], (typeof archives)[0]];
    // Room for two of the three.
    const budget = Math.max(...archives.map((x) => x.data.length)) * 2;
    const { store } = await RepoStore.open(dir, { archiveMemoryBudget: budget });

    expect((await store.smallArchive(a.file))?.equals(a.data)).toBe(true);
    expect((await store.smallArchive(b.file))?.equals(b.data)).toBe(true);
    // a is used again, twice (the second time it is already the most recent): b is now the least recently used.
    expect(store.cachedArchive(a.file)?.equals(a.data)).toBe(true);
    expect(store.cachedArchive(a.file)?.equals(a.data)).toBe(true);
    expect((await store.smallArchive(c.file))?.equals(c.data)).toBe(true);

    expect(store.cachedArchive(b.file)).toBeUndefined();
    expect(store.cachedArchive(a.file)?.equals(a.data)).toBe(true);
    expect(store.cachedArchive(c.file)?.equals(c.data)).toBe(true);
    // What is in memory is served as it was read; b, no longer kept, is read from disk as it is now.
    writeFileSync(join(dir, a.file), 'changed behind the server');
    writeFileSync(join(dir, b.file), Buffer.alloc(b.data.length, 1));
    expect((await store.smallArchive(a.file))?.equals(a.data)).toBe(true);
    expect((await store.smallArchive(b.file))?.equals(Buffer.alloc(b.data.length, 1))).toBe(true);
    await store.close();
  });
});
