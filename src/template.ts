// From a chart plus user values to rendered manifests: load values, prepare (dependencies, coalescing),
// validate schemas, render. Shared by `template`, `lint` and the release actions.
import { PortolanError } from './errors.js';
import type { Chart, Values } from './chart/types.js';
import {
  prepareChart,
  readUserValues,
  validateValues,
  parseValuesYaml,
  type SourcedValues,
  type ValueOptions,
  type ValuesIo,
} from './values/index.js';
import { renderChart, type RenderOptions, type RenderResult } from './render/index.js';

export interface TemplateOptions extends RenderOptions {
  skipSchemaValidation?: boolean;
}

export interface TemplateResult extends RenderResult {
  /** The fully coalesced values the templates saw. */
  values: Values;
  /** The user-supplied values alone (what a release record stores as its config). */
  userValues: Values;
  /** Files under crds/ of the chart and its enabled subcharts, in order. */
  crds: Array<{ source: string; text: string }>;
}

export async function readValues(options: ValueOptions, io: ValuesIo): Promise<SourcedValues> {
  return readUserValues(options, io);
}

/** Pure from here on: user values are already read. */
export function templateChart(chart: Chart, user: SourcedValues, options: TemplateOptions): TemplateResult {
  if (chart.metadata.type === 'library') {
    throw new PortolanError(
      'CHART_INVALID',
      `chart "${chart.metadata.name}" is a library chart; library charts cannot be rendered or installed`,
      {
        hint: 'Use it as a dependency of an application chart.',
      },
    );
  }
  checkDependenciesPresent(chart);
  const prepared = prepareChart(chart, user);
  if (!options.skipSchemaValidation) validateValues(prepared);
  const rendered = renderChart(prepared.chart, prepared.values, options);
  return {
    ...rendered,
    values: prepared.values,
    userValues: user.values,
    crds: collectCrds(prepared.chart),
    warnings: [...prepared.warnings, ...rendered.warnings],
  };
}

function collectCrds(chart: Chart, prefix = chart.metadata.name): Array<{ source: string; text: string }> {
  const crds = chart.files
    .filter((f) => f.name.startsWith('crds/') && /\.(ya?ml|json)$/.test(f.name))
    .map((f) => ({ source: `${prefix}/${f.name}`, text: f.data.toString('utf8') }));
  for (const sub of chart.dependencies) crds.push(...collectCrds(sub, `${prefix}/charts/${sub.metadata.name}`));
  return crds;
}

/** Every dependency Chart.yaml asks for must be in charts/ (Helm: "found in Chart.yaml, but missing in charts/"). */
export function checkDependenciesPresent(chart: Chart): void {
  const present = new Set(chart.dependencies.map((d) => d.metadata.name));
  const missing = [
    ...new Set((chart.metadata.dependencies ?? []).map((d) => d.name).filter((name) => !present.has(name))),
  ];
  if (missing.length > 0) {
    throw new PortolanError(
      'DEPENDENCY',
      `${chart.metadata.name}: found in Chart.yaml, but missing in charts/: ${missing.join(', ')}`,
      {
        file: chart.source ? `${chart.source}/Chart.yaml` : undefined,
        hint: `Run \`portolan dependency build ${chart.source ?? '<chart>'}\` to fetch them.`,
      },
    );
  }
}

/** One release of a releases file (helmfile's `releases:` entries, the fields portolan reads). */
export interface ReleaseSpec {
  name: string;
  /** As written: a path relative to the releases file's folder, a .tgz, or REPO/CHART. */
  chart: string;
  namespace?: string;
  /** Values files (relative to the releases file's folder) and inline maps, in the order written. */
  values: Array<string | Values>;
  /** helmfile's `set:` list: each value as YAML typed it (applied as --set-json name=value). */
  set: Array<{ name: string; value: unknown }>;
}

const RELEASE_KEYS = new Set(['name', 'chart', 'namespace', 'values', 'set', 'installed']);

/**
 * Reads a releases file, helmfile's format without its templating: `releases:` a list of `{name, chart, namespace,
 * values, set, installed}`. An entry with `installed: false` is left out, as helmfile leaves it out. Pure; every
 * mistake names the file and the entry.
 */
export function parseReleasesFile(text: string, file: string): ReleaseSpec[] {
  const document = parseValuesYaml(text, file);
  const fail = (message: string, hint?: string): never => {
    throw new PortolanError('VALUES_PARSE', `${file}: ${message}`, {
      file,
      hint: hint ?? 'A releases file holds `releases:`, a list of {name, chart, namespace, values, set}.',
    });
  };
  for (const key of Object.keys(document)) if (key !== 'releases') fail(`unknown key "${key}" (only releases is read)`);
  const list = document.releases;
  if (!Array.isArray(list)) fail('releases must be a list');
  const seen = new Set<string>();
  const releases: ReleaseSpec[] = [];
  (list as unknown[]).forEach((entry, index) => {
    const at = `releases[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return fail(`${at} must be a map`);
    const fields = entry as Record<string, unknown>;
    for (const key of Object.keys(fields))
      if (!RELEASE_KEYS.has(key))
        fail(`${at}: unknown key "${key}"`, `The keys read are ${[...RELEASE_KEYS].join(', ')}.`);
    const text = (key: string, required: boolean): string | undefined => {
      const value = fields[key];
      if (value === undefined || value === null) return required ? fail(`${at} needs a ${key}`) : undefined;
      if (typeof value !== 'string' || value === '') return fail(`${at}.${key} must be a non-empty string`);
      return value;
    };
    const name = text('name', true) as string;
    const chart = text('chart', true) as string;
    const namespace = text('namespace', false);
    if (fields.installed !== undefined && typeof fields.installed !== 'boolean')
      fail(`${at}.installed must be true or false`);
    const values = fields.values ?? [];
    if (!Array.isArray(values)) fail(`${at}.values must be a list of files and maps`);
    for (const [i, item] of (values as unknown[]).entries()) {
      const isMapValue = item !== null && typeof item === 'object' && !Array.isArray(item);
      if (!isMapValue && (typeof item !== 'string' || item === ''))
        fail(`${at}.values[${i}] must be a file name or a map of values`);
    }
    const set = fields.set ?? [];
    if (!Array.isArray(set)) fail(`${at}.set must be a list of {name, value}`);
    for (const [i, item] of (set as unknown[]).entries()) {
      const pair = item as Record<string, unknown> | null;
      if (pair === null || typeof pair !== 'object' || typeof pair.name !== 'string' || !Object.hasOwn(pair, 'value'))
        fail(`${at}.set[${i}] must be a map {name, value}`);
    }
    if (fields.installed === false) return;
    const key = `${namespace ?? ''}/${name}`;
    if (seen.has(key)) fail(`release "${name}" is listed twice${namespace ? ` in namespace ${namespace}` : ''}`);
    seen.add(key);
    releases.push({
      name,
      chart,
      namespace,
      values: values as Array<string | Values>,
      set: (set as Array<Record<string, unknown>>).map((p) => ({ name: p.name as string, value: p.value })),
    });
  });
  return releases;
}
