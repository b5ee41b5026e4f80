// rollback NAME [REVISION]: re-apply a stored revision's manifest (0 or none: the one before the last) as a new
// revision "Rollback to N", deleting objects the later revisions added; the previous deployed one is superseded.
import { PortolanError } from '../errors.js';
import type { KubeObject } from '../cluster/index.js';
import { refKey } from '../cluster/index.js';
import { setOptions, type ActionConfig } from './config.js';
import type { DryRun } from './install.js';
import {
  DEFAULT_TIMEOUT_MS,
  cleanupCreated,
  deploy,
  failureText,
  now,
  objectsOf,
  preflight,
  recordFailure,
  recoverInterrupted,
  requireCluster,
  supersedeOthers,
  warn,
  withLock,
  type DeployOptions,
  type DeployState,
  type RunMode,
} from './operation.js';
import { checkReleaseName } from './record.js';
import type { ReleaseRecord } from './types.js';
import { messageOf } from '../errors.js';

/** How a rollback is configured, one field per flag (Helm's action.Rollback); every field has a default. */
export interface RollbackOptions {
  releaseName: string;
  /** 0: the revision before the last. */
  revision: number;
  wait: boolean;
  waitForJobs: boolean;
  timeoutMs: number;
  cleanupOnFail: boolean;
  noHooks: boolean;
  historyMax: number;
  forceConflicts: boolean;
  /** Anything but 'none' is a server-side dry run (there is nothing to render on the client). */
  dryRun: DryRun;
  description?: string;
}

export class Rollback implements RollbackOptions {
  releaseName = '';
  revision = 0;
  wait = false;
  waitForJobs = false;
  timeoutMs = DEFAULT_TIMEOUT_MS;
  cleanupOnFail = false;
  noHooks = false;
  historyMax = 10;
  forceConflicts = false;
  dryRun: DryRun = 'none';
  description?: string;

  constructor(
    private readonly cfg: ActionConfig,
    options: Partial<RollbackOptions> = {},
  ) {
    setOptions<RollbackOptions>(this, options);
  }

  async run(): Promise<ReleaseRecord> {
    checkReleaseName(this.releaseName);
    requireCluster(this.cfg);
    if (this.dryRun !== 'none') return this.perform({ dryRun: true }, await this.cfg.storage.history(this.releaseName));
    return withLock(this.cfg, this.releaseName, 'rollback', async (lock) => {
      const history = await recoverInterrupted(
        this.cfg,
        await this.cfg.storage.history(this.releaseName),
        lock,
        'rollback',
      );
      return this.perform({ dryRun: false, lock }, history);
    });
  }

  /** The rollback proper, under a lock already held or as a dry run (also used by `upgrade --rollback-on-failure`). */
  async perform(mode: RunMode, history: ReleaseRecord[]): Promise<ReleaseRecord> {
    const cfg = this.cfg;
    const cluster = requireCluster(cfg);
    const last = history[history.length - 1];
    if (!last)
      throw new PortolanError('NOT_FOUND', `release "${this.releaseName}" not found in namespace "${cfg.namespace}"`, {
        hint: 'List releases with `portolan list -A`.',
      });
    const wanted = this.revision > 0 ? this.revision : last.revision - 1;
    const target = history.find((r) => r.revision === wanted);
    if (!target) {
      throw new PortolanError(
        'NOT_FOUND',
        wanted < 1
          ? `release "${this.releaseName}" has only revision ${last.revision}; there is no earlier revision to roll back to`
          : `release "${this.releaseName}" has no revision ${wanted}`,
        {
          hint: `Revisions kept: ${history.map((r) => r.revision).join(', ')} (see \`portolan history ${this.releaseName}\`).`,
        },
      );
    }
    const record: ReleaseRecord = {
      ...structuredClone(target),
      revision: last.revision + 1,
      status: 'pending-rollback',
      description: this.description ?? `Rollback to ${target.revision}`,
      firstDeployed: history[0]?.firstDeployed ?? target.firstDeployed,
      lastDeployed: now(cfg),
    };
    delete record.deleted;
    for (const h of record.hooks) delete h.lastRun;
    cfg.storage.prepare(record);
    const objects = await objectsOf(cluster, record);
    // What may have to go: the objects of the last revision and of the deployed one (they differ after a failure).
    const deployed = [...history].reverse().find((r) => r.status === 'deployed');
    const previous = new Map<string, KubeObject>();
    for (const r of deployed && deployed !== last ? [last, deployed] : [last]) {
      if (r.status === 'uninstalled') continue;
      for (const o of await objectsOf(cluster, r)) previous.set(refKey(o), o);
    }
    const state: DeployState = { created: [], pruned: [], kept: [] };
    const options: DeployOptions = {
      event: 'rollback',
      noHooks: this.noHooks,
      wait: this.wait,
      waitForJobs: this.waitForJobs,
      timeoutMs: this.timeoutMs,
      forceConflicts: this.forceConflicts,
    };
    const existing = await preflight(cfg, record, objects, [...previous.values()], false);
    if (mode.dryRun) {
      await deploy(cfg, mode, record, objects, [...previous.values()], existing, options, state);
      record.description = 'Dry run complete';
      return record;
    }
    await cfg.storage.create(record);
    try {
      await deploy(cfg, mode, record, objects, [...previous.values()], existing, options, state);
    } catch (err) {
      record.status = 'failed';
      record.description = `Rollback "${record.name}" failed: ${failureText(err)}`;
      await recordFailure(cfg, record, err);
      if (this.cleanupOnFail)
        await cleanupCreated(cfg, state).catch((e: unknown) =>
          warn(cfg, `--cleanup-on-fail could not delete everything: ${messageOf(e)}`),
        );
      throw err;
    }
    record.status = 'deployed';
    await cfg.storage.update(record);
    await supersedeOthers(cfg, history, record.revision);
    await cfg.storage.prune(record.name, this.historyMax);
    return record;
  }
}
