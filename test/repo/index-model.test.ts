import fc from 'fast-check';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  type ChartVersionEntry,
  type IndexFile,
  mergeIndexes,
  parseIndex,
  serializeIndex,
  sortIndex,
  withEntry,
} from '../../src/repo/index-model.js';
import { toYaml, yamlString } from '../../src/yaml-emit.js';

const entry = (name: string, version: string, extra: Partial<ChartVersionEntry> = {}): ChartVersionEntry => ({
  apiVersion: 'v2',
  name,
  version,
  urls: [`${name}-${version}.tgz`],
  created: '2024-01-02T03:04:05.000Z',
  digest: 'ab'.repeat(32),
  ...extra,
});

const HELM_STYLE = `apiVersion: v1
entries:
  alpine:
  - apiVersion: v2
    appVersion: 3.19.0
    created: "2024-05-01T10:00:00.123456789Z"
    description: Deploy a basic Alpine Linux pod
    digest: 515c58e5f79d8b2913a10cb400ebb6fa9c77fe813287afbacf1a0b897cd78727
    name: alpine
    urls:
    - https://charts.example.com/alpine-0.1.0.tgz
    version: 0.1.0
  - apiVersion: v2
    created: 2024-06-01T10:00:00Z
    name: alpine
    urls:
    - alpine-0.2.0.tgz
    version: 0.2.0
  broken:
  - name: broken
    version: not-a-version
    urls: [x.tgz]
  - name: broken
    version: 1.0.0
generated: "2024-06-01T10:00:00Z"
`;

describe('parseIndex', () => {
  it('reads Helm-style YAML, keeps times as strings and sorts versions newest first', () => {
    const { index, warnings } = parseIndex(HELM_STYLE, 'index.yaml');
    expect(index.apiVersion).toBe('v1');
    expect(index.entries.alpine?.map((e) => e.version)).toEqual(['0.2.0', '0.1.0']);
    expect(index.entries.alpine?.[1]?.created).toBe('2024-05-01T10:00:00.123456789Z');
    // An unquoted YAML timestamp stays the text that was written, not a Date.
    expect(index.entries.alpine?.[0]?.created).toBe('2024-06-01T10:00:00Z');
    expect(warnings).toEqual([
      'index.yaml: skipping invalid entry for chart "broken" not-a-version: version "not-a-version" is not valid SemVer',
    ]);
    // The valid sibling of an invalid entry is kept, and a missing apiVersion defaults to v1 as in Helm.
    expect(index.entries.broken?.map((e) => [e.version, e.apiVersion])).toEqual([['1.0.0', 'v1']]);
  });

  it('reads JSON first and gives the same model as the YAML of the same index', () => {
    const fromYaml = parseIndex(HELM_STYLE, 'a').index;
    const fromJson = parseIndex(JSON.stringify(yaml.load(HELM_STYLE, { schema: yaml.CORE_SCHEMA })), 'a').index;
    expect(fromJson).toEqual(fromYaml);
  });

  it('falls back to YAML when text starting with { is not JSON', () => {
    const { index } = parseIndex(
      '{apiVersion: v1, entries: {a: [{name: a, version: 1.0.0, urls: [a.tgz]}]}}',
      'flow.yaml',
    );
    expect(index.entries.a?.[0]?.version).toBe('1.0.0');
  });

  it('names each skipped entry and why', () => {
    const text = JSON.stringify({
      apiVersion: 'v1',
      entries: {
        x: [
          { version: '1.0.0' },
          'junk',
          { name: 'x/y', version: '1.0.0' },
          { name: 'x', version: '1.0.0', urls: 'x.tgz' },
        ],
        y: 'nope',
      },
    });
    const { index, warnings } = parseIndex(text, 'i.json');
    expect(index.entries).toEqual({});
    expect(warnings).toEqual([
      'i.json: skipping invalid entry for chart "x" 1.0.0: name is missing',
      'i.json: skipping invalid entry for chart "x" (#2): not a map',
      'i.json: skipping invalid entry for chart "x" 1.0.0: name "x/y" is not a valid chart name',
      'i.json: skipping invalid entry for chart "x" 1.0.0: urls must be a list of strings',
      'i.json: skipping chart "y": its entry is not a list of versions',
    ]);
  });

  it('refuses what is not an index at all, naming the file', () => {
    expect(() => parseIndex('entries: {}\n', 'no-api.yaml')).toThrow(/no-api\.yaml: not a valid index: no apiVersion/);
    expect(() => parseIndex('apiVersion: v1\nentries: [\n', 'bad.yaml')).toThrow(
      /bad\.yaml:\d+:\d+: not a valid index/,
    );
    expect(() => parseIndex('- a\n', 'list.yaml')).toThrow(/list\.yaml: not a valid index/);
  });
});

describe('serializeIndex', () => {
  it('writes YAML that parses back to the same index, in Helm layout', () => {
    const index: IndexFile = sortIndex({
      apiVersion: 'v1',
      generated: '2024-01-01T00:00:00.000Z',
      entries: {
        web: [
          entry('web', '1.0.0'),
          entry('web', '1.10.0-rc.1', {
            appVersion: '1.0',
            description: 'yes: no # not a comment',
            keywords: ['on', 'null', '012'],
          }),
        ],
        db: [
          entry('db', '2.0.0', {
            annotations: { 'artifacthub.io/changes': '- kind: added\n  description: "x"\n' },
            maintainers: [{ name: 'Ada', email: 'ada@example.com' }],
          }),
        ],
      },
    });
    const text = serializeIndex(index);
    expect(text.startsWith('apiVersion: v1\nentries:\n  db:\n  - annotations:\n')).toBe(true);
    expect(text).toContain('    version: 1.10.0-rc.1\n');
    expect(text).toContain('    appVersion: "1.0"\n');
    const back = parseIndex(text, 'round-trip').index;
    expect(back).toEqual(index);
    expect(back.entries.web?.map((e) => e.version)).toEqual(['1.10.0-rc.1', '1.0.0']);
    // And a YAML 1.2 reader that is not ours sees the same data.
    expect(yaml.load(text, { schema: yaml.CORE_SCHEMA })).toEqual(JSON.parse(JSON.stringify(index)));
  });

  it('gives the same bytes when assembled from memoised per-chart blocks, re-emitting only deleted ones', () => {
    const index: IndexFile = {
      apiVersion: 'v1',
      generated: '2024-01-01T00:00:00Z',
      annotations: { team: 'x' },
      serverInfo: { contextPath: '/r' },
      entries: { b: [entry('b', '1.0.0')], a: [entry('a', '2.0.0'), entry('a', '1.0.0')] },
    };
    const blocks = new Map<string, string>();
    expect(serializeIndex(index, { blocks })).toBe(serializeIndex(index));
    expect([...blocks.keys()].sort()).toEqual(['a', 'b']);
    blocks.set('b', '  b: STALE\n');
    const changed: IndexFile = { ...index, entries: { ...index.entries, a: [entry('a', '3.0.0')] } };
    blocks.delete('a');
    const text = serializeIndex(changed, { blocks });
    expect(text).toContain('  b: STALE\n');
    blocks.delete('b');
    expect(serializeIndex(changed, { blocks })).toBe(serializeIndex(changed));
    expect(serializeIndex({ apiVersion: 'v1', generated: 'g', entries: {} }, { blocks: new Map() })).toBe(
      'apiVersion: v1\nentries: {}\ngenerated: g\n',
    );
  });

  it('writes JSON with --json that is read back through the JSON path', () => {
    const index: IndexFile = { apiVersion: 'v1', generated: 'g', entries: { a: [entry('a', '1.0.0')] } };
    const text = serializeIndex(index, { json: true });
    expect(JSON.parse(text)).toEqual(index);
    expect(parseIndex(text, 'j').index).toEqual(index);
  });

  it('quotes every string a YAML 1.1 or 1.2 reader would take for something else', () => {
    for (const s of [
      'true',
      'No',
      'on',
      'Y',
      'null',
      '~',
      '1.0',
      '012',
      '0x1f',
      '1e3',
      '2024-01-01',
      '',
      ' lead',
      'trail ',
      'a: b',
      '#x',
      '- x',
      '*a',
      '&a',
      '!t',
      '%x',
      '@x',
      '`x',
      '"q"',
      "'q'",
      '{}',
      '[]',
      '|',
      '>',
      'a\nb',
      '\u2028',
    ]) {
      const text = toYaml({ k: s });
      expect(yaml.load(text, { schema: yaml.CORE_SCHEMA })).toEqual({ k: s });
      expect(yaml.load(text, { schema: yaml.DEFAULT_SCHEMA })).toEqual({ k: s });
    }
    expect(yamlString('1.2.3')).toBe('1.2.3');
    expect(yamlString('nginx')).toBe('nginx');
  });

  it('round-trips arbitrary strings, keys and nesting (property)', () => {
    // Helm's writer (JSON, then go-yaml v2) cannot keep every string: it refuses DEL, C1 controls and U+FFFE/U+FFFF,
    // folds NEL into a space and turns a lone surrogate into U+FFFD, as test/yaml-emit.test.ts shows. Leave those out.
    const text = fc
      .string({ unit: 'binary' })
      .map((s) =>
        s.replace(
          /[\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
          '',
        ),
      );
    const value = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('tree'), { maxLength: 4 }),
        fc.dictionary(text, tie('tree'), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(fc.dictionary(text, value.tree, { maxKeys: 5 }), (data) => {
        const clean = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
        expect(yaml.load(toYaml(clean), { schema: yaml.CORE_SCHEMA, json: true }) ?? {}).toEqual(clean);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips a 15,000-entry index through YAML and JSON (its speed is measured by bench/repo, not here)', () => {
    const entries: Record<string, ChartVersionEntry[]> = {};
    for (let c = 0; c < 500; c++) {
      entries[`chart-${c}`] = Array.from({ length: 30 }, (_, v) =>
        entry(`chart-${c}`, `1.${29 - v}.0`, {
          description: `Chart number ${c}`,
          keywords: ['a', 'b'],
          maintainers: [{ name: 'm' }],
        }),
      );
    }
    const index: IndexFile = { apiVersion: 'v1', generated: 'now', entries };
    const text = serializeIndex(index);
    const json = serializeIndex(index, { json: true });
    const back = parseIndex(json, 'big').index;
    const fromYaml = parseIndex(text, 'big.yaml').index;
    expect(text.length).toBeGreaterThan(4_000_000);
    expect(back.entries).toEqual(index.entries);
    expect(fromYaml.entries).toEqual(index.entries);
  });
});

describe('merge and edit', () => {
  it('keeps the primary entry for a shared version and adds the others (Helm --merge)', () => {
    const primary: IndexFile = {
      apiVersion: 'v1',
      generated: 'new',
      entries: { a: [entry('a', '1.0.0', { digest: 'new' })] },
    };
    const secondary: IndexFile = {
      apiVersion: 'v1',
      generated: 'old',
      entries: { a: [entry('a', '1.0.0', { digest: 'old' }), entry('a', '2.0.0')], b: [entry('b', '0.1.0')] },
    };
    const merged = mergeIndexes(primary, secondary);
    expect(merged.generated).toBe('new');
    expect(merged.entries.a?.map((e) => [e.version, e.digest])).toEqual([
      ['2.0.0', 'ab'.repeat(32)],
      ['1.0.0', 'new'],
    ]);
    expect(merged.entries.b).toHaveLength(1);
  });

  it('withEntry replaces the same version and keeps order, without touching the original', () => {
    const index: IndexFile = { apiVersion: 'v1', generated: 'g', entries: { a: [entry('a', '1.0.0')] } };
    const next = withEntry(withEntry(index, entry('a', '1.0.0', { digest: 'x' })), entry('a', '1.1.0'));
    expect(next.entries.a?.map((e) => [e.version, e.digest])).toEqual([
      ['1.1.0', 'ab'.repeat(32)],
      ['1.0.0', 'x'],
    ]);
    expect(index.entries.a).toHaveLength(1);
  });
});
