// portolan lint: every rule over one chart, collecting every problem. lintChartFolder reads a folder (the I/O
// edge); lintChartFiles works on files (folders, archives, subcharts). `package` refuses a chart whose report failed.
import yaml from 'js-yaml';
import { PortolanError, isPortolanError, messageOf } from '../errors.js';
import { readFile, stat } from 'node:fs/promises';
import { readChartArchive } from '../chart/archive.js';
import { type InflateBudget, inflateBudget } from '../chart/archive-limits.js';
import { loadChartFiles, readChartFolder } from '../chart/load.js';
import { satisfiesRange } from '../chart/version-range.js';
import type { Chart, ChartDependency, ChartFile } from '../chart/types.js';
import {
  prepareChart,
  readUserValues,
  validateValues,
  type SourcedValues,
  type ValueOptions,
  type ValuesIo,
} from '../values/index.js';
import { lintChartYaml } from './chart-yaml.js';
import { describeSchemaErrors, kindKey, loadKindValidators } from './kubernetes.js';
import { lintManifest, type ManifestObject } from './manifests.js';
import { renderForLint, stripLocation } from './render.js';
import { finding, type LintFinding, type LintReport } from './types.js';
import { lintSchemaText, lintValuesText } from './values.js';

export type { LintFinding, LintReport, LintRule, LintSeverity } from './types.js';
export { findYaml11Scalars, type Yaml11Scalar } from './yaml11.js';

/**
 * User values for a lint run, read once for every chart linted, with the texts of the -f files for the YAML 1.1 scan.
 */
export interface LintValues {
  user: SourcedValues;
  files: Array<{ name: string; text: string }>;
}

export interface LintOptions {
  /** Values from -f/--set (readLintValues); none by default. */
  values?: LintValues;
  /** Warnings fail the chart too. */
  strict?: boolean;
  /** Also lint every chart under charts/ (folders and archives), as separate reports. */
  withSubcharts?: boolean;
  releaseName?: string;
  namespace?: string;
  kubeVersion?: string;
  apiVersions?: string[];
  skipSchemaValidation?: boolean;
  /** What is left of the decompression budget of the archive the chart came from (subchart archives count). */
  budget?: InflateBudget;
}

const NO_VALUES: ValueOptions = { valueFiles: [], set: [], setString: [], setJson: [], setFile: [], setLiteral: [] };

/** Reads the user values once; `-f -` (stdin) and each file are read a single time. */
export async function readLintValues(options: ValueOptions, io: ValuesIo): Promise<LintValues> {
  const texts = new Map<string, string>();
  for (const name of options.valueFiles) {
    if (!texts.has(name)) texts.set(name, name === '-' ? await io.readStdin() : await io.readFile(name));
  }
  const cached: ValuesIo = {
    readFile: async (path: string) => texts.get(path) ?? io.readFile(path),
    readStdin: async () => texts.get('-') ?? io.readStdin(),
  };
  const user = await readUserValues(options, cached);
  return { user, files: [...texts].map(([name, text]) => ({ name: name === '-' ? '<stdin>' : name, text })) };
}

async function noValues(): Promise<LintValues> {
  const none = async (): Promise<string> => {
    throw new PortolanError('INTERNAL', 'lint read no values here');
  };
  return { user: await readUserValues(NO_VALUES, { readFile: none, readStdin: none }), files: [] };
}

/**
 * Lints a chart folder, or a chart archive (.tgz) as `helm lint` does. The report's `failed` says whether `package`
 * (or `lint`) must refuse it.
 */
export async function lintChartFolder(dir: string, options: LintOptions = {}): Promise<LintReport> {
  let files: ChartFile[];
  try {
    const info = await stat(dir);
    if (info.isDirectory()) files = await readChartFolder(dir);
    else {
      const read = readChartArchive(await readFile(dir), dir);
      files = read.files;
      options = { ...options, budget: read.budget };
    }
  } catch (error) {
    const what = /\.(tgz|tar\.gz)$/.test(dir) ? 'chart archive' : 'chart folder';
    const report: LintReport = {
      chart: dir,
      findings: [finding('error', 'chart-yaml', dir, `unable to read the ${what}: ${messageOf(error)}`)],
      failed: true,
      subcharts: [],
    };
    return report;
  }
  return lintChartFiles(files, dir, options);
}

/** Lints a chart given as its files (chart-relative slash paths). */
export async function lintChartFiles(
  files: ChartFile[],
  source: string,
  options: LintOptions = {},
  isSubchart = false,
): Promise<LintReport> {
  const values = options.values ?? (await noValues());
  const findings: LintFinding[] = [];
  const fileText = (name: string): string | undefined => files.find((f) => f.name === name)?.data.toString('utf8');

  const chartYaml = lintChartYaml(fileText('Chart.yaml'));
  findings.push(...chartYaml.findings);
  const name = typeof chartYaml.metadata?.name === 'string' ? chartYaml.metadata.name : undefined;

  const valuesText = fileText('values.yaml');
  let valuesParse = true;
  if (valuesText === undefined) findings.push(finding('info', 'values', 'values.yaml', 'file does not exist'));
  else {
    const result = lintValuesText(valuesText, 'values.yaml');
    findings.push(...result.findings);
    valuesParse = result.parses;
  }
  if (!isSubchart) {
    for (const file of values.files)
      findings.push(
        ...lintValuesText(file.text, file.name).findings.filter(
          (f) => f.rule === 'yaml-1.1' || f.rule === 'duplicate-key',
        ),
      );
  }
  const schemaText = fileText('values.schema.json');
  const schema = schemaText === undefined ? { findings: [], valid: true } : lintSchemaText(schemaText);
  findings.push(...schema.findings);
  if (!files.some((f) => f.name.startsWith('templates/')))
    findings.push(finding('warning', 'templates', 'templates/', 'directory does not exist'));
  findings.push(...lintCrds(files));

  // Past here the chart must load; a Chart.yaml or values.yaml that did not parse has been reported already.
  let chart: Chart | undefined;
  if (chartYaml.metadata && valuesParse) {
    try {
      // Loading reads the subchart archives once, lintSubcharts a second time: each reading gets what was left.
      const budget = options.budget ? { remaining: options.budget.remaining } : undefined;
      chart = loadChartFiles(
        schema.valid ? files : files.filter((f) => f.name !== 'values.schema.json'),
        source,
        budget,
      );
    } catch (error) {
      if (!findings.some((f) => f.severity === 'error')) findings.push(errorFinding(error, 'Chart.yaml', source));
    }
  }
  if (chart) {
    findings.push(...lintDependencies(chart));
    findings.push(...(await lintRendering(chart, values.user, options, schema.valid)));
  }

  const report: LintReport = {
    chart: source,
    name,
    findings,
    failed: hasFailure(findings, options.strict),
    subcharts: [],
  };
  if (options.withSubcharts) report.subcharts = await lintSubcharts(files, source, { ...options, values });
  return report;
}

function hasFailure(findings: LintFinding[], strict: boolean | undefined): boolean {
  return findings.some((f) => f.severity === 'error' || (strict && f.severity === 'warning'));
}

/** The charts under charts/ (folders with a Chart.yaml, and archives), each linted on its own, depth first. */
async function lintSubcharts(files: ChartFile[], source: string, options: LintOptions): Promise<LintReport[]> {
  const budget = options.budget ?? inflateBudget();
  const folders = new Map<string, ChartFile[]>();
  const reports: LintReport[] = [];
  for (const file of files) {
    const match = /^charts\/([^/]+)\/(.+)$/.exec(file.name);
    if (match) {
      const list = folders.get(match[1] as string) ?? [];
      list.push({ name: match[2] as string, data: file.data });
      folders.set(match[1] as string, list);
    }
  }
  for (const [sub, subFiles] of folders) {
    if (!subFiles.some((f) => f.name === 'Chart.yaml')) continue;
    reports.push(await lintChartFiles(subFiles, `${source}/charts/${sub}`, options, true));
  }
  for (const file of files.filter((f) => /^charts\/[^/]+\.(tgz|tar\.gz)$/.test(f.name))) {
    const where = `${source}/${file.name}`;
    try {
      const read = readChartArchive(file.data, where, budget);
      reports.push(await lintChartFiles(read.files, where, { ...options, budget }, true));
    } catch (error) {
      reports.push({ chart: where, findings: [errorFinding(error, file.name, source)], failed: true, subcharts: [] });
    }
  }
  return reports;
}

/** Every report of a tree (the chart, then its subcharts depth first). */
export function flattenReports(report: LintReport): LintReport[] {
  return [report, ...report.subcharts.flatMap(flattenReports)];
}

/**
 * The error `package` throws for a chart whose lint failed: the errors of every failed chart of the tree (or, for a
 * chart that failed only on warnings because the lint was strict, those warnings), each as `file:line: message`.
 */
export function lintFailure(report: LintReport): PortolanError {
  const failing = flattenReports(report)
    .filter((r) => r.failed)
    .flatMap((r) => {
      const errors = r.findings.filter((f) => f.severity === 'error');
      const shown = errors.length > 0 ? errors : r.findings.filter((f) => f.severity === 'warning');
      return shown.map((f) => `${r === report ? '' : `${r.chart}: `}${formatFinding(f)}`);
    });
  return new PortolanError(
    'LINT_FAILED',
    `chart ${report.name ?? report.chart} failed lint with ${failing.length} problem${failing.length === 1 ? '' : 's'}`,
    {
      file: report.chart,
      problems: failing,
      hint: `Run \`portolan lint ${report.chart}\` to see every finding.`,
    },
  );
}

/** `[ERROR] templates/x.yaml:12: message` without the severity tag: `templates/x.yaml:12: message`. */
export function formatFinding(f: LintFinding): string {
  return `${f.file}${f.line === undefined ? '' : `:${f.line}`}: ${f.message}`;
}

/** Chart.yaml's dependencies against the charts found under charts/ (Helm's dependency rules). */
function lintDependencies(chart: Chart): LintFinding[] {
  const requested: ChartDependency[] = chart.metadata.dependencies ?? [];
  const out: LintFinding[] = [];
  const present = new Map(chart.dependencies.map((d) => [d.metadata.name, d]));
  const missing = requested.filter((d) => !present.has(d.name)).map((d) => d.name);
  if (missing.length > 0)
    out.push(
      finding(
        'warning',
        'dependencies',
        'charts/',
        `chart directory is missing these dependencies: ${[...new Set(missing)].join(', ')} (run \`portolan dependency build\`)`,
      ),
    );
  const unlisted = [...present.keys()].filter((n) => !requested.some((d) => d.name === n));
  if (unlisted.length > 0)
    out.push(
      finding(
        'error',
        'dependencies',
        'charts/',
        `chart metadata is missing these dependencies: ${unlisted.join(', ')} (add them to Chart.yaml's dependencies)`,
      ),
    );
  for (const dep of requested) {
    const found = present.get(dep.name);
    if (found && dep.version && !satisfiesRange(found.metadata.version, dep.version)) {
      out.push(
        finding(
          'warning',
          'dependencies',
          'charts/',
          `dependency "${dep.name}" in charts/ is version ${found.metadata.version}, which does not satisfy "${dep.version}"`,
        ),
      );
    }
  }
  return out;
}

/** crds/: each file must parse and hold CustomResourceDefinitions of apiextensions.k8s.io (Helm's crds rule). */
function lintCrds(files: ChartFile[]): LintFinding[] {
  const out: LintFinding[] = [];
  for (const file of files.filter((f) => /^crds\/.+\.(ya?ml|json)$/.test(f.name))) {
    let docs: unknown[];
    try {
      docs = yaml.loadAll(file.data.toString('utf8'));
    } catch (error) {
      const mark = error instanceof yaml.YAMLException ? error.mark : undefined;
      out.push(
        finding(
          'error',
          'crds',
          file.name,
          `unable to parse YAML: ${error instanceof yaml.YAMLException ? error.reason : messageOf(error)}`,
          mark ? mark.line + 1 : undefined,
        ),
      );
      continue;
    }
    for (const doc of docs) {
      if (doc === null || doc === undefined) continue;
      const object = doc as Record<string, unknown>;
      if (typeof object.apiVersion !== 'string' || !object.apiVersion.startsWith('apiextensions.k8s.io/')) {
        out.push(
          finding(
            'error',
            'crds',
            file.name,
            `apiVersion is not in 'apiextensions.k8s.io' (found ${JSON.stringify(object.apiVersion ?? null)})`,
          ),
        );
      }
      if (object.kind !== 'CustomResourceDefinition')
        out.push(
          finding(
            'error',
            'crds',
            file.name,
            `object kind is not 'CustomResourceDefinition' (found ${JSON.stringify(object.kind ?? null)})`,
          ),
        );
    }
  }
  return out;
}

/** Values merged and checked against the schemas, every template rendered strictly, and every object checked. */
async function lintRendering(
  chart: Chart,
  user: SourcedValues,
  options: LintOptions,
  checkSchema: boolean,
): Promise<LintFinding[]> {
  const out: LintFinding[] = [];
  let prepared;
  try {
    prepared = prepareChart(chart, user);
  } catch (error) {
    return [errorFinding(error, 'values.yaml', chart.source, 'values')];
  }
  // Merging has its own warnings (a condition that is not a boolean, …): lint shows them too.
  for (const warning of prepared.warnings) out.push(finding('warning', 'values', 'values.yaml', warning));
  if (checkSchema && !options.skipSchemaValidation) {
    try {
      validateValues(prepared);
    } catch (error) {
      if (isPortolanError(error) && error.problems && error.problems.length > 0) {
        for (const problem of error.problems) out.push(finding('error', 'values-schema', 'values.yaml', problem));
      } else out.push(errorFinding(error, 'values.yaml', chart.source, 'values-schema'));
    }
  }
  if (chart.metadata.type === 'library') return out;

  const rendered = renderForLint(prepared.chart, prepared.values, {
    releaseName: options.releaseName ?? 'release-name',
    namespace: options.namespace ?? 'default',
    isInstall: true,
    isUpgrade: false,
    kubeVersion: options.kubeVersion,
    apiVersions: options.apiVersions ?? [],
    strict: true,
    // Go templates lint as helm lint renders them: a missing key is nil unless --strict.
    goStrict: options.strict ?? false,
  });
  for (const failure of rendered.failures) {
    out.push(finding('error', 'templates', failure.file, failure.message, failure.line));
  }
  const objects: ManifestObject[] = rendered.documents.map((d) => ({ file: d.file, object: d.object }));
  for (const object of objects) out.push(...lintManifest(object));
  out.push(...(await lintKubernetesSchemas(objects)));
  return out;
}

async function lintKubernetesSchemas(objects: ManifestObject[]): Promise<LintFinding[]> {
  const typed = objects.flatMap(({ file, object }) => {
    if (object === null || typeof object !== 'object' || Array.isArray(object)) return [];
    const o = object as Record<string, unknown>;
    return typeof o.apiVersion === 'string' && typeof o.kind === 'string'
      ? [{ file, object: o, apiVersion: o.apiVersion, kind: o.kind }]
      : [];
  });
  if (typed.length === 0) return [];
  const { validators, available } = await loadKindValidators(typed);
  if (!available)
    return [
      finding(
        'info',
        'kubernetes-schema',
        'templates/',
        'the Kubernetes schemas (npm package kubernetes-models) are not installed; rendered objects were not checked against them',
      ),
    ];
  const out: LintFinding[] = [];
  const noticed = new Set<string>();
  for (const { file, object, apiVersion, kind } of typed) {
    const validate = validators.get(kindKey(apiVersion, kind));
    const metadata = object.metadata as Record<string, unknown> | undefined;
    const label = `${kind}${typeof metadata?.name === 'string' ? ` "${metadata.name}"` : ''}`;
    if (!validate) {
      const key = `${file} ${apiVersion} ${kind}`;
      if (!noticed.has(key))
        out.push(
          finding(
            'info',
            'kubernetes-schema',
            file,
            `${kind} (${apiVersion}) is not a built-in Kubernetes kind portolan has a schema for: its fields were not checked`,
          ),
        );
      noticed.add(key);
      continue;
    }
    for (const line of describeSchemaErrors(object, validate(object)))
      out.push(finding('error', 'kubernetes-schema', file, `${label} (${apiVersion}): ${line}`));
  }
  return out;
}

/** A finding from a thrown error: its file made chart-relative when it names one. */
function errorFinding(
  error: unknown,
  fallbackFile: string,
  source: string | undefined,
  rule: LintFinding['rule'] = 'chart-yaml',
): LintFinding {
  if (!isPortolanError(error)) return finding('error', rule, fallbackFile, messageOf(error));
  let file = fallbackFile;
  if (error.file) {
    file = source && error.file.startsWith(`${source}/`) ? error.file.slice(source.length + 1) : error.file;
  }
  const problems = error.problems && error.problems.length > 0 ? `: ${error.problems.join('; ')}` : '';
  const message = stripLocation(error.message, error.file);
  return finding(
    'error',
    rule,
    file,
    `${message}${problems && !message.includes(problems.slice(2)) ? problems : ''}`,
    error.line,
  );
}
