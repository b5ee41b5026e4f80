// Reading user values: files (several documents, stdin), the flag types in Helm's order, where each value came
// from, and hostile input refused.
import { describe, expect, it } from 'vitest';
import { PortolanError } from '../../src/errors.js';
import { lineOf, originOf, parseValuesYaml } from '../../src/values/index.js';
import { userValues } from '../helpers/charts.js';

describe('values files', () => {
  it('merge several documents of one file in order, maps deeply', async () => {
    const { values } = await userValues(
      { valueFiles: ['m.yaml'] },
      { 'm.yaml': 'a: 1\nb: {c: 1}\n---\nb: {d: 2}\na: 2\n---\n' },
    );
    expect(values).toEqual({ a: 2, b: { c: 1, d: 2 } });
  });

  it('read YAML 1.1 as Helm: yes/on are booleans (keys too), dates stay strings, merge keys work', () => {
    expect(parseValuesYaml('a: yes\nb: on\nd: 2024-01-02\nbase: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n', 'v.yaml')).toEqual({
      a: true,
      b: true,
      d: '2024-01-02',
      base: { x: 1 },
      c: { x: 1, true: 2 },
    });
  });

  it('read `-f -` from standard input once, even when given twice', async () => {
    let reads = 0;
    const { readUserValues } = await import('../../src/values/index.js');
    const { values } = await readUserValues(
      { valueFiles: ['-', '-'], set: [], setString: [], setJson: [], setFile: [], setLiteral: [] },
      { readFile: async () => '', readStdin: async () => (reads++, 'x: 1\n') },
    );
    expect(values).toEqual({ x: 1 });
    expect(reads).toBe(1);
  });

  it('report malformed YAML with file:line:column', async () => {
    await expect(userValues({ valueFiles: ['bad.yaml'] }, { 'bad.yaml': 'a: b\n  c: d\n' })).rejects.toThrow(
      /^bad\.yaml:2:\d+: bad indentation/,
    );
  });

  it('report a document that is not a map, and a file that cannot be read', async () => {
    await expect(userValues({ valueFiles: ['l.yaml'] }, { 'l.yaml': '- a\n' })).rejects.toThrow(
      /l\.yaml: expected a map of values, found a list/,
    );
    await expect(userValues({ valueFiles: ['none.yaml'] })).rejects.toThrow(
      /cannot read values file none\.yaml: no such file/,
    );
  });

  it('refuse prototype keys with the file and line, and nothing reaches Object.prototype', async () => {
    for (const text of [
      'a: 1\n__proto__:\n  polluted: 1\n',
      'x:\n  constructor:\n    prototype:\n      polluted: 1\n',
      '{"__proto__": {"polluted": 1}}',
    ]) {
      const attempt = userValues({ valueFiles: ['evil.yaml'] }, { 'evil.yaml': text });
      await expect(attempt).rejects.toThrow(
        /evil\.yaml(:\d+)?: the key "(__proto__|constructor)" .* is not allowed in values/,
      );
      await expect(attempt).rejects.toHaveProperty('code', 'FORBIDDEN_KEY');
    }
    await expect(userValues({ setJson: ['{"__proto__":{"polluted":1}}'] })).rejects.toThrow(/not allowed/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuse a document whose aliases expand past a million values (a billion laughs)', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++)
      text += `a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]\n`;
    expect(() => parseValuesYaml(text, 'bomb.yaml')).toThrow(
      /bomb\.yaml: more than 1,000,000 values once YAML aliases are expanded/,
    );
  });
});

describe('flag order and origins', () => {
  it('apply by flag type, not position: -f, then --set-json, --set, --set-string, --set-file, --set-literal', async () => {
    const { values } = await userValues(
      {
        valueFiles: ['f.yaml'],
        setLiteral: ['o=literal'],
        setString: ['o=string,s=string'],
        set: ['o=set,s=set,j=set'],
        setJson: ['o="json"', 'j="json"'],
        setFile: ['f=content.txt'],
      },
      { 'f.yaml': 'o: file\nf: file\n', 'content.txt': 'from a file\n' },
    );
    expect(values).toEqual({ o: 'literal', s: 'string', j: 'set', f: 'from a file\n' });
  });

  it('remember the file and line, or the flag item, each value came from', async () => {
    const { origins } = await userValues(
      { valueFiles: ['prod.yaml'], set: ['image.tag=1.4.2,replicas=3'], setJson: ['{"probe":{"path":"/x"}}'] },
      { 'prod.yaml': '# production\nimage:\n  repository: web\n  tag: "1.0"\nservers:\n  - name: a\n    port: 80\n' },
    );
    expect(originOf(origins, ['image', 'tag'])).toBe('--set image.tag=1.4.2');
    expect(originOf(origins, ['image', 'repository'])).toBe('prod.yaml:3');
    expect(originOf(origins, ['servers', 0, 'port'])).toBe('prod.yaml:7');
    expect(originOf(origins, ['replicas'])).toBe('--set replicas=3');
    expect(originOf(origins, ['probe', 'path'])).toBe('--set-json {"probe":{"path":"/x"}}');
    expect(originOf(origins, ['nothing'])).toBeUndefined();
  });

  it('find lines in later documents and through flow maps', () => {
    const text = 'a: 1\n---\nb:\n  c: {d: 1, e: 2}\n  f: [x, y]\n';
    expect(lineOf(text, ['b', 'c', 'e'])).toBe(4);
    expect(lineOf(text, ['b', 'f', 1])).toBe(5);
    expect(lineOf(text, ['a'])).toBe(1);
  });

  it('report a --set-file that cannot be read, naming the file', async () => {
    const error = await userValues({ setFile: ['key=missing.txt'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortolanError);
    expect((error as PortolanError).message).toMatch(/--set-file: cannot read missing\.txt: no such file/);
  });
});
