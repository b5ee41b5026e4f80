// The shape of one CLI command: its yargs declaration and a lazily loaded run().
import type { Argv } from 'yargs';
import type { CliIo } from './io.js';

export interface CommandModule {
  command: string | string[];
  aliases?: string[];
  describe: string;
  builder: (yargs: Argv) => Argv;
  /** Runs the command; returns the exit code. Throws PortolanError for user errors. */
  run(args: Record<string, unknown>, io: CliIo): Promise<number>;
  /** Commands under this one (`repo add`, `repo list`): the command itself then only groups them. */
  subcommands?: CommandModule[];
}
