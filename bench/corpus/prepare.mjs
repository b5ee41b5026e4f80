// bench/corpus/prepare.mjs: turns folders of chart sources (e.g. helm/charts' stable/ and incubator/, bitnami/charts'
// bitnami/) into a corpus that renders offline. Each chart is copied to OUT/<source folder name>/<chart>, and every
// dependency it names (Chart.yaml `dependencies`, or requirements.yaml for apiVersion v1 charts) that is not already
// in its charts/ folder is vendored there from a sibling chart of the same name, found first in the chart's own
// source folder and then in the other sources given on the same command line (so pass the folders of one snapshot
// together). Vendored charts get their own dependencies the same way. There is no network: a dependency with no
// sibling stays missing, and Helm will then refuse the chart ("found in Chart.yaml, but missing in charts/").
//
// Usage: node bench/corpus/prepare.mjs OUT SOURCE... (adds to OUT/prepare-report.json: what was vendored, what is
// missing)
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import yaml from 'js-yaml';

const [outArg, ...sourceArgs] = process.argv.slice(2);
if (!outArg || sourceArgs.length === 0) {
  console.error('usage: node bench/corpus/prepare.mjs OUT SOURCE...   (each SOURCE is a folder of chart folders)');
  process.exit(2);
}
const out = resolve(outArg);
const sources = sourceArgs.map((s) => resolve(s));

function readYaml(path) {
  const text = readFileSync(path, 'utf8');
  try {
    return yaml.load(text, { json: true }) ?? {};
  } catch {
    // Go's YAML reader lets a local tag through where js-yaml refuses it (stable/express-gateway has
    // `condition: !redis.emulate`): read such a value as the plain text after the `!`.
    try {
      return yaml.load(text.replace(/(:\s+)!(?!!)(\S)/g, '$1$2'), { json: true }) ?? {};
    } catch {
      return undefined;
    }
  }
}

/** The dependencies a chart folder declares; requirements.yaml is where apiVersion v1 charts keep them. */
function declaredDependencies(chartDir) {
  const meta = readYaml(join(chartDir, 'Chart.yaml')) ?? {};
  let deps = Array.isArray(meta.dependencies) ? meta.dependencies : [];
  if (deps.length === 0 && existsSync(join(chartDir, 'requirements.yaml'))) {
    const req = readYaml(join(chartDir, 'requirements.yaml')) ?? {};
    deps = Array.isArray(req.dependencies) ? req.dependencies : [];
  }
  return deps.filter((d) => d && typeof d.name === 'string');
}

/** Names of the charts already in chartDir/charts (folders by their Chart.yaml name, archives by file name). */
function presentSubcharts(chartDir) {
  const names = new Set();
  const dir = join(chartDir, 'charts');
  if (!existsSync(dir)) return names;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const meta = readYaml(join(path, 'Chart.yaml'));
      if (meta?.name) names.add(String(meta.name));
    } else {
      const match = /^(.+?)-v?\d[^/]*\.tgz$/.exec(entry);
      if (match) names.add(match[1]);
    }
  }
  return names;
}

// name -> [{source, dir}] across every source folder, in the order the sources were given.
const pool = new Map();
for (const source of sources) {
  for (const entry of readdirSync(source).sort()) {
    const dir = join(source, entry);
    if (!existsSync(join(dir, 'Chart.yaml'))) continue;
    const name = String(readYaml(join(dir, 'Chart.yaml'))?.name ?? entry);
    if (!pool.has(name)) pool.set(name, []);
    pool.get(name).push({ source, dir });
  }
}

function findSibling(name, source) {
  const candidates = pool.get(name) ?? [];
  return candidates.find((c) => c.source === source) ?? candidates[0];
}

/** Vendors the missing dependencies of `target` (a copy of `origin`), recursively; returns what happened. */
function vendor(target, origin, source, trail, log) {
  const present = presentSubcharts(target);
  for (const dep of declaredDependencies(target)) {
    if (present.has(dep.name)) continue;
    let from;
    const repo = typeof dep.repository === 'string' ? dep.repository : '';
    if (repo.startsWith('file://')) {
      const local = resolve(origin, repo.slice('file://'.length));
      if (existsSync(join(local, 'Chart.yaml'))) from = local;
    }
    from ??= findSibling(dep.name, source)?.dir;
    if (!from || trail.includes(dep.name)) {
      log.missing.push([...trail, dep.name].join(' > '));
      continue;
    }
    const dest = join(target, 'charts', dep.name);
    mkdirSync(join(target, 'charts'), { recursive: true });
    rmSync(dest, { recursive: true, force: true });
    cpSync(from, dest, { recursive: true });
    present.add(dep.name);
    log.vendored.push(`${[...trail, dep.name].join(' > ')} <- ${from}`);
    vendor(dest, from, source, [...trail, dep.name], log);
  }
}

// One report for the whole corpus: a second run (another snapshot) adds its charts to the first run's.
const reportPath = join(out, 'prepare-report.json');
const report = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : {};
let charts = 0;
let complete = 0;
for (const source of sources) {
  const group = basename(source);
  for (const entry of readdirSync(source).sort()) {
    const origin = join(source, entry);
    if (!existsSync(join(origin, 'Chart.yaml'))) continue;
    const target = join(out, group, entry);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(join(out, group), { recursive: true });
    cpSync(origin, target, { recursive: true });
    const log = { vendored: [], missing: [] };
    vendor(target, origin, source, [], log);
    report[`${group}/${entry}`] = log;
    charts++;
    if (log.missing.length === 0) complete++;
  }
}
mkdirSync(out, { recursive: true });
writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
const missingCounts = new Map();
for (const log of Object.values(report))
  for (const m of log.missing)
    missingCounts.set(m.split(' > ').pop(), (missingCounts.get(m.split(' > ').pop()) ?? 0) + 1);
console.log(
  `${charts} charts copied to ${out}; ${complete} with every dependency in charts/, ${charts - complete} with some missing`,
);
if (missingCounts.size > 0) {
  console.log('dependencies with no sibling to vendor (charts needing them):');
  for (const [name, count] of [...missingCounts].sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(count).padStart(4)}  ${name}`);
}
