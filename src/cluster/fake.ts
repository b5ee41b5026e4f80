// A cluster in memory for tests, as Helm's pkg/kube/fake (FailingKubeClient): objects in a map, discovery from the
// sandbox's table of built-in kinds (plus the kinds of CRDs created in it), every object ready unless told otherwise,
// and failures injected per verb — a fixed error, the API server going away, or `store-then-reset`: the write is
// stored and then the connection drops before the answer, the case writes.ts exists for. Writes follow the same
// read-back rule as the HTTP client, so an action tested against the fake sees what it would see against a cluster.
import { PortolanError } from '../errors.js';
import { BUILTIN_RESOURCES, resourceFromCrd, type ResourceInfo } from '../sandbox/resources.js';
import type { ApplyOptions, ClusterClient, DeleteOptions, ListOptions } from './client.js';
import { ClusterApiError, ClusterConnectionError } from './errors.js';
import {
  pollUntilGone,
  pollUntilReady,
  type Readiness,
  type ReadinessOptions,
  type WaitOptions,
  type WaitResult,
} from './readiness.js';
import { describeRef, type KubeObject, type ObjectRef, type ResourceMapping } from './types.js';
import { judgeCreate, judgeDelete, judgeReplace, judgeUpdate, settleWrite } from './writes.js';

export type FakeVerb = 'discovery' | 'get' | 'list' | 'create' | 'update' | 'replace' | 'apply' | 'delete' | 'wait';

export interface FakeFailure {
  /**
   * What happens: an error to throw (a function makes it, and may change the fake, e.g. take it down);
   * `store-then-reset`: the write is stored, then the connection resets before the answer;
   * `reset`: the connection resets and nothing is stored (the caller cannot tell the two apart).
   */
  error: 'store-then-reset' | 'reset' | Error | ((target: ObjectRef | undefined) => Error);
  /** Only for objects of this kind / name (default: any). */
  kind?: string;
  name?: string;
  /** How many calls fail (default: every one). */
  times?: number;
}

interface Armed extends FakeFailure {
  verb: FakeVerb;
  left: number;
}

export interface FakeClusterOptions {
  namespace?: string;
  gitVersion?: string;
  /** Attempts of a write whose answer was lost (default 5, as the HTTP client's 4 retries). */
  attempts?: number;
}

const URL_BASE = 'fake://cluster';

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

export class FakeCluster implements ClusterClient {
  readonly namespace: string;
  /** Every call that reached the fake, in order: `create Secret ns/name`, `wait 2 objects`. */
  readonly calls: string[] = [];
  /** When true, every call fails as if the API server were gone (connection refused). */
  unreachable = false;
  /** Decides readiness in waits; by default everything that exists is ready (readiness() applies the real rules). */
  readiness: (live: KubeObject, options: ReadinessOptions) => Readiness = () => ({
    ready: true,
    reason: 'ready (fake)',
  });
  private readonly objects = new Map<string, KubeObject>();
  private readonly kinds = new Map<string, ResourceMapping>();
  private failures: Armed[] = [];
  private version = 0;
  private readonly gitVersion: string;
  private readonly attempts: number;

  constructor(options: FakeClusterOptions = {}) {
    this.namespace = options.namespace ?? 'default';
    this.gitVersion = options.gitVersion ?? 'v1.34.0';
    this.attempts = options.attempts ?? 5;
    for (const info of BUILTIN_RESOURCES) this.addResource(info);
  }

  /** Every version of a resource (built-in or from a CRD) as a kind this cluster serves. */
  private addResource(info: ResourceInfo): void {
    const { group, resource, kind, namespaced } = info;
    for (const version of info.versions) this.addKind({ group, version, resource, kind, namespaced });
  }

  /** Serves one more kind (as discovery would after its CRD is created). */
  addKind(mapping: ResourceMapping): this {
    this.kinds.set(`${mapping.group ? `${mapping.group}/` : ''}${mapping.version}/${mapping.kind}`, mapping);
    return this;
  }

  /** Arms a failure of one verb; failures of a verb are used in the order armed. */
  fail(verb: FakeVerb, failure: FakeFailure['error'] | FakeFailure): this {
    const f: FakeFailure =
      typeof failure === 'object' && failure !== null && !(failure instanceof Error) ? failure : { error: failure };
    this.failures.push({ ...f, verb, left: f.times ?? Number.POSITIVE_INFINITY });
    return this;
  }

  /** Disarms every failure (and brings the fake back up). */
  heal(): this {
    this.failures = [];
    this.unreachable = false;
    return this;
  }

  /** The stored object, for assertions (no failure injection, not logged). */
  object(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined {
    const stored = this.objects.get(this.key({ apiVersion, kind, metadata: { name, namespace } }));
    return stored ? structuredClone(stored) : undefined;
  }

  /** Every stored object of a kind, for assertions. */
  stored(kind: string): KubeObject[] {
    return [...this.objects.values()].filter((o) => o.kind === kind).map((o) => structuredClone(o));
  }

  close(): void {}

  // ---- failures ----
  private scoped(ref: {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; namespace?: string };
  }): ObjectRef {
    const mapping = this.kinds.get(`${ref.apiVersion}/${ref.kind}`);
    const namespace = mapping?.namespaced === false ? undefined : (ref.metadata.namespace ?? this.namespace);
    return {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.metadata.name ?? '', ...(namespace ? { namespace } : {}) },
    };
  }

  private key(ref: { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string } }): string {
    const r = this.scoped(ref);
    return `${groupOf(r.apiVersion)}/${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;
  }

  private url(ref: ObjectRef | undefined): string {
    return ref ? `${URL_BASE}/${ref.kind}/${ref.metadata.namespace ?? ''}/${ref.metadata.name}` : URL_BASE;
  }

  /** Logs the call and throws what is armed for it; 'store-then-reset' is returned for the caller to act on. */
  private enter(
    verb: FakeVerb,
    target: ObjectRef | undefined,
    label = target ? describeRef(target) : '',
  ): 'store-then-reset' | undefined {
    this.calls.push(`${verb}${label ? ` ${label}` : ''}`);
    if (this.unreachable) {
      throw new ClusterConnectionError(
        'CLUSTER',
        `cannot reach the Kubernetes API at ${URL_BASE}: connect ECONNREFUSED`,
        false,
        { hint: 'Is the cluster running and the server address in your kubeconfig right?' },
      );
    }
    const armed = this.failures.find(
      (f) =>
        f.verb === verb &&
        f.left > 0 &&
        (f.kind === undefined || f.kind === target?.kind) &&
        (f.name === undefined || f.name === target?.metadata.name),
    );
    if (!armed) return undefined;
    armed.left--;
    if (armed.error === 'store-then-reset') return 'store-then-reset';
    if (armed.error === 'reset') throw this.reset(verb);
    throw typeof armed.error === 'function' ? armed.error(target) : armed.error;
  }

  private reset(verb: FakeVerb): ClusterConnectionError {
    return new ClusterConnectionError(
      'CLUSTER',
      `cannot reach the Kubernetes API at ${URL_BASE}: socket hang up (during ${verb}); it may or may not have been carried out`,
      true,
    );
  }

  private apiError(status: number, reason: string, method: string, ref: ObjectRef, message: string): ClusterApiError {
    return new ClusterApiError(
      status === 404 ? 'NOT_FOUND' : status === 409 ? 'CONFLICT' : 'CLUSTER',
      message,
      status,
      reason,
      method,
      this.url(ref),
    );
  }

  private stamp(obj: KubeObject, previous: KubeObject | undefined): KubeObject {
    const copy = structuredClone(obj);
    copy.metadata.resourceVersion = String(++this.version);
    copy.metadata.uid = previous?.metadata.uid ?? `fake-uid-${this.version}`;
    copy.metadata.creationTimestamp = previous?.metadata.creationTimestamp ?? new Date().toISOString();
    if (copy.kind === 'CustomResourceDefinition') {
      const info = resourceFromCrd(copy);
      if (info) this.addResource(info);
    }
    return copy;
  }

  private placed(obj: KubeObject): KubeObject {
    const ref = this.scoped(obj);
    const meta = { ...obj.metadata };
    if (ref.metadata.namespace) meta.namespace = ref.metadata.namespace;
    else delete meta.namespace;
    return { ...obj, metadata: meta };
  }

  // ---- ClusterClient ----
  async serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }> {
    this.enter('discovery', undefined, 'version');
    const [major, minor] = this.gitVersion.replace(/^v/, '').split('.');
    return { major: major ?? '1', minor: minor ?? '34', gitVersion: this.gitVersion };
  }

  async apiVersions(): Promise<string[]> {
    this.enter('discovery', undefined, 'api versions');
    const out = new Set<string>();
    for (const [key, m] of this.kinds) {
      out.add(m.group ? `${m.group}/${m.version}` : m.version);
      out.add(key);
    }
    return [...out].sort();
  }

  async resourceFor(apiVersion: string, kind: string): Promise<ResourceMapping> {
    const mapping = this.kinds.get(`${apiVersion}/${kind}`);
    if (mapping) return mapping;
    this.enter('discovery', undefined, `${apiVersion}/${kind}`);
    throw new PortolanError(
      'CLUSTER',
      `the cluster at ${URL_BASE} has no resource for kind "${kind}" in apiVersion "${apiVersion}"`,
      {
        hint: 'Check the apiVersion, or install the CustomResourceDefinition that defines this kind first.',
      },
    );
  }

  private async read(ref: ObjectRef): Promise<KubeObject | undefined> {
    await this.resourceFor(ref.apiVersion, ref.kind);
    const target = this.scoped(ref);
    this.enter('get', target);
    const live = this.objects.get(this.key(target));
    return live ? structuredClone(live) : undefined;
  }

  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined> {
    return this.read({ apiVersion, kind, metadata: { name, namespace } });
  }

  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const mapping = await this.resourceFor(apiVersion, kind);
    const namespace = mapping.namespaced && !options.allNamespaces ? (options.namespace ?? this.namespace) : undefined;
    this.enter('list', undefined, `${kind}${namespace ? ` in ${namespace}` : ''}`);
    const wanted = (options.labelSelector ?? '')
      .split(',')
      .filter((p) => p !== '')
      .map((p) => p.split('=') as [string, string]);
    return [...this.objects.values()]
      .filter(
        (o) =>
          o.kind === kind &&
          groupOf(o.apiVersion) === mapping.group &&
          (namespace === undefined || o.metadata.namespace === namespace),
      )
      .filter((o) => wanted.every(([k, v]) => o.metadata.labels?.[k] === v))
      .map((o) => structuredClone(o));
  }

  /** Runs one raw write: failures first, then `store`; 'store-then-reset' stores and then throws a reset. */
  private async write<T>(verb: FakeVerb, target: ObjectRef, store: () => T): Promise<T> {
    await this.resourceFor(target.apiVersion, target.kind);
    const mode = this.enter(verb, target);
    const result = store();
    if (mode === 'store-then-reset') throw this.reset(verb);
    return result;
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    const body = this.placed(obj);
    const target = this.scoped(body);
    return settleWrite({
      send: () =>
        this.write('create', target, () => {
          const key = this.key(target);
          if (this.objects.has(key))
            throw this.apiError(409, 'AlreadyExists', 'POST', target, `${describeRef(target)} already exists`);
          const stored = this.stamp(body, undefined);
          this.objects.set(key, stored);
          return structuredClone(stored);
        }),
      readBack: () => this.read(target),
      judge: judgeCreate(body, { url: this.url(target) }),
      attempts: this.attempts,
    });
  }

  async update(obj: KubeObject): Promise<KubeObject> {
    if (!obj.metadata.resourceVersion)
      throw new PortolanError(
        'INTERNAL',
        `update of ${describeRef(obj)} needs metadata.resourceVersion; use replace() for an unconditional write`,
      );
    const body = this.placed(obj);
    const target = this.scoped(body);
    return settleWrite({
      send: () =>
        this.write('update', target, () => {
          const key = this.key(target);
          const live = this.objects.get(key);
          if (!live) throw this.apiError(404, 'NotFound', 'PUT', target, `${describeRef(target)} not found`);
          if (live.metadata.resourceVersion !== body.metadata.resourceVersion) {
            throw this.apiError(
              409,
              'Conflict',
              'PUT',
              target,
              `Operation cannot be fulfilled on ${describeRef(target)}: the object has been modified; please apply your changes to the latest version and try again`,
            );
          }
          const stored = this.stamp(body, live);
          this.objects.set(key, stored);
          return structuredClone(stored);
        }),
      readBack: () => this.read(target),
      judge: judgeUpdate(body, { url: this.url(target) }),
      attempts: this.attempts,
    });
  }

  async replace(obj: KubeObject): Promise<KubeObject> {
    const placed = this.placed(obj);
    const meta = { ...placed.metadata };
    delete meta.resourceVersion;
    const body = { ...placed, metadata: meta };
    const target = this.scoped(body);
    return settleWrite({
      send: () =>
        this.write('replace', target, () => {
          const key = this.key(target);
          const live = this.objects.get(key);
          if (!live) throw this.apiError(404, 'NotFound', 'PUT', target, `${describeRef(target)} not found`);
          const stored = this.stamp(body, live);
          this.objects.set(key, stored);
          return structuredClone(stored);
        }),
      readBack: () => this.read(target),
      judge: judgeReplace(body),
      attempts: this.attempts,
    });
  }

  /** Server-side apply, simplified: the applied object replaces what we hold (created when absent). Safe to repeat. */
  async apply(obj: KubeObject, options: ApplyOptions = {}): Promise<KubeObject> {
    const body = this.placed(obj);
    const target = this.scoped(body);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.write('apply', target, () => {
          const key = this.key(target);
          const live = this.objects.get(key);
          const merged = {
            ...body,
            metadata: {
              ...body.metadata,
              annotations: { ...(live?.metadata.annotations ?? {}), ...(body.metadata.annotations ?? {}) },
            },
          };
          if (options.dryRun) return structuredClone(merged);
          const stored = this.stamp(merged, live);
          this.objects.set(key, stored);
          return structuredClone(stored);
        });
      } catch (err) {
        // An apply patch is idempotent: the HTTP client sends it again after a reset, and so does the fake.
        if (err instanceof ClusterConnectionError && err.reachedServer && attempt < this.attempts) continue;
        throw err;
      }
    }
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const target = this.scoped(ref);
    return settleWrite({
      send: () =>
        this.write('delete', target, () => {
          const key = this.key(target);
          const live = this.objects.get(key);
          if (!live) {
            if (options.mustExist)
              throw this.apiError(404, 'NotFound', 'DELETE', target, `${describeRef(target)} not found`);
            return false;
          }
          const rv = options.preconditions?.resourceVersion;
          if (rv !== undefined && live.metadata.resourceVersion !== rv) {
            throw this.apiError(
              409,
              'Conflict',
              'DELETE',
              target,
              `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${live.metadata.resourceVersion ?? ''}`,
            );
          }
          this.objects.delete(key);
          return true;
        }),
      readBack: () => this.read(target),
      judge: judgeDelete(target, options.preconditions?.resourceVersion, { url: this.url(target) }),
      attempts: this.attempts,
    });
  }

  async waitForReady(objects: ObjectRef[], options: WaitOptions): Promise<WaitResult> {
    this.enter('wait', undefined, `${objects.length} object${objects.length === 1 ? '' : 's'}`);
    return pollUntilReady(
      (r) => this.read(r),
      objects.map((o) => this.scoped(o)),
      options,
      this.readiness,
    );
  }

  async waitForDeletion(objects: ObjectRef[], options: { timeoutMs: number; intervalMs?: number }): Promise<void> {
    this.enter('wait', undefined, `deletion of ${objects.length} object${objects.length === 1 ? '' : 's'}`);
    return pollUntilGone(
      (r) => this.read(r),
      objects.map((o) => this.scoped(o)),
      options,
    );
  }
}
