// The cluster layer: the only module that talks to a Kubernetes API.
export { HttpClusterClient, connect } from './client.js';
export type { ApplyOptions, ClusterClient, ConnectOptions, DeleteOptions, ListOptions } from './client.js';
export {
  ClusterApiError,
  ClusterConnectionError,
  forbiddenKind,
  isAmbiguous,
  isConflict,
  isNotFound,
} from './errors.js';
export type { ForbiddenKind } from './errors.js';
export { FakeCluster } from './fake.js';
export type { FakeFailure, FakeVerb } from './fake.js';
export { loadKubeconfig } from './kubeconfig.js';
export type { KubeconfigOptions, LoadedKubeconfig } from './kubeconfig.js';
export { readiness } from './readiness.js';
export type { Readiness, ReadinessOptions, WaitOptions, WaitProgress, WaitResult } from './readiness.js';
export { describeRef, refKey } from './types.js';
export type { KubeObject, ObjectMeta, ObjectRef, Propagation, ResourceMapping } from './types.js';
