// Discovery: /version, /api, /apis, a group's versions, a group-version's resources, and the OpenAPI v3 index.
import type { JsonObject } from './patch.js';
import { closure, kindDefinition, objectMetaDefinition, REF_PREFIX, toV3, type Schema } from './openapi.js';
import { groupVersionOf, RESOURCE_VERBS, type ResourceInfo } from './resources.js';

export const KUBE_VERSION = { major: '1', minor: '34', gitVersion: 'v1.34.0' };

export function versionInfo(): JsonObject {
  return {
    ...KUBE_VERSION,
    emulationMajor: KUBE_VERSION.major,
    emulationMinor: KUBE_VERSION.minor,
    minCompatibilityMajor: '1',
    minCompatibilityMinor: '33',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-08-27T00:00:00Z',
    goVersion: 'go1.24.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export const CORE_VERSIONS: JsonObject = {
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
};

export interface GroupVersion {
  group: string;
  version: string;
  /** `api/v1`, `apis/apps/v1` */
  path: string;
}

export function groupVersions(resources: ResourceInfo[]): GroupVersion[] {
  const out = new Map<string, GroupVersion>();
  for (const r of resources) {
    for (const v of r.versions) {
      const path = r.group ? `apis/${r.group}/${v}` : `api/${v}`;
      out.set(path, { group: r.group, version: v, path });
    }
  }
  return [...out.values()];
}

export interface ApiGroup {
  name: string;
  versions: JsonObject[];
  preferredVersion: JsonObject;
}

export function groupList(resources: ResourceInfo[]): { kind: string; apiVersion: string; groups: ApiGroup[] } {
  const groups = new Map<string, string[]>();
  for (const r of resources) {
    if (!r.group) continue;
    const list = groups.get(r.group) ?? [];
    for (const v of r.versions) if (!list.includes(v)) list.push(v);
    groups.set(r.group, list);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${name}/${versions[0]!}`, version: versions[0]! },
    })),
  };
}

export function resourceList(resources: ResourceInfo[], group: string, version: string): JsonObject | undefined {
  const infos = resources.filter((r) => r.group === group && r.versions.includes(version));
  if (infos.length === 0 && !(group === '' && version === 'v1')) return undefined;
  const out: JsonObject[] = [];
  for (const r of infos) {
    const entry: JsonObject = {
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs ?? RESOURCE_VERBS,
    };
    if (r.shortNames) entry.shortNames = r.shortNames;
    if (r.categories && r.categories.length) entry.categories = r.categories;
    out.push(entry);
    if (r.hasStatus)
      out.push({
        name: `${r.resource}/status`,
        singularName: '',
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'patch', 'update'],
      });
    if (r.group === 'apps' && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(r.kind)) {
      out.push({
        name: `${r.resource}/scale`,
        singularName: '',
        namespaced: true,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: out,
  };
}

/** OpenAPI v3 discovery: one document per group-version. */
export function openApiRoot(resources: ResourceInfo[], crdRevision: number): JsonObject {
  const paths: JsonObject = {};
  for (const gv of groupVersions(resources)) {
    const hash = String(resources.filter((r) => r.group === gv.group).length) + String(crdRevision);
    paths[gv.path] = { serverRelativeURL: `/openapi/v3/${gv.path}?hash=${hash}` };
  }
  return { paths };
}

/** A group-version's OpenAPI v3 document, listing PATCH operations that accept fieldValidation. */
export function openApiDoc(
  resources: ResourceInfo[],
  gvPath: string,
  customSchema: CustomSchema,
): JsonObject | undefined {
  const gv = groupVersions(resources).find((x) => x.path === gvPath);
  if (!gv) return undefined;
  const paths: JsonObject = {};
  const params = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
    name,
    in: 'query',
    schema: { type: name === 'force' ? 'boolean' : 'string' },
  }));
  for (const r of resources.filter((x) => x.group === gv.group && x.versions.includes(gv.version))) {
    const base = `/${gv.path}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: gv.version, kind: r.kind },
        parameters: params,
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  const infos = resources.filter((x) => x.group === gv.group && x.versions.includes(gv.version));
  const schemas: JsonObject = {};
  for (const [name, schema] of kindSchemas(infos, gv.version, customSchema)) schemas[name] = toV3(schema);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBE_VERSION.gitVersion },
    paths,
    components: { schemas },
  };
}

/** A CRD version's openAPIV3Schema, when it has one. */
export type CustomSchema = (info: ResourceInfo, version: string) => Schema | undefined;

/** The definitions of the kinds of `infos` at `version` and every definition they refer to. */
function kindSchemas(infos: ResourceInfo[], version: string, customSchema: CustomSchema): Map<string, Schema> {
  const builtin: string[] = [];
  const custom = new Map<string, Schema>();
  for (const info of infos) {
    if (!info.custom) {
      const name = kindDefinition(groupVersionOf(info, version), info.kind);
      if (name) builtin.push(name);
      continue;
    }
    const meta = objectMetaDefinition();
    if (meta) builtin.push(meta);
    const given = customSchema(info, version) ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    custom.set(`${info.group.split('.').reverse().join('.')}.${version}.${info.kind}`, {
      ...given,
      type: 'object',
      properties: {
        apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation.' },
        kind: { type: 'string', description: 'Kind is a string value representing the REST resource.' },
        metadata: meta ? { $ref: REF_PREFIX + meta, description: "Standard object's metadata." } : { type: 'object' },
        ...(given.properties ?? {}),
      },
      'x-kubernetes-group-version-kind': [{ group: info.group, version, kind: info.kind }],
    });
  }
  const out = closure(builtin);
  for (const [name, schema] of custom) out.set(name, schema);
  return out;
}

/** The OpenAPI v2 (swagger) document: every served kind's definitions. */
export function openApiV2(resources: ResourceInfo[], customSchema: CustomSchema): JsonObject {
  const definitions: JsonObject = {};
  for (const gv of groupVersions(resources)) {
    const infos = resources.filter((x) => x.group === gv.group && x.versions.includes(gv.version));
    for (const [name, schema] of kindSchemas(infos, gv.version, customSchema))
      definitions[name] = schema as unknown as JsonObject;
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: KUBE_VERSION.gitVersion },
    paths: {},
    definitions,
  };
}
