// An object against its OpenAPI schema, as the real API server reads it: unknown fields are dropped (and reported
// for fieldValidation Warn/Strict), values of the wrong JSON type fail decoding (built-in kinds: Go's json errors) or
// validation (custom resources: the apiextensions messages), and CRD schemas add defaults, enums, bounds, required.
import { clone, isObject, type Json, type JsonObject } from './patch.js';
import { deref, goTypeName, REF_PREFIX, type Schema } from './openapi.js';
import type { Cause } from './validate.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(value: string | null): FieldValidation | undefined {
  if (value === null || value === '') return undefined;
  return value === 'Strict' || value === 'Warn' || value === 'Ignore' ? value : undefined;
}

export interface CheckResult {
  /** The object without the unknown fields (and, for custom resources, with defaults). */
  value: JsonObject;
  /** Paths of dropped fields: `spec.bogus`, `spec.containers[0].bogus`. */
  unknown: string[];
  /** Built-in kinds: the first value that Go's decoder would refuse. */
  decodeError?: { found: string; goStruct: string; goPath: string; goType: string; path: string; value: Json };
  /** Custom resources: schema violations, in the real server's words. */
  causes: Cause[];
}

const INT64_FIELDS = new Set([
  'terminationGracePeriodSeconds',
  'activeDeadlineSeconds',
  'runAsUser',
  'runAsGroup',
  'fsGroup',
  'generation',
  'observedGeneration',
  'expirationSeconds',
  'startingDeadlineSeconds',
]);

function jsonKind(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function goType(schema: Schema | undefined, field: string): string {
  if (!schema) return 'interface {}';
  if (schema.$ref) return goTypeName(schema.$ref.slice(REF_PREFIX.length));
  if (schema['x-kubernetes-int-or-string']) return 'intstr.IntOrString';
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'integer':
      return INT64_FIELDS.has(field) ? 'int64' : 'int32';
    case 'number':
      return 'float64';
    case 'array':
      return `[]${goType(schema.items, field)}`;
    case 'object':
      return schema.additionalProperties && typeof schema.additionalProperties === 'object'
        ? `map[string]${goType(schema.additionalProperties, field)}`
        : 'map[string]interface {}';
    default:
      return 'interface {}';
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function typeName(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function goValue(v: Json): string {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
}

interface Walk {
  custom: boolean;
  unknown: string[];
  causes: Cause[];
  decodeError?: CheckResult['decodeError'];
}

/**
 * Checks `object` against `root` (a kind's definition, or a CRD version's openAPIV3Schema). Never changes `object`.
 * `skip` names top-level fields left as they are (status of built-in kinds, handled by the subresource rules).
 */
export function checkObject(
  root: Schema,
  object: JsonObject,
  custom: boolean,
  skip: string[] = [],
  rootName = '',
): CheckResult {
  const walk: Walk = { custom, unknown: [], causes: [] };
  const input = clone(object);
  const kept: JsonObject = {};
  for (const k of skip) if (k in input) kept[k] = input[k]!;
  for (const k of skip) delete input[k];
  if (custom) {
    // apiVersion, kind and metadata are the server's, whatever the CRD's schema says.
    for (const k of ['apiVersion', 'kind', 'metadata']) if (k in input) kept[k] = input[k]!;
    for (const k of ['apiVersion', 'kind', 'metadata']) delete input[k];
  }
  const out = visit(root, input, '', rootName, '', '', walk) as JsonObject;
  const value = { ...(isObject(out) ? out : {}), ...kept };
  return { value, unknown: walk.unknown, decodeError: walk.decodeError, causes: walk.causes };
}

function visit(
  schemaIn: Schema | undefined,
  value: Json,
  path: string,
  goStruct: string,
  goPath: string,
  field: string,
  w: Walk,
): Json {
  const schema = deref(schemaIn);
  if (!schema || value === undefined) return value;
  if (schemaIn?.$ref) goStruct = schemaIn.$ref.slice(schemaIn.$ref.lastIndexOf('.') + 1);
  const fail = (expected: Schema) => {
    if (w.custom) {
      const want = expected['x-kubernetes-int-or-string'] ? 'integer or string' : String(expected.type);
      w.causes.push({
        field: path,
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${typeName(value)}": ${path} in body must be of type ${want}: "${typeName(value)}"`,
      });
    } else if (!w.decodeError) {
      const found = typeof value === 'number' && !Number.isInteger(value) ? `number ${value}` : jsonKind(value);
      w.decodeError = { found, goStruct, goPath, goType: goType(schemaIn, field), path, value };
    }
  };
  if (value === null) {
    if (w.custom && !schema.nullable && schema.type) fail(schema);
    return w.custom && !schema.nullable ? value : value;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && typeof value !== 'number') fail(schema);
    return value;
  }
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') fail(schema);
      else checkString(schema, value, path, w);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') fail(schema);
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) fail(schema);
      else checkNumber(schema, value, path, w);
      return value;
    case 'number':
      if (typeof value !== 'number') fail(schema);
      else checkNumber(schema, value, path, w);
      return value;
    case 'array': {
      if (!Array.isArray(value)) {
        fail(schema);
        return value;
      }
      if (w.custom) checkCount(schema, value.length, path, w);
      return value.map((item, i) => visit(schema.items, item, `${path}[${i}]`, goStruct, goPath, field, w));
    }
    case 'object':
    case undefined: {
      if (schema.type === undefined && !schema.properties && !schema.additionalProperties) {
        if (w.custom) checkEnum(schema, value, path, w);
        return value;
      }
      if (!isObject(value)) {
        fail({ ...schema, type: 'object' });
        return value;
      }
      const out: JsonObject = {};
      const props = schema.properties ?? {};
      for (const [k, v] of Object.entries(value)) {
        const p = join(path, k);
        if (props[k]) out[k] = visit(props[k], v, p, goStruct, join(goPath, k), k, w);
        else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
          out[k] = visit(schema.additionalProperties, v, p, goStruct, goPath, field, w);
        else if (preserve || schema.additionalProperties === true) out[k] = v;
        else w.unknown.push(p);
      }
      if (w.custom) {
        for (const [k, p] of Object.entries(props)) {
          if (out[k] === undefined && p.default !== undefined)
            out[k] = visit(p, clone(p.default), join(path, k), goStruct, goPath, k, w);
        }
        for (const r of schema.required ?? [])
          if (out[r] === undefined)
            w.causes.push({ field: join(path, r), reason: 'FieldValueRequired', message: 'Required value' });
        checkEnum(schema, value, path, w);
      }
      return out;
    }
    default:
      return value;
  }
}

function checkEnum(schema: Schema, value: Json, path: string, w: Walk): boolean {
  if (!w.custom || !schema.enum || schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return true;
  w.causes.push({
    field: path,
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${goValue(value)}: supported values: ${schema.enum.map((e) => goValue(e)).join(', ')}`,
  });
  return false;
}

function checkString(schema: Schema, value: string, path: string, w: Walk): void {
  if (!w.custom || !checkEnum(schema, value, path, w)) return;
  if (schema.maxLength !== undefined && value.length > schema.maxLength)
    w.causes.push({
      field: path,
      reason: 'FieldValueTooLong',
      message: `Too long: may not be more than ${schema.maxLength} bytes`,
    });
  if (schema.minLength !== undefined && value.length < schema.minLength)
    w.causes.push({
      field: path,
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${goValue(value)}: ${path} in body should be at least ${schema.minLength} chars long`,
    });
  if (schema.pattern !== undefined) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(schema.pattern, 'u');
    } catch {
      re = undefined;
    }
    if (re && !re.test(value))
      w.causes.push({
        field: path,
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${goValue(value)}: ${path} in body should match '${schema.pattern}'`,
      });
  }
}

function checkNumber(schema: Schema, value: number, path: string, w: Walk): void {
  if (!w.custom || !checkEnum(schema, value, path, w)) return;
  if (schema.minimum !== undefined) {
    const below = schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum;
    if (below)
      w.causes.push({
        field: path,
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${value}: ${path} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`,
      });
  }
  if (schema.maximum !== undefined) {
    const above = schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum;
    if (above)
      w.causes.push({
        field: path,
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${value}: ${path} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`,
      });
  }
}

function checkCount(schema: Schema, n: number, path: string, w: Walk): void {
  if (schema.maxItems !== undefined && n > schema.maxItems)
    w.causes.push({
      field: path,
      reason: 'FieldValueTooMany',
      message: `Too many: ${n}: must have at most ${schema.maxItems} items`,
    });
  if (schema.minItems !== undefined && n < schema.minItems)
    w.causes.push({
      field: path,
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${n}: ${path} in body should have at least ${schema.minItems} items`,
    });
}

/** Go's json error for a decoding failure of a built-in kind: `json: cannot unmarshal number into Go struct …`. */
export function goDecodeMessage(e: NonNullable<CheckResult['decodeError']>): string {
  if (e.goPath === '') return `json: cannot unmarshal ${e.found} into Go value of type ${e.goType}`;
  return `json: cannot unmarshal ${e.found} into Go struct field ${e.goStruct}.${e.goPath} of type ${e.goType}`;
}

/** The server-side apply (structured-merge-diff) wording of the same failure. */
export function applyDecodeMessage(e: NonNullable<CheckResult['decodeError']>): string {
  const want =
    e.goType === 'string'
      ? 'string'
      : /^int|float/.test(e.goType)
        ? 'numeric (int or float)'
        : e.goType === 'bool'
          ? 'bool'
          : e.goType.startsWith('[]')
            ? 'list'
            : 'map';
  const got =
    e.found === 'string' || e.found === 'bool' || e.found.startsWith('number') || e.found === 'null'
      ? `&value.valueUnstructured{Value:${typeof e.value === 'string' ? JSON.stringify(e.value) : JSON.stringify(e.value)}}`
      : e.found;
  return `.${e.path}: expected ${want}, got ${got}`;
}
