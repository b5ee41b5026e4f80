// Simulated controllers so waits are real: workloads become ready after a delay, Jobs complete, Services get a
// clusterIP, PVCs bind, LoadBalancers get an address; failure rules keep chosen objects from ever getting there.
import { isObject, type Json, type JsonObject } from './patch.js';

export interface FailureRule {
  /** Kind to match (e.g. `Deployment`, `Job`); any kind when absent. */
  kind?: string;
  namespace?: string;
  /** Regular expression the object name must match. */
  name?: string;
  /** Regular expression matched against every container image of the pod template. */
  image?: string;
  /** Labels the object (or its pod template) must carry. */
  labels?: Record<string, string>;
  /** `never-ready` (default for workloads, Pods, PVCs, Services) or `fail` (default for Jobs). */
  effect?: 'never-ready' | 'fail';
}

export interface ControllerHost {
  readyDelayMs: number;
  failureRules: FailureRule[];
  /** Changes an object's status (and only that) if it still exists with this uid; no-op otherwise. */
  updateStatus(
    resource: string,
    namespace: string | undefined,
    name: string,
    uid: string,
    mutate: (obj: JsonObject) => void,
  ): void;
}

function meta(obj: JsonObject): JsonObject {
  return (obj.metadata ?? {}) as JsonObject;
}
function spec(obj: JsonObject): JsonObject {
  return isObject(obj.spec) ? obj.spec : {};
}
function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function podSpecOf(obj: JsonObject): JsonObject | undefined {
  if (obj.kind === 'Pod') return spec(obj);
  const tpl = spec(obj).template;
  if (isObject(tpl) && isObject(tpl.spec)) return tpl.spec;
  const jobTpl = spec(obj).jobTemplate;
  if (
    isObject(jobTpl) &&
    isObject(jobTpl.spec) &&
    isObject(jobTpl.spec.template) &&
    isObject(jobTpl.spec.template.spec)
  ) {
    return jobTpl.spec.template.spec;
  }
  return undefined;
}

function imagesOf(obj: JsonObject): string[] {
  const ps = podSpecOf(obj);
  if (!ps) return [];
  const out: string[] = [];
  for (const key of ['initContainers', 'containers']) {
    const list = ps[key];
    if (Array.isArray(list)) for (const c of list) if (isObject(c) && typeof c.image === 'string') out.push(c.image);
  }
  return out;
}

export function matchingRule(rules: FailureRule[], obj: JsonObject): FailureRule | undefined {
  const m = meta(obj);
  const labels = { ...((isObject(m.labels) ? m.labels : {}) as Record<string, string>) };
  const tpl = spec(obj).template;
  if (isObject(tpl) && isObject(tpl.metadata) && isObject(tpl.metadata.labels))
    Object.assign(labels, tpl.metadata.labels);
  return rules.find((r) => {
    if (r.kind && r.kind !== obj.kind) return false;
    if (r.namespace && r.namespace !== m.namespace) return false;
    if (r.name && !new RegExp(r.name).test(String(m.name))) return false;
    if (r.image) {
      const re = new RegExp(r.image);
      if (!imagesOf(obj).some((i) => re.test(i))) return false;
    }
    if (r.labels && !Object.entries(r.labels).every(([k, v]) => labels[k] === v)) return false;
    return true;
  });
}

function setCondition(
  status: JsonObject,
  type: string,
  value: 'True' | 'False',
  reason: string,
  message: string,
): void {
  const list = (Array.isArray(status.conditions) ? status.conditions : []) as JsonObject[];
  const t = now();
  const existing = list.find((c) => c.type === type);
  if (existing) {
    if (existing.status !== value) existing.lastTransitionTime = t;
    Object.assign(existing, { status: value, reason, message, lastUpdateTime: t });
  } else {
    list.push({ type, status: value, lastUpdateTime: t, lastTransitionTime: t, reason, message });
  }
  status.conditions = list as Json;
}

function replicasOf(obj: JsonObject): number {
  const r = spec(obj).replicas;
  return typeof r === 'number' ? r : 1;
}

export class Controllers {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Progress held back by hold(), in the order it was scheduled; undefined when not holding. */
  private held: Array<() => void> | undefined;

  constructor(private readonly host: ControllerHost) {}

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.held = undefined;
  }

  /** From now on, objects stored make no progress (never become ready, complete or fail) until release(). */
  hold(): void {
    this.held ??= [];
  }

  /** Ends hold(): the progress held back is scheduled now, each after the ready delay. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const fn of held) this.progress(fn);
  }

  /** Simulated progress of an object: after the ready delay, or when released if held. */
  private progress(fn: () => void): void {
    if (this.held) this.held.push(fn);
    else this.later(this.host.readyDelayMs, fn);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /**
   * Called synchronously for every object about to be stored (create or spec change); may set server defaults and
   * the initial status. `generationChanged` is false for metadata-only writes.
   */
  admit(obj: JsonObject, old: JsonObject | undefined, generationChanged: boolean): void {
    const status = (isObject(obj.status) ? obj.status : {}) as JsonObject;
    const gen = meta(obj).generation as number;
    switch (
      `${String(obj.apiVersion).split('/').length > 1 ? String(obj.apiVersion).split('/')[0] : ''}/${String(obj.kind)}`
    ) {
      case '/Namespace': {
        status.phase ??= 'Active';
        const m = meta(obj);
        m.labels = { ...(isObject(m.labels) ? m.labels : {}), 'kubernetes.io/metadata.name': String(m.name) };
        const s = spec(obj);
        s.finalizers ??= ['kubernetes'];
        obj.spec = s;
        break;
      }
      case '/Service': {
        const s = spec(obj);
        s.type ??= 'ClusterIP';
        const oldIp = old ? spec(old).clusterIP : undefined;
        if ((s.clusterIP === undefined || s.clusterIP === '') && s.type !== 'ExternalName')
          s.clusterIP = typeof oldIp === 'string' ? oldIp : allocateIp();
        if (typeof s.clusterIP === 'string') s.clusterIPs = [s.clusterIP];
        s.sessionAffinity ??= 'None';
        if (Array.isArray(s.ports)) {
          for (const p of s.ports) {
            if (!isObject(p)) continue;
            p.protocol ??= 'TCP';
            p.targetPort ??= p.port ?? null;
          }
          // NodePort and LoadBalancer Services get a node port per port (kept across updates), as the registry does.
          if (s.type === 'NodePort' || s.type === 'LoadBalancer') {
            const before = old && Array.isArray(spec(old).ports) ? (spec(old).ports as unknown[]) : [];
            for (const p of s.ports) {
              if (!isObject(p) || (typeof p.nodePort === 'number' && p.nodePort !== 0)) continue;
              const same = before.find((b) => isObject(b) && b.port === p.port && b.protocol === p.protocol);
              p.nodePort = isObject(same) && typeof same.nodePort === 'number' ? same.nodePort : allocateNodePort();
            }
          }
        }
        obj.spec = s;
        status.loadBalancer ??= {};
        break;
      }
      case 'apps/Deployment':
      case 'apps/StatefulSet':
      case 'apps/ReplicaSet':
        spec(obj).replicas ??= 1;
        if (generationChanged) this.notReady(obj, status, gen);
        break;
      case 'apps/DaemonSet':
        if (generationChanged) this.notReady(obj, status, gen);
        break;
      case 'batch/Job':
        if (!old) {
          status.startTime = now();
          status.active = 1;
          status.ready = 0;
        }
        break;
      case '/Pod':
        if (!old) {
          status.phase = 'Pending';
          setCondition(status, 'PodScheduled', 'True', '', '');
        }
        break;
      case '/PersistentVolumeClaim':
        status.phase ??= 'Pending';
        break;
      case 'apiextensions.k8s.io/CustomResourceDefinition': {
        const s = spec(obj);
        setCondition(status, 'NamesAccepted', 'True', 'NoConflicts', 'no conflicts found');
        setCondition(status, 'Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted');
        status.acceptedNames = s.names ?? {};
        const versions = Array.isArray(s.versions) ? s.versions : [];
        status.storedVersions = versions
          .filter((v) => isObject(v) && v.storage === true)
          .map((v) => (v as JsonObject).name ?? '');
        break;
      }
      default:
        return;
    }
    obj.status = status;
  }

  private notReady(obj: JsonObject, status: JsonObject, gen: number): void {
    const replicas = obj.kind === 'DaemonSet' ? 1 : replicasOf(obj);
    status.observedGeneration = gen;
    if (obj.kind === 'DaemonSet') {
      Object.assign(status, {
        desiredNumberScheduled: 1,
        currentNumberScheduled: 1,
        updatedNumberScheduled: 1,
        numberReady: 0,
        numberAvailable: 0,
        numberUnavailable: 1,
        numberMisscheduled: 0,
      });
      return;
    }
    status.replicas = replicas;
    status.updatedReplicas = replicas;
    status.readyReplicas = 0;
    status.availableReplicas = 0;
    if (obj.kind === 'Deployment') {
      status.unavailableReplicas = replicas;
      setCondition(
        status,
        'Progressing',
        'True',
        'ReplicaSetUpdated',
        `ReplicaSet "${String(meta(obj).name)}" is progressing.`,
      );
      if (replicas > 0)
        setCondition(
          status,
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
        );
    }
  }

  /**
   * Called for every stored object when the sandbox starts from a data folder: objects that were still on their way
   * (a rollout, a running Job, a pending Pod or claim, a LoadBalancer without an address) carry on from where they
   * were, and cluster IPs already handed out are not handed out again.
   */
  resume(resource: string, obj: JsonObject): void {
    const group = String(obj.apiVersion).includes('/') ? String(obj.apiVersion).split('/')[0] : '';
    const key = `${group}/${String(obj.kind)}`;
    const st = (isObject(obj.status) ? obj.status : {}) as JsonObject;
    const conditionTrue = (type: string) =>
      Array.isArray(st.conditions) && st.conditions.some((c) => isObject(c) && c.type === type && c.status === 'True');
    let pending: boolean;
    switch (key) {
      case 'apps/Deployment':
      case 'apps/StatefulSet':
      case 'apps/ReplicaSet':
        pending = st.observedGeneration !== meta(obj).generation || st.readyReplicas !== replicasOf(obj);
        break;
      case 'apps/DaemonSet':
        pending = st.observedGeneration !== meta(obj).generation || st.numberAvailable !== st.desiredNumberScheduled;
        break;
      case 'batch/Job':
        pending = !conditionTrue('Complete') && !conditionTrue('Failed');
        break;
      case '/Pod':
        pending = st.phase === undefined || st.phase === 'Pending';
        break;
      case '/PersistentVolumeClaim':
        pending = st.phase !== 'Bound';
        break;
      case '/Service': {
        const ip = spec(obj).clusterIP;
        if (typeof ip === 'string') reserveIp(ip);
        pending = spec(obj).type === 'LoadBalancer';
        break;
      }
      default:
        pending = false;
    }
    if (pending) this.stored(resource, obj, true, true);
  }

  /** Called after an object was stored; schedules its simulated progress. */
  stored(resource: string, obj: JsonObject, generationChanged: boolean, created: boolean): void {
    const m = meta(obj);
    const ns = m.namespace as string | undefined;
    const name = String(m.name);
    const uid = String(m.uid);
    const kind = String(obj.kind);
    const group = String(obj.apiVersion).includes('/') ? String(obj.apiVersion).split('/')[0] : '';
    const rule = matchingRule(this.host.failureRules, obj);
    const update = (mutate: (o: JsonObject) => void) => this.host.updateStatus(resource, ns, name, uid, mutate);
    const key = `${group}/${kind}`;

    if (
      ['apps/Deployment', 'apps/StatefulSet', 'apps/ReplicaSet', 'apps/DaemonSet'].includes(key) &&
      generationChanged
    ) {
      const gen = m.generation as number;
      if (rule) {
        const deadline = spec(obj).progressDeadlineSeconds;
        if (kind === 'Deployment' && typeof deadline === 'number' && deadline * 1000 < 3_600_000) {
          this.later(deadline * 1000, () =>
            update((o) => {
              if ((meta(o).generation as number) !== gen) return;
              const st = o.status as JsonObject;
              setCondition(
                st,
                'Progressing',
                'False',
                'ProgressDeadlineExceeded',
                `ReplicaSet "${name}" has timed out progressing.`,
              );
            }),
          );
        }
        return;
      }
      this.progress(() =>
        update((o) => {
          if ((meta(o).generation as number) !== gen) return;
          const st = (isObject(o.status) ? o.status : {}) as JsonObject;
          const replicas = replicasOf(o);
          st.observedGeneration = gen;
          if (kind === 'DaemonSet') {
            Object.assign(st, {
              desiredNumberScheduled: 1,
              currentNumberScheduled: 1,
              updatedNumberScheduled: 1,
              numberReady: 1,
              numberAvailable: 1,
            });
            delete st.numberUnavailable;
          } else {
            Object.assign(st, {
              replicas,
              updatedReplicas: replicas,
              readyReplicas: replicas,
              availableReplicas: replicas,
            });
            if (kind === 'ReplicaSet') st.fullyLabeledReplicas = replicas;
            if (kind === 'StatefulSet') {
              st.currentReplicas = replicas;
              st.currentRevision = `${name}-${gen}`;
              st.updateRevision = `${name}-${gen}`;
            }
            if (kind === 'Deployment') {
              delete st.unavailableReplicas;
              setCondition(st, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.');
              setCondition(
                st,
                'Progressing',
                'True',
                'NewReplicaSetAvailable',
                `ReplicaSet "${name}" has successfully progressed.`,
              );
            }
          }
          o.status = st;
        }),
      );
      return;
    }
    if (key === 'batch/Job' && created) {
      const fail = rule !== undefined && (rule.effect ?? 'fail') === 'fail';
      if (rule && !fail) return;
      this.progress(() =>
        update((o) => {
          const st = (isObject(o.status) ? o.status : {}) as JsonObject;
          delete st.active;
          st.ready = 0;
          const t = now();
          if (fail) {
            const limit = spec(o).backoffLimit;
            st.failed = (typeof limit === 'number' ? limit : 6) + 1;
            setCondition(
              st,
              'FailureTarget',
              'True',
              'BackoffLimitExceeded',
              'Job has reached the specified backoff limit',
            );
            setCondition(st, 'Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
          } else {
            const completions = spec(o).completions;
            st.succeeded = typeof completions === 'number' ? completions : 1;
            st.completionTime = t;
            setCondition(
              st,
              'SuccessCriteriaMet',
              'True',
              'CompletionsReached',
              'Reached expected number of succeeded pods',
            );
            setCondition(st, 'Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods');
          }
          o.status = st;
        }),
      );
      return;
    }
    if (key === '/Pod' && created) {
      const restart = spec(obj).restartPolicy;
      const runsToEnd = restart === 'Never' || restart === 'OnFailure';
      const fail = rule !== undefined && (rule.effect ?? (runsToEnd ? 'fail' : 'never-ready')) === 'fail';
      this.progress(() =>
        update((o) => {
          const st = (isObject(o.status) ? o.status : {}) as JsonObject;
          const containers = (Array.isArray(spec(o).containers) ? spec(o).containers : []) as JsonObject[];
          const t = now();
          // Every container in one state: waiting, terminated or running.
          const statuses = (ready: boolean, state: (c: JsonObject) => JsonObject) =>
            containers.map((c) => ({
              name: c.name ?? '',
              image: c.image ?? '',
              ready,
              started: ready,
              restartCount: 0,
              state: state(c),
            }));
          if (rule && !fail) {
            st.containerStatuses = statuses(false, (c) => ({
              waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${String(c.image)}"` },
            }));
            setCondition(st, 'Ready', 'False', 'ContainersNotReady', 'containers with unready status');
          } else if (fail) {
            st.phase = 'Failed';
            st.containerStatuses = statuses(false, () => ({
              terminated: { exitCode: 1, reason: 'Error', finishedAt: t },
            }));
            setCondition(st, 'Ready', 'False', 'PodFailed', '');
          } else if (runsToEnd) {
            st.phase = 'Succeeded';
            st.containerStatuses = statuses(false, () => ({
              terminated: { exitCode: 0, reason: 'Completed', finishedAt: t },
            }));
            setCondition(st, 'Ready', 'False', 'PodCompleted', '');
          } else {
            st.phase = 'Running';
            st.startTime = t;
            st.containerStatuses = statuses(true, () => ({ running: { startedAt: t } }));
            setCondition(st, 'Initialized', 'True', '', '');
            setCondition(st, 'ContainersReady', 'True', '', '');
            setCondition(st, 'Ready', 'True', '', '');
          }
          o.status = st;
        }),
      );
      return;
    }
    if (key === '/PersistentVolumeClaim' && created && !rule) {
      this.progress(() =>
        update((o) => {
          const st = (isObject(o.status) ? o.status : {}) as JsonObject;
          const s = spec(o);
          st.phase = 'Bound';
          st.accessModes = s.accessModes ?? ['ReadWriteOnce'];
          const req = isObject(s.resources) && isObject(s.resources.requests) ? s.resources.requests : {};
          st.capacity = { storage: req.storage ?? '1Gi' };
          o.status = st;
        }),
      );
      return;
    }
    if (key === '/Service' && spec(obj).type === 'LoadBalancer' && !rule) {
      const lb = (obj.status as JsonObject | undefined)?.loadBalancer;
      if (isObject(lb) && Array.isArray(lb.ingress) && lb.ingress.length > 0) return;
      this.progress(() =>
        update((o) => {
          const st = (isObject(o.status) ? o.status : {}) as JsonObject;
          st.loadBalancer = { ingress: [{ ip: `198.51.100.${1 + Math.floor(Math.random() * 250)}`, ipMode: 'VIP' }] };
          o.status = st;
        }),
      );
    }
  }
}

let nextIp = 1;
let nextNodePort = 0;

/** 30000-32767, the default node port range. */
function allocateNodePort(): number {
  return 30000 + (nextNodePort++ % 2768);
}

function allocateIp(): string {
  const n = nextIp++;
  return `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

/** Marks an address allocateIp() handed out earlier (before a restart) as taken. */
function reserveIp(ip: string): void {
  const m = /^10\.96\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return;
  const n = Number(m[1]) * 250 + Number(m[2]) - 1;
  if (n >= nextIp) nextIp = n + 1;
}
