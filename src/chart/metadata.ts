// Chart.yaml: read as Helm's loader reads it (sigs.k8s.io/yaml into chart.Metadata: YAML 1.1 scalars, a key given
// twice keeps the last value, a number or boolean in a string field becomes its Go spelling — `appVersion: 1.10` is
// "1.1" —, field names matched case-insensitively, unknown fields dropped, strings sanitized), then checked as
// Metadata.Validate does. Style findings (icon, maintainers, non-strict SemVer) belong to `lint`, not here.
import yaml from 'js-yaml';
import { PortolanError } from '../errors.js';
import { GoScalar, formatGoFloat32, loadPrecise } from '../values/go-yaml.js';
import { plainGoDocument } from '../values/yaml.js';
import type { ChartDependency, ChartMetadata } from './types.js';
import { tryParseVersion } from './version-range.js';
const ALIAS_PATTERN = /^[a-zA-Z0-9_-]+$/;

export function parseYamlDocument(text: string, file: string): unknown {
  try {
    return yaml.load(text, { filename: file });
  } catch (error) {
    throw syntaxError(error, file);
  }
}

/** A YAML syntax error as CHART_INVALID naming file, line and column; anything else as it is. */
function syntaxError(error: unknown, file: string): unknown {
  if (!(error instanceof yaml.YAMLException)) return error;
  const mark = error.mark;
  return new PortolanError('CHART_INVALID', `${file}:${mark.line + 1}:${mark.column + 1}: ${error.reason}`, {
    file,
    line: mark.line + 1,
    column: mark.column + 1,
    hint: 'Fix the YAML syntax at that position.',
  });
}

/** A value of a Go string field as sigs.k8s.io/yaml makes it: numbers and booleans in their Go spelling. */
export type Coercion = { path: string; from: string; to: string };

type FieldKind = 'string' | 'strings' | 'bool' | 'any' | 'stringMap' | 'maintainers' | 'dependencies';

// chart.Metadata's JSON field names and Go types (pkg/chart/v2/metadata.go).
const METADATA_FIELDS: Record<string, FieldKind> = {
  name: 'string',
  home: 'string',
  sources: 'strings',
  version: 'string',
  description: 'string',
  keywords: 'strings',
  maintainers: 'maintainers',
  icon: 'string',
  apiVersion: 'string',
  condition: 'string',
  tags: 'string',
  appVersion: 'string',
  deprecated: 'bool',
  annotations: 'stringMap',
  kubeVersion: 'string',
  dependencies: 'dependencies',
  type: 'string',
};
const MAINTAINER_FIELDS: Record<string, FieldKind> = { name: 'string', email: 'string', url: 'string' };
const DEPENDENCY_FIELDS: Record<string, FieldKind> = {
  name: 'string',
  version: 'string',
  repository: 'string',
  condition: 'string',
  tags: 'strings',
  enabled: 'bool',
  'import-values': 'any',
  alias: 'string',
};

/** Decodes a YAML map into a Go struct's fields, recording every scalar coerced into a string field. */
class StructDecoder {
  readonly coercions: Coercion[] = [];

  constructor(readonly file: string) {}

  fail(path: string, found: string, want: string): never {
    throw new PortolanError('CHART_INVALID', `${this.file}: ${path} must be ${want}, found ${found}`, {
      file: this.file,
      path,
      hint: 'Helm cannot load a chart whose Chart.yaml gives a field a value of another type.',
    });
  }

  /**
   * Go's encoding/json: a key matches a field exactly or case-insensitively; keys are met in sorted order, the last
   * wins.
   */
  decodeStruct(node: unknown, fields: Record<string, FieldKind>, path: string): Record<string, unknown> {
    if (node === null || node === undefined) return {};
    if (typeof node !== 'object' || Array.isArray(node) || node instanceof GoScalar)
      this.fail(path || 'Chart.yaml', describe(node), 'a map');
    const out: Record<string, unknown> = {};
    const byFold = new Map(Object.keys(fields).map((name) => [name.toLowerCase(), name]));
    for (const key of Object.keys(node).sort()) {
      const field = Object.hasOwn(fields, key) ? key : byFold.get(key.toLowerCase());
      if (field === undefined) continue; // unknown fields are dropped, as Go's json does
      const value = this.decodeField(
        (node as Record<string, unknown>)[key],
        fields[field] as FieldKind,
        path ? `${path}.${field}` : field,
      );
      if (value !== undefined) out[field] = value;
    }
    return out;
  }

  decodeField(value: unknown, kind: FieldKind, path: string): unknown {
    switch (kind) {
      case 'string':
        return this.decodeString(value, path);
      case 'bool':
        if (value === null) return undefined;
        if (typeof value !== 'boolean') this.fail(path, describe(value), 'a boolean');
        return value;
      case 'strings':
        return this.decodeList(value, path, (item, itemPath) => this.decodeString(item, itemPath) ?? '');
      case 'maintainers':
        return this.decodeList(value, path, (item, itemPath) =>
          item === null ? null : this.decodeStruct(item, MAINTAINER_FIELDS, itemPath),
        );
      case 'dependencies':
        return this.decodeList(value, path, (item, itemPath) =>
          item === null ? null : this.decodeStruct(item, DEPENDENCY_FIELDS, itemPath),
        );
      case 'stringMap': {
        if (value === null) return undefined;
        if (typeof value !== 'object' || Array.isArray(value) || value instanceof GoScalar)
          this.fail(path, describe(value), 'a map of strings');
        const out: Record<string, string> = {};
        for (const [key, item] of Object.entries(value as Record<string, unknown>))
          out[key] = this.decodeString(item, `${path}.${key}`) ?? '';
        return out;
      }
      case 'any':
        return plainValue(value);
    }
  }

  decodeList<T>(value: unknown, path: string, decodeItem: (item: unknown, path: string) => T): T[] | undefined {
    if (value === null) return undefined;
    if (!Array.isArray(value)) this.fail(path, describe(value), 'a list');
    return value.map((item, index) => decodeItem(item, `${path}[${index}]`));
  }

  /** sigs.k8s.io/yaml's coercion: ints in decimal, floats as FormatFloat(f, 'g', -1, 32), booleans as true/false. */
  decodeString(value: unknown, path: string): string | undefined {
    if (value === null || value === undefined) return undefined;
    if (typeof value === 'string') return value;
    let text: string;
    if (typeof value === 'boolean') text = String(value);
    else if (value instanceof GoScalar && value.kind === 'int') text = String(value.value);
    else if (value instanceof GoScalar && value.kind === 'float') text = formatGoFloat32(value.value as number);
    else if (value instanceof GoScalar) return undefined;
    else this.fail(path, describe(value), 'a string');
    this.coercions.push({ path, from: describe(value), to: text });
    return text;
  }
}

function describe(value: unknown): string {
  if (value instanceof GoScalar)
    return value.kind === 'null'
      ? 'null'
      : `${value.kind === 'int' ? 'the integer' : 'the number'} ${String(value.value)}`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'boolean') return `the boolean ${String(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function plainValue(value: unknown): unknown {
  if (value instanceof GoScalar) return value.plain();
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = plainValue(item);
    return out;
  }
  return value;
}

/** Go's unicode.IsSpace runes become a space; runes unicode.IsPrint refuses are dropped (Helm's sanitizeString). */
function sanitize(text: string): string {
  return text
    .replace(/[\t\n\v\f\r\u0085\u00a0\p{Zs}]/gu, ' ')
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]/gu, '');
}

/**
 * A YAML text read into a Go struct as sigs.k8s.io/yaml does (the first document only, as go-yaml's Unmarshal),
 * with the scalars it coerced into string fields. Syntax errors and what Helm refuses name the file and line.
 */
export function decodeChartYaml(
  text: string,
  file: string,
  fields: Record<string, FieldKind> = METADATA_FIELDS,
): { fields: Record<string, unknown>; coercions: Coercion[] } {
  let parsed;
  try {
    parsed = loadPrecise(text, file);
  } catch (error) {
    throw syntaxError(error, file);
  }
  const document = plainGoDocument(parsed.documents[0] ?? null, parsed.scalars, text, file, true, 'CHART_INVALID');
  const decoder = new StructDecoder(file);
  return { fields: decoder.decodeStruct(document, fields, ''), coercions: decoder.coercions };
}

/** The fields of chart.Metadata, for requirements.yaml (which Helm reads into the same struct). */
export const CHART_METADATA_FIELDS = METADATA_FIELDS;

/** Chart.yaml's text into ChartMetadata, as Helm loads it; throws CHART_INVALID for what Helm refuses. */
export function parseChartYaml(text: string, file: string): ChartMetadata {
  const { fields } = decodeChartYaml(text, file);
  return validateChartMetadata(fields, file);
}

/**
 * Metadata.Validate: sanitizes strings, defaults apiVersion to v1 (Helm 2 charts had none), checks what loading needs.
 */
export function validateChartMetadata(fields: Record<string, unknown>, file: string): ChartMetadata {
  const meta = { ...fields } as Record<string, unknown>;
  for (const key of [
    'name',
    'description',
    'home',
    'icon',
    'condition',
    'tags',
    'appVersion',
    'kubeVersion',
  ] as const) {
    if (typeof meta[key] === 'string') meta[key] = sanitize(meta[key]);
  }
  for (const key of ['sources', 'keywords'] as const)
    if (Array.isArray(meta[key])) meta[key] = (meta[key] as string[]).map(sanitize);
  if (Array.isArray(meta.maintainers)) {
    meta.maintainers = (meta.maintainers as Array<Record<string, string> | null>).map((m) => {
      if (m === null) return m;
      const out: Record<string, string> = { ...m };
      for (const key of ['name', 'email', 'url']) if (typeof out[key] === 'string') out[key] = sanitize(out[key]);
      return out;
    });
  }
  if (Array.isArray(meta.dependencies)) {
    meta.dependencies = (meta.dependencies as Array<Record<string, unknown> | null>).map((d) => {
      if (d === null) return d;
      const out: Record<string, unknown> = { ...d };
      for (const key of ['name', 'version', 'repository', 'condition'])
        if (typeof out[key] === 'string') out[key] = sanitize(out[key]);
      if (Array.isArray(out.tags)) out.tags = (out.tags as string[]).map(sanitize);
      return out;
    });
  }
  if (meta.apiVersion === undefined || meta.apiVersion === '') meta.apiVersion = 'v1';

  const problems: string[] = [];
  if (meta.name === undefined || meta.name === '') problems.push('name is required');
  if (meta.version === undefined || meta.version === '') problems.push('version is required');
  if (typeof meta.name === 'string' && (/[/\\]/.test(meta.name) || meta.name === '.' || meta.name === '..'))
    problems.push(`name "${meta.name}" must not contain a path separator`);
  if (typeof meta.version === 'string' && meta.version !== '' && !tryParseVersion(meta.version)) {
    problems.push(`version "${meta.version}" is not a valid SemVer 2 version (e.g. 1.2.3)`);
  }
  if (meta.type !== undefined && meta.type !== '' && meta.type !== 'application' && meta.type !== 'library') {
    problems.push(`type "${String(meta.type)}" is invalid: expected application or library`);
  }
  if (meta.type === '') delete meta.type;
  if (meta.dependencies !== undefined) problems.push(...checkDependencies(meta.dependencies));
  if (problems.length > 0) {
    throw new PortolanError('CHART_INVALID', `${file}: invalid chart metadata: ${problems.join('; ')}`, {
      file,
      problems: problems.length > 1 ? problems : undefined,
    });
  }
  return meta as ChartMetadata;
}

function checkDependencies(value: unknown): string[] {
  if (!Array.isArray(value)) return ['dependencies must be a list'];
  const problems: string[] = [];
  const seen = new Set<string>();
  value.forEach((entry: unknown, index) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`dependencies[${index}] must not be empty or null`);
      return;
    }
    const dep = entry as ChartDependency;
    if (typeof dep.name !== 'string' || dep.name === '') problems.push(`dependencies[${index}].name is required`);
    if (dep.alias !== undefined && (typeof dep.alias !== 'string' || !ALIAS_PATTERN.test(dep.alias))) {
      problems.push(`dependencies[${index}].alias "${String(dep.alias)}" must match ${ALIAS_PATTERN.source}`);
    }
    const effective = dep.alias ?? dep.name;
    if (typeof effective === 'string') {
      if (seen.has(effective))
        problems.push(`more than one dependency is named "${effective}" (use alias to tell them apart)`);
      seen.add(effective);
    }
  });
  return problems;
}

/**
 * A chart's metadata from Chart.yaml and, when the chart has one, requirements.yaml: Helm reads the latter into the
 * same Metadata (a v1 chart's dependencies live there; a v2 chart's are replaced too, with a warning in Helm), then
 * validates the result. `source` is the chart's path, for messages.
 */
export function chartMetadataFromFiles(
  chartYaml: string,
  requirementsYaml: string | undefined,
  source: string,
): ChartMetadata {
  const { fields } = decodeChartYaml(chartYaml, `${source}/Chart.yaml`);
  if (requirementsYaml !== undefined) {
    const requirements = decodeChartYaml(requirementsYaml, `${source}/requirements.yaml`).fields;
    for (const [key, value] of Object.entries(requirements)) {
      // Go's json decodes into the existing struct: a map keeps its entries, anything else is replaced.
      const current = fields[key];
      fields[key] =
        key === 'annotations' && current && typeof current === 'object' ? { ...current, ...(value as object) } : value;
    }
  }
  return validateChartMetadata(
    fields,
    `${source}/${requirementsYaml === undefined ? 'Chart.yaml' : 'Chart.yaml (with requirements.yaml)'}`,
  );
}
