// portolan history NAME: every kept revision of a release, oldest first.
import { defineCommand } from '../command.js';
import { withOutputFlag } from '../flags.js';
import { formatTable } from '../table.js';
import { ansiTime, chartLabel, machineOutput, withRelease, withReleaseFlags } from '../release-common.js';

export const historyCommand = defineCommand({
  command: 'history <name>',
  aliases: ['hist'],
  cluster: true,
  describe: 'Show the revisions of a release',
  builder: (y) =>
    withOutputFlag(withReleaseFlags(y))
      .positional('name', { type: 'string', describe: 'Release name' })
      .option('max', { type: 'number', default: 256, describe: 'The newest N revisions (0: all)' }),
  run: async (args, io) => {
    const { History } = await import('../../release/index.js');
    const history = await withRelease(args, io, async ({ cfg }) => {
      const action = new History(cfg, { max: args.max });
      return action.run(args.name);
    });
    const output = args.output;
    if (output !== 'table') {
      const rows = history.map((r) => ({
        revision: r.revision,
        updated: r.lastDeployed,
        status: r.status,
        chart: chartLabel(r),
        app_version: r.chart.metadata.appVersion ?? '',
        description: r.description,
      }));
      io.stdout(await machineOutput(output, rows));
      return 0;
    }
    const rows = history.map((r) => [
      String(r.revision),
      ansiTime(r.lastDeployed),
      r.status,
      chartLabel(r),
      r.chart.metadata.appVersion ?? '',
      r.description,
    ]);
    io.stdout(formatTable(['REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION', 'DESCRIPTION'], rows));
    return 0;
  },
});
