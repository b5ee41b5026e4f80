// Loading charts: from a folder or an archive on disk (the I/O edge), and from a list of files (pure, like
// Helm's loader.LoadFiles). Subcharts under charts/ may be folders or archives.
import { readFileSync, readdirSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PortolanError } from '../errors.js';
import { readChartArchive } from './archive.js';
import { type InflateBudget, inflateBudget } from './archive-limits.js';
import { isIgnored, parseHelmignore } from './helmignore.js';
import { parseValuesYaml } from '../values/yaml.js';
import { preloadSchemaValidator } from '../values/schema.js';
import { chartMetadataFromFiles, decodeChartYaml, parseYamlDocument } from './metadata.js';
import type { Chart, ChartFile, ChartLock } from './types.js';

/** Loads a chart from a folder or a `.tgz` path. */
export async function loadChart(path: string): Promise<Chart> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new PortolanError('CHART_NOT_FOUND', `chart "${path}" not found: no such folder or archive`, {
      file: path,
      hint: 'Give a chart folder (with a Chart.yaml) or a .tgz archive.',
    });
  }
  const chart = info.isDirectory()
    ? loadChartFiles(await readChartFolder(path), path)
    : loadChartArchive(await readFile(path), path);
  // Values are validated synchronously later: the validator is loaded now, and only for a chart that has a schema.
  if (hasSchema(chart)) await preloadSchemaValidator();
  return chart;
}

function hasSchema(chart: Chart): boolean {
  return chart.schema !== undefined || chart.dependencies.some(hasSchema);
}

/**
 * Every chart under `dir`, sorted by path: folders holding a Chart.yaml (not searched further: their charts/ are
 * their subcharts) and `.tgz` archives. Hidden folders are skipped. `dir` itself may be a chart.
 */
export async function findCharts(dir: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    if (entries.some((e) => e.name === 'Chart.yaml' && !e.isDirectory())) {
      found.push(folder);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile() && /\.(tgz|tar\.gz)$/.test(entry.name)) found.push(path);
    }
  };
  await visit(dir);
  return found;
}

/** `budget` is the decompression budget of the archive this one sits in, when it is a subchart archive. */
export function loadChartArchive(data: Buffer, source: string, budget?: InflateBudget): Chart {
  const read = readChartArchive(data, source, budget);
  return loadChartFiles(read.files, source, read.budget);
}

/** Reads every file of a chart folder that .helmignore keeps, as chart-relative slash paths, sorted. */
export async function readChartFolder(root: string): Promise<ChartFile[]> {
  let ignoreText = '';
  try {
    ignoreText = await readFile(join(root, '.helmignore'), 'utf8');
  } catch {
    // no .helmignore: only the default rules apply
  }
  const rules = parseHelmignore(ignoreText);
  const files: ChartFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = readdirSync(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const name = relative(root, full).split(sep).join('/');
      if (entry.isSymbolicLink()) {
        const target = await stat(full).catch(() => undefined);
        if (!target) continue;
        const real = relative(root, full);
        if (real.startsWith('..')) continue;
        if (target.isDirectory()) {
          if (!isIgnored(rules, name, true)) await walk(full);
          continue;
        }
      }
      if (entry.isDirectory()) {
        if (!isIgnored(rules, name, true)) await walk(full);
      } else if (!isIgnored(rules, name, false)) {
        files.push({ name, data: readFileSync(full) });
      }
    }
  };
  await walk(root);
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return files;
}

/**
 * Builds a Chart from its files (chart-relative slash paths). Pure. Subchart archives among the files are read
 * against `budget`: the decompression budget left by the archive the files came from.
 */
export function loadChartFiles(files: ChartFile[], source: string, budget: InflateBudget = inflateBudget()): Chart {
  let chartYaml: ChartFile | undefined;
  let valuesText: string | undefined;
  let schema: Record<string, unknown> | undefined;
  let lock: ChartLock | undefined;
  let requirements: ChartFile | undefined;
  let requirementsLock: ChartFile | undefined;
  const templates: ChartFile[] = [];
  const other: ChartFile[] = [];
  const subchartFolders = new Map<string, ChartFile[]>();
  const subchartArchives: ChartFile[] = [];

  for (const file of files) {
    const name = file.name;
    if (name === 'Chart.yaml') chartYaml = file;
    else if (name === 'values.yaml') valuesText = file.data.toString('utf8');
    else if (name === 'values.schema.json') schema = parseSchema(file, source);
    else if (name === 'Chart.lock' || name === 'requirements.lock') {
      // Helm 2's requirements.lock is read as the lock too; whichever comes later in the file order wins, as in Helm.
      lock = parseYamlDocument(file.data.toString('utf8'), `${source}/${name}`) as ChartLock;
      if (name === 'requirements.lock') requirementsLock = file;
    } else if (name === 'requirements.yaml') requirements = file;
    else if (name.startsWith('templates/')) templates.push(file);
    else if (name.startsWith('charts/')) {
      const rest = name.slice('charts/'.length);
      const slash = rest.indexOf('/');
      if (slash < 0) {
        if (rest.endsWith('.tgz') || rest.endsWith('.tar.gz')) subchartArchives.push(file);
        else other.push(file);
      } else {
        const sub = rest.slice(0, slash);
        const list = subchartFolders.get(sub) ?? [];
        list.push({ name: rest.slice(slash + 1), data: file.data });
        subchartFolders.set(sub, list);
      }
    } else other.push(file);
  }

  if (!chartYaml) {
    throw new PortolanError('CHART_INVALID', `${source}: Chart.yaml is missing; this is not a chart`, {
      file: source,
      hint: 'A chart folder holds Chart.yaml, values.yaml and templates/. `portolan create NAME` scaffolds one.',
    });
  }
  const metadata = chartMetadataFromFiles(chartYaml.data.toString('utf8'), requirements?.data.toString('utf8'), source);
  // A v1 chart keeps requirements.yaml and requirements.lock among its files (.Files.Get sees them); a v2 chart does
  // not.
  if ((requirements || requirementsLock) && isV1ChartYaml(chartYaml.data.toString('utf8'), source)) {
    for (const file of [requirements, requirementsLock]) if (file) other.push(file);
    other.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  const values = valuesText === undefined ? {} : parseValuesYaml(valuesText, `${source}/values.yaml`);

  const dependencies: Chart[] = [];
  for (const [sub, subFiles] of subchartFolders) {
    if (!subFiles.some((f) => f.name === 'Chart.yaml')) continue; // a stray folder, not a chart: Helm skips it too
    dependencies.push(loadChartFiles(subFiles, `${source}/charts/${sub}`, budget));
  }
  for (const archive of subchartArchives)
    dependencies.push(loadChartArchive(archive.data, `${source}/${archive.name}`, budget));

  return {
    metadata,
    values,
    valuesText,
    schema,
    templates,
    files: other,
    dependencies,
    lock,
    source,
    chartYamlText: chartYaml.data.toString('utf8'),
  };
}

/** Chart.yaml's own apiVersion (before requirements.yaml is read over it) is v1 or missing. */
function isV1ChartYaml(text: string, source: string): boolean {
  const apiVersion = decodeChartYaml(text, `${source}/Chart.yaml`).fields.apiVersion;
  return apiVersion === undefined || apiVersion === '' || apiVersion === 'v1';
}

function parseSchema(file: ChartFile, source: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(file.data.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('the schema must be a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new PortolanError(
      'SCHEMA_INVALID',
      `${source}/values.schema.json is not valid JSON: ${(error as Error).message}`,
      {
        file: `${source}/values.schema.json`,
      },
    );
  }
}
