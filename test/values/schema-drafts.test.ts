// values.schema.json in every published draft, as Helm 4.1.4 checks it: the draft `$schema` names in any spelling,
// 2020-12 when none is named, formats asserted up to draft-07, meta-schema `$ref`s resolved offline, `urn:` refs
// permissive, other remote refs refused (never fetched), and `pattern` in RE2 syntax. Expectations from helm runs.
import { describe, expect, it } from 'vitest';
import { PortolanError } from '../../src/errors.js';
import { compileSchema } from '../../src/values/index.js';

function check(schema: Record<string, unknown>, values: unknown): boolean {
  // A fresh object each time: compiled schemas are cached per object.
  return compileSchema(structuredClone(schema), 'demo/values.schema.json')(values) as boolean;
}

function refusal(schema: Record<string, unknown>): PortolanError {
  try {
    compileSchema(structuredClone(schema), 'demo/values.schema.json');
  } catch (error) {
    expect(error).toBeInstanceOf(PortolanError);
    return error as PortolanError;
  }
  throw new Error('expected the schema to be refused');
}

describe('$schema naming a published draft', () => {
  it.each([
    'http://json-schema.org/draft-04/schema#',
    'http://json-schema.org/draft-04/schema',
    'https://json-schema.org/draft-04/schema#',
    'http://json-schema.org/draft-06/schema#',
    'https://json-schema.org/draft-06/schema',
    'http://json-schema.org/draft-07/schema#',
    'https://json-schema.org/draft-07/schema',
    'https://json-schema.org/draft/2019-09/schema',
    'http://json-schema.org/draft/2019-09/schema#',
    'https://json-schema.org/draft/2020-12/schema',
    'https://json-schema.org/draft/2020-12/schema#',
    'https://json-schema.org/schema',
    'https://json-schema.org/schema#',
    'http://json-schema.org/schema#',
  ])('compiles offline with $schema %s', ($schema) => {
    const schema = { $schema, type: 'object', properties: { a: { type: 'string' } } };
    expect(check(schema, { a: 'x' })).toBe(true);
    expect(check(schema, { a: 1 })).toBe(false);
  });

  it('refuses a $schema that is no published draft, naming it', () => {
    expect(refusal({ $schema: 'https://example.com/my-meta.json' }).message).toMatch(
      /\$schema "https:\/\/example\.com\/my-meta\.json" is not a published JSON Schema draft/,
    );
  });

  it('reads draft-04 with its own meaning: a boolean exclusiveMinimum beside minimum, and id', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-04/schema#',
      id: 'http://example.com/s',
      properties: { n: { minimum: 1, exclusiveMinimum: true }, m: { minimum: 1, exclusiveMinimum: false } },
    };
    expect(check(schema, { n: 2, m: 1 })).toBe(true);
    expect(check(schema, { n: 1 })).toBe(false);
  });

  it('uses 2020-12 when $schema is missing, as Helm: prefixItems apply and a draft-07 list of items is invalid', () => {
    // helm: "- at '/a/0': got number, want string"
    expect(check({ properties: { a: { prefixItems: [{ type: 'string' }] } } }, { a: [1] })).toBe(false);
    // helm: "is not valid against metaschema: jsonschema validation failed with 'https://json-schema.org/draft/2020-12/schema#'"
    expect(refusal({ properties: { a: { items: [{ type: 'string' }] } } }).code).toBe('SCHEMA_INVALID');
  });

  it('checks the siblings of $ref in 2020-12 and ignores them in draft-07, as Helm', () => {
    const body = {
      properties: { a: { $ref: '#/definitions/s', type: 'array' } },
      definitions: { s: { type: 'string' } },
    };
    expect(check(body, { a: [1] })).toBe(false);
    expect(
      check(
        { ...body, $schema: 'http://json-schema.org/draft-07/schema#', definitions: { s: { type: 'array' } } },
        { a: [1] },
      ),
    ).toBe(true);
  });

  it('asserts formats up to draft-07 only (Helm treats them as annotations in 2019-09 and 2020-12)', () => {
    const properties = { e: { format: 'email' } };
    expect(check({ $schema: 'http://json-schema.org/draft-07/schema#', properties }, { e: 'notanemail' })).toBe(false);
    expect(check({ $schema: 'http://json-schema.org/draft-04/schema#', properties }, { e: 'notanemail' })).toBe(false);
    expect(check({ properties }, { e: 'notanemail' })).toBe(true);
    expect(check({ $schema: 'https://json-schema.org/draft/2019-09/schema', properties }, { e: 'notanemail' })).toBe(
      true,
    );
  });
});

describe('$ref', () => {
  it.each([
    ['draft-04', 'http://json-schema.org/draft-04/schema#', 'http://json-schema.org/draft-04/schema#'],
    ['draft-06', 'http://json-schema.org/draft-07/schema#', 'http://json-schema.org/draft-06/schema#'],
    ['draft-07', 'http://json-schema.org/draft-07/schema#', 'https://json-schema.org/draft-07/schema'],
    [
      'draft-07 from 2020-12',
      'https://json-schema.org/draft/2020-12/schema',
      'http://json-schema.org/draft-07/schema#',
    ],
    ['2020-12', 'https://json-schema.org/draft/2020-12/schema', 'https://json-schema.org/draft/2020-12/schema'],
    ['2019-09', 'https://json-schema.org/draft/2019-09/schema', 'https://json-schema.org/draft/2019-09/schema'],
  ])('to the %s meta-schema resolves offline', (_name, $schema, $ref) => {
    // helm, draft-04: "- at '/a': got array, want object"
    const schema = { $schema, properties: { a: { $ref } } };
    expect(check(schema, { a: { type: 'string' } })).toBe(true);
    expect(check(schema, { a: [1] })).toBe(false);
  });

  it('to a fragment of a meta-schema resolves too', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      properties: { n: { $ref: 'http://json-schema.org/draft-07/schema#/definitions/nonNegativeInteger' } },
    };
    expect(check(schema, { n: 3 })).toBe(true);
    expect(check(schema, { n: -3 })).toBe(false);
  });

  it('to any other URL is refused naming it, never fetched (helm downloads it)', () => {
    const error = refusal({ properties: { a: { $ref: 'https://example.com/x.json' } } });
    expect(error.message).toMatch(
      /demo\/values\.schema\.json: invalid JSON Schema: \$ref "https:\/\/example\.com\/x\.json" points outside values\.schema\.json; portolan does not download schemas/,
    );
    expect(error.hint).toMatch(/--skip-schema-validation/);
  });

  it('to a relative file is refused naming it (helm looks for file:///other.json)', () => {
    expect(refusal({ properties: { a: { $ref: 'other.json' } } }).message).toMatch(
      /\$ref "other\.json" points outside values\.schema\.json/,
    );
  });

  it("to a urn: is permissive, as Helm's unresolved URN loader", () => {
    expect(check({ properties: { a: { $ref: 'urn:example:thing' } } }, { a: [1] })).toBe(true);
  });

  it('to a definition inside the file still works', () => {
    const schema = {
      $defs: { port: { type: 'integer', maximum: 65535 } },
      properties: { p: { $ref: '#/$defs/port' } },
    };
    expect(check(schema, { p: 80 })).toBe(true);
    expect(check(schema, { p: 70000 })).toBe(false);
  });
});

describe("pattern, as Go's regexp (RE2) reads it", () => {
  it('takes RE2 syntax: Unicode classes and inline flags', () => {
    expect(check({ properties: { e: { pattern: '^\\p{L}+$' } } }, { e: 'héllo' })).toBe(true);
    expect(check({ properties: { e: { pattern: '^\\p{L}+$' } } }, { e: 'h3llo' })).toBe(false);
    expect(check({ properties: { e: { pattern: '(?i)^NOTAN' } } }, { e: 'notanemail' })).toBe(true);
  });

  it('uses RE2 for patternProperties too', () => {
    const schema = { patternProperties: { '(?i)^X-': { type: 'string' } } };
    expect(check(schema, { 'x-a': 'ok' })).toBe(true);
    expect(check(schema, { 'x-a': 1 })).toBe(false);
  });

  it('refuses a pattern RE2 cannot compile (lookahead), as Helm refuses the schema', () => {
    expect(refusal({ properties: { e: { pattern: '(?=x)' } } }).code).toBe('SCHEMA_INVALID');
  });

  it('matches in linear time where a backtracking engine would not finish (before the test timeout)', () => {
    expect(check({ properties: { e: { pattern: '^(a+)+$' } } }, { e: `${'a'.repeat(40)}!` })).toBe(false);
  });
});
