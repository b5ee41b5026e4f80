// The limits every reader of a chart archive applies, and the gunzip that enforces the first of them. The
// decompression limit is a budget shared by every layer of one reading: a subchart archive inside a chart (or an
// archive inside that) inflates from what the outer archive left, so nesting cannot multiply the limit.
import { nodeZlib } from '../lazy-modules.js';
import { PortolanError } from '../errors.js';

export const MAX_DECOMPRESSED_BYTES = 100 * 1024 * 1024;
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** Bytes still allowed to be inflated by one reading of an archive, counted across every nested archive. */
export interface InflateBudget {
  remaining: number;
}

export function inflateBudget(limit = MAX_DECOMPRESSED_BYTES): InflateBudget {
  return { remaining: limit };
}

function isGzip(data: Buffer): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/**
 * The tar inside a .tgz, refusing a decompressed size over what the budget has left (a gzip bomb stops while
 * inflating) and a gzip inside the gzip (tar readers would inflate that second layer by themselves, unbounded).
 */
export function gunzipChartArchive(archive: Buffer, source: string, budget: InflateBudget = inflateBudget()): Buffer {
  let tar: Buffer;
  try {
    if (budget.remaining <= 0) throw new RangeError('budget spent');
    tar = nodeZlib().gunzipSync(archive, { maxOutputLength: budget.remaining });
  } catch (error) {
    const tooLarge = error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new PortolanError(
      'ARCHIVE_INVALID',
      tooLarge
        ? `${source}: the archive decompresses to more than ${MAX_DECOMPRESSED_BYTES / 1024 / 1024} MiB (counting the archives inside it); refusing it`
        : `${source}: not a gzip-compressed chart archive (${(error as Error).message})`,
      {
        file: source,
        hint: tooLarge ? undefined : 'A chart archive is a .tgz made by `portolan package` or `helm package`.',
      },
    );
  }
  budget.remaining -= tar.length;
  if (isGzip(tar)) {
    throw new PortolanError(
      'ARCHIVE_INVALID',
      `${source}: the archive is compressed twice (a gzip inside the gzip); refusing it`,
      {
        file: source,
        hint: 'A chart archive is one gzip around one tar, as `portolan package` and `helm package` write it.',
      },
    );
  }
  return tar;
}
