// `dependency update` and `dependency build` on a chart folder: the I/O edge of dependency management.
// file:// dependencies are packaged from their folders into charts/; charts/<name>/ folders are used as they are;
// dependencies from chart repositories go through a resolver supplied by the repository client.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { PortolanError } from '../errors.js';
import { formatLock, isLockInSync, lockDigest, checkRange } from './dependencies.js';
import { loadChart, loadChartArchive, readChartFolder } from './load.js';
import { packageChartFiles } from './package.js';
import type { Chart, ChartDependency, ChartLock } from './types.js';
import { satisfiesRange } from './version-range.js';

/** Fetches a chart from a repository: given the requested dependency (and, for build, the locked version). */
export interface RemoteResolver {
  resolve(dep: ChartDependency, lockedVersion?: string): Promise<{ version: string; archive: Buffer }>;
}

export interface DependencyRunResult {
  lock: ChartLock;
  /** Archives written under charts/, by file name. */
  written: string[];
}

interface Resolved {
  locked: { name: string; version: string; repository: string };
  archive?: { fileName: string; data: Buffer };
}

async function resolveOne(
  chartDir: string,
  dep: ChartDependency,
  remote: RemoteResolver | undefined,
  lockedVersion?: string,
): Promise<Resolved> {
  checkRange(dep);
  const repository = dep.repository ?? '';
  if (repository === '') {
    // A chart kept unpacked in charts/<name>: nothing to fetch; Helm locks the requested range as the version.
    await loadChart(join(chartDir, 'charts', dep.name)).catch(() => {
      throw new PortolanError(
        'DEPENDENCY',
        `dependency "${dep.name}" has no repository and charts/${dep.name} is not a chart`,
        {
          file: join(chartDir, 'Chart.yaml'),
          hint: `Add a repository (file://, https://, @repo) or put the chart in charts/${dep.name}/.`,
        },
      );
    });
    return { locked: { name: dep.name, version: dep.version ?? '', repository: '' } };
  }
  if (repository.startsWith('file://')) {
    const path = repository.slice('file://'.length);
    const folder = isAbsolute(path) ? path : resolve(chartDir, path);
    const files = await readChartFolder(folder).catch(() => {
      throw new PortolanError('DEPENDENCY', `dependency "${dep.name}": ${repository} is not a chart folder`, {
        file: folder,
      });
    });
    const packaged = packageChartFiles(files, folder);
    const version = packaged.metadata.version;
    const wanted = lockedVersion ?? dep.version;
    if (lockedVersion !== undefined ? version !== lockedVersion : !satisfiesRange(version, dep.version)) {
      throw new PortolanError(
        'DEPENDENCY',
        `dependency "${dep.name}": ${repository} holds version ${version}, which does not match ${lockedVersion ? 'the locked version' : 'the range'} "${wanted}"`,
        {
          hint: lockedVersion
            ? 'Run `portolan dependency update` to lock the version that is there now.'
            : 'Change the range in Chart.yaml or the version of that chart.',
        },
      );
    }
    if (packaged.metadata.name !== dep.name) {
      throw new PortolanError(
        'DEPENDENCY',
        `dependency "${dep.name}": ${repository} holds a chart named "${packaged.metadata.name}"`,
        {},
      );
    }
    return {
      locked: { name: dep.name, version, repository },
      archive: { fileName: packaged.fileName, data: packaged.data },
    };
  }
  if (!remote) {
    throw new PortolanError(
      'DEPENDENCY',
      `dependency "${dep.name}" comes from the repository ${repository}, and no repository client is configured`,
      {
        hint: 'Use a file:// dependency or a chart folder under charts/.',
      },
    );
  }
  const fetched = await remote.resolve(dep, lockedVersion);
  return {
    locked: { name: dep.name, version: fetched.version, repository },
    archive: { fileName: `${dep.name}-${fetched.version}.tgz`, data: fetched.archive },
  };
}

async function readChartYamlDependencies(chartDir: string): Promise<{ chart: Chart; requested: ChartDependency[] }> {
  const chart = await loadChart(chartDir);
  return { chart, requested: chart.metadata.dependencies ?? [] };
}

async function writeArchives(chartDir: string, resolved: Resolved[]): Promise<string[]> {
  const chartsDir = join(chartDir, 'charts');
  await mkdir(chartsDir, { recursive: true });
  const written: string[] = [];
  const keep = new Set(resolved.flatMap((r) => (r.archive ? [r.archive.fileName] : [])));
  const names = new Set(resolved.filter((r) => r.archive).map((r) => r.locked.name));
  // Drop other versions of the dependencies we are writing (an old archive would be loaded as a second copy).
  for (const entry of await readdir(chartsDir)) {
    if (!entry.endsWith('.tgz') || keep.has(entry)) continue;
    try {
      const existing = loadChartArchive(await readFile(join(chartsDir, entry)), entry);
      if (names.has(existing.metadata.name)) await rm(join(chartsDir, entry));
    } catch {
      // not a chart archive: not ours to remove
    }
  }
  for (const r of resolved) {
    // Two aliases of one chart share one archive.
    if (!r.archive || written.includes(r.archive.fileName)) continue;
    const target = join(chartsDir, r.archive.fileName);
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, r.archive.data);
    await rename(temp, target);
    written.push(r.archive.fileName);
  }
  return written;
}

async function writeLock(chartDir: string, lock: ChartLock): Promise<void> {
  const target = join(chartDir, 'Chart.lock');
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, formatLock(lock));
  await rename(temp, target);
}

/** Resolves every dependency to the newest matching version, writes charts/ and a new Chart.lock. */
export async function updateDependencies(
  chartDir: string,
  options: { remote?: RemoteResolver; now?: Date } = {},
): Promise<DependencyRunResult> {
  const { requested } = await readChartYamlDependencies(chartDir);
  const resolved: Resolved[] = [];
  for (const dep of requested) resolved.push(await resolveOne(chartDir, dep, options.remote));
  const locked = resolved.map((r) => r.locked);
  const lock: ChartLock = {
    generated: (options.now ?? new Date()).toISOString(),
    digest: lockDigest(requested, locked),
    dependencies: locked,
  };
  const written = await writeArchives(chartDir, resolved);
  await writeLock(chartDir, lock);
  return { lock, written };
}

/** Rebuilds charts/ from Chart.lock; refuses a lock that is out of sync with Chart.yaml. Without a lock: update. */
export async function buildDependencies(
  chartDir: string,
  options: { remote?: RemoteResolver; now?: Date } = {},
): Promise<DependencyRunResult> {
  const { chart, requested } = await readChartYamlDependencies(chartDir);
  const lock = chart.lock;
  if (!lock) return updateDependencies(chartDir, options);
  if (!isLockInSync(requested, lock)) {
    throw new PortolanError(
      'DEPENDENCY',
      `${join(chartDir, 'Chart.lock')} is out of sync with the dependencies in Chart.yaml`,
      {
        file: join(chartDir, 'Chart.lock'),
        hint: 'Run `portolan dependency update` to resolve the dependencies again and write a new lock.',
      },
    );
  }
  const resolved: Resolved[] = [];
  for (const [index, dep] of requested.entries()) {
    const locked = lock.dependencies[index];
    resolved.push(
      await resolveOne(chartDir, dep, options.remote, locked?.repository === '' ? undefined : locked?.version),
    );
  }
  return { lock, written: await writeArchives(chartDir, resolved) };
}
