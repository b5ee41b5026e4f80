// Rules on rendered objects that need no schema: apiVersion and kind present, valid names and label values
// (what the API server would refuse), and workload selectors that select their own Pods. Pure.
import { finding, type LintFinding } from './types.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const WORKLOADS = new Set(['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet']);
const PATH_SEGMENT_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

export interface ManifestObject {
  /** Chart-relative template path. */
  file: string;
  object: unknown;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Why `name` is not a valid metadata.name for `kind`, or undefined when it is. */
export function nameProblem(kind: string, name: string): string | undefined {
  if (PATH_SEGMENT_KINDS.has(kind)) {
    return name === '.' || name === '..' || /[/%]/.test(name)
      ? 'may not contain "/" or "%" and may not be "." or ".."'
      : undefined;
  }
  if (kind === 'Service') {
    return name.length > 63 || !DNS1035_LABEL.test(name)
      ? 'a DNS-1035 label must be at most 63 characters of lower case letters, digits or "-", start with a letter and end with a letter or digit'
      : undefined;
  }
  if (kind === 'Namespace') {
    return name.length > 63 || !DNS1123_LABEL.test(name)
      ? 'a DNS-1123 label must be at most 63 characters of lower case letters, digits or "-", and start and end with a letter or digit'
      : undefined;
  }
  return name.length > 253 || !DNS1123_SUBDOMAIN.test(name)
    ? 'a DNS-1123 subdomain must be at most 253 characters of lower case letters, digits, "-" or ".", and start and end with a letter or digit'
    : undefined;
}

function labelProblems(labels: unknown, where: string): string[] {
  if (!isMap(labels)) return [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (
      name.length > 63 ||
      !LABEL_NAME.test(name) ||
      (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)))
    ) {
      problems.push(
        `${where}: label key "${key}" is invalid: a name of at most 63 letters, digits, "-", "_" or ".", with an optional DNS subdomain prefix and "/"`,
      );
    }
    if (typeof value !== 'string')
      problems.push(
        `${where}["${key}"]: label value must be a string, found ${value === null ? 'null' : typeof value}`,
      );
    else if (value.length > 63 || !LABEL_VALUE.test(value)) {
      problems.push(
        `${where}["${key}"]: label value "${value}" is invalid: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
      );
    }
  }
  return problems;
}

export function lintManifest({ file, object }: ManifestObject): LintFinding[] {
  const error = (message: string) => finding('error', 'manifests', file, message);
  if (!isMap(object))
    return [
      error(
        `a rendered document is ${Array.isArray(object) ? 'a list' : typeof object}, not a Kubernetes object (a map with apiVersion, kind and metadata)`,
      ),
    ];
  const out: LintFinding[] = [];
  const kind = typeof object.kind === 'string' ? object.kind : undefined;
  if (!kind) out.push(error('object has no kind'));
  if (typeof object.apiVersion !== 'string' || object.apiVersion === '')
    out.push(error(`${kind ?? 'object'} has no apiVersion`));
  const metadata = isMap(object.metadata) ? object.metadata : undefined;
  const name = metadata && typeof metadata.name === 'string' ? metadata.name : undefined;
  const label = `${kind ?? 'object'}${name ? ` "${name}"` : ''}`;
  if (!metadata) out.push(error(`${label} has no metadata`));
  else if (name === undefined && typeof metadata.generateName !== 'string')
    out.push(error(`${label}: metadata.name is required`));
  else if (name !== undefined && kind) {
    const problem = nameProblem(kind, name);
    if (problem)
      out.push(error(`object name does not conform to Kubernetes naming requirements: "${name}": ${problem}`));
  }
  if (metadata)
    for (const problem of labelProblems(metadata.labels, 'metadata.labels')) out.push(error(`${label}: ${problem}`));
  if (kind && WORKLOADS.has(kind)) {
    const spec = isMap(object.spec) ? object.spec : {};
    const selector = isMap(spec.selector) ? spec.selector : undefined;
    const matchLabels = selector && isMap(selector.matchLabels) ? selector.matchLabels : undefined;
    const hasExpressions =
      selector !== undefined && Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0;
    if ((!matchLabels || Object.keys(matchLabels).length === 0) && !hasExpressions) {
      out.push(error(`a ${kind} must contain matchLabels or matchExpressions, and "${name ?? ''}" does not`));
    } else if (matchLabels) {
      const template = isMap(spec.template) ? spec.template : {};
      const podLabels = isMap(template.metadata) && isMap(template.metadata.labels) ? template.metadata.labels : {};
      const missing = Object.entries(matchLabels)
        .filter(([k, v]) => podLabels[k] !== v)
        .map(([k, v]) => `${k}=${String(v)}`);
      if (missing.length > 0)
        out.push(
          error(
            `${label}: spec.selector does not match spec.template.metadata.labels (the Pods lack ${missing.join(', ')})`,
          ),
        );
    }
    const template = isMap(spec.template) ? spec.template : undefined;
    if (template && isMap(template.metadata))
      for (const problem of labelProblems(template.metadata.labels, 'spec.template.metadata.labels'))
        out.push(error(`${label}: ${problem}`));
  }
  return out;
}
