// What the repository index needs from a chart archive: its top folder, Chart.yaml and (a v1 chart's)
// requirements.yaml. Read with the same reader as the loader and the upload check (src/chart/archive.ts), so the
// index always describes the chart that was validated; it refuses exactly what they refuse.
import { readChartArchive } from '../chart/archive.js';
import { PortolanError } from '../errors.js';
import type { ChartFile } from '../chart/types.js';

export function chartYamlOf(
  read: { topFolder: string; files: ChartFile[] },
  source: string,
): { topFolder: string; chartYaml: Buffer; requirementsYaml?: Buffer } {
  const chartYaml = read.files.find((f) => f.name === 'Chart.yaml')?.data;
  const requirementsYaml = read.files.find((f) => f.name === 'requirements.yaml')?.data;
  if (!chartYaml)
    throw new PortolanError('ARCHIVE_INVALID', `${source}: no Chart.yaml under ${read.topFolder}/`, { file: source });
  return { topFolder: read.topFolder, chartYaml, ...(requirementsYaml ? { requirementsYaml } : {}) };
}

/**
 * Returns the archive's top folder, its Chart.yaml bytes and its requirements.yaml bytes when it has one (a v1
 * chart's dependencies); throws ARCHIVE_INVALID for anything the loader refuses.
 */
export function scanChartYaml(
  archive: Buffer,
  source: string,
): { topFolder: string; chartYaml: Buffer; requirementsYaml?: Buffer } {
  return chartYamlOf(readChartArchive(archive, source), source);
}
