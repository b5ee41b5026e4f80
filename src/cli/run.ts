// Builds the yargs parser from an argv array and runs one command: runCli(argv, io) → exit code.
// Commands are registered explicitly and load their implementation lazily, so start-up stays fast.
//
// A new command is one file in commands/, listed in commands/index.ts, written with defineCommand (command.ts):
//   export const pushCommand = defineCommand({
//     command: 'push <chart>',
//     describe: 'Push a chart archive to a registry',
//     builder: (y) =>
//       withRepositoryFlags(y)
//         .positional('chart', { type: 'string' })
//         .option('plain-http', { type: 'boolean', default: false }),
//     run: async (args, io) => { … args.chart is a string, args.plainHttp a boolean … },
//   });
// run() gets exactly the flags the builder declares, camelCased and typed as yargs infers them: an undeclared or
// misspelt flag, or one used as the wrong type, does not compile. Shared flag groups are builder functions
// (withXFlags in flags.ts, chart-ref.ts, release-common.ts); actions take one typed options object
// (new Install(cfg, {…})). A plain CommandModule, run(args: Record<string, unknown>), is still accepted; converting
// one is wrapping it in defineCommand and reading args.camelCase instead of casting args['kebab-case'].
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { UsageError, isPortolanError, messageOf, type PortolanError } from '../errors.js';
import { colours, type CliIo } from './io.js';
import type { CommandModule } from './command.js';
import { commands } from './commands/index.js';

/** yargs takes a lone `-` for a positional; `-f -` (values from stdin) must reach -f as its value. */
function joinStdinValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if ((arg === '-f' || arg === '--values') && argv[i + 1] === '-') {
      out.push('--values=-');
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Runs one command line; `commandList` is for tests (the default: every command portolan has). */
export async function runCli(rawArgv: string[], io: CliIo, commandList: CommandModule[] = commands): Promise<number> {
  const argv = joinStdinValues(rawArgv);
  const debug = argv.includes('--debug');
  let exitCode = 0;
  const parser: Argv = yargs(argv)
    .scriptName('portolan')
    .usage('portolan <command> [options]')
    .option('debug', { type: 'boolean', describe: 'Show stack traces and extra detail on errors', global: true })
    .strict()
    // Helm's flags include --no-hooks and --no-headers as flags of their own, not negations of --hooks/--headers.
    .parserConfiguration({ 'boolean-negation': false })
    .demandCommand(1, 'Name a command: portolan --help lists them.')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((message: string | undefined, error: Error | undefined) => {
      // Throwing here stops yargs before it runs the command's handler.
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(message ?? error?.message ?? 'invalid command line', {
        hint: 'Run with --help to see the options.',
      });
    });
  const register = (y: Argv, list: CommandModule[]): void => {
    for (const command of list) {
      y.command({
        command: command.command,
        aliases: command.aliases,
        describe: command.describe,
        builder: (inner: Argv) => {
          const built = ownFlagsFirst(command.builder(inner));
          if (command.subcommands)
            register(
              built.demandCommand(
                1,
                `Name a ${String(command.command)} command: portolan ${String(command.command)} --help lists them.`,
              ),
              command.subcommands,
            );
          return built;
        },
        handler: async (args) => {
          exitCode = await command.run(args, io);
        },
      });
    }
  };
  register(parser, commandList);
  // yargs renders the whole help text of a command before running it, in case the handler fails and help is
  // wanted; portolan never shows help on a command's failure, and the rendering costs tens of milliseconds.
  const usage = (
    parser as unknown as { getInternalMethods?: () => { getUsageInstance(): { cacheHelpMessage(): void } } }
  )
    .getInternalMethods?.()
    .getUsageInstance();
  if (usage) usage.cacheHelpMessage = () => undefined;
  // `portolan` alone prints the help, as `helm` alone does.
  if (argv.length === 0) argv.push('--help');
  try {
    let helpText: string | undefined;
    await parser.parseAsync(argv, {}, (_err, _argv, output) => {
      helpText = output;
    });
    if (helpText) io.stdout(helpText.endsWith('\n') ? helpText : `${helpText}\n`);
    return exitCode;
  } catch (error) {
    return reportError(error, io, debug);
  }
}

/** Flags every command shares: listed after the command's own, in a group of their own (as helm's --help does). */
const GLOBAL_FLAGS = ['repository-config', 'repository-cache', 'kubeconfig', 'kube-context', 'debug', 'help'];

/** A command's own flags under "Options:" first, then the shared ones under "Global options:". */
function ownFlagsFirst(y: Argv): Argv {
  const internals = y as unknown as {
    getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> };
    getGroups(): Record<string, string[]>;
  };
  const options = internals.getOptions();
  const grouped = new Set(Object.values(internals.getGroups()).flat());
  const aliases = new Set(Object.values(options.alias).flat());
  const keys = Object.keys(options.key).filter((key) => !aliases.has(key));
  const own = keys.filter((key) => !grouped.has(key) && !GLOBAL_FLAGS.includes(key));
  const global = GLOBAL_FLAGS.filter((key) => keys.includes(key) || key === 'debug' || key === 'help');
  return y.group(own, 'Options:').group(global, 'Global options:');
}

/** Prints an error in one or two lines (stack only with --debug) and returns the exit code. */
export function reportError(error: unknown, io: CliIo, debug: boolean): number {
  const c = colours(io);
  if (isPortolanError(error)) {
    io.stderr(formatError(error, c.red('Error:')));
    if (debug && error.stack) io.stderr(`${c.dim(error.stack)}\n`);
    return error.exitCode;
  }
  io.stderr(`${c.red('Error:')} ${messageOf(error)}\n`);
  io.stderr(
    debug && error instanceof Error && error.stack
      ? `${error.stack}\n`
      : 'This is a bug in portolan; run again with --debug for the stack trace.\n',
  );
  return 1;
}

export function formatError(error: PortolanError, label = 'Error:'): string {
  const where =
    error.location ?? (error.flag && !error.message.includes(error.flag) ? `flag ${error.flag}` : undefined);
  let text = `${label} ${where && !error.message.includes(where) ? `${where}: ` : ''}${error.message}\n`;
  for (const problem of error.problems ?? []) text += `  - ${problem}\n`;
  if (error.hint) text += `  hint: ${error.hint}\n`;
  for (const note of error.notes) text += `  also: ${note}\n`;
  return text;
}
