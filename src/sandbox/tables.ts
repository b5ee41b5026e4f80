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

export function tableColumns(kind: string): Array<{ name: string; value: (o: JsonObject) => string }> {
  const st = (o: JsonObject) => (isObject(o.status) ? o.status : {});
  const sp = (o: JsonObject) => (isObject(o.spec) ? o.spec : {});
  switch (kind) {
    case 'Namespace':
      return [{ name: 'Status', value: (o) => String(st(o).phase ?? 'Active') }];
    case 'Deployment':
      return [
        { name: 'Ready', value: (o) => `${Number(st(o).readyReplicas ?? 0)}/${Number(sp(o).replicas ?? 1)}` },
        { name: 'Up-to-date', value: (o) => String(st(o).updatedReplicas ?? 0) },
        { name: 'Available', value: (o) => String(st(o).availableReplicas ?? 0) },
      ];
    case 'StatefulSet':
      return [{ name: 'Ready', value: (o) => `${Number(st(o).readyReplicas ?? 0)}/${Number(sp(o).replicas ?? 1)}` }];
    case 'Pod':
      return [{ name: 'Status', value: (o) => String(st(o).phase ?? 'Pending') }];
    case 'Service':
      return [
        { name: 'Type', value: (o) => String(sp(o).type ?? 'ClusterIP') },
        { name: 'Cluster-IP', value: (o) => String(sp(o).clusterIP ?? '<none>') },
      ];
    case 'ConfigMap':
    case 'Secret':
      return [{ name: 'Data', value: (o) => String(isObject(o.data) ? Object.keys(o.data).length : 0) }];
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
      ];
    case 'PersistentVolumeClaim':
      return [{ name: 'Status', value: (o) => String(st(o).phase ?? 'Pending') }];
    default:
      return [];
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
    for (const c of extra) cols.push({ name: c.name, type: 'string', format: '', description: c.name, priority: 0 });
    cols.push({ name: 'Age', type: 'string', format: '', description: 'CreationTimestamp', priority: 0 });
    rows = objects.map((o) => ({
      cells: [String(nameOf(o).name), ...extra.map((c) => c.value(o)), age(String(nameOf(o).creationTimestamp ?? ''))],
      object: o,
    }));
  }
  const meta = isObject(body.metadata) && body.kind !== kind ? body.metadata : { resourceVersion };
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: meta, columnDefinitions: cols, rows } as JsonObject;
}
