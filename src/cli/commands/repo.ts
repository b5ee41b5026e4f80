// portolan repo index|add|list|update|remove: make a repository index, and manage the repositories the client knows.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PortolanError, UsageError } from '../../errors.js';
import type { CommandModule } from '../command.js';
import { clientPathsFor, warnPasswordFlag, withRepositoryFlags } from '../chart-ref.js';
import { colours, type CliIo } from '../io.js';

function warn(io: CliIo, message: string): void {
  io.stderr(`${colours(io).yellow('Warning:')} ${message}\n`);
}

async function runIndex(args: Record<string, unknown>, rest: string[], io: CliIo): Promise<number> {
  if (rest.length !== 1)
    throw new UsageError('repo index takes one folder: portolan repo index DIR [--url URL] [--merge FILE]');
  const dir = resolve(io.cwd, rest[0] as string);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new PortolanError('IO', `${rest[0]} is not a folder`, { file: dir });
  const { indexDirectory, writeIndexFile } = await import('../../repo/index-dir.js');
  const { parseIndex, emptyIndex, countEntries } = await import('../../repo/index-model.js');
  let merge;
  const mergePath = args.merge as string | undefined;
  if (mergePath !== undefined) {
    const path = resolve(io.cwd, mergePath);
    const text = await readFile(path).catch(() => undefined);
    // As Helm: merging into a file that does not exist merges into an empty index.
    const parsed = text === undefined ? { index: emptyIndex(), warnings: [] } : parseIndex(text, mergePath);
    for (const w of parsed.warnings) warn(io, w);
    merge = parsed.index;
  }
  const result = await indexDirectory(dir, { url: args.url as string | undefined, merge });
  for (const w of result.warnings) warn(io, w);
  const target = await writeIndexFile(dir, result, { json: Boolean(args.json) });
  io.stdout(
    `Wrote ${target}: ${Object.keys(result.index.entries).length} charts, ${countEntries(result.index)} versions (${result.read} archives read, ${result.reused} unchanged)\n`,
  );
  return 0;
}

async function readPassword(args: Record<string, unknown>, io: CliIo): Promise<string | undefined> {
  if (args['password-stdin']) {
    if (args.password !== undefined)
      throw new UsageError('--password and --password-stdin are mutually exclusive', { flag: '--password-stdin' });
    return (await io.readStdin()).replace(/\r?\n$/, '');
  }
  if (args.password !== undefined) warnPasswordFlag(io);
  return args.password as string | undefined;
}

async function runAdd(args: Record<string, unknown>, rest: string[], io: CliIo): Promise<number> {
  if (rest.length !== 2) throw new UsageError('repo add takes a NAME and a URL: portolan repo add NAME URL');
  const [name, url] = rest as [string, string];
  const password = await readPassword(args, io);
  const username = args.username as string | undefined;
  if (password !== undefined && username === undefined)
    throw new UsageError('a password needs --username', { flag: '--username' });
  const { addRepository } = await import('../../repo/client/repos.js');
  const paths = await clientPathsFor(io, {
    repositoryConfig: args['repository-config'] as string | undefined,
    repositoryCache: args['repository-cache'] as string | undefined,
  });
  const { outcome, warnings } = await addRepository(paths, {
    name,
    url,
    username,
    password,
    passCredentialsAll: Boolean(args['pass-credentials']),
    forceUpdate: Boolean(args['force-update']),
  });
  for (const w of warnings) warn(io, w);
  io.stdout(
    outcome === 'unchanged'
      ? `"${name}" already exists with the same configuration, skipping\n`
      : `"${name}" has been ${outcome === 'replaced' ? 'updated' : 'added to your repositories'}\n`,
  );
  return 0;
}

async function runList(args: Record<string, unknown>, io: CliIo): Promise<number> {
  const { listRepositories } = await import('../../repo/client/repos.js');
  const { redactUrl } = await import('../../repo/client/http.js');
  const paths = await clientPathsFor(io, { repositoryConfig: args['repository-config'] as string | undefined });
  // A URL written with its password (as helm stores `repo add http://user:pw@host`) is shown without it.
  const repos = (await listRepositories(paths)).map((r) => ({ name: r.name, url: redactUrl(r.url) }));
  const output = args.output as string;
  if (output === 'json') io.stdout(`${JSON.stringify(repos)}\n`);
  else if (output === 'yaml') {
    const { toYamlList } = await import('../../yaml-emit.js');
    io.stdout(toYamlList(repos));
  } else {
    if (repos.length === 0)
      throw new PortolanError('REPO', 'no repositories to show', { hint: 'Add one: portolan repo add NAME URL' });
    const { formatTable } = await import('../table.js');
    io.stdout(
      formatTable(
        ['NAME', 'URL'],
        repos.map((r) => [r.name, r.url]),
      ),
    );
  }
  return 0;
}

async function runUpdate(args: Record<string, unknown>, rest: string[], io: CliIo): Promise<number> {
  const { updateRepositories } = await import('../../repo/client/repos.js');
  const paths = await clientPathsFor(io, {
    repositoryConfig: args['repository-config'] as string | undefined,
    repositoryCache: args['repository-cache'] as string | undefined,
  });
  const results = await updateRepositories(paths, rest);
  if (results.length === 0)
    throw new PortolanError('REPO', 'no repositories found; you must add one before updating', {
      hint: 'portolan repo add NAME URL',
    });
  io.stdout('Hang tight while we grab the latest from your chart repositories...\n');
  let failed = 0;
  for (const r of results) {
    for (const w of r.warnings) warn(io, w);
    if (r.ok) io.stdout(`...Successfully got an update from the "${r.name}" chart repository\n`);
    else {
      failed++;
      io.stderr(
        `...Unable to get an update from the "${r.name}" chart repository:\n\t${r.error?.message ?? 'unknown error'}\n`,
      );
    }
  }
  if (failed > 0) {
    io.stderr(`${colours(io).red('Error:')} ${failed} of ${results.length} repositories failed to update\n`);
    return 1;
  }
  io.stdout('Update Complete.\n');
  return 0;
}

async function runRemove(args: Record<string, unknown>, rest: string[], io: CliIo): Promise<number> {
  if (rest.length === 0) throw new UsageError('repo remove takes one or more NAMEs');
  const { removeRepositories } = await import('../../repo/client/repos.js');
  const paths = await clientPathsFor(io, {
    repositoryConfig: args['repository-config'] as string | undefined,
    repositoryCache: args['repository-cache'] as string | undefined,
  });
  await removeRepositories(paths, rest);
  for (const name of rest) io.stdout(`"${name}" has been removed from your repositories\n`);
  return 0;
}

const action = (
  command: string,
  describe: string,
  builder: CommandModule['builder'],
  run: CommandModule['run'],
  aliases?: string[],
): CommandModule => ({ command, describe, builder, run, aliases });
const list = (value: unknown): string[] => ((value as unknown[] | undefined) ?? []).map(String);

export const repoCommand: CommandModule = {
  command: 'repo',
  describe: 'Chart repositories: index a folder of archives; add, list, update, remove the repositories you use',
  builder: (y) =>
    y
      .example('$0 repo index dist/charts --url https://charts.example.com', 'Write dist/charts/index.yaml')
      .example('$0 repo add team http://127.0.0.1:8879', 'Use a repository'),
  run: async () => 0,
  // Each action a command of its own, with its own help (`portolan repo add --help`), as helm's.
  subcommands: [
    action(
      'index <dir>',
      'Write index.yaml for a folder of chart archives',
      (y) =>
        y
          .positional('dir', { type: 'string', describe: 'Folder of .tgz archives' })
          .option('url', { type: 'string', describe: 'URL of the repository, put before each archive path' })
          .option('merge', { type: 'string', describe: 'Merge the entries of this index into the new one' })
          .option('json', {
            type: 'boolean',
            default: false,
            describe: 'Write index.yaml as JSON (valid YAML, faster to read)',
          })
          .example('$0 repo index dist/charts --url https://charts.example.com', 'Write dist/charts/index.yaml'),
      (args, io) => runIndex(args, [String(args.dir)], io),
    ),
    action(
      'add <name> <url>',
      'Add a chart repository',
      (y) =>
        withRepositoryFlags(
          y
            .positional('name', { type: 'string', describe: 'Name to use for the repository' })
            .positional('url', {
              type: 'string',
              describe: 'Repository URL (user:password@ in it is used as basic auth)',
            })
            .option('username', { type: 'string', describe: 'Repository username' })
            .option('password', { type: 'string', describe: 'Repository password (prefer --password-stdin)' })
            .option('password-stdin', {
              type: 'boolean',
              default: false,
              describe: 'Read the password from standard input',
            })
            .option('pass-credentials', {
              type: 'boolean',
              default: false,
              describe: 'Send credentials to chart URLs on other hosts too',
            })
            .option('force-update', {
              type: 'boolean',
              default: false,
              describe: 'Replace a repository of the same name',
            }),
        ).example('$0 repo add team http://127.0.0.1:8879', 'Use a repository'),
      (args, io) => runAdd(args, [String(args.name), String(args.url)], io),
    ),
    action(
      'list',
      'List the chart repositories',
      (y) =>
        withRepositoryFlags(
          y.option('output', {
            alias: 'o',
            type: 'string',
            choices: ['table', 'json', 'yaml'],
            default: 'table',
            describe: 'Output format',
          }),
        ),
      (args, io) => runList(args, io),
      ['ls'],
    ),
    action(
      'update [names..]',
      'Download the latest index of every repository (or of those named)',
      (y) =>
        withRepositoryFlags(
          y.positional('names', { type: 'string', array: true, describe: 'Repository names (default: all)' }),
        ),
      (args, io) => runUpdate(args, list(args.names), io),
      ['up'],
    ),
    action(
      'remove <names..>',
      'Remove chart repositories',
      (y) =>
        withRepositoryFlags(
          y.positional('names', {
            type: 'string',
            array: true,
            describe: 'Repository names',
            default: undefined,
            defaultDescription: undefined,
          }),
        ),
      (args, io) => runRemove(args, list(args.names), io),
      ['rm'],
    ),
  ],
};
