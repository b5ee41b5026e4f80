// portolan push CHART.tgz oci://HOST/PATH: upload a chart archive (and the .prov beside it) to an OCI registry
// as helm push does, under PATH/NAME:VERSION.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PortolanError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { registryConnection, registryPathsFor, withRegistryFlags } from '../chart-ref.js';

export const pushCommand = defineCommand({
  command: 'push <chart> <remote>',
  describe: 'Upload a chart archive to an OCI registry (oci://HOST/PATH; the chart goes to PATH/NAME:VERSION)',
  builder: (y) =>
    withRegistryFlags(y)
      .positional('chart', { type: 'string', describe: 'Chart archive (.tgz); a .prov beside it is pushed too' })
      .positional('remote', { type: 'string', describe: 'oci://HOST[:PORT]/PATH' })
      .option('username', { type: 'string', describe: 'Registry username (instead of the stored login)' })
      .option('password', { type: 'string', describe: 'Registry password (instead of the stored login)' })
      .example('$0 push webapp-1.4.2.tgz oci://registry.example.com/charts', 'Push as charts/webapp:1.4.2'),
  run: async (args, io) => {
    const remote = args.remote;
    if (!remote.startsWith('oci://')) {
      throw new PortolanError('USAGE', `"${remote}" is not an oci:// reference`, {
        hint: 'Push to an OCI registry: portolan push CHART.tgz oci://HOST/PATH (a chart repository takes uploads through portolan serve).',
      });
    }
    const path = resolve(io.cwd, args.chart);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new PortolanError('IO', `${args.chart}: no such file`, { file: path });
    if (info.isDirectory())
      throw new PortolanError('USAGE', `${args.chart} is a folder; push takes a chart archive (.tgz)`, {
        hint: `Package it first: portolan package ${args.chart}`,
      });
    const archive = await readFile(path);
    const { metadataFromArchive } = await import('../../repo/index-dir.js');
    const { loadChartArchive } = await import('../../chart/load.js');
    // The whole archive is checked as a pull would load it, so nothing unloadable is published.
    loadChartArchive(archive, path);
    const metadata = metadataFromArchive(archive, path);
    const prov = await readFile(`${path}.prov`).catch(() => undefined);
    const { pushChart } = await import('../../oci/chart.js');
    const { rfc3339Local } = await import('../../oci/manifest.js');
    if (args.password !== undefined)
      io.stderr('Warning: --password on the command line can be seen by other users; prefer registry login\n');
    const result = await pushChart(
      archive,
      metadata,
      remote,
      await registryPathsFor(io, { registryConfig: args.registryConfig }),
      {
        ...registryConnection(io, { ...args, insecure: args.insecureSkipTlsVerify }),
        username: args.username,
        password: args.password,
        prov,
        // helm records the archive's modification time as the manifest's creation time.
        created: rfc3339Local(info.mtime),
      },
    );
    io.stdout(`Pushed: ${result.ref}\nDigest: ${result.manifestDigest}\n`);
    return 0;
  },
});
