// The limits every reader of a chart archive applies, and the gunzip that enforces the first of them. Kept apart
// from archive.ts so that the fast index scan (src/repo/archive-scan.ts) need not load the tar parser.
import { gunzipSync } from 'node:zlib';
import { PortolanError } from '../errors.js';

export const MAX_DECOMPRESSED_BYTES = 100 * 1024 * 1024;
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** The tar inside a .tgz, refusing a decompressed size over the limit (a gzip bomb stops while inflating). */
export function gunzipChartArchive(archive: Buffer, source: string): Buffer {
  try {
    return gunzipSync(archive, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
  } catch (error) {
    const tooLarge = error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new PortolanError(
      'ARCHIVE_INVALID',
      tooLarge
        ? `${source}: the archive decompresses to more than ${MAX_DECOMPRESSED_BYTES / 1024 / 1024} MiB; refusing it`
        : `${source}: not a gzip-compressed chart archive (${(error as Error).message})`,
      { file: source, hint: tooLarge ? undefined : 'A chart archive is a .tgz made by `portolan package` or `helm package`.' },
    );
  }
}

