import { describe, expect, it } from 'vitest';
import {
  clone,
  fieldsOf,
  jsonPatch,
  mergePatch,
  PatchError,
  serverSideApply,
  strategicMerge,
  type JsonObject,
} from '../../src/sandbox/patch.js';
import { matchesLabels, parseLabelSelector } from '../../src/sandbox/selectors.js';

const NOW = '2025-01-01T00:00:00Z';

describe('clone', () => {
  it('copies JSON deeply, keeping a __proto__ key an own property as JSON.parse made it', () => {
    const original = JSON.parse('{"__proto__": {"polluted": true}, "a": [1, {"b": null}], "s": "x"}') as JsonObject;
    const copy = clone(original);
    expect(copy).toStrictEqual(original);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a', 's']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    ((copy.a as JsonObject[])[1] as JsonObject).b = 2;
    expect(((original.a as JsonObject[])[1] as JsonObject).b).toBeNull();
  });
});

describe('merge and JSON patch', () => {
  it('merge patch deletes with null and replaces lists', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null }, l: [3] })).toEqual({
      a: 1,
      b: { d: 3 },
      l: [3],
    });
  });

  it('JSON patch ops, with test failures rejected', () => {
    const doc = { a: [1, 2], b: { c: 'x' } };
    expect(
      jsonPatch(doc, [
        { op: 'add', path: '/a/-', value: 3 },
        { op: 'remove', path: '/b/c' },
        { op: 'copy', from: '/a/0', path: '/z' },
      ]),
    ).toEqual({ a: [1, 2, 3], b: {}, z: 1 });
    expect(() => jsonPatch(doc, [{ op: 'test', path: '/b/c', value: 'y' }])).toThrow(PatchError);
    expect(() => jsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }])).toThrow(/does not exist/);
  });

  it('strategic merge merges containers by name and env by name', () => {
    const live = { spec: { containers: [{ name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] }] } };
    const out = strategicMerge(live, {
      spec: {
        containers: [
          { name: 'a', env: [{ name: 'Y', value: '2' }] },
          { name: 'b', image: 'b:1' },
        ],
      },
    });
    expect(out).toEqual({
      spec: {
        containers: [
          {
            name: 'a',
            image: 'a:1',
            env: [
              { name: 'X', value: '1' },
              { name: 'Y', value: '2' },
            ],
          },
          { name: 'b', image: 'b:1' },
        ],
      },
    });
    expect(strategicMerge({ spec: { x: 1, y: 2 } }, { spec: { $patch: 'replace', z: 3 } })).toEqual({ spec: { z: 3 } });
  });
});

describe('server-side apply', () => {
  const cfg = (data: Record<string, string>): JsonObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', labels: { a: 'b' } },
    data,
  });

  it('computes fieldsV1 with associative list keys', () => {
    const tree = fieldsOf(
      { spec: { containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 80 }] }] } },
      false,
    );
    expect(tree).toEqual({
      'f:spec': {
        'f:containers': {
          'k:{"name":"web"}': {
            '.': {},
            'f:name': {},
            'f:image': {},
            'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          },
        },
      },
    });
  });

  it('removes fields the manager stopped applying, keeps co-owned ones', () => {
    const first = serverSideApply(undefined, cfg({ x: '1', y: '2' }), 'm1', false, 'v1', false, NOW);
    if ('conflicts' in first) throw new Error('unexpected conflict');
    const live = {
      ...first.object,
      metadata: {
        ...(first.object.metadata as JsonObject),
        managedFields: first.managedFields as unknown as JsonObject[],
      },
    };
    const second = serverSideApply(live, cfg({ x: '1' }), 'm1', false, 'v1', false, NOW);
    if ('conflicts' in second) throw new Error('unexpected conflict');
    expect(second.object.data).toEqual({ x: '1' });
    // Another manager co-owning y with the same value keeps it alive.
    const shared = serverSideApply(live, cfg({ y: '2' }), 'm2', false, 'v1', false, NOW);
    if ('conflicts' in shared) throw new Error('unexpected conflict');
    const live2 = {
      ...shared.object,
      metadata: {
        ...(shared.object.metadata as JsonObject),
        managedFields: shared.managedFields as unknown as JsonObject[],
      },
    };
    const third = serverSideApply(live2, cfg({ x: '1' }), 'm1', false, 'v1', false, NOW);
    if ('conflicts' in third) throw new Error('unexpected conflict');
    expect(third.object.data).toEqual({ x: '1', y: '2' });
  });

  it('reports conflicts on differing values and transfers ownership on force', () => {
    const first = serverSideApply(undefined, cfg({ x: '1' }), 'm1', false, 'v1', false, NOW);
    if ('conflicts' in first) throw new Error('unexpected conflict');
    const live = {
      ...first.object,
      metadata: {
        ...(first.object.metadata as JsonObject),
        managedFields: first.managedFields as unknown as JsonObject[],
      },
    };
    const clash = serverSideApply(live, cfg({ x: '2' }), 'm2', false, 'v1', false, NOW);
    expect(clash).toEqual({ conflicts: [{ manager: 'm1', apiVersion: 'v1', field: '.data.x' }] });
    const forced = serverSideApply(live, cfg({ x: '2' }), 'm2', true, 'v1', false, NOW);
    if ('conflicts' in forced) throw new Error('force must not conflict');
    expect(forced.object.data).toEqual({ x: '2' });
    const m1 = forced.managedFields.find((m) => m.manager === 'm1');
    expect(JSON.stringify(m1?.fieldsV1 ?? {})).not.toContain('f:x');
  });
});

describe('label selectors', () => {
  it('supports equality, sets and existence', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(matchesLabels(labels, parseLabelSelector('app=web,tier!=back'))).toBe(true);
    expect(matchesLabels(labels, parseLabelSelector('tier in (back, db)'))).toBe(false);
    expect(matchesLabels(labels, parseLabelSelector('tier notin (back),app'))).toBe(true);
    expect(matchesLabels(labels, parseLabelSelector('!release'))).toBe(true);
    expect(() => parseLabelSelector('a=b=c')).toThrow();
  });
});
