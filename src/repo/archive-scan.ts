// A fast, read-only scan of a chart archive for indexing: finds `<top>/Chart.yaml` walking the tar headers directly
// (no stream machinery), while refusing exactly what the chart loader refuses (src/chart/archive.ts): absolute
// paths, `..`, links, special files, a decompressed size over 100 MiB, one file over 5 MiB, entries outside the top
// folder. Indexing 2,000 archives is dominated by per-archive overhead, so this matters; uploads still go through
// the full loader.
import { MAX_FILE_BYTES, gunzipChartArchive } from '../chart/archive-limits.js';
import { PortolanError } from '../errors.js';

function cString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  return block.toString('utf8', start, end < 0 || end > start + length ? start + length : end);
}

function octalField(block: Buffer, start: number, length: number): number {
  if ((block[start] ?? 0) & 0x80) return Number.POSITIVE_INFINITY; // base-256: only for sizes we refuse anyway
  const text = cString(block, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  let sum = 8 * 32; // the checksum field itself counts as spaces
  for (let i = 0; i < 148; i++) sum += block[i] as number;
  for (let i = 156; i < 512; i++) sum += block[i] as number;
  return sum === octalField(block, 148, 8);
}

function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(32, at);
    if (space < 0) break;
    const length = parseInt(data.toString('utf8', at, space), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.toString('utf8', space + 1, at + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

/**
 * Returns the archive's top folder, its Chart.yaml bytes and its requirements.yaml bytes when it has one (a v1
 * chart's dependencies); throws ARCHIVE_INVALID for anything the loader refuses.
 */
export function scanChartYaml(archive: Buffer, source: string): { topFolder: string; chartYaml: Buffer; requirementsYaml?: Buffer } {
  const tar = gunzipChartArchive(archive, source);
  const refuse = (message: string): never => {
    throw new PortolanError('ARCHIVE_INVALID', `${source}: ${message}`, { file: source });
  };
  let topFolder: string | undefined;
  let chartYaml: Buffer | undefined;
  let requirementsYaml: Buffer | undefined;
  let nextPath: string | undefined;
  let nextSize: number | undefined;
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header[0] === 0 && header.every((b) => b === 0)) break;
    if (!checksumOk(header)) refuse('invalid tar header checksum');
    const type = String.fromCharCode(header[156] ?? 0);
    let size = octalField(header, 124, 12);
    if (nextSize !== undefined && (type === '0' || type === '\0' || type === '7' || type === '5')) size = nextSize;
    if (!Number.isFinite(size) || size < 0) refuse('invalid tar entry size');
    const dataStart = offset + 512;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) refuse('truncated tar entry');
    offset = dataStart + Math.ceil(size / 512) * 512;

    if (type === 'x' || type === 'L' || type === 'g' || type === 'K') {
      const data = tar.subarray(dataStart, dataEnd);
      if (type === 'x') {
        const records = paxRecords(data);
        if (records.has('path')) nextPath = records.get('path');
        if (records.has('size')) nextSize = Number(records.get('size'));
      } else if (type === 'L') nextPath = cString(data, 0, data.length);
      continue;
    }
    let path = nextPath ?? cString(header, 0, 100);
    if (nextPath === undefined && header.toString('latin1', 257, 262) === 'ustar') {
      const prefix = cString(header, 345, 155);
      if (prefix !== '') path = `${prefix}/${path}`;
    }
    nextPath = undefined;
    nextSize = undefined;

    if (path.startsWith('/') || /^[a-zA-Z]:/.test(path) || path.includes('\\')) refuse(`entry "${path}" has an absolute path`);
    if (path.split('/').includes('..')) refuse(`entry "${path}" leaves the chart folder (..)`);
    if (type === '1' || type === '2') refuse(`entry "${path}" is a link; links are not allowed in charts`);
    if (type !== '0' && type !== '\0' && type !== '7' && type !== '5') refuse(`entry "${path}" has an unsupported type`);
    if (size > MAX_FILE_BYTES) refuse(`entry "${path}" is ${size} bytes; one file may hold at most 5 MiB`);
    if (type === '5') continue;

    const name = path.replace(/^\.\//, '');
    const slash = name.indexOf('/');
    topFolder ??= slash < 0 ? name : name.slice(0, slash);
    if (slash < 0 || name.slice(0, slash) !== topFolder) refuse(`entry "${name}" is outside the chart's top folder "${topFolder}/"`);
    if (name === `${topFolder}/Chart.yaml`) chartYaml = tar.subarray(dataStart, dataEnd);
    else if (name === `${topFolder}/requirements.yaml`) requirementsYaml = tar.subarray(dataStart, dataEnd);
  }
  if (topFolder === undefined) refuse('the archive holds no files');
  if (!chartYaml) refuse(`no Chart.yaml under ${topFolder}/`);
  return { topFolder: topFolder as string, chartYaml: chartYaml as Buffer, ...(requirementsYaml ? { requirementsYaml } : {}) };
}
