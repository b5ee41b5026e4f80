// portolan test NAME: run the release's test hooks (helm.sh/hook: test) and report each.
import { defineCommand } from '../command.js';
import { colours } from '../io.js';
import {
  ansiTime,
  parseDuration,
  statusHeader,
  withLockFlag,
  withRelease,
  withReleaseFlags,
} from '../release-common.js';

export const testCommand = defineCommand({
  command: 'test <name>',
  cluster: true,
  describe: 'Run the tests of a release',
  builder: (y) =>
    withLockFlag(withReleaseFlags(y))
      .positional('name', { type: 'string', describe: 'Release name' })
      .option('timeout', { type: 'string', default: '5m', describe: 'How long each test may run', requiresArg: true })
      .option('filter', {
        type: 'string',
        array: true,
        describe: 'Run only tests with these names. Repeatable',
        requiresArg: true,
      }),
  run: async (args, io) => {
    const { ReleaseTest } = await import('../../release/index.js');
    const result = await withRelease(args, io, async ({ cfg }) => {
      const test = new ReleaseTest(cfg, { timeoutMs: parseDuration(args.timeout, '--timeout'), filter: args.filter });
      return test.run(args.name);
    });
    const c = colours(io);
    let out = statusHeader(result.release);
    if (result.tests.length === 0) out += 'TEST SUITE: None\n';
    for (const t of result.tests) {
      const phase = t.lastRun?.phase ?? 'Unknown';
      out += [
        `TEST SUITE:     ${t.name}`,
        `Last Started:   ${t.lastRun ? ansiTime(t.lastRun.startedAt) : ''}`,
        `Last Completed: ${t.lastRun?.completedAt ? ansiTime(t.lastRun.completedAt) : ''}`,
        `Phase:          ${phase === 'Failed' ? c.red(phase) : phase}`,
        '',
      ].join('\n');
    }
    io.stdout(out);
    if (result.failed > 0) {
      io.stderr(
        `${c.red('Error:')} ${result.failed} of ${result.tests.length} test${result.tests.length === 1 ? '' : 's'} failed\n`,
      );
      return 1;
    }
    return 0;
  },
});
