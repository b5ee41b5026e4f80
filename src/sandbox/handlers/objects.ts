// Object handlers: get, list, create, update, patch (every type), apply, delete, and the scale subresource.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ApiError,
  defaultManager,
  methodNotAllowed,
  parseJson,
  parseYaml,
  readBody,
  readDeleteOptions,
  readObject,
} from '../http.js';
import { clone, isObject, jsonPatch, mergePatch, type Json, type JsonObject } from '../patch.js';
import type { Handler } from '../routes.js';
import { fieldValidationOf } from '../schema-check.js';
import { metaOf, type ApiServer, type Target, type WriteChecks } from '../server.js';
import { asTable, wantsTable } from '../tables.js';
import { watch } from './watch.js';

/** The request's fieldValidation; the real server's default (Warn) when absent. kubectl sends Strict. */
function writeChecks(q: URLSearchParams): WriteChecks {
  const given = q.get('fieldValidation');
  const mode = fieldValidationOf(given);
  if (given && !mode)
    throw new ApiError(
      400,
      'BadRequest',
      `fieldValidation must be one of "Ignore", "Warn" or "Strict", got ${JSON.stringify(given)}`,
    );
  return { fieldValidation: mode ?? 'Warn', warnings: [] };
}

/** `Warning: 299 - "unknown field \"spec.bogus\""` headers, as the real server sends them. */
function warningHeaders(checks: WriteChecks): Record<string, string[]> {
  if (checks.warnings.length === 0) return {};
  return { Warning: checks.warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}

function tableIf(server: ApiServer, req: IncomingMessage, t: Target, body: JsonObject): JsonObject {
  return wantsTable(req.headers.accept)
    ? asTable(t.info.kind, body, String(server.store.rv), server.printerColumns(t))
    : body;
}

export const objects: Handler = async ({ server, req, res, method, query: q, params, rest }) => {
  const t = server.target(params.group ?? '', params.version!, rest);
  if (t.info.verbs && t.subresource === undefined) {
    const verb =
      method === 'GET' ? (t.name === undefined ? 'list' : 'get') : method === 'POST' ? 'create' : method.toLowerCase();
    if (!t.info.verbs.includes(verb)) throw methodNotAllowed();
  }
  if (t.subresource === 'scale') return scale(server, req, res, t, q);
  if (method === 'GET' && t.name === undefined) {
    if (q.get('watch') === '1' || q.get('watch') === 'true') return watch(server, req, res, t, q);
    return server.send(res, 200, tableIf(server, req, t, server.list(t, q)));
  }
  if (method === 'GET') return server.send(res, 200, tableIf(server, req, t, server.output(t, server.mustGet(t))));
  if (t.info.namespaced && t.namespace === undefined) throw methodNotAllowed();
  const dryRun = q.getAll('dryRun').includes('All');
  const manager = q.get('fieldManager') ?? defaultManager(req);
  const checks = writeChecks(q);
  const send = (code: number, body: JsonObject) =>
    server.send(res, code, server.output(t, body), warningHeaders(checks));
  if (method === 'POST' && t.name === undefined) {
    const body = await readObject(req);
    return send(201, server.create(t, body, manager, dryRun, checks));
  }
  if (method === 'PUT' && t.name !== undefined) {
    const body = await readObject(req);
    return send(200, server.update(t, body, manager, dryRun, checks));
  }
  if (method === 'PATCH' && t.name !== undefined) {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const text = await readBody(req);
    if (type === 'application/apply-patch+yaml') {
      const force = q.get('force') === 'true';
      if (!q.get('fieldManager')) {
        throw new ApiError(
          422,
          'Invalid',
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        );
      }
      const { object, created } = server.apply(t, parseYaml(text), manager, force, dryRun, checks);
      return send(created ? 201 : 200, object);
    }
    const patch = parseJson(text);
    return send(200, server.patch(t, type, patch, manager, dryRun, checks));
  }
  if (method === 'DELETE') {
    const opts: Json = await readDeleteOptions(req);
    const propagation = String(
      (isObject(opts) && opts.propagationPolicy) || q.get('propagationPolicy') || 'Background',
    );
    if (t.name === undefined) {
      const items = server.list(t, q).items as JsonObject[];
      for (const item of items)
        server.remove(
          { ...t, name: String(metaOf(item).name), namespace: metaOf(item).namespace as string | undefined },
          propagation,
          dryRun,
          undefined,
        );
      return server.send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
    }
    const pre = isObject(opts) && isObject(opts.preconditions) ? opts.preconditions : undefined;
    const gone = server.remove(
      t,
      propagation,
      dryRun || (isObject(opts) && Array.isArray(opts.dryRun) && opts.dryRun.includes('All')),
      pre,
    );
    return server.send(res, 200, server.output(t, gone));
  }
  throw methodNotAllowed();
};

function scaleOf(obj: JsonObject): JsonObject {
  const meta = metaOf(obj);
  const spec = isObject(obj.spec) ? obj.spec : {};
  const status = isObject(obj.status) ? obj.status : {};
  const sel = isObject(spec.selector) && isObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name!,
      namespace: meta.namespace!,
      uid: meta.uid!,
      resourceVersion: meta.resourceVersion!,
      creationTimestamp: meta.creationTimestamp!,
    },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 1 },
    status: {
      replicas: typeof status.replicas === 'number' ? status.replicas : 0,
      selector: Object.entries(sel)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(','),
    },
  };
}

/** The `scale` subresource of Deployments, StatefulSets and ReplicaSets (autoscaling/v1 Scale). */
async function scale(
  server: ApiServer,
  req: IncomingMessage,
  res: ServerResponse,
  t: Target,
  q: URLSearchParams,
): Promise<void> {
  const method = req.method ?? 'GET';
  const main: Target = { ...t, subresource: undefined };
  const old = server.mustGet(main);
  if (method === 'GET') return server.send(res, 200, scaleOf(old));
  let next: Json;
  const current = scaleOf(old);
  if (method === 'PUT') next = await readObject(req);
  else if (method === 'PATCH') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const text = await readBody(req);
    if (type === 'application/json-patch+json') next = jsonPatch(current, parseJson(text));
    else if (type === 'application/apply-patch+yaml') next = mergePatch(current, parseYaml(text));
    else next = mergePatch(current, parseJson(text));
  } else throw methodNotAllowed();
  if (!isObject(next) || !isObject(next.spec) || typeof next.spec.replicas !== 'number') {
    throw server.invalid(t.info, t.name!, [
      { field: 'spec.replicas', reason: 'FieldValueRequired', message: 'Required value' },
    ]);
  }
  const rv = isObject(next.metadata) ? next.metadata.resourceVersion : undefined;
  if (method === 'PUT' && rv !== undefined && rv !== '' && rv !== metaOf(old).resourceVersion)
    throw server.conflict(t, t.name!);
  const obj = clone(old);
  (obj.spec as JsonObject).replicas = next.spec.replicas;
  const manager = q.get('fieldManager') ?? defaultManager(req);
  const stored = server.replaceWith(main, old, obj, manager, q.getAll('dryRun').includes('All'));
  return server.send(res, 200, scaleOf(stored));
}
