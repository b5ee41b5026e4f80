// A release's objects: the stored manifest text ↔ Kubernetes objects with the release's marks (managed-by label,
// release name/namespace annotations) and their namespace resolved by the cluster's REST mapping; ownership checks
// before applying; applying in install order; deleting in reverse.
import yaml from 'js-yaml';
import type { ClusterClient, KubeObject, ObjectRef, Propagation } from '../cluster/index.js';
import { describeRef, refKey } from '../cluster/index.js';
import { PortolanError, messageOf } from '../errors.js';
import { INSTALL_ORDER, splitDocuments } from '../render/index.js';
import { HELM_YAML_SCHEMA } from '../values/index.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const RELEASE_NAME_ANNOTATION = 'meta.portolan.dev/release-name';
export const RELEASE_NAMESPACE_ANNOTATION = 'meta.portolan.dev/release-namespace';
const KEEP_ANNOTATIONS = ['helm.sh/resource-policy', 'portolan.dev/resource-policy'];

export interface ManifestDocument {
  source: string;
  object: KubeObject;
}

/** The documents of a stored manifest, in their stored (install) order. */
export function parseManifest(manifest: string, where: string): ManifestDocument[] {
  const out: ManifestDocument[] = [];
  for (const { text } of splitDocuments(manifest)) {
    const source = /^# Source: (.*)$/m.exec(text)?.[1]?.trim() ?? where;
    let object: unknown;
    try {
      // Read as it was rendered (render/manifests.ts): go-yaml v2's rules.
      object = yaml.load(text, { schema: HELM_YAML_SCHEMA, json: true });
    } catch (err) {
      throw new PortolanError(
        'MANIFEST_INVALID',
        `${where}: a document from ${source} does not parse: ${messageOf(err)}`,
        { file: source },
      );
    }
    if (object === null || object === undefined) continue;
    out.push({ source, object: checkObject(object, source) });
  }
  return out;
}

/** A parsed document as a Kubernetes object, or an error naming the template. */
export function checkObject(object: unknown, source: string): KubeObject {
  const o = object as Partial<KubeObject> | undefined;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw new PortolanError('MANIFEST_INVALID', `${source}: a document is not a Kubernetes object`, { file: source });
  }
  const missing = ['apiVersion', 'kind'].filter(
    (k) => typeof (o as Record<string, unknown>)[k] !== 'string' || (o as Record<string, unknown>)[k] === '',
  );
  const name = o.metadata && typeof o.metadata === 'object' ? o.metadata.name : undefined;
  if (typeof name !== 'string' || name === '') missing.push('metadata.name');
  if (missing.length > 0) {
    throw new PortolanError(
      'MANIFEST_INVALID',
      `${source}: ${o.kind ?? 'a document'}${typeof name === 'string' && name ? ` "${name}"` : ''} has no ${missing.join(', ')}`,
      {
        file: source,
        hint: 'Every object needs apiVersion, kind and metadata.name.',
      },
    );
  }
  return o as KubeObject;
}

/** Deep copy with the release's marks, and the namespace set (namespaced kinds) or removed (cluster-scoped). */
export function markObject(
  object: KubeObject,
  release: { name: string; namespace: string },
  namespaced: boolean | undefined,
): KubeObject {
  const copy = structuredClone(object);
  const meta = copy.metadata;
  meta.labels = { ...(meta.labels ?? {}), [MANAGED_BY_LABEL]: 'portolan' };
  meta.annotations = {
    ...(meta.annotations ?? {}),
    [RELEASE_NAME_ANNOTATION]: release.name,
    [RELEASE_NAMESPACE_ANNOTATION]: release.namespace,
  };
  if (namespaced === true)
    meta.namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : release.namespace;
  else if (namespaced === false) delete meta.namespace;
  return copy;
}

/**
 * Marks every object and resolves its scope through the cluster's discovery (unknown kinds fail here, before any
 * write).
 */
export async function resolveObjects(
  cluster: ClusterClient | undefined,
  documents: ManifestDocument[],
  release: { name: string; namespace: string },
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const doc of documents) {
    let namespaced: boolean | undefined;
    if (cluster) {
      try {
        namespaced = (await cluster.resourceFor(doc.object.apiVersion, doc.object.kind)).namespaced;
      } catch (err) {
        throw new PortolanError('MANIFEST_INVALID', `${doc.source}: ${messageOf(err)}`, {
          file: doc.source,
          hint: err instanceof PortolanError ? err.hint : undefined,
          cause: err,
        });
      }
    } else namespaced = true;
    out.push(markObject(doc.object, release, namespaced));
  }
  const seen = new Map<string, string>();
  for (let i = 0; i < out.length; i++) {
    const key = refKey(out[i]!);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new PortolanError(
        'MANIFEST_INVALID',
        `${describeRef(out[i]!)} is rendered twice (by ${earlier} and ${documents[i]!.source})`,
        {
          file: documents[i]!.source,
          hint: 'Give each object a unique name, e.g. by including the release name.',
        },
      );
    }
    seen.set(key, documents[i]!.source);
  }
  return out;
}

export function toRef(o: KubeObject | ObjectRef): ObjectRef {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) },
  };
}

export function isKept(live: KubeObject | undefined): boolean {
  return KEEP_ANNOTATIONS.some((a) => live?.metadata.annotations?.[a] === 'keep');
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** Who a live object belongs to, for messages; undefined when it is ours. */
function foreignOwner(live: KubeObject, release: { name: string; namespace: string }): string | undefined {
  const a = live.metadata.annotations ?? {};
  const name = a[RELEASE_NAME_ANNOTATION];
  const ns = a[RELEASE_NAMESPACE_ANNOTATION];
  if (name === release.name && ns === release.namespace) return undefined;
  if (name !== undefined) return `it belongs to portolan release "${name}" in namespace "${ns ?? '?'}"`;
  if (a['meta.helm.sh/release-name'] !== undefined)
    return `it belongs to Helm release "${a['meta.helm.sh/release-name']}" in namespace "${a['meta.helm.sh/release-namespace'] ?? '?'}"`;
  return 'it exists and belongs to no release';
}

/**
 * Checks that objects about to be created are not someone else's. Objects of `known` (the previous revision's) are
 * skipped. Returns the keys (refKey) of the objects that already exist. Kinds with many objects are listed once
 * instead of read one by one.
 */
export async function checkOwnership(
  cluster: ClusterClient,
  objects: KubeObject[],
  release: { name: string; namespace: string },
  options: { known: Set<string>; takeOwnership: boolean },
): Promise<Set<string>> {
  const existing = new Set<string>();
  const problems: string[] = [];
  const groups = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const key = refKey(o);
    if (options.known.has(key)) {
      existing.add(key);
      continue;
    }
    const g = `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}`;
    const list = groups.get(g) ?? [];
    list.push(o);
    groups.set(g, list);
  }
  const consider = (o: KubeObject, live: KubeObject | undefined) => {
    if (!live || live.metadata.deletionTimestamp) return;
    existing.add(refKey(o));
    const owner = foreignOwner(live, release);
    if (owner && !options.takeOwnership) problems.push(`${describeRef(o)}: ${owner}`);
  };
  await mapLimit([...groups.values()], 4, async (group) => {
    const first = group[0]!;
    if (group.length >= 8) {
      const live = await cluster.list(first.apiVersion, first.kind, { namespace: first.metadata.namespace });
      const byName = new Map(live.map((l) => [l.metadata.name, l]));
      for (const o of group) consider(o, byName.get(o.metadata.name));
    } else {
      await mapLimit(group, 8, async (o) =>
        consider(o, await cluster.get(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace)),
      );
    }
  });
  if (problems.length > 0) {
    throw new PortolanError(
      'CONFLICT',
      `${problems.length} object${problems.length === 1 ? '' : 's'} of release "${release.name}" already exist${problems.length === 1 ? 's' : ''} and ${problems.length === 1 ? 'is' : 'are'} not part of it; nothing was applied`,
      {
        problems: problems.sort(),
        hint: 'Delete them, rename them in the chart, or pass --take-ownership to adopt them into this release.',
      },
    );
  }
  return existing;
}

function orderIndex(kind: string): number {
  const i = INSTALL_ORDER.indexOf(kind);
  return i < 0 ? INSTALL_ORDER.length : i;
}

/** Runs of objects of one kind, in install order (unknown kinds last, alphabetically). */
export function groupsInInstallOrder<T extends { kind: string }>(objects: T[]): T[][] {
  const sorted = [...objects].sort((a, b) => {
    const d = orderIndex(a.kind) - orderIndex(b.kind);
    if (d !== 0) return d;
    return orderIndex(a.kind) === INSTALL_ORDER.length ? (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) : 0;
  });
  const groups: T[][] = [];
  for (const o of sorted) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.kind === o.kind) last.push(o);
    else groups.push([o]);
  }
  return groups;
}

/** Server-side apply, kind by kind in install order, objects of one kind in parallel. */
export async function applyInOrder(
  cluster: ClusterClient,
  objects: KubeObject[],
  options: { force: boolean; dryRun?: boolean; onApplied?: (o: KubeObject) => void },
): Promise<void> {
  for (const group of groupsInInstallOrder(objects)) {
    await mapLimit(group, 16, async (o) => {
      try {
        await cluster.apply(o, { force: options.force, dryRun: options.dryRun });
      } catch (err) {
        throw applyError(o, err);
      }
      options.onApplied?.(o);
    });
  }
}

function applyError(o: KubeObject, err: unknown): PortolanError {
  const e = err instanceof PortolanError ? err : undefined;
  const conflict = e?.code === 'CONFLICT';
  const immutable =
    /immutable|may not change/i.test(e?.message ?? '') || (e?.problems ?? []).some((p) => /immutable/.test(p));
  return new PortolanError(
    e?.code === 'NOT_FOUND' || e?.code === 'CONFLICT' ? e.code : 'CLUSTER',
    `cannot apply ${describeRef(o)}: ${messageOf(err)}`,
    {
      problems: e?.problems,
      hint: conflict
        ? 'Another field manager owns these fields; pass --force-conflicts to take them over.'
        : immutable
          ? 'The change touches a field Kubernetes does not let you change; delete the object first (it is recreated by the next upgrade), or keep that field as it was.'
          : e?.hint,
      cause: err,
    },
  );
}

/** Deletes objects in reverse install order, skipping those marked resource-policy keep. Returns deleted and kept. */
export async function deleteInReverseOrder(
  cluster: ClusterClient,
  refs: ObjectRef[],
  options: { dryRun?: boolean; propagation?: Propagation } = {},
): Promise<{ deleted: ObjectRef[]; kept: ObjectRef[] }> {
  const deleted: ObjectRef[] = [];
  const kept: ObjectRef[] = [];
  for (const group of groupsInInstallOrder(refs).reverse()) {
    await mapLimit(group, 16, async (ref) => {
      const live = await cluster
        .get(ref.apiVersion, ref.kind, ref.metadata.name, ref.metadata.namespace)
        .catch((err: unknown) => {
          // A kind the cluster no longer serves (its CRD was removed) has nothing left to delete.
          if (err instanceof PortolanError && /has no resource for kind/.test(err.message)) return undefined;
          throw err;
        });
      if (!live) return;
      if (isKept(live)) {
        kept.push(ref);
        return;
      }
      if (!options.dryRun && (await cluster.delete(ref, { propagation: options.propagation }))) deleted.push(ref);
    });
  }
  return { deleted, kept };
}
