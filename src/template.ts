// From a chart plus user values to rendered manifests: load values, prepare (dependencies, coalescing),
// validate schemas, render. Shared by `template`, `lint` and the release actions.
import { PortolanError } from './errors.js';
import type { Chart, Values } from './chart/types.js';
import {
  prepareChart,
  readUserValues,
  validateValues,
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
