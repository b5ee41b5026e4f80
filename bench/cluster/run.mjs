// bench/cluster: server-side apply of 500 objects through src/cluster to the sandbox, one at a time vs with bounded
// concurrency, and the request rate the sandbox sustains. Not a test; prints figures and writes bench/out/cluster.json.
// Usage: npm run build && node bench/cluster/run.mjs [--objects N] [--concurrency C] [--rounds R]
// (PORTOLAN_DIST=/path/to/compiled/src overrides where the compiled modules are read from.)
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, peer, root } from '../lib/harness.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('--objects', 500);
const CONCURRENCY = arg('--concurrency', 16);
const ROUNDS = arg('--rounds', 5);
const dist = process.env.PORTOLAN_DIST ?? join(root, 'dist');
const { connect } = await import(pathToFileURL(join(dist, 'cluster', 'index.js')).href);

function objects(ns, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const name = `obj-${String(i).padStart(4, '0')}`;
    const labels = { app: 'bench', shard: String(i % 10) };
    switch (i % 5) {
      case 0:
        out.push({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace: ns, labels },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name } },
              spec: {
                containers: [
                  {
                    name: 'web',
                    image: 'nginx:1.27',
                    ports: [{ containerPort: 80 }],
                    env: [{ name: 'I', value: String(i) }],
                  },
                ],
              },
            },
          },
        });
        break;
      case 1:
        out.push({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace: ns, labels },
          spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 80 }] },
        });
        break;
      case 2:
        out.push({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name, namespace: ns, labels },
          stringData: { password: `p${i}` },
        });
        break;
      default:
        out.push({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace: ns, labels },
          data: { index: String(i), text: 'x'.repeat(200) },
        });
    }
  }
  return out;
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

async function mapLimit(items, limit, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

const home = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
// The sandbox runs in its own process (as it would for a user), so client and server do not share one event loop.
const child = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `
  const { startSandbox } = await import(${JSON.stringify(pathToFileURL(join(dist, 'sandbox', 'index.js')).href)});
  const s = await startSandbox({ kubeconfigPath: ${JSON.stringify(join(home, 'kubeconfig'))} });
  console.log(JSON.stringify({ url: s.url, kubeconfigPath: s.kubeconfigPath }));
  process.stdin.on('data', async () => { console.log(JSON.stringify(s.stats())); });
  process.stdin.on('end', async () => { await s.stop(); process.exit(0); });
`,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const lines = createInterface({ input: child.stdout });
const nextLine = () => new Promise((resolve) => lines.once('line', resolve));
const sandbox = JSON.parse(await nextLine());
sandbox.stats = async () => {
  child.stdin.write('stats\n');
  return JSON.parse(await nextLine());
};
sandbox.stop = async () => {
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
};
const client = await connect({ kubeconfig: sandbox.kubeconfigPath, maxSockets: Math.max(CONCURRENCY, 32) });
const results = { objects: N, concurrency: CONCURRENCY, rounds: ROUNDS, node: process.version, runs: [] };
try {
  for (const ns of ['kubectl']) await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await client.apply(objects('default', 20)[0]); // warm discovery and the connection pool

  const line = (label, ms, requests) =>
    console.log(
      `  ${label.padEnd(40)} ${ms.toFixed(0).padStart(6)} ms  ${(N / (ms / 1000)).toFixed(0).padStart(6)} objects/s  ${(requests / (ms / 1000)).toFixed(0).padStart(6)} req/s`,
    );
  console.log(
    `apply ${N} objects (Deployments, Services, Secrets, ConfigMaps) with server-side apply through src/cluster (median of ${ROUNDS} rounds)`,
  );
  // Each round creates into fresh namespaces, then re-applies the same objects unchanged. One at a time and
  // concurrent runs alternate (A B A B …), so both see the same machine; the speed-up is the median per-round ratio.
  for (let round = 0; round < ROUNDS; round++) {
    for (const ns of [`seq-${round}`, `par-${round}`])
      await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  for (const phase of ['create', 're-apply, no change']) {
    const modes = [
      { label: `one at a time (${phase})`, prefix: 'seq', conc: 1, samples: [], requests: 0 },
      { label: `concurrency ${CONCURRENCY} (${phase})`, prefix: 'par', conc: CONCURRENCY, samples: [], requests: 0 },
    ];
    const ratios = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of modes) {
        const before = client.requestCount;
        const objs = objects(`${mode.prefix}-${round}`, N);
        mode.samples.push((await timed(() => client.applyAll(objs, { concurrency: mode.conc }))).ms);
        mode.requests = client.requestCount - before;
      }
      ratios.push(modes[0].samples[round] / modes[1].samples[round]);
    }
    for (const mode of modes) {
      const ms = median(mode.samples);
      line(mode.label, ms, mode.requests);
      results.runs.push({
        label: mode.label,
        ms,
        samples: mode.samples,
        requests: mode.requests,
        objectsPerSecond: N / (ms / 1000),
      });
    }
    console.log(
      `  speed-up with concurrency ${CONCURRENCY} (${phase}): ${median(ratios).toFixed(2)}x (median of ${ROUNDS} paired rounds)`,
    );
    results[`speedUp:${phase}`] = median(ratios);
  }

  // Fresh Deployments, then wait for all of them (the sandbox rolls each out 100 ms after it is stored).
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'wait' } });
  const deployments = objects('wait', N).filter((o) => o.kind === 'Deployment');
  const rollout = await timed(async () => {
    await client.applyAll(deployments, { concurrency: CONCURRENCY });
    return client.waitForReady(deployments, { timeoutMs: 60_000 });
  });
  console.log(
    `  apply + waitForReady of ${deployments.length} fresh Deployments (100 ms simulated rollout): ${rollout.ms.toFixed(0)} ms`,
  );
  results.applyAndWaitMs = rollout.ms;

  // Sustained rate: GETs of one object and LISTs with a selector, 32 in flight, ~2 s each.
  for (const [label, fn] of [
    ['GET one object', () => client.get('v1', 'ConfigMap', 'obj-0003', 'par-0')],
    [
      'LIST by label (50 of 200)',
      () => client.list('v1', 'ConfigMap', { namespace: 'par-0', labelSelector: 'shard=3' }),
    ],
    ['SSA no-op re-apply', () => client.apply(objects('par-0', 4)[3])],
  ]) {
    const samples = [];
    for (let round = 0; round < 3; round++) {
      let count = 0;
      const start = Date.now();
      await mapLimit(Array.from({ length: 100000 }), 32, async () => {
        if (Date.now() - start > 700) return;
        await fn();
        count++;
      });
      samples.push(count / ((Date.now() - start) / 1000));
    }
    console.log(
      `  sandbox sustains ${label.padEnd(26)} ${median(samples).toFixed(0).padStart(6)} req/s (median of 3, 32 in flight)`,
    );
    results[`rps:${label}`] = median(samples);
  }

  // Reference: the real kubectl applying the same objects in one process.
  const file = join(home, 'objects.yaml');
  writeFileSync(
    file,
    objects('kubectl', N)
      .map((o) => JSON.stringify(o))
      .join('\n---\n'),
  );
  const kubectl = peer('kubectl');
  const k = await timed(async () =>
    spawnSync(kubectl, ['--kubeconfig', sandbox.kubeconfigPath, 'apply', '--server-side', '-f', file], {
      env: { ...process.env, HOME: home },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  if (k.value.status !== 0) console.log(`  kubectl apply failed: ${String(k.value.stderr).slice(0, 300)}`);
  else console.log(`  reference: kubectl apply --server-side -f (${N} objects, one process)  ${k.ms.toFixed(0)} ms`);
  results.kubectlMs = k.ms;
  const stats = await sandbox.stats();
  console.log(`  sandbox served ${stats.requests} requests in total`);
} finally {
  client.close();
  await sandbox.stop();
  rmSync(home, { recursive: true, force: true });
}
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'cluster.json'), `${JSON.stringify(results, null, 2)}\n`);
