// portolan registry login|logout HOST: store or remove a registry login, in Docker's config.json format.
import { PortolanError, UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { registryConnection, registryPathsFor, warnPasswordFlag } from '../chart-ref.js';
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

interface LoginFlags {
  host: string;
  username?: string;
  password?: string;
  passwordStdin: boolean;
  insecure: boolean;
  plainHttp: boolean;
  caFile?: string;
  registryConfig?: string;
}

async function runLogin(args: LoginFlags, io: CliIo): Promise<number> {
  const host = await registryHost(args.host, io);
  const username = args.username;
  let password = args.password;
  if (args.passwordStdin) {
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
  const paths = await registryPathsFor(io, { registryConfig: args.registryConfig });
  const { connect } = await import('../../oci/chart.js');
  const { storeCredential } = await import('../../oci/credentials.js');
  const client = await connect(
    { registry: host, repository: '' },
    paths,
    {
      ...registryConnection(io, args),
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

async function runLogout(args: { host: string; registryConfig?: string }, io: CliIo): Promise<number> {
  const host = await registryHost(args.host, io);
  const paths = await registryPathsFor(io, { registryConfig: args.registryConfig });
  const { removeCredential } = await import('../../oci/credentials.js');
  if (!(await removeCredential(paths, host)))
    throw new PortolanError('NOT_FOUND', `not logged in to ${host}`, { file: paths.config });
  io.stdout(`Removing login credentials for ${host}\n`);
  return 0;
}

export const registryCommand = defineCommand({
  command: 'registry',
  describe: 'Log in to or out of an OCI registry',
  builder: (y) => y,
  run: async () => 0,
  subcommands: [
    defineCommand({
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
    }),
    defineCommand({
      command: 'logout <host>',
      describe: 'Remove the stored credentials for an OCI registry',
      builder: (y) =>
        y
          .positional('host', { type: 'string', describe: 'Registry host[:port]' })
          .option('registry-config', registryConfigFlag),
      run: runLogout,
    }),
  ],
});
