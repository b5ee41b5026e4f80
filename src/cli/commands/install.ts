// portolan install NAME CHART: install a chart as a new release (CHART: a folder, a .tgz, or repo/chart).
import { UsageError } from '../../errors.js';
import type { CommandModule } from '../command.js';
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
export function withDeployFlags(y: Argv): Argv {
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

export function deployFields(args: Record<string, unknown>) {
  return {
    createNamespace: Boolean(args['create-namespace']),
    wait: Boolean(args.wait),
    waitForJobs: Boolean(args['wait-for-jobs']),
    timeoutMs: parseDuration(String(args.timeout), '--timeout'),
    rollbackOnFailure: Boolean(args['rollback-on-failure']),
    dryRun: dryRunMode(args['dry-run']),
    noHooks: Boolean(args['no-hooks']),
    skipCrds: Boolean(args['skip-crds']),
    description: args.description as string | undefined,
    takeOwnership: Boolean(args['take-ownership']),
    forceConflicts: Boolean(args['force-conflicts']),
    skipSchemaValidation: Boolean(args['skip-schema-validation']),
  };
}

export const installCommand: CommandModule = {
  command: 'install [name] [chart]',
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
    let name = args.name as string | undefined;
    let chartRef = args.chart as string | undefined;
    const generate = Boolean(args['generate-name']);
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
    const fields = deployFields(args);
    const chart = await loadChartArgument(chartRef, io, chartRefOptions(args));
    const { readValues } = await import('../../template.js');
    const values = await readValues(valueOptionsFrom(args), valuesIo(io));
    const { Install } = await import('../../release/index.js');
    const result = await withRelease(
      args,
      io,
      async ({ cfg }) => {
        const install = new Install(cfg);
        Object.assign(install, fields, { releaseName: name ?? '', generateName: generate });
        return install.run(chart, values);
      },
      { offline: fields.dryRun === 'client' },
    );
    printWarnings(io, result.warnings);
    const output = args.output as string;
    if (output !== 'table') io.stdout(await machineOutput(output, releaseJson(result.release, { withChart: true })));
    else io.stdout(releaseText(result.release, { dryRun: fields.dryRun !== 'none' }));
    return 0;
  },
};
