// npm run bench: every benchmark under bench/, one after the other.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib/harness.mjs';

const only = process.argv.slice(2);
for (const name of ['render', 'package', 'repo', 'cluster', 'release']) {
  const script = join(root, 'bench', name, 'run.mjs');
  if (!existsSync(script) || (only.length > 0 && !only.includes(name))) continue;
  console.log(`\n== bench/${name}`);
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = 1;
}
