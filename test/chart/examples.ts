// Copies of the example charts for tests that change them, taken as committed: without a charts/ folder or
// Chart.lock that someone's `dependency build charts/umbrella` may have left in the working tree.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { projectRoot } from '../helpers/peers.js';

/** Copies charts/<name> for each name into one fresh temporary folder; returns that folder. */
export function copyExampleCharts(names: string[], prefix = 'portolan-examples-'): string {
  const work = mkdtempSync(join(tmpdir(), prefix));
  for (const name of names) {
    const from = join(projectRoot, 'charts', name);
    cpSync(from, join(work, name), {
      recursive: true,
      filter: (source) => {
        const rel = relative(from, source).split(sep).join('/');
        return rel !== 'charts' && !rel.startsWith('charts/') && rel !== 'Chart.lock';
      },
    });
  }
  return work;
}
