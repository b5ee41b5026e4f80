// Readiness per kind, as a pure function of the live object, so waits are unit-testable; and the polling waits built
// on it, given a way to read an object (the HTTP client and the memory fake share them).
import { PortolanError } from '../errors.js';
import { describeRef, refKey, type KubeObject, type ObjectRef } from './types.js';

export interface Readiness {
  ready: boolean;
  /** Why not ready (or what made it ready), for progress lines and timeout messages. */
  reason: string;
  /** True when the object will not become ready by waiting (Job failed, rollout deadline exceeded, Pod failed). */
  failed?: boolean;
  /** True when the kind gives no readiness signal (treated as ready unless configured otherwise). */
  unknown?: boolean;
}

export interface ReadinessOptions {
  /** A Service of type LoadBalancer is ready only once it has an ingress address (default true). */
  loadBalancerIngress?: boolean;
  /** A custom resource without status conditions counts as ready (default true); false keeps waiting. */
  unknownAsReady?: boolean;
}

type Obj = Record<string, unknown>;

function rec(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}
function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' ? v : fallback;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

function conditions(status: Obj): Condition[] {
  return Array.isArray(status.conditions)
    ? (status.conditions as Condition[]).filter((c) => typeof c === 'object' && c !== null)
    : [];
}
function condition(status: Obj, type: string): Condition | undefined {
  return conditions(status).find((c) => c.type === type);
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

/** Whether the controller has seen the latest spec. */
function observed(obj: KubeObject, status: Obj): Readiness | undefined {
  const gen = obj.metadata.generation;
  if (typeof gen === 'number' && typeof status.observedGeneration === 'number' && status.observedGeneration < gen) {
    return { ready: false, reason: `waiting for generation ${gen} to be observed (at ${status.observedGeneration})` };
  }
  if (typeof gen === 'number' && status.observedGeneration === undefined) {
    return { ready: false, reason: 'waiting for the controller to observe the object' };
  }
  return undefined;
}

export function readiness(obj: KubeObject, options: ReadinessOptions = {}): Readiness {
  const status = rec(obj.status);
  const spec = rec(obj.spec);
  const group = groupOf(obj.apiVersion);
  const key = `${group}/${obj.kind}`;
  switch (key) {
    case 'apps/Deployment': {
      const pending = observed(obj, status);
      if (pending) return pending;
      const progressing = condition(status, 'Progressing');
      if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
        return {
          ready: false,
          failed: true,
          reason: `rollout failed: ${progressing.message ?? 'progress deadline exceeded'}`,
        };
      }
      const want = num(spec.replicas, 1);
      const updated = num(status.updatedReplicas);
      const available = num(status.availableReplicas);
      const total = num(status.replicas);
      if (updated < want) return { ready: false, reason: `${updated}/${want} replicas updated` };
      if (total > updated) return { ready: false, reason: `${total - updated} old replicas pending termination` };
      if (available < want) return { ready: false, reason: `${available}/${want} replicas available` };
      return { ready: true, reason: `${available}/${want} replicas available` };
    }
    case 'apps/StatefulSet': {
      const pending = observed(obj, status);
      if (pending) return pending;
      const want = num(spec.replicas, 1);
      const ready = num(status.readyReplicas);
      const strategy = rec(spec.updateStrategy).type;
      if (strategy !== 'OnDelete' && status.updatedReplicas !== undefined && num(status.updatedReplicas) < want) {
        return { ready: false, reason: `${num(status.updatedReplicas)}/${want} replicas updated` };
      }
      if (ready < want) return { ready: false, reason: `${ready}/${want} replicas ready` };
      return { ready: true, reason: `${ready}/${want} replicas ready` };
    }
    case 'apps/DaemonSet': {
      const pending = observed(obj, status);
      if (pending) return pending;
      const want = num(status.desiredNumberScheduled);
      const updated = num(status.updatedNumberScheduled);
      const available = num(status.numberAvailable, num(status.numberReady));
      if (updated < want) return { ready: false, reason: `${updated}/${want} pods updated` };
      if (available < want) return { ready: false, reason: `${available}/${want} pods available` };
      return { ready: true, reason: `${available}/${want} pods available` };
    }
    case 'apps/ReplicaSet': {
      const pending = observed(obj, status);
      if (pending) return pending;
      const want = num(spec.replicas, 1);
      const ready = num(status.availableReplicas, num(status.readyReplicas));
      return ready >= want
        ? { ready: true, reason: `${ready}/${want} replicas available` }
        : { ready: false, reason: `${ready}/${want} replicas available` };
    }
    case 'batch/Job': {
      const failed = condition(status, 'Failed');
      if (failed?.status === 'True')
        return {
          ready: false,
          failed: true,
          reason: `job failed: ${failed.reason ?? ''}${failed.message ? ` (${failed.message})` : ''}`.trim(),
        };
      const complete = condition(status, 'Complete');
      if (complete?.status === 'True') return { ready: true, reason: 'job complete' };
      return { ready: false, reason: `job running (${num(status.succeeded)} succeeded, ${num(status.active)} active)` };
    }
    case '/Pod': {
      const phase = status.phase;
      if (phase === 'Succeeded') return { ready: true, reason: 'pod succeeded' };
      if (phase === 'Failed')
        return {
          ready: false,
          failed: true,
          reason: `pod failed${typeof status.reason === 'string' ? `: ${status.reason}` : ''}`,
        };
      if (condition(status, 'Ready')?.status === 'True') return { ready: true, reason: 'pod ready' };
      const waiting = (Array.isArray(status.containerStatuses) ? (status.containerStatuses as Obj[]) : [])
        .map((c) => rec(rec(c.state).waiting).reason)
        .find((r) => typeof r === 'string');
      return {
        ready: false,
        reason: `pod ${typeof phase === 'string' ? phase : 'Pending'}${waiting ? ` (${String(waiting)})` : ''}`,
      };
    }
    case '/PersistentVolumeClaim':
      return status.phase === 'Bound'
        ? { ready: true, reason: 'bound' }
        : { ready: false, reason: `claim ${typeof status.phase === 'string' ? status.phase : 'Pending'}` };
    case '/Service': {
      if (spec.type === 'ExternalName') return { ready: true, reason: 'external name' };
      if (spec.type === 'LoadBalancer' && options.loadBalancerIngress !== false) {
        const ingress = rec(status.loadBalancer).ingress;
        return Array.isArray(ingress) && ingress.length > 0
          ? { ready: true, reason: 'load balancer ingress assigned' }
          : { ready: false, reason: 'waiting for a load balancer address' };
      }
      // A headless Service (clusterIP: None) gets no IP by design: it is ready once it exists.
      if (spec.clusterIP === 'None') return { ready: true, reason: 'headless service (no cluster IP)' };
      if (spec.clusterIP === undefined || spec.clusterIP === '')
        return { ready: false, reason: 'waiting for a cluster IP' };
      return { ready: true, reason: 'service has a cluster IP' };
    }
    case '/Namespace':
      return status.phase === 'Terminating'
        ? { ready: false, reason: 'namespace terminating' }
        : { ready: true, reason: 'namespace active' };
    case 'apiextensions.k8s.io/CustomResourceDefinition': {
      const est = condition(status, 'Established');
      return est?.status === 'True'
        ? { ready: true, reason: 'established' }
        : { ready: false, reason: 'waiting for the definition to be established' };
    }
  }
  if (isBuiltinGroup(group)) return { ready: true, reason: 'ready on apply' };
  // Custom resources: conditions Ready/Available decide; anything else is unknown.
  const pending = typeof status.observedGeneration === 'number' ? observed(obj, status) : undefined;
  if (pending) return pending;
  for (const type of ['Ready', 'Available']) {
    const c = condition(status, type);
    if (!c) continue;
    if (c.status === 'True') return { ready: true, reason: `${type}=True` };
    const why = [c.reason, c.message].filter((x) => typeof x === 'string' && x !== '').join(': ');
    return { ready: false, reason: `${type}=${c.status ?? 'Unknown'}${why ? ` (${why})` : ''}` };
  }
  if (options.unknownAsReady === false)
    return { ready: false, unknown: true, reason: 'no Ready or Available condition reported' };
  return { ready: true, unknown: true, reason: 'no readiness signal; ready on apply' };
}

const BUILTIN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'coordination.k8s.io',
  'storage.k8s.io',
  'scheduling.k8s.io',
  'admissionregistration.k8s.io',
  'apiregistration.k8s.io',
  'apiextensions.k8s.io',
  'certificates.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'node.k8s.io',
  'flowcontrol.apiserver.k8s.io',
]);

function isBuiltinGroup(group: string): boolean {
  return BUILTIN_GROUPS.has(group);
}

export interface WaitProgress {
  ready: number;
  total: number;
  pending: Array<{ ref: string; reason: string }>;
  elapsedMs: number;
}

export interface WaitOptions extends ReadinessOptions {
  timeoutMs: number;
  /** First poll interval (default 200 ms; grows to 2 s). */
  intervalMs?: number;
  onProgress?: (progress: WaitProgress) => void;
  signal?: AbortSignal;
}

export interface WaitResult {
  ready: Array<{ ref: string; reason: string }>;
  elapsedMs: number;
}

/** Reads one object (undefined when it does not exist). */
export type ReadObject = (ref: ObjectRef) => Promise<KubeObject | undefined>;

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Polls until every object is ready (per kind, see readiness()), one fails (WAIT_FAILED) or the time is up
 * (TIMEOUT, naming what was still pending and why). Objects must have their namespace filled in.
 */
export async function pollUntilReady(
  read: ReadObject,
  objects: ObjectRef[],
  options: WaitOptions,
  judge: (live: KubeObject, options: ReadinessOptions) => Readiness = readiness,
): Promise<WaitResult> {
  const start = Date.now();
  const deadline = start + options.timeoutMs;
  const pending = new Map<string, { ref: ObjectRef; reason: string }>();
  for (const ref of objects) pending.set(refKey(ref), { ref, reason: 'not checked yet' });
  const ready: Array<{ ref: string; reason: string }> = [];
  let interval = options.intervalMs ?? 200;
  for (;;) {
    const entries = [...pending.entries()];
    const states = await mapLimit(entries, 8, async ([, { ref }]): Promise<Readiness> => {
      const live = await read(ref);
      if (!live) return { ready: false, reason: 'not found' };
      return judge(live, options);
    });
    for (let i = 0; i < entries.length; i++) {
      const [key, entry] = entries[i]!;
      const state = states[i]!;
      if (state.failed) {
        throw new PortolanError('WAIT_FAILED', `${describeRef(entry.ref)} failed: ${state.reason}`, {
          hint: 'Inspect it with kubectl describe; a rollback restores the previous revision.',
        });
      }
      if (state.ready) {
        pending.delete(key);
        ready.push({ ref: describeRef(entry.ref), reason: state.reason });
      } else entry.reason = state.reason;
    }
    const elapsedMs = Date.now() - start;
    options.onProgress?.({
      ready: ready.length,
      total: objects.length,
      pending: [...pending.values()].map((p) => ({ ref: describeRef(p.ref), reason: p.reason })),
      elapsedMs,
    });
    if (pending.size === 0) return { ready, elapsedMs };
    if (Date.now() >= deadline || options.signal?.aborted) {
      const problems = [...pending.values()].map((p) => `${describeRef(p.ref)}: ${p.reason}`);
      throw new PortolanError(
        'TIMEOUT',
        `timed out after ${Math.round(options.timeoutMs / 100) / 10}s waiting for ${pending.size} of ${objects.length} objects to be ready: ${problems.join('; ')}`,
        {
          problems,
          hint: 'Raise --timeout, or inspect the pending objects with kubectl describe.',
        },
      );
    }
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), options.signal);
    interval = Math.min(interval * 1.5, 2_000);
  }
}

/** Polls until every object is gone (TIMEOUT otherwise). Objects must have their namespace filled in. */
export async function pollUntilGone(
  read: ReadObject,
  objects: ObjectRef[],
  options: { timeoutMs: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let left = objects;
  let interval = options.intervalMs ?? 200;
  for (;;) {
    const alive = await mapLimit(left, 8, async (r) => (await read(r)) !== undefined);
    left = left.filter((_, i) => alive[i]);
    if (left.length === 0) return;
    if (Date.now() >= deadline) {
      throw new PortolanError('TIMEOUT', `timed out waiting for deletion of ${left.map(describeRef).join(', ')}`, {
        problems: left.map(describeRef),
      });
    }
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
    interval = Math.min(interval * 1.5, 2_000);
  }
}
