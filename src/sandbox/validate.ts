// The validation that matters to releases: names, immutable fields, selector/template agreement.
import { deepEqual, isObject, type Json, type JsonObject } from './patch.js';
import type { ResourceInfo } from './resources.js';

export interface Cause {
  field: string;
  message: string;
  reason:
    | 'FieldValueInvalid'
    | 'FieldValueRequired'
    | 'FieldValueForbidden'
    | 'FieldValueNotSupported'
    | 'FieldValueTooLong'
    | 'FieldValueTooMany';
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

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const NAME_PART_MESSAGE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/** ValidateLabels: qualified-name keys (an optional DNS subdomain prefix and a name part) and label values. */
export function validateLabels(labels: Json | undefined, field: string): Cause[] {
  if (!isObject(labels)) return [];
  const causes: Cause[] = [];
  const bad = (value: string, detail: string) =>
    causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}` });
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    if (name === '') bad(key, 'name part must be non-empty');
    else if (name.length > 63) bad(key, 'name part must be no more than 63 characters');
    else if (!QUALIFIED_NAME.test(name)) bad(key, NAME_PART_MESSAGE);
    if (prefix !== undefined && (prefix === '' || prefix.length > 253 || !SUBDOMAIN.test(prefix)))
      bad(
        key,
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      );
    if (typeof value === 'string') {
      if (value.length > 63) bad(value, 'must be no more than 63 characters');
      else if (!LABEL_VALUE.test(value))
        bad(
          value,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        );
    }
  }
  return causes;
}

function portRange(value: Json | undefined, field: string): Cause[] {
  if (typeof value !== 'number' || (value >= 1 && value <= 65535)) return [];
  return [
    { field, reason: 'FieldValueInvalid', message: `Invalid value: ${value}: must be between 1 and 65535, inclusive` },
  ];
}

function nonNegative(value: Json | undefined, field: string): Cause[] {
  if (typeof value !== 'number' || value >= 0) return [];
  return [
    { field, reason: 'FieldValueInvalid', message: `Invalid value: ${value}: must be greater than or equal to 0` },
  ];
}

/** ValidatePodSpec, the parts charts get wrong: containers, names, images, ports. */
export function validatePodSpec(spec: Json | undefined, path: string): Cause[] {
  if (!isObject(spec)) return [{ field: path, reason: 'FieldValueRequired', message: 'Required value' }];
  const causes: Cause[] = [];
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  if (containers.length === 0)
    causes.push({ field: `${path}.containers`, reason: 'FieldValueRequired', message: 'Required value' });
  const groups: Array<[string, Json[]]> = [
    ['initContainers', Array.isArray(spec.initContainers) ? spec.initContainers : []],
    ['containers', containers],
  ];
  for (const [key, list] of groups) {
    list.forEach((c, i) => {
      const at = `${path}.${key}[${i}]`;
      if (!isObject(c)) return;
      if (typeof c.name !== 'string' || c.name === '')
        causes.push({ field: `${at}.name`, reason: 'FieldValueRequired', message: 'Required value' });
      else if (c.name.length > 63 || !LABEL.test(c.name))
        causes.push({
          field: `${at}.name`,
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(c.name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        });
      if (typeof c.image !== 'string' || c.image.trim() === '')
        causes.push({ field: `${at}.image`, reason: 'FieldValueRequired', message: 'Required value' });
      const ports = Array.isArray(c.ports) ? c.ports : [];
      ports.forEach((p, j) => {
        if (!isObject(p)) return;
        if (p.containerPort === undefined)
          causes.push({
            field: `${at}.ports[${j}].containerPort`,
            reason: 'FieldValueRequired',
            message: 'Required value',
          });
        causes.push(...portRange(p.containerPort, `${at}.ports[${j}].containerPort`));
        if (p.hostPort !== undefined && p.hostPort !== 0)
          causes.push(...portRange(p.hostPort, `${at}.ports[${j}].hostPort`));
      });
    });
  }
  return causes;
}

function podTemplatePath(info: ResourceInfo): string | undefined {
  if (info.group === '' && info.kind === 'Pod') return 'spec';
  if (info.group === 'apps' && ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(info.kind))
    return 'spec.template.spec';
  if (info.group === 'batch' && info.kind === 'Job') return 'spec.template.spec';
  if (info.group === 'batch' && info.kind === 'CronJob') return 'spec.jobTemplate.spec.template.spec';
  return undefined;
}

/** Causes for any write (create or update). */
export function validateObject(info: ResourceInfo, obj: JsonObject): Cause[] {
  const causes: Cause[] = [];
  if (!info.custom) causes.push(...validateLabels(at(obj, 'metadata.labels'), 'metadata.labels'));
  const podPath = podTemplatePath(info);
  if (podPath) {
    if (podPath !== 'spec') {
      const templateLabels = podPath.replace(/\.spec$/, '.metadata.labels');
      causes.push(...validateLabels(at(obj, templateLabels), templateLabels));
    }
    causes.push(...validatePodSpec(at(obj, podPath), podPath));
  }
  if (info.group === 'apps' && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(info.kind))
    causes.push(...nonNegative(at(obj, 'spec.replicas'), 'spec.replicas'));
  if (info.group === 'batch' && info.kind === 'Job') {
    for (const f of ['parallelism', 'completions', 'backoffLimit'])
      causes.push(...nonNegative(at(obj, `spec.${f}`), `spec.${f}`));
  }
  if (info.group === '' && info.kind === 'Service') {
    const spec = isObject(obj.spec) ? obj.spec : {};
    const ports = Array.isArray(spec.ports) ? spec.ports : [];
    if (ports.length === 0 && spec.type !== 'ExternalName' && spec.clusterIP !== 'None')
      causes.push({ field: 'spec.ports', reason: 'FieldValueRequired', message: 'Required value' });
    ports.forEach((p, i) => {
      if (!isObject(p)) return;
      if (p.port === undefined)
        causes.push({ field: `spec.ports[${i}].port`, reason: 'FieldValueRequired', message: 'Required value' });
      causes.push(...portRange(p.port, `spec.ports[${i}].port`));
      if (typeof p.targetPort === 'number') causes.push(...portRange(p.targetPort, `spec.ports[${i}].targetPort`));
    });
  }
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
