import { readFileSync } from 'node:fs';
import type { CommandModule } from '../command.js';

export const versionCommand: CommandModule = {
  command: 'version',
  describe: 'Print the portolan version',
  builder: (y) => y,
  run: async (_args, io) => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    io.stdout(`portolan v${pkg.version} (node ${process.version})\n`);
    return 0;
  },
};
