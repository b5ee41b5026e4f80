// The route table of the repository server: every path it answers, with its methods, handler and access.
import * as h from './handlers.js';
import type { Handler } from './handlers.js';
import { ociError, parseOciPath } from './oci.js';

/** login: needs credentials when the server has any (the OCI `/v2/` check clients log in with). */
export type Access = 'public' | 'read' | 'write' | 'login';

type Method = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';

export interface Route {
  /** Segments; `:x` matches any one segment. */
  pattern: string[];
  methods: Partial<Record<Method, Handler>>;
  /** public: never needs credentials; read: needs them with --private; write: always needs them. */
  access: Partial<Record<Method, Access>>;
}

const route = (path: string, methods: Route['methods'], access: Route['access']): Route => ({
  pattern: path.split('/').filter((s) => s !== ''),
  methods,
  access,
});

export const routes: Route[] = [
  route('/', { GET: h.root }, { GET: 'read' }),
  route('/health', { GET: h.health }, { GET: 'public' }),
  route('/index.yaml', { GET: h.indexYaml }, { GET: 'read' }),
  route('/index.json', { GET: h.indexJson }, { GET: 'read' }),
  route('/charts/:file', { GET: h.archive }, { GET: 'read' }),
  route('/api/charts', { GET: h.listCharts, POST: h.upload }, { GET: 'read', POST: 'write' }),
  route('/api/charts/:name', { GET: h.listVersions }, { GET: 'read' }),
  route('/api/charts/:name/:version', { GET: h.getVersion, DELETE: h.remove }, { GET: 'read', DELETE: 'write' }),
  // Archives beside index.yaml, where `repo index` and any static web server put them (the index's relative URLs).
  route('/:file', { GET: h.archive }, { GET: 'read' }),
];

export type RouteMatch =
  { route: Route; handler: Handler; access: Access } | { status: 404 } | { status: 405; allow: string };

/** The OCI distribution API under /v2/ (oci.ts): repository names have any number of segments. */
function ociRoute(segments: string[]): Route | undefined {
  const path = parseOciPath(segments);
  if (!path) return undefined;
  const needsOci =
    (
      fn: (
        store: NonNullable<Parameters<Handler>[1]['oci']>,
        request: Parameters<Handler>[0],
        context: Parameters<Handler>[1],
      ) => ReturnType<Handler>,
    ): Handler =>
    (request, context) =>
      context.oci ? fn(context.oci, request, context) : ociError(404, 'UNSUPPORTED', 'this server does not serve OCI');
  const limit = (context: Parameters<Handler>[1]) => context.maxUploadSize;
  const at = { pattern: segments };
  switch (path.kind) {
    case 'base':
      return {
        ...at,
        methods: {
          GET: () => ({
            status: 200,
            headers: { 'Content-Type': 'application/json', 'Content-Length': 3 },
            body: '{}\n',
          }),
        },
        access: { GET: 'login' },
      };
    case 'catalog':
      return { ...at, methods: { GET: needsOci((oci) => oci.catalog()) }, access: { GET: 'read' } };
    case 'tags':
      return { ...at, methods: { GET: needsOci((oci) => oci.tagList(path.repository)) }, access: { GET: 'read' } };
    case 'manifest':
      return {
        ...at,
        methods: {
          GET: needsOci((oci) => oci.getManifest(path.repository, path.reference)),
          PUT: needsOci((oci, request, context) =>
            oci.putManifest(path.repository, path.reference, request, context.allowOverwrite),
          ),
        },
        access: { GET: 'read', PUT: 'write' },
      };
    case 'blob':
      return {
        ...at,
        methods: { GET: needsOci((oci) => oci.getBlob(path.repository, path.digest)) },
        access: { GET: 'read' },
      };
    case 'uploads':
      return {
        ...at,
        methods: {
          POST: needsOci((oci, request, context) => oci.startUpload(path.repository, request, limit(context))),
        },
        access: { POST: 'write' },
      };
    case 'upload':
      return {
        ...at,
        methods: {
          PATCH: needsOci((oci, request, context) =>
            oci.patchUpload(path.repository, path.id, request, limit(context)),
          ),
          PUT: needsOci((oci, request, context) =>
            oci.finishUpload(path.repository, path.id, request.query.get('digest') ?? '', request, limit(context)),
          ),
        },
        access: { PATCH: 'write', PUT: 'write' },
      };
  }
}

/** Finds the route of a method and decoded path segments. HEAD is served by the GET handler. */
export function matchRoute(method: string, segments: string[]): RouteMatch {
  const route =
    segments[0] === 'v2'
      ? ociRoute(segments)
      : routes.find(
          (r) =>
            r.pattern.length === segments.length && r.pattern.every((p, i) => p.startsWith(':') || p === segments[i]),
        );
  if (!route) return { status: 404 };
  const verb = (method === 'HEAD' ? 'GET' : method) as keyof Route['methods'];
  const handler = route.methods[verb];
  if (!handler) {
    const allow = Object.keys(route.methods).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
    return { status: 405, allow: allow.join(', ') };
  }
  return { route, handler, access: route.access[verb] ?? 'write' };
}

/** Splits a raw request path into decoded segments; undefined when it tries to leave its folder or is malformed. */
export function pathSegments(rawPath: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (
      segment === '.' ||
      segment === '..' ||
      segment.includes('/') ||
      segment.includes('\\') ||
      segment.includes('\u0000')
    )
      return undefined;
    segments.push(segment);
  }
  return segments;
}
