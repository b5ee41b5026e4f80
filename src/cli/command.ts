// The shape of one CLI command: its yargs declaration and a lazily loaded run(). defineCommand types run()'s
// arguments from the builder, so a flag that is not declared, or is used as the wrong type, fails to compile.
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
  /** Talks to a cluster (see main.ts: such a run keeps V8's default young generation). */
  cluster?: boolean;
}

/** `kube-context` → `kubeContext`: the name yargs' camel-case expansion gives a flag. */
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** The positionals a command string requires: `upgrade <name> <chart>` → 'name' | 'chart'; `<names..>` → 'names'. */
export type RequiredPositionals<C extends string> = C extends `${string}<${infer Name}>${infer Rest}`
  ? (Name extends `${infer Variadic}..` ? Variadic : Name) | RequiredPositionals<Rest>
  : never;

/**
 * What a command's run() receives: every flag and positional its builder declares, under its camelCase name, with
 * the type yargs infers for it (a required positional is never undefined). Nothing else: no index signature, so a
 * misspelt name is a compile error rather than `unknown`.
 */
export type Flags<T, C extends string = string> = {
  [K in keyof T & string as CamelCase<K>]: K extends RequiredPositionals<C> ? Exclude<T[K], undefined> : T[K];
};

/** The arguments type a builder function produces: `BuilderArgs<typeof flags>` for a builder shared or exported. */
export type BuilderArgs<B> = B extends (yargs: Argv) => Argv<infer T> ? T : never;

export interface CommandSpec<C extends string, T> {
  command: C;
  aliases?: string[];
  describe: string;
  /** Declares the flags with yargs' typed builder calls; their types become run()'s. */
  builder: (yargs: Argv) => Argv<T>;
  run(args: Flags<T, C>, io: CliIo): Promise<number>;
  subcommands?: CommandModule[];
  cluster?: boolean;
}

/** A command whose run() gets the flags its builder declares, typed (see the comment at the top of run.ts). */
export function defineCommand<const C extends string, T>(spec: CommandSpec<C, T>): CommandModule {
  return {
    ...spec,
    // The one place the parsed arguments are trusted to match the builder: yargs built them from it.
    run: (args, io) => spec.run(args as Flags<T, C>, io),
  };
}
