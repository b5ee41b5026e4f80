// `portolan convert`: a chart's templates moved between the two dialects, file by file, so that the chart renders the
// same objects in the other dialect. Files already in the target dialect, and files of neither dialect's marks, are
// kept as they are; each converted chart's Chart.yaml names the semantics its templates were written for (the
// SEMANTICS_ANNOTATION of src/render), so that portolan renders it as before. Pure: files in, files out.
import { dump } from 'js-yaml';
import { PortolanError } from '../errors.js';
import type { ChartFile } from '../chart/types.js';
import { helperNames } from '../render/engine.js';
import { detectDialect, type Dialect } from '../render/parse.js';
import { SEMANTICS_ANNOTATION, type TemplateSemantics } from '../render/index.js';
import { loadHelmYaml } from '../values/index.js';
import { goToHandlebars } from './to-handlebars.js';
import { handlebarsToGo, type ConversionProblem } from './to-go.js';

export type { ConversionProblem } from './to-go.js';

export interface ConvertOptions {
  /** Copy the templates that cannot be converted fully as they are, and list them, instead of failing. */
  allowPartial?: boolean;
  /**
   * Write the semantics each converted chart's templates were written for into its Chart.yaml (default true), so that
   * portolan renders the converted chart as it rendered the original (helm ignores the annotation).
   */
  keepSemantics?: boolean;
}

export interface ConvertResult {
  files: ChartFile[];
  /** Templates rewritten into the target dialect. */
  converted: string[];
  /** Templates copied unchanged because they hold constructs the target dialect cannot express (allowPartial). */
  partial: string[];
  problems: ConversionProblem[];
}

/** A chart's (or its subcharts') template: anything under a templates/ folder. */
const isTemplate = (name: string): boolean => /(^|\/)templates\//.test(name) && !name.endsWith('.tgz');

export function convertChartFiles(files: ChartFile[], to: Dialect, options: ConvertOptions = {}): ConvertResult {
  const helpers = new Set(helperNames());
  const isHelper = (name: string) => helpers.has(name);
  const result: ConvertResult = { files: [], converted: [], partial: [], problems: [] };
  for (const file of files) {
    const text = isTemplate(file.name) ? file.data.toString('utf8') : undefined;
    const from: Dialect = to === 'go' ? 'handlebars' : 'go';
    if (text === undefined || !isIn(text, from, files, file.name)) {
      result.files.push(file);
      continue;
    }
    const converted =
      to === 'go'
        ? handlebarsToGo(text, file.name, isHelper, defaultsFor(files, file.name))
        : goToHandlebars(text, file.name);
    if (converted.problems.length > 0) {
      result.problems.push(...converted.problems);
      result.partial.push(file.name);
      result.files.push(file);
      continue;
    }
    result.converted.push(file.name);
    result.files.push({ name: file.name, data: Buffer.from(converted.text) });
  }
  if (options.keepSemantics !== false) markSemantics(files, result);
  if (result.problems.length > 0 && !options.allowPartial) {
    throw new PortolanError(
      'CHART_INVALID',
      `${result.partial.length} template(s) hold constructs ${to === 'go' ? 'Go templates' : 'handlebars'} cannot express`,
      {
        problems: result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`),
        hint: 'Rewrite those lines, or pass --allow-partial to copy those templates unchanged.',
      },
    );
  }
  return result;
}

/** The folder of the chart a template belongs to: '' for the top chart, `charts/db/` for a subchart. */
const chartRoot = (template: string): string => template.slice(0, template.lastIndexOf('templates/'));

/** The dialect render reads a chart's templates in: Go when they show Go's marks and no handlebars ones. */
function chartDialect(files: ChartFile[], root: string): Dialect {
  const found = new Set(
    files
      .filter((f) => isTemplate(f.name) && f.name.startsWith(`${root}templates/`))
      .map((f) => detectDialect(f.data.toString('utf8'))),
  );
  return found.has('go') && !found.has('handlebars') ? 'go' : 'handlebars';
}

const nativeSemantics = (dialect: Dialect): TemplateSemantics => (dialect === 'go' ? 'helm' : 'portolan');

/**
 * Each chart with a converted template gets, in its Chart.yaml, the semantics its templates had (the annotation's, or
 * their dialect's) when those are not the converted templates' own; the annotation is removed when they are (go →
 * handlebars → go leaves none).
 */
function markSemantics(original: ChartFile[], result: ConvertResult): void {
  const roots = new Set(result.converted.map(chartRoot));
  for (const root of roots) {
    const index = result.files.findIndex((f) => f.name === `${root}Chart.yaml`);
    const chartYaml = result.files[index];
    if (!chartYaml) continue;
    const text = chartYaml.data.toString('utf8');
    const metadata = (loadHelmYaml(text, chartYaml.name)[0] ?? {}) as { annotations?: Record<string, unknown> };
    const marked = metadata.annotations?.[SEMANTICS_ANNOTATION];
    const before = marked === 'helm' || marked === 'portolan' ? marked : nativeSemantics(chartDialect(original, root));
    const wanted = before === nativeSemantics(chartDialect(result.files, root)) ? undefined : before;
    if (wanted === marked) continue;
    result.files[index] = { name: chartYaml.name, data: Buffer.from(withAnnotation(text, wanted)) };
  }
}

/**
 * Chart.yaml's text with the semantics annotation set to `value` (removed when undefined), edited line by line so
 * comments and layout stay; a file whose annotations are not a plain block is written out again.
 */
export function withAnnotation(text: string, value: TemplateSemantics | undefined): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^annotations:\s*(#.*)?$/.test(l));
  const entry = (indent: string) => `${indent}${SEMANTICS_ANNOTATION}: ${value as string}`;
  let edited: string[] | undefined;
  if (start < 0 && !lines.some((l) => /^annotations:/.test(l))) {
    if (value === undefined) return text;
    const body = text.endsWith('\n') || text === '' ? text : `${text}\n`;
    return `${body}annotations:\n${entry('  ')}\n`;
  }
  if (start >= 0) {
    let end = start + 1;
    while (end < lines.length && /^(\s+\S|\s*$|\s*#)/.test(lines[end] as string)) end++;
    const block = lines.slice(start + 1, end);
    const indent = /^(\s+)\S/.exec(block.find((l) => /^\s+[^\s#]/.test(l)) ?? '')?.[1] ?? '  ';
    const at = block.findIndex((l) => l.trim().startsWith(`${SEMANTICS_ANNOTATION}:`));
    if (at >= 0) {
      if (value === undefined) block.splice(at, 1);
      else block[at] = entry(indent);
    } else if (value !== undefined) block.unshift(entry(indent));
    const empty = block.every((l) => /^\s*(#.*)?$/.test(l));
    edited = [...lines.slice(0, start), ...(empty ? [] : [lines[start] as string]), ...block, ...lines.slice(end)];
  }
  const out = edited?.join('\n');
  if (out !== undefined && annotationOf(out) === value) return out;
  // Flow style or anything unusual: the metadata written out again, comments lost.
  const metadata = (loadHelmYaml(text, 'Chart.yaml')[0] ?? {}) as Record<string, unknown>;
  const annotations = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}) };
  if (value === undefined) delete annotations[SEMANTICS_ANNOTATION];
  else annotations[SEMANTICS_ANNOTATION] = value;
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return dump(metadata, { lineWidth: -1 });
}

function annotationOf(text: string): unknown {
  try {
    const metadata = loadHelmYaml(text, 'Chart.yaml')[0] as { annotations?: Record<string, unknown> } | undefined;
    return metadata?.annotations?.[SEMANTICS_ANNOTATION];
  } catch {
    return null;
  }
}

/** The default values of the chart a template belongs to (its values.yaml beside templates/), or {} . */
function defaultsFor(files: ChartFile[], template: string): unknown {
  const root = chartRoot(template);
  const values = files.find((f) => f.name === `${root}values.yaml`);
  if (!values) return {};
  try {
    return loadHelmYaml(values.data.toString('utf8'), values.name)[0] ?? {};
  } catch {
    return {};
  }
}

/**
 * Every handlebars template of a chart's files as a Go template; fails on what Go cannot express. For a new chart
 * (`create --dialect go`): a Go chart like any other, with no semantics annotation.
 */
export function toGoTemplates(files: ChartFile[]): ChartFile[] {
  return convertChartFiles(files, 'go', { keepSemantics: false }).files;
}

/**
 * Whether a template is written in `dialect`: by its own marks, or, with none (`{{ .Values.x }}`), as the other
 * templates of its chart are (a Go chart's plain files are Go).
 */
function isIn(text: string, dialect: Dialect, files: ChartFile[], name: string): boolean {
  const own = detectDialect(text);
  if (own !== 'neutral') return own === dialect;
  if (!text.includes('{{')) return false;
  const root = name.slice(0, name.lastIndexOf('templates/'));
  const siblings = files
    .filter((f) => f.name.startsWith(`${root}templates/`) && isTemplate(f.name))
    .map((f) => detectDialect(f.data.toString('utf8')));
  const chartDialect: Dialect = siblings.includes('go') && !siblings.includes('handlebars') ? 'go' : 'handlebars';
  return chartDialect === dialect;
}
