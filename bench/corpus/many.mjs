// bench/corpus/many.mjs: the whole corpus rendered by ONE `portolan template --all CORPUS` command against one
// `helm template` process per chart (what a script looping over the charts runs), on the same machine in the same
// run. Prints wall time and CPU time (user + system of every process) of each side and their ratios; CPU time says
// more than wall time on a machine that other work shares.
//
// Usage: npm run build && node bench/corpus/many.mjs CORPUS [--jobs N] [--runs N]
// (--jobs goes to portolan: charts rendered at once on threads; helm's loop is one process at a time.)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { helmHomeEnv, median, peer, portolanBin, root } from '../lib/harness.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const corpus = argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
if (!corpus || !existsSync(corpus)) {
  console.error('usage: node bench/corpus/many.mjs CORPUS [--jobs N] [--runs N]');
  process.exit(2);
}
const jobs = option('--jobs', '');
const runs = Number(option('--runs', '1'));

/** Chart folders as run.mjs and `template --all` find them: a folder with a Chart.yaml is a chart, not searched. */
function findCharts(dir, out = []) {
  if (existsSync(join(dir, 'Chart.yaml'))) return (out.push(dir), out);
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)))
    if (entry.isDirectory() && !entry.name.startsWith('.')) findCharts(join(dir, entry.name), out);
  return out;
}
const charts = findCharts(resolve(corpus));
const quote = (s) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * Runs a shell script whose last command is `times` (the CPU time of the shell's children), so that every process
 * it starts is counted; returns wall and CPU milliseconds.
 */
function measure(script, env) {
  const started = process.hrtime.bigint();
  const result = spawnSync('bash', ['-c', `${script}\ntimes`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1024 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  const lines = String(result.stdout).trim().split('\n');
  // `times` prints the shell's own user/sys, then its children's: "0m21.590s 0m1.630s".
  const seconds = (text) => {
    const match = /(\d+)m([\d.]+)s/.exec(text);
    return match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  };
  const [user, system] = (lines.at(-1) ?? '').split(' ').map(seconds);
  return { wall, cpu: (user + system) * 1000, status: result.status };
}

const helm = peer('helm');
const home = join(root, 'bench', 'out', 'many-helm-home');
mkdirSync(home, { recursive: true });
const helmEnv = helmHomeEnv(home);
const helmScript = charts
  .map((chart) => `${quote(helm)} template rel ${quote(chart)} --namespace default >/dev/null 2>&1`)
  .join('\n');
const portolanScript = `${quote(process.execPath)} ${quote(portolanBin)} template rel --all ${quote(resolve(corpus))} --namespace default${jobs ? ` --jobs ${jobs}` : ''} >/dev/null 2>&1`;

console.log(
  `${charts.length} charts; portolan: one process${jobs ? `, --jobs ${jobs}` : ''}; helm: a process per chart`,
);
const samples = [];
for (let run = 0; run < runs; run++) {
  const p = measure(portolanScript);
  const h = measure(helmScript, helmEnv);
  samples.push({ p, h });
  console.log(
    `run ${run + 1}: portolan ${(p.wall / 1000).toFixed(1)} s wall, ${(p.cpu / 1000).toFixed(1)} s CPU; ` +
      `helm ${(h.wall / 1000).toFixed(1)} s wall, ${(h.cpu / 1000).toFixed(1)} s CPU; ` +
      `ratio wall ${(p.wall / h.wall).toFixed(2)}, CPU ${(p.cpu / h.cpu).toFixed(2)}`,
  );
}
const summary = {
  charts: charts.length,
  jobs: jobs || 'default',
  portolan: { wallMs: median(samples.map((s) => s.p.wall)), cpuMs: median(samples.map((s) => s.p.cpu)) },
  helm: { wallMs: median(samples.map((s) => s.h.wall)), cpuMs: median(samples.map((s) => s.h.cpu)) },
};
summary.ratioWall = summary.portolan.wallMs / summary.helm.wallMs;
summary.ratioCpu = summary.portolan.cpuMs / summary.helm.cpuMs;
console.log(`ratio portolan/helm: wall ${summary.ratioWall.toFixed(2)}, CPU ${summary.ratioCpu.toFixed(2)}`);
mkdirSync(join(root, 'bench', 'out'), { recursive: true });
writeFileSync(join(root, 'bench', 'out', 'corpus-many.json'), `${JSON.stringify(summary, null, 2)}\n`);
