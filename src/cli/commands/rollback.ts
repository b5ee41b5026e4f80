// portolan rollback NAME [REVISION]: re-apply an earlier revision as a new one (0 or none: the previous revision).
import { UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';
import {
  dryRunMode,
  historyMax,
  parseDuration,
  withLockFlag,
  withRelease,
  withReleaseFlags,
} from '../release-common.js';

export const rollbackCommand = defineCommand({
  command: 'rollback <name> [revision]',
  cluster: true,
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
    const text = args.revision;
    const revision = text === undefined ? 0 : Number(text);
    if (!Number.isInteger(revision) || revision < 0)
      throw new UsageError(`REVISION must be a revision number, got ${JSON.stringify(text)}`, {
        hint: 'See the revisions with `portolan history NAME`.',
      });
    const { Rollback } = await import('../../release/index.js');
    const dryRun = dryRunMode(args.dryRun);
    const record = await withRelease(args, io, async ({ cfg }) => {
      const rollback = new Rollback(cfg, {
        releaseName: args.name,
        revision,
        wait: args.wait,
        waitForJobs: args.waitForJobs,
        timeoutMs: parseDuration(args.timeout, '--timeout'),
        cleanupOnFail: args.cleanupOnFail,
        noHooks: args.noHooks,
        historyMax: historyMax(args.historyMax),
        forceConflicts: args.forceConflicts,
        dryRun: dryRun === 'none' ? 'none' : 'server',
        description: args.description,
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
});
