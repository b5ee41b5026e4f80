// `portolan convert`: a chart's templates moved between the two dialects, file by file, so that the chart renders the
// same objects in the other dialect. Files already in the target dialect, and files of neither dialect's marks, are
// kept as they are. Pure: files in, files out.
import { PortolanError } from '../errors.js';
import type { ChartFile } from '../chart/types.js';
import { helperNames } from '../render/engine.js';
import { detectDialect, type Dialect } from '../render/parse.js';
import { loadHelmYaml } from '../values/index.js';
import { goToHandlebars } from './to-handlebars.js';
import { handlebarsToGo, type ConversionProblem } from './to-go.js';

export type { ConversionProblem } from './to-go.js';

export interface ConvertOptions {
  /** Copy the templates that cannot be converted fully as they are, and list them, instead of failing. */
  allowPartial?: boolean;
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

/** The default values of the chart a template belongs to (its values.yaml beside templates/), or {} . */
function defaultsFor(files: ChartFile[], template: string): unknown {
  const root = template.slice(0, template.lastIndexOf('templates/'));
  const values = files.find((f) => f.name === `${root}values.yaml`);
  if (!values) return {};
  try {
    return loadHelmYaml(values.data.toString('utf8'), values.name)[0] ?? {};
  } catch {
    return {};
  }
}

/** Every handlebars template of a chart's files as a Go template; fails on what Go cannot express. */
export function toGoTemplates(files: ChartFile[]): ChartFile[] {
  return convertChartFiles(files, 'go').files;
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
