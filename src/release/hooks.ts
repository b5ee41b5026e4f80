// Hooks, as Helm runs them: the hooks of one event in ascending weight (then name); each is deleted first unless its
// delete policy says otherwise (before-hook-creation is the default), applied, and — for Jobs and Pods — waited on
// until it completes or fails; hook-succeeded / hook-failed delete it afterwards. A failed hook stops the operation.
import type { ClusterClient, KubeObject } from '../cluster/index.js';
import { describeRef } from '../cluster/index.js';
import { PortolanError, messageOf } from '../errors.js';
import type { RenderedDocument } from '../render/index.js';
import { checkObject, markObject, parseManifest } from './objects.js';
import type { HookPhase, HookRecord } from './types.js';

export type HookEvent =
  | 'pre-install'
  | 'post-install'
  | 'pre-upgrade'
  | 'post-upgrade'
  | 'pre-rollback'
  | 'post-rollback'
  | 'pre-delete'
  | 'post-delete'
  | 'test';

const POLICIES = new Set(['before-hook-creation', 'hook-succeeded', 'hook-failed']);

/** Rendered hook documents as records; unknown delete policies are dropped with a warning. */
export function hookRecords(documents: RenderedDocument[], warnings: string[]): HookRecord[] {
  return documents.map((d) => {
    const object = checkObject(d.object, d.source);
    const policies = (d.hookDeletePolicies ?? []).filter((p) => {
      if (POLICIES.has(p)) return true;
      warnings.push(
        `${d.source}: hook ${object.kind} "${object.metadata.name}" has an unknown hook-delete-policy "${p}" (known: ${[...POLICIES].join(', ')}); it is ignored`,
      );
      return false;
    });
    return {
      name: object.metadata.name,
      kind: object.kind,
      path: d.source,
      manifest: d.text,
      events: d.hook ?? [],
      weight: d.hookWeight ?? 0,
      deletePolicies: policies,
    };
  });
}

/** The hooks of one event in the order they run. */
export function hooksFor(hooks: HookRecord[], event: HookEvent): HookRecord[] {
  return hooks
    .filter((h) => h.events.includes(event))
    .sort((a, b) => a.weight - b.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface HookRunOptions {
  release: { name: string; namespace: string };
  timeoutMs: number;
  now?: () => Date;
  /** Called as each hook starts and ends. */
  onHook?: (hook: HookRecord, phase: HookPhase) => void;
  /** Keep going after a failed hook (tests); the first failure is thrown at the end. */
  continueOnFailure?: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Done, failed, or still running, for a hook's live object. */
export function hookState(live: KubeObject): { done: boolean; failed?: string } {
  const status = (live.status ?? {}) as {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
  if (live.kind === 'Job') {
    const failed = status.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
    if (failed)
      return {
        done: true,
        failed: `job failed: ${[failed.reason, failed.message].filter(Boolean).join(': ') || 'no reason given'}`,
      };
    const complete = status.conditions?.find((c) => c.type === 'Complete' && c.status === 'True');
    return { done: complete !== undefined };
  }
  if (live.kind === 'Pod') {
    if (status.phase === 'Failed')
      return { done: true, failed: `pod failed${status.reason ? `: ${status.reason}` : ''}` };
    return { done: status.phase === 'Succeeded' };
  }
  return { done: true };
}

async function deleteAndWait(cluster: ClusterClient, obj: KubeObject, timeoutMs: number): Promise<void> {
  const ref = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace },
  };
  if (await cluster.delete(ref, { propagation: 'Background' })) await cluster.waitForDeletion([ref], { timeoutMs });
}

/**
 * Runs the hooks of `event` (mutating each record's lastRun). Throws RELEASE naming the first hook that failed or
 * timed out.
 */
export async function runHooks(
  cluster: ClusterClient,
  hooks: HookRecord[],
  event: HookEvent,
  options: HookRunOptions,
): Promise<void> {
  const now = options.now ?? (() => new Date());
  let firstFailure: PortolanError | undefined;
  for (const hook of hooksFor(hooks, event)) {
    const [doc] = parseManifest(`# Source: ${hook.path}\n${hook.manifest}`, hook.path);
    if (!doc) continue;
    const namespaced = (await cluster.resourceFor(doc.object.apiVersion, doc.object.kind)).namespaced;
    const obj = markObject(doc.object, options.release, namespaced);
    const policies = hook.deletePolicies.length > 0 ? hook.deletePolicies : ['before-hook-creation'];
    const label = `${event} hook ${describeRef(obj)}`;
    const started = Date.now();
    try {
      if (policies.includes('before-hook-creation')) await deleteAndWait(cluster, obj, options.timeoutMs);
      hook.lastRun = { startedAt: now().toISOString(), phase: 'Running' };
      options.onHook?.(hook, 'Running');
      await cluster.apply(obj);
      let interval = 100;
      for (;;) {
        const live = await cluster.get(obj.apiVersion, obj.kind, obj.metadata.name, obj.metadata.namespace);
        if (!live) throw new PortolanError('RELEASE', `${label} disappeared before it completed`);
        const state = hookState(live);
        if (state.failed)
          throw new PortolanError('RELEASE', `${label} failed: ${state.failed}`, {
            hint: `Inspect it with kubectl describe ${obj.kind.toLowerCase()} ${obj.metadata.name}${obj.metadata.namespace ? ` -n ${obj.metadata.namespace}` : ''}.`,
          });
        if (state.done) break;
        if (Date.now() - started >= options.timeoutMs) {
          throw new PortolanError(
            'TIMEOUT',
            `${label} did not complete within ${Math.round(options.timeoutMs / 100) / 10}s`,
            { hint: 'Raise --timeout, or inspect the hook with kubectl describe.' },
          );
        }
        await sleep(Math.min(interval, Math.max(10, options.timeoutMs - (Date.now() - started))));
        interval = Math.min(interval * 1.5, 1_000);
      }
      hook.lastRun = { startedAt: hook.lastRun.startedAt, completedAt: now().toISOString(), phase: 'Succeeded' };
      options.onHook?.(hook, 'Succeeded');
      if (policies.includes('hook-succeeded')) await deleteAndWait(cluster, obj, options.timeoutMs);
    } catch (err) {
      const error =
        err instanceof PortolanError && (err.code === 'RELEASE' || err.code === 'TIMEOUT')
          ? err
          : new PortolanError('RELEASE', `${label} failed: ${messageOf(err)}`, {
              cause: err,
              hint: err instanceof PortolanError ? err.hint : undefined,
              problems: err instanceof PortolanError ? err.problems : undefined,
            });
      hook.lastRun = {
        startedAt: hook.lastRun?.startedAt ?? now().toISOString(),
        completedAt: now().toISOString(),
        phase: 'Failed',
      };
      options.onHook?.(hook, 'Failed');
      if (policies.includes('hook-failed')) await deleteAndWait(cluster, obj, options.timeoutMs).catch(() => undefined);
      if (!options.continueOnFailure) throw error;
      firstFailure ??= error;
    }
  }
  if (firstFailure) throw firstFailure;
}
