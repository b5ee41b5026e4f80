// portolan dependency list|build|update CHART: manage a chart's dependencies in charts/ and Chart.lock.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Chart } from '../../chart/types.js';
import { defineCommand } from '../command.js';
import { withFormatFlag } from '../flags.js';
import {
  clientPathsFor,
  registryConnection,
  registryPathsFor,
  withRegistryFlags,
  withRepositoryFlags,
} from '../chart-ref.js';

export const dependencyCommand = defineCommand({
  command: 'dependency <action> <chart>',
  aliases: ['dep', 'dependencies'],
  describe: "Manage a chart's dependencies (action: list, build, update)",
  builder: (y) =>
    withRegistryFlags(
      withRepositoryFlags(
        withFormatFlag(
          y
            .positional('action', {
              type: 'string',
              choices: ['list', 'build', 'update'] as const,
              describe:
                'list: show status; update: resolve ranges and write Chart.lock; build: rebuild charts/ from Chart.lock',
            })
            .positional('chart', { type: 'string', describe: 'Chart folder' }),
          ['table', 'json'],
        ),
      ),
    ),
  run: async (args, io) => {
    const chartDir = resolve(io.cwd, args.chart);
    const action = args.action;
    if (action === 'list') {
      const { loadChart, loadChartArchive } = await import('../../chart/load.js');
      const { listDependencies } = await import('../../chart/dependencies.js');
      const chart = await loadChart(chartDir);
      const archives = new Map<string, Chart>();
      const folders = new Map<string, Chart>();
      const entries = await readdir(join(chartDir, 'charts'), { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = join(chartDir, 'charts', entry.name);
        if (entry.isFile() && entry.name.endsWith('.tgz'))
          archives.set(entry.name, loadChartArchive(await readFile(path), path));
        else if (entry.isDirectory()) {
          const sub = chart.dependencies.find((d) => d.source === `${chartDir}/charts/${entry.name}`);
          if (sub) folders.set(entry.name, sub);
        }
      }
      const rows = listDependencies(chart, archives, folders);
      if (args.output === 'json') io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) io.stdout(`WARNING: no dependencies at ${join(chartDir, 'Chart.yaml')}\n`);
      else {
        const { formatTable } = await import('../table.js');
        io.stdout(
          formatTable(
            ['NAME', 'VERSION', 'REPOSITORY', 'STATUS'],
            rows.map((r) => [r.name, r.version, r.repository, r.status]),
          ),
        );
      }
      return 0;
    }
    const { buildDependencies, updateDependencies } = await import('../../chart/dependency-update.js');
    const { createRemoteResolver } = await import('../../repo/client/resolver.js');
    const remote = createRemoteResolver(await clientPathsFor(io, args), {
      paths: await registryPathsFor(io, { registryConfig: args.registryConfig }),
      options: registryConnection(io, { ...args, insecure: args.insecureSkipTlsVerify }),
    });
    const result =
      action === 'update'
        ? await updateDependencies(chartDir, { remote })
        : await buildDependencies(chartDir, { remote });
    for (const dep of result.lock.dependencies)
      io.stdout(`Dependency ${dep.name} ${dep.version}${dep.repository ? ` from ${dep.repository}` : ' (charts/)'}\n`);
    io.stdout(
      `Saving ${result.written.length} charts to ${join(chartDir, 'charts')}${action === 'update' ? `; wrote ${join(chartDir, 'Chart.lock')}` : ''}\n`,
    );
    return 0;
  },
});
