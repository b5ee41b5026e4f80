// Bundles the CLI (src/cli/main.ts and everything it imports) into dist/bin/portolan.mjs, the `portolan` binary,
// with each command's code in a chunk of its own. Node resolves and compiles a few hundred small modules in well
// over 100 ms before a command can start; a bundle loads in a fraction of that. The library (dist/index.js) stays
// unbundled for TypeScript users. esbuild reads the TypeScript itself, so the bundle needs no tsc output: the tests'
// global setup (test/global-setup.ts) bundles the current sources whenever they changed.
// @kubernetes/client-node is bundled too: loaded as a package it takes about a second (it imports every API model);
// bundled, only the kubeconfig and credential code portolan uses remains, in the cluster commands' chunk.
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const binDir = join(root, 'dist', 'bin');

// client-node's config.js imports its generated API (every model of every API group, 30,000 lines) only for
// makeApiClient, which portolan never calls: the bundle gets a stub that says so, and start-up skips compiling it.
const withoutGeneratedApi = {
  name: 'without-generated-api',
  setup(b) {
    b.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
      /@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/.test(args.importer)
        ? { path: 'client-node-gen', namespace: 'stub' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: `const unused = () => { throw new Error('client-node API clients are not part of the portolan bundle'); };
export const createConfiguration = unused;
export class ServerConfiguration { constructor() { unused(); } }`,
      loader: 'js',
    }));
  },
};

// client-node's config.js imports node-fetch (for applyToFetchOptions, which portolan never calls; it drags in
// whatwg-url and tr46's 300 KB Unicode table) and socks-proxy-agent (only for a kubeconfig `proxy-url` of socks5://;
// it drags in ip-address, socks and smart-buffer) when it loads. Both stay out of the bundle: each becomes a class
// that Node's require loads from client-node's own dependencies on first `new`. 600 KB less to compile and run
// before every cluster command.
const lazyClientNodeImports = {
  name: 'lazy-client-node-imports',
  setup(plugin) {
    plugin.onLoad({ filter: /@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/ }, ({ path }) => {
      let contents = readFileSync(path, 'utf8');
      for (const [name, from] of [
        ['Headers', 'node-fetch'],
        ['SocksProxyAgent', 'socks-proxy-agent'],
      ]) {
        const line = `import { ${name} } from '${from}';`;
        if (!contents.includes(line)) throw new Error(`${path}: no "${line}" to defer (has client-node changed?)`);
        contents = contents.replace(line, `const ${name} = portolanLazyClass('${from}', '${name}');`);
      }
      // (portolanCreateRequire comes from the banner; a call esbuild does not see as require() stays unbundled.)
      const helper =
        'const portolanLazyClass = (from, name) => function (...args) {\n' +
        "  const clientNode = portolanCreateRequire(import.meta.url).resolve('@kubernetes/client-node');\n" +
        '  return new (portolanCreateRequire(clientNode)(from)[name])(...args);\n' +
        '};\n';
      return { contents: helper + contents, loader: 'js' };
    });
  },
};

// yargs looks for a package.json upwards from the working folder when it starts, only to guess a version for a
// --version flag portolan turns off: from a folder under /tmp or a large home folder that reads thousands of directory
// entries before every command. The bundle gives yargs a search that finds nothing.
const yargsWithoutPackageSearch = {
  name: 'yargs-without-package-search',
  setup(plugin) {
    plugin.onResolve({ filter: /^escalade\/sync$/ }, (args) =>
      /[\\/]yargs[\\/]/.test(args.importer) ? { path: 'escalade', namespace: 'yargs-find-up' } : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'yargs-find-up' }, () => ({
      contents: 'export default () => undefined;',
      loader: 'js',
    }));
  },
};

// yargs' help layout pulls in three copies of string-width, each building an Intl.Segmenter and Unicode-property
// regular expressions (\p{RGI_Emoji} with the v flag) when it loads: 30 to 100 ms before any command starts, for
// text only `--help` measures. Each is built on first use instead.
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, ({ path }) => {
      let replaced = 0;
      const contents = readFileSync(path, 'utf8').replace(
        /^const (\w+) = (new Intl\.Segmenter\(\)|\/.+\/[a-z]*);$/gm,
        (_line, name, value) => {
          replaced++;
          return `const ${name} = portolanLazy(() => ${value});`;
        },
      );
      if (replaced === 0) throw new Error(`${path}: no Segmenter or RegExp to defer (has string-width changed?)`);
      const helper =
        'const portolanLazy = (make) => { let made; const real = () => (made ??= make()); return new Proxy({}, {' +
        ' get: (_t, key) => { const value = real()[key]; return typeof value === "function" ? value.bind(real()) : value; },' +
        ' set: (_t, key, value) => { real()[key] = value; return true; } }); };\n';
      return { contents: helper + contents, loader: 'js' };
    });
  },
};

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
    plugins: [withoutGeneratedApi, lazyClientNodeImports, yargsWithoutPackageSearch, lazyStringWidth],
    legalComments: 'none',
    logLevel: 'warning',
  });
  chmodSync(join(outdir, 'portolan.mjs'), 0o755);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
