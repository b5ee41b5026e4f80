// Conformance: the real kubectl 1.34 against a sandbox started by this test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { KUBECTL, runPeer, type PeerResult } from '../helpers/peers.js';
import { until } from '../helpers/until.js';

let sandbox: Sandbox;
let home: string;

function kubectl(args: string[], input?: string): Promise<PeerResult> {
  return runPeer(KUBECTL, ['--kubeconfig', sandbox.kubeconfigPath, ...args], { HOME: home }, input);
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const APP = (opts: { withB: boolean; withConfigB: boolean }) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        env:
        - {name: A, value: "1"}
${opts.withB ? '        - {name: B, value: "2"}\n' : ''}---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, labels: {app: web}}
data:
  a: "1"
${opts.withConfigB ? '  b: "2"\n' : ''}---
apiVersion: v1
kind: Secret
metadata: {name: web-secret, labels: {app: other}}
stringData: {password: hunter2}
`;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'portolan-kubectl-'));
  sandbox = await startSandbox({ readyDelayMs: 100, kubeconfigPath: join(home, 'kubeconfig') });
});

afterAll(async () => {
  await sandbox?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('kubectl against the sandbox', () => {
  it('get ns lists the system namespaces', async () => {
    const out = await ok(['get', 'ns']);
    expect(out).toMatch(/^NAME\s+STATUS\s+AGE/);
    expect(out).toMatch(/default\s+Active/);
    expect(out).toMatch(/kube-system\s+Active/);
  });

  it('api-resources lists every built-in kind a chart uses, with its group and scope', async () => {
    const names = (await ok(['api-resources', '-o', 'name'])).trim().split('\n');
    const expected = [
      'namespaces',
      'configmaps',
      'secrets',
      'services',
      'serviceaccounts',
      'pods',
      'persistentvolumeclaims',
      'events',
      'deployments.apps',
      'statefulsets.apps',
      'daemonsets.apps',
      'replicasets.apps',
      'jobs.batch',
      'cronjobs.batch',
      'ingresses.networking.k8s.io',
      'networkpolicies.networking.k8s.io',
      'roles.rbac.authorization.k8s.io',
      'rolebindings.rbac.authorization.k8s.io',
      'clusterroles.rbac.authorization.k8s.io',
      'clusterrolebindings.rbac.authorization.k8s.io',
      'horizontalpodautoscalers.autoscaling',
      'poddisruptionbudgets.policy',
      'leases.coordination.k8s.io',
      'customresourcedefinitions.apiextensions.k8s.io',
    ];
    expect(names).toEqual(expect.arrayContaining(expected));
    // All 56 resources of a real server (v1.28 with its default API groups), and no CRD yet.
    expect(names).toHaveLength(56);
    expect(names).toEqual(expect.arrayContaining(['nodes', 'selfsubjectaccessreviews.authorization.k8s.io']));
    const clusterScoped = (await ok(['api-resources', '--namespaced=false', '-o', 'name'])).trim().split('\n');
    expect(clusterScoped).toEqual(
      expect.arrayContaining([
        'namespaces',
        'clusterroles.rbac.authorization.k8s.io',
        'customresourcedefinitions.apiextensions.k8s.io',
      ]),
    );
    expect(clusterScoped).not.toContain('configmaps');
  });

  it('create ns, then AlreadyExists and Invalid names are reported as kubectl expects', async () => {
    expect(await ok(['create', 'ns', 'demo'])).toContain('namespace/demo created');
    const again = await kubectl(['create', 'ns', 'demo']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('AlreadyExists');
    const bad = await kubectl(['create', 'ns', 'Bad_Name']);
    expect(bad.stderr).toContain('is invalid');
    expect(bad.stderr).toContain('RFC 1123');
  });

  it('apply --server-side of a Deployment, Service, ConfigMap and Secret', async () => {
    const out = await ok(['apply', '--server-side', '-n', 'demo', '-f', '-'], APP({ withB: true, withConfigB: true }));
    expect(out).toContain('deployment.apps/web serverside-applied');
    expect(out).toContain('service/web serverside-applied');
    expect(out).toContain('configmap/web-config serverside-applied');
    expect(out).toContain('secret/web-secret serverside-applied');
  });

  it('get -o json shows server-set fields', async () => {
    const d = JSON.parse(
      await ok(['get', 'deployment', 'web', '-n', 'demo', '-o', 'json', '--show-managed-fields']),
    ) as {
      metadata: Record<string, unknown> & { managedFields: Array<{ manager: string; operation: string }> };
    };
    expect(d.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(d.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(d.metadata.generation).toBe(1);
    expect(String(d.metadata.creationTimestamp)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(d.metadata.managedFields[0]).toMatchObject({ manager: 'kubectl', operation: 'Apply' });
    const svc = JSON.parse(await ok(['get', 'svc', 'web', '-n', 'demo', '-o', 'json'])) as {
      spec: { clusterIP: string };
    };
    expect(svc.spec.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    const secret = JSON.parse(await ok(['get', 'secret', 'web-secret', '-n', 'demo', '-o', 'json'])) as {
      data: Record<string, string>;
    };
    expect(Buffer.from(secret.data.password!, 'base64').toString()).toBe('hunter2');
  });

  it('get -l selects by label', async () => {
    const out = await ok(['get', 'cm,secret,svc', '-n', 'demo', '-l', 'app=web', '-o', 'name']);
    expect(out.trim().split('\n').sort()).toEqual(['configmap/web-config', 'service/web']);
  });

  it('re-apply with a field removed removes it', async () => {
    await ok(['apply', '--server-side', '-n', 'demo', '-f', '-'], APP({ withB: false, withConfigB: false }));
    const cm = JSON.parse(await ok(['get', 'cm', 'web-config', '-n', 'demo', '-o', 'json'])) as {
      data: Record<string, string>;
    };
    expect(cm.data).toEqual({ a: '1' });
    const env = await ok([
      'get',
      'deploy',
      'web',
      '-n',
      'demo',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].env[*].name} {.metadata.generation}',
    ]);
    expect(env).toBe('A 2');
  });

  it('wait --for=condition=Available deployment/x blocks until the rollout is available', async () => {
    // The rollout is held until kubectl has been waiting (a barrier): it cannot be available before.
    sandbox.holdProgress();
    try {
      const slow = APP({ withB: false, withConfigB: false }).split('---')[0]!.replace(/web/g, 'slow');
      await ok(['apply', '--server-side', '-n', 'demo', '-f', '-'], slow);
      const before = await ok([
        'get',
        'deploy',
        'slow',
        '-n',
        'demo',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Available")].status}',
      ]);
      expect(before).toBe('False');
      const requests = sandbox.stats().requests;
      let finished = false;
      const waiting = ok(['wait', '--for=condition=Available', 'deployment/slow', '-n', 'demo', '--timeout=60s']).then(
        (out) => {
          finished = true;
          return out;
        },
      );
      // Once kubectl has asked the server (its get and watch), the rollout may happen; until then it cannot finish.
      await until(() => sandbox.stats().requests >= requests + 2);
      expect(finished).toBe(false);
      sandbox.releaseProgress();
      expect(await waiting).toContain('deployment.apps/slow condition met');
      expect(await ok(['get', 'deploy', 'slow', '-n', 'demo', '-o', 'jsonpath={.status.readyReplicas}'])).toBe('2');
      const timedOut = await kubectl(['wait', '--for=condition=Nope', 'deployment/slow', '-n', 'demo', '--timeout=1s']);
      expect(timedOut.code).not.toBe(0);
      expect(timedOut.stderr).toContain('timed out waiting for the condition on deployments/slow');
    } finally {
      sandbox.releaseProgress();
    }
    expect(await ok(['wait', '--for=condition=Available', 'deployment/web', '-n', 'demo', '--timeout=20s'])).toContain(
      'deployment.apps/web condition met',
    );
  });

  it('scale, then a conflicting server-side apply is refused unless forced', async () => {
    expect(await ok(['scale', 'deployment/web', '-n', 'demo', '--replicas=4'])).toContain('scaled');
    const conflict = await kubectl(
      ['apply', '--server-side', '-n', 'demo', '-f', '-'],
      APP({ withB: false, withConfigB: false }),
    );
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('conflict');
    expect(conflict.stderr).toContain('.spec.replicas');
    await ok(
      ['apply', '--server-side', '--force-conflicts', '-n', 'demo', '-f', '-'],
      APP({ withB: false, withConfigB: false }),
    );
    expect(await ok(['get', 'deploy', 'web', '-n', 'demo', '-o', 'jsonpath={.spec.replicas}'])).toBe('2');
  });

  it('an immutable selector change is rejected as Invalid', async () => {
    const r = await kubectl([
      'patch',
      'deployment',
      'web',
      '-n',
      'demo',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/selector/matchLabels/app","value":"x"}]',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('field is immutable');
  });

  it('delete removes objects', async () => {
    expect(await ok(['delete', 'configmap', 'web-config', '-n', 'demo'])).toContain('deleted');
    const r = await kubectl(['get', 'configmap', 'web-config', '-n', 'demo']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('NotFound');
  });

  it('CRD, then a custom resource of it', async () => {
    const crd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;
    await ok(['apply', '--server-side', '-f', '-'], crd);
    expect(await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=10s'])).toContain(
      'condition met',
    );
    const out = await ok(
      ['apply', '--server-side', '-n', 'demo', '-f', '-'],
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n',
    );
    expect(out).toContain('widget.example.com/w1 serverside-applied');
    expect(await ok(['get', 'wd', 'w1', '-n', 'demo', '-o', 'jsonpath={.spec.size}'])).toBe('3');
  });

  it('explain reads the schemas the sandbox serves at /openapi/v3', async () => {
    const spec = await ok(['explain', 'deployment.spec']);
    expect(spec).toContain('FIELD: spec <DeploymentSpec>');
    expect(spec).toMatch(/progressDeadlineSeconds\s+<integer>/);
    expect(spec).toMatch(/template\s+<PodTemplateSpec> -required-/);
    const missing = await kubectl(['explain', 'deployment.spec.bogus']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('field "bogus" does not exist');
  });

  it('kubectl create generators (protobuf bodies) store exactly the object kubectl renders as JSON', async () => {
    const generators: Array<[string, string[]]> = [
      ['deployment/gen-deploy', ['deployment', 'gen-deploy', '--image=nginx:1.27', '--replicas=3', '--port=8080']],
      ['job/gen-job', ['job', 'gen-job', '--image=busybox', '--', 'echo', 'hi']],
      ['cronjob/gen-cron', ['cronjob', 'gen-cron', '--image=busybox', '--schedule=*/5 * * * *']],
      ['service/gen-svc', ['service', 'nodeport', 'gen-svc', '--tcp=80:8080']],
      [
        'role/gen-role',
        ['role', 'gen-role', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=x'],
      ],
      ['rolebinding/gen-rb', ['rolebinding', 'gen-rb', '--role=gen-role', '--user=u', '--serviceaccount=demo:sa']],
      ['clusterrole/gen-cr', ['clusterrole', 'gen-cr', '--verb=get', '--non-resource-url=/logs/*']],
      ['clusterrolebinding/gen-crb', ['clusterrolebinding', 'gen-crb', '--clusterrole=gen-cr', '--group=g']],
      [
        'ingress/gen-ing',
        ['ingress', 'gen-ing', '--rule=a.example.com/path*=svc:80,tls=sec', '--class=nginx', '--annotation=a=b'],
      ],
      ['pdb/gen-pdb', ['pdb', 'gen-pdb', '--selector=app=x', '--min-available=50%']],
      [
        'secret/gen-registry',
        [
          'secret',
          'docker-registry',
          'gen-registry',
          '--docker-server=r.example.com',
          '--docker-username=u',
          '--docker-password=p',
        ],
      ],
      ['configmap/gen-cm', ['configmap', 'gen-cm', '--from-literal=a=b', '--from-literal=empty=']],
      ['serviceaccount/gen-sa', ['serviceaccount', 'gen-sa']],
    ];
    const comparable = (o: Record<string, unknown>) => {
      const { metadata, status: _status, ...rest } = o as { metadata: Record<string, unknown>; status?: unknown };
      const {
        uid: _u,
        resourceVersion: _r,
        creationTimestamp: _c,
        managedFields: _m,
        generation: _g,
        namespace: _n,
        ...meta
      } = metadata;
      return { ...rest, metadata: meta };
    };
    for (const [ref, args] of generators) {
      const rendered = JSON.parse(
        await ok(['create', '-n', 'demo', '--dry-run=client', '-o', 'json', ...args]),
      ) as Record<string, unknown>;
      // The same object sent as JSON, defaulted by the server's dry run: what the protobuf body must come to.
      const viaJson = JSON.parse(
        await ok(['create', '-n', 'demo', '--dry-run=server', '-o', 'json', '-f', '-'], JSON.stringify(rendered)),
      ) as Record<string, unknown> & { spec?: Record<string, unknown> };
      expect(await ok(['create', '-n', 'demo', ...args]), ref).toContain('created');
      const live = JSON.parse(await ok(['get', ref, '-n', 'demo', '-o', 'json'])) as Record<string, unknown> & {
        spec?: Record<string, unknown>;
      };
      if (ref.startsWith('service/')) {
        // What the sandbox defaults on a Service, like a real API server does.
        expect(live.spec).toMatchObject({ clusterIP: expect.stringMatching(/^10\.96\./), sessionAffinity: 'None' });
        for (const o of [live, viaJson]) {
          delete o.spec!.clusterIP;
          delete o.spec!.clusterIPs;
          for (const port of o.spec!.ports as Array<{ nodePort?: number }>) {
            expect(port.nodePort).toBeGreaterThanOrEqual(30000);
            delete port.nodePort;
          }
        }
      }
      if (ref.startsWith('deployment/')) {
        // The simulated Deployment controller's mark, which a dry run never gets.
        const annotations = (live.metadata as { annotations: Record<string, string> }).annotations;
        expect(annotations['deployment.kubernetes.io/revision']).toBe('1');
        delete annotations['deployment.kubernetes.io/revision'];
        if (Object.keys(annotations).length === 0) delete (live.metadata as { annotations?: unknown }).annotations;
      }
      if (ref.startsWith('job/')) {
        // The generated selector names the Job's own uid.
        for (const o of [live, viaJson]) {
          delete o.spec!.selector;
          delete (o.spec!.template as { metadata?: unknown }).metadata;
        }
      }
      expect(comparable(live), ref).toEqual(comparable(viaJson));
    }
  });

  it('deleting a namespace removes its contents', async () => {
    await ok(['delete', 'ns', 'demo', '--timeout=20s']);
    const r = await ok(['get', 'deploy,svc,secret,widgets', '-A', '-o', 'name']);
    expect(r).not.toContain('web');
    expect(r).not.toContain('w1');
  });
});
