// The real API server's defaulting for the common built-in kinds, with the values of Kubernetes' defaults.go
// (pkg/apis/core/v1, apps/v1, batch/v1) and the registry strategies (Service IP families, Job selectors).
import { isObject, type Json, type JsonObject } from './patch.js';

function obj(parent: JsonObject, key: string): JsonObject {
  if (!isObject(parent[key])) parent[key] = {};
  return parent[key] as JsonObject;
}

function set(target: JsonObject, key: string, value: Json): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

function list(value: Json | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** `IfNotPresent` for a tagged or pinned image other than `:latest`, else `Always` (SetDefaults_Container). */
function pullPolicy(image: Json | undefined): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  if (colon < 0 || last.slice(colon + 1) === 'latest') return 'Always';
  return 'IfNotPresent';
}

function probe(p: Json | undefined): void {
  if (!isObject(p)) return;
  set(p, 'timeoutSeconds', 1);
  set(p, 'periodSeconds', 10);
  set(p, 'successThreshold', 1);
  set(p, 'failureThreshold', 3);
  if (isObject(p.httpGet)) set(p.httpGet, 'scheme', 'HTTP');
}

function container(c: JsonObject): void {
  set(c, 'terminationMessagePath', '/dev/termination-log');
  set(c, 'terminationMessagePolicy', 'File');
  set(c, 'imagePullPolicy', pullPolicy(c.image));
  set(c, 'resources', {});
  for (const port of list(c.ports)) set(port, 'protocol', 'TCP');
  for (const env of list(c.env))
    if (isObject(env.valueFrom) && isObject(env.valueFrom.fieldRef)) set(env.valueFrom.fieldRef, 'apiVersion', 'v1');
  probe(c.livenessProbe);
  probe(c.readinessProbe);
  probe(c.startupProbe);
}

/** SetDefaults_PodSpec and the defaults of its containers and volumes. */
export function defaultPodSpec(spec: JsonObject): void {
  set(spec, 'dnsPolicy', 'ClusterFirst');
  set(spec, 'restartPolicy', 'Always');
  set(spec, 'terminationGracePeriodSeconds', 30);
  set(spec, 'securityContext', {});
  set(spec, 'schedulerName', 'default-scheduler');
  set(spec, 'enableServiceLinks', true);
  for (const c of [...list(spec.initContainers), ...list(spec.containers)]) container(c);
  for (const v of list(spec.volumes)) {
    for (const key of ['configMap', 'secret']) if (isObject(v[key])) set(v[key] as JsonObject, 'defaultMode', 420);
    if (isObject(v.projected)) set(v.projected, 'defaultMode', 420);
  }
}

function template(spec: JsonObject): void {
  const t = spec.template;
  if (isObject(t) && isObject(t.spec)) defaultPodSpec(t.spec);
}

/** Fills in what the real server fills in on a write of a built-in kind (group, kind; `uid` for Job selectors). */
export function applyDefaults(group: string, kind: string, o: JsonObject, isCreate: boolean): void {
  const spec = isObject(o.spec) ? o.spec : undefined;
  switch (`${group}/${kind}`) {
    case '/Pod':
      if (spec) defaultPodSpec(spec);
      return;
    case '/Service':
      if (spec) defaultService(spec);
      return;
    case '/PersistentVolumeClaim':
      if (spec) set(spec, 'volumeMode', 'Filesystem');
      return;
    case '/Namespace':
      set(obj(o, 'spec'), 'finalizers', ['kubernetes']);
      set(obj(obj(o, 'metadata'), 'labels'), 'kubernetes.io/metadata.name', String(obj(o, 'metadata').name));
      return;
    case 'apps/Deployment':
      if (!spec) return;
      set(spec, 'replicas', 1);
      if (!isObject(spec.strategy)) spec.strategy = {};
      set(spec.strategy as JsonObject, 'type', 'RollingUpdate');
      if ((spec.strategy as JsonObject).type === 'RollingUpdate') {
        const ru = obj(spec.strategy as JsonObject, 'rollingUpdate');
        set(ru, 'maxUnavailable', '25%');
        set(ru, 'maxSurge', '25%');
      }
      set(spec, 'revisionHistoryLimit', 10);
      set(spec, 'progressDeadlineSeconds', 600);
      template(spec);
      return;
    case 'apps/StatefulSet': {
      if (!spec) return;
      set(spec, 'replicas', 1);
      set(spec, 'podManagementPolicy', 'OrderedReady');
      const us = obj(spec, 'updateStrategy');
      set(us, 'type', 'RollingUpdate');
      if (us.type === 'RollingUpdate') set(obj(us, 'rollingUpdate'), 'partition', 0);
      set(spec, 'revisionHistoryLimit', 10);
      const retention = obj(spec, 'persistentVolumeClaimRetentionPolicy');
      set(retention, 'whenDeleted', 'Retain');
      set(retention, 'whenScaled', 'Retain');
      template(spec);
      return;
    }
    case 'apps/DaemonSet': {
      if (!spec) return;
      const us = obj(spec, 'updateStrategy');
      set(us, 'type', 'RollingUpdate');
      if (us.type === 'RollingUpdate') {
        const ru = obj(us, 'rollingUpdate');
        set(ru, 'maxUnavailable', 1);
        set(ru, 'maxSurge', 0);
      }
      set(spec, 'revisionHistoryLimit', 10);
      template(spec);
      return;
    }
    case 'apps/ReplicaSet':
      if (!spec) return;
      set(spec, 'replicas', 1);
      template(spec);
      return;
    case 'batch/Job':
      if (spec) defaultJobSpec(spec, o, isCreate);
      return;
    case 'batch/CronJob': {
      if (!spec) return;
      set(spec, 'concurrencyPolicy', 'Allow');
      set(spec, 'suspend', false);
      set(spec, 'successfulJobsHistoryLimit', 3);
      set(spec, 'failedJobsHistoryLimit', 1);
      const jt = spec.jobTemplate;
      if (isObject(jt) && isObject(jt.spec)) defaultJobSpec(jt.spec, undefined, false);
      return;
    }
    default:
      return;
  }
}

/** SetDefaults_Job, and for a Job itself (`owner`) on create the generated selector and template labels. */
function defaultJobSpec(spec: JsonObject, owner: JsonObject | undefined, isCreate: boolean): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  set(spec, 'parallelism', 1);
  set(spec, 'backoffLimit', 6);
  set(spec, 'completionMode', 'NonIndexed');
  set(spec, 'suspend', false);
  set(spec, 'podReplacementPolicy', 'TerminatingOrFailed');
  template(spec);
  if (!owner || !isCreate || spec.manualSelector === true) return;
  const meta = obj(owner, 'metadata');
  const uid = String(meta.uid);
  const labels = obj(obj(obj(spec, 'template'), 'metadata'), 'labels');
  set(labels, 'batch.kubernetes.io/controller-uid', uid);
  set(labels, 'batch.kubernetes.io/job-name', String(meta.name));
  set(labels, 'controller-uid', uid);
  set(labels, 'job-name', String(meta.name));
  if (spec.selector === undefined) spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
}

function defaultService(spec: JsonObject): void {
  set(spec, 'type', 'ClusterIP');
  set(spec, 'sessionAffinity', 'None');
  for (const port of list(spec.ports)) {
    set(port, 'protocol', 'TCP');
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port!;
  }
  if (spec.type === 'ExternalName') return;
  set(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') set(spec, 'externalTrafficPolicy', 'Cluster');
  set(spec, 'ipFamilies', ['IPv4']);
  set(spec, 'ipFamilyPolicy', 'SingleStack');
}
