// portolan status NAME: a release's latest (or --revision) state, the readiness of its objects, and its notes.
import { UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { withOutputFlag } from '../flags.js';
import { formatTable } from '../table.js';
import {
  machineOutput,
  notesSection,
  releaseJson,
  statusHeader,
  withRelease,
  withReleaseFlags,
} from '../release-common.js';

export const statusCommand = defineCommand({
  command: 'status <name>',
  cluster: true,
  describe: 'Show the status of a release',
  builder: (y) =>
    withOutputFlag(withReleaseFlags(y))
      .positional('name', { type: 'string', describe: 'Release name' })
      .option('revision', { type: 'number', describe: 'Show this revision instead of the latest' })
      .option('show-resources', {
        type: 'boolean',
        default: true,
        describe: 'List the objects of the release with their readiness (table output)',
      }),
  run: async (args, io) => {
    const revision = args.revision ?? 0;
    if (!Number.isInteger(revision) || revision < 0)
      throw new UsageError('--revision must be a revision number', { flag: '--revision' });
    const output = args.output;
    const { Status } = await import('../../release/index.js');
    const { release, resources } = await withRelease(args, io, async ({ cfg }) => {
      const status = new Status(cfg, { revision, showResources: output === 'table' && args.showResources });
      return status.run(args.name);
    });
    if (output !== 'table') {
      io.stdout(await machineOutput(output, releaseJson(release)));
      return 0;
    }
    let out = statusHeader(release);
    if (resources && resources.length > 0) {
      const rows = resources.map((r) => [
        `${r.kind}/${r.name}`,
        r.namespace ?? '',
        r.exists ? (r.ready ? 'ready' : 'not ready') : 'missing',
        r.reason,
      ]);
      out += `RESOURCES:\n${formatTable(['OBJECT', 'NAMESPACE', 'STATE', 'DETAIL'], rows)}\n`;
    }
    io.stdout(out + notesSection(release));
    return 0;
  },
});
