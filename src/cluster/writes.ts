// Writes that are not safe to repeat blindly: create (POST), update and replace (PUT), delete. A write whose answer
// was lost (the connection dropped or timed out after sending, or a 5xx) may or may not have happened; client-go never
// sends such a write again, and sending it again is how a stored POST comes back as 409 AlreadyExists and looks like
// a rival. So after an ambiguous failure the object is read back and judged: our write is there (done), someone
// else's is (conflict), or nothing changed (send again, within the attempts). Used by the HTTP client and by the
// memory fake, so a test against the fake follows the same rule.
import { PortolanError, messageOf } from '../errors.js';
import { ClusterApiError, isAmbiguous, isConflict } from './errors.js';
import { describeRef, type KubeObject, type ObjectRef } from './types.js';

/** What reading back after an ambiguous write decided. */
export type Verdict<T> = { done: T } | { again: true } | { conflict: ClusterApiError };

export interface SettleSteps<T> {
  /** One attempt (the transport may repeat what is safe, nothing else). */
  send(): Promise<T>;
  /** The object as it is now; undefined when it does not exist. */
  readBack(): Promise<KubeObject | undefined>;
  judge(live: KubeObject | undefined): Verdict<T>;
  /** Attempts in all (at least 1). */
  attempts: number;
}

/**
 * Runs a write, reading back after every ambiguous failure (and after a conflict that may be our own earlier write).
 */
export async function settleWrite<T>(steps: SettleSteps<T>): Promise<T> {
  let lost = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await steps.send();
    } catch (err) {
      // A 409 after a lost answer may be our own first write (AlreadyExists, or a resourceVersion it moved on).
      if (!isAmbiguous(err) && !(lost && isConflict(err))) throw err;
      lost = true;
      let live: KubeObject | undefined;
      try {
        live = await steps.readBack();
      } catch (readError) {
        throw err instanceof PortolanError
          ? err.addNote(`reading it back to see whether it was carried out failed too: ${messageOf(readError)}`)
          : err;
      }
      const verdict = steps.judge(live);
      if ('done' in verdict) return verdict.done;
      if ('conflict' in verdict) throw verdict.conflict;
      if (attempt >= Math.max(1, steps.attempts)) throw err;
    }
  }
}

const SERVER_FIELDS = new Set([
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'managedFields',
  'selfLink',
]);

/** True when `live` holds everything `sent` asked for (server defaults and server-set metadata aside). */
export function holds(sent: KubeObject, live: KubeObject): boolean {
  const metadata = Object.fromEntries(Object.entries(sent.metadata).filter(([k]) => !SERVER_FIELDS.has(k)));
  return contains({ ...sent, metadata }, live);
}

function contains(sent: unknown, live: unknown): boolean {
  if (sent === undefined) return true;
  if (sent === null || typeof sent !== 'object') return sent === live;
  if (Array.isArray(sent))
    return Array.isArray(live) && live.length === sent.length && sent.every((v, i) => contains(v, live[i]));
  if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
  return Object.entries(sent as Record<string, unknown>).every(([k, v]) =>
    contains(v, (live as Record<string, unknown>)[k]),
  );
}

function conflict(method: string, url: string, reason: string, message: string): ClusterApiError {
  return new ClusterApiError('CONFLICT', message, 409, reason, method, url);
}

/** POST: done when what is there now is what we sent; someone else's object is AlreadyExists. */
export function judgeCreate(
  sent: KubeObject,
  where: { url: string },
): (live: KubeObject | undefined) => Verdict<KubeObject> {
  return (live) => {
    if (!live) return { again: true };
    if (holds(sent, live)) return { done: live };
    return {
      conflict: conflict(
        'POST',
        where.url,
        'AlreadyExists',
        `${describeRef(sent)} already exists (created by someone else while our request's answer was lost)`,
      ),
    };
  };
}

/** PUT guarded by resourceVersion: done when it holds what we sent; not yet when the version is unchanged. */
export function judgeUpdate(
  sent: KubeObject,
  where: { url: string },
): (live: KubeObject | undefined) => Verdict<KubeObject> {
  return (live) => {
    if (!live)
      return {
        conflict: new ClusterApiError(
          'NOT_FOUND',
          `${describeRef(sent)} was deleted while our update's answer was lost`,
          404,
          'NotFound',
          'PUT',
          where.url,
        ),
      };
    if (holds(sent, live)) return { done: live };
    if (live.metadata.resourceVersion === sent.metadata.resourceVersion) return { again: true };
    return {
      conflict: conflict(
        'PUT',
        where.url,
        'Conflict',
        `${describeRef(sent)} was modified by someone else while our update's answer was lost`,
      ),
    };
  };
}

/** PUT without a guard: done when it holds what we sent, else send again. */
export function judgeReplace(sent: KubeObject): (live: KubeObject | undefined) => Verdict<KubeObject> {
  return (live) => (live && holds(sent, live) ? { done: live } : { again: true });
}

/**
 * DELETE: done when the object is gone or going; with a resourceVersion precondition, a newer version is a conflict.
 */
export function judgeDelete(
  ref: ObjectRef,
  resourceVersion: string | undefined,
  where: { url: string },
): (live: KubeObject | undefined) => Verdict<boolean> {
  return (live) => {
    if (!live || live.metadata.deletionTimestamp) return { done: true };
    if (resourceVersion !== undefined && live.metadata.resourceVersion !== resourceVersion) {
      return {
        conflict: conflict(
          'DELETE',
          where.url,
          'Conflict',
          `${describeRef(ref)} was modified by someone else while our delete's answer was lost`,
        ),
      };
    }
    return { again: true };
  };
}
