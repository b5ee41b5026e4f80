// portolan version: the version in package.json.
import { readFileSync } from 'node:fs';
import { packageFile } from '../../package-files.js';
import { defineCommand } from '../command.js';

function packageVersion(): string {
  const file = packageFile('package.json');
  return file ? ((JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown') : 'unknown';
}

export const versionCommand = defineCommand({
  command: 'version',
  describe: 'Print the portolan version',
  builder: (y) => y,
  run: async (_args, io) => {
    io.stdout(`portolan v${packageVersion()} (node ${process.version})\n`);
    return 0;
  },
});
