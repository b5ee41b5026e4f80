// Runs the portolan CLI the way a test needs it: in this process through runCli against src/ (the same parser,
// commands and output as the binary, in milliseconds instead of a process start), or, for the few end-to-end tests
// of the binary itself, as a child process of a bundle built from src/ for this test run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { projectRoot, run, type RunResult } from './peers.js';

export interface CliOptions {
  /** The folder relative paths are resolved against (default: the project root). */
  cwd?: string;
  /** Variables over the test process's environment (as a child process would inherit them); NO_COLOR is set. */
  env?: NodeJS.ProcessEnv;
  /** Standard input (for `-f -`). */
  input?: string;
}

/** The environment a command sees: this process's, NO_COLOR, then the test's own variables, copied per run. */
function environment(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', ...env };
}

/** Runs `portolan ARGS` in this process and returns its exit code and everything it printed. */
export async function portolan(args: string[], options: CliOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: async () => options.input ?? '',
    isTTY: false,
    env: environment(options.env),
    cwd: options.cwd ?? projectRoot,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

/**
 * The `portolan` binary the end-to-end tests start: the bundle test/global-setup.ts builds from src/ for this run
 * (so an edit is never tested stale), else dist/bin/portolan.mjs.
 */
export function binPath(): string {
  const built = process.env.PORTOLAN_TEST_BIN;
  if (built && existsSync(built)) return built;
  const dist = join(projectRoot, 'dist', 'bin', 'portolan.mjs');
  if (existsSync(dist)) return dist;
  throw new Error('no portolan binary: run the tests through vitest (its global setup bundles src/) or npm run build');
}

/** Runs the `portolan` binary in a child process (end-to-end tests only: start-up, exit codes, pipes, signals). */
export function portolanProcess(args: string[], options: CliOptions = {}): Promise<RunResult> {
  return run(process.execPath, [binPath(), ...args], { ...options, env: environment(options.env) });
}
