// portolan install NAME CHART: install a chart as a new release (CHART: a folder, a .tgz, or repo/chart).
import { UsageError } from '../../errors.js';
import type { InstallOptions, UpgradeOptions } from '../../release/index.js';
import { defineCommand } from '../command.js';
import { chartRefOptions, loadChartArgument, valuesIo, withChartRefFlags } from '../chart-ref.js';
import { valueOptionsFrom, withValuesFlags, withOutputFlag } from '../flags.js';
import {
  dryRunMode,
  machineOutput,
  parseDuration,
  printWarnings,
  releaseJson,
  releaseText,
  withLockFlag,
  withRelease,
  withReleaseFlags,
} from '../release-common.js';
import type { Argv } from 'yargs';

/** The flags install and upgrade share. */
export function withDeployFlags<T>(y: Argv<T>) {
  return withLockFlag(withReleaseFlags(withChartRefFlags(withValuesFlags(y))))
    .option('create-namespace', {
      type: 'boolean',
      default: false,
      describe: 'Create the release namespace if it does not exist',
    })
    .option('wait', {
      type: 'boolean',
      default: false,
      describe: 'Wait until every object is ready (up to --timeout), showing what is pending on a TTY',
    })
    .option('wait-for-jobs', {
      type: 'boolean',
      default: false,
      describe: 'With --wait, also wait for Jobs to complete',
    })
    .option('timeout', {
      type: 'string',
      default: '5m',
      describe: 'How long to wait for objects and for each hook (Go duration: 30s, 5m, 1h)',
      requiresArg: true,
    })
    .option('rollback-on-failure', {
      alias: 'atomic',
      type: 'boolean',
      default: false,
      describe: 'On failure, restore the previous revision (install: uninstall); implies --wait',
    })
    .option('dry-run', {
      type: 'string',
      describe: 'Render and check without changing anything: client (no cluster) or server (server-side dry-run apply)',
    })
    .option('no-hooks', { type: 'boolean', default: false, describe: 'Do not run hooks' })
    .option('skip-crds', {
      type: 'boolean',
      default: false,
      describe: 'Do not create the CRDs of crds/ (install only)',
    })
    .option('description', {
      type: 'string',
      describe: 'A description of this revision (instead of "Install complete" / "Upgrade complete")',
      requiresArg: true,
    })
    .option('take-ownership', {
      type: 'boolean',
      default: false,
      describe: 'Adopt existing objects that belong to no release or to another one',
    })
    .option('force-conflicts', {
      type: 'boolean',
      default: false,
      describe: 'Server-side apply takes over fields other field managers own',
    })
    .option('skip-schema-validation', {
      type: 'boolean',
      default: false,
      describe: 'Do not validate values against values.schema.json',
    });
}

/** The flags of withDeployFlags that configure the action, as run() receives them. */
export interface DeployFlags {
  createNamespace: boolean;
  wait: boolean;
  waitForJobs: boolean;
  timeout: string;
  rollbackOnFailure: boolean;
  dryRun?: string;
  noHooks: boolean;
  skipCrds: boolean;
  description?: string;
  takeOwnership: boolean;
  forceConflicts: boolean;
  skipSchemaValidation: boolean;
}

/** The options install and upgrade both have, all set from their shared flags. */
export type SharedDeployOptions = Pick<
  InstallOptions,
  Exclude<keyof InstallOptions & keyof UpgradeOptions, 'releaseName' | 'historyMax'>
>;

export function deployOptions(args: DeployFlags): SharedDeployOptions {
  return {
    createNamespace: args.createNamespace,
    wait: args.wait,
    waitForJobs: args.waitForJobs,
    timeoutMs: parseDuration(args.timeout, '--timeout'),
    rollbackOnFailure: args.rollbackOnFailure,
    dryRun: dryRunMode(args.dryRun),
    noHooks: args.noHooks,
    skipCrds: args.skipCrds,
    description: args.description,
    takeOwnership: args.takeOwnership,
    forceConflicts: args.forceConflicts,
    skipSchemaValidation: args.skipSchemaValidation,
  };
}

export const installCommand = defineCommand({
  command: 'install [name] [chart]',
  cluster: true,
  describe: 'Install a chart as a release (CHART: folder, .tgz, or REPO/CHART)',
  builder: (y) =>
    withOutputFlag(withDeployFlags(y))
      .positional('name', { type: 'string', describe: 'Release name (with -g: the chart)' })
      .positional('chart', {
        type: 'string',
        describe: 'Chart folder, .tgz archive, REPO/CHART, or a chart name with --repo',
      })
      .option('generate-name', {
        alias: 'g',
        type: 'boolean',
        default: false,
        describe: 'Name the release CHARTNAME-<unix time>',
      })
      .example(
        '$0 install web charts/webapp -f charts/webapp/values-staging.yaml -n staging --create-namespace --wait',
        'Install the webapp chart with staging values',
      ),
  run: async (args, io) => {
    let name = args.name;
    let chartRef = args.chart;
    const generate = args.generateName;
    if (generate && chartRef === undefined) {
      chartRef = name;
      name = undefined;
    }
    if (chartRef === undefined || (!generate && name === undefined)) {
      throw new UsageError('install needs a NAME and a CHART (or -g and a CHART)', {
        hint: 'portolan install NAME CHART [flags]',
      });
    }
    if (generate && name !== undefined)
      throw new UsageError('with -g/--generate-name give only the CHART; the name is generated', {
        flag: '--generate-name',
      });
    const options = deployOptions(args);
    const chart = await loadChartArgument(chartRef, io, chartRefOptions(args));
    const { readValues } = await import('../../template.js');
    const values = await readValues(valueOptionsFrom(args), valuesIo(io));
    const { Install } = await import('../../release/index.js');
    const result = await withRelease(
      args,
      io,
      async ({ cfg }) => {
        const install = new Install(cfg, { ...options, releaseName: name ?? '', generateName: generate });
        return install.run(chart, values);
      },
      { offline: options.dryRun === 'client' },
    );
    printWarnings(io, result.warnings);
    if (args.output !== 'table')
      io.stdout(await machineOutput(args.output, releaseJson(result.release, { withChart: true })));
    else io.stdout(releaseText(result.release, { dryRun: options.dryRun !== 'none' }));
    return 0;
  },
});
