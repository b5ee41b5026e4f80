// `portolan create` without rendering: the files, the schema's coverage of values.yaml, names, starters, refusals.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { createChart, renameStarter, scaffoldChart, validateChartName } from '../../src/chart/create.js';
import { lintSchemaText } from '../../src/lint/values.js';
import { findYaml11Scalars } from '../../src/lint/yaml11.js';
import { isPortolanError } from '../../src/errors.js';

const work = mkdtempSync(join(tmpdir(), 'portolan-create-unit-'));
const text = (files: ReturnType<typeof scaffoldChart>, name: string): string => {
  const file = files.find((f) => f.name === name);
  if (!file) throw new Error(`${name} missing from ${files.map((f) => f.name).join(', ')}`);
  return file.data.toString('utf8');
};

type SchemaNode = {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: unknown;
};

/** Every key path of a values tree (lists descend into their items), e.g. ingress.hosts[].paths[].pathType. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => keyPaths(item, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const path = prefix === '' ? k : `${prefix}.${k}`;
    return [path, ...keyPaths(v, path)];
  });
}

/** The schema node for a key path, or undefined when the schema does not describe it. */
function schemaAt(schema: SchemaNode, path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const part of path.split('.')) {
    const [key, ...lists] = part.split('[]');
    node = node?.properties?.[key as string];
    for (const _ of lists) node = node?.items;
  }
  return node;
}

/** Key paths of `values` that the schema describes neither by name nor inside a free-form map. */
function undescribedKeys(schema: SchemaNode, values: unknown): string[] {
  const paths = keyPaths(values);
  const freeForm = (path: string) =>
    paths.some((p) => path.startsWith(`${p}.`) && schemaAt(schema, p)?.additionalProperties === true);
  return paths.filter((path) => !schemaAt(schema, path) && !freeForm(path));
}

describe('the scaffold', () => {
  const files = scaffoldChart('demo');

  it('has the files of helm create, plus values.schema.json', () => {
    expect(files.map((f) => f.name)).toEqual([
      '.helmignore',
      'Chart.yaml',
      'templates/NOTES.txt',
      'templates/_helpers.tpl',
      'templates/deployment.yaml',
      'templates/hpa.yaml',
      'templates/httproute.yaml',
      'templates/ingress.yaml',
      'templates/service.yaml',
      'templates/serviceaccount.yaml',
      'templates/tests/test-connection.yaml',
      'values.schema.json',
      'values.yaml',
    ]);
  });

  it('names the chart everywhere and leaves no <CHARTNAME> placeholder', () => {
    for (const file of files) expect(file.data.toString('utf8'), file.name).not.toContain('<CHARTNAME>');
    expect(yaml.load(text(files, 'Chart.yaml'))).toMatchObject({
      apiVersion: 'v2',
      name: 'demo',
      version: '0.1.0',
      appVersion: '1.16.0',
      type: 'application',
    });
    for (const partial of ['name', 'fullname', 'chart', 'labels', 'selectorLabels', 'serviceAccountName']) {
      expect(text(files, 'templates/_helpers.tpl')).toContain(`{{#define "demo.${partial}"~}}`);
    }
  });

  it('starts values.yaml with the yaml-language-server schema line', () => {
    expect(text(files, 'values.yaml').split('\n')[0]).toBe('# yaml-language-server: $schema=values.schema.json');
  });

  it('has a valid values.schema.json that describes every key of values.yaml', () => {
    const schemaText = text(files, 'values.schema.json');
    expect(lintSchemaText(schemaText).findings).toEqual([]);
    const schema = JSON.parse(schemaText) as SchemaNode;
    const values = yaml.load(text(files, 'values.yaml'));
    expect(keyPaths(values).length).toBeGreaterThan(40);
    expect(undescribedKeys(schema, values)).toEqual([]);
    // The check would notice a key the schema forgets.
    const forgetful = JSON.parse(schemaText) as { properties: { image: { properties: Record<string, unknown> } } };
    delete forgetful.properties.image.properties.tag;
    expect(undescribedKeys(forgetful as SchemaNode, values)).toEqual(['image.tag']);
    // The top-level keys are each described by name, not through a catch-all.
    for (const key of Object.keys(yaml.load(text(files, 'values.yaml')) as object))
      expect(schema.properties?.[key], key).toBeDefined();
  });

  it('keeps values.yaml free of YAML 1.1 scalars that Helm would read differently', () => {
    expect(findYaml11Scalars(text(files, 'values.yaml'))).toEqual([]);
  });
});

describe('chart names', () => {
  it("accepts Helm's pattern and warns when Kubernetes would not like the object names", () => {
    expect(validateChartName('my-app')).toEqual([]);
    expect(validateChartName('My_App.v2')).toEqual([expect.stringMatching(/not a DNS-1123 label/)]);
  });

  it.each(['', '.', '..', 'a b', 'a$b', 'a/b', 'sp\u00e9cial'])('refuses %j', (name) => {
    expect(() => validateChartName(name)).toThrow(/chart name ".*" is invalid/);
  });
});

describe('starters', () => {
  const starter = [
    { name: 'Chart.yaml', data: Buffer.from('apiVersion: v2\n# the starter\nname: app\nversion: 0.3.0\n') },
    { name: 'values.yaml', data: Buffer.from('nameOverride: <CHARTNAME>\n') },
    {
      name: 'templates/_helpers.tpl',
      data: Buffer.from('{{#define "app.fullname"~}}\n{{ .Release.Name }}\n{{~/define}}\n'),
    },
    {
      name: 'templates/cm.yaml',
      data: Buffer.from(
        'metadata:\n  name: {{ include "app.fullname" . }}\n  labels:\n    app.kubernetes.io/name: <CHARTNAME>\n    x: {{ nindent 4 (include \'app.fullname\' .) }}\n',
      ),
    },
    { name: 'files/logo.png', data: Buffer.from([0x89, 0x50, 0x00, 0x01]) },
  ];

  it("renames Chart.yaml, <CHARTNAME> placeholders and the starter's partial names, and nothing else", () => {
    const renamed = renameStarter(starter, 'api', 'starters/app');
    const get = (name: string) => renamed.find((f) => f.name === name)?.data.toString('utf8');
    expect(get('Chart.yaml')).toBe('apiVersion: v2\n# the starter\nname: api\nversion: 0.3.0\n');
    expect(get('values.yaml')).toBe('nameOverride: api\n');
    expect(get('templates/_helpers.tpl')).toContain('{{#define "api.fullname"~}}');
    expect(get('templates/cm.yaml')).toBe(
      'metadata:\n  name: {{ include "api.fullname" . }}\n  labels:\n    app.kubernetes.io/name: api\n    x: {{ nindent 4 (include \'api.fullname\' .) }}\n',
    );
    expect(renamed.find((f) => f.name === 'files/logo.png')?.data).toEqual(Buffer.from([0x89, 0x50, 0x00, 0x01]));
  });

  it('refuses a starter without Chart.yaml', () => {
    expect(() => renameStarter(starter.slice(1), 'api', 'starters/app')).toThrow(/has no Chart.yaml/);
  });
});

describe('createChart', () => {
  it('writes NAME given as a path, creating parent folders, with the last segment as the chart name', async () => {
    const result = await createChart(join(work, 'charts', 'nested', 'svc'));
    expect(result.name).toBe('svc');
    expect(readFileSync(join(work, 'charts', 'nested', 'svc', 'Chart.yaml'), 'utf8')).toMatch(/^name: svc$/m);
    expect(existsSync(join(work, 'charts', 'nested', 'svc', 'templates', 'tests', 'test-connection.yaml'))).toBe(true);
  });

  it('writes into an existing empty folder', async () => {
    mkdirSync(join(work, 'empty'));
    await createChart(join(work, 'empty'));
    expect(readdirSync(join(work, 'empty')).sort()).toEqual([
      '.helmignore',
      'Chart.yaml',
      'templates',
      'values.schema.json',
      'values.yaml',
    ]);
  });

  it("refuses a non-empty folder without --force, and with it overwrites only the chart's files", async () => {
    const dir = join(work, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Chart.yaml'), 'mine\n');
    writeFileSync(join(dir, 'notes.md'), 'keep me\n');
    const refused = await createChart(dir).catch((error: unknown) => error);
    expect(isPortolanError(refused) && refused.code).toBe('CONFLICT');
    expect((refused as Error).message).toMatch(/already exists and is not empty/);
    expect(readFileSync(join(dir, 'Chart.yaml'), 'utf8')).toBe('mine\n');
    const forced = await createChart(dir, { force: true });
    expect(forced.overwritten).toEqual(['Chart.yaml']);
    expect(readFileSync(join(dir, 'Chart.yaml'), 'utf8')).toMatch(/^name: busy$/m);
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('keep me\n');
  });

  it('refuses a path that is a file, and a missing starter', async () => {
    writeFileSync(join(work, 'afile'), 'x');
    await expect(createChart(join(work, 'afile'))).rejects.toThrow(/exists and is not a folder/);
    await expect(createChart(join(work, 'fromnothing'), { starter: join(work, 'no-such-starter') })).rejects.toThrow(
      /starter ".*no-such-starter" not found/,
    );
  });
});
