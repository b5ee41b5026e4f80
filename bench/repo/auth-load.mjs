// bench/repo/auth-load.mjs: GET /index.yaml latency on `portolan serve --htpasswd` with and without 20 clients
// failing to log in (issue 11). The server runs as its own process, as users run it; the readers and the attackers
// run in this one (the Node load generator in load.mjs: wrk is not installed here). Loopback only, bounded in time.
// Reports p50/p99 of the reads unloaded and under attack, and their ratio (target: p99 within 2x).
// Usage: npm run build && node bench/repo/auth-load.mjs [--seconds S] [--cost C] [--runs N] [--readers R]
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { portolanBin, root } from '../lib/harness.mjs';
import { generateArchives } from './generate.mjs';
import { load } from './load.mjs';

const flag = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = flag('--seconds', 5);
const cost = flag('--cost', 10);
const runs = flag('--runs', 3);
// Readers in parallel (keep-alive, closed loop). 1 measures latency as a client sees it; more measure the server
// at saturation, where any CPU taken (by bcrypt, or by the attackers' own process on this machine) shows as latency.
const readers = flag('--readers', 1);
const ATTACKERS = 20;
const cli = process.env.PORTOLAN_CLI ?? portolanBin;
const out = join(root, 'bench', 'out', 'repo-auth');
mkdirSync(out, { recursive: true });

const dir = join(out, 'repo-500');
console.log(`generating archives… ${generateArchives(dir, 100, 5)} in ${dir}`);
const htpasswd = join(out, 'htpasswd');
writeFileSync(htpasswd, `ci:${bcrypt.hashSync('the-right-password', cost)}\n`, { mode: 0o600 });

const server = spawn(process.execPath, [cli, 'serve', '--dir', dir, '--port', '0', '--quiet', '--htpasswd', htpasswd], {
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

/**
 * One failed login: a DELETE with a wrong password (a new connection each time: the server closes after a 401),
 * from its own loopback address (127.0.<round>.<i>), so that each attacker is a client of its own to the server's
 * per-client back-off, and each round starts with fresh clients.
 */
function badLogin(i, n, round) {
  const target = new URL(url);
  const user = i % 2 ? 'ci' : `nobody${i}`;
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        localAddress: `127.0.${round}.${i + 2}`,
        method: 'DELETE',
        path: '/api/charts/x/1.0.0',
        agent: false,
        headers: { Authorization: `Basic ${Buffer.from(`${user}:wrong-${n}`).toString('base64')}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', () => resolve('error'));
    req.end();
  });
}

async function measure(attacked, round = 1) {
  let running = attacked;
  const answers = {};
  const attackers = Array.from({ length: attacked ? ATTACKERS : 0 }, async (_, i) => {
    for (let n = 0; running; n++) {
      const status = await badLogin(i, n, round);
      answers[status] = (answers[status] ?? 0) + 1;
    }
  });
  const reads = await load({ url: `${url}/index.yaml`, concurrency: readers, durationMs: seconds * 1000 });
  running = false;
  await Promise.all(attackers);
  return { ...reads, answers };
}

const fmt = (ms) => `${ms.toFixed(2)} ms`;
try {
  await measure(false); // warm-up
  const rows = [];
  for (let r = 0; r < runs; r++) {
    const quiet = await measure(false);
    const loud = await measure(true, r + 1);
    rows.push({ quiet, loud });
    console.log(
      `run ${r + 1}: unloaded p50 ${fmt(quiet.p50)} p99 ${fmt(quiet.p99)} (${quiet.requests} reads) | ` +
        `${ATTACKERS} failing logins: p50 ${fmt(loud.p50)} p99 ${fmt(loud.p99)} (${loud.requests} reads; logins answered ${JSON.stringify(loud.answers)}) | ` +
        `p99 ratio ${(loud.p99 / quiet.p99).toFixed(2)}x`,
    );
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const quietP99 = median(rows.map((r) => r.quiet.p99));
  const loudP99 = median(rows.map((r) => r.loud.p99));
  const ratio = loudP99 / quietP99;
  console.log(
    `\nGET /index.yaml (${dir.split('/').pop()}, ${readers} reader(s), bcrypt cost ${cost}), median of ${runs} runs of ${seconds} s:`,
  );
  console.log(
    `  p99 unloaded ${fmt(quietP99)}, with ${ATTACKERS} clients failing to log in ${fmt(loudP99)}: ratio ${ratio.toFixed(2)}x (target <= 2x) ${ratio <= 2 ? 'OK' : 'OVER'}`,
  );
} finally {
  server.kill('SIGTERM');
}
