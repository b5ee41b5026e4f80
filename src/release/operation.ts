// The steps install, upgrade and rollback share: locking and crash recovery, capabilities from the cluster,
// rendering into a record, and deploying a record's objects (ownership, hooks, apply, prune, wait).
import type { ClusterClient, KubeObject, ObjectRef } from '../cluster/index.js';
import { refKey } from '../cluster/index.js';
import type { Chart } from '../chart/types.js';
import { PortolanError, isPortolanError, messageOf } from '../errors.js';
import { formatManifests } from '../render/index.js';
import { templateChart, type TemplateResult } from '../template.js';
import type { SourcedValues } from '../values/index.js';
import type { ActionConfig } from './config.js';
import { runHooks, type HookEvent } from './hooks.js';
import { hookRecords } from './hooks.js';
import type { HeldLock } from './lock.js';
import {
  applyInOrder,
  checkObject,
  checkOwnership,
  deleteInReverseOrder,
  parseManifest,
  resolveObjects,
  toRef,
} from './objects.js';
import { isInProgress, type ReleaseRecord } from './types.js';

export const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export function requireCluster(cfg: ActionConfig): ClusterClient {
  if (!cfg.cluster) throw new PortolanError('INTERNAL', 'this operation needs a cluster connection');
  return cfg.cluster;
}

export function now(cfg: ActionConfig): string {
  return (cfg.now ? cfg.now() : new Date()).toISOString();
}

export function emit(cfg: ActionConfig, message: string): void {
  cfg.onEvent?.({ type: 'step', message });
}

export function warn(cfg: ActionConfig, message: string): void {
  cfg.onEvent?.({ type: 'warning', message });
}

/**
 * Adds what else went wrong while handling `err` (releasing the lock, recording the failure) as a note to it, so the
 * operation's own error is reported first; an error that is not a PortolanError (a bug) gets a warning instead.
 */
export function noteOn(cfg: ActionConfig, err: unknown, note: string): void {
  if (isPortolanError(err)) err.addNote(note);
  else warn(cfg, note);
}

/** Stores `record` (a failed revision); a failure to store it becomes a note on `err`, which stays the error. */
export async function recordFailure(cfg: ActionConfig, record: ReleaseRecord, err: unknown): Promise<void> {
  try {
    await cfg.storage.update(record);
  } catch (storeError) {
    noteOn(
      cfg,
      err,
      `could not mark revision ${record.revision} of "${record.name}" ${record.status}: ${messageOf(storeError)}`,
    );
  }
}

/**
 * Runs `fn` holding the release's lock; the lock is released whatever happens. When `fn` fails, its error is the one
 * thrown, and a lock that cannot be released is a note on it (the lock expires by itself).
 */
export async function withLock<T>(
  cfg: ActionConfig,
  name: string,
  operation: string,
  fn: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  let lock: HeldLock;
  try {
    lock = await cfg.locker.acquire(name, cfg.namespace, operation);
  } catch (err) {
    if (err instanceof PortolanError && err.code === 'NOT_FOUND' && /namespaces? "[^"]*" not found/.test(err.message)) {
      throw new PortolanError('NOT_FOUND', `namespace "${cfg.namespace}" does not exist`, {
        hint: 'Create it first, pass --create-namespace (install, upgrade --install), or pick another with -n.',
        cause: err,
      });
    }
    throw err;
  }
  let result: T;
  try {
    result = await fn(lock);
  } catch (err) {
    try {
      await lock.release();
    } catch (releaseError) {
      noteOn(
        cfg,
        err,
        messageOf(releaseError) + (isPortolanError(releaseError) && releaseError.hint ? ` (${releaseError.hint})` : ''),
      );
    }
    throw err;
  }
  await lock.release();
  return result;
}

const VERB: Record<string, string> = {
  'pending-install': 'install',
  'pending-upgrade': 'upgrade',
  'pending-rollback': 'rollback',
  uninstalling: 'uninstall',
};

/**
 * Revisions left pending-* / uninstalling by an operation that died (we hold the lock now, so nobody else is working
 * on them) are marked failed, naming who left them. Returns the history with those changes.
 */
export async function recoverInterrupted(
  cfg: ActionConfig,
  history: ReleaseRecord[],
  lock: HeldLock,
  operation: string,
): Promise<ReleaseRecord[]> {
  for (const record of history) {
    if (!isInProgress(record.status)) continue;
    const previousStatus = record.status;
    const who = lock.expired
      ? `${lock.expired.holder}, whose lock expired at ${lock.expired.expiresAt}`
      : 'an operation that no longer holds the lock';
    record.status = 'failed';
    record.description = `${VERB[previousStatus] ?? 'operation'} interrupted: ${who}, stopped before finishing; marked failed by ${operation}`;
    await cfg.storage.update(record);
    cfg.onEvent?.({ type: 'recovered', revision: record.revision, previousStatus, holder: lock.expired });
    warn(cfg, `revision ${record.revision} was left ${previousStatus} by ${who}; marked it failed and carried on`);
  }
  return history;
}

export interface Capabilities {
  kubeVersion: string;
  apiVersions: string[];
}

export async function capabilitiesOf(cluster: ClusterClient | undefined): Promise<Capabilities | undefined> {
  if (!cluster) return undefined;
  const [version, apiVersions] = await Promise.all([cluster.serverVersion(), cluster.apiVersions()]);
  return { kubeVersion: version.gitVersion, apiVersions };
}

export interface RenderInput {
  chart: Chart;
  values: SourcedValues;
  name: string;
  namespace: string;
  revision: number;
  isUpgrade: boolean;
  capabilities?: Capabilities;
  skipSchemaValidation?: boolean;
}

export function render(input: RenderInput): TemplateResult {
  return templateChart(input.chart, input.values, {
    releaseName: input.name,
    namespace: input.namespace,
    revision: input.revision,
    isInstall: !input.isUpgrade,
    isUpgrade: input.isUpgrade,
    kubeVersion: input.capabilities?.kubeVersion,
    apiVersions: input.capabilities?.apiVersions ?? [],
    skipSchemaValidation: input.skipSchemaValidation,
  });
}

/** A new record from a render; status and description are the caller's. */
export function recordFrom(
  result: TemplateResult,
  input: RenderInput,
  fields: Pick<ReleaseRecord, 'status' | 'description' | 'firstDeployed' | 'lastDeployed'>,
  warnings: string[],
): ReleaseRecord {
  return {
    name: input.name,
    namespace: input.namespace,
    revision: input.revision,
    ...fields,
    chart: { metadata: input.chart.metadata },
    config: result.userValues,
    values: result.values,
    manifest: formatManifests(result.manifests),
    hooks: hookRecords(result.hooks, warnings),
    notes: result.notes,
  };
}

/** The objects a render produced (parsed already), marked and resolved against the cluster. */
export async function renderedObjects(
  cluster: ClusterClient | undefined,
  result: TemplateResult,
  release: { name: string; namespace: string },
): Promise<KubeObject[]> {
  const objects = result.manifests.filter((d) => !d.commentOnly);
  return resolveObjects(
    cluster,
    objects.map((d) => ({ source: d.source, object: checkObject(d.object, d.source) })),
    release,
  );
}

/** Starts fetching capabilities now (they take a few requests); the promise may be awaited later. */
export function prefetchCapabilities(cluster: ClusterClient | undefined): Promise<Capabilities | undefined> {
  const pending = capabilitiesOf(cluster);
  pending.catch(() => undefined);
  return pending;
}

/** The objects of a record, marked and resolved against the cluster. */
export async function objectsOf(cluster: ClusterClient | undefined, record: ReleaseRecord): Promise<KubeObject[]> {
  return resolveObjects(
    cluster,
    parseManifest(record.manifest, `revision ${record.revision} of release "${record.name}"`),
    record,
  );
}

/**
 * How an operation runs: for real, under the release's lock (checked before each step that writes), or as a
 * server-side dry run, which takes no lock and writes nothing.
 */
export type RunMode = { dryRun: false; lock: HeldLock } | { dryRun: true };

export interface DeployOptions {
  /** hooks run as pre-<event> / post-<event> */
  event: 'install' | 'upgrade' | 'rollback';
  noHooks?: boolean;
  wait?: boolean;
  waitForJobs?: boolean;
  timeoutMs: number;
  forceConflicts?: boolean;
}

/** What a deploy did, filled in as it goes (so a failure still knows what to clean up). */
export interface DeployState {
  /** Objects that did not exist before this operation and were applied by it. */
  created: ObjectRef[];
  pruned: ObjectRef[];
  kept: ObjectRef[];
}

/**
 * Before anything is written: objects new to the release must not belong to anyone else (unless takeOwnership).
 * Returns the keys of the objects that already exist.
 */
export async function preflight(
  cfg: ActionConfig,
  next: ReleaseRecord,
  nextObjects: KubeObject[],
  previousObjects: KubeObject[],
  takeOwnership: boolean,
): Promise<Set<string>> {
  return checkOwnership(requireCluster(cfg), nextObjects, next, {
    known: new Set(previousObjects.map(refKey)),
    takeOwnership,
  });
}

/**
 * Applies `next`'s objects over `previous` ones (after preflight, which found `existing`): pre-hooks, server-side
 * apply in install order, deletion of what left the chart (resource-policy keep honoured), the wait, post-hooks.
 * Mutates next.hooks' lastRun. A dry run only applies the objects with the server's dry run.
 */
export async function deploy(
  cfg: ActionConfig,
  mode: RunMode,
  next: ReleaseRecord,
  nextObjects: KubeObject[],
  previousObjects: KubeObject[],
  existing: Set<string>,
  options: DeployOptions,
  state: DeployState,
): Promise<void> {
  const cluster = requireCluster(cfg);
  if (mode.dryRun) {
    await applyInOrder(cluster, nextObjects, { force: Boolean(options.forceConflicts), dryRun: true });
    return;
  }
  const lock = mode.lock;
  const hookOptions = {
    release: next,
    timeoutMs: options.timeoutMs,
    now: cfg.now,
    onHook: (hook: ReleaseRecord['hooks'][number], phase: 'Unknown' | 'Running' | 'Succeeded' | 'Failed') =>
      cfg.onEvent?.({ type: 'hook', event: options.event, hook, phase }),
  };
  if (!options.noHooks) {
    lock.check();
    await runHooks(cluster, next.hooks, `pre-${options.event}` as HookEvent, hookOptions);
  }
  lock.check();
  emit(cfg, `applying ${nextObjects.length} object${nextObjects.length === 1 ? '' : 's'}`);
  await applyInOrder(cluster, nextObjects, {
    force: Boolean(options.forceConflicts),
    onApplied: (o) => {
      if (!existing.has(refKey(o))) state.created.push(toRef(o));
    },
  });
  const nextKeys = new Set(nextObjects.map(refKey));
  const removed = previousObjects.filter((o) => !nextKeys.has(refKey(o))).map(toRef);
  if (removed.length > 0) {
    lock.check();
    const { deleted, kept } = await deleteInReverseOrder(cluster, removed);
    state.pruned.push(...deleted);
    state.kept.push(...kept);
    for (const k of kept)
      warn(
        cfg,
        `kept ${k.kind} ${k.metadata.namespace ? `${k.metadata.namespace}/` : ''}${k.metadata.name}: it left the chart but is annotated resource-policy: keep`,
      );
  }
  if (options.wait) await waitReady(cfg, nextObjects, options.timeoutMs, Boolean(options.waitForJobs));
  if (!options.noHooks) {
    lock.check();
    await runHooks(cluster, next.hooks, `post-${options.event}` as HookEvent, hookOptions);
  }
}

/** Waits for the objects to be ready (Jobs only with waitForJobs), reporting progress. */
export async function waitReady(
  cfg: ActionConfig,
  objects: KubeObject[],
  timeoutMs: number,
  waitForJobs: boolean,
): Promise<void> {
  const cluster = requireCluster(cfg);
  const refs = objects.filter((o) => waitForJobs || o.kind !== 'Job').map(toRef);
  if (refs.length === 0) return;
  emit(
    cfg,
    `waiting up to ${Math.round(timeoutMs / 1000)}s for ${refs.length} object${refs.length === 1 ? '' : 's'} to be ready`,
  );
  try {
    await cluster.waitForReady(refs, {
      timeoutMs,
      onProgress: (progress) => cfg.onEvent?.({ type: 'wait', progress }),
    });
  } catch (err) {
    if (err instanceof PortolanError && (err.code === 'TIMEOUT' || err.code === 'WAIT_FAILED')) throw err;
    throw new PortolanError('CLUSTER', `waiting for readiness failed: ${messageOf(err)}`, { cause: err });
  }
}

/** Deletes what a failed operation created (--cleanup-on-fail). */
export async function cleanupCreated(cfg: ActionConfig, state: DeployState): Promise<void> {
  if (state.created.length === 0) return;
  emit(
    cfg,
    `cleaning up ${state.created.length} object${state.created.length === 1 ? '' : 's'} created by the failed operation`,
  );
  await deleteInReverseOrder(requireCluster(cfg), state.created);
}

/** Every deployed revision but `except` becomes superseded. */
export async function supersedeOthers(cfg: ActionConfig, history: ReleaseRecord[], except: number): Promise<void> {
  for (const r of history) {
    if (r.revision !== except && r.status === 'deployed') {
      r.status = 'superseded';
      await cfg.storage.update(r);
    }
  }
}

/** The error text of a failed operation, for the record's description. */
export function failureText(err: unknown): string {
  const message = messageOf(err);
  return message.length > 2_000 ? `${message.slice(0, 2_000)}…` : message;
}
