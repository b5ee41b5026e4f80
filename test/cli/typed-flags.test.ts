// Flags reach a command's run() typed from its yargs builder, and actions take typed options: a misspelt flag or
// option is a compile error. `npm run typecheck` checks the @ts-expect-error lines and expectTypeOf calls; the tests
// check that yargs hands run() what the types promise.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineCommand, type RequiredPositionals } from '../../src/cli/command.js';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { withValuesFlags } from '../../src/cli/flags.js';
import {
  DEFAULT_TIMEOUT_MS,
  Install,
  Rollback,
  Uninstall,
  Upgrade,
  actionConfig,
  type ActionConfig,
} from '../../src/release/index.js';
import { chartFrom, userValues } from '../helpers/charts.js';

function io(): CliIo & { out: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    out: () => stdout + stderr,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => '',
    isTTY: false,
    env: { NO_COLOR: '1' },
    cwd: process.cwd(),
  };
}

const offline = (): ActionConfig => actionConfig(undefined, { namespace: 'default', driver: 'memory' });

describe('typed command flags', () => {
  it('gives run() each flag its builder declares, under its camelCase name and with its yargs type', async () => {
    let seen: unknown;
    const deploy = defineCommand({
      command: 'deploy <name> [chart]',
      describe: 'a command for this test',
      builder: (y) =>
        withValuesFlags(y)
          .positional('name', { type: 'string' })
          .positional('chart', { type: 'string' })
          .option('dry-run', { type: 'boolean', default: false })
          .option('history-max', { type: 'number', default: 10 })
          .option('output', { type: 'string', choices: ['table', 'json'] as const, default: 'table' as const }),
      run: async (args) => {
        expectTypeOf(args.name).toEqualTypeOf<string>();
        expectTypeOf(args.chart).toEqualTypeOf<string | undefined>();
        expectTypeOf(args.dryRun).toEqualTypeOf<boolean>();
        expectTypeOf(args.historyMax).toEqualTypeOf<number>();
        expectTypeOf(args.output).toEqualTypeOf<'table' | 'json'>();
        expectTypeOf(args.setFile).toEqualTypeOf<string[] | undefined>();
        // @ts-expect-error: a misspelt flag is not a property of args (no index signature to fall back on)
        void args.dryRnu;
        // @ts-expect-error: a flag is read by its camelCase name only
        void args['dry-run'];
        // @ts-expect-error: a flag the builder does not declare
        void args.wait;
        // @ts-expect-error: a boolean flag is not a string
        const text: string = args.dryRun;
        void text;
        seen = {
          name: args.name,
          chart: args.chart,
          dryRun: args.dryRun,
          historyMax: args.historyMax,
          output: args.output,
          setFile: args.setFile,
          values: args.values,
        };
        return 0;
      },
    });
    const cli = io();
    const argv = ['deploy', 'web', 'charts/webapp', '--dry-run', '--history-max', '3', '--output', 'json'];
    const code = await runCli([...argv, '--set-file', 'a=b.txt', '-f', 'x.yaml'], cli, [deploy]);
    expect(code, cli.out()).toBe(0);
    expect(seen).toEqual({
      name: 'web',
      chart: 'charts/webapp',
      dryRun: true,
      historyMax: 3,
      output: 'json',
      setFile: ['a=b.txt'],
      values: ['x.yaml'],
    });
  });

  it('takes the required positionals from the command string', () => {
    expectTypeOf<RequiredPositionals<'upgrade <name> <chart>'>>().toEqualTypeOf<'name' | 'chart'>();
    expectTypeOf<RequiredPositionals<'uninstall <names..>'>>().toEqualTypeOf<'names'>();
    expectTypeOf<RequiredPositionals<'template [name] [chart]'>>().toEqualTypeOf<never>();
  });
});

describe('typed action options', () => {
  it('configures an action from one typed object; undefined keeps the default', () => {
    const cfg = offline();
    const install = new Install(cfg, { releaseName: 'web', wait: true, timeoutMs: undefined, dryRun: 'client' });
    expect([install.releaseName, install.wait, install.timeoutMs, install.dryRun]).toEqual([
      'web',
      true,
      DEFAULT_TIMEOUT_MS,
      'client',
    ]);
    expect(new Uninstall(cfg, { dryRun: true, cascade: 'Orphan' }).cascade).toBe('Orphan');
  });

  it('refuses a misspelt or mistyped option at compile time', () => {
    const cfg = offline();
    // @ts-expect-error: misspelt option
    void new Install(cfg, { relaseName: 'web' });
    // @ts-expect-error: a duration is milliseconds, not Go's text
    void new Upgrade(cfg, { timeoutMs: '5m' });
    // @ts-expect-error: install's option, not rollback's
    void new Rollback(cfg, { createNamespace: true });
    // @ts-expect-error: not a propagation policy
    void new Uninstall(cfg, { cascade: 'background' });
  });

  it('runs a dry run because it is asked for, not because no lock is given', async () => {
    const install = new Install(offline(), { releaseName: 'web', dryRun: 'client' });
    const chart = chartFrom({ 'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n' });
    const values = await userValues({});
    // @ts-expect-error: perform takes how it runs ({ dryRun: true } or { dryRun: false, lock }), not a missing lock
    void (() => install.perform(undefined, [], chart, values));
    const { release } = await install.run(chart, values);
    expect([release.description, release.status]).toEqual(['Dry run complete', 'pending-install']);
  });
});
