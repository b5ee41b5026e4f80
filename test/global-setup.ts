// Runs once before the test files: bundles the `portolan` binary from src/ when any source is newer than the bundle,
// so the few end-to-end tests that start the binary as a process never run stale code (in-process tests import src/).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './helpers/peers.js';

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export default async function setup(): Promise<void> {
  const bin = join(projectRoot, 'dist', 'bin', 'portolan.mjs');
  const built = statSync(bin, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const inputs = Math.max(newestSource(join(projectRoot, 'src')), statSync(join(projectRoot, 'package.json')).mtimeMs);
  if (built > inputs) return;
  // @ts-expect-error: a plain .mjs build script without type declarations
  const { bundleCli } = (await import('../scripts/bundle.mjs')) as { bundleCli(): Promise<void> };
  await bundleCli();
}
