// portolan version: the version in package.json (found above this file, whether run from dist/cli or the bundle).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from '../command.js';

function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'portolan' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

export const versionCommand: CommandModule = {
  command: 'version',
  describe: 'Print the portolan version',
  builder: (y) => y,
  run: async (_args, io) => {
    io.stdout(`portolan v${packageVersion()} (node ${process.version})\n`);
    return 0;
  },
};
