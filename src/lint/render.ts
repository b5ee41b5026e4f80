// Rendering for lint: the whole chart strictly; when that fails, each template on its own (with every partial), so
// every broken template is reported rather than the first. Documents come back with chart-relative file names.
import { isPortolanError, messageOf } from '../errors.js';
import type { Chart, ChartFile, Values } from '../chart/types.js';
import { renderChart, type RenderOptions, type RenderedDocument } from '../render/index.js';

export interface LintDocument {
  /** Chart-relative: `templates/x.yaml`, or `charts/sub/templates/x.yaml` for a subchart's. */
  file: string;
  object: unknown;
}

export interface RenderFailure {
  file: string;
  line?: number;
  message: string;
}

export interface LintRender {
  documents: LintDocument[];
  failures: RenderFailure[];
}

const isPartial = (file: ChartFile): boolean => (file.name.split('/').pop() ?? '').startsWith('_');

/** `demo/templates/x.yaml` (a rendered document's source) → `templates/x.yaml`. */
export function chartRelative(source: string): string {
  const slash = source.indexOf('/');
  return slash < 0 ? source : source.slice(slash + 1);
}

export function renderForLint(chart: Chart, values: Values, options: RenderOptions): LintRender {
  try {
    return { documents: documentsOf(renderChart(chart, values, options)), failures: [] };
  } catch (whole) {
    const documents: LintDocument[] = [];
    const failures: RenderFailure[] = [];
    for (const target of templateTargets(chart)) {
      try {
        documents.push(...documentsOf(renderChart(onlyTemplate(chart, target.path, target.name), values, options)));
      } catch (error) {
        failures.push(failureOf(error, target.file));
      }
    }
    // Every template renders alone, yet the chart does not: report the chart-wide error as it came.
    if (failures.length === 0) failures.push(failureOf(whole, guessFile(whole, chart)));
    return { documents, failures };
  }
}

function documentsOf(result: { manifests: RenderedDocument[]; hooks: RenderedDocument[] }): LintDocument[] {
  return [...result.manifests, ...result.hooks]
    .filter((d) => !d.commentOnly)
    .map((d) => ({ file: chartRelative(d.source), object: d.object }));
}

interface Target {
  /** Indexes into dependencies, from the top chart down to the chart holding the template. */
  path: number[];
  /** The template's name within its chart (`templates/x.yaml`). */
  name: string;
  /** Chart-relative to the top chart. */
  file: string;
}

function templateTargets(chart: Chart, path: number[] = [], prefix = ''): Target[] {
  const own = chart.templates
    .filter((t) => !isPartial(t))
    .map((t) => ({ path, name: t.name, file: `${prefix}${t.name}` }));
  const subs = chart.dependencies.flatMap((sub, index) =>
    templateTargets(sub, [...path, index], `${prefix}charts/${sub.metadata.name}/`),
  );
  return [...own, ...subs];
}

/** The chart with every partial but only one rendering template. */
function onlyTemplate(chart: Chart, path: number[], name: string): Chart {
  const keep = path.length === 0 ? name : undefined;
  return {
    ...chart,
    templates: chart.templates.filter((t) => isPartial(t) || t.name === keep),
    dependencies: chart.dependencies.map((sub, index) =>
      path[0] === index ? onlyTemplate(sub, path.slice(1), name) : onlyTemplate(sub, [-1], name),
    ),
  };
}

function failureOf(error: unknown, file: string): RenderFailure {
  if (!isPortolanError(error)) return { file, message: messageOf(error) };
  let message = stripLocation(error.message, error.file);
  // A message that still names the template (chart/templates/x.yaml:3:5: …) loses that prefix: the finding has it.
  message = message.replace(/^\S*templates\/\S+?:\d+(:\d+)?:\s*/, '');
  if (error.problems && error.problems.length > 0) message += `: ${error.problems.join('; ')}`;
  return error.line === undefined ? { file, message } : { file, line: error.line, message };
}

function guessFile(error: unknown, chart: Chart): string {
  const named = isPortolanError(error) ? `${error.file ?? ''} ${error.message}` : messageOf(error);
  const match = chart.templates.find((t) => named.includes(t.name));
  return match ? match.name : 'templates/';
}

/** Messages often start with `file:line:col: `; a finding carries the location itself. */
export function stripLocation(message: string, file: string | undefined): string {
  if (file && message.startsWith(file)) return message.slice(file.length).replace(/^(:\d+)*:\s*/, '');
  return message;
}
