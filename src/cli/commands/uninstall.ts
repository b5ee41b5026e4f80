// portolan uninstall NAME...: delete releases' objects (reverse install order, resource-policy keep honoured) and
// history.
import { UsageError } from '../../errors.js';
import type { Propagation } from '../../cluster/index.js';
import { defineCommand } from '../command.js';
import { parseDuration, withLockFlag, withRelease, withReleaseFlags } from '../release-common.js';

const CASCADES = ['background', 'foreground', 'orphan'] as const;
const PROPAGATION: Record<(typeof CASCADES)[number], Propagation> = {
  background: 'Background',
  foreground: 'Foreground',
  orphan: 'Orphan',
};

export const uninstallCommand = defineCommand({
  command: 'uninstall <names..>',
  aliases: ['delete', 'del', 'un'],
  cluster: true,
  describe: 'Uninstall releases: delete their objects and history',
  builder: (y) =>
    withLockFlag(withReleaseFlags(y))
      .positional('names', {
        type: 'string',
        array: true,
        describe: 'Release names',
        default: undefined,
        defaultDescription: undefined,
      })
      .option('keep-history', {
        type: 'boolean',
        default: false,
        describe: 'Keep the history, marking the last revision uninstalled',
      })
      .option('wait', {
        type: 'boolean',
        default: false,
        describe: 'Wait until every deleted object is gone (up to --timeout)',
      })
      .option('timeout', {
        type: 'string',
        default: '5m',
        describe: 'How long to wait for deletion and for each hook',
        requiresArg: true,
      })
      .option('ignore-not-found', {
        type: 'boolean',
        default: false,
        describe: 'A release that does not exist counts as uninstalled',
      })
      .option('no-hooks', { type: 'boolean', default: false, describe: 'Do not run delete hooks' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Say what would be uninstalled; change nothing' })
      .option('description', {
        type: 'string',
        describe: 'Description of the uninstalled revision (with --keep-history)',
        requiresArg: true,
      })
      .option('cascade', {
        type: 'string',
        choices: CASCADES,
        default: CASCADES[0],
        describe: 'How dependents (Pods of a Deployment, …) are deleted',
      }),
  run: async (args, io) => {
    const names = args.names;
    if (names.length === 0) throw new UsageError('uninstall needs at least one release NAME');
    const { Uninstall } = await import('../../release/index.js');
    await withRelease(args, io, async ({ cfg }) => {
      for (const name of names) {
        const uninstall = new Uninstall(cfg, {
          keepHistory: args.keepHistory,
          wait: args.wait,
          timeoutMs: parseDuration(args.timeout, '--timeout'),
          ignoreNotFound: args.ignoreNotFound,
          noHooks: args.noHooks,
          dryRun: args.dryRun,
          description: args.description,
          cascade: PROPAGATION[args.cascade],
        });
        const result = await uninstall.run(name);
        if (!result.release) {
          io.stdout(`release "${name}" not found; nothing to uninstall\n`);
          continue;
        }
        if (result.kept.length > 0) {
          io.stdout(
            `These resources were kept due to the resource policy:\n${result.kept.map((k) => `[${k.kind}] ${k.metadata.name}\n`).join('')}`,
          );
        }
        io.stdout(
          args.dryRun ? `release "${name}" would be uninstalled (dry run)\n` : `release "${name}" uninstalled\n`,
        );
      }
    });
    return 0;
  },
});
