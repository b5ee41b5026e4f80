// The cluster layer: the only module that talks to a Kubernetes API.
export { ClusterClient, ClusterApiError, connect, isConflict, isNotFound } from './client.js';
export type { ApplyOptions, ConnectOptions, DeleteOptions, ListOptions, WaitOptions, WaitProgress, WaitResult } from './client.js';
export { loadKubeconfig } from './kubeconfig.js';
export type { KubeconfigOptions, LoadedKubeconfig } from './kubeconfig.js';
export { readiness } from './readiness.js';
export type { Readiness, ReadinessOptions } from './readiness.js';
export { describeRef, refKey } from './types.js';
export type { KubeObject, ObjectMeta, ObjectRef, Propagation, ResourceMapping } from './types.js';
