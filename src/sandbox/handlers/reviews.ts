// Access reviews (kubectl auth can-i, auth whoami): answered from the caller's token, never stored.
import { ApiError, methodNotAllowed, readObject } from '../http.js';
import { isObject, type JsonObject } from '../patch.js';
import type { Handler } from '../routes.js';
import { isAllowed, type Attributes, type UserInfo } from '../rbac.js';
import type { Access } from '../server.js';

function resourceAttributes(a: JsonObject, namespace: string | undefined): Attributes {
  const ns = typeof a.namespace === 'string' && a.namespace !== '' ? a.namespace : namespace;
  return {
    verb: String(a.verb ?? ''),
    group: String(a.group ?? ''),
    resource: String(a.resource ?? ''),
    subresource: typeof a.subresource === 'string' && a.subresource !== '' ? a.subresource : undefined,
    namespace: ns,
    name: typeof a.name === 'string' && a.name !== '' ? a.name : undefined,
  };
}

const READ_VERBS = ['get', 'list', 'watch'];

function userOf(access: Access): JsonObject {
  return access === 'admin'
    ? { username: 'portolan-sandbox:admin', groups: ['system:masters', 'system:authenticated'] }
    : { username: 'portolan-sandbox:restricted', groups: ['system:authenticated'] };
}

function allowed(access: Access, verb: string): boolean {
  return access === 'admin' || (access === 'read' && READ_VERBS.includes(verb));
}

export const reviews: Handler = async ({ server, req, res, method, access, user, params }) => {
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
    answer.status = { userInfo: server.rbacEnabled ? { username: user.name, groups: user.groups } : userOf(access) };
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
    let ok: boolean;
    if (server.rbacEnabled && isObject(spec.resourceAttributes)) {
      const subject: UserInfo =
        review === 'selfsubjectaccessreviews'
          ? user
          : { name: String(spec.user ?? ''), groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [] };
      ok = access !== 'none' && isAllowed(subject, resourceAttributes(attrs, params.namespace), server.rbacObjects());
    } else {
      // Without --rbac other subjects (SubjectAccessReview) are judged as admins: the sandbox has one admin token.
      const who: Access = review === 'selfsubjectaccessreviews' ? access : 'admin';
      ok = allowed(who, String(attrs.verb ?? ''));
    }
    answer.status = ok ? { allowed: true, reason: 'portolan sandbox: the token may do this' } : { allowed: false };
  }
  return server.send(res, 201, answer);
};
