// The sandbox's route table: every path it answers, the handler of each, and whether it needs a token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as discovery from './handlers/discovery.js';
import { objects } from './handlers/objects.js';
import type { UserInfo } from './rbac.js';
import type { Access, ApiServer } from './server.js';
import { reviews } from './handlers/reviews.js';

export interface RequestContext {
  server: ApiServer;
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** What the request's token may do. */
  access: Access;
  /** Who the request acts as (an impersonated user with --rbac). */
  user: UserInfo;
  query: URLSearchParams;
  /** Values of the pattern's `:name` segments, and `rest`: the segments a trailing `*` matched. */
  params: Record<string, string>;
  rest: string[];
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface Route {
  /** Segments; `:x` matches any one segment, a final `*` any number (at least one). */
  pattern: string[];
  handler: Handler;
  /** Health probes answer without a token. */
  isPublic?: boolean;
  /** Paths of API objects, which --rbac authorizes. */
  isObjects?: boolean;
}

const route = (path: string, handler: Handler, flags: 'public' | 'objects' | '' = ''): Route => ({
  pattern: path.split('/').filter((s) => s !== ''),
  handler,
  isPublic: flags === 'public',
  isObjects: flags === 'objects',
});

export const routes: Route[] = [
  route('/healthz', discovery.health, 'public'),
  route('/livez', discovery.health, 'public'),
  route('/readyz', discovery.health, 'public'),
  route('/version', discovery.version),
  route('/api', discovery.coreVersions),
  route('/apis', discovery.groups),
  route('/openapi/v2', discovery.openApiV2),
  route('/openapi/v3', discovery.openApiV3Root),
  route('/openapi/v3/*', discovery.openApiV3Document),
  route('/api/:version', discovery.resources),
  route('/apis/:group', discovery.group),
  route('/apis/:group/:version', discovery.resources),
  route('/apis/authorization.k8s.io/v1/:review', reviews),
  route('/apis/authorization.k8s.io/v1/namespaces/:namespace/:review', reviews),
  route('/apis/authentication.k8s.io/v1/:review', reviews),
  route('/api/:version/*', objects, 'objects'),
  route('/apis/:group/:version/*', objects, 'objects'),
];

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
  rest: string[];
}

/** The route of decoded path segments, or undefined (404). */
export function matchRoute(segments: string[]): RouteMatch | undefined {
  for (const r of routes) {
    const wild = r.pattern[r.pattern.length - 1] === '*';
    const fixed = wild ? r.pattern.length - 1 : r.pattern.length;
    if (wild ? segments.length <= fixed : segments.length !== fixed) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < fixed && ok; i++) {
      const p = r.pattern[i]!;
      if (p.startsWith(':')) params[p.slice(1)] = segments[i]!;
      else ok = p === segments[i];
    }
    if (ok) return { route: r, params, rest: segments.slice(fixed) };
  }
  return undefined;
}
