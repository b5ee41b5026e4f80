// bench/corpus/run.mjs: renders every chart of a folder with portolan and with the real helm binary and compares
// the two outputs as sets of Kubernetes objects. Prints how many charts come out the same, differ, or are refused
// (by portolan, or by helm itself: those are left out of the percentages), the first difference of each chart that
// differs, the most common reasons portolan refuses, and the time each tool took.
//
// Usage: node bench/corpus/run.mjs CORPUS [--filter S] [--limit N] [--jobs N] [--json] [--show-diff] [--cli]
//        [--convert-to handlebars|go] (portolan renders each chart converted first: the dialects' round trip)
//          [--dist DIR] [--timeout SECONDS] [--helm-cache DIR] [--no-cache] [--examples N]
// See bench/corpus/README.md for making a corpus.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  lstatSync,
  readlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { gunzipSync, gzipSync } from 'node:zlib';
import yaml from 'js-yaml';
import { helmHomeEnv } from '../lib/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const RELEASE = 'rel';
const NAMESPACE = 'default';

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const options = {
    corpus: undefined,
    filter: undefined,
    limit: Infinity,
    jobs: 2,
    json: false,
    showDiff: false,
    cli: false,
    dist: join(root, 'dist'),
    timeoutMs: 60_000,
    helmCache: '/work/cache/corpus-helm-cache',
    useCache: true,
    examples: 3,
    convertTo: undefined,
  };
  const value = (i) => {
    if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--filter') options.filter = value(i++);
    else if (arg === '--limit') options.limit = Number(value(i++));
    else if (arg === '--jobs') options.jobs = Math.max(1, Number(value(i++)));
    else if (arg === '--json') options.json = true;
    else if (arg === '--show-diff') options.showDiff = true;
    else if (arg === '--cli') options.cli = true;
    else if (arg === '--dist') options.dist = resolve(value(i++));
    else if (arg === '--timeout') options.timeoutMs = Number(value(i++)) * 1000;
    else if (arg === '--helm-cache') options.helmCache = resolve(value(i++));
    else if (arg === '--no-cache') options.useCache = false;
    else if (arg === '--examples') options.examples = Number(value(i++));
    else if (arg === '--convert-to') options.convertTo = value(i++);
    else if (arg === '--help' || arg === '-h') usage();
    else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
    else if (options.corpus === undefined) options.corpus = resolve(arg);
    else usage(`one CORPUS folder only (got ${options.corpus} and ${arg})`);
  }
  if (options.corpus === undefined) usage('CORPUS (a folder of chart folders) is required');
  if (!existsSync(options.corpus)) usage(`${options.corpus} does not exist`);
  if (!Number.isFinite(options.jobs) || !(options.limit > 0) || !(options.timeoutMs > 0))
    usage('--jobs, --limit and --timeout take positive numbers');
  return options;
}

function usage(problem) {
  if (problem) console.error(`run.mjs: ${problem}`);
  console.error(
    'usage: node bench/corpus/run.mjs CORPUS [--filter S] [--limit N] [--jobs N] [--json] [--show-diff] [--cli] [--dist DIR] [--timeout SECONDS] [--helm-cache DIR] [--no-cache] [--examples N] [--convert-to handlebars|go]',
  );
  process.exit(problem ? 2 : 0);
}

// ---------------------------------------------------------------- the corpus

/**
 * Every folder under `dir` holding a Chart.yaml; a chart's own folders (its subcharts) are not charts of the corpus.
 */
function findCharts(dir, out = []) {
  if (existsSync(join(dir, 'Chart.yaml'))) {
    out.push(dir);
    return out;
  }
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory() && !entry.name.startsWith('.')) findCharts(join(dir, entry.name), out);
  }
  return out;
}

/** A hash of every file of the chart (paths and bytes): the key of helm's cached result. */
function hashChart(dir) {
  const hash = createHash('sha256');
  const walk = (sub) => {
    for (const name of readdirSync(join(dir, sub)).sort()) {
      const rel = sub ? `${sub}/${name}` : name;
      const stat = lstatSync(join(dir, rel));
      if (stat.isDirectory()) walk(rel);
      else if (stat.isSymbolicLink()) hash.update(`L ${rel} ${readlinkSync(join(dir, rel))}\0`);
      else
        hash
          .update(`F ${rel}\0`)
          .update(readFileSync(join(dir, rel)))
          .update('\0');
    }
  };
  walk('');
  return hash.digest('hex');
}

// ---------------------------------------------------------------- running the tools

/** Runs a process to its end, with a time limit; resolves { status, stdout, stderr, ms, timedOut }. */
function run(command, args, { env, timeoutMs }) {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('close', (status) => {
      clearTimeout(timer);
      done({
        status,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - started,
      });
    });
  });
}

/** Runs `tasks` (async functions) with at most `jobs` at once, calling onDone after each. */
async function pool(tasks, jobs, onDone = () => {}) {
  const results = new Array(tasks.length);
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
      onDone(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, lane));
  return results;
}

function helmPath() {
  const path = join(root, '.peers', 'helm');
  if (!existsSync(path)) throw new Error(`${path} missing: run npm run peers`);
  return path;
}

/** Helm with a home of its own, so no repositories or plugins of the machine take part. */
function helmEnvironment() {
  const home = mkdtempSync(join(tmpdir(), 'corpus-helm-'));
  return {
    home,
    env: { ...process.env, ...helmHomeEnv(home) },
  };
}

function firstLine(text) {
  return (
    String(text ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

/** Helm's reason for refusing: its `Error:` line and the indented lines under it, without the log lines before it. */
function helmError(stderr, timedOut) {
  if (timedOut) return 'timed out';
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Error:'));
  if (start < 0) return lines.filter((l) => l.trim() !== '').at(-1) ?? '';
  const end = lines.findIndex((l, i) => i > start && (l.trim() === '' || l.startsWith('Use --debug')));
  return lines
    .slice(start, end < 0 ? undefined : end)
    .map((l) => l.trim())
    .join(' ')
    .replace(/^Error: /, '');
}

/** Renders a chart with helm twice (twice to learn which fields are random), through the cache. */
async function helmResult(chart, hash, context) {
  const args = ['template', RELEASE, chart, '--namespace', NAMESPACE, ...context.kubeArgs];
  // --kube-version is only ever helm's own default, which renders as no flag does: not part of the key.
  const key = createHash('sha256').update(`${context.helmVersion}\0${hash}\0${RELEASE}\0${NAMESPACE}`).digest('hex');
  const file = join(context.options.helmCache, `${key}.json.gz`);
  if (context.options.useCache && existsSync(file)) {
    try {
      const entry = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
      return { ...entry, error: entry.ok ? undefined : helmError(entry.stderr, entry.timedOut), cached: true };
    } catch {
      // A torn or foreign file: render again and overwrite it.
    }
  }
  const first = await run(context.helm, args, { env: context.helmEnv, timeoutMs: context.options.timeoutMs * 2 });
  let entry;
  if (first.status !== 0) {
    // The whole of stderr (its head), so a better reading of helm's message needs no new render.
    entry = { ok: false, stderr: first.stderr.slice(0, 8192), timedOut: first.timedOut, ms: first.ms };
  } else {
    const second = await run(context.helm, args, { env: context.helmEnv, timeoutMs: context.options.timeoutMs * 2 });
    // Without a second render the random fields are unknown: compare this time, but do not keep the result.
    if (second.status !== 0)
      return {
        ok: true,
        text: first.stdout,
        bytesStable: false,
        random: { paths: [], objects: [] },
        ms: first.ms,
        cached: false,
      };
    const random = randomFields(parseManifests(first.stdout), parseManifests(second.stdout));
    // The time of a render is the quicker of the two runs: the slower one is mostly the machine's noise.
    entry = {
      ok: true,
      text: first.stdout,
      bytesStable: first.stdout === second.stdout,
      random,
      ms: Math.min(first.ms, second.ms),
    };
  }
  // A timeout says more about this run's limit and the machine's load than about the chart: not kept.
  if (first.timedOut) return { ...entry, error: helmError(entry.stderr, true), cached: false };
  mkdirSync(context.options.helmCache, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, gzipSync(JSON.stringify(entry)));
  renameSync(temp, file);
  return { ...entry, error: entry.ok ? undefined : helmError(entry.stderr, entry.timedOut), cached: false };
}

/** In-process portolan: worker threads running the built library, one chart at a time each, restarted on a timeout. */
class PortolanPool {
  constructor(dist, size, timeoutMs) {
    this.dist = dist;
    this.timeoutMs = timeoutMs;
    this.idle = [];
    this.waiting = [];
    this.nextId = 0;
    for (let i = 0; i < size; i++) this.idle.push(this.spawn());
  }

  spawn() {
    return new Worker(join(here, 'portolan-worker.mjs'), {
      workerData: { dist: this.dist, convertTo: options.convertTo },
    });
  }

  async render(task) {
    const worker = this.idle.pop() ?? (await new Promise((take) => this.waiting.push(take)));
    const id = this.nextId++;
    const started = performance.now();
    const result = await new Promise((done) => {
      const finish = (value) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        done(value);
      };
      const onMessage = (message) => message.id === id && finish({ value: message, healthy: true });
      const onError = (error) =>
        finish({
          value: { ok: false, error: `worker crashed: ${error?.message ?? error}`, ms: performance.now() - started },
          healthy: false,
        });
      const timer = setTimeout(
        () =>
          finish({
            value: { ok: false, error: `timed out after ${this.timeoutMs / 1000} s`, ms: performance.now() - started },
            healthy: false,
          }),
        this.timeoutMs,
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage({ id, ...task });
    });
    let next = worker;
    if (!result.healthy) {
      void worker.terminate();
      next = this.spawn();
    }
    const take = this.waiting.shift();
    if (take) take(next);
    else this.idle.push(next);
    return result.value;
  }

  async close() {
    await Promise.all(this.idle.map((w) => w.terminate()));
  }
}

/** `node dist/bin/portolan.mjs template ...`: the whole command as a user runs it, process start included. */
async function portolanCli(chart, context) {
  const bin = join(context.options.dist, 'bin', 'portolan.mjs');
  const result = await run(
    process.execPath,
    [bin, 'template', RELEASE, chart, '--namespace', NAMESPACE, ...context.kubeArgs],
    {
      env: { ...process.env, NO_COLOR: '1' },
      timeoutMs: context.options.timeoutMs,
    },
  );
  if (result.status === 0) return { ok: true, text: result.stdout, ms: result.ms };
  const error = result.timedOut
    ? `timed out after ${context.options.timeoutMs / 1000} s`
    : firstLine(result.stderr).replace(/^Error: /, '');
  return { ok: false, error, ms: result.ms };
}

// ---------------------------------------------------------------- comparing

/** Splits a stream of manifests into objects keyed by apiVersion/kind/namespace/name, in document order. */
function parseManifests(text) {
  const objects = new Map();
  const add = (key, value) => {
    let unique = key;
    for (let n = 2; objects.has(unique); n++) unique = `${key} #${n}`;
    objects.set(unique, value);
  };
  const docs = text.split(/^---[ \t]*(?:#.*)?$/m);
  docs.forEach((doc, index) => {
    let value;
    try {
      // json: true lets a repeated key through (the last wins), as Helm's YAML reader does.
      value = yaml.load(doc, { json: true });
    } catch (error) {
      add(`(unparsable document ${index})`, {
        unparsable: doc.replace(/^# Source: .*\n/m, '').trim(),
        error: firstLine(error.message),
      });
      return;
    }
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      add(`(document ${index}: ${Array.isArray(value) ? 'list' : typeof value})`, value);
      return;
    }
    const meta = value.metadata && typeof value.metadata === 'object' ? value.metadata : {};
    add(
      `${value.apiVersion ?? ''}/${value.kind ?? ''}/${meta.namespace ?? ''}/${meta.name ?? meta.generateName ?? ''}`,
      value,
    );
  });
  return objects;
}

const kindOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Every path at which a and b differ (all of them when `all`, else the first), as segment arrays. */
function differences(a, b, path = [], all = true, out = []) {
  if (!all && out.length > 0) return out;
  const ka = kindOf(a);
  if (ka !== kindOf(b)) {
    out.push(path);
    return out;
  }
  if (ka === 'array') {
    if (a.length !== b.length) {
      out.push(path);
      return out;
    }
    for (let i = 0; i < a.length && (all || out.length === 0); i++) differences(a[i], b[i], [...path, i], all, out);
  } else if (ka === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      if (!all && out.length > 0) break;
      if (!(k in a) || !(k in b)) out.push([...path, k]);
      else differences(a[k], b[k], [...path, k], all, out);
    }
  } else if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) {
    out.push(path);
  }
  return out;
}

function formatPath(path) {
  return (
    path
      .map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_][\w-]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
      .join('') || '(whole object)'
  );
}

/** What changes between two renders by helm of the same chart: generated passwords, certificates, uuids, times. */
function randomFields(first, second) {
  const paths = [];
  const objects = [];
  for (const [key, value] of first) {
    if (!second.has(key)) objects.push(key);
    else for (const path of differences(value, second.get(key))) paths.push([key, ...path]);
  }
  for (const key of second.keys()) if (!first.has(key)) objects.push(key);
  return { paths, objects };
}

/** apiVersion/kind/namespace of an object key (its name and any ` #n` dropped). */
const kindKey = (key) => key.split('/').slice(0, -1).join('/');

const isUnder = (path, prefix) => prefix.length <= path.length && prefix.every((s, i) => s === path[i]);

/** A difference that is not a field helm itself renders differently each time. */
function firstDifference(helmObjects, portolanObjects, random) {
  const ignoredObjects = new Set(random.objects);
  const ignoredPaths = random.paths;
  for (const [key, expected] of helmObjects) {
    if (ignoredObjects.has(key)) continue;
    if (!portolanObjects.has(key))
      return {
        object: key,
        path: '(missing)',
        problem: 'object only in helm output',
        helm: expected,
        portolan: undefined,
      };
    const actual = portolanObjects.get(key);
    const diffs = differences(expected, actual).filter(
      (p) => !ignoredPaths.some((r) => r[0] === key && isUnder(p, r.slice(1))),
    );
    if (diffs.length > 0) {
      const path = diffs[0];
      const at = (v) => path.reduce((x, s) => (x === undefined || x === null ? undefined : x[s]), v);
      return {
        object: key,
        path: formatPath(path),
        problem: `${diffs.length} field(s) differ`,
        helm: at(expected),
        portolan: at(actual),
      };
    }
  }
  // An object helm names at random (a test pod `x-test-{{ randAlphaNum 5 }}`) has another name in portolan's output
  // too: each such helm object excuses one unmatched portolan object of the same apiVersion/kind/namespace.
  const randomKinds = new Map();
  for (const key of ignoredObjects)
    if (helmObjects.has(key)) randomKinds.set(kindKey(key), (randomKinds.get(kindKey(key)) ?? 0) + 1);
  for (const [key, extra] of portolanObjects) {
    if (helmObjects.has(key) || ignoredObjects.has(key)) continue;
    const left = randomKinds.get(kindKey(key)) ?? 0;
    if (left > 0) {
      randomKinds.set(kindKey(key), left - 1);
      continue;
    }
    return {
      object: key,
      path: '(extra)',
      problem: 'object only in portolan output',
      helm: undefined,
      portolan: extra,
    };
  }
  return undefined;
}

const withoutSourceLines = (text) => text.replace(/^# Source: .*\n/gm, '');

function compare(helm, portolan) {
  const difference = firstDifference(parseManifests(helm.text), parseManifests(portolan.text), helm.random);
  if (difference) return { outcome: 'differs', difference };
  // Byte equality only means something when helm's own two renders agreed byte for byte.
  const sameBytes = helm.bytesStable ? withoutSourceLines(helm.text) === withoutSourceLines(portolan.text) : null;
  return { outcome: 'same', sameBytes };
}

// ---------------------------------------------------------------- refusal categories

/** An error message with its chart-specific parts (paths, names, numbers) blanked, so like refusals group together. */
function category(message) {
  return firstLine(message)
    .replace(/\/?(?:[\w.@-]+\/)+[\w.@-]+\.(?:ya?ml|tpl|txt|json|tgz)(?::\d+)*/gi, '<file>')
    .replace(/ at <.*?>: /g, ' at <…>: ')
    .replace(/ \(in "[^"]*", included from [^)]*\)/g, ' (in a named template)')
    .replace(/\d+(?:\.\d+)*/g, 'N')
    .replace(/chart "[^"]+"/g, 'chart "<chart>"')
    .replace(/^[\w.-]+: found in Chart.yaml/, '<chart>: found in Chart.yaml')
    .replace(/\s+/g, ' ')
    .slice(0, 160);
}

// ---------------------------------------------------------------- reporting

function truncate(value, max = 120) {
  const text = value === undefined ? '(absent)' : JSON.stringify(value);
  return clip(text, max);
}

function clip(text, max) {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

function dumpFull(value) {
  return value === undefined
    ? '    (absent)'
    : yaml.dump(value, { lineWidth: -1, noRefs: true }).trimEnd().replace(/^/gm, '    ');
}

const percent = (n, d) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}%`);
const seconds = (ms) => (ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

function summarize(charts, timing, context) {
  const count = (f) => charts.filter(f).length;
  const helmRenders = count((c) => c.helm.ok);
  const both = charts.filter((c) => c.helm.ok && c.portolan.ok);
  const sum = (list, f) => list.reduce((t, c) => t + f(c), 0);
  const refusals = new Map();
  for (const c of charts.filter((x) => x.outcome === 'portolan-refused')) {
    const key = category(c.portolan.error);
    if (!refusals.has(key)) refusals.set(key, []);
    refusals.get(key).push(c.name);
  }
  // With --convert-to: what kept templates from converting, by message (variables and quoted names blanked).
  const conversion = new Map();
  for (const c of charts) {
    for (const message of new Set((c.portolan?.problems ?? []).map((m) => m.replace(/\$\w+/g, '$X')))) {
      if (!conversion.has(message)) conversion.set(message, []);
      conversion.get(message).push(c.name);
    }
  }
  return {
    corpus: context.options.corpus,
    helmVersion: context.helmVersion,
    kubeVersion: context.kubeNote,
    mode: context.options.cli ? 'cli' : 'library',
    charts: charts.length,
    helmRenders,
    helmRefused: count((c) => c.outcome === 'helm-refused'),
    same: count((c) => c.outcome === 'same'),
    sameBytes: count((c) => c.outcome === 'same' && c.sameBytes === true),
    differs: count((c) => c.outcome === 'differs'),
    portolanRefused: count((c) => c.outcome === 'portolan-refused'),
    // With --convert-to: charts whose every template converted, and of those, the ones rendering the same objects.
    convertedFully: count((c) => c.helm.ok && c.portolan.ok && (c.portolan.partial ?? []).length === 0),
    convertedFullySame: count((c) => c.outcome === 'same' && (c.portolan.partial ?? []).length === 0),
    conversionProblems: [...conversion]
      .sort((a, b) => b[1].length - a[1].length)
      .map(([message, names]) => ({ message, count: names.length, charts: names })),
    refusalCategories: [...refusals]
      .sort((a, b) => b[1].length - a[1].length)
      .map(([message, names]) => ({ message, count: names.length, charts: names })),
    time: {
      wallMs: timing,
      helmMs: sum(charts, (c) => c.helm.ms ?? 0),
      portolanMs: sum(charts, (c) => c.portolan?.ms ?? 0),
      bothRender: both.length,
      helmMsBothRender: sum(both, (c) => c.helm.ms),
      portolanMsBothRender: sum(both, (c) => c.portolan.ms),
      helmCached: count((c) => c.helm.cached),
    },
  };
}

function printReport(summary, charts, options) {
  const lines = [];
  const p = (s = '') => lines.push(s);
  for (const c of charts.filter((x) => x.outcome === 'differs')) {
    const d = c.difference;
    p(`differs   ${c.name}: ${d.object} ${d.path} (${d.problem})`);
    if (options.showDiff) {
      p(`  helm:\n${dumpFull(d.helm)}\n  portolan:\n${dumpFull(d.portolan)}`);
    } else {
      p(`  helm:     ${truncate(d.helm)}`);
      p(`  portolan: ${truncate(d.portolan)}`);
    }
  }
  for (const c of charts.filter((x) => x.outcome === 'helm-refused'))
    p(`helm refuses ${c.name}: ${clip(c.helm.error, 200)}`);
  if (summary.refusalCategories.length > 0) {
    p();
    p(
      `portolan refusals by message (${summary.portolanRefused} charts, ${summary.refusalCategories.length} distinct messages):`,
    );
    for (const r of summary.refusalCategories) {
      const shown = r.charts.slice(0, options.examples).join(', ');
      p(`  ${String(r.count).padStart(4)}  ${r.message}`);
      if (options.examples > 0) p(`        e.g. ${shown}${r.charts.length > options.examples ? ', …' : ''}`);
    }
  }
  if (summary.conversionProblems.length > 0) {
    p();
    p(`templates left unconverted (copied as they are), by the problem reported; charts with that problem:`);
    for (const r of summary.conversionProblems) {
      p(`  ${String(r.count).padStart(4)}  ${r.message}`);
      if (options.examples > 0)
        p(
          `        e.g. ${r.charts.slice(0, options.examples).join(', ')}${r.charts.length > options.examples ? ', …' : ''}`,
        );
    }
  }
  const renders = summary.helmRenders;
  const t = summary.time;
  p();
  p(
    `corpus ${summary.corpus}: ${summary.charts} charts; helm ${summary.helmVersion} renders ${renders}, refuses ${summary.helmRefused} (left out of the percentages)`,
  );
  p(`  ${summary.kubeVersion}`);
  p(
    `  same        ${String(summary.same).padStart(5)}  ${percent(summary.same, renders)}   (same bytes without "# Source:" lines: ${summary.sameBytes})`,
  );
  if (options.convertTo)
    p(
      `  converted to ${options.convertTo}: ${summary.convertedFully} charts fully (every template), ${summary.convertedFullySame} of them rendering the same objects`,
    );
  p(`  differs     ${String(summary.differs).padStart(5)}  ${percent(summary.differs, renders)}`);
  p(
    `  refused     ${String(summary.portolanRefused).padStart(5)}  ${percent(summary.portolanRefused, renders)}   (by portolan)`,
  );
  p(
    `time: wall ${seconds(t.wallMs.total)} (helm phase ${seconds(t.wallMs.helm)}, ${t.helmCached} of ${summary.charts} from the cache; portolan phase ${seconds(t.wallMs.portolan)}, ${summary.mode === 'cli' ? 'a process per chart' : 'in process, worker threads'})`,
  );
  p(`  sum over all charts: helm ${seconds(t.helmMs)} (a process per chart), portolan ${seconds(t.portolanMs)}`);
  if (t.bothRender > 0) {
    p(
      `  charts both render (${t.bothRender}): helm ${seconds(t.helmMsBothRender)}, portolan ${seconds(t.portolanMsBothRender)}, ratio portolan/helm ${(t.portolanMsBothRender / t.helmMsBothRender).toFixed(3)}`,
    );
  } else {
    p('  charts both render: none, so no time ratio');
  }
  console.log(lines.join('\n'));
}

// ---------------------------------------------------------------- main

const options = parseArgs(process.argv.slice(2));
const started = performance.now();
let charts = findCharts(options.corpus).map((dir) => ({ dir, name: relative(options.corpus, dir) || '.' }));
if (options.filter !== undefined) charts = charts.filter((c) => c.name.includes(options.filter));
charts = charts.slice(0, options.limit);
const progress = (label) => (i) => {
  if (!options.json && process.stderr.isTTY) process.stderr.write(`\r${label} ${i + 1}/${charts.length}   `);
};

const helm = helmPath();
const { home: helmHome, env: helmEnv } = helmEnvironment();
const helmVersion = (await run(helm, ['version', '--short'], { env: helmEnv, timeoutMs: 30_000 })).stdout.trim();
const context = { options, helm, helmEnv, helmVersion, kubeArgs: [], kubeNote: '' };

const portolanPool = options.cli ? undefined : new PortolanPool(options.dist, options.jobs, options.timeoutMs);
const renderPortolan = (dir) =>
  options.cli
    ? portolanCli(dir, context)
    : portolanPool.render({ chart: dir, release: RELEASE, namespace: NAMESPACE, kubeVersion: context.kubeVersion });

// Each tool's default .Capabilities.KubeVersion, from a one-template chart: the two get the same --kube-version
// only when the defaults differ (helm 4.1.4 says v1.35.0).
const probe = mkdtempSync(join(tmpdir(), 'corpus-probe-'));
mkdirSync(join(probe, 'templates'));
writeFileSync(join(probe, 'Chart.yaml'), 'apiVersion: v2\nname: probe\nversion: 0.1.0\n');
writeFileSync(join(probe, 'templates', 'kube.yaml'), 'kubeVersion: "{{ .Capabilities.KubeVersion.Version }}"\n');
const probeValue = (result) =>
  result.ok ? (yaml.load(withoutSourceLines(result.text).replace(/^---\n/, '')) ?? {}).kubeVersion : undefined;
const helmProbe = await run(helm, ['template', RELEASE, probe], { env: helmEnv, timeoutMs: 30_000 });
const helmKube = probeValue({ ok: helmProbe.status === 0, text: helmProbe.stdout });
const portolanKube = probeValue(await renderPortolan(probe));
// When portolan cannot render the probe its default is unknown: helm's, given to both, is then the safe choice.
if (helmKube && helmKube !== portolanKube) {
  context.kubeArgs = ['--kube-version', helmKube];
  context.kubeVersion = helmKube;
  context.kubeNote = `default KubeVersion: helm ${helmKube}, portolan ${portolanKube ?? '? (probe chart refused)'}: both given --kube-version ${helmKube}`;
} else {
  context.kubeNote = `default KubeVersion: helm ${helmKube ?? '? (probe chart refused)'}, portolan ${portolanKube ?? '?'}${helmKube ? ' (the same: no --kube-version)' : ''}`;
}
rmSync(probe, { recursive: true, force: true });

// Helm first (mostly from the cache), then portolan: each phase's wall time is one tool's alone.
const helmStarted = performance.now();
const helmResults = await pool(
  charts.map((c) => () => helmResult(c.dir, hashChart(c.dir), context)),
  options.jobs,
  progress('helm'),
);
const helmWall = performance.now() - helmStarted;
const portolanStarted = performance.now();
const portolanResults = await pool(
  charts.map((c, i) => () => (helmResults[i].ok ? renderPortolan(c.dir) : Promise.resolve(undefined))),
  options.jobs,
  progress('portolan'),
);
const portolanWall = performance.now() - portolanStarted;
await portolanPool?.close();
rmSync(helmHome, { recursive: true, force: true });
if (!options.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');

const results = charts.map((c, i) => {
  const h = helmResults[i];
  const p = portolanResults[i];
  const entry = {
    name: c.name,
    helm: { ok: h.ok, ms: h.ms, cached: h.cached, error: h.error },
    portolan: p && {
      ok: p.ok,
      ms: p.ms,
      error: p.error,
      code: p.code,
      where: p.where,
      partial: p.partial,
      problems: p.problems,
    },
  };
  if (!h.ok) return { ...entry, outcome: 'helm-refused' };
  if (!p.ok) return { ...entry, outcome: 'portolan-refused' };
  return { ...entry, ...compare(h, p) };
});
const summary = summarize(
  results,
  { total: performance.now() - started, helm: helmWall, portolan: portolanWall },
  context,
);
if (options.json) console.log(JSON.stringify({ summary, charts: results }, null, 2));
else printReport(summary, results, options);
