// portolan get values|manifest|notes|hooks|all NAME: what a revision of a release holds.
import { UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { withOutputFlag } from '../flags.js';
import { machineOutput, notesSection, statusHeader, withRelease, withReleaseFlags } from '../release-common.js';

const PARTS = ['values', 'manifest', 'notes', 'hooks', 'all'] as const;

export const getCommand = defineCommand({
  command: 'get <part> <name>',
  cluster: true,
  describe: "Show a release's values, manifest, notes or hooks (part: values, manifest, notes, hooks, all)",
  builder: (y) =>
    withOutputFlag(withReleaseFlags(y))
      .positional('part', { type: 'string', choices: PARTS, describe: 'What to show' })
      .positional('name', { type: 'string', describe: 'Release name' })
      .option('revision', { type: 'number', describe: 'Show this revision instead of the latest' })
      .option('all', {
        alias: 'a',
        type: 'boolean',
        default: false,
        describe: "values: the computed values (chart defaults and user values), not only the user's",
      }),
  run: async (args, io) => {
    const revision = args.revision ?? 0;
    if (!Number.isInteger(revision) || revision < 0)
      throw new UsageError('--revision must be a revision number', { flag: '--revision' });
    const part = args.part;
    const output = args.output;
    if (output !== 'table' && part !== 'values')
      throw new UsageError(`-o ${output} applies to \`get values\` only`, { flag: '--output' });
    const { getRevision } = await import('../../release/index.js');
    const release = await withRelease(args, io, async ({ cfg }) => getRevision(cfg, args.name, revision));
    const { toYamlValue } = await import('../../yaml-emit.js');
    const yamlOf = (v: Record<string, unknown>) => (Object.keys(v).length === 0 ? 'null\n' : toYamlValue(v));
    const hooks = release.hooks.map((h) => `---\n# Source: ${h.path}\n${h.manifest}\n`).join('');
    switch (part) {
      case 'values': {
        const values = args.all ? release.values : release.config;
        if (output !== 'table') io.stdout(await machineOutput(output, values));
        else io.stdout(`${args.all ? 'COMPUTED VALUES' : 'USER-SUPPLIED VALUES'}:\n${yamlOf(values)}`);
        break;
      }
      case 'manifest':
        io.stdout(release.manifest);
        break;
      case 'notes':
        io.stdout(notesSection(release));
        break;
      case 'hooks':
        io.stdout(hooks);
        break;
      case 'all': {
        const header = statusHeader(release).replace(
          /^DESCRIPTION:/m,
          `CHART: ${release.chart.metadata.name}\nVERSION: ${release.chart.metadata.version}\nAPP_VERSION: ${release.chart.metadata.appVersion ?? ''}\nDESCRIPTION:`,
        );
        io.stdout(
          `${header}USER-SUPPLIED VALUES:\n${yamlOf(release.config)}\nCOMPUTED VALUES:\n${yamlOf(release.values)}\nHOOKS:\n${hooks}MANIFEST:\n${release.manifest}\n${notesSection(release)}`,
        );
        break;
      }
    }
    return 0;
  },
});
