// portolan registry login|logout HOST: store or remove a registry login, in Docker's config.json format.
import { resolve } from 'node:path';
import { PortolanError, UsageError } from '../../errors.js';
import type { CommandModule } from '../command.js';
import { registryPathsFor, warnPasswordFlag } from '../chart-ref.js';
import type { CliIo } from '../io.js';

const registryConfigFlag = {
  type: 'string',
  describe: 'Path to the registry logins (default $XDG_CONFIG_HOME/portolan/registry/config.json)',
} as const;

/** `HOST`, `oci://HOST` or `HOST/path` (helm warns and uses the host): the registry's host[:port]. */
async function registryHost(text: string, io: CliIo): Promise<string> {
  const { parseOciReference } = await import('../../oci/reference.js');
  const ref = parseOciReference(text, { allowBare: true });
  if (ref.repository !== '')
    io.stderr(`Warning: registry login is for a whole registry; using ${ref.registry}, not ${text}\n`);
  return ref.registry;
}

async function runLogin(args: Record<string, unknown>, io: CliIo): Promise<number> {
  const host = await registryHost(String(args.host), io);
  const username = args.username as string | undefined;
  let password = args.password as string | undefined;
  if (args['password-stdin']) {
    if (password !== undefined)
      throw new UsageError('--password and --password-stdin are mutually exclusive', { flag: '--password-stdin' });
    password = (await io.readStdin()).replace(/\r?\n$/, '');
  } else if (password !== undefined) warnPasswordFlag(io);
  if (username === undefined || username === '')
    throw new UsageError('registry login needs --username', { flag: '--username' });
  if (password === undefined || password === '')
    throw new UsageError('registry login needs a password: --password-stdin (or --password)', {
      flag: '--password-stdin',
    });
  const paths = await registryPathsFor(io, { registryConfig: args['registry-config'] as string | undefined });
  const { connect } = await import('../../oci/chart.js');
  const { storeCredential } = await import('../../oci/credentials.js');
  const client = await connect(
    { registry: host, repository: '' },
    paths,
    {
      plainHttp: Boolean(args['plain-http']),
      insecure: Boolean(args.insecure),
      caFile: args['ca-file'] === undefined ? undefined : resolve(io.cwd, args['ca-file'] as string),
      username,
      password,
    },
    host,
  );
  try {
    await client.ping();
  } finally {
    client.close();
  }
  await storeCredential(paths, host, { username, password });
  io.stdout('Login Succeeded\n');
  return 0;
}

async function runLogout(args: Record<string, unknown>, io: CliIo): Promise<number> {
  const host = await registryHost(String(args.host), io);
  const paths = await registryPathsFor(io, { registryConfig: args['registry-config'] as string | undefined });
  const { removeCredential } = await import('../../oci/credentials.js');
  if (!(await removeCredential(paths, host)))
    throw new PortolanError('NOT_FOUND', `not logged in to ${host}`, { file: paths.config });
  io.stdout(`Removing login credentials for ${host}\n`);
  return 0;
}

export const registryCommand: CommandModule = {
  command: 'registry',
  describe: 'Log in to or out of an OCI registry',
  builder: (y) => y,
  run: async () => 0,
  subcommands: [
    {
      command: 'login <host>',
      describe: 'Check and store credentials for an OCI registry',
      builder: (y) =>
        y
          .positional('host', { type: 'string', describe: 'Registry host[:port]' })
          .option('username', { alias: 'u', type: 'string', describe: 'Registry username' })
          .option('password', { alias: 'p', type: 'string', describe: 'Registry password (prefer --password-stdin)' })
          .option('password-stdin', {
            type: 'boolean',
            default: false,
            describe: 'Read the password from standard input',
          })
          .option('insecure', { type: 'boolean', default: false, describe: "Do not verify the registry's certificate" })
          .option('plain-http', { type: 'boolean', default: false, describe: 'Talk to the registry over http' })
          .option('ca-file', { type: 'string', describe: 'CA certificates (PEM) to verify the registry with' })
          .option('registry-config', registryConfigFlag)
          .example('echo "$TOKEN" | $0 registry login ghcr.io -u me --password-stdin', 'Log in'),
      run: runLogin,
    },
    {
      command: 'logout <host>',
      describe: 'Remove the stored credentials for an OCI registry',
      builder: (y) =>
        y
          .positional('host', { type: 'string', describe: 'Registry host[:port]' })
          .option('registry-config', registryConfigFlag),
      run: runLogout,
    },
  ],
};
