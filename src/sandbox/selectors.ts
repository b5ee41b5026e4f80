// Label and field selectors with Kubernetes syntax.

export type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export class SelectorError extends Error {}

function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

export function parseLabelSelector(text: string): Requirement[] {
  const out: Requirement[] = [];
  for (const part of splitTop(text)) {
    let m = /^([A-Za-z0-9_./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      out.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values });
      continue;
    }
    m = /^([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_.-]*)$/.exec(part);
    if (m) {
      out.push({ key: m[1]!, op: m[2] === '!=' ? 'neq' : 'eq', value: m[3]! });
      continue;
    }
    m = /^(!?)\s*([A-Za-z0-9_./-]+)$/.exec(part);
    if (m) {
      out.push({ key: m[2]!, op: m[1] ? 'notexists' : 'exists' });
      continue;
    }
    throw new SelectorError(`unable to parse requirement: ${JSON.stringify(part)}`);
  }
  return out;
}

export function matchesLabels(labels: Record<string, string> | undefined, reqs: Requirement[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        return has && v === r.value;
      case 'neq':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
    }
  });
}

export interface FieldRequirement {
  path: string[];
  op: 'eq' | 'neq';
  value: string;
}

export function parseFieldSelector(text: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  for (const part of splitTop(text)) {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid field selector: ${JSON.stringify(part)}`);
    out.push({ path: m[1]!.split('.'), op: m[2] === '!=' ? 'neq' : 'eq', value: m[3]! });
  }
  return out;
}

export function matchesFields(obj: Record<string, unknown>, reqs: FieldRequirement[]): boolean {
  return reqs.every((r) => {
    let cur: unknown = obj;
    for (const p of r.path)
      cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[p] : undefined;
    const v = cur === undefined || cur === null ? '' : String(cur);
    return r.op === 'eq' ? v === r.value : v !== r.value;
  });
}

/** Field labels each kind supports beyond metadata.name and metadata.namespace (the registries' field sets). */
const FIELD_LABELS: Record<string, string[]> = {
  '/Pod': [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  '/Secret': ['type'],
  '/Namespace': ['status.phase'],
  '/Node': ['spec.unschedulable'],
  '/Event': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  '/ReplicationController': ['status.replicas'],
  'apps/ReplicaSet': ['status.replicas'],
  'batch/Job': ['status.successful'],
  'certificates.k8s.io/CertificateSigningRequest': ['spec.signerName'],
};

/** Refuses field selectors on fields the kind's registry does not index, as the real server does (400). */
export function checkFieldLabels(group: string, kind: string, reqs: FieldRequirement[]): void {
  const allowed = FIELD_LABELS[`${group}/${kind}`] ?? [];
  for (const r of reqs) {
    const label = r.path.join('.');
    if (label === 'metadata.name' || label === 'metadata.namespace' || allowed.includes(label)) continue;
    throw new SelectorError(`field label not supported: ${label}`);
  }
}
