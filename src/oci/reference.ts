// Chart references in OCI registries, as Helm reads them: `oci://HOST[:PORT]/PATH/NAME[:TAG][@sha256:HEX]`. A tag
// is a chart version with `+` written as `_` (tags may not hold `+`); the reverse mapping reads versions from tags.
import { PortolanError } from '../errors.js';

export interface OciReference {
  /** `host` or `host:port`, as written (no scheme). */
  registry: string;
  /** The repository path under the registry, e.g. `charts/nginx`. */
  repository: string;
  tag?: string;
  /** `sha256:` and 64 hex digits. */
  digest?: string;
}

export const OCI_SCHEME = 'oci://';

export function isOciReference(text: string): boolean {
  return text.startsWith(OCI_SCHEME);
}

// The distribution spec's grammar (docker/distribution reference): path components are lower case.
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

function refuse(text: string, why: string, flag?: string): never {
  throw new PortolanError('USAGE', `"${text}" is not an OCI chart reference: ${why}`, {
    flag,
    hint: 'An OCI reference looks like oci://registry.example.com/charts/nginx (with --version 1.2.3, or :1.2.3).',
  });
}

/**
 * Parses a reference with or without `oci://`. As Helm's newReference: the last `@` starts a digest, a `:` after
 * the last `/` starts a tag, and `+` in the tag becomes `_`. `allowBare` accepts a registry with no repository
 * path (for `registry login HOST`).
 */
export function parseOciReference(text: string, options: { flag?: string; allowBare?: boolean } = {}): OciReference {
  let rest = text.startsWith(OCI_SCHEME) ? text.slice(OCI_SCHEME.length) : text;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) refuse(text, 'it names another scheme', options.flag);
  if ((rest.split('/')[0] ?? '').includes('@'))
    refuse(text, 'credentials do not belong in it (use portolan registry login HOST)', options.flag);
  let digest: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) refuse(text, `the digest "${digest}" is not sha256: and 64 lower-case hex digits`);
  }
  const slash = rest.indexOf('/');
  const registry = slash < 0 ? rest : rest.slice(0, slash);
  let path = slash < 0 ? '' : rest.slice(slash + 1);
  if (registry === '' || !HOST.test(registry) || registry.includes('@'))
    refuse(text, `"${registry}" is not a registry host[:port]`, options.flag);
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0 && !path.slice(colon).includes('/')) {
    tag = path.slice(colon + 1).replaceAll('+', '_');
    path = path.slice(0, colon);
    if (!TAG.test(tag)) refuse(text, `the tag "${tag}" is not a valid tag`, options.flag);
  }
  path = path.replace(/\/+$/, '');
  if (path === '') {
    if (options.allowBare && tag === undefined && digest === undefined) return { registry, repository: '' };
    refuse(text, 'it names no repository after the registry', options.flag);
  }
  for (const component of path.split('/')) {
    if (!COMPONENT.test(component))
      refuse(
        text,
        `the path component "${component}" is not allowed (lower-case letters, digits, and . _ - between them)`,
        options.flag,
      );
  }
  return { registry, repository: path, ...(tag === undefined ? {} : { tag }), ...(digest ? { digest } : {}) };
}

/** A chart version as a tag: `1.2.3+build.1` → `1.2.3_build.1`. */
export function tagForVersion(version: string): string {
  return version.replaceAll('+', '_');
}

/** A tag as a chart version: `_` back to `+`. */
export function versionForTag(tag: string): string {
  return tag.replaceAll('_', '+');
}

/** `host/path/name:tag`, `host/path/name@sha256:…`, or both, as helm prints references. */
export function formatOciReference(ref: OciReference): string {
  const base = `${ref.registry}/${ref.repository}`;
  return `${base}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** The same reference with `oci://` in front, for messages. */
export function ociUrl(ref: OciReference): string {
  return `${OCI_SCHEME}${formatOciReference(ref)}`;
}

/** The repository `name` under a push target `oci://HOST/PATH`. */
export function childReference(parent: OciReference, name: string, tag: string): OciReference {
  return { registry: parent.registry, repository: parent.repository ? `${parent.repository}/${name}` : name, tag };
}
