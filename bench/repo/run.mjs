// bench/repo: chart repository work, portolan against helm on the same machine in the same run.
//   (1) `repo index` of 2,000 archives: cold (no cache), and after one archive changed
//   (2) `search repo` over a 15,000-entry index (both clients added the same served repository)
//   (3) requests per second for GET /index.yaml of a 15,000-entry repository on `portolan serve` (full and 304),
//       by wrk (Debian's package) when it is on PATH, else by the small Node load generator in load.mjs
// Whole processes are timed, as a user runs them; the start-up of each tool (`version`) and the indexing work inside
// one portolan process (the library call, after a warm-up) are printed too, to show what the process start costs.
// Usage: npm run build && node bench/repo/run.mjs [--runs N] [--seconds S]
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare, helmHomeEnv, median, peer, portolanBin, root } from '../lib/harness.mjs';
import { generateArchives } from './generate.mjs';
import { load } from './load.mjs';
import { haveWrk as wrkInstalled, wrk } from './wrk.mjs';

const flag = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = flag('--runs', 10);
const seconds = flag('--seconds', 5);
const cli = process.env.PORTOLAN_CLI ?? portolanBin;
const node = process.execPath;
const helm = peer('helm');
const out = join(root, 'bench', 'out', 'repo');
mkdirSync(out, { recursive: true });

const helmHome = mkdtempSync(join(tmpdir(), 'bench-repo-helm-'));
const helmEnv = helmHomeEnv(helmHome);
const portolanHome = mkdtempSync(join(tmpdir(), 'bench-repo-portolan-'));
const portolanEnv = { XDG_CONFIG_HOME: join(portolanHome, 'config'), XDG_CACHE_HOME: join(portolanHome, 'cache') };
const sh = (script) => ['-c', script];
const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

const results = [];

// (1) repo index of 2,000 archives.
const small = join(out, 'index-2000');
console.log(`generating archives… ${generateArchives(small, 400, 5)} in ${small}`);
const cacheFile = join(small, '.portolan-index-cache.json');
const touched = join(small, 'bench-database-0-1.0.0.tgz');
results.push(
  compare(
    'repo index: 2,000 archives, cold',
    {
      label: 'portolan',
      command: 'sh',
      args: sh(`rm -f ${q(cacheFile)} && ${q(node)} ${q(cli)} repo index ${q(small)} >/dev/null`),
    },
    {
      label: 'helm',
      command: 'sh',
      args: sh(`rm -f ${q(cacheFile)} && ${q(helm)} repo index ${q(small)}`),
      env: helmEnv,
    },
    { runs },
  ),
);
// Warm the cache once, then each run changes one archive (a new mtime) before indexing.
await new Promise((resolve) => spawn(node, [cli, 'repo', 'index', small], { stdio: 'ignore' }).on('exit', resolve));
results.push(
  compare(
    'repo index: 2,000 archives, one changed',
    {
      label: 'portolan',
      command: 'sh',
      args: sh(`touch ${q(touched)} && ${q(node)} ${q(cli)} repo index ${q(small)} >/dev/null`),
    },
    {
      label: 'helm',
      command: 'sh',
      args: sh(`touch ${q(touched)} && ${q(helm)} repo index ${q(small)}`),
      env: helmEnv,
    },
    { runs },
  ),
);

// What the process start alone costs each tool, and the indexing work inside one portolan process.
results.push(
  compare(
    'start-up: `version`',
    { label: 'portolan', command: node, args: [cli, 'version'] },
    { label: 'helm', command: helm, args: ['version'], env: helmEnv },
    { runs },
  ),
);
{
  const { indexDirectory, writeIndexFile } = await import(join(root, 'dist', 'repo', 'index-dir.js'));
  const inProcess = async (label, prepare) => {
    const times = [];
    for (let i = 0; i < runs + 1; i++) {
      prepare();
      const start = performance.now();
      await writeIndexFile(small, await indexDirectory(small));
      if (i > 0) times.push(performance.now() - start);
    }
    console.log(`${label}\n  portolan   ${median(times).toFixed(1)} ms (median of ${runs}, after a warm-up run)`);
    results.push({
      name: label,
      runs,
      a: { label: 'portolan', median: median(times), min: Math.min(...times), max: Math.max(...times) },
    });
  };
  await inProcess('repo index: 2,000 archives, cold, inside one process (library call)', () =>
    rmSync(cacheFile, { force: true }),
  );
  let tick = 0;
  await inProcess('repo index: 2,000 archives, one changed, inside one process (library call)', () => {
    const when = new Date(Date.now() - ++tick * 1000);
    utimesSync(touched, when, when);
  });
}

// A 15,000-archive repository served by portolan serve, for (2) and (3).
const big = join(out, 'repo-15000');
console.log(`generating archives… ${generateArchives(big, 1500, 10)} in ${big}`);
const server = spawn(node, [cli, 'serve', '--dir', big, '--port', '0', '--quiet'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve, reject) => {
  let text = '';
  server.stdout.on('data', (c) => {
    text += c;
    const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
});
try {
  const first = await fetch(`${url}/index.yaml`, { headers: { Connection: 'close' } });
  const etag = first.headers.get('etag');
  const indexBytes = (await first.arrayBuffer()).byteLength;
  console.log(`serving ${url}: index.yaml is ${(indexBytes / 1024 / 1024).toFixed(1)} MiB`);

  // (2) search repo over the 15,000-entry index.
  const add = (command, args, env) =>
    new Promise((resolve, reject) =>
      spawn(command, args, { env: { ...process.env, ...env }, stdio: 'ignore' }).on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}`)),
      ),
    );
  await add(helm, ['repo', 'add', 'big', url, '--force-update'], helmEnv);
  await add(node, [cli, 'repo', 'add', 'big', url, '--force-update'], portolanEnv);
  results.push(
    compare(
      'search repo: 15,000 entries, keyword',
      { label: 'portolan', command: node, args: [cli, 'search', 'repo', 'monitoring'], env: portolanEnv },
      { label: 'helm', command: helm, args: ['search', 'repo', 'monitoring'], env: helmEnv },
      { runs },
    ),
    compare(
      'search repo: 15,000 entries, --versions, all charts',
      { label: 'portolan', command: node, args: [cli, 'search', 'repo', '--versions'], env: portolanEnv },
      { label: 'helm', command: helm, args: ['search', 'repo', '--versions'], env: helmEnv },
      { runs },
    ),
  );

  // (3) GET /index.yaml requests per second.
  const scenarios = [
    ['GET /index.yaml, If-None-Match (304)', { 'If-None-Match': etag }, 304],
    ['GET /index.yaml, full body', {}, 200],
    ['GET /index.yaml, full body, gzip', { 'Accept-Encoding': 'gzip' }, 200],
  ];
  const haveWrk = wrkInstalled();
  console.log(
    `load generator: ${haveWrk ? 'wrk (2 threads, 16 connections)' : 'bench/repo/load.mjs (16 connections; install wrk for a faster one)'}`,
  );
  for (const [name, headers, expectStatus] of scenarios) {
    const r = haveWrk
      ? wrk(`${url}/index.yaml`, headers, seconds)
      : await load({ url: `${url}/index.yaml`, headers, concurrency: 16, durationMs: seconds * 1000, expectStatus });
    console.log(
      `${name}\n  ${r.rps.toFixed(0)} req/s (p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.mbPerSecond.toFixed(0)} MiB/s, ${r.requests} requests, ${r.errors} errors, ${r.statusMismatch} unexpected status)`,
    );
    results.push({ name, generator: haveWrk ? 'wrk' : 'load.mjs', ...r });
  }
} finally {
  server.kill('SIGTERM');
  rmSync(helmHome, { recursive: true, force: true });
  rmSync(portolanHome, { recursive: true, force: true });
}
writeFileSync(join(out, '..', 'repo.json'), `${JSON.stringify(results, null, 2)}\n`);
