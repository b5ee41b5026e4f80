// The validation that matters to releases: names, immutable fields, selector/template agreement.
import { deepEqual, isObject, type Json, type JsonObject } from './patch.js';
import type { ResourceInfo } from './resources.js';

export interface Cause {
  field: string;
  message: string;
  reason: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueForbidden';
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function goValue(v: Json | undefined): string {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v ?? null);
}

export function validateName(info: ResourceInfo, name: string): Cause[] {
  const invalid = (detail: string): Cause[] => [
    {
      field: 'metadata.name',
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(name)}: ${detail}`,
    },
  ];
  if (info.group === 'rbac.authorization.k8s.io') {
    if (name === '.' || name === '..' || /[/%]/.test(name))
      return invalid("may not contain '/' or '%' and may not be '.' or '..'");
    return [];
  }
  if (info.kind === 'Namespace') {
    if (name.length > 63 || !LABEL.test(name)) {
      return invalid(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      );
    }
    return [];
  }
  if (info.kind === 'Service') {
    if (name.length > 63 || !DNS1035.test(name)) {
      return invalid(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      );
    }
    return [];
  }
  if (name.length > 253 || !SUBDOMAIN.test(name)) {
    return invalid(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return [];
}

function at(obj: JsonObject, path: string): Json | undefined {
  let cur: Json | undefined = obj;
  for (const p of path.split('.')) cur = isObject(cur) ? cur[p] : undefined;
  return cur;
}

const IMMUTABLE: Record<string, string[]> = {
  'apps/Deployment': ['spec.selector'],
  'apps/StatefulSet': ['spec.selector'],
  'apps/DaemonSet': ['spec.selector'],
  'apps/ReplicaSet': ['spec.selector'],
  'batch/Job': ['spec.selector', 'spec.template'],
};

/** Causes for an update from `old` to `next` (both stored shapes). */
export function validateUpdate(info: ResourceInfo, old: JsonObject, next: JsonObject): Cause[] {
  const causes: Cause[] = [];
  for (const path of IMMUTABLE[`${info.group}/${info.kind}`] ?? []) {
    const before = at(old, path);
    const after = at(next, path);
    if (before !== undefined && !deepEqual(before, after)) {
      causes.push({
        field: path,
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${goValue(after)}: field is immutable`,
      });
    }
  }
  if (info.group === '' && info.kind === 'Service') {
    const before = at(old, 'spec.clusterIP');
    const after = at(next, 'spec.clusterIP');
    if (typeof before === 'string' && before !== '' && after !== undefined && after !== '' && after !== before) {
      causes.push({
        field: 'spec.clusterIPs[0]',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${goValue(after)}: may not change once set`,
      });
    }
  }
  return [...causes, ...validateObject(info, next)];
}

/** Causes for any write (create or update). */
export function validateObject(info: ResourceInfo, obj: JsonObject): Cause[] {
  const causes: Cause[] = [];
  const workload =
    ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(info.kind) && info.group === 'apps';
  if (workload) {
    const selector = at(obj, 'spec.selector');
    if (!isObject(selector)) {
      causes.push({ field: 'spec.selector', reason: 'FieldValueRequired', message: 'Required value' });
    } else {
      const labels = at(obj, 'spec.template.metadata.labels');
      const matchLabels = isObject(selector.matchLabels) ? selector.matchLabels : {};
      const ok = Object.entries(matchLabels).every(([k, v]) => isObject(labels) && labels[k] === v);
      if (!ok) {
        causes.push({
          field: 'spec.template.metadata.labels',
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${goValue(labels)}: \`selector\` does not match template \`labels\``,
        });
      }
    }
  }
  if (info.group === 'apiextensions.k8s.io' && info.kind === 'CustomResourceDefinition') {
    const spec = isObject(obj.spec) ? obj.spec : {};
    const names = isObject(spec.names) ? spec.names : {};
    const name = String((obj.metadata as JsonObject).name);
    if (`${String(names.plural)}.${String(spec.group)}` !== name) {
      causes.push({
        field: 'metadata.name',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(name)}: must be spec.names.plural+"."+spec.group`,
      });
    }
    if (typeof names.kind !== 'string' || names.kind === '') {
      causes.push({ field: 'spec.names.kind', reason: 'FieldValueRequired', message: 'Required value' });
    }
    const versions = Array.isArray(spec.versions) ? spec.versions : [];
    if (versions.length === 0)
      causes.push({
        field: 'spec.versions',
        reason: 'FieldValueRequired',
        message: 'Required value: must have exactly one version marked as storage version',
      });
  }
  if (info.group === '' && info.kind === 'Secret' && isObject(obj.data)) {
    for (const [k, v] of Object.entries(obj.data)) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
        causes.push({
          field: `data[${k}]`,
          reason: 'FieldValueInvalid',
          message: 'Invalid value: must be base64 encoded',
        });
      }
    }
  }
  return causes;
}
