// ClusterClient: the one place portolan talks to a Kubernetes API. Requests go through node:https with the TLS and
// credentials @kubernetes/client-node's KubeConfig resolves (CA, client certs, tokens, exec/auth plugins, proxies);
// each has a timeout, and 429/5xx/connection resets are retried with exponential backoff. Discovery can be cached on disk between processes (discoveryCacheDir).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { dirname, join } from 'node:path';
import { PortolanError, messageOf, type ErrorCode } from '../errors.js';
import { loadKubeconfig, type KubeconfigOptions, type LoadedKubeconfig } from './kubeconfig.js';
import { readiness, type Readiness, type ReadinessOptions } from './readiness.js';
import { describeRef, refKey, type KubeObject, type ObjectRef, type Propagation, type ResourceMapping } from './types.js';

export interface ConnectOptions extends KubeconfigOptions {
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Retries after the first attempt for 429, 5xx and connection errors (default 4). */
  retries?: number;
  /** First backoff delay; doubles each retry, with jitter, capped at 5 s (default 200 ms). */
  backoffMs?: number;
  /** Field manager for server-side apply (default `portolan`). */
  fieldManager?: string;
  userAgent?: string;
  /** Most requests in flight at once on this client (default 16). */
  maxSockets?: number;
  /**
   * Keep discovery results in this folder and reuse them for `discoveryCacheTtlMs` (as kubectl's
   * ~/.kube/cache/discovery); a kind missing from the cache still triggers a fresh discovery. Off by default.
   */
  discoveryCacheDir?: string;
  /** How long cached discovery stays valid (default 5 minutes). */
  discoveryCacheTtlMs?: number;
}

/** A Kubernetes API error answer (a Status), typed: code NOT_FOUND for 404, CONFLICT for 409, else CLUSTER. */
export class ClusterApiError extends PortolanError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number,
    readonly reason: string,
    readonly method: string,
    readonly url: string,
    details: { hint?: string; problems?: string[]; cause?: unknown } = {},
  ) {
    super(code, message, details);
    this.name = 'ClusterApiError';
  }
}

export function isConflict(err: unknown): err is ClusterApiError {
  return err instanceof ClusterApiError && err.status === 409;
}
export function isNotFound(err: unknown): err is ClusterApiError {
  return err instanceof ClusterApiError && err.status === 404;
}

export interface ApplyOptions {
  force?: boolean;
  fieldManager?: string;
  dryRun?: boolean;
}

export interface ListOptions {
  namespace?: string;
  /** All namespaces (namespaced kinds only). */
  allNamespaces?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface DeleteOptions {
  propagation?: Propagation;
  /** Fail with NOT_FOUND instead of returning false (default false). */
  mustExist?: boolean;
  /** Delete only if the object still has this resourceVersion/uid (else CONFLICT). */
  preconditions?: { resourceVersion?: string; uid?: string };
}

export interface WaitProgress {
  ready: number;
  total: number;
  pending: Array<{ ref: string; reason: string }>;
  elapsedMs: number;
}

export interface WaitOptions extends ReadinessOptions {
  timeoutMs: number;
  /** First poll interval (default 200 ms; grows to 2 s). */
  intervalMs?: number;
  onProgress?: (progress: WaitProgress) => void;
  signal?: AbortSignal;
}

export interface WaitResult {
  ready: Array<{ ref: string; reason: string }>;
  elapsedMs: number;
}

interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | undefined>;
  /** Statuses answered as a value instead of an error. */
  allow?: number[];
}

interface RawResponse {
  status: number;
  body: unknown;
  /** Seconds from a Retry-After header. */
  retryAfter?: number;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NET = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'TIMEOUT']);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

function groupVersion(apiVersion: string): { group: string; version: string } {
  const parts = apiVersion.split('/');
  return parts.length === 2 ? { group: parts[0]!, version: parts[1]! } : { group: '', version: parts[0]! };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

export class ClusterClient {
  readonly namespace: string;
  readonly context: string;
  readonly server: string;
  private readonly base: URL;
  private readonly agent: http.Agent;
  private headers: Record<string, string> = {};
  private mappings = new Map<string, ResourceMapping>();
  private discovered = false;
  private loadedFromCache = false;
  private cacheTried = false;
  private readonly cacheFile: string | undefined;
  private readonly cacheTtlMs: number;
  private refreshing: Promise<void> | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly fieldManager: string;
  private readonly userAgent: string;
  /** Requests sent (including retries), for diagnostics and benchmarks. */
  requestCount = 0;
  retryCount = 0;

  private constructor(
    private readonly loaded: LoadedKubeconfig,
    options: ConnectOptions,
    agent: http.Agent,
  ) {
    this.namespace = loaded.namespace;
    this.context = loaded.context;
    this.server = loaded.cluster.server.replace(/\/+$/, '');
    this.base = new URL(this.server);
    this.agent = agent;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 4;
    this.backoffMs = options.backoffMs ?? 200;
    this.fieldManager = options.fieldManager ?? 'portolan';
    this.userAgent = options.userAgent ?? 'portolan';
    this.cacheFile = options.discoveryCacheDir ? join(options.discoveryCacheDir, `${createHash('sha256').update(this.server).digest('hex').slice(0, 24)}.json`) : undefined;
    this.cacheTtlMs = options.discoveryCacheTtlMs ?? 5 * 60_000;
  }

  /** Loads kubeconfig and prepares a client; no request is made until the first call. */
  static async connect(options: ConnectOptions = {}): Promise<ClusterClient> {
    const loaded = loadKubeconfig(options);
    const opts: https.RequestOptions = {};
    try {
      await loaded.applyToHTTPSOptions(opts);
    } catch (err) {
      throw new PortolanError('KUBECONFIG', `cannot prepare credentials of context "${loaded.context}": ${messageOf(err)}`, { cause: err });
    }
    const isHttp = loaded.cluster.server.startsWith('http:');
    const tls = { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: !loaded.cluster.skipTLSVerify, servername: loaded.cluster.tlsServerName };
    const maxSockets = options.maxSockets ?? 16;
    const agent = loaded.cluster.proxyUrl && opts.agent instanceof http.Agent
      ? opts.agent
      : isHttp
        ? new http.Agent({ keepAlive: true, maxSockets })
        : new https.Agent({ keepAlive: true, maxSockets, ...tls });
    const client = new ClusterClient(loaded, options, agent);
    client.setHeaders(opts);
    return client;
  }

  private setHeaders(opts: https.RequestOptions): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    this.headers = headers;
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  // ---- transport ----
  private once(method: string, path: string, options: RequestOptions): Promise<RawResponse> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const payload = options.body === undefined ? undefined : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    const headers: Record<string, string> = { ...this.headers, Accept: 'application/json', 'User-Agent': this.userAgent };
    if (payload) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const mod = url.protocol === 'http:' ? http : https;
    this.requestCount++;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          if (text && /json/.test(String(res.headers['content-type'] ?? ''))) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          const retryAfter = Number(res.headers['retry-after']);
          resolve({ status: res.statusCode ?? 0, body, retryAfter: Number.isFinite(retryAfter) && res.headers['retry-after'] !== undefined ? retryAfter : undefined });
        });
      });
      const timer = setTimeout(() => {
        const err = new Error(`no answer within ${this.timeoutMs} ms`) as NodeJS.ErrnoException;
        err.code = 'TIMEOUT';
        req.destroy(err);
      }, this.timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** One API call with retries; returns the parsed body. Throws ClusterApiError / PortolanError. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<RawResponse> {
    let attempt = 0;
    let reauthed = false;
    for (;;) {
      let res: RawResponse;
      try {
        res = await this.once(method, path, options);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if ((RETRYABLE_NET.has(code) || /socket hang up/.test(messageOf(err))) && attempt < this.retries) {
          await sleep(this.delay(attempt++));
          this.retryCount++;
          continue;
        }
        throw this.networkError(err, method, path, attempt);
      }
      if (RETRYABLE_STATUS.has(res.status) && attempt < this.retries) {
        await sleep(res.retryAfter !== undefined ? Math.min(res.retryAfter * 1000, 10_000) : this.delay(attempt));
        attempt++;
        this.retryCount++;
        continue;
      }
      if (res.status === 401 && !reauthed) {
        // Exec/auth-provider tokens may have expired: ask the kubeconfig again once.
        reauthed = true;
        const opts: https.RequestOptions = {};
        try {
          await this.loaded.applyToHTTPSOptions(opts);
          const before = JSON.stringify(this.headers);
          this.setHeaders(opts);
          if (JSON.stringify(this.headers) !== before) continue;
        } catch {
          // fall through to the 401 error
        }
      }
      if (res.status >= 200 && res.status < 300) return res;
      if (options.allow?.includes(res.status)) return res;
      throw this.apiError(res, method, path);
    }
  }

  private delay(attempt: number): number {
    const base = Math.min(this.backoffMs * 2 ** attempt, 5_000);
    return base / 2 + Math.random() * (base / 2);
  }

  private networkError(err: unknown, method: string, path: string, attempts: number): PortolanError {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const tries = attempts > 0 ? ` (after ${attempts + 1} attempts)` : '';
    if (code === 'TIMEOUT') {
      return new PortolanError('TIMEOUT', `${method} ${this.server}${path}: ${messageOf(err)}${tries}`, {
        hint: 'The API server is slow or unreachable; raise the request timeout or check the cluster.',
        cause: err,
      });
    }
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|certificate/i.test(code + messageOf(err))) {
      return new PortolanError('CLUSTER', `TLS error talking to ${this.server} (context "${this.context}"): ${messageOf(err)}`, {
        hint: 'The server certificate does not match the certificate-authority of this kubeconfig cluster.',
        cause: err,
      });
    }
    return new PortolanError('CLUSTER', `cannot reach the Kubernetes API at ${this.server} (context "${this.context}"): ${messageOf(err)}${tries}`, {
      hint: 'Is the cluster running and the server address in your kubeconfig right?',
      cause: err,
    });
  }

  private apiError(res: RawResponse, method: string, path: string): ClusterApiError {
    const status = res.body && typeof res.body === 'object' ? (res.body as { message?: string; reason?: string; details?: { causes?: Array<{ field?: string; message?: string }> } }) : {};
    const reason = status.reason ?? String(res.status);
    const message = status.message ?? (typeof res.body === 'string' && res.body ? res.body.slice(0, 500) : `HTTP ${res.status}`);
    const problems = status.details?.causes?.map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : (c.message ?? ''))).filter((p) => p !== '');
    const url = `${this.server}${path}`;
    if (res.status === 401) {
      return new ClusterApiError('CLUSTER', `the Kubernetes API at ${this.server} rejected the credentials of context "${this.context}" (401 Unauthorized)`, 401, reason, method, url, {
        hint: 'The token or client certificate in your kubeconfig is wrong or expired; log in again or pick another --kube-context.',
      });
    }
    if (res.status === 403) {
      return new ClusterApiError('CLUSTER', `forbidden (403): ${message}`, 403, reason, method, url, {
        hint: `The user of context "${this.context}" lacks RBAC permission for this; ask a cluster admin or use another context.`,
      });
    }
    const code: ErrorCode = res.status === 404 ? 'NOT_FOUND' : res.status === 409 ? 'CONFLICT' : 'CLUSTER';
    return new ClusterApiError(code, message, res.status, reason, method, url, { problems: problems && problems.length ? problems : undefined });
  }

  // ---- discovery ----
  /** Server version from /version. */
  async serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }> {
    const res = await this.request('GET', '/version');
    return res.body as { major: string; minor: string; gitVersion: string };
  }

  private async discover(): Promise<void> {
    const next = new Map<string, ResourceMapping>();
    const gvs: string[] = [];
    const core = await this.request('GET', '/api');
    for (const v of ((core.body as { versions?: string[] }).versions ?? [])) gvs.push(v);
    const groups = await this.request('GET', '/apis');
    for (const g of ((groups.body as { groups?: Array<{ versions?: Array<{ groupVersion: string }> }> }).groups ?? [])) {
      for (const v of g.versions ?? []) gvs.push(v.groupVersion);
    }
    await mapLimit(gvs, 8, async (gv) => {
      const path = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
      const res = await this.request('GET', path, { allow: [404, 503] });
      if (res.status !== 200) return;
      const { group, version } = groupVersion(gv);
      for (const r of ((res.body as { resources?: Array<{ name: string; kind: string; namespaced: boolean }> }).resources ?? [])) {
        if (r.name.includes('/')) continue;
        next.set(`${gv}/${r.kind}`, { group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced });
      }
    });
    this.mappings = next;
    this.discovered = true;
    this.saveDiscovery();
  }

  /** Fills the mappings from the discovery cache, once; true when it did. */
  private fromCache(): boolean {
    if (this.cacheTried || !this.cacheFile) return false;
    this.cacheTried = true;
    try {
      if (Date.now() - statSync(this.cacheFile).mtimeMs > this.cacheTtlMs) return false;
      const data = JSON.parse(readFileSync(this.cacheFile, 'utf8')) as { server?: unknown; mappings?: unknown };
      if (data.server !== this.server || !Array.isArray(data.mappings)) return false;
      const mappings = new Map<string, ResourceMapping>();
      for (const entry of data.mappings as unknown[]) {
        const [key, m] = Array.isArray(entry) ? (entry as [unknown, Partial<ResourceMapping> | undefined]) : [];
        if (typeof key !== 'string' || !m || typeof m.resource !== 'string' || typeof m.kind !== 'string' || typeof m.version !== 'string' || typeof m.group !== 'string' || typeof m.namespaced !== 'boolean') return false;
        mappings.set(key, { group: m.group, version: m.version, resource: m.resource, kind: m.kind, namespaced: m.namespaced });
      }
      if (mappings.size === 0) return false;
      this.mappings = mappings;
      this.loadedFromCache = true;
      return true;
    } catch {
      return false;
    }
  }

  private saveDiscovery(): void {
    if (!this.cacheFile) return;
    try {
      mkdirSync(dirname(this.cacheFile), { recursive: true });
      const temp = `${this.cacheFile}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ server: this.server, mappings: [...this.mappings] }));
      renameSync(temp, this.cacheFile);
    } catch {
      // A cache that cannot be written only costs the next command a discovery.
    }
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.discover().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** REST mapping of (apiVersion, kind), cached; discovery is refreshed once on a miss (e.g. a CRD just created). */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceMapping> {
    const key = `${apiVersion}/${kind}`;
    let hit = this.mappings.get(key);
    if (hit) return hit;
    if (!this.discovered && !this.loadedFromCache && this.fromCache()) {
      hit = this.mappings.get(key);
      if (hit) return hit;
    }
    await this.refresh();
    hit = this.mappings.get(key);
    if (hit) return hit;
    if (!this.discovered) await this.refresh();
    throw new PortolanError('CLUSTER', `the cluster at ${this.server} has no resource for kind "${kind}" in apiVersion "${apiVersion}"`, {
      hint: 'Check the apiVersion, or install the CustomResourceDefinition that defines this kind first.',
    });
  }

  /** Every group/version and group/version/Kind the server serves (for Capabilities.APIVersions). */
  async apiVersions(): Promise<string[]> {
    if (!this.discovered && !this.loadedFromCache && !this.fromCache()) await this.refresh();
    const out = new Set<string>();
    for (const [key, m] of this.mappings) {
      out.add(m.group ? `${m.group}/${m.version}` : m.version);
      out.add(key);
    }
    return [...out].sort();
  }

  private async path(ref: { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string } }, withName: boolean, namespace?: string): Promise<{ path: string; mapping: ResourceMapping; namespace?: string }> {
    const mapping = await this.resourceFor(ref.apiVersion, ref.kind);
    const prefix = mapping.group ? `/apis/${mapping.group}/${mapping.version}` : `/api/${mapping.version}`;
    const ns = mapping.namespaced ? (namespace ?? ref.metadata?.namespace ?? this.namespace) : undefined;
    let path = ns !== undefined ? `${prefix}/namespaces/${encodeURIComponent(ns)}/${mapping.resource}` : `${prefix}/${mapping.resource}`;
    if (withName) {
      const name = ref.metadata?.name;
      if (!name) throw new PortolanError('MANIFEST_INVALID', `${ref.kind} has no metadata.name`, { path: 'metadata.name' });
      path += `/${encodeURIComponent(name)}`;
    }
    return { path, mapping, namespace: ns };
  }

  private withNamespace<T extends KubeObject>(obj: T, ns: string | undefined): T {
    const meta = { ...obj.metadata };
    if (ns === undefined) delete meta.namespace;
    else meta.namespace = ns;
    return { ...obj, metadata: meta };
  }

  // ---- verbs ----
  /** Server-side apply with field manager `portolan` (conflicts fail unless `force`). Returns the live object. */
  async apply(obj: KubeObject, options: ApplyOptions = {}): Promise<KubeObject> {
    const { path, namespace } = await this.path(obj, true);
    const body = this.withNamespace(obj, namespace);
    const meta = { ...body.metadata };
    delete meta.managedFields;
    delete meta.uid;
    delete meta.creationTimestamp;
    delete meta.generation;
    const res = await this.request('PATCH', path, {
      body: { ...body, metadata: meta },
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: options.fieldManager ?? this.fieldManager, force: options.force ? 'true' : 'false', dryRun: options.dryRun ? 'All' : undefined },
    });
    return res.body as KubeObject;
  }

  /** The live object, or undefined when it does not exist. */
  async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined> {
    const { path } = await this.path({ apiVersion, kind, metadata: { name } }, true, namespace);
    const res = await this.request('GET', path, { allow: [404] });
    return res.status === 404 ? undefined : (res.body as KubeObject);
  }

  /** Every object of a kind (following `continue`), in one namespace (default: the client's) or all. */
  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const mapping = await this.resourceFor(apiVersion, kind);
    const { path } = options.allNamespaces && mapping.namespaced
      ? { path: `${mapping.group ? `/apis/${mapping.group}/${mapping.version}` : `/api/${mapping.version}`}/${mapping.resource}` }
      : await this.path({ apiVersion, kind }, false, options.namespace);
    const items: KubeObject[] = [];
    let cont: string | undefined;
    do {
      const res = await this.request('GET', path, { query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: '500', continue: cont } });
      const body = res.body as { items?: KubeObject[]; metadata?: { continue?: string } };
      for (const item of body.items ?? []) items.push({ ...item, apiVersion: item.apiVersion ?? apiVersion, kind: item.kind ?? kind });
      cont = body.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  /** POST: fails with CONFLICT (AlreadyExists) when the object exists. */
  async create(obj: KubeObject): Promise<KubeObject> {
    const { path, namespace } = await this.path(obj, false);
    const res = await this.request('POST', path, { body: this.withNamespace(obj, namespace) });
    return res.body as KubeObject;
  }

  /** PUT guarded by `metadata.resourceVersion`: a stale version fails with CONFLICT. */
  async update(obj: KubeObject): Promise<KubeObject> {
    if (!obj.metadata.resourceVersion) {
      throw new PortolanError('INTERNAL', `update of ${describeRef(obj)} needs metadata.resourceVersion; use replace() for an unconditional write`);
    }
    const { path, namespace } = await this.path(obj, true);
    const res = await this.request('PUT', path, { body: this.withNamespace(obj, namespace) });
    return res.body as KubeObject;
  }

  /** PUT without a resourceVersion guard (last writer wins). */
  async replace(obj: KubeObject): Promise<KubeObject> {
    const { path, namespace } = await this.path(obj, true);
    const body = this.withNamespace(obj, namespace);
    const meta = { ...body.metadata };
    delete meta.resourceVersion;
    const res = await this.request('PUT', path, { body: { ...body, metadata: meta } });
    return res.body as KubeObject;
  }

  /** JSON merge patch (or JSON patch with `type: 'json'`) of an existing object. */
  async patch(ref: ObjectRef, patch: unknown, type: 'merge' | 'json' | 'strategic' = 'merge'): Promise<KubeObject> {
    const { path } = await this.path(ref, true);
    const contentType = type === 'json' ? 'application/json-patch+json' : type === 'strategic' ? 'application/strategic-merge-patch+json' : 'application/merge-patch+json';
    const res = await this.request('PATCH', path, { body: patch, contentType });
    return res.body as KubeObject;
  }

  /** Deletes an object; false when it was already gone (unless `mustExist`). */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const { path } = await this.path(ref, true);
    const res = await this.request('DELETE', path, {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: options.propagation ?? 'Background', ...(options.preconditions ? { preconditions: options.preconditions } : {}) },
      allow: options.mustExist ? [] : [404],
    });
    return res.status !== 404;
  }

  /**
   * Deletes what was in `previous` and is not in `desired` (by group, kind, namespace and name), skipping objects
   * annotated `helm.sh/resource-policy: keep` or `portolan.dev/resource-policy: keep`. Returns the deleted refs.
   */
  async prune(previous: ObjectRef[], desired: ObjectRef[], options: DeleteOptions & { concurrency?: number } = {}): Promise<ObjectRef[]> {
    const keepKeys = new Set(desired.map((d) => refKey(this.defaultNs(d))));
    const stale = previous.map((p) => this.defaultNs(p)).filter((p) => !keepKeys.has(refKey(p)));
    const deleted = await mapLimit(stale, options.concurrency ?? 8, async (ref) => {
      const live = await this.get(ref.apiVersion, ref.kind, ref.metadata.name, ref.metadata.namespace);
      if (!live) return undefined;
      const policy = live.metadata.annotations?.['helm.sh/resource-policy'] ?? live.metadata.annotations?.['portolan.dev/resource-policy'];
      if (policy === 'keep') return undefined;
      return (await this.delete(ref, options)) ? ref : undefined;
    });
    return deleted.filter((r): r is ObjectRef => r !== undefined);
  }

  private defaultNs(ref: ObjectRef): ObjectRef {
    return ref.metadata.namespace ? ref : { ...ref, metadata: { ...ref.metadata, namespace: this.namespace } };
  }

  /** Applies objects with at most `concurrency` requests in flight; results in input order. */
  async applyAll(objects: KubeObject[], options: ApplyOptions & { concurrency?: number } = {}): Promise<KubeObject[]> {
    return mapLimit(objects, options.concurrency ?? 8, (o) => this.apply(o, options));
  }

  /**
   * Polls until every object is ready (per kind, see readiness()), one fails (WAIT_FAILED) or the time is up
   * (TIMEOUT, naming what was still pending and why).
   */
  async waitForReady(objects: ObjectRef[], options: WaitOptions): Promise<WaitResult> {
    const start = Date.now();
    const deadline = start + options.timeoutMs;
    const pending = new Map<string, { ref: ObjectRef; reason: string }>();
    for (const o of objects) {
      const ref = this.defaultNs(o);
      pending.set(refKey(ref), { ref, reason: 'not checked yet' });
    }
    const ready: Array<{ ref: string; reason: string }> = [];
    let interval = options.intervalMs ?? 200;
    for (;;) {
      const entries = [...pending.entries()];
      const states = await mapLimit(entries, 8, async ([, { ref }]): Promise<Readiness> => {
        const live = await this.get(ref.apiVersion, ref.kind, ref.metadata.name, ref.metadata.namespace);
        if (!live) return { ready: false, reason: 'not found' };
        return readiness(live, options);
      });
      for (let i = 0; i < entries.length; i++) {
        const [key, entry] = entries[i]!;
        const state = states[i]!;
        if (state.failed) {
          throw new PortolanError('WAIT_FAILED', `${describeRef(entry.ref)} failed: ${state.reason}`, {
            hint: 'Inspect it with kubectl describe; a rollback restores the previous revision.',
          });
        }
        if (state.ready) {
          pending.delete(key);
          ready.push({ ref: describeRef(entry.ref), reason: state.reason });
        } else entry.reason = state.reason;
      }
      const elapsedMs = Date.now() - start;
      options.onProgress?.({
        ready: ready.length,
        total: objects.length,
        pending: [...pending.values()].map((p) => ({ ref: describeRef(p.ref), reason: p.reason })),
        elapsedMs,
      });
      if (pending.size === 0) return { ready, elapsedMs };
      if (Date.now() >= deadline || options.signal?.aborted) {
        const problems = [...pending.values()].map((p) => `${describeRef(p.ref)}: ${p.reason}`);
        throw new PortolanError('TIMEOUT', `timed out after ${Math.round(options.timeoutMs / 100) / 10}s waiting for ${pending.size} of ${objects.length} objects to be ready: ${problems.join('; ')}`, {
          problems,
          hint: 'Raise --timeout, or inspect the pending objects with kubectl describe.',
        });
      }
      await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), options.signal);
      interval = Math.min(interval * 1.5, 2_000);
    }
  }

  /** Polls until every object is gone (TIMEOUT otherwise). */
  async waitForDeletion(objects: ObjectRef[], options: { timeoutMs: number; intervalMs?: number }): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    let left = objects.map((o) => this.defaultNs(o));
    let interval = options.intervalMs ?? 200;
    for (;;) {
      const alive = await mapLimit(left, 8, async (r) => (await this.get(r.apiVersion, r.kind, r.metadata.name, r.metadata.namespace)) !== undefined);
      left = left.filter((_, i) => alive[i]);
      if (left.length === 0) return;
      if (Date.now() >= deadline) {
        throw new PortolanError('TIMEOUT', `timed out waiting for deletion of ${left.map(describeRef).join(', ')}`, { problems: left.map(describeRef) });
      }
      await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
      interval = Math.min(interval * 1.5, 2_000);
    }
  }
}

/** Loads kubeconfig and returns a ClusterClient (see ConnectOptions). */
export function connect(options: ConnectOptions = {}): Promise<ClusterClient> {
  return ClusterClient.connect(options);
}
