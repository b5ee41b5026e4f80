// portolan repo index|add|list|update|remove: make a repository index, and manage the repositories the client knows.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PortolanError, UsageError } from '../../errors.js';
import type { CommandModule } from '../command.js';
import { clientPathsFor, warnPasswordFlag, withRepositoryFlags } from '../chart-ref.js';
import { colours, type CliIo } from '../io.js';

const ACTIONS = ['index', 'add', 'list', 'ls', 'update', 'up', 'remove', 'rm'] as const;
type Action = (typeof ACTIONS)[number];

function warn(io: CliIo, message: string): void {
  io.stderr(`${colours(io).yellow('Warning:')} ${message}\n`);
}

async function runIndex(args: Record<string, unknown>, rest: string[], io: CliIo): Promise<number> {
  if (rest.length !== 1) throw new UsageError('repo index takes one folder: portolan repo index DIR [--url URL] [--merge FILE]');
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
  io.stdout(`Wrote ${target}: ${Object.keys(result.index.entries).length} charts, ${countEntries(result.index)} versions (${result.read} archives read, ${result.reused} unchanged)\n`);
  return 0;
}

async function readPassword(args: Record<string, unknown>, io: CliIo): Promise<string | undefined> {
  if (args['password-stdin']) {
    if (args.password !== undefined) throw new UsageError('--password and --password-stdin are mutually exclusive', { flag: '--password-stdin' });
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
  if (password !== undefined && username === undefined) throw new UsageError('a password needs --username', { flag: '--username' });
  const { addRepository } = await import('../../repo/client/repos.js');
  const paths = await clientPathsFor(io, { repositoryConfig: args['repository-config'] as string | undefined, repositoryCache: args['repository-cache'] as string | undefined });
  const { outcome, warnings } = await addRepository(paths, { name, url, username, password, passCredentialsAll: Boolean(args['pass-credentials']), forceUpdate: Boolean(args['force-update']) });
  for (const w of warnings) warn(io, w);
  io.stdout(outcome === 'unchanged' ? `"${name}" already exists with the same configuration, skipping\n` : `"${name}" has been ${outcome === 'replaced' ? 'updated' : 'added to your repositories'}\n`);
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
    if (repos.length === 0) throw new PortolanError('REPO', 'no repositories to show', { hint: 'Add one: portolan repo add NAME URL' });
    const { formatTable } = await import('../table.js');
    io.stdout(formatTable(['NAME', 'URL'], repos.map((r) => [r.name, r.url])));
  }
  return 0;
}

async function runUpdate(args: Record<string, unknown>, rest: string[], io: CliIo): Promise<number> {
  const { updateRepositories } = await import('../../repo/client/repos.js');
  const paths = await clientPathsFor(io, { repositoryConfig: args['repository-config'] as string | undefined, repositoryCache: args['repository-cache'] as string | undefined });
  const results = await updateRepositories(paths, rest);
  if (results.length === 0) throw new PortolanError('REPO', 'no repositories found; you must add one before updating', { hint: 'portolan repo add NAME URL' });
  io.stdout('Hang tight while we grab the latest from your chart repositories...\n');
  let failed = 0;
  for (const r of results) {
    for (const w of r.warnings) warn(io, w);
    if (r.ok) io.stdout(`...Successfully got an update from the "${r.name}" chart repository\n`);
    else {
      failed++;
      io.stderr(`...Unable to get an update from the "${r.name}" chart repository:\n\t${r.error?.message ?? 'unknown error'}\n`);
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
  const paths = await clientPathsFor(io, { repositoryConfig: args['repository-config'] as string | undefined, repositoryCache: args['repository-cache'] as string | undefined });
  await removeRepositories(paths, rest);
  for (const name of rest) io.stdout(`"${name}" has been removed from your repositories\n`);
  return 0;
}

export const repoCommand: CommandModule = {
  command: 'repo <action> [args..]',
  describe: 'Chart repositories: index a folder of archives; add, list, update, remove the repositories you use',
  builder: (y) =>
    withRepositoryFlags(
      y
        .positional('action', { type: 'string', choices: [...ACTIONS], describe: 'index DIR | add NAME URL | list | update [NAME...] | remove NAME...' })
        .positional('args', { type: 'string', array: true, describe: 'Arguments of the action' })
        .option('url', { type: 'string', describe: 'index: URL of the repository, put before each archive path' })
        .option('merge', { type: 'string', describe: 'index: merge the entries of this index into the new one' })
        .option('json', { type: 'boolean', default: false, describe: 'index: write index.yaml as JSON (valid YAML, faster to read)' })
        .option('username', { type: 'string', describe: 'add: repository username' })
        .option('password', { type: 'string', describe: 'add: repository password (prefer --password-stdin)' })
        .option('password-stdin', { type: 'boolean', default: false, describe: 'add: read the password from standard input' })
        .option('pass-credentials', { type: 'boolean', default: false, describe: 'add: send credentials to chart URLs on other hosts too' })
        .option('force-update', { type: 'boolean', default: false, describe: 'add: replace a repository of the same name' })
        .option('output', { alias: 'o', type: 'string', choices: ['table', 'json', 'yaml'], default: 'table', describe: 'list: output format' }),
    )
      .example('$0 repo index dist/charts --url https://charts.example.com', 'Write dist/charts/index.yaml')
      .example('$0 repo add team http://127.0.0.1:8879', 'Use a repository'),
  run: async (args, io) => {
    const action = args.action as Action;
    const rest = ((args.args as unknown[] | undefined) ?? []).map(String);
    switch (action) {
      case 'index':
        return runIndex(args, rest, io);
      case 'add':
        return runAdd(args, rest, io);
      case 'list':
      case 'ls':
        if (rest.length > 0) throw new UsageError('repo list takes no arguments');
        return runList(args, io);
      case 'update':
      case 'up':
        return runUpdate(args, rest, io);
      case 'remove':
      case 'rm':
        return runRemove(args, rest, io);
    }
  },
};
