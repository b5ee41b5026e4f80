// Who may read and write: bearer tokens (one per line of --auth-token-file) and basic auth against an htpasswd file
// of bcrypt hashes. Comparisons are constant-time: secrets are compared as sha256 digests with timingSafeEqual, and
// an unknown user still costs one bcrypt comparison of the same cost as the file's own hashes. bcrypt runs on worker
// threads, a bounded number at once, and a client that keeps failing must wait longer and longer.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PortolanError } from '../../errors.js';

export interface AuthConfig {
  tokens: string[];
  /** user → bcrypt hash. */
  users: Map<string, string>;
}

export function parseTokenFile(text: string, source: string): string[] {
  const tokens = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (tokens.length === 0)
    throw new PortolanError('USAGE', `${source} holds no token`, { file: source, hint: 'Put one token per line.' });
  return tokens;
}

export function parseHtpasswd(text: string, source: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    if (colon <= 0 || !/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) {
      throw new PortolanError('USAGE', `${source}:${i + 1}: not a "user:bcrypt-hash" line`, {
        file: source,
        line: i + 1,
        hint: 'Only bcrypt hashes are accepted: create entries with `htpasswd -B FILE USER`.',
      });
    }
    users.set(user, hash);
  });
  if (users.size === 0) throw new PortolanError('USAGE', `${source} holds no user`, { file: source });
  return users;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

// bcrypt is deliberately slow: it runs on worker threads, at the lowest CPU priority, so that failed logins cannot
// stall the server's reads.
// The workers are CommonJS evaluated from a string, loading bcryptjs by its resolved path (works from src/ and dist/).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
// On Linux the nice value is per thread: this one yields the CPU to the thread that answers requests.
try { require('node:os').setPriority(19); } catch {}
parentPort.on('message', (job) => {
  let result;
  try {
    result = job.kind === 'hash' ? bcrypt.hashSync(job.password, job.cost) : bcrypt.compareSync(job.password, job.hash);
  } catch (error) {
    result = job.kind === 'hash' ? '' : false;
  }
  parentPort.postMessage({ id: job.id, result });
});
`;

type BcryptJob = { kind: 'compare'; password: string; hash: string } | { kind: 'hash'; password: string; cost: number };

/** How long a bcrypt worker rests after a job, as a multiple of the job's time: 1 gives a 50% duty cycle. */
const REST_FACTOR = 1;

/**
 * A few worker threads running bcrypt, with a bounded queue: past it, verifications are refused as busy. Each
 * worker rests as long as its last job took before taking the next (a 50% duty cycle), so that a flood of
 * logins leaves the CPU to the requests that need no bcrypt (reads, and logins already verified).
 */
class BcryptPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ job: BcryptJob; resolve: (value: unknown) => void }> = [];
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; started: number }>();
  private readonly resting = new Set<NodeJS.Timeout>();
  private nextId = 0;

  constructor(
    private readonly size: number,
    readonly maxQueued: number,
  ) {}

  get busy(): boolean {
    return this.queue.length >= this.maxQueued;
  }

  run<T>(job: BcryptJob): Promise<T> {
    return new Promise((resolve) => {
      this.queue.push({ job, resolve: resolve as (value: unknown) => void });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (!worker && this.workers.length < this.size) worker = this.spawn();
      if (!worker) return;
      const next = this.queue.shift() as { job: BcryptJob; resolve: (value: unknown) => void };
      const id = this.nextId++;
      this.pending.set(id, { resolve: next.resolve, started: performance.now() });
      worker.postMessage({ id, ...next.job });
    }
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bcryptPath: createRequire(import.meta.url).resolve('bcryptjs') },
    });
    worker.unref();
    worker.on('message', (message: { id: number; result: unknown }) => {
      const job = this.pending.get(message.id);
      this.pending.delete(message.id);
      job?.resolve(message.result);
      const rest = setTimeout(
        () => {
          this.resting.delete(rest);
          this.idle.push(worker);
          this.dispatch();
        },
        job ? REST_FACTOR * (performance.now() - job.started) : 0,
      );
      rest.unref();
      this.resting.add(rest);
    });
    this.workers.push(worker);
    return worker;
  }

  async close(): Promise<void> {
    for (const job of this.pending.values()) job.resolve(false);
    for (const rest of this.resting) clearTimeout(rest);
    this.resting.clear();
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
    this.idle.length = 0;
  }
}

/** The cost most of the file's hashes use: unknown users are compared against a hash of that cost. */
export function typicalCost(users: Map<string, string>): number {
  const counts = new Map<number, number>();
  for (const hash of users.values()) {
    const cost = Number(hash.slice(4, 6));
    counts.set(cost, (counts.get(cost) ?? 0) + 1);
  }
  let best = 10;
  let bestCount = 0;
  for (const [cost, count] of counts)
    if (count > bestCount || (count === bestCount && cost > best)) [best, bestCount] = [cost, count];
  return best;
}

export interface AuthLimits {
  /** Worker threads running bcrypt (default: 2, fewer on one core). */
  workers?: number;
  /** Verifications waiting for a worker before new ones are refused as busy (default 64). */
  maxQueued?: number;
  /** Failed logins a client may make before it must wait (default 5); the wait doubles with each further failure. */
  freeFailures?: number;
  /** The first wait, in ms (default 1000); waits stop growing at 60 s. */
  backoffMs?: number;
}

/** Why a login was not checked: the client must wait (`retryAfter` seconds), or too many checks are queued. */
export type AuthOutcome =
  | { ok: true; user: string }
  | { ok: false; reason: 'missing' | 'invalid' }
  | { ok: false; reason: 'backoff' | 'busy'; retryAfter: number };

export class Authenticator {
  /** sha256(user, password) of recent successful basic logins, so repeated requests skip bcrypt's deliberate cost. */
  private readonly verified = new Map<string, number>();
  /** Failed basic logins by client address: how many, and until when the client must wait. */
  private readonly failures = new Map<string, { count: number; until: number }>();
  private readonly pool: BcryptPool;
  private dummyHash: Promise<string> | undefined;
  private readonly limits: Required<AuthLimits>;

  constructor(
    private readonly config: AuthConfig,
    limits: AuthLimits = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = {
      workers: limits.workers ?? Math.max(1, Math.min(2, availableParallelism() - 1)),
      maxQueued: limits.maxQueued ?? 64,
      freeFailures: limits.freeFailures ?? 5,
      backoffMs: limits.backoffMs ?? 1000,
    };
    this.pool = new BcryptPool(this.limits.workers, this.limits.maxQueued);
  }

  get configured(): boolean {
    return this.config.tokens.length > 0 || this.config.users.size > 0;
  }

  /** The hash unknown users are compared against: of the same cost as the file's own hashes, made once. */
  unknownUserHash(): Promise<string> {
    this.dummyHash ??= this.pool.run<string>({
      kind: 'hash',
      password: randomBytes(18).toString('base64'),
      cost: typicalCost(this.config.users),
    });
    return this.dummyHash;
  }

  /** Checks an Authorization header sent by `client` (its address: failed logins slow that client down). */
  async check(header: string | undefined, client = '-'): Promise<AuthOutcome> {
    if (!header) return { ok: false, reason: 'missing' };
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const credentials = header.slice(space + 1).trim();
    if (space <= 0) return { ok: false, reason: 'invalid' };
    if (scheme === 'bearer')
      return this.tokenMatches(credentials) ? { ok: true, user: 'token' } : { ok: false, reason: 'invalid' };
    if (scheme !== 'basic') return { ok: false, reason: 'invalid' };
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false, reason: 'invalid' };
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // A token is accepted as the password of basic auth too, so clients that only speak basic (helm) can use it.
    if (this.tokenMatches(password)) return { ok: true, user: user || 'token' };
    if (this.config.users.size === 0) return { ok: false, reason: 'invalid' };
    const record = this.failures.get(client);
    const now = this.now();
    if (record && record.until > now)
      return { ok: false, reason: 'backoff', retryAfter: Math.ceil((record.until - now) / 1000) };
    const key = digest(`${user}\u0000${password}`).toString('base64');
    const hash = this.config.users.get(user);
    const cachedAt = this.verified.get(key);
    if (hash !== undefined && cachedAt !== undefined && now - cachedAt < 5 * 60_000) return { ok: true, user };
    if (this.pool.busy) return { ok: false, reason: 'busy', retryAfter: 1 };
    const ok =
      (await this.pool.run<boolean>({ kind: 'compare', password, hash: hash ?? (await this.unknownUserHash()) })) &&
      hash !== undefined;
    if (ok) {
      this.failures.delete(client);
      if (this.verified.size > 1000) this.verified.clear();
      this.verified.set(key, this.now());
      return { ok: true, user };
    }
    this.recordFailure(client);
    return { ok: false, reason: 'invalid' };
  }

  private recordFailure(client: string): void {
    if (this.failures.size > 10_000) this.failures.clear();
    const count = (this.failures.get(client)?.count ?? 0) + 1;
    const over = count - this.limits.freeFailures;
    const wait = over < 0 ? 0 : Math.min(60_000, this.limits.backoffMs * 2 ** over);
    this.failures.set(client, { count, until: this.now() + wait });
  }

  private tokenMatches(candidate: string): boolean {
    let match = false;
    for (const token of this.config.tokens) if (constantTimeEqual(candidate, token)) match = true;
    return match;
  }

  /** Stops the bcrypt workers. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
