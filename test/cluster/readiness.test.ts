import { describe, expect, it } from 'vitest';
import { readiness, type KubeObject } from '../../src/cluster/index.js';

function obj(apiVersion: string, kind: string, spec: unknown, status: unknown, generation = 1): KubeObject {
  return { apiVersion, kind, metadata: { name: 'x', generation }, spec, status };
}

/** The readiness of a Deployment of 2 replicas at generation 2 with this status. */
const deployment = (status: unknown) => readiness(obj('apps/v1', 'Deployment', { replicas: 2 }, status, 2));

describe('readiness', () => {
  it('Deployment: observedGeneration, updated and available replicas, deadline', () => {
    expect(readiness(obj('apps/v1', 'Deployment', { replicas: 2 }, {}, 1)).reason).toContain('observe');
    expect(deployment({ observedGeneration: 1 }).ready).toBe(false);
    expect(deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 2 })).toEqual({
      ready: false,
      reason: '1/2 replicas updated',
    });
    expect(deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 }).reason).toBe(
      '1 old replicas pending termination',
    );
    expect(deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 })).toEqual({
      ready: false,
      reason: '1/2 replicas available',
    });
    expect(deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }).ready).toBe(
      true,
    );
    expect(
      readiness(
        obj(
          'apps/v1',
          'Deployment',
          {},
          { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
        ),
      ).ready,
    ).toBe(true);
    const deadline = readiness(
      obj(
        'apps/v1',
        'Deployment',
        {},
        {
          observedGeneration: 1,
          conditions: [
            { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'timed out' },
          ],
        },
      ),
    );
    expect(deadline).toMatchObject({ ready: false, failed: true });
  });

  it('StatefulSet, DaemonSet and ReplicaSet', () => {
    expect(
      readiness(
        obj('apps/v1', 'StatefulSet', { replicas: 3 }, { observedGeneration: 1, readyReplicas: 2, updatedReplicas: 3 }),
      ).reason,
    ).toBe('2/3 replicas ready');
    expect(
      readiness(
        obj('apps/v1', 'StatefulSet', { replicas: 3 }, { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 3 }),
      ).ready,
    ).toBe(true);
    expect(
      readiness(
        obj(
          'apps/v1',
          'DaemonSet',
          {},
          { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 },
        ),
      ).ready,
    ).toBe(false);
    expect(
      readiness(
        obj(
          'apps/v1',
          'DaemonSet',
          {},
          { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 },
        ),
      ).ready,
    ).toBe(true);
    expect(
      readiness(obj('apps/v1', 'ReplicaSet', { replicas: 2 }, { observedGeneration: 1, availableReplicas: 2 })).ready,
    ).toBe(true);
  });

  it('Job completes or fails', () => {
    expect(readiness(obj('batch/v1', 'Job', {}, { active: 1 })).ready).toBe(false);
    expect(readiness(obj('batch/v1', 'Job', {}, { conditions: [{ type: 'Complete', status: 'True' }] })).ready).toBe(
      true,
    );
    expect(
      readiness(
        obj(
          'batch/v1',
          'Job',
          {},
          { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
        ),
      ),
    ).toMatchObject({ ready: false, failed: true, reason: 'job failed: BackoffLimitExceeded' });
  });

  it('Pod, PVC, Service', () => {
    expect(
      readiness(obj('v1', 'Pod', {}, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] })).ready,
    ).toBe(true);
    expect(
      readiness(
        obj(
          'v1',
          'Pod',
          {},
          { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff' } } }] },
        ),
      ).reason,
    ).toBe('pod Pending (ImagePullBackOff)');
    expect(readiness(obj('v1', 'Pod', {}, { phase: 'Succeeded' })).ready).toBe(true);
    expect(readiness(obj('v1', 'Pod', {}, { phase: 'Failed' })).failed).toBe(true);
    expect(readiness(obj('v1', 'PersistentVolumeClaim', {}, { phase: 'Pending' })).ready).toBe(false);
    expect(readiness(obj('v1', 'PersistentVolumeClaim', {}, { phase: 'Bound' })).ready).toBe(true);
    expect(readiness(obj('v1', 'Service', { type: 'ClusterIP', clusterIP: '10.0.0.1' }, {})).ready).toBe(true);
    const lb = obj('v1', 'Service', { type: 'LoadBalancer', clusterIP: '10.0.0.1' }, { loadBalancer: {} });
    expect(readiness(lb).ready).toBe(false);
    expect(readiness(lb, { loadBalancerIngress: false }).ready).toBe(true);
    expect(
      readiness(
        obj(
          'v1',
          'Service',
          { type: 'LoadBalancer', clusterIP: '10.0.0.1' },
          { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
        ),
      ).ready,
    ).toBe(true);
  });

  it('calls a headless Service (clusterIP: None) ready without claiming it has a cluster IP', () => {
    expect(readiness(obj('v1', 'Service', { type: 'ClusterIP', clusterIP: 'None' }, {}))).toEqual({
      ready: true,
      reason: 'headless service (no cluster IP)',
    });
    expect(readiness(obj('v1', 'Service', { type: 'ClusterIP', clusterIP: '10.0.0.1' }, {})).reason).toBe(
      'service has a cluster IP',
    );
  });

  it('custom resources: Ready/Available conditions, observedGeneration, unknown', () => {
    expect(readiness(obj('x.io/v1', 'Thing', {}, { conditions: [{ type: 'Ready', status: 'True' }] })).ready).toBe(
      true,
    );
    expect(
      readiness(obj('x.io/v1', 'Thing', {}, { conditions: [{ type: 'Available', status: 'False', reason: 'Wait' }] })),
    ).toEqual({ ready: false, reason: 'Available=False (Wait)' });
    expect(
      readiness(
        obj('x.io/v1', 'Thing', {}, { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] }, 2),
      ).ready,
    ).toBe(false);
    expect(readiness(obj('x.io/v1', 'Thing', {}, undefined))).toMatchObject({ ready: true, unknown: true });
    expect(readiness(obj('x.io/v1', 'Thing', {}, undefined), { unknownAsReady: false })).toMatchObject({
      ready: false,
      unknown: true,
    });
  });

  it('other built-in kinds are ready on apply', () => {
    expect(readiness(obj('v1', 'ConfigMap', undefined, undefined)).ready).toBe(true);
    expect(readiness(obj('rbac.authorization.k8s.io/v1', 'Role', undefined, undefined))).toEqual({
      ready: true,
      reason: 'ready on apply',
    });
  });
});
