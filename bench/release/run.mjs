// bench/release: `portolan install` of a 300-object release against the real `helm install` of the equivalent
// Go-template chart, both against the same sandbox (in its own process) in the same run, in turn (A B A B …), each
// run into a fresh namespace. Prints medians and the median of the per-pair ratios; writes bench/out/release.json.
// Usage: npm run build && node bench/release/run.mjs [--runs N] [--objects N]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { helmHomeEnv, median, peer, portolanBin, root } from '../lib/harness.mjs';
import { generateReleaseCharts } from './generate.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('--runs', 5);
const OBJECTS = arg('--objects', 300);
const WARMUP = 1;

const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const { hbsDir, goDir, objects } = generateReleaseCharts(join(out, 'release'), { objects: OBJECTS });
const home = mkdtempSync(join(tmpdir(), 'bench-release-'));
const env = { ...process.env, ...helmHomeEnv(home), NO_COLOR: '1' };

// The sandbox in its own process, as a user would run it, so neither tool shares an event loop with it.
const dist = join(root, 'dist');
const child = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `
  const { startSandbox } = await import(${JSON.stringify(pathToFileURL(join(dist, 'sandbox', 'index.js')).href)});
  const s = await startSandbox({ kubeconfigPath: ${JSON.stringify(join(home, 'kubeconfig'))} });
  console.log(JSON.stringify({ url: s.url, kubeconfigPath: s.kubeconfigPath }));
  process.stdin.resume();
  process.stdin.on('end', async () => { await s.stop(); process.exit(0); });
`,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const lines = createInterface({ input: child.stdout });
const sandbox = JSON.parse(await new Promise((resolve) => lines.once('line', resolve)));
env.KUBECONFIG = sandbox.kubeconfigPath;

const { connect } = await import(pathToFileURL(join(dist, 'cluster', 'index.js')).href);
const client = await connect({ kubeconfig: sandbox.kubeconfigPath });

function timeOnce(command, args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr).slice(0, 2000)}`);
  return ms;
}

async function freshNamespace(name) {
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

const tools = {
  portolan: (ns) => [process.execPath, [portolanBin, 'install', 'bulk', hbsDir, '-n', ns]],
  helm: (ns) => [peer('helm'), ['install', 'bulk', goDir, '-n', ns]],
};
const times = { portolan: [], helm: [] };
const ratios = [];
const namespaces = [];
try {
  console.log(
    `install of a ${objects}-object release (Deployments, Services, Secrets, ConfigMaps) into the sandbox, ${RUNS} paired runs after ${WARMUP} warm-up`,
  );
  for (let i = -WARMUP; i < RUNS; i++) {
    const pair = {};
    for (const tool of ['portolan', 'helm']) {
      const ns = await freshNamespace(`${tool}-${i < 0 ? `warm${-i}` : i}`);
      namespaces.push([tool, ns]);
      const [command, args] = tools[tool](ns);
      pair[tool] = timeOnce(command, args);
    }
    if (i < 0) continue;
    times.portolan.push(pair.portolan);
    times.helm.push(pair.helm);
    ratios.push(pair.portolan / pair.helm);
  }
  // Both really installed every object.
  for (const [tool, ns] of namespaces) {
    const count =
      (
        await Promise.all(
          ['ConfigMap', 'Secret', 'Service'].map((k) => client.list('v1', k, { namespace: ns, labelSelector: '' })),
        )
      )
        .flat()
        .filter((o) => o.metadata.name.startsWith('bulk-')).length +
      (await client.list('apps/v1', 'Deployment', { namespace: ns })).length;
    if (count !== objects) throw new Error(`${tool} installed ${count} of ${objects} objects in ${ns}`);
  }
  const stats = (t) => ({ median: median(t), min: Math.min(...t), max: Math.max(...t) });
  const result = {
    name: `install ${objects} objects`,
    runs: RUNS,
    objects,
    node: process.version,
    portolan: stats(times.portolan),
    helm: stats(times.helm),
    ratio: median(ratios),
    samples: times,
  };
  const fmt = (s) => `${s.median.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`;
  console.log(
    `  portolan   ${fmt(result.portolan)}\n  helm       ${fmt(result.helm)}\n  ratio portolan/helm: ${result.ratio.toFixed(3)} (median of ${RUNS} paired runs; target <= 0.5)`,
  );
  writeFileSync(join(out, 'release.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  client.close();
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(home, { recursive: true, force: true });
}
