// portolan rollback NAME [REVISION]: re-apply an earlier revision as a new one (0 or none: the previous revision).
import { UsageError } from '../../errors.js';
import type { CommandModule } from '../command.js';
import {
  dryRunMode,
  historyMax,
  parseDuration,
  withLockFlag,
  withRelease,
  withReleaseFlags,
} from '../release-common.js';

export const rollbackCommand: CommandModule = {
  command: 'rollback <name> [revision]',
  describe: 'Roll a release back to an earlier revision (default: the previous one)',
  builder: (y) =>
    withLockFlag(withReleaseFlags(y))
      .positional('name', { type: 'string', describe: 'Release name' })
      .positional('revision', { type: 'string', describe: 'Revision to go back to (0 or none: the previous one)' })
      .option('wait', {
        type: 'boolean',
        default: false,
        describe: 'Wait until every object is ready (up to --timeout)',
      })
      .option('wait-for-jobs', {
        type: 'boolean',
        default: false,
        describe: 'With --wait, also wait for Jobs to complete',
      })
      .option('timeout', {
        type: 'string',
        default: '5m',
        describe: 'How long to wait for objects and for each hook',
        requiresArg: true,
      })
      .option('cleanup-on-fail', {
        type: 'boolean',
        default: false,
        describe: 'Delete objects this rollback created when it fails',
      })
      .option('no-hooks', { type: 'boolean', default: false, describe: 'Do not run rollback hooks' })
      .option('history-max', { type: 'number', default: 10, describe: 'Revisions to keep (0: no limit)' })
      .option('force-conflicts', {
        type: 'boolean',
        default: false,
        describe: 'Server-side apply takes over fields other field managers own',
      })
      .option('dry-run', { type: 'string', describe: 'Check the rollback with a server-side dry run; nothing changes' })
      .option('description', {
        type: 'string',
        describe: 'A description of the new revision (instead of "Rollback to N")',
        requiresArg: true,
      }),
  run: async (args, io) => {
    const text = args.revision as string | undefined;
    const revision = text === undefined ? 0 : Number(text);
    if (!Number.isInteger(revision) || revision < 0)
      throw new UsageError(`REVISION must be a revision number, got ${JSON.stringify(text)}`, {
        hint: 'See the revisions with `portolan history NAME`.',
      });
    const { Rollback } = await import('../../release/index.js');
    const dryRun = dryRunMode(args['dry-run']);
    const record = await withRelease(args, io, async ({ cfg }) => {
      const rollback = new Rollback(cfg);
      Object.assign(rollback, {
        releaseName: args.name as string,
        revision,
        wait: Boolean(args.wait),
        waitForJobs: Boolean(args['wait-for-jobs']),
        timeoutMs: parseDuration(String(args.timeout), '--timeout'),
        cleanupOnFail: Boolean(args['cleanup-on-fail']),
        noHooks: Boolean(args['no-hooks']),
        historyMax: historyMax(args),
        forceConflicts: Boolean(args['force-conflicts']),
        dryRun: dryRun === 'none' ? 'none' : 'server',
        description: args.description as string | undefined,
      });
      return rollback.run();
    });
    io.stdout(
      dryRun === 'none'
        ? `Rollback was a success: "${record.name}" is at revision ${record.revision} (${record.description}).\n`
        : `Dry run: rolling "${record.name}" back would make revision ${record.revision} (${record.description}).\n`,
    );
    return 0;
  },
};
