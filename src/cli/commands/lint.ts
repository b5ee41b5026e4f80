// portolan lint CHART...: Helm's lint rules plus schema, YAML 1.1 and Kubernetes API checks; exit 1 when any chart
// fails.
import { resolve } from 'node:path';
import type { LintFinding, LintReport } from '../../lint/index.js';
import { defineCommand } from '../command.js';
import { valueOptionsFrom, withFormatFlag, withValuesFlags } from '../flags.js';
import { valuesIo } from '../chart-ref.js';
import { colours, type CliIo } from '../io.js';

const TAGS: Record<LintFinding['severity'], string> = { error: '[ERROR]', warning: '[WARNING]', info: '[INFO]' };

export const lintCommand = defineCommand({
  command: 'lint [charts..]',
  describe: 'Examine charts for possible issues (Chart.yaml, values, schema, templates, Kubernetes objects)',
  builder: (y) =>
    withFormatFlag(withValuesFlags(y), ['text', 'json'])
      .positional('charts', { type: 'string', array: true, describe: 'Chart folders (default: the current folder)' })
      .option('strict', { type: 'boolean', default: false, describe: 'Fail on lint warnings too' })
      .option('with-subcharts', { type: 'boolean', default: false, describe: 'Lint the charts under charts/ as well' })
      .option('quiet', { type: 'boolean', default: false, describe: 'Print only warnings and errors' })
      .option('namespace', {
        alias: 'n',
        type: 'string',
        default: 'default',
        describe: 'Release.Namespace while rendering',
      })
      .option('kube-version', {
        type: 'string',
        describe: 'Kubernetes version for Capabilities.KubeVersion (e.g. 1.30.0)',
      })
      .option('skip-schema-validation', {
        type: 'boolean',
        default: false,
        describe: 'Do not validate values against values.schema.json',
      })
      .example(
        '$0 lint charts/webapp -f charts/webapp/values-prod.yaml --strict',
        'Lint with production values; warnings fail',
      ),
  run: async (args, io) => {
    const { lintChartFolder, readLintValues, flattenReports } = await import('../../lint/index.js');
    const charts = args.charts?.length ? args.charts : ['.'];
    const values = await readLintValues(valueOptionsFrom(args), valuesIo(io));
    const reports: LintReport[] = [];
    for (const chart of charts) {
      const report = await lintChartFolder(resolve(io.cwd, chart), {
        values,
        strict: args.strict,
        withSubcharts: args.withSubcharts,
        namespace: args.namespace,
        kubeVersion: args.kubeVersion,
        skipSchemaValidation: args.skipSchemaValidation,
      });
      // Name charts as the user gave them, not as absolute paths.
      const absolute = report.chart;
      for (const r of flattenReports(report)) r.chart = chart + r.chart.slice(absolute.length);
      reports.push(...flattenReports(report));
    }
    const failed = reports.filter((r) => r.failed).length;
    const quiet = args.quiet;
    if (args.output === 'json') {
      const shown = reports.map((r) => ({
        ...r,
        subcharts: undefined,
        findings: quiet ? r.findings.filter((f) => f.severity !== 'info') : r.findings,
      }));
      io.stdout(
        `${JSON.stringify({ charts: shown, linted: reports.length, failed }, (key, value: unknown) => (key === 'subcharts' ? undefined : value), 2)}\n`,
      );
      return failed > 0 ? 1 : 0;
    }
    printText(reports, quiet, io);
    const summary = `${reports.length} chart(s) linted, ${failed} chart(s) failed`;
    if (failed > 0) {
      io.stderr(`${colours(io).red('Error:')} ${summary}\n`);
      return 1;
    }
    if (!quiet) io.stdout(`${summary}\n`);
    return 0;
  },
});

function printText(reports: LintReport[], quiet: boolean, io: CliIo): void {
  const c = colours(io);
  const paint: Record<LintFinding['severity'], (s: string) => string> = {
    error: c.red,
    warning: c.yellow,
    info: (s) => s,
  };
  for (const report of reports) {
    const findings = quiet ? report.findings.filter((f) => f.severity !== 'info') : report.findings;
    if (quiet && findings.length === 0) continue;
    let text = `==> Linting ${report.chart}\n`;
    for (const f of findings)
      text += `${paint[f.severity](TAGS[f.severity])} ${f.file}${f.line === undefined ? '' : `:${f.line}`}: ${f.message}\n`;
    io.stdout(`${text}\n`);
  }
}
