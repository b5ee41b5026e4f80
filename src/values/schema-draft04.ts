// JSON Schema draft-04, which Ajv 8 no longer reads: the published meta-schema (so `$schema` and `$ref`s naming it
// resolve offline), and a conversion of a draft-04 schema into the draft-06 form Ajv checks with the same meaning
// (`id` is `$id`; `exclusiveMinimum: true` beside `minimum` is `exclusiveMinimum: <minimum>`). Pure.

/** http://json-schema.org/draft-04/schema, as published. */
export const DRAFT_04_META_SCHEMA: Record<string, unknown> = {
  id: 'http://json-schema.org/draft-04/schema#',
  $schema: 'http://json-schema.org/draft-04/schema#',
  description: 'Core schema meta-schema',
  definitions: {
    schemaArray: { type: 'array', minItems: 1, items: { $ref: '#' } },
    positiveInteger: { type: 'integer', minimum: 0 },
    positiveIntegerDefault0: { allOf: [{ $ref: '#/definitions/positiveInteger' }, { default: 0 }] },
    simpleTypes: { enum: ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'] },
    stringArray: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
  },
  type: 'object',
  properties: {
    id: { type: 'string' },
    $schema: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    default: {},
    multipleOf: { type: 'number', minimum: 0, exclusiveMinimum: true },
    maximum: { type: 'number' },
    exclusiveMaximum: { type: 'boolean', default: false },
    minimum: { type: 'number' },
    exclusiveMinimum: { type: 'boolean', default: false },
    maxLength: { $ref: '#/definitions/positiveInteger' },
    minLength: { $ref: '#/definitions/positiveIntegerDefault0' },
    pattern: { type: 'string', format: 'regex' },
    additionalItems: { anyOf: [{ type: 'boolean' }, { $ref: '#' }], default: {} },
    items: { anyOf: [{ $ref: '#' }, { $ref: '#/definitions/schemaArray' }], default: {} },
    maxItems: { $ref: '#/definitions/positiveInteger' },
    minItems: { $ref: '#/definitions/positiveIntegerDefault0' },
    uniqueItems: { type: 'boolean', default: false },
    maxProperties: { $ref: '#/definitions/positiveInteger' },
    minProperties: { $ref: '#/definitions/positiveIntegerDefault0' },
    required: { $ref: '#/definitions/stringArray' },
    additionalProperties: { anyOf: [{ type: 'boolean' }, { $ref: '#' }], default: {} },
    definitions: { type: 'object', additionalProperties: { $ref: '#' }, default: {} },
    properties: { type: 'object', additionalProperties: { $ref: '#' }, default: {} },
    patternProperties: { type: 'object', additionalProperties: { $ref: '#' }, default: {} },
    dependencies: {
      type: 'object',
      additionalProperties: { anyOf: [{ $ref: '#' }, { $ref: '#/definitions/stringArray' }] },
    },
    enum: { type: 'array', minItems: 1, uniqueItems: true },
    type: {
      anyOf: [
        { $ref: '#/definitions/simpleTypes' },
        { type: 'array', items: { $ref: '#/definitions/simpleTypes' }, minItems: 1, uniqueItems: true },
      ],
    },
    format: { type: 'string' },
    allOf: { $ref: '#/definitions/schemaArray' },
    anyOf: { $ref: '#/definitions/schemaArray' },
    oneOf: { $ref: '#/definitions/schemaArray' },
    not: { $ref: '#' },
  },
  dependencies: { exclusiveMaximum: ['maximum'], exclusiveMinimum: ['minimum'] },
  default: {},
};

type Schema = Record<string, unknown>;

function isSchemaObject(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// Where draft-04 holds subschemas: maps of them, single ones, and lists of them. Anything else (enum, default, …)
// is data and stays as written.
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', 'dependencies'];
const SCHEMA_SINGLES = ['additionalItems', 'additionalProperties', 'not', 'items'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'items'];

/** A draft-04 schema rewritten in draft-06 terms, without `$schema` at the top. Returns a new object. */
export function draft04ToDraft06(schema: Schema, isRoot = true): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (isRoot && key === '$schema') continue;
    if (key === 'id' && typeof value === 'string') out.$id = value;
    else if (SCHEMA_MAPS.includes(key) && isSchemaObject(value)) {
      const converted: Schema = {};
      for (const [name, sub] of Object.entries(value))
        converted[name] = isSchemaObject(sub) ? draft04ToDraft06(sub, false) : sub;
      out[key] = converted;
    } else if (SCHEMA_SINGLES.includes(key) && isSchemaObject(value)) out[key] = draft04ToDraft06(value, false);
    else if (SCHEMA_LISTS.includes(key) && Array.isArray(value))
      out[key] = value.map((sub) => (isSchemaObject(sub) ? draft04ToDraft06(sub, false) : sub));
    else out[key] = value;
  }
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[flag] !== 'boolean') continue;
    if (out[flag] === true && typeof out[bound] === 'number') {
      out[flag] = out[bound];
      delete out[bound];
    } else delete out[flag];
  }
  return out;
}
