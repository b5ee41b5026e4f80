// portolan package CHART... : lint, then write reproducible <name>-<version>.tgz archives (-u updates dependencies
// first).
import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PortolanError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { clientPathsFor, registryPathsFor, withRepositoryFlags } from '../chart-ref.js';
import { colours } from '../io.js';

export const packageCommand = defineCommand({
  command: 'package <charts..>',
  describe: 'Lint chart folders and package them into versioned, reproducible .tgz archives',
  builder: (y) =>
    withRepositoryFlags(
      y
        .positional('charts', {
          type: 'string',
          array: true,
          describe: 'Chart folders',
          default: undefined,
          defaultDescription: undefined,
        })
        .option('destination', {
          alias: 'd',
          type: 'string',
          default: '.',
          describe: 'Folder to write the archives to',
        })
        .option('version', { type: 'string', describe: 'Set the chart version (SemVer 2)' })
        .option('app-version', { type: 'string', describe: 'Set the chart appVersion' })
        .option('dependency-update', {
          alias: 'u',
          type: 'boolean',
          default: false,
          describe: 'Run `dependency update` on each chart first (fetches into charts/, writes Chart.lock)',
        })
        .option('for-helm', {
          type: 'boolean',
          default: false,
          describe: 'Write handlebars templates as Go templates in the archive, so helm installs it too',
        }),
    )
      .example('$0 package charts/webapp -d dist/charts', 'Write dist/charts/webapp-1.4.0.tgz')
      .example('$0 package charts/umbrella -u', 'Update the dependencies, then package')
      .example('$0 package charts/webapp --for-helm', 'An archive helm renders as portolan renders the chart'),
  run: async (args, io) => {
    const { packageChartFolder } = await import('../../package.js');
    const { archiveTimeFromEnv } = await import('../../chart/package.js');
    const destination = resolve(io.cwd, args.destination);
    const mtime = archiveTimeFromEnv(io.env);
    const dependencyUpdate = args.dependencyUpdate;
    let remote;
    if (dependencyUpdate) {
      const { createRemoteResolver } = await import('../../repo/client/resolver.js');
      remote = createRemoteResolver(
        await clientPathsFor(io, args),
        // oci:// dependencies: over https, with the stored registry logins.
        { paths: await registryPathsFor(io) },
      );
    }
    const refs = args.charts;
    // Every folder is checked before anything is written.
    for (const ref of refs) {
      const info = await stat(resolve(io.cwd, ref)).catch(() => undefined);
      if (!info?.isDirectory()) {
        throw new PortolanError('CHART_NOT_FOUND', `chart folder "${ref}" not found`, {
          file: ref,
          hint: 'package takes chart folders (with a Chart.yaml).',
        });
      }
    }
    await mkdir(destination, { recursive: true });
    const c = colours(io);
    for (const ref of refs) {
      const result = await packageChartFolder(resolve(io.cwd, ref), ref, {
        destination,
        version: args.version,
        appVersion: args.appVersion,
        mtime,
        dependencyUpdate,
        remote,
        forHelm: args.forHelm,
      });
      for (const dep of result.dependencies?.lock.dependencies ?? [])
        io.stdout(
          `Dependency ${dep.name} ${dep.version}${dep.repository ? ` from ${dep.repository}` : ' (charts/)'}\n`,
        );
      for (const f of result.lint.findings.filter((x) => x.severity === 'warning'))
        io.stderr(
          `${c.yellow('[WARNING]')} ${ref}: ${f.file}${f.line === undefined ? '' : `:${f.line}`}: ${f.message}\n`,
        );
      io.stdout(`Successfully packaged chart and saved it to: ${result.path}\nDigest: sha256:${result.digest}\n`);
    }
    return 0;
  },
});
