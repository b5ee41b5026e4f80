// The sandbox API server: HTTPS on loopback, bearer tokens, discovery, and the Kubernetes verbs over the store.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
import { BUILTIN_RESOURCES, groupVersionOf, qualified, resourceFromCrd, type ResourceInfo } from './resources.js';
import {
  checkFieldLabels,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from './selectors.js';
import { ApiError, notFoundPath, sendJson, statusBody } from './http.js';
import { matchRoute } from './routes.js';
import type { PrinterColumn } from './tables.js';
import { Store } from './store.js';
import { applyDefaults } from './defaults.js';
import { planDeployment, planReplicaSet } from './rollouts.js';
import { forbiddenMessage, isAllowed, type Attributes, type RbacObjects, type UserInfo } from './rbac.js';
import { definition, kindDefinition, type Schema } from './openapi.js';
import { applyDecodeMessage, checkObject, goDecodeMessage, type FieldValidation } from './schema-check.js';
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
  /** Enforce Roles, ClusterRoles and their bindings, and honour impersonation headers (kubectl --as). */
  rbac?: boolean;
}

export { KUBE_VERSION } from './discovery.js';

let lastSecond = NaN;
let lastTime = '';
/** The time as Kubernetes writes it (whole seconds, RFC 3339), formatted once per second. */
function nowTime(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastTime = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  }
  return lastTime;
}

export function metaOf(obj: JsonObject): JsonObject {
  if (!isObject(obj.metadata)) obj.metadata = {};
  return obj.metadata as JsonObject;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface Target {
  info: ResourceInfo;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** What a write checks beyond validity: the request's fieldValidation, and the warnings it collects. */
export interface WriteChecks {
  fieldValidation: FieldValidation;
  warnings: string[];
}

function noChecks(): WriteChecks {
  return { fieldValidation: 'Ignore', warnings: [] };
}

const CRD_KEY = 'apiextensions.k8s.io/customresourcedefinitions';

/** What a bearer token may do: everything, get/list/watch, or nothing. */
export type Access = 'admin' | 'read' | 'none';

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
  /** Open watch streams, ended on stop(). */
  readonly watches = new Set<ServerResponse>();
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
    for (const info of this.resources()) {
      const key = this.storeKey(info);
      for (const obj of this.store.list(key)) this.controllers.resume(key, obj);
    }
    for (const ns of this.store.list('/namespaces'))
      if (metaOf(ns).deletionTimestamp) this.finishNamespace(String(metaOf(ns).name), String(metaOf(ns).uid));
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
    for (const pending of this.terminating) clearImmediate(pending);
    this.terminating.clear();
    this.controllers.stop();
    for (const w of this.watches) w.end();
    this.watches.clear();
    this.store.compact();
  }

  // ---- resources ----
  /** Every resource served: the built-in ones, then those of CRDs. */
  resources(): ResourceInfo[] {
    return [...BUILTIN_RESOURCES, ...this.custom.values()];
  }

  /** Counts CRD writes, so that OpenAPI document hashes change with their schemas. */
  crdRevision = 0;

  lookup(group: string, resource: string): ResourceInfo | undefined {
    return this.resources().find((r) => r.group === group && r.resource === resource);
  }

  storeKey(info: ResourceInfo): string {
    return `${info.group}/${info.resource}`;
  }

  private registerCrd(crd: JsonObject): void {
    this.crdRevision++;
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

  /** Writes a JSON answer and counts it. */
  send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
    this.stats.byStatus[code] = (this.stats.byStatus[code] ?? 0) + 1;
    sendJson(res, code, body, headers);
  }

  private sendStatus(res: ServerResponse, err: ApiError): void {
    this.send(res, err.code, statusBody(err));
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const segments = path
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    const match = matchRoute(segments);
    const method = req.method ?? 'GET';
    let access: Access = 'none';
    if (!match?.route.isPublic) {
      const granted = this.auth(req);
      if (!granted) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      access = granted;
      const readOnly = method === 'GET' || method === 'HEAD';
      // Every authenticated user may ask what it may do (kubectl auth can-i, kubectl auth whoami).
      const selfReview = /^\/apis\/(authorization|authentication)\.k8s\.io\/v1\/self\w+reviews$/.test(path);
      if (!selfReview && (access === 'none' || (access === 'read' && !readOnly))) {
        throw new ApiError(
          403,
          'Forbidden',
          `${method.toLowerCase()} ${path} is forbidden: User "portolan-sandbox:restricted" cannot ${readOnly ? 'get' : 'write'} resources at ${path}`,
        );
      }
    }
    if (!match) throw notFoundPath();
    const user = this.userOf(req, access);
    if (this.options.rbac && match.route.isObjects && access === 'admin') {
      const t = this.target(match.params.group ?? '', match.params.version!, match.rest);
      const watching = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
      const verb =
        method === 'GET' || method === 'HEAD'
          ? t.name === undefined
            ? watching
              ? 'watch'
              : 'list'
            : 'get'
          : method === 'POST'
            ? 'create'
            : method === 'PUT'
              ? 'update'
              : method === 'DELETE' && t.name === undefined
                ? 'deletecollection'
                : method.toLowerCase();
      const attrs: Attributes = {
        verb,
        group: t.info.group,
        resource: t.info.resource,
        subresource: t.subresource,
        namespace: t.info.namespaced ? t.namespace : undefined,
        name: t.name,
      };
      if (!isAllowed(user, attrs, this.rbacObjects()))
        throw new ApiError(403, 'Forbidden', forbiddenMessage(user, attrs), {
          ...(t.name ? { name: t.name } : {}),
          group: t.info.group,
          kind: t.info.resource,
        });
    }
    await match.route.handler({
      server: this,
      req,
      res,
      method,
      access,
      user,
      query: url.searchParams,
      params: match.params,
      rest: match.rest,
    });
  }

  get rbacEnabled(): boolean {
    return Boolean(this.options.rbac);
  }

  /** The Roles, ClusterRoles and bindings the authorizer reads. */
  rbacObjects(): RbacObjects {
    const key = (r: string) => `rbac.authorization.k8s.io/${r}`;
    return {
      roles: this.store.list(key('roles')),
      clusterRoles: this.store.list(key('clusterroles')),
      roleBindings: this.store.list(key('rolebindings')),
      clusterRoleBindings: this.store.list(key('clusterrolebindings')),
    };
  }

  /** Who the request acts as: the token's user, or with --rbac the one an admin impersonates (kubectl --as). */
  private userOf(req: IncomingMessage, access: Access): UserInfo {
    if (access !== 'admin') return { name: 'portolan-sandbox:restricted', groups: ['system:authenticated'] };
    const as = req.headers['impersonate-user'];
    if (this.options.rbac && typeof as === 'string' && as !== '') {
      const groups = String(req.headers['impersonate-group'] ?? '')
        .split(',')
        .map((g) => g.trim())
        .filter((g) => g !== '');
      return { name: as, groups: [...groups, 'system:authenticated'] };
    }
    return { name: 'portolan-sandbox:admin', groups: ['system:masters', 'system:authenticated'] };
  }

  private auth(req: IncomingMessage): Access | undefined {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) return undefined;
    const token = m[1]!.trim();
    if (token === this.options.token) return 'admin';
    return this.options.extraTokens?.find((t) => t.token === token)?.access;
  }

  target(group: string, version: string, rest: string[]): Target {
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
    if (!info || !info.versions.includes(version)) throw notFoundPath();
    if (namespace !== undefined && !info.namespaced) throw notFoundPath();
    if (segs.length > 3) throw notFoundPath();
    const sub = segs[2];
    const scalable = info.group === 'apps' && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(info.kind);
    if (
      sub !== undefined &&
      !(sub === 'status' && info.hasStatus) &&
      !(sub === 'finalize' && info.kind === 'Namespace') &&
      !(sub === 'scale' && scalable)
    ) {
      throw notFoundPath();
    }
    return { info, version, namespace, name: segs[1], subresource: sub };
  }

  // ---- verbs ----
  private notFound(info: ResourceInfo, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(info)} "${name}" not found`, {
      name,
      group: info.group,
      kind: info.resource,
    });
  }

  mustGet(t: Target): JsonObject {
    const obj = this.store.get(this.storeKey(t.info), t.info.namespaced ? t.namespace : undefined, t.name!);
    if (!obj) throw this.notFound(t.info, t.name!);
    return obj;
  }

  /** The object as served at the request's version. Shallow: answers are serialised at once and never changed. */
  output(t: Target, obj: JsonObject): JsonObject {
    return { ...obj, apiVersion: groupVersionOf(t.info, t.version), kind: t.info.kind };
  }

  list(t: Target, q: URLSearchParams): JsonObject {
    const labelSel = parseLabelSelector(q.get('labelSelector') ?? '');
    const fieldSel = parseFieldSelector(q.get('fieldSelector') ?? '');
    if (!t.info.custom) checkFieldLabels(t.info.group, t.info.kind, fieldSel);
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

  invalid(info: ResourceInfo, name: string, causes: Cause[]): ApiError {
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

  /** A custom resource version's additionalPrinterColumns (undefined for built-in kinds). */
  printerColumns(t: Target): PrinterColumn[] | undefined {
    if (!t.info.custom) return undefined;
    const v = this.crdVersion(t);
    return Array.isArray(v?.additionalPrinterColumns)
      ? (v.additionalPrinterColumns.filter(isObject) as unknown as PrinterColumn[])
      : undefined;
  }

  private crdVersion(t: Pick<Target, 'info' | 'version'>): JsonObject | undefined {
    const crd = this.store.get(CRD_KEY, undefined, qualified(t.info));
    const spec = crd && isObject(crd.spec) ? crd.spec : {};
    const versions = Array.isArray(spec.versions) ? spec.versions : [];
    const v = versions.find((x) => isObject(x) && x.name === t.version);
    return isObject(v) ? v : undefined;
  }

  /** The schema objects of a resource are checked against: a built-in kind's, or its CRD version's. */
  private schemaOf(t: Target): Schema | undefined {
    if (!t.info.custom) {
      const name = kindDefinition(groupVersionOf(t.info, t.version), t.info.kind);
      return name ? definition(name) : undefined;
    }
    return this.crdSchema(t.info, t.version) ?? { type: 'object' };
  }

  /** A custom resource version's openAPIV3Schema (undefined when it has none). */
  crdSchema(info: ResourceInfo, version: string): Schema | undefined {
    const v = this.crdVersion({ info, version });
    const schema = v && isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    return isObject(schema) ? (schema as Schema) : undefined;
  }

  /**
   * What a request body holds before it is applied: unknown fields are dropped (fieldValidation Strict refuses
   * them, Warn reports them) and, for built-in kinds, values of the wrong type fail as the real server's decoder does.
   */
  private decodeInput(t: Target, obj: JsonObject, checks: WriteChecks, verb: 'write' | 'apply'): JsonObject {
    if (t.subresource === 'status') return obj;
    const schema = this.schemaOf(t);
    if (!schema) return obj;
    const custom = Boolean(t.info.custom);
    const result = checkObject(schema, obj, custom, custom ? [] : ['status'], t.info.kind);
    const kind = t.info.kind;
    const where = () => {
      const ns = t.info.namespaced ? `${t.namespace ?? ''}/` : '';
      return `${ns}${String(metaOf(obj).name ?? t.name ?? '')}; ${t.info.group}/${t.version}, Kind=${kind}`;
    };
    if (result.decodeError) {
      throw new ApiError(
        400,
        'BadRequest',
        verb === 'apply'
          ? `failed to create typed patch object (${where()}): ${applyDecodeMessage(result.decodeError)}`
          : `${kind} in version "${t.version}" cannot be handled as a ${kind}: ${goDecodeMessage(result.decodeError)}`,
      );
    }
    if (result.unknown.length && checks.fieldValidation === 'Strict') {
      throw new ApiError(
        400,
        'BadRequest',
        verb === 'apply'
          ? `failed to create typed patch object (${where()}): ${result.unknown.map((p) => `.${p}: field not declared in schema`).join(', ')}`
          : `${kind} in version "${t.version}" cannot be handled as a ${kind}: strict decoding error: ${result.unknown.map((p) => `unknown field "${p}"`).join(', ')}`,
      );
    }
    if (checks.fieldValidation === 'Warn') for (const p of result.unknown) checks.warnings.push(`unknown field "${p}"`);
    if (custom) return obj; // pruned with the defaults in prepare(), on the whole object
    return result.value;
  }

  /** Defaults (built-in kinds: defaults.go; custom resources: their schema's) and the schema's causes. */
  private defaultAndCheck(t: Target, obj: JsonObject, isCreate: boolean): Cause[] {
    if (!t.info.custom) {
      applyDefaults(t.info.group, t.info.kind, obj, isCreate);
      return [];
    }
    const schema = this.schemaOf(t);
    if (!schema) return [];
    const result = checkObject(schema, obj, true, t.info.hasStatus && t.subresource !== 'status' ? ['status'] : []);
    for (const k of Object.keys(obj)) delete obj[k];
    Object.assign(obj, result.value);
    return result.causes;
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
      const schemaCauses = this.defaultAndCheck(t, obj, false);
      const specChanged = !deepEqual(withoutMeta(old), withoutMeta(obj));
      meta.generation =
        ((om.generation as number | undefined) ?? 1) + (specChanged && t.subresource !== 'status' ? 1 : 0);
      const causes = [...schemaCauses, ...validateUpdate(t.info, old, obj)];
      if (causes.length) throw this.invalid(t.info, String(meta.name), causes);
      this.controllers.admit(obj, old, specChanged && t.subresource !== 'status');
      return specChanged;
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTime();
    meta.generation = 1;
    if (t.info.hasStatus) delete obj.status;
    const schemaCauses = this.defaultAndCheck(t, obj, true);
    const causes = [...validateName(t.info, String(meta.name)), ...schemaCauses, ...validateObject(t.info, obj)];
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
    if (t.info.group === 'apps' && t.info.kind === 'Deployment' && !meta.deletionTimestamp) this.syncDeployment(stored);
    if (t.info.group === 'apps' && t.info.kind === 'ReplicaSet' && !meta.deletionTimestamp) this.syncReplicaSet(stored);
    return stored;
  }

  /** The Deployment controller: its ReplicaSets per pod template, and the revision annotation on the Deployment. */
  private syncDeployment(deploy: JsonObject): void {
    const rsInfo = this.lookup('apps', 'replicasets')!;
    const ns = String(metaOf(deploy).namespace);
    const plan = planDeployment(deploy, this.store.list(this.storeKey(rsInfo), ns));
    for (const rs of plan.remove) {
      this.finalRemove(rsInfo, rs);
      this.cascade(String(metaOf(rs).uid), 'delete');
    }
    for (const rs of plan.update) this.controllerWrite(rsInfo, rs);
    for (const rs of plan.create) this.writeNew(rsInfo, rs, 'kube-controller-manager');
    const m = metaOf(deploy);
    const annotations = isObject(m.annotations) ? m.annotations : {};
    if (annotations['deployment.kubernetes.io/revision'] !== plan.revision) {
      this.updateStatus('apps/deployments', ns, String(m.name), String(m.uid), (o) => {
        const om = metaOf(o);
        om.annotations = {
          ...(isObject(om.annotations) ? om.annotations : {}),
          'deployment.kubernetes.io/revision': plan.revision,
        };
      });
    }
  }

  /** The ReplicaSet controller: as many Pods as replicas. */
  private syncReplicaSet(rs: JsonObject): void {
    const podInfo = this.lookup('', 'pods')!;
    const plan = planReplicaSet(rs, this.store.list(this.storeKey(podInfo), String(metaOf(rs).namespace)));
    for (const pod of plan.remove) this.finalRemove(podInfo, pod);
    for (const pod of plan.create) this.writeNew(podInfo, pod, 'kube-controller-manager');
  }

  /** A controller's write of an object it owns: no field manager, no request checks. */
  private controllerWrite(info: ResourceInfo, next: JsonObject): void {
    const m = metaOf(next);
    const t: Target = {
      info,
      version: info.versions[0]!,
      namespace: m.namespace as string | undefined,
      name: String(m.name),
    };
    const old = this.store.get(this.storeKey(info), t.namespace, t.name!);
    if (!old) return;
    const gen = this.prepare(t, next, old);
    this.commit(t, next, old, gen, false);
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

  create(t: Target, body: JsonObject, manager: string, dryRun: boolean, checks = noChecks()): JsonObject {
    this.checkKind(t, body);
    const obj = this.decodeInput(t, clone(body), checks, 'write');
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

  conflict(t: Target, name: string): ApiError {
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

  update(t: Target, body: JsonObject, manager: string, dryRun: boolean, checks = noChecks()): JsonObject {
    this.checkKind(t, body);
    const old = this.mustGet(t);
    const obj = this.decodeInput(t, clone(body), checks, 'write');
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

  replaceWith(t: Target, old: JsonObject, next: JsonObject, manager: string, dryRun: boolean): JsonObject {
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

  patch(t: Target, type: string, patch: Json, manager: string, dryRun: boolean, checks = noChecks()): JsonObject {
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
    next = this.decodeInput(t, next, checks, 'write');
    const meta = metaOf(next);
    if (meta.resourceVersion !== metaOf(old).resourceVersion) throw this.conflict(t, t.name!);
    if (meta.name !== t.name)
      throw new ApiError(400, 'BadRequest', 'the name of the object cannot be changed by a patch');
    return this.replaceWith(t, old, next, manager, dryRun);
  }

  apply(
    t: Target,
    config: Json,
    manager: string,
    force: boolean,
    dryRun: boolean,
    checks = noChecks(),
  ): { object: JsonObject; created: boolean } {
    if (!isObject(config)) throw new ApiError(400, 'BadRequest', 'the apply configuration must be an object');
    if (config.apiVersion === undefined || config.kind === undefined)
      throw new ApiError(400, 'BadRequest', 'apiVersion and kind must be set in an apply configuration');
    this.checkKind(t, config);
    const cfg = this.decodeInput(t, clone(config), checks, 'apply');
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
  remove(t: Target, propagation: string, dryRun: boolean, pre: JsonObject | undefined): JsonObject {
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
      // The namespace turns Terminating at once; its contents and then itself go right after this answer, as the
      // namespace controller does (new objects in it are refused meanwhile).
      if (meta.deletionTimestamp) return obj;
      const terminating = clone(obj);
      metaOf(terminating).deletionTimestamp = nowTime();
      terminating.status = { ...(isObject(obj.status) ? obj.status : {}), phase: 'Terminating' };
      const stored = this.store.put(this.storeKey(t.info), terminating, 'MODIFIED');
      this.finishNamespace(String(meta.name), String(meta.uid));
      return stored;
    }
    if (propagation === 'Foreground') this.cascade(String(meta.uid), 'delete');
    const gone = this.finalRemove(t.info, obj);
    if (propagation === 'Background') this.cascade(String(meta.uid), 'delete');
    else if (propagation === 'Orphan') this.cascade(String(meta.uid), 'orphan');
    return gone;
  }

  private readonly terminating = new Set<NodeJS.Immediate>();

  /** After the current request: removes every object in a Terminating namespace, then the namespace. */
  private finishNamespace(name: string, uid: string): void {
    const pending = setImmediate(() => {
      this.terminating.delete(pending);
      const ns = this.store.get('/namespaces', undefined, name);
      if (!ns || metaOf(ns).uid !== uid) return;
      for (const info of this.resources().filter((r) => r.namespaced)) {
        for (const o of this.store.list(this.storeKey(info), name)) this.store.remove(this.storeKey(info), o);
      }
      this.store.remove('/namespaces', ns);
    });
    this.terminating.add(pending);
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
    for (const info of this.resources()) {
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
