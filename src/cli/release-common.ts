// What the release commands share at the terminal edge: their flags (--driver, durations), connecting to the
// cluster and configuring the actions, progress on a TTY, and the output formats (Helm's table and JSON shapes).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { ClusterClient } from '../cluster/index.js';
import { UsageError } from '../errors.js';
import type { ActionConfig, DryRun, ReleaseEvent, ReleaseRecord } from '../release/index.js';
import { colours, type CliIo } from './io.js';
import { withClusterFlags } from './flags.js';

/** --driver and the cluster flags. */
export function withReleaseFlags<T>(y: Argv<T>) {
  return withClusterFlags(y).option('driver', {
    type: 'string',
    describe: 'Where release records are kept: secret (default), configmap or memory (env PORTOLAN_DRIVER)',
    requiresArg: true,
  });
}

export function withLockFlag<T>(y: Argv<T>) {
  return y.option('lock-duration', {
    type: 'string',
    default: '60s',
    describe: 'How long the release lock outlives its last renewal if this process dies (renewed every third of it)',
    requiresArg: true,
  });
}

/** The flags withReleaseFlags (and withLockFlag) declare, as run() receives them. */
export interface ReleaseFlags {
  kubeconfig?: string;
  kubeContext?: string;
  namespace?: string;
  driver?: string;
  lockDuration?: string;
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration (`5m`, `1m30s`, `300ms`, `1.5h`); a plain number is seconds. Returns milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let at = 0;
  let matched = false;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    at = re.lastIndex;
    matched = true;
  }
  if (!matched || at !== t.length) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration`, {
      flag,
      hint: 'Write it like 30s, 5m, 1m30s or 1h (a plain number is seconds).',
    });
  }
  return total;
}

export interface ReleaseContext {
  cfg: ActionConfig;
  client?: ClusterClient;
  /** Ends a progress line still open on the terminal, and closes the connection. */
  close(): void;
}

/**
 * Connects to the cluster of --kubeconfig/--kube-context and configures the actions for -n (or the context's
 * namespace).
 */
export async function releaseContext(
  args: ReleaseFlags,
  io: CliIo,
  options: { allNamespaces?: boolean; offline?: boolean } = {},
): Promise<ReleaseContext> {
  const { actionConfig, driverName } = await import('../release/index.js');
  const driver = driverName(args.driver, io.env);
  const lockDurationMs =
    args.lockDuration === undefined ? undefined : parseDuration(args.lockDuration, '--lock-duration');
  const onEvent = progressReporter(io);
  if (options.offline) {
    const namespace = args.namespace ?? 'default';
    return { cfg: actionConfig(undefined, { namespace, driver: 'memory', onEvent }), close: () => onEvent.end() };
  }
  const { connect } = await import('../cluster/index.js');
  const client = await connect({
    kubeconfig: args.kubeconfig === undefined ? undefined : resolve(io.cwd, args.kubeconfig),
    context: args.kubeContext,
    namespace: args.namespace,
    env: io.env,
    discoveryCacheDir: discoveryCacheDir(io.env),
  });
  const cfg = actionConfig(client, {
    namespace: client.namespace,
    driver,
    lockDurationMs,
    onEvent,
    allNamespaces: options.allNamespaces,
  });
  return {
    cfg,
    client,
    close: () => {
      onEvent.end();
      client.close();
    },
  };
}

/** $XDG_CACHE_HOME/portolan/discovery (else ~/.cache/…), as kubectl keeps ~/.kube/cache/discovery. */
function discoveryCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'portolan', 'discovery');
}

/** Runs `fn` with a release context and closes it afterwards (before an error is printed, so it starts a line). */
export async function withRelease<T>(
  args: ReleaseFlags,
  io: CliIo,
  fn: (ctx: ReleaseContext) => Promise<T>,
  options: { allNamespaces?: boolean; offline?: boolean } = {},
): Promise<T> {
  const ctx = await releaseContext(args, io, options);
  try {
    return await fn(ctx);
  } finally {
    ctx.close();
  }
}

/** Reports release events; `end()` finishes a live progress line so that what is printed next starts a line. */
export type ProgressReporter = ((event: ReleaseEvent) => void) & { end(): void };

/**
 * Warnings always go to stderr; on a TTY, steps, hooks and a live line of what the wait is still waiting for
 * (and why) too.
 */
export function progressReporter(io: CliIo): ProgressReporter {
  const c = colours(io);
  let live = false;
  const clear = () => {
    if (live) io.stderr('\r\u001b[K');
    live = false;
  };
  const report = (event: ReleaseEvent) => {
    if (event.type === 'warning') {
      clear();
      io.stderr(`${c.yellow('Warning:')} ${event.message}\n`);
      return;
    }
    if (!io.isTTY) return;
    if (event.type === 'step') {
      clear();
      io.stderr(`${c.dim(event.message)}\n`);
    } else if (event.type === 'hook') {
      if (event.phase === 'Running') return;
      clear();
      io.stderr(
        `${c.dim(`${event.hook.events.includes('test') ? 'test' : 'hook'} ${event.hook.kind} ${event.hook.name}: ${event.phase}`)}\n`,
      );
    } else if (event.type === 'wait') {
      const p = event.progress;
      clear();
      if (p.pending.length === 0) {
        io.stderr(`${c.dim(`all ${p.total} objects ready after ${(p.elapsedMs / 1000).toFixed(1)}s`)}\n`);
        return;
      }
      const shown = p.pending
        .slice(0, 2)
        .map((x) => `${x.ref} (${x.reason})`)
        .join(', ');
      const more = p.pending.length > 2 ? ` and ${p.pending.length - 2} more` : '';
      const columns = process.stderr.columns ?? 120;
      const line = `waiting ${(p.elapsedMs / 1000).toFixed(0)}s: ${p.ready}/${p.total} ready; ${shown}${more}`;
      io.stderr(line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line);
      live = true;
    }
  };
  // The last progress line stays visible (what was still pending), ended so an error does not continue it.
  return Object.assign(report, {
    end: () => {
      if (live) io.stderr('\n');
      live = false;
    },
  });
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go's ANSIC layout in UTC, as Helm prints LAST DEPLOYED: `Tue Dec  1 20:44:04 2026`. */
export function ansiTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** Go's time.String() in UTC, as `helm list` prints UPDATED: `2026-12-01 20:44:04.841 +0000 UTC`. */
export function goTimeString(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} +0000 UTC`;
}

export function chartLabel(r: ReleaseRecord): string {
  return `${r.chart.metadata.name}-${r.chart.metadata.version}`;
}

/** A release in Helm's JSON shape (`helm status -o json` / `install -o json`). */
export function releaseJson(r: ReleaseRecord, options: { withChart?: boolean } = {}): Record<string, unknown> {
  return {
    name: r.name,
    info: {
      first_deployed: r.firstDeployed,
      last_deployed: r.lastDeployed,
      ...(r.deleted ? { deleted: r.deleted } : {}),
      description: r.description,
      status: r.status,
      ...(r.notes ? { notes: r.notes } : {}),
    },
    ...(options.withChart ? { chart: { metadata: r.chart.metadata } } : {}),
    // helm leaves out empty config, manifest and hooks (omitempty).
    ...(Object.keys(r.config).length > 0 ? { config: r.config } : {}),
    ...(r.manifest ? { manifest: r.manifest } : {}),
    ...(r.hooks.length > 0
      ? {
          hooks: r.hooks.map((h) => ({
            name: h.name,
            kind: h.kind,
            path: h.path,
            manifest: h.manifest,
            events: h.events,
            ...(h.weight !== 0 ? { weight: h.weight } : {}),
            ...(h.deletePolicies.length > 0 ? { delete_policies: h.deletePolicies } : {}),
            last_run: h.lastRun
              ? {
                  started_at: h.lastRun.startedAt,
                  ...(h.lastRun.completedAt ? { completed_at: h.lastRun.completedAt } : {}),
                  phase: h.lastRun.phase,
                }
              : { phase: '' },
          })),
        }
      : {}),
    version: r.revision,
    namespace: r.namespace,
  };
}

/** JSON in Go's manner (keys in the order given, `<>&` escaped, big integers exact), on one line. */
export function jsonText(data: unknown): string {
  let hasBig = false;
  const text = JSON.stringify(data, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    hasBig = true;
    return `\u0000big:${v.toString()}\u0000`;
  });
  const escaped = (text ?? 'null').replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return hasBig ? escaped.replace(/"\\u0000big:(-?\d+)\\u0000"/g, '$1') : escaped;
}

/** JSON (one line) or YAML of plain data. */
export async function machineOutput(format: string, data: unknown): Promise<string> {
  if (format === 'json') return `${jsonText(data)}\n`;
  const { toYamlValue } = await import('../yaml-emit.js');
  return toYamlValue(data);
}

/** The header `install`, `upgrade` and `status` print. */
export function statusHeader(r: ReleaseRecord): string {
  return [
    `NAME: ${r.name}`,
    `LAST DEPLOYED: ${ansiTime(r.lastDeployed)}`,
    `NAMESPACE: ${r.namespace}`,
    `STATUS: ${r.status}`,
    `REVISION: ${r.revision}`,
    `DESCRIPTION: ${r.description}`,
    '',
  ].join('\n');
}

export function notesSection(r: ReleaseRecord): string {
  return r.notes.trim() === '' ? '' : `NOTES:\n${r.notes.endsWith('\n') ? r.notes : `${r.notes}\n`}`;
}

/** The table form of a release after install/upgrade (and their dry runs, with hooks and manifest). */
export function releaseText(r: ReleaseRecord, options: { dryRun?: boolean } = {}): string {
  let out = statusHeader(r);
  if (options.dryRun) {
    if (r.hooks.length > 0)
      out += `HOOKS:\n${r.hooks.map((h) => `---\n# Source: ${h.path}\n${h.manifest}\n`).join('')}`;
    out += `MANIFEST:\n${r.manifest}\n`;
  }
  return out + notesSection(r);
}

export function printWarnings(io: CliIo, warnings: string[]): void {
  for (const w of warnings) io.stderr(`${colours(io).yellow('Warning:')} ${w}\n`);
}

/** --dry-run takes `client` (the default when no value is given), `server`, or is absent. */
export function dryRunMode(value: string | undefined): DryRun {
  if (value === undefined || value === 'none' || value === 'false') return 'none';
  if (value === '' || value === 'client' || value === 'true') return 'client';
  if (value === 'server') return 'server';
  throw new UsageError(`--dry-run ${JSON.stringify(value)}: expected client or server`, { flag: '--dry-run' });
}

/** --history-max: a whole number, 0 for no limit. */
export function historyMax(value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new UsageError(`--history-max must be a whole number (0 for no limit), got ${String(value)}`, {
      flag: '--history-max',
    });
  return value;
}
