// What the Deployment and ReplicaSet controllers would write: a ReplicaSet `<deployment>-<pod-template-hash>` per
// pod template, with the `deployment.kubernetes.io/revision` annotation, old ones scaled to 0, and the Pods of each
// ReplicaSet. Pure: the server stores what this plans (the Pods then run under the simulated Pod controller).
import { randomBytes } from 'node:crypto';
import { clone, deepEqual, isObject, type Json, type JsonObject } from './patch.js';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const REVISION = 'deployment.kubernetes.io/revision';

/** rand.SafeEncodeString: each character of `text` mapped into an alphabet without vowels or look-alikes. */
function safeEncode(text: string): string {
  return [...text].map((c) => ALPHANUMS[c.charCodeAt(0) % ALPHANUMS.length]!).join('');
}

/** The pod-template-hash label: FNV-1a (32 bits) of the template, encoded as Kubernetes encodes it. */
export function podTemplateHash(template: Json | undefined): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(JSON.stringify(template ?? {}), 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return safeEncode(String(h));
}

function metaOf(o: JsonObject): JsonObject {
  return isObject(o.metadata) ? o.metadata : {};
}

function ownedBy(o: JsonObject, uid: Json | undefined): boolean {
  const refs = metaOf(o).ownerReferences;
  return Array.isArray(refs) && refs.some((r) => isObject(r) && r.uid === uid && r.controller === true);
}

function ownerRef(owner: JsonObject): JsonObject {
  const m = metaOf(owner);
  return {
    apiVersion: String(owner.apiVersion),
    kind: String(owner.kind),
    name: String(m.name),
    uid: String(m.uid),
    controller: true,
    blockOwnerDeletion: true,
  };
}

export interface RolloutPlan {
  create: JsonObject[];
  update: JsonObject[];
  remove: JsonObject[];
}

/** The ReplicaSets a Deployment should have, given those it owns now. */
export function planDeployment(deploy: JsonObject, replicaSets: JsonObject[]): RolloutPlan & { revision: string } {
  const plan: RolloutPlan = { create: [], update: [], remove: [] };
  const spec = isObject(deploy.spec) ? deploy.spec : {};
  const meta = metaOf(deploy);
  const owned = replicaSets.filter((rs) => ownedBy(rs, meta.uid));
  const template = clone(isObject(spec.template) ? spec.template : {});
  const hash = podTemplateHash(template);
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const revisions = owned.map((rs) =>
    Number(metaOf(rs).annotations && (metaOf(rs).annotations as JsonObject)[REVISION]),
  );
  const maxRevision = Math.max(0, ...revisions.filter((n) => Number.isFinite(n)));
  const name = `${String(meta.name)}-${hash}`;
  const current = owned.find((rs) => metaOf(rs).name === name);
  const revision = String(current && maxRevision > 0 && isNewest(current, maxRevision) ? maxRevision : maxRevision + 1);
  const annotations = {
    [REVISION]: revision,
    'deployment.kubernetes.io/desired-replicas': String(replicas),
    'deployment.kubernetes.io/max-replicas': String(replicas + 1),
  };
  if (!current) {
    const tplMeta = isObject(template.metadata) ? template.metadata : {};
    template.metadata = tplMeta;
    tplMeta.labels = { ...(isObject(tplMeta.labels) ? tplMeta.labels : {}), 'pod-template-hash': hash };
    const selector = clone(isObject(spec.selector) ? spec.selector : {});
    selector.matchLabels = {
      ...(isObject(selector.matchLabels) ? selector.matchLabels : {}),
      'pod-template-hash': hash,
    };
    plan.create.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: String(meta.namespace),
        labels: { ...(tplMeta.labels as JsonObject) },
        annotations,
        ownerReferences: [ownerRef(deploy)],
      },
      spec: { replicas, minReadySeconds: spec.minReadySeconds ?? 0, selector, template },
    });
  } else {
    const next = clone(current);
    const nm = metaOf(next);
    nm.annotations = { ...(isObject(nm.annotations) ? nm.annotations : {}), ...annotations };
    (next.spec as JsonObject).replicas = replicas;
    if (!deepEqual(next, current)) plan.update.push(next);
  }
  for (const rs of owned) {
    if (metaOf(rs).name === name) continue;
    const rsSpec = isObject(rs.spec) ? rs.spec : {};
    if (rsSpec.replicas === 0) continue;
    const next = clone(rs);
    (next.spec as JsonObject).replicas = 0;
    plan.update.push(next);
  }
  const limit = typeof spec.revisionHistoryLimit === 'number' ? spec.revisionHistoryLimit : 10;
  const old = owned
    .filter((rs) => metaOf(rs).name !== name)
    .sort((a, b) => revisionOf(a) - revisionOf(b))
    .slice(0, Math.max(0, owned.filter((rs) => metaOf(rs).name !== name).length - limit));
  plan.remove.push(...old);
  return { ...plan, revision };
}

function revisionOf(rs: JsonObject): number {
  const a = metaOf(rs).annotations;
  return isObject(a) ? Number(a[REVISION] ?? 0) : 0;
}

function isNewest(rs: JsonObject, maxRevision: number): boolean {
  return revisionOf(rs) === maxRevision;
}

/** The Pods a ReplicaSet should have, given those it owns now: new ones to create, surplus ones to remove. */
export function planReplicaSet(rs: JsonObject, pods: JsonObject[]): RolloutPlan {
  const plan: RolloutPlan = { create: [], update: [], remove: [] };
  const spec = isObject(rs.spec) ? rs.spec : {};
  const meta = metaOf(rs);
  const owned = pods.filter((p) => ownedBy(p, meta.uid) && !metaOf(p).deletionTimestamp);
  const want = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const template = isObject(spec.template) ? spec.template : {};
  const tplMeta = isObject(template.metadata) ? template.metadata : {};
  for (let i = owned.length; i < want; i++) {
    const suffix = [...randomBytes(5)].map((b) => ALPHANUMS[b % ALPHANUMS.length]!).join('');
    plan.create.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${String(meta.name)}-${suffix}`,
        namespace: String(meta.namespace),
        labels: clone(isObject(tplMeta.labels) ? tplMeta.labels : {}),
        ...(isObject(tplMeta.annotations) ? { annotations: clone(tplMeta.annotations) } : {}),
        ownerReferences: [ownerRef(rs)],
      },
      spec: clone(isObject(template.spec) ? template.spec : {}),
    });
  }
  plan.remove.push(...owned.slice(want));
  return plan;
}
