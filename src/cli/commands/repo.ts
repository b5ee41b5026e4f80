// portolan repo index|add|list|update|remove: make a repository index, and manage the repositories the client knows.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PortolanError, UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { clientPathsFor, warnPasswordFlag, withRepositoryFlags } from '../chart-ref.js';
import { withOutputFlag } from '../flags.js';
import { colours, type CliIo } from '../io.js';

function warn(io: CliIo, message: string): void {
  io.stderr(`${colours(io).yellow('Warning:')} ${message}\n`);
}

async function runIndex(
  args: { dir: string; url?: string; merge?: string; json: boolean },
  io: CliIo,
): Promise<number> {
  const dir = resolve(io.cwd, args.dir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new PortolanError('IO', `${args.dir} is not a folder`, { file: dir });
  const { indexDirectory, writeIndexFile } = await import('../../repo/index-dir.js');
  const { parseIndex, emptyIndex, countEntries } = await import('../../repo/index-model.js');
  let merge;
  const mergePath = args.merge;
  if (mergePath !== undefined) {
    const path = resolve(io.cwd, mergePath);
    const text = await readFile(path).catch(() => undefined);
    // As Helm: merging into a file that does not exist merges into an empty index.
    const parsed = text === undefined ? { index: emptyIndex(), warnings: [] } : parseIndex(text, mergePath);
    for (const w of parsed.warnings) warn(io, w);
    merge = parsed.index;
  }
  const result = await indexDirectory(dir, { url: args.url, merge });
  for (const w of result.warnings) warn(io, w);
  const target = await writeIndexFile(dir, result, { json: args.json });
  io.stdout(
    `Wrote ${target}: ${Object.keys(result.index.entries).length} charts, ${countEntries(result.index)} versions (${result.read} archives read, ${result.reused} unchanged)\n`,
  );
  return 0;
}

async function readPassword(
  args: { password?: string; passwordStdin: boolean },
  io: CliIo,
): Promise<string | undefined> {
  if (args.passwordStdin) {
    if (args.password !== undefined)
      throw new UsageError('--password and --password-stdin are mutually exclusive', { flag: '--password-stdin' });
    return (await io.readStdin()).replace(/\r?\n$/, '');
  }
  if (args.password !== undefined) warnPasswordFlag(io);
  return args.password;
}

const index = defineCommand({
  command: 'index <dir>',
  describe: 'Write index.yaml for a folder of chart archives',
  builder: (y) =>
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
  run: (args, io) => runIndex(args, io),
});

const add = defineCommand({
  command: 'add <name> <url>',
  describe: 'Add a chart repository',
  builder: (y) =>
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
  run: async (args, io) => {
    const { name, url, username } = args;
    const password = await readPassword(args, io);
    if (password !== undefined && username === undefined)
      throw new UsageError('a password needs --username', { flag: '--username' });
    const { addRepository } = await import('../../repo/client/repos.js');
    const paths = await clientPathsFor(io, args);
    const { outcome, warnings } = await addRepository(paths, {
      name,
      url,
      username,
      password,
      passCredentialsAll: args.passCredentials,
      forceUpdate: args.forceUpdate,
    });
    for (const w of warnings) warn(io, w);
    io.stdout(
      outcome === 'unchanged'
        ? `"${name}" already exists with the same configuration, skipping\n`
        : `"${name}" has been ${outcome === 'replaced' ? 'updated' : 'added to your repositories'}\n`,
    );
    return 0;
  },
});

const list = defineCommand({
  command: 'list',
  aliases: ['ls'],
  describe: 'List the chart repositories',
  builder: (y) => withRepositoryFlags(withOutputFlag(y)),
  run: async (args, io) => {
    const { listRepositories } = await import('../../repo/client/repos.js');
    const { redactUrl } = await import('../../repo/client/http.js');
    const paths = await clientPathsFor(io, { repositoryConfig: args.repositoryConfig });
    // A URL written with its password (as helm stores `repo add http://user:pw@host`) is shown without it.
    const repos = (await listRepositories(paths)).map((r) => ({ name: r.name, url: redactUrl(r.url) }));
    if (args.output === 'json') io.stdout(`${JSON.stringify(repos)}\n`);
    else if (args.output === 'yaml') {
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
  },
});

const update = defineCommand({
  command: 'update [names..]',
  aliases: ['up'],
  describe: 'Download the latest index of every repository (or of those named)',
  builder: (y) =>
    withRepositoryFlags(
      y.positional('names', { type: 'string', array: true, describe: 'Repository names (default: all)' }),
    ),
  run: async (args, io) => {
    const { updateRepositories } = await import('../../repo/client/repos.js');
    const paths = await clientPathsFor(io, args);
    const results = await updateRepositories(paths, args.names ?? []);
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
  },
});

const remove = defineCommand({
  command: 'remove <names..>',
  aliases: ['rm'],
  describe: 'Remove chart repositories',
  builder: (y) =>
    withRepositoryFlags(
      y.positional('names', {
        type: 'string',
        array: true,
        describe: 'Repository names',
        default: undefined,
        defaultDescription: undefined,
      }),
    ),
  run: async (args, io) => {
    const names = args.names;
    if (names.length === 0) throw new UsageError('repo remove takes one or more NAMEs');
    const { removeRepositories } = await import('../../repo/client/repos.js');
    await removeRepositories(await clientPathsFor(io, args), names);
    for (const name of names) io.stdout(`"${name}" has been removed from your repositories\n`);
    return 0;
  },
});

export const repoCommand = defineCommand({
  command: 'repo',
  describe: 'Chart repositories: index a folder of archives; add, list, update, remove the repositories you use',
  builder: (y) =>
    y
      .example('$0 repo index dist/charts --url https://charts.example.com', 'Write dist/charts/index.yaml')
      .example('$0 repo add team http://127.0.0.1:8879', 'Use a repository'),
  run: async () => 0,
  // Each action a command of its own, with its own help (`portolan repo add --help`), as helm's.
  subcommands: [index, add, list, update, remove],
});
