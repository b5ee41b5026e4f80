// The one place portolan talks to a Kubernetes API. `ClusterClient` is what the release code needs (a memory fake,
// fake.ts, implements it too); `HttpClusterClient` sends requests through node:https with the TLS and credentials
// @kubernetes/client-node's KubeConfig resolves (CA, client certs, tokens, exec/auth plugins, proxies). Each request
// has a timeout; only what is safe to repeat is retried (see request()), and writes whose answer was lost are read
// back before anything is decided (writes.ts). Discovery can be cached on disk between processes (discoveryCacheDir).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { dirname, join } from 'node:path';
import * as tls from 'node:tls';
import { PortolanError, messageOf } from '../errors.js';
import { NEVER_SENT, apiError, connectionError, type ClusterApiError } from './errors.js';
import { loadKubeconfig, type KubeconfigOptions, type LoadedKubeconfig } from './kubeconfig.js';
import { mapLimit, pollUntilGone, pollUntilReady, sleep, type WaitOptions, type WaitResult } from './readiness.js';
import {
  describeRef,
  refKey,
  type KubeObject,
  type ObjectRef,
  type Propagation,
  type ResourceMapping,
} from './types.js';
import { judgeCreate, judgeDelete, judgeReplace, judgeUpdate, settleWrite } from './writes.js';

export { ClusterApiError, ClusterConnectionError, isAmbiguous, isConflict, isNotFound } from './errors.js';
export type { WaitOptions, WaitProgress, WaitResult } from './readiness.js';

export interface ConnectOptions extends KubeconfigOptions {
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /**
   * Retries after the first attempt (default 4): reads and apply patches on 429, 5xx, resets and timeouts; any request
   * on 429, on 503 with Retry-After, and on errors that prove it never reached the server (refused, DNS).
   */
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

interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | undefined>;
  /** Statuses answered as a value instead of an error. */
  allow?: number[];
  /** Safe to send twice (default: GET and HEAD); server-side apply patches are. */
  idempotent?: boolean;
}

interface RawResponse {
  status: number;
  body: unknown;
  /** Seconds from a Retry-After header. */
  retryAfter?: number;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NET = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'TIMEOUT',
]);

/** Retry-After in seconds: a number of seconds or an HTTP date. */
function retryAfterSeconds(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, (at - now) / 1000) : undefined;
}

function groupVersion(apiVersion: string): { group: string; version: string } {
  const parts = apiVersion.split('/');
  return parts.length === 2 ? { group: parts[0]!, version: parts[1]! } : { group: '', version: parts[0]! };
}

/**
 * One TLS context for every connection of the agent: without it, Node builds one per socket from the PEM texts (up to
 * 16 at a time), about 1 ms each. A CA, certificate or key that OpenSSL refuses is named here, before any request.
 */
function secureContext(
  options: Pick<tls.SecureContextOptions, 'ca' | 'cert' | 'key'>,
  context: string,
): tls.SecureContext {
  try {
    return tls.createSecureContext({ ca: options.ca, cert: options.cert, key: options.key });
  } catch (err) {
    throw new PortolanError('KUBECONFIG', `cannot use the TLS credentials of context "${context}": ${messageOf(err)}`, {
      cause: err,
    });
  }
}

/**
 * What the release code asks of a cluster (Helm's kube.Interface): discovery, reads, writes, waits. HttpClusterClient
 * talks to a real API server; FakeCluster (fake.ts) keeps objects in memory and fails on demand, for tests.
 */
export interface ClusterClient {
  /** The namespace of the kubeconfig context (or -n): where namespaced objects without one go. */
  readonly namespace: string;
  serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }>;
  /** Every group/version and group/version/Kind the server serves (for Capabilities.APIVersions). */
  apiVersions(): Promise<string[]>;
  /** REST mapping of (apiVersion, kind); CLUSTER error for a kind the server does not serve. */
  resourceFor(apiVersion: string, kind: string): Promise<ResourceMapping>;
  /** The live object, or undefined when it does not exist. */
  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, options?: ListOptions): Promise<KubeObject[]>;
  /** Fails with CONFLICT when the object exists (and is not the one this call wrote). */
  create(obj: KubeObject): Promise<KubeObject>;
  /** Guarded by metadata.resourceVersion: CONFLICT when stale. */
  update(obj: KubeObject): Promise<KubeObject>;
  /** Unguarded PUT (last writer wins). */
  replace(obj: KubeObject): Promise<KubeObject>;
  /** Server-side apply; returns the live object. */
  apply(obj: KubeObject, options?: ApplyOptions): Promise<KubeObject>;
  /** False when it was already gone (unless mustExist). */
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<boolean>;
  waitForReady(objects: ObjectRef[], options: WaitOptions): Promise<WaitResult>;
  waitForDeletion(objects: ObjectRef[], options: { timeoutMs: number; intervalMs?: number }): Promise<void>;
  /** Frees connections; the client is not used afterwards. */
  close(): void;
}

export class HttpClusterClient implements ClusterClient {
  readonly namespace: string;
  readonly context: string;
  readonly server: string;
  private readonly base: URL;
  private readonly basePath: string;
  private readonly agent: http.Agent;
  private headers: Record<string, string> = {};
  private headerList: string[] = [];
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
    this.basePath = this.base.pathname.replace(/\/$/, '');
    this.agent = agent;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 4;
    this.backoffMs = options.backoffMs ?? 200;
    this.fieldManager = options.fieldManager ?? 'portolan';
    this.userAgent = options.userAgent ?? 'portolan';
    this.cacheFile = options.discoveryCacheDir
      ? join(options.discoveryCacheDir, `${createHash('sha256').update(this.server).digest('hex').slice(0, 24)}.json`)
      : undefined;
    this.cacheTtlMs = options.discoveryCacheTtlMs ?? 5 * 60_000;
  }

  /** Loads kubeconfig and prepares a client; no request is made until the first call. */
  static async connect(options: ConnectOptions = {}): Promise<HttpClusterClient> {
    const loaded = loadKubeconfig(options);
    const opts: https.RequestOptions = {};
    try {
      await loaded.applyToHTTPSOptions(opts);
    } catch (err) {
      throw new PortolanError(
        'KUBECONFIG',
        `cannot prepare credentials of context "${loaded.context}": ${messageOf(err)}`,
        { cause: err },
      );
    }
    const isHttp = loaded.cluster.server.startsWith('http:');
    const tls = {
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      rejectUnauthorized: !loaded.cluster.skipTLSVerify,
      servername: loaded.cluster.tlsServerName,
    };
    const maxSockets = options.maxSockets ?? 16;
    const agent =
      loaded.cluster.proxyUrl && opts.agent instanceof http.Agent
        ? opts.agent
        : isHttp
          ? new http.Agent({ keepAlive: true, maxSockets })
          : new https.Agent({ keepAlive: true, maxSockets, ...tls, secureContext: secureContext(tls, loaded.context) });
    const client = new HttpClusterClient(loaded, options, agent);
    client.setHeaders(opts);
    return client;
  }

  private setHeaders(opts: https.RequestOptions): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {}))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    this.headers = headers;
    // Every request's headers as a flat [name, value, …] list, Host included (URL's host: the port only when not the
    // scheme's default, an IPv6 address in brackets, as Node writes it). Given an object, http.request sets each
    // header through its own map first, with a Host lookup: about 5 µs a request.
    const own = Object.entries(headers).filter(([k]) => !/^(accept|user-agent|host)$/i.test(k));
    this.headerList = [
      ...own.flat(),
      'Accept',
      'application/json',
      'User-Agent',
      this.userAgent,
      'Host',
      this.base.host,
    ];
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  // ---- transport ----
  /** One request. `sent.reached` turns true once a connection carrying it is up (from then on a write may happen). */
  private once(
    method: string,
    path: string,
    options: RequestOptions,
    sent: { reached: boolean },
  ): Promise<RawResponse> {
    const target = this.requestTarget(path, options.query);
    const payload =
      options.body === undefined
        ? undefined
        : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    const headers = payload
      ? [
          ...this.headerList,
          'Content-Type',
          options.contentType ?? 'application/json',
          'Content-Length',
          String(payload.length),
        ]
      : this.headerList;
    const mod = this.base.protocol === 'http:' ? http : https;
    this.requestCount++;
    return new Promise((resolve, reject) => {
      const req = mod.request({ ...target, method, headers, agent: this.agent }, (res) => {
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
          resolve({ status: res.statusCode ?? 0, body, retryAfter: retryAfterSeconds(res.headers['retry-after']) });
        });
      });
      req.on('socket', (socket) => {
        if (!socket.connecting)
          sent.reached = true; // a kept-alive connection: the request goes out at once
        else socket.once(socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect', () => (sent.reached = true));
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

  /**
   * Where a request goes, as http.request's options: the server's host and port, and the server's path prefix (a
   * proxy's `/k8s/clusters/…`) joined to `path`, with the query. Built from strings: a URL object per request, and
   * http.request turning it back into options, cost more than the rest of sending a small request.
   */
  private requestTarget(
    path: string,
    query: Record<string, string | undefined> | undefined,
  ): { hostname: string; port: string; path: string } {
    let full = this.basePath + path;
    // Paths are built from validated names; anything else is normalized and escaped as a URL would be.
    if (!/^[\w\-.~!$&'()*+,;=:@/%]*$/.test(full) || full.includes('/.')) full = new URL(full, this.base).pathname;
    const params = query ? Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined) : [];
    return {
      hostname: this.base.hostname.replace(/^\[(.*)\]$/, '$1'), // an IPv6 address without its brackets
      port: this.base.port,
      path: params.length > 0 ? `${full}?${new URLSearchParams(params).toString()}` : full,
    };
  }

  /**
   * One API call; returns the answer. Retried (with backoff, or after Retry-After when the server gives one):
   * - anything the server refused to take: 429, 503 with Retry-After, and connections that never carried the request
   *   (refused, DNS, no route);
   * - requests safe to send twice (GET, server-side apply): also other 5xx, resets and timeouts.
   * A write that may have reached the server is not repeated here: the verbs read back first (writes.ts).
   * Throws ClusterApiError / ClusterConnectionError.
   */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<RawResponse> {
    const idempotent = options.idempotent ?? (method === 'GET' || method === 'HEAD');
    let attempt = 0;
    let reauthed = false;
    for (;;) {
      let res: RawResponse;
      const sent = { reached: false };
      try {
        res = await this.once(method, path, options, sent);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        const reached = sent.reached && !NEVER_SENT.has(code);
        const transient = RETRYABLE_NET.has(code) || /socket hang up/.test(messageOf(err));
        if (transient && (idempotent || !reached) && attempt < this.retries) {
          await sleep(this.delay(attempt++));
          this.retryCount++;
          continue;
        }
        throw connectionError(err, {
          method,
          url: `${this.server}${path}`,
          server: this.server,
          context: this.context,
          attempts: attempt + 1,
          reachedServer: reached,
        });
      }
      const refused = res.status === 429 || (res.status === 503 && res.retryAfter !== undefined);
      if (RETRYABLE_STATUS.has(res.status) && (idempotent || refused) && attempt < this.retries) {
        const wait = res.retryAfter !== undefined ? res.retryAfter * 1000 : this.delay(attempt);
        // A server asking for more patience than one request's timeout gets the error instead of a silent wait.
        if (wait <= this.timeoutMs) {
          await sleep(wait);
          attempt++;
          this.retryCount++;
          continue;
        }
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

  private apiError(res: RawResponse, method: string, path: string): ClusterApiError {
    return apiError(res, { method, url: `${this.server}${path}`, server: this.server, context: this.context });
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
    for (const v of (core.body as { versions?: string[] }).versions ?? []) gvs.push(v);
    const groups = await this.request('GET', '/apis');
    for (const g of (groups.body as { groups?: Array<{ versions?: Array<{ groupVersion: string }> }> }).groups ?? []) {
      for (const v of g.versions ?? []) gvs.push(v.groupVersion);
    }
    await mapLimit(gvs, 8, async (gv) => {
      const path = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
      const res = await this.request('GET', path, { allow: [404, 503] });
      if (res.status !== 200) return;
      const { group, version } = groupVersion(gv);
      for (const r of (res.body as { resources?: Array<{ name: string; kind: string; namespaced: boolean }> })
        .resources ?? []) {
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
        if (
          typeof key !== 'string' ||
          !m ||
          typeof m.resource !== 'string' ||
          typeof m.kind !== 'string' ||
          typeof m.version !== 'string' ||
          typeof m.group !== 'string' ||
          typeof m.namespaced !== 'boolean'
        )
          return false;
        mappings.set(key, {
          group: m.group,
          version: m.version,
          resource: m.resource,
          kind: m.kind,
          namespaced: m.namespaced,
        });
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
    throw new PortolanError(
      'CLUSTER',
      `the cluster at ${this.server} has no resource for kind "${kind}" in apiVersion "${apiVersion}"`,
      {
        hint: 'Check the apiVersion, or install the CustomResourceDefinition that defines this kind first.',
      },
    );
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

  private async path(
    ref: { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string } },
    withName: boolean,
    namespace?: string,
  ): Promise<{ path: string; mapping: ResourceMapping; namespace?: string }> {
    const mapping = await this.resourceFor(ref.apiVersion, ref.kind);
    const prefix = mapping.group ? `/apis/${mapping.group}/${mapping.version}` : `/api/${mapping.version}`;
    const ns = mapping.namespaced ? (namespace ?? ref.metadata?.namespace ?? this.namespace) : undefined;
    let path =
      ns !== undefined
        ? `${prefix}/namespaces/${encodeURIComponent(ns)}/${mapping.resource}`
        : `${prefix}/${mapping.resource}`;
    if (withName) {
      const name = ref.metadata?.name;
      if (!name)
        throw new PortolanError('MANIFEST_INVALID', `${ref.kind} has no metadata.name`, { path: 'metadata.name' });
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
      idempotent: true,
      query: {
        fieldManager: options.fieldManager ?? this.fieldManager,
        force: options.force ? 'true' : 'false',
        dryRun: options.dryRun ? 'All' : undefined,
      },
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
    const { path } =
      options.allNamespaces && mapping.namespaced
        ? {
            path: `${mapping.group ? `/apis/${mapping.group}/${mapping.version}` : `/api/${mapping.version}`}/${mapping.resource}`,
          }
        : await this.path({ apiVersion, kind }, false, options.namespace);
    const items: KubeObject[] = [];
    let cont: string | undefined;
    do {
      const res = await this.request('GET', path, {
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: '500',
          continue: cont,
        },
      });
      const body = res.body as { items?: KubeObject[]; metadata?: { continue?: string } };
      for (const item of body.items ?? [])
        items.push({ ...item, apiVersion: item.apiVersion ?? apiVersion, kind: item.kind ?? kind });
      cont = body.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  /** POST: fails with CONFLICT (AlreadyExists) when the object exists and is not the one this call wrote. */
  async create(obj: KubeObject): Promise<KubeObject> {
    const { path, namespace } = await this.path(obj, false);
    const body = this.withNamespace(obj, namespace);
    return settleWrite({
      send: async () => (await this.request('POST', path, { body })).body as KubeObject,
      readBack: () => this.get(body.apiVersion, body.kind, body.metadata.name, namespace),
      judge: judgeCreate(body, { url: `${this.server}${path}` }),
      attempts: this.retries + 1,
    });
  }

  /** PUT guarded by `metadata.resourceVersion`: a stale version fails with CONFLICT. */
  async update(obj: KubeObject): Promise<KubeObject> {
    if (!obj.metadata.resourceVersion) {
      throw new PortolanError(
        'INTERNAL',
        `update of ${describeRef(obj)} needs metadata.resourceVersion; use replace() for an unconditional write`,
      );
    }
    const { path, namespace } = await this.path(obj, true);
    const body = this.withNamespace(obj, namespace);
    return settleWrite({
      send: async () => (await this.request('PUT', path, { body })).body as KubeObject,
      readBack: () => this.get(body.apiVersion, body.kind, body.metadata.name, namespace),
      judge: judgeUpdate(body, { url: `${this.server}${path}` }),
      attempts: this.retries + 1,
    });
  }

  /** PUT without a resourceVersion guard (last writer wins). */
  async replace(obj: KubeObject): Promise<KubeObject> {
    const { path, namespace } = await this.path(obj, true);
    const body = this.withNamespace(obj, namespace);
    const meta = { ...body.metadata };
    delete meta.resourceVersion;
    const unguarded = { ...body, metadata: meta };
    return settleWrite({
      send: async () => (await this.request('PUT', path, { body: unguarded })).body as KubeObject,
      readBack: () => this.get(body.apiVersion, body.kind, body.metadata.name, namespace),
      judge: judgeReplace(unguarded),
      attempts: this.retries + 1,
    });
  }

  /** JSON merge patch (or JSON patch with `type: 'json'`) of an existing object. */
  async patch(ref: ObjectRef, patch: unknown, type: 'merge' | 'json' | 'strategic' = 'merge'): Promise<KubeObject> {
    const { path } = await this.path(ref, true);
    const contentType =
      type === 'json'
        ? 'application/json-patch+json'
        : type === 'strategic'
          ? 'application/strategic-merge-patch+json'
          : 'application/merge-patch+json';
    const res = await this.request('PATCH', path, { body: patch, contentType });
    return res.body as KubeObject;
  }

  /** Deletes an object; false when it was already gone (unless `mustExist`). */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const { path, namespace } = await this.path(ref, true);
    return settleWrite({
      send: async () => {
        const res = await this.request('DELETE', path, {
          body: {
            kind: 'DeleteOptions',
            apiVersion: 'v1',
            propagationPolicy: options.propagation ?? 'Background',
            ...(options.preconditions ? { preconditions: options.preconditions } : {}),
          },
          allow: options.mustExist ? [] : [404],
        });
        return res.status !== 404;
      },
      readBack: () => this.get(ref.apiVersion, ref.kind, ref.metadata.name, namespace),
      judge: judgeDelete(ref, options.preconditions?.resourceVersion, { url: `${this.server}${path}` }),
      attempts: this.retries + 1,
    });
  }

  /**
   * Deletes what was in `previous` and is not in `desired` (by group, kind, namespace and name), skipping objects
   * annotated `helm.sh/resource-policy: keep` or `portolan.dev/resource-policy: keep`. Returns the deleted refs.
   */
  async prune(
    previous: ObjectRef[],
    desired: ObjectRef[],
    options: DeleteOptions & { concurrency?: number } = {},
  ): Promise<ObjectRef[]> {
    const keepKeys = new Set(desired.map((d) => refKey(this.defaultNs(d))));
    const stale = previous.map((p) => this.defaultNs(p)).filter((p) => !keepKeys.has(refKey(p)));
    const deleted = await mapLimit(stale, options.concurrency ?? 8, async (ref) => {
      const live = await this.get(ref.apiVersion, ref.kind, ref.metadata.name, ref.metadata.namespace);
      if (!live) return undefined;
      const policy =
        live.metadata.annotations?.['helm.sh/resource-policy'] ??
        live.metadata.annotations?.['portolan.dev/resource-policy'];
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
  waitForReady(objects: ObjectRef[], options: WaitOptions): Promise<WaitResult> {
    return pollUntilReady(
      (r) => this.get(r.apiVersion, r.kind, r.metadata.name, r.metadata.namespace),
      objects.map((o) => this.defaultNs(o)),
      options,
    );
  }

  /** Polls until every object is gone (TIMEOUT otherwise). */
  waitForDeletion(objects: ObjectRef[], options: { timeoutMs: number; intervalMs?: number }): Promise<void> {
    return pollUntilGone(
      (r) => this.get(r.apiVersion, r.kind, r.metadata.name, r.metadata.namespace),
      objects.map((o) => this.defaultNs(o)),
      options,
    );
  }
}

/** Loads kubeconfig and returns a client of its cluster (see ConnectOptions). */
export function connect(options: ConnectOptions = {}): Promise<HttpClusterClient> {
  return HttpClusterClient.connect(options);
}
