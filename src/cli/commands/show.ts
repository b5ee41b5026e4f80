// portolan show chart|values|readme|crds|all CHART: print what a chart holds, as written.
import type { Chart } from '../../chart/types.js';
import { defineCommand } from '../command.js';
import { chartRefOptions, loadChartArgument, withChartRefFlags } from '../chart-ref.js';

type Part = 'chart' | 'values' | 'readme' | 'crds';

function section(chart: Chart, part: Part): string {
  switch (part) {
    case 'chart':
      return chart.chartYamlText ?? '';
    case 'values':
      return chart.valuesText ?? '';
    case 'readme':
      return chart.files.find((f) => /^readme(\.md|\.txt|\.rst)?$/i.test(f.name))?.data.toString('utf8') ?? '';
    case 'crds':
      return chart.files
        .filter((f) => f.name.startsWith('crds/'))
        .map((f) => f.data.toString('utf8'))
        .join('\n---\n');
  }
}

export const showCommand = defineCommand({
  command: 'show <part> <chart>',
  aliases: ['inspect'],
  describe: "Show a chart's Chart.yaml, values, README or CRDs (part: chart, values, readme, crds, all)",
  builder: (y) =>
    withChartRefFlags(
      y
        .positional('part', {
          type: 'string',
          choices: ['chart', 'values', 'readme', 'crds', 'all'] as const,
          describe: 'What to show',
        })
        .positional('chart', {
          type: 'string',
          describe: 'Chart folder, .tgz archive, REPO/CHART, or a chart name with --repo',
        }),
    ),
  run: async (args, io) => {
    const chart = await loadChartArgument(args.chart, io, chartRefOptions(args));
    const part = args.part;
    const parts: Part[] = part === 'all' ? ['chart', 'values', 'readme', 'crds'] : [part];
    const texts = parts.map((p) => section(chart, p)).filter((t, i) => part !== 'all' || t !== '' || i === 0);
    const out = texts.map((t) => (t.endsWith('\n') || t === '' ? t : `${t}\n`)).join('---\n');
    io.stdout(out);
    return 0;
  },
});
