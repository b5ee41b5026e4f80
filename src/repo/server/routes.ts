// The route table of the repository server: every path it answers, with its methods, handler and access.
import * as h from './handlers.js';
import type { Handler } from './handlers.js';

export type Access = 'public' | 'read' | 'write';

export interface Route {
  /** Segments; `:x` matches any one segment. */
  pattern: string[];
  methods: Partial<Record<'GET' | 'POST' | 'DELETE', Handler>>;
  /** public: never needs credentials; read: needs them with --private; write: always needs them. */
  access: { GET?: Access; POST?: Access; DELETE?: Access };
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

/** Finds the route of a method and decoded path segments. HEAD is served by the GET handler. */
export function matchRoute(method: string, segments: string[]): RouteMatch {
  const route = routes.find(
    (r) => r.pattern.length === segments.length && r.pattern.every((p, i) => p.startsWith(':') || p === segments[i]),
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
