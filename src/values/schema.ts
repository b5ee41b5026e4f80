// values.schema.json: every chart's schema checked against that chart's coalesced values, as Helm 4.1.4 checks it
// (santhosh-tekuri/jsonschema v6): the draft `$schema` names (draft-04, -06, -07, 2019-09, 2020-12; 2020-12 when none
// is named), formats asserted up to draft-07 only, `pattern`s in RE2 syntax as Go's regexp reads them, `$ref`s to the
// published meta-schemas resolved offline and `urn:` refs permissive. Helm downloads any other remote `$ref`; portolan
// never makes a network call while rendering and refuses such a schema naming the `$ref`. Every violation is listed as
// `<chart>: <path>: <message> (value from <origin>)`, the origin being the file and line or the flag that set it.
import { createRequire } from 'node:module';
import type { Ajv, AnySchema, ErrorObject, MissingRefError, Options, ValidateFunction } from 'ajv';
import type { Ajv2019 } from 'ajv/dist/2019.js';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { PortolanError, messageOf } from '../errors.js';
import type { Chart, Values } from '../chart/types.js';
import type { PreparedChart } from './coalesce.js';
import { originOf, type Origins } from './read.js';
import { DRAFT_04_META_SCHEMA, draft04ToDraft06 } from './schema-draft04.js';
import { formatPath, isMap, lineOf, type PathSegment } from './yaml.js';
import { compileRe2 } from '../render/helpers/regex.js';

type AjvInstance = InstanceType<typeof Ajv> | InstanceType<typeof Ajv2019> | InstanceType<typeof Ajv2020>;

/** Ajv and its formats: about 40 ms of CPU to load, so loaded only for charts that have a schema. */
interface AjvModules {
  Ajv: typeof Ajv;
  Ajv2019: typeof Ajv2019;
  Ajv2020: typeof Ajv2020;
  MissingRefError: typeof MissingRefError;
  addFormats: (ajv: AjvInstance) => AjvInstance;
}
let ajvModules: AjvModules | undefined;

/**
 * Loads Ajv ahead of a synchronous validation (the CLI's bundle keeps it in a chunk of its own); chart loading calls
 * it for a chart with a schema. Without it, the first schema to compile loads Ajv with require.
 */
export async function preloadSchemaValidator(): Promise<void> {
  if (ajvModules) return;
  // Each is a CommonJS module: its exports are the namespace's default, in Node and in the bundle alike.
  const [main, draft2019, draft2020, formats] = await Promise.all([
    import('ajv'),
    import('ajv/dist/2019.js'),
    import('ajv/dist/2020.js'),
    import('ajv-formats'),
  ]);
  ajvModules ??= fromExports(main.default, draft2019.default, draft2020.default, formats.default);
}

/** Ajv's classes from the modules' exports (CommonJS: module.exports is the class, with itself as a property). */
function fromExports(main: unknown, draft2019: unknown, draft2020: unknown, formats: unknown): AjvModules {
  const ajv = main as { Ajv: typeof Ajv; MissingRefError: typeof MissingRefError };
  return {
    Ajv: ajv.Ajv,
    Ajv2019: (draft2019 as { Ajv2019: typeof Ajv2019 }).Ajv2019,
    Ajv2020: (draft2020 as { Ajv2020: typeof Ajv2020 }).Ajv2020,
    MissingRefError: ajv.MissingRefError,
    addFormats: formats as AjvModules['addFormats'],
  };
}

function ajvLoaded(): AjvModules {
  if (ajvModules) return ajvModules;
  const require = createRequire(import.meta.url);
  ajvModules = fromExports(
    require('ajv'),
    require('ajv/dist/2019.js'),
    require('ajv/dist/2020.js'),
    require('ajv-formats'),
  );
  return ajvModules;
}

type Dialect = '04' | '06' | '07' | '2019' | '2020';

const instances = new Map<Dialect, AjvInstance>();
const compiled = new WeakMap<object, ValidateFunction>();

/** The published meta-schemas under the URL each is known by here. */
const META_URLS: Record<Dialect, string> = {
  '04': 'http://json-schema.org/draft-04/schema',
  '06': 'http://json-schema.org/draft-06/schema',
  '07': 'http://json-schema.org/draft-07/schema',
  '2019': 'https://json-schema.org/draft/2019-09/schema',
  '2020': 'https://json-schema.org/draft/2020-12/schema',
};

// Any spelling of a published meta-schema's URL: http or https, with or without `#` (and a fragment after it);
// `https://json-schema.org/schema` is the latest, 2020-12.
const META_URL =
  /^https?:\/\/json-schema\.org\/(?:draft-0([4-7])\/schema|draft\/(2019-09|2020-12)\/schema|(schema))(#.*)?$/;

function metaDialect(url: string): { dialect: Dialect; fragment: string } | undefined {
  const m = META_URL.exec(url);
  if (!m) return undefined;
  const dialect: Dialect | undefined = m[1]
    ? m[1] === '5'
      ? undefined
      : (`0${m[1]}` as Dialect)
    : m[2] === '2019-09'
      ? '2019'
      : '2020';
  return dialect ? { dialect, fragment: m[4] ?? '' } : undefined;
}

/** Which draft a schema is written in; undefined `$schema` is 2020-12, Helm's default. Throws for an unknown one. */
function dialectOf(schema: Record<string, unknown>, file: string): Dialect {
  if (schema.$schema === undefined) return '2020';
  const declared = typeof schema.$schema === 'string' ? metaDialect(schema.$schema) : undefined;
  if (!declared) {
    throw new PortolanError(
      'SCHEMA_INVALID',
      `${file}: $schema ${JSON.stringify(schema.$schema)} is not a published JSON Schema draft`,
      {
        file,
        hint: 'Name one of the drafts (e.g. "https://json-schema.org/draft/2020-12/schema" or "http://json-schema.org/draft-07/schema#") or leave $schema out for 2020-12. Helm would try to download any other meta-schema; portolan never fetches while rendering.',
      },
    );
  }
  return declared.dialect;
}

/** Go's regexp (RE2) for `pattern` and `patternProperties`, as Helm's validator compiles them. */
const re2Engine = Object.assign(
  (pattern: string) => {
    const compiled = compileRe2(pattern);
    // Ajv keys its cache of compiled patterns by toString(): it must name the pattern.
    return { test: (text: string) => compiled.matcher(text).find(), toString: () => `/${pattern}/` };
  },
  { code: 're2js' },
);

function ajvFor(dialect: Dialect): AjvInstance {
  let ajv = instances.get(dialect);
  if (ajv) return ajv;
  // Helm's validator asserts formats for draft-07 and older only; 2019-09 and 2020-12 treat them as annotations.
  const options: Options = {
    strict: false,
    allErrors: true,
    logger: false,
    validateSchema: dialect !== '04',
    validateFormats: dialect !== '2019' && dialect !== '2020',
    code: { regExp: re2Engine },
  };
  const { Ajv, Ajv2019, Ajv2020, addFormats } = ajvLoaded();
  ajv = dialect === '2020' ? new Ajv2020(options) : dialect === '2019' ? new Ajv2019(options) : new Ajv(options);
  addFormats(ajv);
  // The older meta-schemas, for `$schema` and for `$ref`s that point at them (a schema property that must itself be
  // a schema). Loaded on first use: nothing is read when this module is imported.
  const require = createRequire(import.meta.url);
  const draft06 = require('ajv/dist/refs/json-schema-draft-06.json') as Record<string, unknown>;
  const draft07 = require('ajv/dist/refs/json-schema-draft-07.json') as Record<string, unknown>;
  if (dialect === '04' || dialect === '06' || dialect === '07') {
    ajv.addMetaSchema(draft06);
  } else {
    for (const meta of [draft06, draft07]) {
      const { $schema: _dialect, ...body } = meta;
      ajv.addSchema(body as AnySchema);
    }
  }
  ajv.addSchema(draft04ToDraft06(DRAFT_04_META_SCHEMA) as AnySchema, META_URLS['04']);
  instances.set(dialect, ajv);
  return ajv;
}

/** A copy of the schema with every meta-schema URL (in `$schema` and `$ref`) spelt as the Ajv instances know it. */
function canonicalRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(canonicalRefs);
  if (!isMap(node)) return node;
  const out: Values = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === '$ref' || key === '$schema') && typeof value === 'string') {
      const meta = metaDialect(value);
      out[key] = meta ? `${META_URLS[meta.dialect]}${meta.fragment === '#' ? '' : meta.fragment}` : value;
    } else out[key] = canonicalRefs(value);
  }
  return out;
}

function invalidSchema(
  file: string,
  message: string,
  hint = 'Fix values.schema.json, or render with --skip-schema-validation.',
): PortolanError {
  return new PortolanError('SCHEMA_INVALID', `${file}: invalid JSON Schema: ${message}`, { file, hint });
}

/**
 * Compiles a chart's schema (cached per schema object). Throws SCHEMA_INVALID naming the file: for a schema that is
 * not valid in its draft, and for a `$ref` to a schema outside the file (Helm would download it).
 */
export function compileSchema(schema: Record<string, unknown>, file: string): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached) return cached;
  const dialect = dialectOf(schema, file);
  let body = canonicalRefs(schema) as Record<string, unknown>;
  if (dialect === '04') body = draft04ToDraft06(body);
  else if (dialect === '06') body = { ...body, $schema: `${META_URLS['06']}#` };
  const ajv = ajvFor(dialect);
  let validate: ValidateFunction | undefined;
  const id = typeof body.$id === 'string' ? body.$id : typeof body.id === 'string' ? body.id : undefined;
  // Each `urn:` reference Helm cannot resolve is a permissive schema there (with a warning): the same here.
  for (let attempt = 0; validate === undefined; attempt++) {
    try {
      validate = ajv.compile(body);
    } catch (error) {
      if (error instanceof ajvLoaded().MissingRefError) {
        if (error.missingSchema.startsWith('urn:') && attempt < 100 && !ajv.getSchema(error.missingSchema)) {
          ajv.addSchema(true, error.missingSchema);
          continue;
        }
        throw invalidSchema(
          file,
          `$ref "${error.missingRef}" points outside values.schema.json; portolan does not download schemas while rendering (Helm would fetch it)`,
          'Copy the schema it names into values.schema.json (under $defs or definitions) and point $ref there, or render with --skip-schema-validation.',
        );
      }
      throw invalidSchema(file, messageOf(error));
    } finally {
      // Ajv registers a schema under its $id; two charts' schemas may share one, and each is compiled on its own.
      if (id !== undefined) ajv.removeSchema(id);
    }
  }
  compiled.set(schema, validate);
  return validate;
}

/** ajv compares types with typeof; BigInt values (big integers from --set) are checked as numbers. */
export function forValidation(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value))
    return value.some((v) => typeof v === 'bigint' || (v !== null && typeof v === 'object'))
      ? value.map(forValidation)
      : value;
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
function describeError(
  error: ErrorObject,
  values: unknown,
): { path: PathSegment[]; message: string; hasValue: boolean } {
  const path = parsePointer(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: [...path, String(params.missingProperty)], message: 'is required', hasValue: false };
    case 'additionalProperties':
      return {
        path: [...path, String(params.additionalProperty)],
        message: 'is not allowed here (the schema allows no other keys)',
        hasValue: true,
      };
    case 'unevaluatedProperties':
      return {
        path: [...path, String(params.unevaluatedProperty)],
        message: 'is not allowed here (the schema allows no other keys)',
        hasValue: true,
      };
    case 'enum':
      return {
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).map(shown).join(', ')}, found ${shown(valueAt(values, path))}`,
        hasValue: true,
      };
    case 'type':
      return {
        path,
        message: `must be ${String(params.type).replace(/,/g, ' or ')}, found ${typeName(valueAt(values, path))} ${shown(valueAt(values, path))}`,
        hasValue: true,
      };
    default:
      return {
        path,
        message: `${error.message ?? 'is invalid'}, found ${shown(valueAt(values, path))}`,
        hasValue: true,
      };
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' || typeof value === 'bigint')
    return Number.isInteger(Number(value)) ? 'integer' : 'number';
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
    problems.length === 1
      ? `values do not match the schema: ${first}`
      : `values do not match the schema (${problems.length} problems)`,
    {
      problems: problems.length === 1 ? undefined : problems,
      hint: 'Fix the values named above, or render with --skip-schema-validation.',
    },
  );
}
