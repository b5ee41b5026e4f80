// portolan create NAME: scaffold a new chart (or copy a starter chart under a new name).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { defineCommand } from '../command.js';
import type { CliIo } from '../io.js';
import { colours } from '../io.js';

export const createCommand = defineCommand({
  command: 'create <name>',
  describe: 'Create a new chart with the given name (a path: charts/foo makes a chart named foo)',
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'Chart name, or a path whose last part is the chart name' })
      .option('starter', {
        alias: 'p',
        type: 'string',
        describe: 'A starter chart to copy: a folder, or a name under $PORTOLAN_DATA_HOME/starters',
        requiresArg: true,
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'Write into an existing non-empty folder, overwriting the files the chart has',
      })
      .option('dialect', {
        type: 'string',
        choices: ['handlebars', 'go'],
        default: 'handlebars',
        describe: "Template dialect: handlebars (portolan's own) or go (Go templates, as Helm charts)",
      })
      .example(
        '$0 create demo',
        'Scaffold ./demo: Deployment, Service, ServiceAccount, optional Ingress, HTTPRoute and HPA',
      )
      .example('$0 create charts/api --starter ./starters/web', 'Copy a starter chart, renamed to "api"')
      .example('$0 create demo --dialect go', 'The same scaffold in Go templates, for charts shared with Helm users'),
  run: async (args, io) => {
    const { createChart } = await import('../../chart/create.js');
    const name = args.name;
    const starter = args.starter === undefined ? undefined : starterPath(args.starter, io);
    io.stdout(`Creating ${name}\n`);
    const transform = args.dialect === 'go' ? (await import('../../convert/index.js')).toGoTemplates : undefined;
    const result = await createChart(resolve(io.cwd, name), { starter, force: args.force, transform });
    const c = colours(io);
    for (const file of result.overwritten) io.stderr(`${c.yellow('Warning:')} overwrote ${join(result.dir, file)}\n`);
    for (const warning of result.warnings) io.stderr(`${c.yellow('Warning:')} ${warning}\n`);
    return 0;
  },
});

/** A folder path as given, else a starter name under the data home (Helm keeps them in $HELM_DATA_HOME/starters). */
function starterPath(value: string, io: CliIo): string {
  const asPath = resolve(io.cwd, value);
  if (isAbsolute(value) || value.includes('/') || value.includes('\\') || existsSync(asPath)) return asPath;
  const dataHome =
    io.env.PORTOLAN_DATA_HOME ??
    join(io.env.XDG_DATA_HOME ?? join(io.env.HOME ?? homedir(), '.local', 'share'), 'portolan');
  const named = join(dataHome, 'starters', value);
  return existsSync(named) ? named : asPath;
}
