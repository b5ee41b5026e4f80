// The sandbox API server: HTTPS on loopback, bearer tokens, discovery, and the Kubernetes verbs over the store.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { load as loadYaml } from 'js-yaml';
import { Controllers, type FailureRule } from './controllers.js';
import {
  applyMerge,
  clone,
  deepEqual,
  isObject,
  jsonPatch,
  mergePatch,
  PatchError,
  serverSideApply,
  strategicMerge,
  updateManagedFields,
  type Json,
  type JsonObject,
} from './patch.js';
import {
  BUILTIN_RESOURCES,
  groupVersionOf,
  qualified,
  resourceFromCrd,
  RESOURCE_VERBS,
  type ResourceInfo,
} from './resources.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js';
import { decodeKubeProtobuf } from './protobuf.js';
import { Store, type StoreEvent } from './store.js';
import { validateName, validateObject, validateUpdate, type Cause } from './validate.js';

export type FaultCode = 429 | 500 | 503 | 'reset';

export interface Faults {
  /** Share of requests (0..1) that fail instead of being served. */
  rate: number;
  /** What a failing request gets, taken in turn; default [500, 429]. `reset` destroys the connection. */
  codes?: FaultCode[];
}

export interface TokenGrant {
  token: string;
  /** `read`: get/list/watch only (403 on writes); `none`: 403 on everything. */
  access: 'read' | 'none';
}

export interface ApiServerOptions {
  token: string;
  extraTokens?: TokenGrant[];
  readyDelayMs: number;
  failureRules: FailureRule[];
  faults?: Faults;
  dataDir?: string;
}

export const KUBE_VERSION = { major: '1', minor: '34', gitVersion: 'v1.34.0' };

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: JsonObject,
  ) {
    super(message);
  }
}

function nowTime(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function metaOf(obj: JsonObject): JsonObject {
  if (!isObject(obj.metadata)) obj.metadata = {};
  return obj.metadata as JsonObject;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

interface Target {
  info: ResourceInfo;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface ApiStats {
  requests: number;
  faults: number;
  byStatus: Record<string, number>;
}

export class ApiServer {
  readonly store: Store;
  private readonly controllers: Controllers;
  private custom = new Map<string, ResourceInfo>();
  private faultCounter = 0;
  private faultTurn = 0;
  private watches = new Set<ServerResponse>();
  readonly stats: ApiStats = { requests: 0, faults: 0, byStatus: {} };

  constructor(private readonly options: ApiServerOptions) {
    this.store = new Store(options.dataDir);
    this.controllers = new Controllers({
      // A getter, so setReadyDelay() reaches objects created afterwards.
      get readyDelayMs() {
        return options.readyDelayMs;
      },
      failureRules: options.failureRules,
      updateStatus: (res, ns, name, uid, mutate) => this.updateStatus(res, ns, name, uid, mutate),
    });
    for (const crd of this.store.list('apiextensions.k8s.io/customresourcedefinitions')) this.registerCrd(crd);
    for (const info of this.allResources()) {
      const key = this.storeKey(info);
      for (const obj of this.store.list(key)) this.controllers.resume(key, obj);
    }
    for (const ns of SYSTEM_NAMESPACES) {
      if (!this.store.get('/namespaces', undefined, ns)) {
        this.writeNew(
          this.lookup('', 'namespaces')!,
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
          'kube-apiserver',
        );
      }
    }
  }

  setFaults(faults: Faults | undefined): void {
    this.options.faults = faults;
    this.faultCounter = 0;
  }

  setFailureRules(rules: FailureRule[]): void {
    this.options.failureRules.splice(0, this.options.failureRules.length, ...rules);
  }

  set readyDelayMs(ms: number) {
    this.options.readyDelayMs = ms;
  }

  holdProgress(): void {
    this.controllers.hold();
  }

  releaseProgress(): void {
    this.controllers.release();
  }

  stop(): void {
    this.controllers.stop();
    for (const w of this.watches) w.end();
    this.watches.clear();
    this.store.compact();
  }

  // ---- resources ----
  private allResources(): ResourceInfo[] {
    return [...BUILTIN_RESOURCES, ...this.custom.values()];
  }

  lookup(group: string, resource: string): ResourceInfo | undefined {
    return this.allResources().find((r) => r.group === group && r.resource === resource);
  }

  private storeKey(info: ResourceInfo): string {
    return `${info.group}/${info.resource}`;
  }

  private registerCrd(crd: JsonObject): void {
    const info = resourceFromCrd(crd);
    if (info) this.custom.set(String(metaOf(crd).name), info);
  }

  // ---- HTTP entry ----
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const faults = this.options.faults;
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (faults && faults.rate > 0 && !['/healthz', '/livez', '/readyz'].includes(url.pathname)) {
      const i = this.faultCounter++;
      if (Math.floor((i + 1) * faults.rate) > Math.floor(i * faults.rate)) {
        this.stats.faults++;
        const codes = faults.codes && faults.codes.length ? faults.codes : [500, 429];
        const code = codes[this.faultTurn++ % codes.length]!;
        req.resume();
        if (code === 'reset') {
          req.socket.destroy();
          return;
        }
        if (code === 429) res.setHeader('Retry-After', '0');
        this.sendStatus(
          res,
          new ApiError(
            code,
            code === 429 ? 'TooManyRequests' : code === 503 ? 'ServiceUnavailable' : 'InternalError',
            code === 429 ? 'Too many requests, please try again later.' : 'Internal error occurred: injected fault',
          ),
        );
        return;
      }
    }
    try {
      await this.route(req, res, url);
    } catch (err) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (err instanceof ApiError) this.sendStatus(res, err);
      else if (err instanceof PatchError)
        this.sendStatus(
          res,
          new ApiError(
            err.code,
            err.code === 400 ? 'BadRequest' : err.code === 409 ? 'Conflict' : 'Invalid',
            err.message,
          ),
        );
      else if (err instanceof SelectorError) this.sendStatus(res, new ApiError(400, 'BadRequest', err.message));
      else
        this.sendStatus(
          res,
          new ApiError(
            500,
            'InternalError',
            `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
    }
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    this.stats.byStatus[code] = (this.stats.byStatus[code] ?? 0) + 1;
    const text = JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-cache, private',
    });
    res.end(text);
  }

  private statusBody(err: ApiError): JsonObject {
    const body: JsonObject = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: err.message,
      reason: err.reason,
      code: err.code,
    };
    if (err.details) body.details = err.details;
    return body;
  }

  private sendStatus(res: ServerResponse, err: ApiError): void {
    this.send(res, err.code, this.statusBody(err));
  }

  private auth(req: IncomingMessage): 'admin' | 'read' | 'none' | undefined {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) return undefined;
    const token = m[1]!.trim();
    if (token === this.options.token) return 'admin';
    return this.options.extraTokens?.find((t) => t.token === token)?.access;
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    const access = this.auth(req);
    if (!access) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    const method = req.method ?? 'GET';
    const readOnly = method === 'GET' || method === 'HEAD';
    if (access === 'none' || (access === 'read' && !readOnly)) {
      throw new ApiError(
        403,
        'Forbidden',
        `${method.toLowerCase()} ${path} is forbidden: User "portolan-sandbox:restricted" cannot ${readOnly ? 'get' : 'write'} resources at ${path}`,
      );
    }

    if (path === '/version') return this.send(res, 200, this.version());
    if (path === '/api')
      return this.send(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
      });
    if (path === '/apis') return this.send(res, 200, this.groupList());
    if (path === '/openapi/v3') return this.send(res, 200, this.openApiRoot());
    if (path.startsWith('/openapi/v3/')) {
      const doc = this.openApiDoc(path.slice('/openapi/v3/'.length));
      if (!doc) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return this.send(res, 200, doc);
    }
    if (path.startsWith('/openapi/'))
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');

    const parts = path
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 2) {
      group = '';
      version = parts[1]!;
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1]!;
      version = parts[2]!;
      rest = parts.slice(3);
    } else if (parts[0] === 'apis' && parts.length === 2) {
      const g = this.groupList().groups.find((x) => x.name === parts[1]);
      if (!g) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return this.send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g });
    } else {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (rest.length === 0) {
      const list = this.resourceList(group, version);
      if (!list) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return this.send(res, 200, list);
    }
    const target = this.target(group, version, rest);
    await this.serve(req, res, url, target);
  }

  private version(): JsonObject {
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

  /** OpenAPI v3 discovery: one document per group-version, listing PATCH operations that accept fieldValidation. */
  private openApiRoot(): JsonObject {
    const paths: JsonObject = {};
    for (const gv of this.groupVersions()) {
      const hash = String(this.allResources().filter((r) => r.group === gv.group).length) + String(this.custom.size);
      paths[gv.path] = { serverRelativeURL: `/openapi/v3/${gv.path}?hash=${hash}` };
    }
    return { paths };
  }

  private groupVersions(): Array<{ group: string; version: string; path: string }> {
    const out = new Map<string, { group: string; version: string; path: string }>();
    for (const r of this.allResources()) {
      for (const v of r.versions) {
        const path = r.group ? `apis/${r.group}/${v}` : `api/${v}`;
        out.set(path, { group: r.group, version: v, path });
      }
    }
    return [...out.values()];
  }

  private openApiDoc(gvPath: string): JsonObject | undefined {
    const gv = this.groupVersions().find((x) => x.path === gvPath);
    if (!gv) return undefined;
    const paths: JsonObject = {};
    const params = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
      name,
      in: 'query',
      schema: { type: name === 'force' ? 'boolean' : 'string' },
    }));
    for (const r of this.allResources().filter((x) => x.group === gv.group && x.versions.includes(gv.version))) {
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
    return {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: KUBE_VERSION.gitVersion },
      paths,
      components: { schemas: {} },
    };
  }

  private groupList(): {
    kind: string;
    apiVersion: string;
    groups: Array<{ name: string; versions: JsonObject[]; preferredVersion: JsonObject }>;
  } {
    const groups = new Map<string, string[]>();
    for (const r of this.allResources()) {
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

  private resourceList(group: string, version: string): JsonObject | undefined {
    const infos = this.allResources().filter((r) => r.group === group && r.versions.includes(version));
    if (infos.length === 0 && !(group === '' && version === 'v1')) return undefined;
    const resources: JsonObject[] = [];
    for (const r of infos) {
      const entry: JsonObject = {
        name: r.resource,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: RESOURCE_VERBS,
      };
      if (r.shortNames) entry.shortNames = r.shortNames;
      if (r.categories && r.categories.length) entry.categories = r.categories;
      resources.push(entry);
      if (r.hasStatus)
        resources.push({
          name: `${r.resource}/status`,
          singularName: '',
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ['get', 'patch', 'update'],
        });
      if (r.group === 'apps' && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(r.kind)) {
        resources.push({
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
      resources,
    };
  }

  private target(group: string, version: string, rest: string[]): Target {
    let namespace: string | undefined;
    let segs = rest;
    if (
      segs[0] === 'namespaces' &&
      segs.length >= 3 &&
      !(segs.length === 3 && ['status', 'finalize'].includes(segs[2]!))
    ) {
      namespace = segs[1];
      segs = segs.slice(2);
    }
    const info = this.lookup(group, segs[0]!);
    if (!info || !info.versions.includes(version))
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (namespace !== undefined && !info.namespaced)
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (segs.length > 3) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const sub = segs[2];
    const scalable = info.group === 'apps' && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(info.kind);
    if (
      sub !== undefined &&
      !(sub === 'status' && info.hasStatus) &&
      !(sub === 'finalize' && info.kind === 'Namespace') &&
      !(sub === 'scale' && scalable)
    ) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    return { info, version, namespace, name: segs[1], subresource: sub };
  }

  // ---- verbs ----
  private async serve(req: IncomingMessage, res: ServerResponse, url: URL, t: Target): Promise<void> {
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    if (t.subresource === 'scale') return this.scale(req, res, t, q);
    if (method === 'GET' && t.name === undefined) {
      if (q.get('watch') === '1' || q.get('watch') === 'true') return this.watch(req, res, t, q);
      return this.send(res, 200, this.maybeTable(req, t, this.list(t, q)));
    }
    if (method === 'GET') return this.send(res, 200, this.maybeTable(req, t, this.output(t, this.mustGet(t))));
    if (t.info.namespaced && t.namespace === undefined)
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const dryRun = q.getAll('dryRun').includes('All');
    const manager = q.get('fieldManager') ?? defaultManager(req);
    if (method === 'POST' && t.name === undefined) {
      const body = await readObject(req);
      const created = this.create(t, body, manager, dryRun);
      return this.send(res, 201, this.output(t, created));
    }
    if (method === 'PUT' && t.name !== undefined) {
      const body = await readObject(req);
      return this.send(res, 200, this.output(t, this.update(t, body, manager, dryRun)));
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
        const { object, created } = this.apply(t, parseYaml(text), manager, force, dryRun);
        return this.send(res, created ? 201 : 200, this.output(t, object));
      }
      const patch = parseJson(text);
      return this.send(res, 200, this.output(t, this.patch(t, type, patch, manager, dryRun)));
    }
    if (method === 'DELETE') {
      const opts: Json = await readDeleteOptions(req);
      const propagation = String(
        (isObject(opts) && opts.propagationPolicy) || q.get('propagationPolicy') || 'Background',
      );
      if (t.name === undefined) {
        const items = this.list(t, q).items as JsonObject[];
        for (const item of items)
          this.remove(
            { ...t, name: String(metaOf(item).name), namespace: metaOf(item).namespace as string | undefined },
            propagation,
            dryRun,
            undefined,
          );
        return this.send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
      }
      const pre = isObject(opts) && isObject(opts.preconditions) ? opts.preconditions : undefined;
      const gone = this.remove(
        t,
        propagation,
        dryRun || (isObject(opts) && Array.isArray(opts.dryRun) && opts.dryRun.includes('All')),
        pre,
      );
      return this.send(res, 200, this.output(t, gone));
    }
    throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }

  private scaleOf(obj: JsonObject): JsonObject {
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
  private async scale(req: IncomingMessage, res: ServerResponse, t: Target, q: URLSearchParams): Promise<void> {
    const method = req.method ?? 'GET';
    const main: Target = { ...t, subresource: undefined };
    const old = this.mustGet(main);
    if (method === 'GET') return this.send(res, 200, this.scaleOf(old));
    let next: Json;
    const current = this.scaleOf(old);
    if (method === 'PUT') next = await readObject(req);
    else if (method === 'PATCH') {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const text = await readBody(req);
      if (type === 'application/json-patch+json') next = jsonPatch(current, parseJson(text));
      else if (type === 'application/apply-patch+yaml') next = mergePatch(current, parseYaml(text));
      else next = mergePatch(current, parseJson(text));
    } else
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    if (!isObject(next) || !isObject(next.spec) || typeof next.spec.replicas !== 'number') {
      throw this.invalid(t.info, t.name!, [
        { field: 'spec.replicas', reason: 'FieldValueRequired', message: 'Required value' },
      ]);
    }
    const rv = isObject(next.metadata) ? next.metadata.resourceVersion : undefined;
    if (method === 'PUT' && rv !== undefined && rv !== '' && rv !== metaOf(old).resourceVersion)
      throw this.conflict(t, t.name!);
    const obj = clone(old);
    (obj.spec as JsonObject).replicas = next.spec.replicas;
    const manager = q.get('fieldManager') ?? defaultManager(req);
    const stored = this.replaceWith(main, old, obj, manager, q.getAll('dryRun').includes('All'));
    return this.send(res, 200, this.scaleOf(stored));
  }

  private notFound(info: ResourceInfo, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(info)} "${name}" not found`, {
      name,
      group: info.group,
      kind: info.resource,
    });
  }

  private mustGet(t: Target): JsonObject {
    const obj = this.store.get(this.storeKey(t.info), t.info.namespaced ? t.namespace : undefined, t.name!);
    if (!obj) throw this.notFound(t.info, t.name!);
    return obj;
  }

  /** The object as served at the request's version. Shallow: answers are serialised at once and never changed. */
  private output(t: Target, obj: JsonObject): JsonObject {
    return { ...obj, apiVersion: groupVersionOf(t.info, t.version), kind: t.info.kind };
  }

  private list(t: Target, q: URLSearchParams): JsonObject {
    const labelSel = parseLabelSelector(q.get('labelSelector') ?? '');
    const fieldSel = parseFieldSelector(q.get('fieldSelector') ?? '');
    let items = this.store
      .list(this.storeKey(t.info), t.info.namespaced ? t.namespace : undefined)
      .filter(
        (o) =>
          matchesLabels(metaOf(o).labels as Record<string, string> | undefined, labelSel) && matchesFields(o, fieldSel),
      );
    const cont = q.get('continue');
    if (cont) {
      let after: string;
      try {
        after = (JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as { after: string }).after;
      } catch {
        throw new ApiError(400, 'BadRequest', 'continue key is not valid: invalid token');
      }
      items = items.filter((o) => keyOf(o) > after);
    }
    const limit = Number(q.get('limit') ?? 0);
    const metadata: JsonObject = { resourceVersion: String(this.store.rv) };
    if (limit > 0 && items.length > limit) {
      const page = items.slice(0, limit);
      metadata.continue = Buffer.from(JSON.stringify({ after: keyOf(page[page.length - 1]!) })).toString('base64url');
      metadata.remainingItemCount = items.length - limit;
      items = page;
    }
    return {
      kind: `${t.info.kind}List`,
      apiVersion: groupVersionOf(t.info, t.version),
      metadata,
      items: items.map((o) => this.output(t, o)),
    };
  }

  private maybeTable(req: IncomingMessage, t: Target, body: JsonObject): JsonObject {
    const accept = String(req.headers.accept ?? '');
    if (!/as=Table/.test(accept)) return body;
    const objects = body.kind === `${t.info.kind}List` ? (body.items as JsonObject[]) : [body];
    const cols: JsonObject[] = [{ name: 'Name', type: 'string', format: 'name', description: 'Name', priority: 0 }];
    const extra = tableColumns(t.info.kind);
    for (const c of extra) cols.push({ name: c.name, type: 'string', format: '', description: c.name, priority: 0 });
    cols.push({ name: 'Age', type: 'string', format: '', description: 'CreationTimestamp', priority: 0 });
    const rows = objects.map((o) => ({
      cells: [String(metaOf(o).name), ...extra.map((c) => c.value(o)), age(String(metaOf(o).creationTimestamp ?? ''))],
      object: o,
    }));
    const meta =
      isObject(body.metadata) && body.kind !== t.info.kind ? body.metadata : { resourceVersion: String(this.store.rv) };
    return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: meta, columnDefinitions: cols, rows } as JsonObject;
  }

  private checkNamespace(t: Target, obj: JsonObject): void {
    const meta = metaOf(obj);
    if (!t.info.namespaced) {
      delete meta.namespace;
      return;
    }
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== t.namespace) {
      throw new ApiError(
        400,
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    meta.namespace = t.namespace!;
    const ns = this.store.get('/namespaces', undefined, t.namespace!);
    if (!ns)
      throw new ApiError(404, 'NotFound', `namespaces "${t.namespace!}" not found`, {
        name: t.namespace!,
        kind: 'namespaces',
      });
    if (isObject(ns.metadata) && ns.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `${t.info.resource} "${String(meta.name)}" is forbidden: unable to create new content in namespace ${t.namespace!} because it is being terminated`,
      );
    }
  }

  private invalid(info: ResourceInfo, name: string, causes: Cause[]): ApiError {
    const kind = info.group ? `${info.kind}.${info.group}` : info.kind;
    const summary = causes.map((c) => `${c.field}: ${c.message}`);
    const message = `${kind} "${name}" is invalid: ${summary.length === 1 ? summary[0]! : `[${summary.join(', ')}]`}`;
    return new ApiError(422, 'Invalid', message, {
      name,
      group: info.group,
      kind: info.kind,
      causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
    });
  }

  private checkKind(t: Target, obj: JsonObject): void {
    if (obj.kind !== undefined && obj.kind !== t.info.kind) {
      throw new ApiError(
        400,
        'BadRequest',
        `the object provided is unrecognized (must be of type ${t.info.kind}): kind ${String(obj.kind)} does not match the URL`,
      );
    }
    const gv = obj.apiVersion;
    if (gv !== undefined && !t.info.versions.map((v) => groupVersionOf(t.info, v)).includes(String(gv))) {
      throw new ApiError(
        400,
        'BadRequest',
        `the API version in the data (${String(gv)}) does not match the expected API version (${groupVersionOf(t.info, t.version)})`,
      );
    }
  }

  /** Common preparation of any object about to be stored; returns whether the generation changed. */
  private prepare(t: Target, obj: JsonObject, old: JsonObject | undefined): boolean {
    const meta = metaOf(obj);
    obj.apiVersion = groupVersionOf(t.info, t.version);
    obj.kind = t.info.kind;
    if (t.info.kind === 'Secret' && t.info.group === '') {
      if (isObject(obj.stringData)) {
        const data = (isObject(obj.data) ? obj.data : {}) as JsonObject;
        for (const [k, v] of Object.entries(obj.stringData))
          data[k] = Buffer.from(String(v), 'utf8').toString('base64');
        obj.data = data;
      }
      delete obj.stringData;
      obj.type ??= 'Opaque';
    }
    if (old) {
      const om = metaOf(old);
      meta.uid = om.uid!;
      meta.creationTimestamp = om.creationTimestamp!;
      if (om.deletionTimestamp) meta.deletionTimestamp = om.deletionTimestamp;
      if (t.info.hasStatus && t.subresource !== 'status') {
        if (old.status === undefined) delete obj.status;
        else obj.status = clone(old.status);
      }
      const specChanged = !deepEqual(withoutMeta(old), withoutMeta(obj));
      meta.generation =
        ((om.generation as number | undefined) ?? 1) + (specChanged && t.subresource !== 'status' ? 1 : 0);
      const causes = validateUpdate(t.info, old, obj);
      if (causes.length) throw this.invalid(t.info, String(meta.name), causes);
      this.controllers.admit(obj, old, specChanged && t.subresource !== 'status');
      return specChanged;
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTime();
    meta.generation = 1;
    if (t.info.hasStatus) delete obj.status;
    const causes = [...validateName(t.info, String(meta.name)), ...validateObject(t.info, obj)];
    if (causes.length) throw this.invalid(t.info, String(meta.name), causes);
    this.controllers.admit(obj, undefined, true);
    return true;
  }

  private commit(
    t: Target,
    obj: JsonObject,
    old: JsonObject | undefined,
    generationChanged: boolean,
    dryRun: boolean,
  ): JsonObject {
    const key = this.storeKey(t.info);
    const meta = metaOf(obj);
    if (dryRun) {
      meta.resourceVersion = old ? String(metaOf(old).resourceVersion) : '';
      return obj;
    }
    if (old && meta.deletionTimestamp && (!Array.isArray(meta.finalizers) || meta.finalizers.length === 0)) {
      this.finalRemove(t.info, obj);
      return obj;
    }
    const stored = this.store.put(key, obj, old ? 'MODIFIED' : 'ADDED');
    if (t.info.group === 'apiextensions.k8s.io' && t.info.resource === 'customresourcedefinitions')
      this.registerCrd(stored);
    this.controllers.stored(key, stored, generationChanged, !old);
    return stored;
  }

  private writeNew(info: ResourceInfo, obj: JsonObject, manager: string): JsonObject {
    const t: Target = {
      info,
      version: info.versions[0]!,
      namespace: metaOf(obj).namespace as string | undefined,
      name: String(metaOf(obj).name),
    };
    const gen = this.prepare(t, obj, undefined);
    metaOf(obj).managedFields = updateManagedFields(
      undefined,
      obj,
      manager,
      groupVersionOf(info),
      Boolean(info.custom),
      nowTime(),
    ) as unknown as Json;
    return this.commit(t, obj, undefined, gen, false);
  }

  private create(t: Target, body: JsonObject, manager: string, dryRun: boolean): JsonObject {
    this.checkKind(t, body);
    const obj = clone(body);
    const meta = metaOf(obj);
    for (const k of [
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'deletionTimestamp',
      'managedFields',
      'generation',
      'selfLink',
    ])
      delete meta[k];
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) {
      meta.name = meta.generateName + randomBytes(3).toString('hex').slice(0, 5);
    }
    if (typeof meta.name !== 'string' || meta.name === '') {
      throw this.invalid(t.info, '', [
        {
          field: 'metadata.name',
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
        },
      ]);
    }
    this.checkNamespace(t, obj);
    if (this.store.get(this.storeKey(t.info), meta.namespace as string | undefined, meta.name)) {
      throw new ApiError(409, 'AlreadyExists', `${qualified(t.info)} "${meta.name}" already exists`, {
        name: meta.name,
        group: t.info.group,
        kind: t.info.resource,
      });
    }
    const gen = this.prepare(t, obj, undefined);
    meta.managedFields = updateManagedFields(
      undefined,
      obj,
      manager,
      groupVersionOf(t.info, t.version),
      Boolean(t.info.custom),
      nowTime(),
    ) as unknown as Json;
    return this.commit(t, obj, undefined, gen, dryRun);
  }

  private conflict(t: Target, name: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(t.info)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      {
        name,
        group: t.info.group,
        kind: t.info.resource,
      },
    );
  }

  private update(t: Target, body: JsonObject, manager: string, dryRun: boolean): JsonObject {
    this.checkKind(t, body);
    const old = this.mustGet(t);
    const obj = clone(body);
    const meta = metaOf(obj);
    if (meta.name !== undefined && meta.name !== t.name)
      throw new ApiError(
        400,
        'BadRequest',
        `the name of the object (${String(meta.name)}) does not match the name on the URL (${t.name!})`,
      );
    meta.name = t.name!;
    if (t.info.namespaced) meta.namespace = t.namespace!;
    const rv = meta.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== metaOf(old).resourceVersion) throw this.conflict(t, t.name!);
    return this.replaceWith(t, old, obj, manager, dryRun);
  }

  private replaceWith(t: Target, old: JsonObject, next: JsonObject, manager: string, dryRun: boolean): JsonObject {
    let obj = next;
    if (t.subresource === 'status') {
      const status = obj.status;
      obj = clone(old);
      if (status === undefined) delete obj.status;
      else obj.status = status;
    }
    const gen = this.prepare(t, obj, old);
    const meta = metaOf(obj);
    if (t.subresource !== 'status') {
      const givenManaged = meta.managedFields;
      meta.managedFields = (
        Array.isArray(givenManaged) && !deepEqual(givenManaged, metaOf(old).managedFields)
          ? givenManaged
          : updateManagedFields(old, obj, manager, groupVersionOf(t.info, t.version), Boolean(t.info.custom), nowTime())
      ) as Json;
    }
    if (sameButVolatile(obj, old)) return old;
    return this.commit(t, obj, old, gen, dryRun);
  }

  private patch(t: Target, type: string, patch: Json, manager: string, dryRun: boolean): JsonObject {
    const old = this.mustGet(t);
    let next: Json;
    if (type === 'application/merge-patch+json' || type === 'application/json') next = mergePatch(old, patch);
    else if (type === 'application/json-patch+json') next = jsonPatch(old, patch);
    else if (type === 'application/strategic-merge-patch+json') {
      if (t.info.custom)
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
        );
      next = strategicMerge(old, patch, [], false);
    } else throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format: ${type}`);
    if (!isObject(next)) throw new ApiError(422, 'Invalid', 'the patch produced something that is not an object');
    const meta = metaOf(next);
    if (meta.resourceVersion !== metaOf(old).resourceVersion) throw this.conflict(t, t.name!);
    if (meta.name !== t.name)
      throw new ApiError(400, 'BadRequest', 'the name of the object cannot be changed by a patch');
    return this.replaceWith(t, old, next, manager, dryRun);
  }

  private apply(
    t: Target,
    config: Json,
    manager: string,
    force: boolean,
    dryRun: boolean,
  ): { object: JsonObject; created: boolean } {
    if (!isObject(config)) throw new ApiError(400, 'BadRequest', 'the apply configuration must be an object');
    if (config.apiVersion === undefined || config.kind === undefined)
      throw new ApiError(400, 'BadRequest', 'apiVersion and kind must be set in an apply configuration');
    this.checkKind(t, config);
    const cfg = clone(config);
    const cm = metaOf(cfg);
    if (cm.name !== undefined && cm.name !== t.name)
      throw new ApiError(
        400,
        'BadRequest',
        `the name of the object (${String(cm.name)}) does not match the name on the URL (${t.name!})`,
      );
    if (t.info.namespaced && cm.namespace !== undefined && cm.namespace !== t.namespace) {
      throw new ApiError(
        400,
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (t.info.kind === 'Secret' && isObject(cfg.stringData)) {
      const data = (isObject(cfg.data) ? cfg.data : {}) as JsonObject;
      for (const [k, v] of Object.entries(cfg.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      cfg.data = data;
      delete cfg.stringData;
    }
    const rv = cm.resourceVersion;
    delete cm.resourceVersion;
    delete cm.managedFields;
    const live = this.store.get(this.storeKey(t.info), t.info.namespaced ? t.namespace : undefined, t.name!);
    if (rv !== undefined && (!live || rv !== metaOf(live).resourceVersion)) throw this.conflict(t, t.name!);
    const gv = groupVersionOf(t.info, t.version);
    if (t.subresource === 'status') {
      if (!live) throw this.notFound(t.info, t.name!);
      const merged = applyMerge(live.status, cfg.status ?? {}, 'status', [], Boolean(t.info.custom));
      return { object: this.replaceWith(t, live, { ...clone(live), status: merged }, manager, dryRun), created: false };
    }
    const keepStatus = t.info.custom && !t.info.hasStatus;
    const applyCfg = { ...cfg }; // serverSideApply copies what it keeps
    if (!keepStatus) delete applyCfg.status;
    const result = serverSideApply(live, applyCfg, manager, force, gv, Boolean(t.info.custom), nowTime());
    if ('conflicts' in result) {
      const lines = result.conflicts.map(
        (c) => `conflict with "${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}: ${c.field}`,
      );
      const n = result.conflicts.length;
      throw new ApiError(409, 'Conflict', `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${lines.join('\n')}`, {
        name: t.name!,
        group: t.info.group,
        kind: t.info.resource,
        causes: result.conflicts.map((c) => ({
          reason: 'FieldManagerConflict',
          message: `conflict with "${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}`,
          field: c.field,
        })),
      });
    }
    const obj = result.object;
    if (keepStatus && cfg.status !== undefined) obj.status = applyMerge(live?.status, cfg.status, 'status', [], true);
    const meta = metaOf(obj);
    meta.name = t.name!;
    meta.managedFields = result.managedFields as unknown as Json;
    if (!live) {
      this.checkNamespace(t, obj);
      const gen = this.prepare(t, obj, undefined);
      return { object: this.commit(t, obj, undefined, gen, dryRun), created: true };
    }
    if (t.info.namespaced) meta.namespace = t.namespace!;
    const gen = this.prepare(t, obj, live);
    if (sameButVolatile(obj, live)) return { object: live, created: false };
    return { object: this.commit(t, obj, live, gen, dryRun), created: false };
  }

  // ---- delete ----
  private remove(t: Target, propagation: string, dryRun: boolean, pre: JsonObject | undefined): JsonObject {
    const obj = this.mustGet(t);
    const meta = metaOf(obj);
    if (pre) {
      if (pre.uid && pre.uid !== meta.uid)
        throw new ApiError(
          409,
          'Conflict',
          `Precondition failed: UID in precondition: ${String(pre.uid)}, UID in object meta: ${String(meta.uid)}`,
        );
      if (pre.resourceVersion && pre.resourceVersion !== meta.resourceVersion) throw this.conflict(t, t.name!);
    }
    if (t.info.kind === 'Namespace' && SYSTEM_NAMESPACES.includes(t.name!)) {
      throw new ApiError(403, 'Forbidden', `namespaces "${t.name!}" is forbidden: this namespace may not be deleted`);
    }
    if (dryRun) return obj;
    if (Array.isArray(meta.finalizers) && meta.finalizers.length > 0) {
      if (meta.deletionTimestamp) return obj;
      const next = clone(obj);
      metaOf(next).deletionTimestamp = nowTime();
      metaOf(next).deletionGracePeriodSeconds = 0;
      return this.store.put(this.storeKey(t.info), next, 'MODIFIED');
    }
    if (t.info.kind === 'Namespace' && t.info.group === '') {
      // Remove every namespaced object in it, then the namespace; answer with the terminating namespace.
      for (const info of this.allResources().filter((r) => r.namespaced)) {
        for (const o of this.store.list(this.storeKey(info), t.name)) this.store.remove(this.storeKey(info), o);
      }
      const terminating = clone(obj);
      metaOf(terminating).deletionTimestamp = nowTime();
      terminating.status = { phase: 'Terminating' };
      this.store.remove(this.storeKey(t.info), obj);
      return terminating;
    }
    if (propagation === 'Foreground') this.cascade(String(meta.uid), 'delete');
    const gone = this.finalRemove(t.info, obj);
    if (propagation === 'Background') this.cascade(String(meta.uid), 'delete');
    else if (propagation === 'Orphan') this.cascade(String(meta.uid), 'orphan');
    return gone;
  }

  private finalRemove(info: ResourceInfo, obj: JsonObject): JsonObject {
    const gone = this.store.remove(this.storeKey(info), obj);
    if (info.group === 'apiextensions.k8s.io' && info.resource === 'customresourcedefinitions') {
      const name = String(metaOf(obj).name);
      const cr = this.custom.get(name);
      if (cr) {
        for (const o of this.store.list(this.storeKey(cr))) this.store.remove(this.storeKey(cr), o);
        this.custom.delete(name);
      }
    }
    return gone;
  }

  private cascade(ownerUid: string, mode: 'delete' | 'orphan'): void {
    for (const info of this.allResources()) {
      for (const o of this.store.list(this.storeKey(info))) {
        const refs = metaOf(o).ownerReferences;
        if (!Array.isArray(refs) || !refs.some((r) => isObject(r) && r.uid === ownerUid)) continue;
        if (mode === 'orphan') {
          const next = clone(o);
          metaOf(next).ownerReferences = refs.filter((r) => !(isObject(r) && r.uid === ownerUid));
          this.store.put(this.storeKey(info), next, 'MODIFIED');
        } else {
          this.finalRemove(info, o);
          this.cascade(String(metaOf(o).uid), 'delete');
        }
      }
    }
  }

  // ---- controllers' status writes ----
  private updateStatus(
    resource: string,
    namespace: string | undefined,
    name: string,
    uid: string,
    mutate: (obj: JsonObject) => void,
  ): void {
    const current = this.store.get(resource, namespace, name);
    if (!current || metaOf(current).uid !== uid) return;
    const next = clone(current);
    mutate(next);
    if (deepEqual(next, current)) return;
    this.store.put(resource, next, 'MODIFIED');
  }

  // ---- watch ----
  private watch(req: IncomingMessage, res: ServerResponse, t: Target, q: URLSearchParams): void {
    const key = this.storeKey(t.info);
    const labelSel = parseLabelSelector(q.get('labelSelector') ?? '');
    const fieldSel = parseFieldSelector(q.get('fieldSelector') ?? '');
    const ns = t.info.namespaced ? t.namespace : undefined;
    const matches = (o: JsonObject) =>
      (ns === undefined || metaOf(o).namespace === ns) &&
      matchesLabels(metaOf(o).labels as Record<string, string> | undefined, labelSel) &&
      matchesFields(o, fieldSel);
    const rvParam = q.get('resourceVersion') ?? '';
    const initial = q.get('sendInitialEvents') === 'true';
    this.stats.byStatus[200] = (this.stats.byStatus[200] ?? 0) + 1;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    const write = (type: string, object: JsonObject) => res.write(JSON.stringify({ type, object }) + '\n');
    const pending: StoreEvent[] = [];
    let replaying = true;
    const unsubscribe = this.store.subscribe((ev) => {
      if (replaying) pending.push(ev);
      else if (ev.resource === key && matches(ev.object)) write(ev.type, this.output(t, ev.object));
    });
    const startRv = this.store.rv;
    if (rvParam === '' || rvParam === '0' || initial) {
      for (const o of this.store.list(key, ns)) if (matches(o)) write('ADDED', this.output(t, o));
      if (initial) {
        write('BOOKMARK', {
          kind: t.info.kind,
          apiVersion: groupVersionOf(t.info, t.version),
          metadata: { resourceVersion: String(startRv), annotations: { 'k8s.io/initial-events-end': 'true' } },
        });
      }
    } else {
      const events = this.store.since(Number(rvParam));
      if (!events) {
        write(
          'ERROR',
          this.statusBody(
            new ApiError(410, 'Expired', `too old resource version: ${rvParam} (${this.store.oldestRv})`),
          ),
        );
        unsubscribe();
        res.end();
        return;
      }
      for (const ev of events)
        if (ev.resource === key && ev.rv <= startRv && matches(ev.object)) write(ev.type, this.output(t, ev.object));
    }
    replaying = false;
    for (const ev of pending) if (ev.resource === key && matches(ev.object)) write(ev.type, this.output(t, ev.object));
    this.watches.add(res);
    const timeout = Number(q.get('timeoutSeconds') ?? 1800);
    const timer = setTimeout(() => res.end(), Math.max(1, timeout) * 1000);
    timer.unref();
    const close = () => {
      clearTimeout(timer);
      unsubscribe();
      this.watches.delete(res);
    };
    res.on('close', close);
    req.on('close', close);
  }
}

function keyOf(o: JsonObject): string {
  const m = o.metadata as JsonObject;
  return `${String(m.namespace ?? '')}/${String(m.name)}`;
}

function withoutMeta(o: JsonObject): JsonObject {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

/** Equal apart from resourceVersion and managedFields timestamps (a write that changes nothing). */
function sameButVolatile(a: JsonObject, b: JsonObject): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (k !== 'metadata' && !deepEqual(a[k], b[k])) return false;
  }
  const ma = isObject(a.metadata) ? a.metadata : {};
  const mb = isObject(b.metadata) ? b.metadata : {};
  const metaKeys = new Set([...Object.keys(ma), ...Object.keys(mb)]);
  metaKeys.delete('resourceVersion');
  for (const k of metaKeys) {
    if (k === 'managedFields') {
      const fa = Array.isArray(ma.managedFields) ? ma.managedFields : [];
      const fb = Array.isArray(mb.managedFields) ? mb.managedFields : [];
      if (
        fa.length !== fb.length ||
        !fa.every((e, i) =>
          deepEqual(
            isObject(e) ? { ...e, time: '' } : e,
            isObject(fb[i]) ? { ...(fb[i] as JsonObject), time: '' } : fb[i],
          ),
        )
      )
        return false;
    } else if (!deepEqual(ma[k], mb[k])) return false;
  }
  return true;
}

function defaultManager(req: IncomingMessage): string {
  const ua = String(req.headers['user-agent'] ?? 'unknown');
  return ua.split('/')[0] || 'unknown';
}

const MAX_BODY = 8 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRaw(req)).toString('utf8');
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'RequestEntityTooLarge', 'request entity too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readDeleteOptions(req: IncomingMessage): Promise<Json> {
  const raw = await readRaw(req);
  if (raw.length === 0) return {};
  if (/protobuf/.test(String(req.headers['content-type'] ?? ''))) {
    try {
      return decodeKubeProtobuf(raw);
    } catch (e) {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unsupported format: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  const text = raw.toString('utf8');
  return text.trim() ? parseJson(text) : {};
}

function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new ApiError(400, 'BadRequest', `error decoding request body: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseYaml(text: string): Json {
  // Clients (client-go, kubectl, portolan) send apply patches as JSON, which is YAML too and parses far faster so.
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text) as Json;
    } catch {
      // not JSON after all: read it as YAML
    }
  }
  try {
    return loadYaml(text) as Json;
  } catch (e) {
    throw new ApiError(400, 'BadRequest', `error decoding YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function readObject(req: IncomingMessage): Promise<JsonObject> {
  const type = String(req.headers['content-type'] ?? '');
  if (/protobuf/.test(type)) {
    try {
      return decodeKubeProtobuf(await readRaw(req));
    } catch (e) {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unsupported format: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  if (/cbor/.test(type)) {
    req.resume();
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    );
  }
  const text = await readBody(req);
  const v = /yaml/.test(type) ? parseYaml(text) : parseJson(text);
  if (!isObject(v)) throw new ApiError(400, 'BadRequest', 'the request body must be an object');
  return v;
}

function age(ts: string): string {
  const ms = Date.now() - Date.parse(ts);
  if (!Number.isFinite(ms)) return '<unknown>';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function tableColumns(kind: string): Array<{ name: string; value: (o: JsonObject) => string }> {
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
