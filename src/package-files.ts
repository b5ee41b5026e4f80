// Files shipped in the portolan package (package.json, schemas/), found by walking up from the running module:
// the same code runs from dist/ and from the bundle's chunks, at different depths.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The path of `relative` (e.g. `schemas/release.schema.json`) in the nearest folder above that holds it. */
export function packageFile(relative: string): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, relative);
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}
