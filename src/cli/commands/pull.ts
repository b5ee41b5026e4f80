// portolan pull REPO/CHART | --repo URL CHART | oci://HOST/PATH/NAME: download a chart archive (checked against the
// index digest, or against the registry manifest's digests).
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PortolanError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { chartRefOptions, fetchChartArgument, withChartRefFlags } from '../chart-ref.js';

export const pullCommand = defineCommand({
  command: 'pull <chart>',
  aliases: ['fetch'],
  describe: 'Download a chart from a repository (REPO/CHART, --repo URL CHART, or oci://HOST/PATH/NAME)',
  builder: (y) =>
    withChartRefFlags(
      y.positional('chart', {
        type: 'string',
        describe: 'REPO/CHART, oci://HOST/PATH/NAME, or a chart name with --repo',
      }),
    )
      .option('destination', {
        alias: 'd',
        type: 'string',
        default: '.',
        describe: 'Folder to write the archive (or the unpacked chart) to',
      })
      .option('untar', { type: 'boolean', default: false, describe: 'Unpack the chart instead of keeping the archive' })
      .option('untardir', {
        type: 'string',
        default: '.',
        describe: 'With --untar: folder under --destination to unpack into',
      })
      .example('$0 pull team/webapp --version "^1.4"', 'Write webapp-1.4.x.tgz here')
      .example('$0 pull --repo http://127.0.0.1:8879 webapp --untar', 'Unpack ./webapp/')
      .example('$0 pull oci://registry.example.com/charts/webapp --version 1.4.2', 'From an OCI registry'),
  run: async (args, io) => {
    const fetched = await fetchChartArgument(args.chart, io, chartRefOptions(args));
    const { writeFileAtomic } = await import('../../repo/index-dir.js');
    const destination = resolve(io.cwd, args.destination);
    await mkdir(destination, { recursive: true });
    // helm's lines for a registry pull: the resolved reference and the manifest's digest.
    const pulled =
      fetched.digest === undefined ? '' : `Pulled: ${fetched.url.slice('oci://'.length)}\nDigest: ${fetched.digest}\n`;
    if (!args.untar) {
      const target = join(destination, fetched.fileName);
      await writeFileAtomic(target, fetched.data);
      io.stdout(pulled || `Pulled ${fetched.fileName} from ${fetched.url}\n`);
      return 0;
    }
    // Unpack: the archive is checked completely (no absolute paths, `..`, links, oversize) before anything is written.
    const { readChartArchive } = await import('../../chart/archive.js');
    const { loadChartFiles } = await import('../../chart/load.js');
    const { topFolder, files, budget } = readChartArchive(fetched.data, fetched.url);
    loadChartFiles(files, fetched.url, budget);
    const base = resolve(destination, args.untardir);
    const root = join(base, topFolder);
    if (await stat(root).catch(() => undefined)) {
      throw new PortolanError('IO', `cannot unpack into ${root}: it already exists`, {
        file: root,
        hint: 'Remove it, or pick another --destination/--untardir.',
      });
    }
    for (const file of files) {
      const target = join(root, ...file.name.split('/'));
      if (!target.startsWith(`${root}/`))
        throw new PortolanError('ARCHIVE_INVALID', `${fetched.url}: entry "${file.name}" leaves the chart folder`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.data);
    }
    io.stdout(`${pulled}Pulled ${fetched.fileName} from ${fetched.url} and unpacked it into ${root}\n`);
    return 0;
  },
});
