// A minimal RBAC authorizer (sandbox --rbac): Roles and ClusterRoles granted through RoleBindings and
// ClusterRoleBindings to users, groups and service accounts, as the real RBAC authorizer reads them. Pure: the caller
// hands over the stored objects.
import { isObject, type Json, type JsonObject } from './patch.js';

export interface UserInfo {
  name: string;
  groups: string[];
}

/** What a request asks to do (the authorizer's attributes). */
export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface RbacObjects {
  roles: JsonObject[];
  clusterRoles: JsonObject[];
  roleBindings: JsonObject[];
  clusterRoleBindings: JsonObject[];
}

function list(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

function matches(values: string[], wanted: string): boolean {
  return values.includes('*') || values.includes(wanted);
}

function subjectMatches(subject: Json, user: UserInfo, bindingNamespace: string | undefined): boolean {
  if (!isObject(subject)) return false;
  const name = String(subject.name ?? '');
  switch (subject.kind) {
    case 'User':
      return name === user.name;
    case 'Group':
      return user.groups.includes(name);
    case 'ServiceAccount': {
      const ns = String(subject.namespace ?? bindingNamespace ?? '');
      return user.name === `system:serviceaccount:${ns}:${name}`;
    }
    default:
      return false;
  }
}

function ruleAllows(rule: Json, a: Attributes): boolean {
  if (!isObject(rule)) return false;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!matches(list(rule.verbs), a.verb)) return false;
  if (!matches(list(rule.apiGroups), a.group)) return false;
  const resources = list(rule.resources);
  if (!(
    resources.includes('*') ||
    resources.includes(resource) ||
    (a.subresource && resources.includes(`*/${a.subresource}`))
  ))
    return false;
  const names = list(rule.resourceNames);
  return names.length === 0 || (a.name !== undefined && names.includes(a.name));
}

function rulesOf(ref: Json | undefined, namespace: string | undefined, objects: RbacObjects): Json[] {
  if (!isObject(ref)) return [];
  const name = String(ref.name ?? '');
  const role =
    ref.kind === 'ClusterRole'
      ? objects.clusterRoles.find((r) => isObject(r.metadata) && r.metadata.name === name)
      : objects.roles.find(
          (r) => isObject(r.metadata) && r.metadata.name === name && r.metadata.namespace === namespace,
        );
  return role && Array.isArray(role.rules) ? role.rules : [];
}

/** True when a binding grants `user` a rule that covers `a`; system:masters may do everything. */
export function isAllowed(user: UserInfo, a: Attributes, objects: RbacObjects): boolean {
  if (user.groups.includes('system:masters')) return true;
  for (const b of objects.clusterRoleBindings) {
    if (!Array.isArray(b.subjects) || !b.subjects.some((s) => subjectMatches(s, user, undefined))) continue;
    if (rulesOf(b.roleRef, undefined, objects).some((r) => ruleAllows(r, a))) return true;
  }
  if (a.namespace === undefined) return false;
  for (const b of objects.roleBindings) {
    const ns = isObject(b.metadata) ? String(b.metadata.namespace) : '';
    if (ns !== a.namespace || !Array.isArray(b.subjects)) continue;
    if (!b.subjects.some((s) => subjectMatches(s, user, ns))) continue;
    if (rulesOf(b.roleRef, ns, objects).some((r) => ruleAllows(r, a))) return true;
  }
  return false;
}

/** The real authorizer's refusal: `deployments.apps is forbidden: User "alice" cannot list resource …`. */
export function forbiddenMessage(user: UserInfo, a: Attributes): string {
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return `${subject} is forbidden: User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}"${where}`;
}
