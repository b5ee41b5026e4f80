// values.schema.json: every chart's schema checked against that chart's coalesced values (ajv; draft-07 unless
// `$schema` names 2019-09 or 2020-12; formats checked). Every violation is listed as
// `<chart>: <path>: <message> (value from <origin>)`, the origin being the file and line or the flag that set it.
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { PortolanError, messageOf } from '../errors.js';
import type { Chart, Values } from '../chart/types.js';
import type { PreparedChart } from './coalesce.js';
import { originOf, type Origins } from './read.js';
import { formatPath, isMap, lineOf, type PathSegment } from './yaml.js';

type AjvInstance = InstanceType<typeof Ajv> | InstanceType<typeof Ajv2019> | InstanceType<typeof Ajv2020>;
const addFormats = addFormatsModule as unknown as (ajv: AjvInstance) => AjvInstance;

const instances = new Map<string, AjvInstance>();
const compiled = new WeakMap<object, ValidateFunction>();

function dialectOf(schema: Record<string, unknown>): '2020' | '2019' | '07' | 'older' {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (declared.includes('2020-12')) return '2020';
  if (declared.includes('2019-09')) return '2019';
  if (/draft-0[346]/.test(declared)) return 'older';
  return '07';
}

function ajvFor(dialect: string): AjvInstance {
  let ajv = instances.get(dialect);
  if (!ajv) {
    const options: Options = { strict: false, allErrors: true, logger: false, validateSchema: dialect !== 'older' };
    ajv = dialect === '2020' ? new Ajv2020(options) : dialect === '2019' ? new Ajv2019(options) : new Ajv(options);
    addFormats(ajv);
    instances.set(dialect, ajv);
  }
  return ajv;
}

/**
 * Compiles a chart's schema (cached per schema object). Draft-04/06 schemas have no meta-schema in ajv: they are
 * compiled as draft-07 without one. Throws SCHEMA_INVALID naming the file.
 */
export function compileSchema(schema: Record<string, unknown>, file: string): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached) return cached;
  const dialect = dialectOf(schema);
  let body = schema;
  if (dialect === 'older') {
    const { $schema: _older, ...rest } = schema;
    body = rest;
  }
  let validate: ValidateFunction;
  try {
    validate = ajvFor(dialect).compile(body);
  } catch (error) {
    throw new PortolanError('SCHEMA_INVALID', `${file}: invalid JSON Schema: ${messageOf(error)}`, {
      file,
      hint: 'Fix values.schema.json, or render with --skip-schema-validation.',
    });
  }
  compiled.set(schema, validate);
  return validate;
}

/** ajv compares types with typeof; BigInt values (big integers from --set) are checked as numbers. */
export function forValidation(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.some((v) => typeof v === 'bigint' || (v !== null && typeof v === 'object')) ? value.map(forValidation) : value;
  if (isMap(value)) {
    const out: Values = {};
    for (const key of Object.keys(value)) out[key] = forValidation(value[key]);
    return out;
  }
  return value;
}

function parsePointer(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function valueAt(values: unknown, path: PathSegment[]): unknown {
  let node = values;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment as string];
  }
  return node;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return value.toString();
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

interface ChartScope {
  chart: Chart;
  /** Where this chart's values sit in the top chart's values. */
  prefix: PathSegment[];
  /** The charts above this one, top first, for chart-default origins. */
  ancestors: Chart[];
}

/** Words for one ajv error: the path it is about and the message. */
function describeError(error: ErrorObject, values: unknown): { path: PathSegment[]; message: string; hasValue: boolean } {
  const path = parsePointer(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: [...path, String(params.missingProperty)], message: 'is required', hasValue: false };
    case 'additionalProperties':
      return { path: [...path, String(params.additionalProperty)], message: 'is not allowed here (the schema allows no other keys)', hasValue: true };
    case 'unevaluatedProperties':
      return { path: [...path, String(params.unevaluatedProperty)], message: 'is not allowed here (the schema allows no other keys)', hasValue: true };
    case 'enum':
      return { path, message: `must be one of ${(params.allowedValues as unknown[]).map(shown).join(', ')}, found ${shown(valueAt(values, path))}`, hasValue: true };
    case 'type':
      return { path, message: `must be ${String(params.type).replace(/,/g, ' or ')}, found ${typeName(valueAt(values, path))} ${shown(valueAt(values, path))}`, hasValue: true };
    default:
      return { path, message: `${error.message ?? 'is invalid'}, found ${shown(valueAt(values, path))}`, hasValue: true };
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' || typeof value === 'bigint') return Number.isInteger(Number(value)) ? 'integer' : 'number';
  return typeof value;
}

/** Where a value at `path` (relative to the scoped chart) came from: a user source, else a values.yaml line. */
function describeOrigin(origins: Origins, scope: ChartScope, path: PathSegment[]): string {
  const user = originOf(origins, [...scope.prefix, ...path]);
  if (user) return user;
  // Defaults: the nearest chart above whose values.yaml writes it wins, as coalescing gives parents precedence.
  const charts = [...scope.ancestors, scope.chart];
  for (let i = 0; i < charts.length; i++) {
    const chart = charts[i] as Chart;
    const relative = [...scope.prefix.slice(i), ...path];
    if (chart.valuesText && valueAt(chart.values, relative) !== undefined) {
      const line = lineOf(chart.valuesText, relative);
      return `${chart.metadata.name}/values.yaml${line ? `:${line}` : ''}`;
    }
  }
  return 'chart defaults';
}

/**
 * Checks every chart's values.schema.json (the top chart and each enabled subchart, with its own values).
 * Throws one SCHEMA_VIOLATION listing every violation; an invalid schema throws SCHEMA_INVALID.
 */
export function validateValues(prepared: PreparedChart): void {
  const problems: string[] = [];
  const visit = (scope: ChartScope, values: unknown): void => {
    const { chart } = scope;
    if (chart.schema) {
      const file = `${chart.source ?? chart.metadata.name}/values.schema.json`;
      const validate = compileSchema(chart.schema, file);
      if (!validate(forValidation(values))) {
        for (const error of validate.errors ?? []) {
          if (error.keyword === 'if') continue; // the failing then/else branch says what is wrong
          const { path, message, hasValue } = describeError(error, values);
          const origin = hasValue ? ` (value from ${describeOrigin(prepared.origins, scope, path)})` : '';
          const line = `${chart.metadata.name}: ${path.length === 0 ? '(top level)' : formatPath(path)}: ${message}${origin}`;
          if (!problems.includes(line)) problems.push(line);
        }
      }
    }
    for (const sub of chart.dependencies) {
      const name = sub.metadata.name;
      const subValues = isMap(values) && Object.hasOwn(values, name) ? values[name] : {};
      visit({ chart: sub, prefix: [...scope.prefix, name], ancestors: [...scope.ancestors, chart] }, subValues);
    }
  };
  visit({ chart: prepared.chart, prefix: [], ancestors: [] }, prepared.values);
  if (problems.length === 0) return;
  const first = problems[0] as string;
  throw new PortolanError(
    'SCHEMA_VIOLATION',
    problems.length === 1 ? `values do not match the schema: ${first}` : `values do not match the schema (${problems.length} problems)`,
    {
      problems: problems.length === 1 ? undefined : problems,
      hint: 'Fix the values named above, or render with --skip-schema-validation.',
    },
  );
}
