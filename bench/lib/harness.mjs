// A small side-by-side timing harness: runs two commands in turn (A B A B …) after a warm-up, measures each
// whole process's wall time, and reports medians and the median of the per-pair ratios A/B.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The `portolan` binary as users run it: the bundle `npm run build` writes.
export const portolanBin = join(root, 'dist', 'bin', 'portolan.mjs');

/** Helm's environment with a home of its own under `home`: no repositories, plugins or cache of the machine count. */
export function helmHomeEnv(home) {
  return {
    HOME: home,
    HELM_CACHE_HOME: join(home, 'c'),
    HELM_CONFIG_HOME: join(home, 'g'),
    HELM_DATA_HOME: join(home, 'd'),
  };
}

export function peer(name) {
  const path = join(root, '.peers', name);
  if (!existsSync(path)) throw new Error(`${path} missing: run npm run peers`);
  return path;
}

function timeOnce(command, args, env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr).slice(0, 2000)}`);
  }
  return ms;
}

export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** a, b: {label, command, args, env?}. Returns {a: {median, min, max}, b: {...}, ratio}. */
export function compare(name, a, b, { runs = 10, warmup = 2 } = {}) {
  const env = (x) => ({ ...process.env, ...(x.env ?? {}) });
  for (let i = 0; i < warmup; i++) {
    timeOnce(a.command, a.args, env(a));
    timeOnce(b.command, b.args, env(b));
  }
  const ta = [];
  const tb = [];
  const ratios = [];
  for (let i = 0; i < runs; i++) {
    const x = timeOnce(a.command, a.args, env(a));
    const y = timeOnce(b.command, b.args, env(b));
    ta.push(x);
    tb.push(y);
    ratios.push(x / y);
  }
  const stats = (t) => ({ median: median(t), min: Math.min(...t), max: Math.max(...t) });
  const result = {
    name,
    runs,
    a: { label: a.label, ...stats(ta) },
    b: { label: b.label, ...stats(tb) },
    ratio: median(ratios),
  };
  const fmt = (s) => `${s.median.toFixed(1)} ms (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)})`;
  console.log(
    `${name}\n  ${a.label.padEnd(10)} ${fmt(result.a)}\n  ${b.label.padEnd(10)} ${fmt(result.b)}\n  ratio ${a.label}/${b.label}: ${result.ratio.toFixed(3)} (median of ${runs} paired runs)`,
  );
  return result;
}

// GNU time (Debian's `time` package) reports a process's peak resident memory (its maximum RSS, in KiB).
const gnuTime = ['/usr/bin/time'].find((p) => spawnSync(p, ['-f', '%M', 'true']).status === 0);

/**
 * Peak resident memory of two commands, run in turn (A B A B …): medians in MiB and the median of the per-pair
 * ratios A/B. Undefined, with a note, where GNU time is missing.
 */
export function comparePeakMemory(name, a, b, { runs = 5 } = {}) {
  if (!gnuTime) {
    console.log(`${name}
  skipped: peak memory needs GNU time (apt-get install time)`);
    return undefined;
  }
  const peakMiB = (x) => {
    const result = spawnSync(gnuTime, ['-f', '%M', x.command, ...x.args], {
      env: { ...process.env, ...(x.env ?? {}) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (result.status !== 0) throw new Error(`${x.command} ${x.args.join(' ')} exited ${result.status}`);
    return Number(String(result.stderr).trim().split('\n').at(-1)) / 1024;
  };
  const ma = [];
  const mb = [];
  for (let i = 0; i < runs; i++) {
    ma.push(peakMiB(a));
    mb.push(peakMiB(b));
  }
  const result = {
    name,
    runs,
    a: { label: a.label, medianMiB: median(ma) },
    b: { label: b.label, medianMiB: median(mb) },
    ratio: median(ma.map((x, i) => x / mb[i])),
  };
  console.log(
    `${name}\n  ${a.label.padEnd(10)} ${result.a.medianMiB.toFixed(1)} MiB\n  ${b.label.padEnd(10)} ${result.b.medianMiB.toFixed(1)} MiB\n  ratio ${a.label}/${b.label}: ${result.ratio.toFixed(3)} (median of ${runs} paired runs)`,
  );
  return result;
}

/** A free TCP port on 127.0.0.1, for a server a benchmark starts. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `url` answers below 500 (a server that has started); throws after about 10 s. */
export async function waitFor(url) {
  for (let i = 0; i < 400; i++) {
    const ok = await fetch(url, { headers: { Connection: 'close' } }).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${url} did not answer`);
}
