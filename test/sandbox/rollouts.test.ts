import { describe, expect, it } from 'vitest';
import { planDeployment, planReplicaSet, podTemplateHash } from '../../src/sandbox/rollouts.js';
import type { JsonObject } from '../../src/sandbox/patch.js';

const template = (image: string): JsonObject => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image }] },
});

const deployment = (image: string, extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'd-1' },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template(image), ...extra },
});

/** Stores what a plan creates, as the server would (with a uid). */
function stored(rs: JsonObject, uid: string): JsonObject {
  return { ...rs, metadata: { ...(rs.metadata as JsonObject), uid } };
}

describe('the simulated Deployment controller', () => {
  it('names the ReplicaSet <deployment>-<hash> from the alphabet Kubernetes uses, stable for a template', () => {
    const hash = podTemplateHash(template('nginx:1'));
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(podTemplateHash(template('nginx:1'))).toBe(hash);
    expect(podTemplateHash(template('nginx:2'))).not.toBe(hash);
    const plan = planDeployment(deployment('nginx:1'), []);
    expect(plan.revision).toBe('1');
    expect(plan.create).toHaveLength(1);
    expect(plan.create[0]).toMatchObject({
      metadata: {
        name: `web-${hash}`,
        labels: { app: 'web', 'pod-template-hash': hash },
        annotations: { 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ kind: 'Deployment', uid: 'd-1', controller: true }],
      },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } } },
    });
  });

  it('makes a new template revision 2, scales the old ReplicaSet to 0, and a rollback revision 3', () => {
    const first = stored(planDeployment(deployment('nginx:1'), []).create[0]!, 'rs-1');
    const second = planDeployment(deployment('nginx:2'), [first]);
    expect(second.revision).toBe('2');
    expect(second.update.map((rs) => (rs.spec as JsonObject).replicas)).toEqual([0]);
    const rs2 = stored(second.create[0]!, 'rs-2');
    const back = planDeployment(deployment('nginx:1'), [
      { ...first, spec: { ...(first.spec as JsonObject), replicas: 0 } },
      rs2,
    ]);
    expect(back.revision).toBe('3');
    expect(back.create).toHaveLength(0);
    const revived = back.update.find((rs) => (rs.metadata as JsonObject).name === (first.metadata as JsonObject).name);
    expect(revived).toMatchObject({
      spec: { replicas: 2 },
      metadata: { annotations: { 'deployment.kubernetes.io/revision': '3' } },
    });
  });

  it('removes ReplicaSets past revisionHistoryLimit, oldest first', () => {
    const rs1 = stored(planDeployment(deployment('a:1'), []).create[0]!, 'rs-1');
    const rs2 = stored(planDeployment(deployment('a:2'), [rs1]).create[0]!, 'rs-2');
    const plan = planDeployment(deployment('a:3', { revisionHistoryLimit: 1 }), [rs1, rs2]);
    expect(plan.remove.map((rs) => (rs.metadata as JsonObject).uid)).toEqual(['rs-1']);
  });

  it('gives a ReplicaSet as many Pods as replicas, named after it, and removes the surplus', () => {
    const rs = stored(planDeployment(deployment('nginx:1'), []).create[0]!, 'rs-1');
    const plan = planReplicaSet(rs, []);
    expect(plan.create).toHaveLength(2);
    expect((plan.create[0]!.metadata as JsonObject).name).toMatch(
      new RegExp(`^${String((rs.metadata as JsonObject).name)}-[a-z0-9]{5}$`),
    );
    const pods = plan.create.map((p, i) => stored(p, `p-${i}`));
    const down = planReplicaSet({ ...rs, spec: { ...(rs.spec as JsonObject), replicas: 1 } }, pods);
    expect(down.remove).toHaveLength(1);
    expect(down.create).toHaveLength(0);
  });
});
