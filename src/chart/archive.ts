// Reading chart archives (.tgz) in memory, with one tar reader that every reader of an archive shares (the loader,
// the upload check, the repository index): they cannot disagree on what an archive holds. Hostile or ambiguous
// archives are refused before any byte of them is used: absolute paths, `..`, links of any kind, two entries for
// one path, extended headers that contradict each other, a decompressed size over 100 MiB (across every nested
// archive), or one file over 5 MiB.
import { PortolanError } from '../errors.js';
import { type InflateBudget, MAX_FILE_BYTES, gunzipChartArchive, inflateBudget } from './archive-limits.js';
import type { ChartFile } from './types.js';

export interface ArchiveEntry {
  /** Path inside the archive, slash-separated, without the top folder. */
  name: string;
  data: Buffer;
}

export interface ChartArchiveContents {
  topFolder: string;
  files: ChartFile[];
  /** What is left of the decompression budget: subchart archives among `files` are read against it. */
  budget: InflateBudget;
}

function cString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  return block.toString('utf8', start, end < 0 || end > start + length ? start + length : end);
}

function octalField(block: Buffer, start: number, length: number): number {
  if ((block[start] ?? 0) & 0x80) return Number.POSITIVE_INFINITY; // base-256: only for sizes we refuse anyway
  const text = cString(block, start, length).trim();
  return text === '' ? 0 : /^[0-7]+$/.test(text) ? parseInt(text, 8) : Number.NaN;
}

function checksumOk(block: Buffer): boolean {
  let unsigned = 8 * 32; // the checksum field itself counts as spaces
  let signed = 8 * 32;
  for (let i = 0; i < 512; i++) {
    if (i >= 148 && i < 156) continue;
    const byte = block[i] as number;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  const stored = octalField(block, 148, 8);
  return stored === unsigned || stored === signed;
}

function paxRecords(data: Buffer, refuse: (message: string) => never): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break;
    const space = data.indexOf(32, at);
    const length = space < 0 ? Number.NaN : Number(data.toString('utf8', at, space));
    if (
      !Number.isInteger(length) ||
      length <= space - at + 2 ||
      at + length > data.length ||
      data[at + length - 1] !== 10
    )
      refuse('malformed pax extended header');
    const record = data.toString('utf8', space + 1, at + length - 1);
    const eq = record.indexOf('=');
    if (eq <= 0) refuse('malformed pax extended header');
    const key = record.slice(0, eq);
    if (records.has(key)) refuse(`pax extended header sets "${key}" twice`);
    records.set(key, record.slice(eq + 1));
    at += length;
  }
  return records;
}

export interface TarEntry {
  /** The full path as the archive names it, with a leading `./` removed. */
  path: string;
  type: 'file' | 'directory';
  data: Buffer;
}

/**
 * Walks a tar's headers directly (no stream machinery) and returns its files and folders. Understands ustar, pax
 * (`path`, `size`) and GNU long names exactly as Go's archive/tar (Helm) does: the ustar prefix field only when the
 * magic is POSIX `ustar\0` — GNU headers keep other data there. Refuses what would let two readers see different
 * charts in one archive.
 */
export function readTarEntries(tar: Buffer, source: string): TarEntry[] {
  const refuse = (message: string): never => {
    throw new PortolanError('ARCHIVE_INVALID', `${source}: ${message}`, { file: source });
  };
  const entries: TarEntry[] = [];
  const seen = new Set<string>();
  let paxPath: string | undefined;
  let paxSize: number | undefined;
  let gnuPath: string | undefined;
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    if (!checksumOk(header)) refuse('invalid tar header checksum (not a tar archive, or a damaged one)');
    const type = String.fromCharCode(header[156] ?? 0);
    const isEntry = type === '0' || type === '\0' || type === '7' || type === '5' || type === '1' || type === '2';
    let size = octalField(header, 124, 12);
    if (isEntry && paxSize !== undefined) size = paxSize;
    if (!Number.isFinite(size) || size < 0) refuse('invalid tar entry size');
    const dataStart = offset + 512;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) refuse('truncated tar entry');
    offset = dataStart + Math.ceil(size / 512) * 512;
    const data = tar.subarray(dataStart, dataEnd);

    if (type === 'x' || type === 'g') {
      const records = paxRecords(data, refuse);
      if (type === 'g') {
        // A global header that renames or resizes entries is read differently by different tar readers.
        for (const key of ['path', 'size', 'linkpath'])
          if (records.has(key)) refuse(`a global pax header sets "${key}"`);
        continue;
      }
      if (paxPath !== undefined || paxSize !== undefined) refuse('two pax extended headers for one entry');
      paxPath = records.get('path');
      const sizeText = records.get('size');
      if (sizeText !== undefined) {
        if (!/^[0-9]+$/.test(sizeText)) refuse(`pax extended header has an invalid size "${sizeText}"`);
        paxSize = Number(sizeText);
      }
      continue;
    }
    if (type === 'L') {
      if (gnuPath !== undefined) refuse('two GNU long names for one entry');
      gnuPath = cString(data, 0, data.length);
      continue;
    }
    if (type === 'K') continue; // a long link name: the link it belongs to is refused below
    if (paxPath !== undefined && gnuPath !== undefined && paxPath !== gnuPath)
      refuse(`an entry has two different long names ("${paxPath}", "${gnuPath}")`);
    let path = paxPath ?? gnuPath;
    if (path === undefined) {
      path = cString(header, 0, 100);
      if (header.toString('latin1', 257, 263) === 'ustar\0') {
        const prefix = cString(header, 345, 155);
        if (prefix !== '') path = `${prefix}/${path}`;
      }
    }
    paxPath = undefined;
    paxSize = undefined;
    gnuPath = undefined;

    if (path.startsWith('/') || /^[a-zA-Z]:/.test(path) || path.includes('\\'))
      refuse(`entry "${path}" has an absolute path`);
    if (path.split('/').includes('..')) refuse(`entry "${path}" leaves the chart folder (..)`);
    if (type === '1' || type === '2')
      refuse(`entry "${path}" is a link (to "${cString(header, 157, 100)}"); links are not allowed in charts`);
    if (!isEntry) refuse(`entry "${path}" has unsupported type ${JSON.stringify(type)}`);
    if (size > MAX_FILE_BYTES)
      refuse(`entry "${path}" is ${size} bytes; one file may hold at most ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
    const directory = type === '5';
    let name = path.replace(/^\.\//, '');
    if (directory) name = name.replace(/\/$/, '');
    if (name === '' || name.split('/').some((segment) => segment === '' || segment === '.'))
      refuse(`entry "${path}" has an empty or "." path segment`);
    if (seen.has(name)) refuse(`two entries for "${name}"; an archive may hold each path once`);
    seen.add(name);
    entries.push({ path: name, type: directory ? 'directory' : 'file', data });
  }
  if (paxPath !== undefined || paxSize !== undefined || gnuPath !== undefined)
    refuse('the archive ends after an extended header');
  return entries;
}

/**
 * Returns the files of a chart archive with the top folder (`<name>/`) stripped, and that folder's name. `budget`
 * is shared with the archive this one sits in, when it is a subchart archive.
 */
export function readChartArchive(
  archive: Buffer,
  source: string,
  budget: InflateBudget = inflateBudget(),
): ChartArchiveContents {
  const entries = readTarEntries(gunzipChartArchive(archive, source, budget), source);
  const files = entries.filter((e) => e.type === 'file');
  if (files.length === 0)
    throw new PortolanError('ARCHIVE_INVALID', `${source}: the archive holds no files`, { file: source });

  const topFolder = files[0]?.path.split('/')[0] ?? '';
  const stripped: ChartFile[] = [];
  for (const file of files) {
    const slash = file.path.indexOf('/');
    if (slash < 0 || file.path.slice(0, slash) !== topFolder) {
      throw new PortolanError(
        'ARCHIVE_INVALID',
        `${source}: entry "${file.path}" is outside the chart's top folder "${topFolder}/"`,
        {
          file: source,
          hint: 'Every entry of a chart archive must be under one folder named after the chart.',
        },
      );
    }
    stripped.push({ name: file.path.slice(slash + 1), data: file.data });
  }
  return { topFolder, files: stripped, budget };
}
