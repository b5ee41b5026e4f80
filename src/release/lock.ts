// One operation per release at a time: a coordination.k8s.io Lease named portolan.lock.<release> in the release
// namespace holds the operation, user, host, pid and start time, and is renewed while the operation runs. A lease
// whose last renewal is older than its duration belongs to a dead process and is taken over (the caller then
// recovers the release from pending-*). Unlike Helm's "another operation is in progress", nothing stays stuck.
import { hostname, userInfo } from 'node:os';
import type { ClusterClient, KubeObject } from '../cluster/index.js';
import { PortolanError, isPortolanError, messageOf } from '../errors.js';

export interface Identity {
  user: string;
  host: string;
  pid: number;
}

export function currentIdentity(env: NodeJS.ProcessEnv = process.env): Identity {
  let user = env.USER ?? env.USERNAME ?? 'unknown';
  try {
    user = userInfo().username || user;
  } catch {
    // no passwd entry (containers): keep the environment's name
  }
  return { user, host: hostname(), pid: process.pid };
}

/** Who holds (or held) a lock, as read from the Lease. */
export interface LockHolder {
  holder: string;
  operation: string;
  user: string;
  host: string;
  pid: number;
  startedAt: string;
  renewedAt: string;
  /** When the lock lapses if not renewed. */
  expiresAt: string;
}

export interface HeldLock {
  /** Set when the lease was taken over from a holder whose lock had expired (a crashed operation). */
  readonly expired?: LockHolder;
  /** Throws LOCKED when the lease was lost (renewal failed long enough that another operation took it). */
  check(): void;
  release(): Promise<void>;
}

export interface Locker {
  acquire(release: string, namespace: string, operation: string): Promise<HeldLock>;
}

export const DEFAULT_LOCK_DURATION_MS = 60_000;

export function lockName(release: string): string {
  return `portolan.lock.${release}`;
}

function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function lockedError(release: string, holder: LockHolder): PortolanError {
  return new PortolanError(
    'LOCKED',
    `release "${release}" is locked by ${holder.holder}: ${holder.operation} started ${holder.startedAt}, lock expires ${holder.expiresAt} unless renewed`,
    {
      hint: `Wait for that ${holder.operation} to finish. If its process is gone, the lock expires by itself at ${holder.expiresAt} and the next operation recovers the release.`,
    },
  );
}

export function holderOf(lease: KubeObject): LockHolder | undefined {
  const spec = (lease.spec ?? {}) as {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    renewTime?: string;
    acquireTime?: string;
  };
  if (!spec.holderIdentity) return undefined;
  const a = lease.metadata.annotations ?? {};
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  const duration = (spec.leaseDurationSeconds ?? DEFAULT_LOCK_DURATION_MS / 1000) * 1000;
  const base = Number.isFinite(renewed) ? renewed : 0;
  return {
    holder: spec.holderIdentity,
    operation: a['portolan.dev/operation'] ?? 'an operation',
    user: a['portolan.dev/user'] ?? '',
    host: a['portolan.dev/host'] ?? '',
    pid: Number(a['portolan.dev/pid'] ?? 0),
    startedAt: a['portolan.dev/started'] ?? spec.acquireTime ?? '',
    renewedAt: new Date(base).toISOString(),
    expiresAt: new Date(base + duration).toISOString(),
  };
}

export interface LeaseLockerOptions {
  identity?: Identity;
  /** How long the lock outlives its last renewal (default 60 s); renewed every third of it. */
  durationMs?: number;
  now?: () => Date;
}

export class LeaseLocker implements Locker {
  private readonly identity: Identity;
  private readonly durationMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly client: ClusterClient,
    options: LeaseLockerOptions = {},
  ) {
    this.identity = options.identity ?? currentIdentity();
    this.durationMs = Math.max(1_000, options.durationMs ?? DEFAULT_LOCK_DURATION_MS);
    this.now = options.now ?? (() => new Date());
  }

  private leaseFor(release: string, namespace: string, operation: string, previous?: KubeObject): KubeObject {
    const now = this.now();
    const { user, host, pid } = this.identity;
    const transitions = previous
      ? ((previous.spec as { leaseTransitions?: number } | undefined)?.leaseTransitions ?? 0) + 1
      : 0;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: lockName(release),
        namespace,
        labels: { owner: 'portolan', name: release },
        annotations: {
          'portolan.dev/operation': operation,
          'portolan.dev/user': user,
          'portolan.dev/host': host,
          'portolan.dev/pid': String(pid),
          'portolan.dev/started': now.toISOString(),
        },
        ...(previous?.metadata.resourceVersion ? { resourceVersion: previous.metadata.resourceVersion } : {}),
      },
      spec: {
        holderIdentity: `${user}@${host} (pid ${pid}, ${operation})`,
        leaseDurationSeconds: Math.ceil(this.durationMs / 1000),
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: transitions,
      },
    };
  }

  async acquire(release: string, namespace: string, operation: string): Promise<HeldLock> {
    const name = lockName(release);
    for (let attempt = 0; attempt < 3; attempt++) {
      const live = await this.client.get('coordination.k8s.io/v1', 'Lease', name, namespace);
      let expired: LockHolder | undefined;
      let taken: KubeObject;
      try {
        if (!live) {
          taken = await this.client.create(this.leaseFor(release, namespace, operation));
        } else {
          const holder = holderOf(live);
          if (holder && Date.parse(holder.expiresAt) > this.now().getTime()) throw lockedError(release, holder);
          expired = holder;
          taken = await this.client.update(this.leaseFor(release, namespace, operation, live));
        }
      } catch (err) {
        // Someone else created or took it between our read and write: read again and report them.
        if (isPortolanError(err) && err.code === 'CONFLICT') continue;
        throw err;
      }
      return new Lease(this.client, taken, this.durationMs, this.now, release, expired);
    }
    const live = await this.client.get('coordination.k8s.io/v1', 'Lease', name, namespace);
    const holder = live ? holderOf(live) : undefined;
    if (holder) throw lockedError(release, holder);
    throw new PortolanError(
      'LOCKED',
      `release "${release}" is being locked and unlocked by other operations right now`,
      { hint: 'Try again in a moment.' },
    );
  }
}

class Lease implements HeldLock {
  private timer: NodeJS.Timeout | undefined;
  private lostBecause: string | undefined;
  private renewing: Promise<void> | undefined;

  constructor(
    private readonly client: ClusterClient,
    private lease: KubeObject,
    durationMs: number,
    private readonly now: () => Date,
    private readonly release_: string,
    readonly expired: LockHolder | undefined,
  ) {
    this.timer = setInterval(
      () => {
        this.renewing ??= this.renew().finally(() => {
          this.renewing = undefined;
        });
      },
      Math.max(300, Math.floor(durationMs / 3)),
    );
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    if (this.lostBecause) return;
    const spec = { ...(this.lease.spec as Record<string, unknown>), renewTime: microTime(this.now()) };
    try {
      this.lease = await this.client.update({ ...this.lease, spec });
    } catch (err) {
      if (isPortolanError(err) && (err.code === 'CONFLICT' || err.code === 'NOT_FOUND')) {
        this.lostBecause =
          err.code === 'CONFLICT' ? 'another operation took the lease over after it expired' : 'the lease was deleted';
      }
      // Transient errors: the next tick tries again; the lease only lapses after its whole duration.
    }
  }

  check(): void {
    if (this.lostBecause) {
      throw new PortolanError(
        'LOCKED',
        `lost the lock of release "${this.release_}": ${this.lostBecause}; stopping before changing anything more`,
        {
          hint: 'The cluster was unreachable for longer than the lock duration. Check `portolan history` and run the operation again.',
        },
      );
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.renewing;
    if (this.lostBecause) return;
    try {
      await this.client.delete(
        {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.lease.metadata.name, namespace: this.lease.metadata.namespace },
        },
        { preconditions: { resourceVersion: this.lease.metadata.resourceVersion } },
      );
    } catch (err) {
      // A conflict means the lease is no longer ours; leave it to its holder.
      if (!(isPortolanError(err) && err.code === 'CONFLICT'))
        throw new PortolanError('CLUSTER', `cannot release the lock of release "${this.release_}": ${messageOf(err)}`, {
          cause: err,
          hint: 'It expires by itself after its duration.',
        });
    }
  }
}

/** In-process locks, for the memory driver without a cluster. */
export class MemoryLocker implements Locker {
  private readonly held = new Map<string, LockHolder>();

  constructor(private readonly identity: Identity = currentIdentity()) {}

  async acquire(release: string, namespace: string, operation: string): Promise<HeldLock> {
    const key = `${namespace}/${release}`;
    const holder = this.held.get(key);
    if (holder) throw lockedError(release, holder);
    const now = new Date().toISOString();
    this.held.set(key, {
      holder: `${this.identity.user}@${this.identity.host} (pid ${this.identity.pid}, ${operation})`,
      operation,
      user: this.identity.user,
      host: this.identity.host,
      pid: this.identity.pid,
      startedAt: now,
      renewedAt: now,
      expiresAt: 'never (held in this process)',
    });
    return {
      check: () => undefined,
      release: async () => {
        this.held.delete(key);
      },
    };
  }
}
