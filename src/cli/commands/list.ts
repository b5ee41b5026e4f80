// portolan list: the releases of a namespace (-A: all namespaces), newest revision of each.
import { defineCommand } from '../command.js';
import { withOutputFlag } from '../flags.js';
import { formatTable } from '../table.js';
import { chartLabel, goTimeString, machineOutput, withRelease, withReleaseFlags } from '../release-common.js';
import type { ReleaseStatus } from '../../release/index.js';
import type { Argv } from 'yargs';

/** --deployed, --failed, …: the statuses each state flag selects. */
const STATE_FLAGS = {
  deployed: ['deployed'],
  failed: ['failed'],
  pending: ['pending-install', 'pending-upgrade', 'pending-rollback'],
  superseded: ['superseded'],
  uninstalled: ['uninstalled'],
  uninstalling: ['uninstalling'],
} satisfies Record<string, ReleaseStatus[]>;
type StateFlag = keyof typeof STATE_FLAGS;

/** Declares the state flags one by one, so each reaches run() typed. */
function withStateFlags<T>(y: Argv<T>) {
  const flag = (state: StateFlag): { type: 'boolean'; default: boolean; describe: string } => ({
    type: 'boolean',
    default: false,
    describe: `Only ${state} releases`,
  });
  return y
    .option('deployed', flag('deployed'))
    .option('failed', flag('failed'))
    .option('pending', flag('pending'))
    .option('superseded', flag('superseded'))
    .option('uninstalled', flag('uninstalled'))
    .option('uninstalling', flag('uninstalling'));
}

export const listCommand = defineCommand({
  command: 'list',
  aliases: ['ls'],
  cluster: true,
  describe: 'List releases',
  builder: (y) =>
    withStateFlags(
      withOutputFlag(withReleaseFlags(y))
        .option('all-namespaces', {
          alias: 'A',
          type: 'boolean',
          default: false,
          describe: 'List releases of every namespace',
        })
        .option('all', {
          alias: 'a',
          type: 'boolean',
          default: false,
          describe: 'Include releases uninstalled with --keep-history',
        })
        .option('filter', {
          alias: 'f',
          type: 'string',
          describe: 'A regular expression release names must match',
          requiresArg: true,
        })
        .option('date', { alias: 'd', type: 'boolean', default: false, describe: 'Sort by release date' })
        .option('reverse', { alias: 'r', type: 'boolean', default: false, describe: 'Reverse the sort order' })
        .option('max', {
          alias: 'm',
          type: 'number',
          default: 256,
          describe: 'At most this many releases (0: no limit)',
        })
        .option('offset', { type: 'number', default: 0, describe: 'Skip this many releases first' })
        .option('short', { alias: 'q', type: 'boolean', default: false, describe: 'Names only' })
        .option('no-headers', { type: 'boolean', default: false, describe: 'No header line in the table' }),
    ),
  run: async (args, io) => {
    const { List } = await import('../../release/index.js');
    const states = (Object.keys(STATE_FLAGS) as StateFlag[]).filter((flag) => args[flag]);
    const releases = await withRelease(
      args,
      io,
      async ({ cfg }) => {
        const list = new List(cfg, {
          filter: args.filter,
          states: states.flatMap((flag): ReleaseStatus[] => STATE_FLAGS[flag]),
          all: args.all,
          sortByDate: args.date,
          reverse: args.reverse,
          max: args.max,
          offset: args.offset,
        });
        return list.run();
      },
      { allNamespaces: args.allNamespaces },
    );
    const output = args.output;
    if (args.short) {
      io.stdout(
        output === 'table'
          ? releases.map((r) => `${r.name}\n`).join('')
          : await machineOutput(
              output,
              releases.map((r) => r.name),
            ),
      );
      return 0;
    }
    if (output !== 'table') {
      const rows = releases.map((r) => ({
        name: r.name,
        namespace: r.namespace,
        revision: String(r.revision),
        updated: goTimeString(r.lastDeployed),
        status: r.status,
        chart: chartLabel(r),
        app_version: r.chart.metadata.appVersion ?? '',
      }));
      io.stdout(await machineOutput(output, rows));
      return 0;
    }
    const rows = releases.map((r) => [
      r.name,
      r.namespace,
      String(r.revision),
      goTimeString(r.lastDeployed),
      r.status,
      chartLabel(r),
      r.chart.metadata.appVersion ?? '',
    ]);
    const text = formatTable(['NAME', 'NAMESPACE', 'REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION'], rows);
    io.stdout(args.noHeaders ? text.split('\n').slice(1).join('\n') : text);
    return 0;
  },
});
