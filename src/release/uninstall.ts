// uninstall NAME: mark the release uninstalling, run pre-delete hooks, delete its objects in reverse install order
// (resource-policy keep honoured), optionally wait until they are gone, run post-delete hooks, then delete the
// history (or, with --keep-history, mark the last revision uninstalled).
import type { ObjectRef, Propagation } from '../cluster/index.js';
import { refKey } from '../cluster/index.js';
import { PortolanError } from '../errors.js';
import { setOptions, type ActionConfig } from './config.js';
import { runHooks } from './hooks.js';
import { deleteInReverseOrder, toRef } from './objects.js';
import {
  DEFAULT_TIMEOUT_MS,
  emit,
  failureText,
  now,
  objectsOf,
  recoverInterrupted,
  requireCluster,
  withLock,
} from './operation.js';
import { checkReleaseName } from './record.js';
import type { ReleaseRecord } from './types.js';

export interface UninstallResult {
  /** Undefined when the release did not exist and ignoreNotFound was set. */
  release?: ReleaseRecord;
  deleted: ObjectRef[];
  kept: ObjectRef[];
}

/** How an uninstall is configured, one field per flag (Helm's action.Uninstall); every field has a default. */
export interface UninstallOptions {
  keepHistory: boolean;
  wait: boolean;
  timeoutMs: number;
  ignoreNotFound: boolean;
  noHooks: boolean;
  /** Only find the release; change nothing (and take no lock). */
  dryRun: boolean;
  description?: string;
  cascade: Propagation;
}

export class Uninstall implements UninstallOptions {
  keepHistory = false;
  wait = false;
  timeoutMs = DEFAULT_TIMEOUT_MS;
  ignoreNotFound = false;
  noHooks = false;
  dryRun = false;
  description?: string;
  cascade: Propagation = 'Background';

  constructor(
    private readonly cfg: ActionConfig,
    options: Partial<UninstallOptions> = {},
  ) {
    setOptions<UninstallOptions>(this, options);
  }

  async run(name: string): Promise<UninstallResult> {
    checkReleaseName(name);
    const cfg = this.cfg;
    const cluster = requireCluster(cfg);
    const probe = await cfg.storage.history(name);
    if (probe.length === 0) {
      if (this.ignoreNotFound) return { deleted: [], kept: [] };
      throw new PortolanError('NOT_FOUND', `release "${name}" not found in namespace "${cfg.namespace}"`, {
        hint: 'List releases with `portolan list -A`; --ignore-not-found treats this as done.',
      });
    }
    if (this.dryRun) return { release: probe[probe.length - 1], deleted: [], kept: [] };
    return withLock(cfg, name, 'uninstall', async (lock) => {
      const history = await recoverInterrupted(cfg, await cfg.storage.history(name), lock, 'uninstall');
      const last = history[history.length - 1];
      if (!last) return { deleted: [], kept: [] };
      if (last.status === 'uninstalled') {
        if (this.keepHistory)
          throw new PortolanError('RELEASE', `release "${name}" is already uninstalled (revision ${last.revision})`, {
            hint: 'Run uninstall without --keep-history to delete its history.',
          });
        for (const r of history) await cfg.storage.delete(r);
        return { release: last, deleted: [], kept: [] };
      }
      last.status = 'uninstalling';
      last.description = 'Deletion in progress (or silently failed)';
      await cfg.storage.update(last);
      const hookOptions = {
        release: last,
        timeoutMs: this.timeoutMs,
        now: cfg.now,
        onHook: (hook: ReleaseRecord['hooks'][number], phase: 'Unknown' | 'Running' | 'Succeeded' | 'Failed') =>
          cfg.onEvent?.({ type: 'hook', event: 'delete', hook, phase }),
      };
      try {
        if (!this.noHooks) await runHooks(cluster, last.hooks, 'pre-delete', hookOptions);
        lock.check();
        // Objects of the last revision, and of a deployed one if the last failed half-way.
        const refs = new Map<string, ObjectRef>();
        const deployed = [...history].reverse().find((r) => r.status === 'deployed');
        for (const r of deployed && deployed !== last ? [last, deployed] : [last]) {
          for (const o of await objectsOf(cluster, r)) refs.set(refKey(o), toRef(o));
        }
        emit(cfg, `deleting ${refs.size} object${refs.size === 1 ? '' : 's'}`);
        const { deleted, kept } = await deleteInReverseOrder(cluster, [...refs.values()], {
          propagation: this.cascade,
        });
        if (this.wait && deleted.length > 0) await cluster.waitForDeletion(deleted, { timeoutMs: this.timeoutMs });
        if (!this.noHooks) await runHooks(cluster, last.hooks, 'post-delete', hookOptions);
        if (this.keepHistory) {
          last.status = 'uninstalled';
          last.deleted = now(cfg);
          last.description = this.description ?? 'Uninstallation complete';
          await cfg.storage.update(last);
          for (const r of history) {
            if (r !== last && r.status === 'deployed') {
              r.status = 'superseded';
              await cfg.storage.update(r);
            }
          }
        } else {
          for (const r of history) await cfg.storage.delete(r);
        }
        return { release: last, deleted, kept };
      } catch (err) {
        last.status = 'failed';
        last.description = `Uninstallation failed: ${failureText(err)}`;
        await cfg.storage.update(last).catch(() => undefined);
        throw err;
      }
    });
  }
}
