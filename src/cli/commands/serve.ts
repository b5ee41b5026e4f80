// portolan serve: run a chart repository server (Helm's read protocol plus ChartMuseum's upload API) on a folder.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PortolanError, UsageError, messageOf } from '../../errors.js';
import { defineCommand } from '../command.js';
import { colours } from '../io.js';
import { letYoungGenerationGrow } from '../young-generation.js';

/** Parses 20971520, 20MiB, 20M, 512KiB, 1GiB (binary units). */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 'b').toLowerCase()[0] as 'b' | 'k' | 'm' | 'g';
  const factor = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit];
  return Math.floor(Number(match[1]) * factor);
}

async function readSecretFile(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new PortolanError('USAGE', `cannot read ${path}: ${messageOf(error)}`, { flag, file: path });
  }
}

export const serveCommand = defineCommand({
  command: 'serve',
  describe:
    'Serve a folder of chart archives as a chart repository (index.yaml, downloads, upload API) and as an OCI registry (/v2/)',
  builder: (y) =>
    y
      .option('dir', { type: 'string', default: '.', describe: 'Folder of chart archives (created if missing)' })
      .option('port', { type: 'number', default: 8879, describe: 'Port to listen on (0 picks a free one)' })
      .option('address', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'Address to listen on (0.0.0.0 for every interface)',
      })
      .option('auth-token-file', {
        type: 'string',
        describe: 'File of bearer tokens (one per line) allowed to upload and delete',
      })
      .option('htpasswd', { type: 'string', describe: 'htpasswd file of bcrypt hashes (htpasswd -B) for basic auth' })
      .option('private', { type: 'boolean', default: false, describe: 'Reads need credentials too' })
      .option('allow-overwrite', {
        type: 'boolean',
        default: false,
        describe: 'Let uploads with ?force replace an existing version',
      })
      .option('allow-anonymous-writes', {
        type: 'boolean',
        default: false,
        describe: 'Accept uploads and deletes without credentials (trusted networks only)',
      })
      .option('max-upload-size', {
        type: 'string',
        default: '20MiB',
        describe: 'Largest accepted upload (bytes, or with KiB/MiB/GiB)',
      })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No access log' })
      .example(
        '$0 serve --dir charts --auth-token-file token.txt',
        'Serve ./charts on http://127.0.0.1:8879; uploads need the token',
      ),
  run: async (args, io) => {
    const { startRepoServer } = await import('../../repo/server/server.js');
    const { parseHtpasswd, parseTokenFile } = await import('../../repo/server/auth.js');
    const maxUploadSize = parseSize(args.maxUploadSize);
    if (maxUploadSize === undefined || maxUploadSize <= 0)
      throw new UsageError(`--max-upload-size "${args.maxUploadSize}" is not a size`, {
        flag: '--max-upload-size',
        hint: 'e.g. 20MiB or 1048576',
      });
    const port = args.port;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port ${port} is not a port number`, { flag: '--port' });
    const tokenFile = args.authTokenFile;
    const htpasswdFile = args.htpasswd;
    const authToken =
      tokenFile === undefined
        ? undefined
        : parseTokenFile(await readSecretFile(resolve(io.cwd, tokenFile), '--auth-token-file'), tokenFile);
    const htpasswd =
      htpasswdFile === undefined
        ? undefined
        : parseHtpasswd(await readSecretFile(resolve(io.cwd, htpasswdFile), '--htpasswd'), htpasswdFile);
    const dir = resolve(io.cwd, args.dir);
    const quiet = args.quiet;
    const server = await startRepoServer({
      dir,
      port,
      address: args.address,
      authToken,
      htpasswd,
      private: args.private,
      allowOverwrite: args.allowOverwrite,
      allowAnonymousWrites: args.allowAnonymousWrites,
      maxUploadSize,
      log: quiet ? undefined : (line) => io.stdout(`${line}\n`),
    });
    letYoungGenerationGrow();
    const report = server.startReport;
    for (const w of report.warnings) io.stderr(`${colours(io).yellow('Warning:')} ${w}\n`);
    if (report.repaired && !(report.archives === 0 && report.repaired.includes('missing')))
      io.stderr(`${colours(io).yellow('Warning:')} ${report.repaired}; rebuilt it from ${report.archives} archives\n`);
    if (!authToken && !htpasswd && !args.allowAnonymousWrites)
      io.stderr('Uploads are disabled: start with --auth-token-file or --htpasswd to accept them.\n');
    io.stdout(`Serving ${dir} (${report.archives} chart versions) at ${server.url}\n`);
    await new Promise<void>((done) => {
      const stop = (signal: string) => {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        io.stderr(`${signal}: finishing requests in flight and stopping\n`);
        server.stop().then(done, (error: unknown) => {
          io.stderr(`${colours(io).red('Error:')} ${messageOf(error)}\n`);
          done();
        });
      };
      const onTerm = () => stop('SIGTERM');
      const onInt = () => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
    return 0;
  },
});
