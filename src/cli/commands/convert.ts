// portolan convert CHART --to go: a chart's handlebars templates rewritten as Go templates, so Helm renders it too.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { PortolanError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { colours } from '../io.js';

export const convertCommand = defineCommand({
  command: 'convert <chart>',
  describe: "Rewrite a chart's templates in the other dialect (handlebars → Go templates, for Helm)",
  builder: (y) =>
    y
      .positional('chart', { type: 'string', describe: 'Chart folder or .tgz archive' })
      .option('to', {
        type: 'string',
        choices: ['go', 'handlebars'] as const,
        demandOption: true,
        describe: "The dialect to write: go (for helm) or handlebars (portolan's own)",
      })
      .option('output-dir', {
        type: 'string',
        describe: 'Folder to write the converted chart to (default: CHART-go beside the chart)',
        requiresArg: true,
      })
      .option('allow-partial', {
        type: 'boolean',
        default: false,
        describe: 'Copy templates that cannot be converted fully as they are, and list them, instead of failing',
      })
      .option('force', { type: 'boolean', default: false, describe: 'Replace the output folder if it exists' })
      .example(
        '$0 convert charts/webapp --to go',
        'Write charts/webapp-go, a chart helm renders as portolan renders charts/webapp',
      ),
  run: async (args, io) => {
    const { convertChartFiles } = await import('../../convert/index.js');
    const { readChartFolder } = await import('../../chart/load.js');
    const { readChartArchive } = await import('../../chart/archive.js');
    const chart = resolve(io.cwd, args.chart);
    const info = await stat(chart).catch(() => undefined);
    if (!info)
      throw new PortolanError('CHART_NOT_FOUND', `chart "${args.chart}" not found`, {
        file: args.chart,
        hint: 'Give a chart folder or a .tgz archive.',
      });
    const files = info.isDirectory()
      ? await readChartFolder(chart)
      : readChartArchive(await readFile(chart), args.chart).files;
    const to = args.to;
    const result = convertChartFiles(files, to, { allowPartial: args.allowPartial });
    const name = basename(chart).replace(/\.tgz$/, '');
    const target = resolve(io.cwd, args.outputDir ?? join(dirname(chart), `${name}-${to}`));
    if ((await stat(target).catch(() => undefined)) && !args.force) {
      throw new PortolanError('CONFLICT', `${target} already exists`, {
        file: target,
        flag: '--output-dir',
        hint: 'Choose another --output-dir, or pass --force to replace it.',
      });
    }
    // Written beside the target, then renamed into place: a failure leaves no half-written chart.
    const temp = `${target}.${process.pid}.tmp`;
    await rm(temp, { recursive: true, force: true });
    for (const file of result.files) {
      const path = join(temp, ...file.name.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.data);
    }
    await rm(target, { recursive: true, force: true });
    await rename(temp, target);
    const c = colours(io);
    for (const problem of result.problems)
      io.stderr(`${c.yellow('Warning:')} ${problem.file}:${problem.line}: ${problem.message}\n`);
    for (const file of result.partial)
      io.stderr(`${c.yellow('Warning:')} ${file} copied unchanged (--allow-partial)\n`);
    io.stdout(`Converted ${result.converted.length} template(s) to ${to} templates in ${target}\n`);
    return 0;
  },
});
