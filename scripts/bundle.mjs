// Bundles the CLI (src/cli/main.ts and everything it imports) into dist/bin/portolan.mjs, the `portolan` binary,
// with each command's code in a chunk of its own. Node resolves and compiles a few hundred small modules in well
// over 100 ms before a command can start; a bundle loads in a fraction of that. The library (dist/index.js) stays
// unbundled for TypeScript users. esbuild reads the TypeScript itself, so the bundle needs no tsc output: the tests'
// global setup (test/global-setup.ts) bundles the current sources whenever they changed.
// @kubernetes/client-node is bundled too: loaded as a package it takes about a second (it imports every API model);
// bundled, only the kubeconfig and credential code portolan uses remains, in the cluster commands' chunk.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const binDir = join(root, 'dist', 'bin');

/** Writes dist/bin/portolan.mjs and its chunks from src/. */
export async function bundleCli(outdir = binDir) {
  // Chunk names carry content hashes: start from an empty folder so old chunks do not pile up.
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { portolan: join(root, 'src', 'cli', 'main.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    // Each command's code (and its dependencies) in chunks of their own, loaded when the command runs.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['kubernetes-models', 'kubernetes-models/*'],
    // CommonJS dependencies inside an ES module bundle still call require() for Node's built-ins. (The entry's
    // #! line comes first on its own.)
    banner: {
      js: "import { createRequire as portolanCreateRequire } from 'node:module';\nconst require = portolanCreateRequire(import.meta.url);",
    },
    legalComments: 'none',
    logLevel: 'warning',
  });
  chmodSync(join(outdir, 'portolan.mjs'), 0o755);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
