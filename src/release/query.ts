// Reading releases: list, history, status (with the readiness of the live objects), and `test`, which runs a
// release's test hooks and records how each went.
import { describeRef, readiness } from '../cluster/index.js';
import { PortolanError, UsageError, messageOf } from '../errors.js';
import { setOptions, type ActionConfig } from './config.js';
import { hooksFor, runHooks } from './hooks.js';
import { DEFAULT_TIMEOUT_MS, objectsOf, requireCluster, withLock } from './operation.js';
import { checkReleaseName } from './record.js';
import type { HookRecord, ReleaseRecord, ReleaseStatus } from './types.js';

export interface ListOptions {
  /** A regular expression release names must match. */
  filter?: string;
  /** Only releases whose latest revision has one of these statuses (empty: any but uninstalled, unless `all`). */
  states: ReleaseStatus[];
  /** Include releases uninstalled with --keep-history. */
  all: boolean;
  sortByDate: boolean;
  reverse: boolean;
  /** At most this many (0: no limit), after skipping `offset`. */
  max: number;
  offset: number;
}

export class List implements ListOptions {
  filter?: string;
  states: ReleaseStatus[] = [];
  all = false;
  sortByDate = false;
  reverse = false;
  max = 256;
  offset = 0;

  constructor(
    private readonly cfg: ActionConfig,
    options: Partial<ListOptions> = {},
  ) {
    setOptions<ListOptions>(this, options);
  }

  async run(): Promise<ReleaseRecord[]> {
    let pattern: RegExp | undefined;
    if (this.filter !== undefined) {
      try {
        pattern = new RegExp(this.filter);
      } catch (err) {
        throw new UsageError(
          `--filter ${JSON.stringify(this.filter)} is not a valid regular expression: ${messageOf(err)}`,
          { flag: '--filter' },
        );
      }
    }
    let releases = await this.cfg.storage.latestOfEach();
    releases = releases.filter((r) =>
      this.states.length > 0 ? this.states.includes(r.status) : this.all || r.status !== 'uninstalled',
    );
    if (pattern) releases = releases.filter((r) => pattern.test(r.name));
    if (this.sortByDate) releases.sort((a, b) => Date.parse(a.lastDeployed) - Date.parse(b.lastDeployed));
    if (this.reverse) releases.reverse();
    releases = releases.slice(this.offset);
    return this.max > 0 ? releases.slice(0, this.max) : releases;
  }
}

function notFound(name: string, namespace: string): PortolanError {
  return new PortolanError('NOT_FOUND', `release "${name}" not found in namespace "${namespace}"`, {
    hint: 'List releases with `portolan list -A`, or pick the namespace with -n.',
  });
}

export interface HistoryOptions {
  /** The newest `max` revisions (0: all). */
  max: number;
}

export class History implements HistoryOptions {
  max = 256;

  constructor(
    private readonly cfg: ActionConfig,
    options: Partial<HistoryOptions> = {},
  ) {
    setOptions<HistoryOptions>(this, options);
  }

  /** Revisions, oldest first. */
  async run(name: string): Promise<ReleaseRecord[]> {
    checkReleaseName(name);
    const history = await this.cfg.storage.history(name);
    if (history.length === 0) throw notFound(name, this.cfg.namespace);
    return this.max > 0 ? history.slice(-this.max) : history;
  }
}

export interface ResourceState {
  ref: string;
  kind: string;
  apiVersion: string;
  name: string;
  namespace?: string;
  exists: boolean;
  ready: boolean;
  reason: string;
}

export interface StatusOptions {
  /** 0: the latest revision. */
  revision: number;
  /** Look up each object of the manifest and report whether it is ready. */
  showResources: boolean;
}

export class Status implements StatusOptions {
  revision = 0;
  showResources = false;

  constructor(
    private readonly cfg: ActionConfig,
    options: Partial<StatusOptions> = {},
  ) {
    setOptions<StatusOptions>(this, options);
  }

  async run(name: string): Promise<{ release: ReleaseRecord; resources?: ResourceState[] }> {
    const release = await getRevision(this.cfg, name, this.revision);
    if (!this.showResources || !this.cfg.cluster || release.status === 'uninstalled') return { release };
    const cluster = this.cfg.cluster;
    const objects = await objectsOf(cluster, release);
    const resources = await Promise.all(
      objects.map(async (o): Promise<ResourceState> => {
        const base = {
          ref: describeRef(o),
          kind: o.kind,
          apiVersion: o.apiVersion,
          name: o.metadata.name,
          namespace: o.metadata.namespace,
        };
        const live = await cluster.get(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace);
        if (!live) return { ...base, exists: false, ready: false, reason: 'not found' };
        const r = readiness(live);
        return { ...base, exists: true, ready: r.ready, reason: r.reason };
      }),
    );
    return { release, resources };
  }
}

/** One revision (0: the latest), or NOT_FOUND naming what exists. */
export async function getRevision(cfg: ActionConfig, name: string, revision: number): Promise<ReleaseRecord> {
  checkReleaseName(name);
  if (revision > 0) {
    const record = await cfg.storage.get(name, revision);
    if (record) return record;
    const history = await cfg.storage.history(name);
    if (history.length === 0) throw notFound(name, cfg.namespace);
    throw new PortolanError('NOT_FOUND', `release "${name}" has no revision ${revision}`, {
      hint: `Revisions kept: ${history.map((r) => r.revision).join(', ')}.`,
    });
  }
  const last = await cfg.storage.last(name);
  if (!last) throw notFound(name, cfg.namespace);
  return last;
}

export interface TestResult {
  release: ReleaseRecord;
  tests: HookRecord[];
  failed: number;
}

export interface TestOptions {
  timeoutMs: number;
  /** Only tests with these names (empty: all). */
  filter: string[];
}

export class ReleaseTest implements TestOptions {
  timeoutMs = DEFAULT_TIMEOUT_MS;
  filter: string[] = [];

  constructor(
    private readonly cfg: ActionConfig,
    options: Partial<TestOptions> = {},
  ) {
    setOptions<TestOptions>(this, options);
  }

  /**
   * Runs every test hook of the deployed revision (all of them, even after a failure) and stores each one's last run.
   */
  async run(name: string): Promise<TestResult> {
    checkReleaseName(name);
    const cluster = requireCluster(this.cfg);
    return withLock(this.cfg, name, 'test', async () => {
      const history = await this.cfg.storage.history(name);
      if (history.length === 0) throw notFound(name, this.cfg.namespace);
      // The deployed revision: after a failed upgrade that is the one still running.
      const release = [...history].reverse().find((r) => r.status === 'deployed');
      if (!release) {
        const last = history[history.length - 1]!;
        throw new PortolanError(
          'RELEASE',
          `release "${name}" has no deployed revision (revision ${last.revision} is ${last.status}); there is nothing to test`,
          { hint: 'Upgrade or roll it back first.' },
        );
      }
      const tests = hooksFor(release.hooks, 'test').filter(
        (h) => this.filter.length === 0 || this.filter.includes(h.name),
      );
      let failed = 0;
      try {
        await runHooks(cluster, tests, 'test', {
          release,
          timeoutMs: this.timeoutMs,
          now: this.cfg.now,
          continueOnFailure: true,
          onHook: (hook, phase) => this.cfg.onEvent?.({ type: 'hook', event: 'test', hook, phase }),
        });
      } catch {
        failed = tests.filter((t) => t.lastRun?.phase === 'Failed').length;
      }
      await this.cfg.storage.update(release);
      return { release, tests, failed };
    });
  }
}
