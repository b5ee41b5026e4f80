// Every built-in kind a chart uses, through the HTTP client against a sandbox: discovery maps it, apply creates it,
// the wait decides its readiness per kind, and delete removes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type HttpClusterClient, type KubeObject } from '../../src/cluster/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const NS = 'kinds';
let sandbox: Sandbox;
let client: HttpClusterClient;
let dir: string;

const labels = { app: 'kinds' };
const podTemplate = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } };
const jobTemplate = { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } };

/** [apiVersion, kind, plural resource, namespaced, the rest of a minimal object] */
const KINDS: Array<[string, string, string, boolean, Record<string, unknown>]> = [
  ['v1', 'Namespace', 'namespaces', false, {}],
  ['v1', 'ConfigMap', 'configmaps', true, { data: { a: '1' } }],
  ['v1', 'Secret', 'secrets', true, { stringData: { password: 'x' } }],
  ['v1', 'Service', 'services', true, { spec: { selector: labels, ports: [{ port: 80 }] } }],
  ['v1', 'ServiceAccount', 'serviceaccounts', true, {}],
  ['v1', 'Pod', 'pods', true, { spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } }],
  [
    'v1',
    'PersistentVolumeClaim',
    'persistentvolumeclaims',
    true,
    { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  ],
  [
    'v1',
    'Event',
    'events',
    true,
    { involvedObject: { kind: 'Pod', name: 'x', namespace: NS }, reason: 'Test', message: 'hello', type: 'Normal' },
  ],
  [
    'apps/v1',
    'Deployment',
    'deployments',
    true,
    { spec: { replicas: 2, selector: { matchLabels: labels }, template: podTemplate } },
  ],
  [
    'apps/v1',
    'StatefulSet',
    'statefulsets',
    true,
    { spec: { replicas: 2, serviceName: 'x', selector: { matchLabels: labels }, template: podTemplate } },
  ],
  ['apps/v1', 'DaemonSet', 'daemonsets', true, { spec: { selector: { matchLabels: labels }, template: podTemplate } }],
  [
    'apps/v1',
    'ReplicaSet',
    'replicasets',
    true,
    { spec: { replicas: 3, selector: { matchLabels: labels }, template: podTemplate } },
  ],
  ['batch/v1', 'Job', 'jobs', true, { spec: { template: jobTemplate } }],
  [
    'batch/v1',
    'CronJob',
    'cronjobs',
    true,
    { spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: jobTemplate } } } },
  ],
  [
    'networking.k8s.io/v1',
    'Ingress',
    'ingresses',
    true,
    {
      spec: {
        rules: [
          {
            host: 'x.example.com',
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'x', port: { number: 80 } } } }],
            },
          },
        ],
      },
    },
  ],
  [
    'networking.k8s.io/v1',
    'NetworkPolicy',
    'networkpolicies',
    true,
    { spec: { podSelector: {}, policyTypes: ['Ingress'] } },
  ],
  [
    'rbac.authorization.k8s.io/v1',
    'Role',
    'roles',
    true,
    { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
  ],
  [
    'rbac.authorization.k8s.io/v1',
    'RoleBinding',
    'rolebindings',
    true,
    {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' },
      subjects: [{ kind: 'ServiceAccount', name: 'x', namespace: NS }],
    },
  ],
  [
    'rbac.authorization.k8s.io/v1',
    'ClusterRole',
    'clusterroles',
    false,
    { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
  ],
  [
    'rbac.authorization.k8s.io/v1',
    'ClusterRoleBinding',
    'clusterrolebindings',
    false,
    {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'x' },
      subjects: [{ kind: 'ServiceAccount', name: 'x', namespace: NS }],
    },
  ],
  [
    'autoscaling/v2',
    'HorizontalPodAutoscaler',
    'horizontalpodautoscalers',
    true,
    {
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' },
        minReplicas: 1,
        maxReplicas: 3,
      },
    },
  ],
  [
    'policy/v1',
    'PodDisruptionBudget',
    'poddisruptionbudgets',
    true,
    { spec: { minAvailable: 1, selector: { matchLabels: labels } } },
  ],
  ['coordination.k8s.io/v1', 'Lease', 'leases', true, { spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } }],
  [
    'apiextensions.k8s.io/v1',
    'CustomResourceDefinition',
    'customresourcedefinitions',
    false,
    {
      spec: {
        group: 'kinds.example.com',
        scope: 'Namespaced',
        names: { plural: 'things', singular: 'thing', kind: 'Thing' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    },
  ],
];

function objectOf([apiVersion, kind, , namespaced, rest]: (typeof KINDS)[number]): KubeObject {
  const name =
    kind === 'CustomResourceDefinition'
      ? 'things.kinds.example.com'
      : kind === 'Namespace'
        ? 'kinds-extra'
        : `the-${kind.toLowerCase()}`;
  return { apiVersion, kind, metadata: { name, ...(namespaced ? { namespace: NS } : {}), labels }, ...rest };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-kinds-'));
  // Long enough that every kind is still pending at the first poll: the first write of each kind reads its schema
  // (5-20 ms each, more on a loaded machine), so applying them all can take longer than 150 ms.
  sandbox = await startSandbox({ readyDelayMs: 600, kubeconfigPath: join(dir, 'kubeconfig') });
  client = await connect({ kubeconfig: sandbox.kubeconfigPath, namespace: NS, timeoutMs: 5_000 });
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});

afterAll(async () => {
  client?.close();
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('every kind a chart uses', () => {
  it('is found by discovery with its resource name and scope', async () => {
    for (const [apiVersion, kind, resource, namespaced] of KINDS) {
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
      expect(await client.resourceFor(apiVersion, kind), kind).toEqual({ group, version, resource, kind, namespaced });
    }
  });

  it('is applied, waited for with its own readiness rule, listed by label and deleted', async () => {
    const objects = KINDS.map(objectOf);
    // The simulated controllers make no progress until the wait has polled once: a barrier, not a race between the
    // ready delay and this process.
    sandbox.holdProgress();
    const live = await client.applyAll(objects);
    for (const [i, obj] of live.entries()) {
      expect(obj.kind).toBe(objects[i]!.kind);
      expect(obj.metadata.uid, objects[i]!.kind).toBeTruthy();
      expect(obj.metadata.namespace).toBe(objects[i]!.metadata.namespace);
    }
    const firstRound: string[] = [];
    const result = await client.waitForReady(objects, {
      timeoutMs: 25_000,
      intervalMs: 20,
      onProgress: (p) => {
        if (firstRound.length > 0) return;
        firstRound.push(...p.pending.map((x) => x.ref));
        sandbox.releaseProgress();
      },
    });
    // The simulated controllers had not finished on the first poll: the wait really waited for these.
    for (const kind of [
      'Deployment',
      'StatefulSet',
      'DaemonSet',
      'ReplicaSet',
      'Job',
      'Pod',
      'PersistentVolumeClaim',
    ]) {
      expect(
        firstRound.some((r) => r.startsWith(`${kind} `)),
        kind,
      ).toBe(true);
    }
    const reasons = Object.fromEntries(result.ready.map((r) => [r.ref.split(' ')[0], r.reason]));
    expect(reasons).toMatchObject({
      Deployment: '2/2 replicas available',
      StatefulSet: '2/2 replicas ready',
      DaemonSet: '1/1 pods available',
      ReplicaSet: '3/3 replicas available',
      Job: 'job complete',
      Pod: 'pod ready',
      PersistentVolumeClaim: 'bound',
      Service: 'service has a cluster IP',
      CustomResourceDefinition: 'established',
      Namespace: 'namespace active',
      ConfigMap: 'ready on apply',
      CronJob: 'ready on apply',
    });
    expect(result.ready).toHaveLength(KINDS.length);

    for (const obj of objects) {
      const found = await client.list(obj.apiVersion, obj.kind, { labelSelector: 'app=kinds' });
      expect(
        found.map((o) => o.metadata.name),
        obj.kind,
      ).toContain(obj.metadata.name);
    }
    const byApi = await client.get('kinds.example.com/v1', 'Thing', 'missing');
    expect(byApi).toBeUndefined(); // the CRD's kind is served now

    for (const obj of [...objects].reverse()) expect(await client.delete(obj), obj.kind).toBe(true);
    await client.waitForDeletion(objects, { timeoutMs: 5_000, intervalMs: 20 });
    for (const obj of objects)
      expect(
        await client.get(obj.apiVersion, obj.kind, obj.metadata.name, obj.metadata.namespace).catch(() => undefined),
        obj.kind,
      ).toBeUndefined();
  });
});
