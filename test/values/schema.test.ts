// values.schema.json: every chart's schema against its coalesced values, every violation listed with where the bad
// value came from, drafts and formats as the schema asks, and an invalid schema reported as such.
import { describe, expect, it } from 'vitest';
import { PortolanError } from '../../src/errors.js';
import { prepareChart, validateValues } from '../../src/values/index.js';
import { chartFrom, userValues } from '../helpers/charts.js';

// Draft-07, where Helm asserts formats (2020-12, its default, treats them as annotations).
const schema = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['replicas'],
  properties: {
    replicas: { type: 'integer', minimum: 0 },
    host: { type: 'string', format: 'hostname' },
    mode: { enum: ['a', 'b'] },
    image: { type: 'object', properties: { tag: { type: 'string' } }, additionalProperties: false },
  },
});

async function violations(
  files: Record<string, string>,
  options: Parameters<typeof userValues>[0] = {},
  valueFiles: Record<string, string> = {},
): Promise<string[]> {
  const prepared = prepareChart(chartFrom(files), await userValues(options, valueFiles));
  try {
    validateValues(prepared);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(PortolanError);
    const e = error as PortolanError;
    expect(e.code).toBe('SCHEMA_VIOLATION');
    return e.problems ?? [e.message.replace(/^values do not match the schema: /, '')];
  }
}

describe('values.schema.json', () => {
  const chart = { 'values.schema.json': schema, 'values.yaml': '# defaults\nreplicas: 1\nmode: a\n' };

  it('accepts values that meet the schema', async () => {
    expect(await violations(chart, { set: ['host=web.example.com'] })).toEqual([]);
  });

  it('names the flag a bad value came from', async () => {
    expect(await violations(chart, { set: ['replicas=-1'] })).toEqual([
      'demo: replicas: must be >= 0, found -1 (value from --set replicas=-1)',
    ]);
  });

  it('names the file and line a bad value came from', async () => {
    const found = await violations(
      chart,
      { valueFiles: ['prod.yaml'] },
      { 'prod.yaml': 'replicas: 2\nimage:\n  tag: 7\n' },
    );
    expect(found).toEqual(['demo: image.tag: must be string, found integer 7 (value from prod.yaml:3)']);
  });

  it('names the chart default a bad value came from', async () => {
    expect(await violations({ ...chart, 'values.yaml': '# defaults\nreplicas: 1\nmode: c\n' })).toEqual([
      'demo: mode: must be one of "a", "b", found "c" (value from demo/values.yaml:3)',
    ]);
  });

  it('lists every violation: types, formats, unknown keys, missing keys', async () => {
    const found = await violations(
      { ...chart, 'values.yaml': 'mode: a\n' },
      { set: ['host=not_a_host!', 'image.extra=1'] },
    );
    expect(found).toEqual(
      expect.arrayContaining([
        'demo: replicas: is required',
        expect.stringMatching(
          /^demo: host: must match format "hostname", found "not_a_host!" \(value from --set host=not_a_host!\)$/,
        ),
        'demo: image.extra: is not allowed here (the schema allows no other keys) (value from --set image.extra=1)',
      ]),
    );
    expect(found).toHaveLength(3);
  });

  it('checks big integers from --set as numbers', async () => {
    expect(await violations(chart, { set: ['replicas=9007199254740993'] })).toEqual([]);
  });

  it('uses draft 2020-12 when $schema says so', async () => {
    const tuple = JSON.stringify({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false } },
    });
    expect(await violations({ 'values.schema.json': tuple }, { setJson: ['pair=["a",1]'] })).toEqual([]);
    expect(await violations({ 'values.schema.json': tuple }, { setJson: ['pair=["a",1,2]'] })).toEqual([
      expect.stringMatching(/^demo: pair: must NOT have more than 2 items/),
    ]);
  });

  it('validates each subchart against its own values, naming the subchart', async () => {
    const files = {
      'values.yaml': 'db:\n  port: "x"\n',
      'charts/db/Chart.yaml': 'apiVersion: v2\nname: db\nversion: 0.1.0\n',
      'charts/db/values.yaml': 'port: 5432\n',
      'charts/db/values.schema.json': JSON.stringify({ properties: { port: { type: 'integer' } } }),
    };
    expect(await violations(files)).toEqual([
      'db: port: must be integer, found string "x" (value from demo/values.yaml:2)',
    ]);
  });

  it('reports a schema that is not a valid JSON Schema, naming its file', async () => {
    const prepared = prepareChart(chartFrom({ 'values.schema.json': '{"type": "nonsense"}' }), await userValues({}));
    expect(() => validateValues(prepared)).toThrow(/demo\/values\.schema\.json: invalid JSON Schema: .*type/);
  });
});
