// Runs the real kubectl and helm binaries (unpacked by scripts/fetch-peers.mjs) against a sandbox.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const KUBECTL = fileURLToPath(new URL('../../node_modules/.cache/portolan-peers/kubectl', import.meta.url));
export const HELM = fileURLToPath(new URL('../../node_modules/.cache/portolan-peers/helm', import.meta.url));

export interface PeerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a binary with a private HOME (caches stay out of the user's), never throwing on a non-zero exit. */
export function runPeer(bin: string, args: string[], env: Record<string, string>, input?: string): Promise<PeerResult> {
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      args,
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
