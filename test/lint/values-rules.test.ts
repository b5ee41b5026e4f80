// values.yaml and values.schema.json rules that need no rendering.
import { describe, expect, it } from 'vitest';
import { lintSchemaText, lintValuesText } from '../../src/lint/values.js';

describe('lintValuesText', () => {
  it('reports a parse error with its line and stops there', () => {
    const { findings, parses } = lintValuesText('a: 1\nb:\n  c: 2\n   d: 3\n', 'values.yaml');
    expect(parses).toBe(false);
    expect(findings).toEqual([
      expect.objectContaining({ severity: 'error', rule: 'values', file: 'values.yaml', line: 4 }),
    ]);
  });

  it('warns about YAML 1.1 scalars, naming the file as given', () => {
    const { findings } = lintValuesText('a: yes\nb: 0600\n', 'env/prod.yaml');
    expect(findings.map((f) => [f.severity, f.rule, f.file, f.line])).toEqual([
      ['warning', 'yaml-1.1', 'env/prod.yaml', 1],
      ['warning', 'yaml-1.1', 'env/prod.yaml', 2],
    ]);
  });
});

describe('lintSchemaText', () => {
  it('accepts draft-07, 2019-09, 2020-12 and draft-04 schemas', () => {
    for (const dialect of [
      'http://json-schema.org/draft-07/schema#',
      'https://json-schema.org/draft/2019-09/schema',
      'https://json-schema.org/draft/2020-12/schema',
      'http://json-schema.org/draft-04/schema#',
    ]) {
      expect(
        lintSchemaText(JSON.stringify({ $schema: dialect, type: 'object', properties: { a: { type: 'integer' } } }))
          .valid,
        dialect,
      ).toBe(true);
    }
  });

  it('refuses text that is not JSON, naming the line', () => {
    const result = lintSchemaText('{\n  "type": "object",\n  "properties": {\n');
    expect(result.valid).toBe(false);
    expect(result.findings[0]).toMatchObject({
      severity: 'error',
      rule: 'values-schema',
      file: 'values.schema.json',
      message: expect.stringMatching(/^not valid JSON/),
    });
  });

  it('refuses JSON that is not a valid JSON Schema', () => {
    const result = lintSchemaText('{"type": "object", "properties": {"a": {"type": "integr"}}}');
    expect(result.valid).toBe(false);
    expect(result.findings[0]?.message).toMatch(/^invalid JSON Schema: .*type/);
    expect(lintSchemaText('[1, 2]').findings[0]?.message).toMatch(/must be a JSON object/);
  });
});
