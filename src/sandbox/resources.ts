// The API resources the sandbox serves: built-in kinds a chart uses, plus custom resources from CRDs.

export interface ResourceInfo {
  group: string;
  /** Versions served, preferred first. */
  versions: string[];
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  hasStatus: boolean;
  /** True for kinds defined by a CustomResourceDefinition. */
  custom?: boolean;
  /** Verbs when not the usual eight: reviews are create-only, componentstatuses read-only. */
  verbs?: string[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const RESOURCE_VERBS = VERBS;

function r(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[] = [],
  hasStatus = false,
): ResourceInfo {
  return {
    group,
    versions: [version],
    resource,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    shortNames: shortNames.length ? shortNames : undefined,
    categories: ['all'].filter(() =>
      [
        'pods',
        'services',
        'deployments',
        'statefulsets',
        'daemonsets',
        'replicasets',
        'jobs',
        'cronjobs',
        'horizontalpodautoscalers',
      ].includes(resource),
    ),
    hasStatus,
  };
}

function only(verbs: string[], info: ResourceInfo): ResourceInfo {
  return { ...info, verbs };
}

export const BUILTIN_RESOURCES: ResourceInfo[] = [
  r('', 'v1', 'namespaces', 'Namespace', false, ['ns'], true),
  r('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  r('', 'v1', 'secrets', 'Secret', true),
  r('', 'v1', 'services', 'Service', true, ['svc'], true),
  r('', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
  r('', 'v1', 'pods', 'Pod', true, ['po'], true),
  r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], true),
  r('', 'v1', 'events', 'Event', true, ['ev']),
  r('', 'v1', 'endpoints', 'Endpoints', true, ['ep']),
  r('apps', 'v1', 'deployments', 'Deployment', true, ['deploy'], true),
  r('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts'], true),
  r('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds'], true),
  r('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs'], true),
  r('batch', 'v1', 'jobs', 'Job', true, [], true),
  r('batch', 'v1', 'cronjobs', 'CronJob', true, ['cj'], true),
  r('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, ['ing'], true),
  r('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, ['netpol']),
  r('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  r('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  r('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  r('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  r('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, ['hpa'], true),
  r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb'], true),
  r('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  // The rest of what a real server serves (56 resources in all), so that kubectl api-resources lists them.
  only(['create'], r('', 'v1', 'bindings', 'Binding', true)),
  only(['get', 'list'], r('', 'v1', 'componentstatuses', 'ComponentStatus', false, ['cs'])),
  r('', 'v1', 'limitranges', 'LimitRange', true, ['limits']),
  r('', 'v1', 'nodes', 'Node', false, ['no'], true),
  r('', 'v1', 'persistentvolumes', 'PersistentVolume', false, ['pv'], true),
  r('', 'v1', 'podtemplates', 'PodTemplate', true),
  r('', 'v1', 'replicationcontrollers', 'ReplicationController', true, ['rc'], true),
  r('', 'v1', 'resourcequotas', 'ResourceQuota', true, ['quota'], true),
  r('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false),
  r('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false),
  r('apiregistration.k8s.io', 'v1', 'apiservices', 'APIService', false, [], true),
  r('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  only(['create'], r('authentication.k8s.io', 'v1', 'selfsubjectreviews', 'SelfSubjectReview', false)),
  only(['create'], r('authentication.k8s.io', 'v1', 'tokenreviews', 'TokenReview', false)),
  only(['create'], r('authorization.k8s.io', 'v1', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true)),
  only(['create'], r('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false)),
  only(['create'], r('authorization.k8s.io', 'v1', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false)),
  only(['create'], r('authorization.k8s.io', 'v1', 'subjectaccessreviews', 'SubjectAccessReview', false)),
  r('certificates.k8s.io', 'v1', 'certificatesigningrequests', 'CertificateSigningRequest', false, ['csr'], true),
  r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  r('events.k8s.io', 'v1', 'events', 'Event', true, ['ev']),
  r('flowcontrol.apiserver.k8s.io', 'v1', 'flowschemas', 'FlowSchema', false, [], true),
  r('flowcontrol.apiserver.k8s.io', 'v1', 'prioritylevelconfigurations', 'PriorityLevelConfiguration', false, [], true),
  r('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  r('node.k8s.io', 'v1', 'runtimeclasses', 'RuntimeClass', false),
  r('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false, ['pc']),
  r('storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', false),
  r('storage.k8s.io', 'v1', 'csinodes', 'CSINode', false),
  r('storage.k8s.io', 'v1', 'csistoragecapacities', 'CSIStorageCapacity', true),
  r('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, ['sc']),
  r('storage.k8s.io', 'v1', 'volumeattachments', 'VolumeAttachment', false, [], true),
  r(
    'apiextensions.k8s.io',
    'v1',
    'customresourcedefinitions',
    'CustomResourceDefinition',
    false,
    ['crd', 'crds'],
    true,
  ),
];

/** Builds resource infos from a CustomResourceDefinition object (served versions only; storage version preferred). */
export function resourceFromCrd(crd: Record<string, unknown>): ResourceInfo | undefined {
  const spec = crd.spec as Record<string, unknown> | undefined;
  if (!spec) return undefined;
  const names = (spec.names ?? {}) as Record<string, unknown>;
  const versions = (Array.isArray(spec.versions) ? spec.versions : []) as Array<Record<string, unknown>>;
  const served = versions.filter((v) => v.served !== false && typeof v.name === 'string');
  if (
    typeof spec.group !== 'string' ||
    typeof names.plural !== 'string' ||
    typeof names.kind !== 'string' ||
    served.length === 0
  ) {
    return undefined;
  }
  served.sort((a, b) => Number(Boolean(b.storage)) - Number(Boolean(a.storage)));
  const hasStatus = served.some((v) => {
    const sub = v.subresources as Record<string, unknown> | undefined;
    return sub !== undefined && sub.status !== undefined;
  });
  return {
    group: spec.group,
    versions: served.map((v) => v.name as string),
    resource: names.plural,
    singular: typeof names.singular === 'string' ? names.singular : names.kind.toLowerCase(),
    kind: names.kind,
    namespaced: spec.scope !== 'Cluster',
    shortNames: Array.isArray(names.shortNames) ? (names.shortNames as string[]) : undefined,
    categories: Array.isArray(names.categories) ? (names.categories as string[]) : undefined,
    hasStatus,
    custom: true,
  };
}

export function groupVersionOf(info: ResourceInfo, version = info.versions[0]!): string {
  return info.group ? `${info.group}/${version}` : version;
}

/** `deployments.apps`, `configmaps`: the qualified resource name used in Status messages. */
export function qualified(info: ResourceInfo): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}
