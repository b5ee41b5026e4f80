// Access reviews (kubectl auth can-i, auth whoami): answered from the caller's token, never stored.
import { ApiError, methodNotAllowed, readObject } from '../http.js';
import { isObject, type JsonObject } from '../patch.js';
import type { Handler } from '../routes.js';
import type { Access } from '../server.js';

const READ_VERBS = ['get', 'list', 'watch'];

function userOf(access: Access): JsonObject {
  return access === 'admin'
    ? { username: 'portolan-sandbox:admin', groups: ['system:masters', 'system:authenticated'] }
    : { username: 'portolan-sandbox:restricted', groups: ['system:authenticated'] };
}

function allowed(access: Access, verb: string): boolean {
  return access === 'admin' || (access === 'read' && READ_VERBS.includes(verb));
}

export const reviews: Handler = async ({ server, req, res, method, access, params }) => {
  const review = params.review!;
  const known = [
    'selfsubjectaccessreviews',
    'subjectaccessreviews',
    'localsubjectaccessreviews',
    'selfsubjectrulesreviews',
    'selfsubjectreviews',
    'tokenreviews',
  ];
  if (!known.includes(review) || (review === 'localsubjectaccessreviews') !== (params.namespace !== undefined))
    return server.send(res, 404, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      code: 404,
    });
  if (method !== 'POST') throw methodNotAllowed();
  const body = await readObject(req);
  const spec = isObject(body.spec) ? body.spec : {};
  const answer: JsonObject = { ...body, metadata: { ...(isObject(body.metadata) ? body.metadata : {}) } };
  if (review === 'selfsubjectreviews') {
    answer.status = { userInfo: userOf(access) };
  } else if (review === 'tokenreviews') {
    answer.status = { authenticated: false, error: 'token reviews are not simulated' };
  } else if (review === 'selfsubjectrulesreviews') {
    const verbs = access === 'admin' ? ['*'] : access === 'read' ? READ_VERBS : [];
    answer.status = {
      resourceRules: verbs.length ? [{ verbs, apiGroups: ['*'], resources: ['*'] }] : [],
      nonResourceRules: verbs.length ? [{ verbs, nonResourceURLs: ['*'] }] : [],
      incomplete: false,
    };
  } else {
    if (review !== 'selfsubjectaccessreviews' && access !== 'admin')
      throw new ApiError(403, 'Forbidden', `${review}.authorization.k8s.io is forbidden`);
    const attrs = isObject(spec.resourceAttributes)
      ? spec.resourceAttributes
      : isObject(spec.nonResourceAttributes)
        ? spec.nonResourceAttributes
        : {};
    // Other subjects (SubjectAccessReview) are judged as admins: the sandbox has one admin token and no RBAC.
    const who: Access = review === 'selfsubjectaccessreviews' ? access : 'admin';
    const ok = allowed(who, String(attrs.verb ?? ''));
    answer.status = ok ? { allowed: true, reason: 'portolan sandbox: the token may do this' } : { allowed: false };
  }
  return server.send(res, 201, answer);
};
