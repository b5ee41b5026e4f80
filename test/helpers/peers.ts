// The real helm and kubectl binaries (unpacked by scripts/fetch-peers.mjs during `npm ci`), and a way to run them
// with every config folder inside a temporary HOME so tests never touch the user's files.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function peerPath(name: 'helm' | 'kubectl'): string {
  const path = join(projectRoot, '.peers', name);
  if (!existsSync(path))
    throw new Error(`${path} is missing: run \`npm run peers\` (npm ci runs it) to unpack helm and kubectl`);
  return path;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { cwd: options.cwd ?? projectRoot, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

let helmHome: string | undefined;
/** Runs the real helm with its config, cache and data folders in a private temporary HOME. */
export function helm(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  helmHome ??= mkdtempSync(join(tmpdir(), 'portolan-helm-home-'));
  const env = {
    PATH: process.env.PATH,
    HOME: helmHome,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
    ...options.env,
  };
  return run(peerPath('helm'), args, { ...options, env });
}

export const KUBECTL = join(projectRoot, '.peers', 'kubectl');
export const HELM = join(projectRoot, '.peers', 'helm');
export type PeerResult = RunResult;

/** Runs a peer binary with only PATH and `env` (a private HOME and kubeconfig), never throwing on a non-zero exit. */
export function runPeer(bin: string, args: string[], env: Record<string, string>, input?: string): Promise<RunResult> {
  return run(bin, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, input });
}
