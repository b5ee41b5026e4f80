// The errors of the cluster layer: answers of the Kubernetes API (a Status, typed by its HTTP status and read for
// what kind of refusal it is) and requests that got no answer (which may or may not have reached the server).
import { PortolanError, messageOf, type ErrorCode } from '../errors.js';

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

/**
 * A request that got no answer. `reachedServer` is false only when it provably never got there (connection refused,
 * DNS failure, no route): such a request is safe to send again whatever it was. Otherwise a write may have happened.
 */
export class ClusterConnectionError extends PortolanError {
  constructor(
    code: 'CLUSTER' | 'TIMEOUT',
    message: string,
    readonly reachedServer: boolean,
    details: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, details);
    this.name = 'ClusterConnectionError';
  }
}

export function isConflict(err: unknown): err is ClusterApiError {
  return err instanceof ClusterApiError && err.status === 409;
}

export function isNotFound(err: unknown): err is ClusterApiError {
  return err instanceof ClusterApiError && err.status === 404;
}

/**
 * A write whose outcome is unknown: the connection dropped or timed out after the request was sent, or the server
 * answered 500/502/503/504 (an API server can commit a write and still fail the answer). Such a write is never sent
 * again blindly; see writes.ts.
 */
export function isAmbiguous(err: unknown): boolean {
  if (err instanceof ClusterConnectionError) return err.reachedServer;
  return err instanceof ClusterApiError && [500, 502, 503, 504].includes(err.status);
}

/** Error codes of a connection that provably never carried the request. */
export const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
]);

/** The error of a request that got no answer (`attempts` counts the tries made). */
export function connectionError(
  err: unknown,
  where: { method: string; url: string; server: string; context: string; attempts: number; reachedServer: boolean },
): PortolanError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const tries = where.attempts > 1 ? ` (after ${where.attempts} attempts)` : '';
  const unknown = where.reachedServer && where.method !== 'GET' ? '; it may or may not have been carried out' : '';
  if (code === 'TIMEOUT') {
    return new ClusterConnectionError(
      'TIMEOUT',
      `${where.method} ${where.url}: ${messageOf(err)}${tries}${unknown}`,
      where.reachedServer,
      {
        hint: 'The API server is slow or unreachable; raise the request timeout or check the cluster.',
        cause: err,
      },
    );
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|certificate/i.test(code + messageOf(err))) {
    return new ClusterConnectionError(
      'CLUSTER',
      `TLS error talking to ${where.server} (context "${where.context}"): ${messageOf(err)}`,
      false,
      {
        hint: 'The server certificate does not match the certificate-authority of this kubeconfig cluster.',
        cause: err,
      },
    );
  }
  return new ClusterConnectionError(
    'CLUSTER',
    `cannot reach the Kubernetes API at ${where.server} (context "${where.context}"): ${messageOf(err)}${tries}${unknown}`,
    where.reachedServer,
    {
      hint: 'Is the cluster running and the server address in your kubeconfig right?',
      cause: err,
    },
  );
}

/** The parts of a Kubernetes Status body portolan reads. */
export interface StatusBody {
  message?: string;
  reason?: string;
  details?: { name?: string; kind?: string; causes?: Array<{ field?: string; message?: string; reason?: string }> };
}

export function statusBodyOf(body: unknown): StatusBody | undefined {
  if (!body || typeof body !== 'object' || (body as { kind?: unknown }).kind !== 'Status') return undefined;
  return body as StatusBody;
}

/** What a 403 says about why, read from its Status: RBAC, an admission plugin or webhook, or something else. */
export type ForbiddenKind = 'rbac' | 'admission' | 'other';

/**
 * Tells a 403's kinds apart from its Status. RBAC (and every authorizer) words its refusal `User "…" cannot <verb>`;
 * admission plugins (ServiceAccount, ResourceQuota, LimitRanger, PodSecurity, NamespaceLifecycle) and webhooks
 * answer 403 too, with their own message; an answer that is not a Status comes from something in front of the API.
 */
export function forbiddenKind(body: unknown): ForbiddenKind {
  const status = statusBodyOf(body);
  if (!status) return 'other';
  const message = status.message ?? '';
  if (/\bUser "[^"]*" cannot /.test(message)) return 'rbac';
  return 'admission';
}

function admissionHint(message: string): string {
  const webhook = /admission webhook "([^"]+)" denied the request/.exec(message);
  if (webhook)
    return `The cluster's admission webhook "${webhook[1]}" refused the object; its message says why. This is not a permission problem: change the object, or ask whoever runs the webhook.`;
  const account = /error looking up service account ([^:\s]+)/.exec(message);
  if (account)
    return `The ServiceAccount ${account[1]} does not exist (yet): create it (a namespace created a moment ago gets "default" shortly after), or name another in serviceAccountName.`;
  if (/exceeded quota/.test(message))
    return "The namespace's ResourceQuota would be exceeded; lower the requests or ask a cluster admin to raise the quota.";
  if (/violates PodSecurity/.test(message))
    return "The namespace's Pod Security level refuses these pods; change their securityContext, or the namespace's pod-security.kubernetes.io labels.";
  if (/because it is being terminated/.test(message))
    return 'The namespace is being deleted; wait until it is gone, then create it again.';
  return 'This is not a permission problem: an admission plugin or policy of the cluster refused the request, and its message says why.';
}

/** A ClusterApiError for an error answer, with the Status' message, causes and a hint fitting the refusal. */
export function apiError(
  res: { status: number; body: unknown },
  where: { method: string; url: string; server: string; context: string },
): ClusterApiError {
  const status = res.body && typeof res.body === 'object' ? (res.body as StatusBody) : {};
  const reason = status.reason ?? String(res.status);
  const message =
    status.message ?? (typeof res.body === 'string' && res.body ? res.body.slice(0, 500) : `HTTP ${res.status}`);
  const problems = status.details?.causes
    ?.map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : (c.message ?? '')))
    .filter((p) => p !== '');
  const { method, url } = where;
  if (res.status === 401) {
    return new ClusterApiError(
      'CLUSTER',
      `the Kubernetes API at ${where.server} rejected the credentials of context "${where.context}" (401 Unauthorized)`,
      401,
      reason,
      method,
      url,
      {
        hint: 'The token or client certificate in your kubeconfig is wrong or expired; log in again or pick another --kube-context.',
      },
    );
  }
  if (res.status === 403) {
    const kind = forbiddenKind(res.body);
    if (kind === 'rbac') {
      return new ClusterApiError('CLUSTER', `forbidden (403): ${message}`, 403, reason, method, url, {
        hint: `The user of context "${where.context}" lacks RBAC permission for this (check with \`kubectl auth can-i\`); ask a cluster admin or use another context.`,
      });
    }
    if (kind === 'admission') {
      return new ClusterApiError(
        'CLUSTER',
        `refused by the cluster's admission control (403): ${message}`,
        403,
        reason,
        method,
        url,
        {
          problems: problems && problems.length ? problems : undefined,
          hint: admissionHint(message),
        },
      );
    }
    return new ClusterApiError(
      'CLUSTER',
      `${method} ${url} was answered 403 Forbidden, not by the Kubernetes API: ${message}`,
      403,
      reason,
      method,
      url,
      {
        hint: `Something between portolan and the API server (a proxy, a gateway) refused the request; check the server address and proxy of context "${where.context}".`,
      },
    );
  }
  const code: ErrorCode = res.status === 404 ? 'NOT_FOUND' : res.status === 409 ? 'CONFLICT' : 'CLUSTER';
  return new ClusterApiError(code, message, res.status, reason, method, url, {
    problems: problems && problems.length ? problems : undefined,
  });
}
