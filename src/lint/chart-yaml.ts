// Chart.yaml rules, after Helm's linter: required fields, types, SemVer, name, type, URLs, maintainers, icon,
// dependencies; and, beyond Helm's, keys given twice and numbers or booleans that Helm turns into strings (both read
// without a word by Helm's loader). Pure: text in, findings out; every problem is reported, not just the first.
import yaml from 'js-yaml';
import semver from 'semver';
import { decodeChartYaml, type Coercion } from '../chart/metadata.js';
import { isValidRange } from '../chart/version-range.js';
import { isPortolanError, messageOf } from '../errors.js';
import { HELM_YAML_SCHEMA } from '../values/go-yaml.js';
import { lineOf as valuesLineOf, type PathSegment } from '../values/yaml.js';
import { finding, type LintFinding } from './types.js';
import { describeDuplicateKey, findDuplicateKeys } from './yaml11.js';

const FILE = 'Chart.yaml';
const ALIAS_PATTERN = /^[a-zA-Z0-9_-]+$/;

export interface ChartYamlLint {
  findings: LintFinding[];
  /** The parsed map when the YAML could be read, for the rules that need the metadata. */
  metadata?: Record<string, unknown>;
}

export function lintChartYaml(text: string | undefined): ChartYamlLint {
  if (text === undefined)
    return { findings: [finding('error', 'chart-yaml', FILE, 'file does not exist: a chart needs a Chart.yaml')] };
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: FILE, schema: HELM_YAML_SCHEMA, json: true });
  } catch (error) {
    if (error instanceof yaml.YAMLException) {
      return {
        findings: [
          finding(
            'error',
            'chart-yaml',
            FILE,
            `unable to parse YAML: ${error.reason} (column ${error.mark.column + 1})`,
            error.mark.line + 1,
          ),
        ],
      };
    }
    throw error;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return {
      findings: [finding('error', 'chart-yaml', FILE, 'expected a map of chart metadata (apiVersion, name, version)')],
    };
  }
  const meta = doc as Record<string, unknown>;
  const lineOf = (key: string): number | undefined => topLevelLine(text, key);
  const out: LintFinding[] = [];
  const error = (message: string, key?: string) =>
    out.push(finding('error', 'chart-yaml', FILE, message, key ? lineOf(key) : undefined));
  const warning = (message: string, key?: string) =>
    out.push(finding('warning', 'chart-yaml', FILE, message, key ? lineOf(key) : undefined));
  const info = (message: string, key?: string) =>
    out.push(finding('info', 'chart-yaml', FILE, message, key ? lineOf(key) : undefined));

  // Keys given twice, and scalars Helm coerces into string fields (version and appVersion are errors below, as in
  // helm lint; a map or list where a string belongs fails to load at all).
  for (const duplicate of findDuplicateKeys(text))
    out.push(finding('warning', 'duplicate-key', FILE, describeDuplicateKey(duplicate), duplicate.line));
  let coercions: Coercion[] = [];
  try {
    coercions = decodeChartYaml(text, FILE).coercions;
  } catch (problem) {
    out.push(
      finding(
        'error',
        'chart-yaml',
        FILE,
        messageOf(problem).replace(/^Chart\.yaml(:\d+)?: /, ''),
        isPortolanError(problem) ? problem.line : undefined,
      ),
    );
  }
  for (const coercion of coercions) {
    if (coercion.path === 'version' || coercion.path === 'appVersion') continue;
    out.push(
      finding(
        'warning',
        'chart-yaml',
        FILE,
        `${coercion.path} is ${coercion.from}, which Helm reads as the string "${coercion.to}"; quote it to write the string you mean`,
        valuesLineOf(text, pathSegments(coercion.path)),
      ),
    );
  }

  // name
  const name = meta.name;
  if (name === undefined || name === null || name === '') error('name is required');
  else if (typeof name !== 'string') {
    // coerced to a string by Helm: warned about above
  } else if (/[/\\]/.test(name) || name === '.' || name === '..') error(`chart name "${name}" is invalid`, 'name');

  // apiVersion
  const apiVersion = meta.apiVersion;
  if (apiVersion === undefined || apiVersion === null || apiVersion === '')
    error('apiVersion is required. The value must be either "v1" or "v2"');
  else if (apiVersion !== 'v1' && apiVersion !== 'v2')
    error(`apiVersion '${String(apiVersion)}' is not valid. The value must be either "v1" or "v2"`, 'apiVersion');

  // version and appVersion
  const version = meta.version;
  if (version === undefined || version === null || version === '') error('version is required');
  else if (typeof version !== 'string')
    error(
      `version should be of type string but it's of type ${typeName(version, rawValue(text, 'version'))} (quote it: version: "${rawValue(text, 'version') ?? String(version)}")`,
      'version',
    );
  else if (!semver.valid(version, { loose: true })) error(`version '${version}' is not a valid SemVer`, 'version');
  if (meta.appVersion !== undefined && meta.appVersion !== null && typeof meta.appVersion !== 'string') {
    error(
      `appVersion should be of type string but it's of type ${typeName(meta.appVersion, rawValue(text, 'appVersion'))} (quote it: appVersion: "${rawValue(text, 'appVersion') ?? String(meta.appVersion)}")`,
      'appVersion',
    );
  }

  // maintainers and sources
  if (meta.maintainers !== undefined && meta.maintainers !== null) {
    if (!Array.isArray(meta.maintainers)) error('maintainers must be a list', 'maintainers');
    else {
      meta.maintainers.forEach((entry: unknown, index) => {
        const m = isMap(entry) ? entry : undefined;
        if (!m || typeof m.name !== 'string' || m.name === '') {
          error(`each maintainer requires a name (maintainers[${index}] has none)`, 'maintainers');
          return;
        }
        if (m.email !== undefined && (typeof m.email !== 'string' || !isEmail(m.email)))
          error(`invalid email '${String(m.email)}' for maintainer '${m.name}'`, 'maintainers');
        if (m.url !== undefined && (typeof m.url !== 'string' || !isUrl(m.url)))
          error(`invalid url '${String(m.url)}' for maintainer '${m.name}'`, 'maintainers');
      });
    }
  }
  if (meta.sources !== undefined && meta.sources !== null) {
    if (!Array.isArray(meta.sources)) error('sources must be a list of URLs', 'sources');
    else
      for (const source of meta.sources)
        if (typeof source !== 'string' || !isUrl(source)) error(`invalid source URL '${String(source)}'`, 'sources');
  }
  if (typeof meta.home === 'string' && meta.home !== '' && !isUrl(meta.home))
    error(`invalid home URL '${meta.home}'`, 'home');

  // icon
  if (meta.icon === undefined || meta.icon === null || meta.icon === '') info('icon is recommended');
  else if (typeof meta.icon === 'string' && !isUrl(meta.icon)) error(`invalid icon URL '${meta.icon}'`, 'icon');

  // type
  if (meta.type !== undefined && meta.type !== null && meta.type !== '') {
    if (apiVersion !== 'v2')
      error(`chart type is not valid in apiVersion '${String(apiVersion)}'. It is valid in apiVersion 'v2'`, 'type');
    if (meta.type !== 'application' && meta.type !== 'library')
      error(`chart type '${String(meta.type)}' is invalid: expected application or library`, 'type');
  }

  // kubeVersion
  if (typeof meta.kubeVersion === 'string' && meta.kubeVersion !== '' && !isValidRange(meta.kubeVersion)) {
    error(`kubeVersion '${meta.kubeVersion}' is not a valid SemVer range (e.g. ">= 1.27.0")`, 'kubeVersion');
  }

  // dependencies
  if (meta.dependencies !== undefined && meta.dependencies !== null) {
    if (apiVersion !== 'v2')
      error(
        `dependencies are not valid in the Chart file with apiVersion '${String(apiVersion)}'. They are valid in apiVersion 'v2'`,
        'dependencies',
      );
    if (!Array.isArray(meta.dependencies)) error('dependencies must be a list', 'dependencies');
    else {
      const seen = new Set<string>();
      meta.dependencies.forEach((entry: unknown, index) => {
        if (!isMap(entry)) {
          error(`dependencies[${index}] must be a map with name, version and repository`, 'dependencies');
          return;
        }
        const depName = entry.name;
        if (typeof depName !== 'string' || depName === '') {
          error(`dependencies[${index}].name is required`, 'dependencies');
          return;
        }
        if (entry.alias !== undefined && (typeof entry.alias !== 'string' || !ALIAS_PATTERN.test(entry.alias))) {
          error(
            `dependency "${depName}" has an invalid alias '${String(entry.alias)}': it must match ${ALIAS_PATTERN.source}`,
            'dependencies',
          );
        }
        if (
          entry.version !== undefined &&
          entry.version !== null &&
          (typeof entry.version !== 'string' || (entry.version !== '' && !isValidRange(entry.version)))
        ) {
          error(`dependency "${depName}" has an invalid version range '${String(entry.version)}'`, 'dependencies');
        }
        const effective = typeof entry.alias === 'string' ? entry.alias : depName;
        if (seen.has(effective)) error(`multiple dependencies with name or alias "${effective}"`, 'dependencies');
        seen.add(effective);
      });
    }
  }

  // strict SemVer 2 (Helm warns; a "v" prefix or a short version is accepted elsewhere)
  if (
    typeof version === 'string' &&
    semver.valid(version, { loose: true }) &&
    (!semver.valid(version) || /^[vV=]/.test(version.trim()))
  ) {
    warning(`version '${version}' is not a valid SemVerV2`, 'version');
  }
  if (meta.deprecated === true) info('chart is deprecated', 'deprecated');
  return { findings: out, metadata: meta };
}

/** `dependencies[0].version` → ['dependencies', 0, 'version'], for the line it is written on. */
function pathSegments(path: string): PathSegment[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] as string)));
}

/** Go's names for what YAML made of a value, as Helm's messages say them (1.0 is a float64, as written). */
function typeName(value: unknown, raw?: string): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'number') return Number.isInteger(value) && !/[.eE]/.test(raw ?? '') ? 'int' : 'float64';
  return typeof value;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Go's url.ParseRequestURI, roughly: an absolute URL or an absolute path. */
function isUrl(text: string): boolean {
  if (text.startsWith('/')) return !/\s/.test(text);
  try {
    const url = new URL(text);
    return url.protocol.length > 1 && !/\s/.test(text);
  } catch {
    return false;
  }
}

/** An address, or `Name <address>`, as Go's mail.ParseAddress accepts them. */
function isEmail(text: string): boolean {
  const bracketed = /<([^<>]+)>\s*$/.exec(text);
  const address = bracketed ? (bracketed[1] ?? '') : text;
  return /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+$/.test(address.trim());
}

/** The 1-based line of a top-level `key:` in the text, when it is there. */
export function topLevelLine(text: string, key: string): number | undefined {
  const lines = text.split('\n');
  const index = lines.findIndex(
    (line) => line.startsWith(`${key}:`) || line.startsWith(`"${key}":`) || line.startsWith(`'${key}':`),
  );
  return index < 0 ? undefined : index + 1;
}

/** A top-level scalar as written (`version: 1.0` → `1.0`), for hints that quote it. */
function rawValue(text: string, key: string): string | undefined {
  const match = new RegExp(`^${key}:[ \\t]*([^#\\n]*?)[ \\t]*(#.*)?$`, 'm').exec(text);
  return match?.[1] || undefined;
}
