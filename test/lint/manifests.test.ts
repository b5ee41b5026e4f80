// Rules on rendered objects: kind/apiVersion, names, labels, selectors; and Kubernetes schema errors made readable.
import { describe, expect, it } from 'vitest';
import { describeSchemaErrors, fieldPath, loadKindValidators, kindKey } from '../../src/lint/kubernetes.js';
import { lintManifest, nameProblem } from '../../src/lint/manifests.js';

const messages = (object: unknown) => lintManifest({ file: 'templates/x.yaml', object }).map((f) => f.message);

describe('lintManifest', () => {
  it('accepts a well-formed Deployment', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' } },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web', tier: 'front' } } },
      },
    };
    expect(messages(deployment)).toEqual([]);
  });

  it('requires kind, apiVersion and a name', () => {
    expect(messages({ metadata: {} })).toEqual([
      'object has no kind',
      'object has no apiVersion',
      'object: metadata.name is required',
    ]);
    expect(messages('text')).toEqual([expect.stringMatching(/is string, not a Kubernetes object/)]);
  });

  it('checks names by kind: subdomains, Service DNS-1035 labels, RBAC path segments', () => {
    expect(nameProblem('ConfigMap', 'a.b-c')).toBeUndefined();
    expect(nameProblem('ConfigMap', 'Bad_Name')).toMatch(/DNS-1123 subdomain/);
    expect(nameProblem('Service', 'a.b')).toMatch(/DNS-1035 label/);
    expect(nameProblem('Service', '1abc')).toMatch(/DNS-1035 label/);
    expect(nameProblem('Service', 'x'.repeat(64))).toMatch(/at most 63/);
    expect(nameProblem('ClusterRole', 'system:Reader')).toBeUndefined();
    expect(nameProblem('Role', 'a/b')).toMatch(/may not contain/);
    expect(messages({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } })).toEqual([
      expect.stringMatching(/^object name does not conform to Kubernetes naming requirements: "Bad_Name"/),
    ]);
  });

  it('checks label keys and values', () => {
    const found = messages({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', labels: { ok: 'fine', long: 'v'.repeat(64), 'bad key!': 'a', n: 3 } },
    });
    expect(found).toEqual([
      expect.stringMatching(/metadata.labels\["long"\]: label value "v+" is invalid/),
      expect.stringMatching(/label key "bad key!" is invalid/),
      expect.stringMatching(/metadata.labels\["n"\]: label value must be a string, found number/),
    ]);
  });

  it('requires workload selectors, and that they select the Pod template', () => {
    expect(
      messages({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd' }, spec: { template: {} } }),
    ).toEqual(['a DaemonSet must contain matchLabels or matchExpressions, and "d" does not']);
    const mismatch = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 's' },
      spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'web' } } } },
    };
    expect(messages(mismatch)).toEqual([
      'StatefulSet "s": spec.selector does not match spec.template.metadata.labels (the Pods lack app=db)',
    ]);
  });
});

describe('Kubernetes schemas', () => {
  it('writes JSON pointers as field paths', () => {
    expect(fieldPath('/spec/template/spec/containers/0/ports/1/containerPort')).toBe(
      'spec.template.spec.containers[0].ports[1].containerPort',
    );
    expect(fieldPath('/metadata/annotations/example.com~1x')).toBe('metadata.annotations["example.com/x"]');
    expect(fieldPath('/spec', 'selector')).toBe('spec.selector');
    expect(fieldPath('')).toBe('(the object)');
  });

  it('validates a Deployment against apps/v1 and names each bad field', async () => {
    const { validators, available } = await loadKindValidators([{ apiVersion: 'apps/v1', kind: 'Deployment' }]);
    expect(available).toBe(true);
    const validate = validators.get(kindKey('apps/v1', 'Deployment'));
    if (!validate) throw new Error('no Deployment validator');
    const object = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 'three',
        selector: { matchLabels: { app: 'web' } },
        template: { spec: { containers: [{ image: 'nginx', ports: [{ containerPort: 'http' }] }] } },
      },
    };
    expect(describeSchemaErrors(object, validate(object))).toEqual([
      'spec.replicas: must be integer, found string "three"',
      'spec.template.spec.containers[0].name: required field is missing',
      'spec.template.spec.containers[0].ports[0].containerPort: must be integer, found string "http"',
    ]);
    const fixed = {
      ...object,
      spec: {
        ...object.spec,
        replicas: 3,
        template: { spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
      },
    };
    expect(validate(fixed)).toEqual([]);
  });

  it('has no validator for custom resources or made-up names (so they are skipped, never imported)', async () => {
    const pairs = [
      { apiVersion: 'example.com/v1', kind: 'Widget' },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' },
      { apiVersion: '../../etc/v1', kind: 'Passwd' },
      { apiVersion: 'v1', kind: 'PodSpec' },
    ];
    const { validators } = await loadKindValidators(pairs);
    for (const { apiVersion, kind } of pairs) expect(validators.get(kindKey(apiVersion, kind)), kind).toBeNull();
  });
});
