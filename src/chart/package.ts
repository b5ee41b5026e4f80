// Packaging: a chart folder → `<name>-<version>.tgz`, reproducibly. Entries are sorted, every entry sits under
// `<name>/`, owners are 0, modes fixed (0644), times fixed (SOURCE_DATE_EPOCH, else 1980-01-01), no folder entries,
// and subchart archives under charts/ are stored unpacked. The same chart therefore gives the same bytes.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import semver from 'semver';
import { Header, Pax } from 'tar';
import { PortolanError } from '../errors.js';
import { readChartArchive } from './archive.js';
import { inflateBudget } from './archive-limits.js';
import { parseChartYaml } from './metadata.js';
import type { ChartFile, ChartMetadata } from './types.js';

/** 1980-01-01T00:00:00Z: the default entry time when SOURCE_DATE_EPOCH is not set. */
export const DEFAULT_ARCHIVE_TIME = new Date(Date.UTC(1980, 0, 1));

export interface PackageOptions {
  /** Overrides Chart.yaml's version (SemVer 2). */
  version?: string;
  /** Overrides Chart.yaml's appVersion. */
  appVersion?: string;
  /** The time stamped on every entry. */
  mtime?: Date;
}

export interface PackagedChart {
  metadata: ChartMetadata;
  fileName: string;
  data: Buffer;
  /** Hex sha256 of the archive bytes (what index.yaml calls `digest`). */
  digest: string;
}

/** The entry time from SOURCE_DATE_EPOCH (seconds), or the fixed default. */
export function archiveTimeFromEnv(env: NodeJS.ProcessEnv): Date {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return DEFAULT_ARCHIVE_TIME;
  if (!/^\d+$/.test(raw)) {
    throw new PortolanError('USAGE', `SOURCE_DATE_EPOCH must be whole seconds since 1970, found "${raw}"`, {
      hint: 'e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)',
    });
  }
  return new Date(Number(raw) * 1000);
}

/**
 * The files with --version/--app-version written into Chart.yaml (comments and layout kept). Pure; the files are
 * returned unchanged when neither is given.
 */
export function applyChartOverrides(
  files: ChartFile[],
  source: string,
  options: Pick<PackageOptions, 'version' | 'appVersion'>,
): ChartFile[] {
  if (options.version === undefined && options.appVersion === undefined) return files;
  const chartYaml = files.find((f) => f.name === 'Chart.yaml');
  if (!chartYaml)
    throw new PortolanError('CHART_INVALID', `${source}: Chart.yaml is missing; this is not a chart`, { file: source });
  let chartText = chartYaml.data.toString('utf8');
  if (options.version !== undefined) {
    if (!semver.valid(options.version)) {
      throw new PortolanError('USAGE', `--version "${options.version}" is not a valid SemVer 2 version`, {
        flag: '--version',
        hint: 'e.g. --version 1.2.3',
      });
    }
    chartText = setTopLevelField(chartText, 'version', options.version);
  }
  if (options.appVersion !== undefined) chartText = setTopLevelField(chartText, 'appVersion', options.appVersion);
  return files.map((f) => (f === chartYaml ? { name: f.name, data: Buffer.from(chartText) } : f));
}

/** Builds the archive from a chart folder's files (chart-relative paths, .helmignore already applied). Pure. */
export function packageChartFiles(files: ChartFile[], source: string, options: PackageOptions = {}): PackagedChart {
  const overridden = applyChartOverrides(files, source, options);
  const chartYaml = overridden.find((f) => f.name === 'Chart.yaml');
  if (!chartYaml)
    throw new PortolanError('CHART_INVALID', `${source}: Chart.yaml is missing; this is not a chart`, { file: source });
  const metadata = parseChartYaml(chartYaml.data.toString('utf8'), `${source}/Chart.yaml`);

  const entries = new Map<string, Buffer>();
  const budget = inflateBudget();
  for (const file of overridden) {
    if (/^charts\/[^/]+\.(tgz|tar\.gz)$/.test(file.name)) {
      // Subchart archives are stored unpacked under charts/<their top folder>/.
      const { topFolder, files: inner } = readChartArchive(file.data, `${source}/${file.name}`, budget);
      for (const f of inner) entries.set(`charts/${topFolder}/${f.name}`, f.data);
    } else entries.set(file.name, file.data);
  }
  const data = buildTgz(metadata.name, entries, options.mtime ?? DEFAULT_ARCHIVE_TIME);
  return {
    metadata,
    fileName: `${metadata.name}-${metadata.version}.tgz`,
    data,
    digest: createHash('sha256').update(data).digest('hex'),
  };
}

/** Replaces `field: …` at the top level of a YAML text, keeping comments and layout; appends it when absent. */
function setTopLevelField(text: string, field: string, value: string): string {
  const line = `${field}: ${JSON.stringify(value)}`;
  const pattern = new RegExp(`^${field}:.*$`, 'm');
  return pattern.test(text) ? text.replace(pattern, line) : `${text.replace(/\n?$/, '\n')}${line}\n`;
}

function buildTgz(top: string, entries: Map<string, Buffer>, mtime: Date): Buffer {
  const blocks: Buffer[] = [];
  const names = [...entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const data = entries.get(name) as Buffer;
    const path = `${top}/${name}`;
    const fields = {
      path,
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: data.length,
      mtime,
      type: 'File' as const,
      uname: '',
      gname: '',
    };
    const header = new Header(fields);
    const block = Buffer.alloc(512);
    if (header.encode(block)) blocks.push(new Pax({ path, mtime }).encode());
    blocks.push(block, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
