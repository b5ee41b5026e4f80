// What a command loads before it starts: `template` of a chart without values.schema.json does without Ajv (about
// 40 ms of CPU to load), and loads it for a chart with one. The bundled binary runs with a module hook that lists
// every file of the bundle it loads; esbuild marks where each package's code starts (`// node_modules/NAME/…`).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { binPath } from '../helpers/cli.js';
import { run } from '../helpers/peers.js';
import { freePort } from '../helpers/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'portolan-startup-'));
const hooks = join(dir, 'hooks.mjs');
writeFileSync(
  hooks,
  "import { appendFileSync } from 'node:fs';\n" +
    'export async function resolve(specifier, context, next) {\n' +
    '  const resolved = await next(specifier, context);\n' +
    "  if (resolved.url.startsWith('file:')) appendFileSync(process.env.PORTOLAN_TEST_RESOLVED, resolved.url + '\\n');\n" +
    '  return resolved;\n' +
    '}\n',
);
const register = join(dir, 'register.mjs');
// …and, at exit, every file Node's require loaded (packages loaded on first use from node_modules, outside the bundle).
writeFileSync(
  register,
  [
    "import { appendFileSync } from 'node:fs';",
    "import { createRequire, register } from 'node:module';",
    `register(${JSON.stringify(pathToFileURL(hooks).href)});`,
    'const required = createRequire(import.meta.url).cache;',
    "process.on('exit', () => appendFileSync(process.env.PORTOLAN_TEST_REQUIRED, Object.keys(required).join('\\n')));",
    // …and Node's own built-in modules, as `node:NAME`.
    'process.on(\'exit\', () => appendFileSync(process.env.PORTOLAN_TEST_BUILTINS, process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => `node:${m.slice(13)}`).join("\\n")));',
  ].join('\n'),
);

/**
 * The packages whose code `portolan ARGS` loads: those bundled into the files of the bundle it imports, and those
 * Node's require loads from node_modules; and what it printed.
 */
async function packagesLoaded(args: string[]): Promise<{ packages: string[]; builtins: string[]; stdout: string }> {
  const id = Math.random().toString(36).slice(2);
  const file = (kind: string) => join(dir, `${kind}-${id}.txt`);
  const [list, required, builtins] = [file('resolved'), file('required'), file('builtins')];
  for (const path of [list, required, builtins]) writeFileSync(path, '');
  const result = await run(process.execPath, ['--import', register, binPath(), ...args], {
    env: {
      ...process.env,
      PORTOLAN_TEST_RESOLVED: list,
      PORTOLAN_TEST_REQUIRED: required,
      PORTOLAN_TEST_BUILTINS: builtins,
    },
  });
  expect(result.code, result.stderr).toBe(0);
  const files = [
    binPath(),
    ...readFileSync(list, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((u) => fileURLToPath(u)),
  ];
  const packages = new Set<string>();
  for (const file of files)
    for (const m of readFileSync(file, 'utf8').matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm))
      packages.add(m[1] ?? '');
  for (const m of readFileSync(required, 'utf8').matchAll(/[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/g))
    packages.add((m[1] ?? '').replace('\\', '/'));
  return {
    packages: [...packages],
    builtins: readFileSync(builtins, 'utf8').split('\n').filter(Boolean),
    stdout: result.stdout,
  };
}

/** A chart NAME in the test folder with these templates (file name → text) and values; returns its path. */
function writeChart(name: string, templates: Record<string, string>, values = ''): string {
  const chart = join(dir, name);
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`);
  writeFileSync(join(chart, 'values.yaml'), values);
  for (const [file, text] of Object.entries(templates)) writeFileSync(join(chart, 'templates', file), text);
  return chart;
}

describe('start-up', () => {
  it('template of a chart without a schema loads no Ajv; one with a schema does', async () => {
    const [{ packages: hello }, { packages: webapp }] = await Promise.all([
      packagesLoaded(['template', 'x', 'charts/hello']),
      packagesLoaded(['template', 'x', 'charts/webapp']),
    ]);
    expect(hello).toContain('js-yaml');
    expect(hello.filter((p) => p.startsWith('ajv'))).toEqual([]);
    expect(webapp).toContain('ajv');
    expect(webapp).toContain('ajv-formats');
  });

  it('loads the regular expression engine only for a chart that uses it', async () => {
    const chart = writeChart('regex-chart', {
      'cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\ndata:\n  match: {{ regexMatch "^a.c$" "abc" | quote }}\n',
    });
    const [hello, regex] = await Promise.all([
      packagesLoaded(['template', 'x', 'charts/hello']),
      packagesLoaded(['template', 'x', chart]),
    ]);
    expect(hello.packages).not.toContain('re2js');
    expect(regex.packages).toContain('re2js');
    expect(regex.stdout).toContain('match: "true"');
  });

  it('loads node:crypto, node:zlib and bcryptjs only for a chart that hashes or reads an archive', async () => {
    const chart = writeChart('hash-chart', {
      'cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: h\ndata:\n' +
        '  sum: {{ sha256sum "abc" | quote }}\n  auth: {{ htpasswd "user" "pass" | hasPrefix "user:$2a$" | quote }}\n',
    });
    const archive = join(dir, 'hello-archive');
    mkdirSync(archive, { recursive: true });
    const packaged = await run(process.execPath, [binPath(), 'package', 'charts/hello', '-d', archive]);
    expect(packaged.code, packaged.stderr).toBe(0);
    const tgz = join(archive, readdirSync(archive)[0] ?? '');
    const [hello, hashes, fromArchive] = await Promise.all([
      packagesLoaded(['template', 'x', 'charts/hello']),
      packagesLoaded(['template', 'x', chart]),
      packagesLoaded(['template', 'x', tgz]),
    ]);
    for (const builtin of ['node:crypto', 'node:zlib']) expect(hello.builtins).not.toContain(builtin);
    expect(hello.packages).not.toContain('bcryptjs');
    expect(hashes.builtins).toContain('node:crypto');
    expect(hashes.packages).toContain('bcryptjs');
    expect(hashes.stdout).toContain('sum: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"');
    expect(hashes.stdout).toContain('auth: "true"');
    expect(fromArchive.builtins).toContain('node:zlib');
    expect(fromArchive.stdout).toBe(hello.stdout);
  });

  it("leaves client-node's node-fetch and SOCKS code and yargs' package search out of the bundle; socks5 still works", async () => {
    const chunks = join(dirname(binPath()), 'chunks');
    const bundled = readdirSync(chunks)
      .map((f) => readFileSync(join(chunks, f), 'utf8'))
      .join('\n');
    for (const name of ['node-fetch', 'tr46', 'whatwg-url', 'socks-proxy-agent', 'socks', 'ip-address'])
      expect(bundled).not.toContain(`// node_modules/${name}/`);
    // Nor yargs' package.json search upwards from the working folder (escalade), which reads every directory above.
    expect(bundled).not.toContain('// node_modules/escalade/');
    // Nothing listens on either port: the error names the proxy's, so the connection went through the SOCKS agent.
    const [apiPort, proxyPort] = [await freePort(), await freePort()];
    const kubeconfig = join(dir, 'socks-kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: c',
        `  cluster: {server: "https://127.0.0.1:${apiPort}", proxy-url: "socks5://127.0.0.1:${proxyPort}"}`,
        'contexts:',
        '- name: c',
        '  context: {cluster: c, user: u}',
        'current-context: c',
        'users:',
        '- name: u',
        '  user: {token: abc}',
      ].join('\n'),
    );
    const result = await run(process.execPath, [binPath(), 'list'], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`ECONNREFUSED 127.0.0.1:${proxyPort}`);
  });
});

describe('memory', () => {
  it('a one-shot command keeps V8 young generation near its first size (Node 20: 2 instead of 16 MiB)', async () => {
    const keys = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, `value-${i}`]));
    const templates = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [
        `cm${i}.yaml`,
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n` +
          '{{- range $k, $v := .Values.keys }}\n  {{ $k }}: {{ $v | upper | quote }}\n{{- end }}\n',
      ]),
    );
    const chart = writeChart('many-templates', templates, JSON.stringify({ keys }));
    // Loaded before the binary: the young generation's size then, and at exit.
    const sizes = join(dir, 'young-generation.txt');
    const probe = join(dir, 'young-generation.mjs');
    writeFileSync(
      probe,
      [
        "import v8 from 'node:v8';",
        "import { writeFileSync } from 'node:fs';",
        "const size = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;",
        'const first = size();',
        `process.on('exit', () => writeFileSync(${JSON.stringify(sizes)}, JSON.stringify([first, size()])));`,
      ].join('\n'),
    );
    const result = await run(process.execPath, ['--import', probe, binPath(), 'template', 'x', chart]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.match(/^kind: ConfigMap$/gm)).toHaveLength(300);
    const [first, last] = JSON.parse(readFileSync(sizes, 'utf8')) as [number, number];
    // V8 11 (Node 20) is where the flag was measured; later V8s size the young generation their own way.
    if (/^11\./.test(process.versions.v8)) expect(last).toBeLessThanOrEqual(2 * first);
    else expect(last).toBeGreaterThan(0);
  });
});
