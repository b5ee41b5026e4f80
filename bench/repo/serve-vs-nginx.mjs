// bench/repo/serve-vs-nginx: `portolan serve` against nginx (Debian's package) serving the same folder of archives as
// a static web server would, on the work a chart repository gets: GET /index.yaml gzipped, GET of one small archive,
// and a revalidation (If-None-Match → 304). Both run a single process (nginx: one worker, gzip on, sendfile on, no
// access log; portolan: --quiet). wrk (Debian's package) drives each in turn, A B A B …, and the median req/s of the
// rounds gives the ratio. Resident memory is read from /proc: idle after start, and the peak after the load.
// Usage: npm run build && node bench/repo/serve-vs-nginx.mjs [--rounds N] [--seconds S] [--charts N]
//        (apt-get install nginx-light wrk)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { freePort, median, portolanBin, root, waitFor } from '../lib/harness.mjs';
import { generateArchives } from './generate.mjs';
import { haveWrk, wrk } from './wrk.mjs';

const flag = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = flag('--rounds', 3);
const seconds = flag('--seconds', 4);
const charts = flag('--charts', 200);
const nginxBin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => spawnSync(p, ['-v']).error === undefined);
if (!nginxBin || !haveWrk()) {
  console.error('serve-vs-nginx needs nginx and wrk: apt-get install nginx-light wrk');
  process.exit(1);
}

const out = join(root, 'bench', 'out', 'repo');
const dir = join(out, `serve-${charts}x5`);
console.log(`generating archives… ${generateArchives(dir, charts, 5)} in ${dir}`);
const work = mkdtempSync(join(tmpdir(), 'bench-serve-'));

const rssKiB = (pid, field) =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
// CPU time (user + system) of whole processes, in ms, from /proc: the work each server does per request, which
// stays put when the load generator and the server compete for the same cores and req/s does not.
const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
const cpuMs = (pids) =>
  pids.reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return sum + ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  }, 0);
const childPids = (pid) =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);

// portolan serve writes its index.yaml into the folder at start; nginx serves that same file.
const portolanPort = await freePort();
const portolan = spawn(
  process.execPath,
  [portolanBin, 'serve', '--dir', dir, '--port', String(portolanPort), '--quiet'],
  {
    stdio: 'ignore',
  },
);
const portolanUrl = `http://127.0.0.1:${portolanPort}`;
await waitFor(`${portolanUrl}/health`);

// A static server answers a gzip index from a file compressed once (gzip_static), as portolan answers from memory.
writeFileSync(join(dir, 'index.yaml.gz'), gzipSync(readFileSync(join(dir, 'index.yaml')), { level: 6 }));
const nginxPort = await freePort();
writeFileSync(
  join(work, 'nginx.conf'),
  `daemon off;
worker_processes 1;
pid ${work}/nginx.pid;
error_log ${work}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { application/x-yaml yaml; application/gzip tgz; }
  gzip on;
  gzip_static on;
  gzip_comp_level 6;
  gzip_types application/x-yaml;
  client_body_temp_path ${work}/body;
  proxy_temp_path ${work}/proxy;
  fastcgi_temp_path ${work}/fastcgi;
  uwsgi_temp_path ${work}/uwsgi;
  scgi_temp_path ${work}/scgi;
  server { listen 127.0.0.1:${nginxPort}; root ${dir}; }
}
`,
);
const nginx = spawn(nginxBin, ['-c', join(work, 'nginx.conf'), '-p', work], { stdio: 'ignore' });
const nginxUrl = `http://127.0.0.1:${nginxPort}`;
await waitFor(`${nginxUrl}/index.yaml`);
await new Promise((r) => setTimeout(r, 500));
const nginxWorker = () => childPids(nginx.pid)[0];
const idle = {
  portolan: rssKiB(portolan.pid, 'VmRSS'),
  nginx: rssKiB(nginx.pid, 'VmRSS') + rssKiB(nginxWorker(), 'VmRSS'),
};

const archive = readdirSync(dir).find((f) => f.endsWith('.tgz'));
// Right after a wrk run a server may still be closing wrk's connections: ask again on a refused request.
const etagOf = async (base, path) => {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await fetch(`${base}${path}`, { headers: { Connection: 'close' } })).headers.get('etag');
    } catch (error) {
      if (attempt === 5) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
};
const indexSize = readFileSync(join(dir, 'index.yaml')).length;
const scenarios = [
  {
    name: `GET /index.yaml gzip (${(indexSize / 1024).toFixed(0)} KiB plain)`,
    path: '/index.yaml',
    headers: () => ({ 'Accept-Encoding': 'gzip' }),
  },
  { name: `GET /${archive}`, path: `/${archive}`, headers: () => ({}) },
  {
    name: 'GET /index.yaml, If-None-Match (304)',
    path: '/index.yaml',
    // fetch asks for gzip, so the ETag is the gzip variant's: wrk asks for gzip too.
    headers: async (base) => ({ 'Accept-Encoding': 'gzip', 'If-None-Match': await etagOf(base, '/index.yaml') }),
  },
];
const servers = { portolan: portolanUrl, nginx: nginxUrl };
const results = [];
try {
  console.log(
    `wrk: 2 threads, 16 connections, ${seconds} s × ${rounds} rounds per server and scenario; nginx ${nginxBin}, 1 worker`,
  );
  for (const scenario of scenarios) {
    const rps = { portolan: [], nginx: [] };
    const cpuPerRequest = { portolan: [], nginx: [] };
    for (let round = 0; round < rounds; round++) {
      for (const [label, base] of Object.entries(servers)) {
        const headers = await scenario.headers(base);
        const pids = label === 'portolan' ? [portolan.pid] : [nginx.pid, nginxWorker()];
        const before = cpuMs(pids);
        const r = wrk(`${base}${scenario.path}`, headers, seconds);
        if (r.errors || (r.statusMismatch > 0 && !scenario.name.includes('304')))
          throw new Error(`${label}: ${JSON.stringify(r)}`);
        rps[label].push(r.rps);
        cpuPerRequest[label].push(((cpuMs(pids) - before) * 1000) / r.requests);
      }
    }
    const row = {
      name: scenario.name,
      portolan: median(rps.portolan),
      nginx: median(rps.nginx),
      cpuMicroseconds: { portolan: median(cpuPerRequest.portolan), nginx: median(cpuPerRequest.nginx) },
    };
    row.ratio = row.portolan / row.nginx;
    results.push(row);
    console.log(
      `${row.name}\n  portolan ${row.portolan.toFixed(0)} req/s   nginx ${row.nginx.toFixed(0)} req/s   ratio ${row.ratio.toFixed(2)} (target >= 0.8)\n` +
        `  server CPU per request: portolan ${row.cpuMicroseconds.portolan.toFixed(1)} µs, nginx ${row.cpuMicroseconds.nginx.toFixed(1)} µs`,
    );
  }
  const peak = {
    portolan: rssKiB(portolan.pid, 'VmHWM'),
    nginx: rssKiB(nginx.pid, 'VmHWM') + rssKiB(nginxWorker(), 'VmHWM'),
  };
  const mib = (k) => `${(k / 1024).toFixed(0)} MiB`;
  console.log(
    `resident memory: idle portolan ${mib(idle.portolan)}, nginx ${mib(idle.nginx)} (target <= 60 MiB idle); peak portolan ${mib(peak.portolan)}, nginx ${mib(peak.nginx)}`,
  );
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, '..', 'serve-vs-nginx.json'), `${JSON.stringify({ results, idle, peak }, null, 2)}\n`);
} finally {
  portolan.kill('SIGTERM');
  nginx.kill('SIGQUIT');
  rmSync(work, { recursive: true, force: true });
}
