// portolan template [NAME] CHART: render a chart locally and print the manifests.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError, PortolanError } from '../../errors.js';
import type { Argv } from 'yargs';
import { type BuilderArgs, defineCommand, type Flags } from '../command.js';
import { valueOptionsFrom, withRenderFlags, withValuesFlags } from '../flags.js';
import { chartRefOptions, loadChartArgument, valuesIo, withChartRefFlags } from '../chart-ref.js';
import { colours, type CliIo } from '../io.js';
import type { TemplateOptions, TemplateResult } from '../../template.js';
import * as helmGlob from '../../chart/helmignore.js';

interface OutputDoc {
  source: string;
  text: string;
}

const TEMPLATE = 'template [name] [chart]';

const templateFlags = (y: Argv) =>
  withChartRefFlags(withRenderFlags(withValuesFlags(y)))
    .positional('name', { type: 'string', describe: 'Release name (default "release-name")' })
    .positional('chart', {
      type: 'string',
      describe: 'Chart folder, .tgz archive, REPO/CHART, or a chart name with --repo',
    })
    .option('show-only', {
      alias: 's',
      type: 'string',
      array: true,
      describe: 'Only print manifests from these templates (e.g. templates/service.yaml)',
    })
    .option('output-dir', {
      type: 'string',
      describe: "Write each template's manifests to files under this folder instead of stdout",
    })
    .option('release-name', {
      type: 'boolean',
      default: false,
      describe: 'Put the release name in the --output-dir path',
    })
    .option('is-upgrade', { type: 'boolean', default: false, describe: 'Set Release.IsUpgrade (and not IsInstall)' })
    .option('strict', { type: 'boolean', default: false, describe: 'Fail on missing values referenced by templates' })
    .option('include-crds', { type: 'boolean', default: false, describe: 'Print the files of crds/ first' })
    .option('skip-tests', { type: 'boolean', default: false, describe: 'Leave out test hooks' })
    .option('no-hooks', { type: 'boolean', default: false, describe: 'Leave out all hooks' })
    .option('releases', {
      type: 'string',
      describe: "Render every release of a releases file (helmfile's releases: name, chart, namespace, values, set)",
    })
    .option('all', {
      type: 'string',
      describe: 'Render every chart under this folder (chart folders and .tgz archives), in one process',
    })
    .option('jobs', {
      type: 'number',
      describe: 'With --all or --releases: charts rendered at once, on threads (default: the CPUs, at most 4)',
    })
    .example(
      '$0 template demo charts/webapp -f charts/webapp/values-prod.yaml',
      'Render the webapp chart with production values',
    );

/** The flags of `template`, as run() receives them (also what --all/--releases and printTemplate read). */
export type TemplateFlags = Flags<BuilderArgs<typeof templateFlags>, typeof TEMPLATE>;

export const templateCommand = defineCommand({
  command: TEMPLATE,
  describe: 'Render a chart locally and print the manifests',
  builder: templateFlags,
  run: async (args, io) => {
    if (args.releases !== undefined || args.all !== undefined) {
      const { templateMany } = await import('./template-many.js');
      return templateMany(args, io);
    }
    let name = args.name;
    let chartRef = args.chart;
    if (chartRef === undefined) {
      if (name === undefined)
        throw new UsageError('template needs a CHART (a chart folder or .tgz)', {
          hint: 'portolan template [NAME] CHART',
        });
      chartRef = name;
      name = 'release-name';
    }
    const { readValues, templateChart } = await import('../../template.js');
    const chart = await loadChartArgument(chartRef, io, chartRefOptions(args));
    const user = await readValues(valueOptionsFrom(args), valuesIo(io));
    const result = templateChart(chart, user, renderSpec(args, name ?? 'release-name', args.namespace));
    await printTemplate(result, args, name ?? 'release-name', io);
    return 0;
  },
});

/** The release `template` renders as, from its flags: install (or upgrade with --is-upgrade), versions, strictness. */
export function renderSpec(args: TemplateFlags, releaseName: string, namespace: string): TemplateOptions {
  return {
    releaseName,
    namespace,
    isInstall: !args.isUpgrade,
    isUpgrade: args.isUpgrade,
    kubeVersion: args.kubeVersion,
    apiVersions: args.apiVersions ?? [],
    strict: args.strict,
    skipSchemaValidation: args.skipSchemaValidation,
  };
}

/** Prints one rendered chart as `template` prints it (or writes it under --output-dir), with its warnings. */
export async function printTemplate(
  result: TemplateResult,
  args: Pick<TemplateFlags, 'includeCrds' | 'noHooks' | 'skipTests' | 'showOnly' | 'outputDir' | 'releaseName'>,
  name: string,
  io: CliIo,
  outputBase?: string,
): Promise<void> {
  const { formatManifests } = await import('../../render/index.js');
  for (const warning of result.warnings) io.stderr(`${colours(io).yellow('Warning:')} ${warning}\n`);

  const manifests: OutputDoc[] = args.includeCrds ? [...result.crds, ...result.manifests] : result.manifests;
  const hooks: OutputDoc[] = args.noHooks
    ? []
    : result.hooks.filter((h) => !args.skipTests || !(h.hook ?? []).includes('test'));
  let docs = [...manifests, ...hooks];

  const showOnly = args.showOnly ?? [];
  if (showOnly.length > 0) docs = filterShowOnly(docs, showOnly);

  const outputDir = args.outputDir;
  if (outputDir) {
    const base = resolve(io.cwd, outputDir, outputBase ?? (args.releaseName ? name : ''));
    await writeOutputDir(base, docs, io);
    return;
  }
  // As helm template prints it: the release manifest trimmed plus a newline (a lone newline when it is empty), then
  // the hooks; with --show-only, the documents chosen.
  io.stdout(
    showOnly.length > 0 ? formatManifests(docs) : `${formatManifests(manifests).trim()}\n${formatManifests(hooks)}`,
  );
}

/** Helm matches -s against the template path without the chart's own name, as a glob. */
function filterShowOnly(docs: OutputDoc[], patterns: string[]): OutputDoc[] {
  const { globToRegex } = helmGlob;
  const kept: OutputDoc[] = [];
  for (const pattern of patterns) {
    const regex = globToRegex(pattern.replace(/\\/g, '/'));
    const matched = docs.filter((d) => regex.test(d.source.slice(d.source.indexOf('/') + 1)) || regex.test(d.source));
    if (matched.length === 0) {
      throw new PortolanError('CHART_INVALID', `could not find template ${pattern} in chart`, {
        flag: '--show-only',
        hint: `Templates with output: ${[...new Set(docs.map((d) => d.source.slice(d.source.indexOf('/') + 1)))].join(', ')}`,
      });
    }
    for (const doc of matched) if (!kept.includes(doc)) kept.push(doc);
  }
  return docs.filter((d) => kept.includes(d));
}

async function writeOutputDir(base: string, docs: OutputDoc[], io: { stdout(t: string): void }): Promise<void> {
  const byFile = new Map<string, string[]>();
  for (const doc of docs) {
    const list = byFile.get(doc.source) ?? [];
    list.push(`---\n# Source: ${doc.source}\n${doc.text}\n`);
    byFile.set(doc.source, list);
  }
  for (const [source, parts] of byFile) {
    const target = join(base, source);
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, parts.join(''));
    await rename(temp, target);
    io.stdout(`wrote ${target}\n`);
  }
}
