import { describe, expect, it } from 'vitest';
import { isIgnored, parseHelmignore } from '../../src/chart/helmignore.js';

describe('.helmignore', () => {
  const rules = parseHelmignore(
    [
      '# comment',
      '*.bak',
      'secrets/',
      '/docs/internal.md',
      'templates/*.tmp',
      '*.md',
      '!README.md',
      'file[0-9].txt',
    ].join('\n'),
  );
  it.each([
    ['values.yaml.bak', false, true],
    ['templates/deployment.yaml.bak', false, true],
    ['secrets', true, true],
    ['secrets', false, false],
    ['docs/internal.md', false, true],
    ['other/docs/internal.md', false, true],
    ['templates/x.tmp', false, true],
    ['templates/sub/x.tmp', false, false],
    ['NOTES.md', false, true],
    ['README.md', false, false],
    ['sub/README.md', false, false],
    ['file7.txt', false, true],
    ['fileA.txt', false, false],
    ['templates/.hidden.yaml', false, true],
    ['values.yaml', false, false],
  ])('%s (folder: %s) ignored: %s', (path, isDir, expected) => {
    expect(isIgnored(rules, path, isDir)).toBe(expected);
  });

  it('anchors a leading slash at the chart root', () => {
    const anchored = parseHelmignore('/ci\n');
    expect(isIgnored(anchored, 'ci', true)).toBe(true);
    expect(isIgnored(anchored, 'templates/ci', true)).toBe(false);
  });
});
