// The repository commands run in-process through runCli (the same parser and output as the binary), against an
// in-process server: output formats, exit codes and messages.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { parseSize } from '../../src/cli/commands/serve.js';
import { type RepoServer, startRepoServer } from '../../src/repo/server/server.js';
import { bearer, chartArchive, http, tempDir } from './helpers.js';

let server: RepoServer;
const home = tempDir('portolan-cmd-home-');
const env = { XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), NO_COLOR: '1' };

async function cli(
  args: string[],
  options: { stdin?: string; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => options.stdin ?? '',
    isTTY: false,
    env,
    cwd: options.cwd ?? home,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  server = await startRepoServer({ dir: tempDir(), port: 0, authToken: 'cmd-token', private: true });
  const long = 'A chart whose description is much longer than the fifty characters a table column shows';
  for (const [name, version, description] of [
    ['alpha', '1.0.0', long],
    ['alpha', '1.1.0', long],
    ['beta', '0.2.0-rc.1', 'Only a prerelease'],
  ] as const) {
    expect(
      (
        await http(`${server.url}/api/charts`, {
          method: 'POST',
          body: chartArchive(name, version, { description, appVersion: '9.9' }).data,
          headers: bearer('cmd-token'),
        })
      ).status,
    ).toBe(201);
  }
});
afterAll(() => server.stop());

describe('repo commands', () => {
  it('add with --password-stdin, list in three formats, update, remove', async () => {
    const refused = await cli(['repo', 'add', 'priv', server.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/401/);
    expect(refused.stderr).toMatch(/hint: The repository needs credentials/);
    const added = await cli(['repo', 'add', 'priv', server.url, '--username', 'ci', '--password-stdin'], {
      stdin: 'cmd-token\n',
    });
    expect(added).toMatchObject({ code: 0, stdout: '"priv" has been added to your repositories\n' });
    expect(readFileSync(join(home, 'config', 'portolan', 'repositories.yaml'), 'utf8')).toMatch(
      /password: cmd-token\n/,
    );

    expect((await cli(['repo', 'list'])).stdout).toBe(`NAME\tURL\npriv\t${server.url}\n`);
    expect((await cli(['repo', 'ls', '-o', 'json'])).stdout).toBe(`[{"name":"priv","url":"${server.url}"}]\n`);
    // helm 4.1.4 writes the URL plain: a colon that no space follows needs no quotes.
    expect((await cli(['repo', 'list', '-o', 'yaml'])).stdout).toBe(`- name: priv\n  url: ${server.url}\n`);

    const update = await cli(['repo', 'update']);
    expect(update.code).toBe(0);
    expect(update.stdout).toContain('...Successfully got an update from the "priv" chart repository\n');
    expect((await cli(['repo', 'update', 'nope'])).stderr).toMatch(/no repositories found matching "nope"/);
    expect((await cli(['repo', 'add', 'x'])).code).toBe(2);
    expect((await cli(['repo', 'add', 'x', server.url, '--password', 'p', '--password-stdin'])).code).toBe(2);
  });

  it('search repo prints Helm-like tables (cut at --max-col-width), json, yaml, and "No results found"', async () => {
    const table = await cli(['search', 'repo', 'chart']);
    expect(table.stdout).toBe(
      'NAME      \tCHART VERSION\tAPP VERSION\tDESCRIPTION\npriv/alpha\t1.1.0        \t9.9        \tA chart whose description is much longer than t...\n',
    );
    const wide = await cli(['search', 'repo', 'alpha', '--max-col-width', '0', '--versions', '-o', 'json']);
    expect(JSON.parse(wide.stdout)).toEqual([
      {
        name: 'priv/alpha',
        version: '1.1.0',
        app_version: '9.9',
        description: expect.stringMatching(/table column shows$/),
      },
      {
        name: 'priv/alpha',
        version: '1.0.0',
        app_version: '9.9',
        description: expect.stringMatching(/table column shows$/),
      },
    ]);
    expect((await cli(['search', 'repo', 'beta', '-o', 'yaml'])).stdout).toBe('[]\n');
    expect((await cli(['search', 'repo', 'beta', '--devel', '-o', 'yaml'])).stdout).toBe(
      '- app_version: "9.9"\n  description: Only a prerelease\n  name: priv/beta\n  version: 0.2.0-rc.1\n',
    );
    expect((await cli(['search', 'repo', 'zzz'])).stdout).toBe('No results found\n');
    expect((await cli(['search', 'hub', 'x'])).code).toBe(2);
    expect((await cli(['search', 'repo', '--version', '>>1'])).stderr).toMatch(/">>1" is not a valid version range/);
  });

  it('pull writes the archive, unpacks with --untar, and refuses to unpack over an existing folder', async () => {
    const dest = tempDir();
    const pulled = await cli(['pull', 'priv/alpha', '--version', '1.0.0', '-d', dest]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const served = await http(`${server.url}/charts/alpha-1.0.0.tgz`, { headers: bearer('cmd-token') });
    expect(readFileSync(join(dest, 'alpha-1.0.0.tgz')).equals(served.body)).toBe(true);
    expect((await cli(['pull', 'priv/alpha', '--untar', '-d', dest])).code).toBe(0);
    expect(readFileSync(join(dest, 'alpha', 'values.yaml'), 'utf8')).toBe('greeting: hello\n');
    const again = await cli(['pull', 'priv/alpha', '--untar', '-d', dest]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    const missing = await cli(['pull', 'priv/nothing', '-d', dest]);
    expect(missing.stderr).toMatch(/chart "nothing" not found in repository "priv"/);
    expect((await cli(['pull', 'unknown/alpha'])).stderr).toMatch(/repository "unknown" is not configured/);
  });

  it('repo index reports skipped archives as warnings and still writes the index', async () => {
    const dir = tempDir();
    const good = chartArchive('good', '1.0.0');
    writeFileSync(join(dir, good.fileName), good.data);
    writeFileSync(join(dir, 'bad-1.0.0.tgz'), 'junk');
    const result = await cli(['repo', 'index', dir]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^Warning: bad-1\.0\.0\.tgz: skipped: .*not a gzip/);
    expect(readFileSync(join(dir, 'index.yaml'), 'utf8')).toContain('  good:\n  - apiVersion: v2\n');
    expect((await cli(['repo', 'index', join(dir, 'nope')])).stderr).toMatch(/is not a folder/);
  });

  it('remove drops the repository and its cached index', async () => {
    await cli(['repo', 'add', 'gone', server.url, '--username', 'u', '--password', 'cmd-token']);
    const cached = join(home, 'cache', 'portolan', 'repository', 'gone-index.yaml');
    expect(existsSync(cached)).toBe(true);
    expect((await cli(['repo', 'remove', 'gone'])).stdout).toBe('"gone" has been removed from your repositories\n');
    expect(existsSync(cached)).toBe(false);
    expect((await cli(['repo', 'rm', 'gone'])).code).toBe(1);
  });
});

describe('serve flags', () => {
  it('parses sizes in bytes and binary units', () => {
    expect(parseSize('20MiB')).toBe(20 * 1024 * 1024);
    expect(parseSize('512k')).toBe(512 * 1024);
    expect(parseSize('1048576')).toBe(1048576);
    expect(parseSize('1.5G')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('lots')).toBeUndefined();
  });
});
