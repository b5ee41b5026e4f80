// portolan search repo [KEYWORD]: search the cached indexes of the repositories the client knows.
import { PortolanError, messageOf } from '../../errors.js';
import { defineCommand } from '../command.js';
import { withOutputFlag } from '../flags.js';
import { clientPathsFor, withRepositoryFlags } from '../chart-ref.js';
import { colours } from '../io.js';

export const searchCommand = defineCommand({
  command: 'search <source> [keyword]',
  describe: 'Search the charts of your repositories (source: repo)',
  builder: (y) =>
    withRepositoryFlags(
      withOutputFlag(
        y
          .positional('source', {
            type: 'string',
            choices: ['repo'],
            describe: 'Where to search: repo (the repositories added with repo add)',
          })
          .positional('keyword', {
            type: 'string',
            describe: 'Text to find in chart names, descriptions and keywords (all charts when left out)',
          })
          .option('versions', {
            alias: 'l',
            type: 'boolean',
            default: false,
            describe: 'Show every version, not only the newest',
          })
          .option('version', { type: 'string', describe: 'Only versions in this range (e.g. ^1.2, ">= 1.2, < 2")' })
          .option('devel', { type: 'boolean', default: false, describe: 'Include prereleases' })
          .option('regexp', {
            alias: 'r',
            type: 'boolean',
            default: false,
            describe: 'KEYWORD is a regular expression',
          })
          .option('max-col-width', {
            type: 'number',
            default: 50,
            describe: 'Cut table columns at this width (0: never)',
          })
          .option('fail-on-no-result', { type: 'boolean', default: false, describe: 'Exit 1 when nothing matches' }),
      ),
    ).example('$0 search repo nginx --versions', 'Every version of charts matching nginx'),
  run: async (args, io) => {
    const { listRepositories, loadCachedIndex } = await import('../../repo/client/repos.js');
    const { searchIndexes, truncate } = await import('../../repo/client/search.js');
    const paths = await clientPathsFor(io, args);
    const repos = await listRepositories(paths);
    if (repos.length === 0)
      throw new PortolanError('REPO', 'no repositories configured', { hint: 'Add one: portolan repo add NAME URL' });
    const loaded = [];
    for (const repo of repos) {
      try {
        loaded.push({ name: repo.name, index: (await loadCachedIndex(paths, repo.name)).index });
      } catch (error) {
        io.stderr(
          `${colours(io).yellow('Warning:')} repository "${repo.name}" is skipped: ${messageOf(error)} (run \`portolan repo update\`)\n`,
        );
      }
    }
    const results = searchIndexes(loaded, {
      keyword: args.keyword,
      regexp: args.regexp,
      versions: args.versions,
      version: args.version,
      devel: args.devel,
    });
    const rows = results.map((r) => ({
      name: r.name,
      version: r.chart.version,
      app_version: r.chart.appVersion ?? '',
      description: r.chart.description ?? '',
    }));
    const output = args.output;
    if (output === 'json') io.stdout(`${JSON.stringify(rows)}\n`);
    else if (output === 'yaml') {
      const { toYamlList } = await import('../../yaml-emit.js');
      io.stdout(toYamlList(rows));
    } else if (rows.length === 0) io.stdout('No results found\n');
    else {
      const { formatTable } = await import('../table.js');
      const width = args.maxColWidth;
      io.stdout(
        formatTable(
          ['NAME', 'CHART VERSION', 'APP VERSION', 'DESCRIPTION'],
          rows.map((r) => [r.name, r.version, r.app_version, r.description].map((c) => truncate(c, width))),
        ),
      );
    }
    return rows.length === 0 && args.failOnNoResult ? 1 : 0;
  },
});
