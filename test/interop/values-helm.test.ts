// For the same chart, values files and --set flags, the values portolan's templates see equal what the real helm's
// templates see: one chart whose template is `{{ toJson .Values | quote }}` (valid in both engines) renders in both.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { helm, projectRoot } from '../helpers/peers.js';
import { portolan } from '../helpers/cli.js';

const chartDir = join(projectRoot, 'test', 'fixtures', 'interop-values');
const work = mkdtempSync(join(tmpdir(), 'portolan-interop-values-'));

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const staging = file('staging.yaml', 'replicas: 3\nimage:\n  tag: "2.0"\nlist: [x]\nkeep:\n  nested:\n    other: 2\n');
const nulls = file('nulls.yaml', 'image:\n  pullPolicy: null\nnotDefaulted: null\nkeep:\n  nested: null\n');
const multi = file('multi.yaml', 'a: 1\nb: {c: 1}\n---\nb: {d: 2}\na: 2\n');
const subValues = file(
  'sub.yaml',
  'sub:\n  port: 9090\n  items: [w, z]\nglobal:\n  tier: frontend\nother:\n  enabled: true\n  port: 7070\n',
);
const listFile = file('list.yaml', 'servers:\n  - name: a\n    port: 80\n  - name: b\n    port: 81\n');
const content = file('content.txt', 'line one\nline two\n');

const cases: Array<[string, string[]]> = [
  ['chart defaults alone', []],
  ['one values file over the defaults', ['-f', staging]],
  ['null deletes defaulted keys and stays where nothing was defaulted', ['-f', nulls]],
  ['a multi-document values file merges in order', ['-f', multi]],
  ['subchart values, aliases, conditions and globals', ['-f', subValues]],
  ['--set wins over -f whatever the order on the command line', ['--set', 'replicas=9', '-f', staging]],
  [
    '--set type inference',
    ['--set', 'a=true,b=FALSE,c=null,d=10,e=+1,f=-0,g=00,h=0x10,i=1e3,j=1.5,k=yes,l=~,m=,n=99999999999999999999'],
  ],
  ['--set lists, indices and padding', ['--set', 'arr={a,b,c},idx[2]=x,nested[1].name=n,matrix[0][1]=m']],
  ['--set over a default list replaces it', ['--set', 'list[1]=z']],
  ['--set edits a list from a values file in place', ['-f', listFile, '--set', 'servers[1].port=8081']],
  ['--set escapes', ['--set', 'dotted\\.key=v,comma=a\\,b,eq=x\\=y']],
  ['--set-string keeps strings', ['--set-string', 'n=10,b=true']],
  [
    '--set-json values and whole objects',
    ['--set-json', 'obj={"a":[1,2,{"b":null}]}', '--set-json', '{"top":{"x":1}}'],
  ],
  ['--set-literal takes the text as it is', ['--set-literal', 'lit=a,b\\c={d}']],
  ['--set-file reads the file', ['--set-file', `text=${content}`]],
  [
    "flag types apply in Helm's order",
    ['--set-literal', 'o=literal', '--set-string', 'o=string', '--set', 'o=set', '--set-json', 'o="json"'],
  ],
  ['--set into a subchart and globals', ['--set', 'sub.port=1,global.region=ap,other.enabled=true']],
];

async function helmValues(args: string[]): Promise<unknown> {
  const result = await helm(['template', 'rel', chartDir, ...args]);
  expect(result.stderr, `helm failed: ${result.stderr}`).not.toMatch(/Error/);
  return extract(result.stdout);
}

async function portolanValues(args: string[]): Promise<unknown> {
  const result = await portolan(['template', 'rel', chartDir, ...args]);
  expect(result.code, `portolan failed: ${result.stderr}`).toBe(0);
  return extract(result.stdout);
}

function extract(stdout: string): unknown {
  const docs = yaml.loadAll(stdout) as Array<{ data?: { values?: string } } | null>;
  const doc = docs.find((d) => d?.data?.values !== undefined);
  if (!doc?.data?.values) throw new Error(`no values ConfigMap in output:\n${stdout}`);
  return JSON.parse(doc.data.values);
}

describe('merged values match the real helm', () => {
  it.each(cases)('%s', async (_name, args) => {
    const [ours, theirs] = await Promise.all([portolanValues(args), helmValues(args)]);
    expect(ours).toEqual(theirs);
  });

  it('reads YAML 1.1 words and numbers as helm does (y/yes/on are booleans, 0755 is octal, keys too)', async () => {
    const words = file('words.yaml', 'answers: [y, yes, on, off, no, 0755, 1_000, 0x1F]\non: key\n');
    const [ours, theirs] = await Promise.all([portolanValues(['-f', words]), helmValues(['-f', words])]);
    expect((theirs as { answers: unknown[] }).answers).toEqual([true, true, true, false, false, 493, 1000, 31]);
    expect(ours).toEqual(theirs);
  });
});
