// portolan package CHART... : write reproducible <name>-<version>.tgz archives.
import { mkdir, rename, writeFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CommandModule } from '../command.js';

export const packageCommand: CommandModule = {
  command: 'package <charts..>',
  describe: 'Package chart folders into versioned, reproducible .tgz archives',
  builder: (y) =>
    y
      .positional('charts', { type: 'string', array: true, describe: 'Chart folders' })
      .option('destination', { alias: 'd', type: 'string', default: '.', describe: 'Folder to write the archives to' })
      .option('version', { type: 'string', describe: 'Set the chart version (SemVer 2)' })
      .option('app-version', { type: 'string', describe: 'Set the chart appVersion' })
      .example('$0 package charts/webapp -d dist/charts', 'Write dist/charts/webapp-1.4.0.tgz'),
  run: async (args, io) => {
    const { readChartFolder } = await import('../../chart/load.js');
    const { archiveTimeFromEnv, packageChartFiles } = await import('../../chart/package.js');
    const destination = resolve(io.cwd, args.destination as string);
    await mkdir(destination, { recursive: true });
    const mtime = archiveTimeFromEnv(io.env);
    for (const ref of args.charts as string[]) {
      const dir = resolve(io.cwd, ref);
      const { stat } = await import('node:fs/promises');
      const info = await stat(dir).catch(() => undefined);
      if (!info?.isDirectory()) {
        const { PortolanError } = await import('../../errors.js');
        throw new PortolanError('CHART_NOT_FOUND', `chart folder "${ref}" not found`, { file: ref, hint: 'package takes chart folders (with a Chart.yaml).' });
      }
      const packaged = packageChartFiles(await readChartFolder(dir), ref, {
        version: args.version as string | undefined,
        appVersion: args['app-version'] as string | undefined,
        mtime,
      });
      const target = join(destination, packaged.fileName);
      const temp = `${target}.${process.pid}.tmp`;
      try {
        await writeFile(temp, packaged.data);
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      io.stdout(`Successfully packaged chart and saved it to: ${target}\nDigest: sha256:${packaged.digest}\n`);
    }
    return 0;
  },
};
