// Shapes shared by the cluster layer and its callers; deliberately free of @kubernetes/client-node types.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  ownerReferences?: unknown[];
  finalizers?: string[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Enough to name one object. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** What discovery says about an (apiVersion, kind). */
export interface ResourceMapping {
  group: string;
  version: string;
  /** Plural resource name used in URLs, e.g. `deployments`. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

export type Propagation = 'Foreground' | 'Background' | 'Orphan';

/** `Deployment web (ns prod)`-style label for messages. */
export function describeRef(ref: ObjectRef): string {
  const ns = ref.metadata.namespace;
  return `${ref.kind} ${ns ? `${ns}/` : ''}${ref.metadata.name}`;
}

/** Identity ignoring the version: group, kind, namespace and name. */
export function refKey(ref: ObjectRef): string {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0]! : '';
  return `${group}/${ref.kind}/${ref.metadata.namespace ?? ''}/${ref.metadata.name}`;
}
