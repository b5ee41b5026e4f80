// Reading chart archives (.tgz) in memory. Hostile archives are refused before any byte of them is used:
// absolute paths, `..`, links of any kind, a decompressed size over 100 MiB, or one file over 5 MiB.
import { Parser } from 'tar';
import { PortolanError } from '../errors.js';
import { MAX_FILE_BYTES, gunzipChartArchive } from './archive-limits.js';
import type { ChartFile } from './types.js';

export interface ArchiveEntry {
  /** Path inside the archive, slash-separated, without the top folder. */
  name: string;
  data: Buffer;
}

/** Returns the files of a chart archive with the top folder (`<name>/`) stripped, and that folder's name. */
export function readChartArchive(archive: Buffer, source: string): { topFolder: string; files: ChartFile[] } {
  const tarBytes = gunzipChartArchive(archive, source);

  const files: ChartFile[] = [];
  let problem: string | undefined;
  const refuse = (message: string) => {
    problem ??= message;
  };
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry) => {
      const path = entry.path;
      if (problem) return entry.resume();
      if (path.startsWith('/') || /^[a-zA-Z]:/.test(path) || path.includes('\\')) refuse(`entry "${path}" has an absolute path`);
      else if (path.split('/').includes('..')) refuse(`entry "${path}" leaves the chart folder (..)`);
      else if (entry.type === 'SymbolicLink' || entry.type === 'Link') refuse(`entry "${path}" is a link (to "${entry.linkpath ?? ''}"); links are not allowed in charts`);
      else if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile' && entry.type !== 'Directory') {
        refuse(`entry "${path}" has unsupported type ${entry.type}`);
      } else if ((entry.size ?? 0) > MAX_FILE_BYTES) refuse(`entry "${path}" is ${entry.size} bytes; one file may hold at most ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
      if (problem || entry.type === 'Directory') return entry.resume();
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => files.push({ name: path.replace(/^\.\//, ''), data: Buffer.concat(chunks) }));
    },
  });
  parser.on('warn', (_code: string, message: string) => refuse(message));
  parser.on('error', (error: Error) => refuse(error.message));
  parser.end(tarBytes);
  if (problem) throw new PortolanError('ARCHIVE_INVALID', `${source}: ${problem}`, { file: source });
  if (files.length === 0) throw new PortolanError('ARCHIVE_INVALID', `${source}: the archive holds no files`, { file: source });

  const topFolder = files[0]?.name.split('/')[0] ?? '';
  const stripped: ChartFile[] = [];
  for (const file of files) {
    const slash = file.name.indexOf('/');
    if (slash < 0 || file.name.slice(0, slash) !== topFolder) {
      throw new PortolanError('ARCHIVE_INVALID', `${source}: entry "${file.name}" is outside the chart's top folder "${topFolder}/"`, {
        file: source,
        hint: 'Every entry of a chart archive must be under one folder named after the chart.',
      });
    }
    stripped.push({ name: file.name.slice(slash + 1), data: file.data });
  }
  return { topFolder, files: stripped };
}
