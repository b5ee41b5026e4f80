// Tables (`Accept: application/json;as=Table`): the columns kubectl prints for each kind.
import { isObject, type Json, type JsonObject } from './patch.js';

function age(ts: string): string {
  const ms = Date.now() - Date.parse(ts);
  if (!Number.isFinite(ms)) return '<unknown>';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export interface TableColumn {
  name: string;
  value: (o: JsonObject) => string;
  /** 1: only with `-o wide`. */
  priority?: number;
}

/** The Age column; kinds name where it goes, since wide columns come after it (as kubectl's printers put them). */
const AGE: TableColumn = { name: 'Age', value: (o) => age(String(metaOf(o).creationTimestamp ?? '')) };

function metaOf(o: JsonObject): JsonObject {
  return isObject(o.metadata) ? o.metadata : {};
}

function containersOf(o: JsonObject, path: string[]): JsonObject[] {
  let cur: Json | undefined = o;
  for (const p of path) cur = isObject(cur) ? cur[p] : undefined;
  return Array.isArray(cur) ? cur.filter(isObject) : [];
}

function selectorText(sel: Json | undefined): string {
  if (!isObject(sel)) return '<none>';
  const labels = isObject(sel.matchLabels) ? sel.matchLabels : sel;
  const text = Object.entries(labels)
    .filter(([, v]) => typeof v === 'string')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
  return text || '<none>';
}

function workloadWide(templatePath: string[]): TableColumn[] {
  const containers = (o: JsonObject) => containersOf(o, [...templatePath, 'containers']);
  return [
    {
      name: 'Containers',
      priority: 1,
      value: (o) =>
        containers(o)
          .map((c) => String(c.name))
          .join(','),
    },
    {
      name: 'Images',
      priority: 1,
      value: (o) =>
        containers(o)
          .map((c) => String(c.image))
          .join(','),
    },
  ];
}

function servicePorts(spec: JsonObject): string {
  const ports = Array.isArray(spec.ports) ? spec.ports.filter(isObject) : [];
  if (ports.length === 0) return '<none>';
  return ports
    .map((p) => `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ''}/${String(p.protocol ?? 'TCP')}`)
    .join(',');
}

function externalIp(o: JsonObject, spec: JsonObject): string {
  if (spec.type === 'ExternalName') return String(spec.externalName ?? '<none>');
  const ips = Array.isArray(spec.externalIPs) ? spec.externalIPs.map(String) : [];
  if (spec.type === 'LoadBalancer') {
    const status = isObject(o.status) && isObject(o.status.loadBalancer) ? o.status.loadBalancer : {};
    const ingress = Array.isArray(status.ingress) ? status.ingress.filter(isObject) : [];
    const found = [...ingress.map((i) => String(i.ip ?? i.hostname ?? '')).filter(Boolean), ...ips];
    return found.length ? found.join(',') : '<pending>';
  }
  return ips.length ? ips.join(',') : '<none>';
}

/** The columns of a kind's table, as kubectl's server-side printers define them (Name first, added by asTable). */
export function tableColumns(kind: string): TableColumn[] {
  const st = (o: JsonObject) => (isObject(o.status) ? o.status : {});
  const sp = (o: JsonObject) => (isObject(o.spec) ? o.spec : {});
  const ready = (o: JsonObject) => `${Number(st(o).readyReplicas ?? 0)}/${Number(sp(o).replicas ?? 1)}`;
  switch (kind) {
    case 'Namespace':
      return [{ name: 'Status', value: (o) => String(st(o).phase ?? 'Active') }, AGE];
    case 'Deployment':
      return [
        { name: 'Ready', value: ready },
        { name: 'Up-to-date', value: (o) => String(st(o).updatedReplicas ?? 0) },
        { name: 'Available', value: (o) => String(st(o).availableReplicas ?? 0) },
        AGE,
        ...workloadWide(['spec', 'template', 'spec']),
        { name: 'Selector', priority: 1, value: (o) => selectorText(sp(o).selector) },
      ];
    case 'ReplicaSet':
      return [
        { name: 'Desired', value: (o) => String(sp(o).replicas ?? 1) },
        { name: 'Current', value: (o) => String(st(o).replicas ?? 0) },
        { name: 'Ready', value: (o) => String(st(o).readyReplicas ?? 0) },
        AGE,
        ...workloadWide(['spec', 'template', 'spec']),
        { name: 'Selector', priority: 1, value: (o) => selectorText(sp(o).selector) },
      ];
    case 'StatefulSet':
      return [{ name: 'Ready', value: ready }, AGE, ...workloadWide(['spec', 'template', 'spec'])];
    case 'DaemonSet':
      return [
        { name: 'Desired', value: (o) => String(st(o).desiredNumberScheduled ?? 0) },
        { name: 'Current', value: (o) => String(st(o).currentNumberScheduled ?? 0) },
        { name: 'Ready', value: (o) => String(st(o).numberReady ?? 0) },
        { name: 'Up-to-date', value: (o) => String(st(o).updatedNumberScheduled ?? 0) },
        { name: 'Available', value: (o) => String(st(o).numberAvailable ?? 0) },
        {
          name: 'Node Selector',
          value: (o) => {
            const template = isObject(sp(o).template) ? (sp(o).template as JsonObject) : {};
            return selectorText(isObject(template.spec) ? template.spec.nodeSelector : undefined);
          },
        },
        AGE,
        ...workloadWide(['spec', 'template', 'spec']),
      ];
    case 'Pod':
      return [
        {
          name: 'Ready',
          value: (o) => {
            const statuses = Array.isArray(st(o).containerStatuses) ? (st(o).containerStatuses as Json[]) : [];
            const total = containersOf(o, ['spec', 'containers']).length;
            return `${statuses.filter((c) => isObject(c) && c.ready === true).length}/${total}`;
          },
        },
        { name: 'Status', value: (o) => String(st(o).phase ?? 'Pending') },
        { name: 'Restarts', value: () => '0' },
        AGE,
        { name: 'IP', priority: 1, value: (o) => String(st(o).podIP ?? '<none>') },
        { name: 'Node', priority: 1, value: (o) => String(sp(o).nodeName ?? '<none>') },
      ];
    case 'Service':
      return [
        { name: 'Type', value: (o) => String(sp(o).type ?? 'ClusterIP') },
        { name: 'Cluster-IP', value: (o) => String(sp(o).clusterIP ?? '<none>') },
        { name: 'External-IP', value: (o) => externalIp(o, sp(o)) },
        { name: 'Port(s)', value: (o) => servicePorts(sp(o)) },
        AGE,
        { name: 'Selector', priority: 1, value: (o) => selectorText(sp(o).selector) },
      ];
    case 'ConfigMap':
      return [{ name: 'Data', value: (o) => String(isObject(o.data) ? Object.keys(o.data).length : 0) }, AGE];
    case 'Secret':
      return [
        { name: 'Type', value: (o) => String(o.type ?? 'Opaque') },
        { name: 'Data', value: (o) => String(isObject(o.data) ? Object.keys(o.data).length : 0) },
        AGE,
      ];
    case 'Job':
      return [
        {
          name: 'Status',
          value: (o) =>
            Array.isArray(st(o).conditions) &&
            (st(o).conditions as JsonObject[]).some((c) => c.type === 'Complete' && c.status === 'True')
              ? 'Complete'
              : 'Running',
        },
        {
          name: 'Completions',
          value: (o) => `${Number(st(o).succeeded ?? 0)}/${Number(sp(o).completions ?? 1)}`,
        },
        AGE,
        ...workloadWide(['spec', 'template', 'spec']),
      ];
    case 'PersistentVolumeClaim':
      return [{ name: 'Status', value: (o) => String(st(o).phase ?? 'Pending') }, AGE];
    default:
      return [AGE];
  }
}

/** True when the client asked for a Table (kubectl get does). */
export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(String(accept ?? ''));
}

/** A CRD version's `additionalPrinterColumns` entry. */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** A simple JSONPath (`.spec.replicas`, `.status.conditions[0].type`) into an object. */
function jsonPathValue(o: JsonObject, path: string): Json | undefined {
  let cur: Json | undefined = o;
  for (const part of path.replace(/^\./, '').split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) cur = isObject(cur) ? cur[m[1]] : undefined;
    for (const idx of m[2]!.match(/\d+/g) ?? []) cur = Array.isArray(cur) ? cur[Number(idx)] : undefined;
  }
  return cur;
}

function printerCell(o: JsonObject, column: PrinterColumn): Json {
  const v = jsonPathValue(o, column.jsonPath);
  if (v === undefined || v === null) return null;
  if (column.type === 'date' && typeof v === 'string') return age(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

/** A list or a single object as a meta.k8s.io/v1 Table, the objects kept in the rows; CRDs' columns when given. */
export function asTable(
  kind: string,
  body: JsonObject,
  resourceVersion: string,
  printer?: PrinterColumn[],
): JsonObject {
  const objects = body.kind === `${kind}List` ? (body.items as JsonObject[]) : [body];
  const cols: JsonObject[] = [{ name: 'Name', type: 'string', format: 'name', description: 'Name', priority: 0 }];
  const nameOf = (o: JsonObject) => (isObject(o.metadata) ? o.metadata : {}) as JsonObject;
  let rows: JsonObject[];
  if (printer && printer.length) {
    for (const c of printer)
      cols.push({
        name: c.name,
        type: c.type === 'date' ? 'string' : c.type,
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      });
    rows = objects.map((o) => ({
      cells: [String(nameOf(o).name), ...printer.map((c) => printerCell(o, c))],
      object: o,
    }));
  } else {
    const extra = tableColumns(kind);
    for (const c of extra)
      cols.push({
        name: c.name,
        type: 'string',
        format: '',
        description: c === AGE ? 'CreationTimestamp' : c.name,
        priority: c.priority ?? 0,
      });
    rows = objects.map((o) => ({ cells: [String(nameOf(o).name), ...extra.map((c) => c.value(o))], object: o }));
  }
  const meta = isObject(body.metadata) && body.kind !== kind ? body.metadata : { resourceVersion };
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: meta, columnDefinitions: cols, rows } as JsonObject;
}
