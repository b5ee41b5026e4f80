// The chart repository server: Helm's read protocol (index.yaml, archives) plus ChartMuseum's upload/delete API.
// startRepoServer() runs it in-process and returns its URL and a stop(); the CLI's `serve` wraps it.
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortolanError, messageOf } from '../../errors.js';
import { Authenticator } from './auth.js';
import { type HandlerContext, internalError } from './handlers.js';
import { errorResponse, readBody, type RepoRequest, type RepoResponse } from './http.js';
import { matchRoute, pathSegments } from './routes.js';
import { RepoStore, type StoreStartReport } from './store.js';

export const DEFAULT_PORT = 8879;
export const DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024;

export interface RepoServerOptions {
  dir: string;
  /** 0 picks a free port. Default 8879. */
  port?: number;
  /** Default 127.0.0.1. */
  address?: string;
  /** Bearer tokens allowed to write (and to read with `private`). */
  authToken?: string | string[];
  /** user → bcrypt hash (parseHtpasswd reads the file). */
  htpasswd?: Map<string, string>;
  /** Reads need credentials too. */
  private?: boolean;
  /** `?force` may replace an existing version. */
  allowOverwrite?: boolean;
  /** Uploads without credentials are accepted (only sensible on a private network). */
  allowAnonymousWrites?: boolean;
  maxUploadSize?: number;
  /** Receives one access-log line per request. */
  log?: (line: string) => void;
}

export interface RepoServer {
  url: string;
  port: number;
  store: RepoStore;
  startReport: StoreStartReport;
  /** Stops accepting connections, lets requests in flight finish (10 s at most), and flushes the index. */
  stop(): Promise<void>;
}

function accessLine(request: IncomingMessage, response: ServerResponse, user: string | undefined, started: bigint, bytes: number): string {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const remote = request.socket.remoteAddress ?? '-';
  return `${remote} ${user ?? '-'} [${new Date().toISOString()}] "${request.method} ${request.url} HTTP/${request.httpVersion}" ${response.statusCode} ${bytes} ${ms.toFixed(1)}ms`;
}

export async function startRepoServer(options: RepoServerOptions): Promise<RepoServer> {
  const tokens = options.authToken === undefined ? [] : Array.isArray(options.authToken) ? options.authToken : [options.authToken];
  const auth = new Authenticator({ tokens: tokens.filter((t) => t !== ''), users: options.htpasswd ?? new Map() });
  if (options.private && !auth.configured) {
    throw new PortolanError('USAGE', 'a private repository needs credentials', { hint: 'Give --auth-token-file or --htpasswd with --private.' });
  }
  const { store, report } = await RepoStore.open(options.dir);
  const context: HandlerContext = { store, allowOverwrite: options.allowOverwrite ?? false, maxUploadSize: options.maxUploadSize ?? DEFAULT_MAX_UPLOAD };

  const authorize = async (request: IncomingMessage, access: 'public' | 'read' | 'write'): Promise<RepoResponse | string | undefined> => {
    if (access === 'public' || (access === 'read' && !options.private)) return undefined;
    if (access === 'write' && !auth.configured) {
      if (options.allowAnonymousWrites) return undefined;
      return errorResponse(403, 'uploads are disabled on this server', {});
    }
    const outcome = await auth.check(request.headers.authorization);
    if (outcome.ok) return outcome.user;
    return errorResponse(401, outcome.reason === 'missing' ? 'credentials required' : 'invalid credentials', { 'WWW-Authenticate': 'Basic realm="portolan"' });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    let user: string | undefined;
    let bytes = 0;
    response.on('finish', () => options.log?.(accessLine(request, response, user, started, bytes)));
    let result: RepoResponse;
    try {
      const rawUrl = request.url ?? '/';
      const queryAt = rawUrl.indexOf('?');
      const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
      const segments = rawPath.startsWith('/') ? pathSegments(rawPath) : undefined;
      if (!segments) result = errorResponse(400, 'path refused');
      else {
        const match = matchRoute(request.method ?? 'GET', segments);
        if ('status' in match) result = match.status === 405 ? errorResponse(405, 'method not allowed', { Allow: match.allow }) : errorResponse(404, 'not found');
        else {
          const verdict = await authorize(request, match.access);
          if (typeof verdict === 'object') result = verdict;
          else {
            user = verdict;
            const repoRequest: RepoRequest = {
              method: request.method ?? 'GET',
              segments,
              query: new URLSearchParams(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1)),
              headers: request.headers,
              body: (limit) => readBody(request, limit),
              user,
            };
            result = await match.handler(repoRequest, context);
          }
        }
      }
    } catch (error) {
      result = internalError(error);
    }
    // A body the handler did not read (a refused upload) is drained so the client can read the answer.
    if (!request.complete) request.resume();
    response.writeHead(result.status, result.headers);
    if (request.method === 'HEAD' || result.status === 304) {
      response.end();
      return;
    }
    if (result.file) {
      bytes = result.file.size;
      const stream = createReadStream(result.file.path);
      stream.on('error', () => response.destroy());
      stream.pipe(response);
      return;
    }
    const body = result.body ?? '';
    bytes = Buffer.byteLength(body);
    response.end(body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end(messageOf(error));
    });
  });
  server.requestTimeout = 5 * 60_000;
  server.headersTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new PortolanError('IO', `cannot listen on ${options.address ?? '127.0.0.1'}:${options.port ?? DEFAULT_PORT}: ${error.message}`, { hint: error.code === 'EADDRINUSE' ? 'Another program uses that port: pick one with --port.' : undefined })),
    );
    server.listen(options.port ?? DEFAULT_PORT, options.address ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    store,
    startReport: report,
    stop: () => {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), 10_000);
        await closed;
        clearTimeout(timer);
        await store.close();
      })();
      return stopping;
    },
  };
}
