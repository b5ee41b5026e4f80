// portolan upgrade NAME CHART: upgrade a release to a new chart version or new values (-i installs it if missing).
import { defineCommand } from '../command.js';
import { chartRefOptions, loadChartArgument, valuesIo } from '../chart-ref.js';
import { valueOptionsFrom, withOutputFlag } from '../flags.js';
import {
  historyMax,
  machineOutput,
  parseDuration,
  printWarnings,
  releaseJson,
  releaseText,
  withRelease,
} from '../release-common.js';
import { deployOptions, withDeployFlags } from './install.js';

export const upgradeCommand = defineCommand({
  command: 'upgrade <name> <chart>',
  cluster: true,
  describe: 'Upgrade a release (-i: install it if it does not exist)',
  builder: (y) =>
    withOutputFlag(withDeployFlags(y))
      .positional('name', { type: 'string', describe: 'Release name' })
      .positional('chart', {
        type: 'string',
        describe: 'Chart folder, .tgz archive, REPO/CHART, or a chart name with --repo',
      })
      .option('install', {
        alias: 'i',
        type: 'boolean',
        default: false,
        describe: 'Install the release if it does not exist',
      })
      .option('reuse-values', {
        type: 'boolean',
        default: false,
        describe: "Use the previous revision's values (and its chart defaults), with the new values over them",
      })
      .option('reset-values', {
        type: 'boolean',
        default: false,
        describe: "Use only the new chart's defaults and the values given now",
      })
      .option('reset-then-reuse-values', {
        type: 'boolean',
        default: false,
        describe: 'New chart defaults, then the previous user values, then the values given now',
      })
      .option('cleanup-on-fail', {
        type: 'boolean',
        default: false,
        describe: 'Delete objects this upgrade created when it fails',
      })
      .option('history-max', {
        type: 'number',
        default: 10,
        describe: 'Revisions to keep (0: no limit); the oldest go first, never the deployed one',
      })
      .option('rollback-timeout', {
        type: 'string',
        describe: 'Timeout of the rollback after a failure (default: --timeout); its own, not what is left',
        requiresArg: true,
      })
      .example(
        '$0 upgrade --install web charts/webapp -f charts/webapp/values-prod.yaml -n prod --wait',
        'Install or upgrade the webapp with production values',
      ),
  run: async (args, io) => {
    const options = deployOptions(args);
    const chart = await loadChartArgument(args.chart, io, chartRefOptions(args));
    const { readValues } = await import('../../template.js');
    const values = await readValues(valueOptionsFrom(args), valuesIo(io));
    const { Upgrade } = await import('../../release/index.js');
    const rollbackTimeout = args.rollbackTimeout;
    const result = await withRelease(args, io, async ({ cfg }) => {
      const upgrade = new Upgrade(cfg, {
        ...options,
        releaseName: args.name,
        install: args.install,
        reuseValues: args.reuseValues,
        resetValues: args.resetValues,
        resetThenReuseValues: args.resetThenReuseValues,
        cleanupOnFail: args.cleanupOnFail,
        historyMax: historyMax(args.historyMax),
        rollbackTimeoutMs:
          rollbackTimeout === undefined ? undefined : parseDuration(rollbackTimeout, '--rollback-timeout'),
      });
      return upgrade.run(chart, values);
    });
    printWarnings(io, result.warnings);
    if (args.output !== 'table') {
      io.stdout(await machineOutput(args.output, releaseJson(result.release, { withChart: true })));
      return 0;
    }
    if (options.dryRun === 'none') {
      io.stdout(
        result.installed
          ? `Release "${result.release.name}" does not exist. Installed it now.\n`
          : `Release "${result.release.name}" has been upgraded.\n`,
      );
    }
    io.stdout(releaseText(result.release, { dryRun: options.dryRun !== 'none' }));
    return 0;
  },
});
