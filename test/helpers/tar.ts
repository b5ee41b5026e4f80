// Builds raw tar.gz bytes entry by entry, so tests can make archives no well-behaved tool would write
// (absolute paths, `..`, links, oversize files).
import { gzipSync } from 'node:zlib';

export interface RawEntry {
  name: string;
  data?: Buffer | string;
  /** '0' file, '2' symlink, '1' hard link, '5' folder. */
  type?: '0' | '1' | '2' | '5' | 'x' | 'L';
  linkname?: string;
  /** Claimed size in the header, when it should differ from the data (never used for real data). */
  size?: number;
  /** 'gnu' writes GNU's `ustar  \0` magic (whose bytes 345+ hold times, not a path prefix). */
  magic?: 'gnu';
  /** Bytes written at offset 345: POSIX ustar's path prefix, or whatever a GNU header carries there. */
  prefix?: string;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

export function makeTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data =
      entry.data === undefined ? Buffer.alloc(0) : Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data);
    const header = Buffer.alloc(512);
    header.write(entry.name.slice(0, 100), 0, 'utf8');
    header.write(octal(entry.type === '5' ? 0o755 : 0o644, 8), 100);
    header.write(octal(0, 8), 108);
    header.write(octal(0, 8), 116);
    header.write(octal(entry.size ?? data.length, 12), 124);
    header.write(octal(0, 12), 136);
    header.write('        ', 148);
    header.write(entry.type ?? '0', 156);
    if (entry.linkname) header.write(entry.linkname, 157);
    header.write(entry.magic === 'gnu' ? 'ustar  \u0000' : 'ustar\u000000', 257);
    if (entry.prefix) header.write(entry.prefix, 345);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(octal(sum, 7) + ' ', 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function makeTgz(entries: RawEntry[]): Buffer {
  return gzipSync(makeTar(entries));
}

export const MINIMAL_CHART_YAML = 'apiVersion: v2\nname: demo\nversion: 0.1.0\n';
