// bench/repo: pulling a chart from an OCI registry, portolan against helm in the same run, as users run them
// (whole processes, A B A B, medians). The registry is Debian's docker-registry on 127.0.0.1 (plain http,
// filesystem storage in a temporary folder), and then `portolan serve` answering the same API; 20 versions of the
// example chart charts/webapp are pushed to each. Cases: an exact version (`--version 1.0.9`: one manifest and two
// blobs) and a range (`--version ^1`: the tag list first). Each tool keeps its own caches as a user's would.
// Usage: npm run build && node bench/repo/oci-pull.mjs [--runs N]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compare, freePort, helmHomeEnv, median, peer, portolanBin, root, waitFor } from '../lib/harness.mjs';

const flag = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = flag('--runs', 10);
const cli = process.env.PORTOLAN_CLI ?? portolanBin;
const node = process.execPath;
const helm = peer('helm');
const registryBin = process.env.PORTOLAN_BENCH_REGISTRY ?? '/usr/bin/docker-registry';
if (!existsSync(registryBin)) throw new Error(`${registryBin} is missing: apt-get install docker-registry`);

const work = mkdtempSync(join(tmpdir(), 'bench-oci-'));
const helmEnv = helmHomeEnv(work);
const portolanEnv = { HOME: work, XDG_CONFIG_HOME: join(work, 'config'), XDG_CACHE_HOME: join(work, 'cache') };

function run(command, args, env) {
  const r = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// 20 versions of charts/webapp.
const archives = join(work, 'archives');
for (let i = 0; i < 20; i++)
  run(node, [cli, 'package', join(root, 'charts', 'webapp'), '-d', archives, '--version', `1.0.${i}`], portolanEnv);

const port = await freePort();
const host = `127.0.0.1:${port}`;
writeFileSync(
  join(work, 'registry.yml'),
  `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(work, 'registry')}\nhttp:\n  addr: ${host}\n`,
);
const registry = spawn(registryBin, ['serve', join(work, 'registry.yml')], { stdio: 'ignore' });
const servePort = await freePort();
const serveDir = join(work, 'served');
const serve = spawn(
  node,
  [cli, 'serve', '--dir', serveDir, '--port', String(servePort), '--allow-anonymous-writes', '--quiet'],
  {
    stdio: 'ignore',
  },
);
const results = [];
try {
  await waitFor(`http://${host}/v2/`);
  await waitFor(`http://127.0.0.1:${servePort}/health`);
  for (const target of [host, `127.0.0.1:${servePort}`])
    for (let i = 0; i < 20; i++)
      run(
        node,
        [cli, 'push', join(archives, `webapp-1.0.${i}.tgz`), `oci://${target}/charts`, '--plain-http'],
        portolanEnv,
      );

  for (const [where, target] of [
    ['docker-registry', host],
    ['portolan serve', `127.0.0.1:${servePort}`],
  ]) {
    for (const [what, version] of [
      ['exact version', '1.0.9'],
      ['range ^1 (tag list)', '^1'],
    ]) {
      const out = (tool) => join(work, `out-${tool}`);
      // helm pull does not create its destination.
      mkdirSync(out('helm'), { recursive: true });
      const ref = `oci://${target}/charts/webapp`;
      results.push(
        compare(
          `pull oci:// from ${where}, ${what}`,
          {
            label: 'portolan',
            command: node,
            args: [cli, 'pull', ref, '--version', version, '--plain-http', '-d', out('portolan')],
            env: portolanEnv,
          },
          {
            label: 'helm',
            command: helm,
            args: ['pull', ref, '--version', version, '--plain-http', '-d', out('helm')],
            env: helmEnv,
          },
          { runs },
        ),
      );
    }
  }
  // The pull inside one portolan process (library call, after a warm-up): what the command costs beyond start-up.
  {
    const { pullChart } = await import(join(root, 'dist', 'oci', 'chart.js'));
    const { registryPaths } = await import(join(root, 'dist', 'oci', 'credentials.js'));
    const paths = registryPaths(portolanEnv);
    for (const [what, version] of [
      ['exact version', '1.0.9'],
      ['range ^1 (tag list)', '^1'],
    ]) {
      const times = [];
      for (let i = 0; i <= runs; i++) {
        const start = performance.now();
        await pullChart(`oci://${host}/charts/webapp`, paths, { version, plainHttp: true });
        if (i > 0) times.push(performance.now() - start);
      }
      const label = `pull oci:// from docker-registry, ${what}, inside one process (library call)`;
      console.log(`${label}\n  portolan   ${median(times).toFixed(1)} ms (median of ${runs}, after a warm-up run)`);
      results.push({ name: label, runs, a: { label: 'portolan', median: median(times) } });
    }
  }
  results.push(
    compare(
      'start-up: `version`',
      { label: 'portolan', command: node, args: [cli, 'version'] },
      { label: 'helm', command: helm, args: ['version'], env: helmEnv },
      { runs },
    ),
  );
} finally {
  registry.kill();
  serve.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(join(root, 'bench', 'out', 'repo-oci.json'), `${JSON.stringify(results, null, 2)}\n`);
