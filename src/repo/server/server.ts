// The chart repository server: Helm's read protocol (index.yaml, archives) plus ChartMuseum's upload/delete API.
// startRepoServer() runs it in-process and returns its URL and a stop(); the CLI's `serve` wraps it.
import { open } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FileHandle } from 'node:fs/promises';
import { PortolanError } from '../../errors.js';
import { type AuthLimits, Authenticator } from './auth.js';
import { type HandlerContext, internalError } from './handlers.js';
import { errorResponse, readBody, type RepoRequest, type RepoResponse } from './http.js';
import { matchRoute, pathSegments } from './routes.js';
import { RepoStore, type StoreStartReport } from './store.js';
import { OciStore } from './oci.js';

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
  /** Limits on slow or many clients (the defaults suit a public server). */
  limits?: ConnectionLimits;
  /** bcrypt workers, queue and per-client back-off of htpasswd logins. */
  authLimits?: AuthLimits;
}

export interface ConnectionLimits {
  /** Time to receive a request's headers, ms (default 10 s). */
  headersTimeout?: number;
  /** Time to receive a whole request, body included, ms (default 60 s: a 20 MiB upload at 350 KB/s). */
  requestTimeout?: number;
  /** A connection silent this long is closed, ms (default 30 s); idle keep-alive connections after 5 s. */
  idleTimeout?: number;
  /** Open connections at most; more are refused at once (default 512). */
  maxConnections?: number;
}

/** Headers every answer carries: nothing served is a page a browser should run or sniff. */
const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The headers of an answer as writeHead's flat [name, value, …] list: the security headers (unless the answer sets one
 * itself), the answer's, and `Connection: close` after an error. Given a new object per answer, Node copies it into
 * one of its own and reads it back through changing shapes: 5 µs a request, a third of a 304's cost.
 */
function headerList(headers: Record<string, string | number>, closeAfter: boolean): (string | number)[] {
  const list: (string | number)[] = [];
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!(name in headers)) list.push(name, value);
  for (const [name, value] of Object.entries(headers)) list.push(name, value);
  if (closeAfter) list.push('Connection', 'close');
  return list;
}

export interface RepoServer {
  url: string;
  port: number;
  store: RepoStore;
  startReport: StoreStartReport;
  /** Stops accepting connections, lets requests in flight finish (10 s at most), and flushes the index. */
  stop(): Promise<void>;
}

/** Escapes what a client chose (user name, path) so that it cannot end an access-log line or fake a field. */
function logField(value: string): string {
  let out = '';
  for (const c of value) {
    const code = c.codePointAt(0) as number;
    const unsafe =
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0x2028 ||
      code === 0x2029 ||
      c === '"' ||
      c === '\\' ||
      c === ' ';
    out += unsafe ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return out;
}

function accessLine(
  request: IncomingMessage,
  response: ServerResponse,
  user: string | undefined,
  started: bigint,
  bytes: number,
): string {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const remote = request.socket.remoteAddress ?? '-';
  return `${remote} ${user === undefined ? '-' : logField(user)} [${new Date().toISOString()}] "${logField(request.method ?? '-')} ${logField(request.url ?? '-')} HTTP/${request.httpVersion}" ${response.statusCode} ${bytes} ${ms.toFixed(1)}ms`;
}

export async function startRepoServer(options: RepoServerOptions): Promise<RepoServer> {
  const tokens =
    options.authToken === undefined ? [] : Array.isArray(options.authToken) ? options.authToken : [options.authToken];
  const auth = new Authenticator(
    { tokens: tokens.filter((t) => t !== ''), users: options.htpasswd ?? new Map() },
    options.authLimits,
  );
  if (options.private && !auth.configured) {
    throw new PortolanError('USAGE', 'a private repository needs credentials', {
      hint: 'Give --auth-token-file or --htpasswd with --private.',
    });
  }
  const { store, report } = await RepoStore.open(options.dir);
  const oci = new OciStore(options.dir, store);
  await oci.open();
  const context: HandlerContext = {
    store,
    allowOverwrite: options.allowOverwrite ?? false,
    maxUploadSize: options.maxUploadSize ?? DEFAULT_MAX_UPLOAD,
    oci,
  };

  /** Whether a route of this access takes a request without looking at credentials. */
  const withoutCredentials = (access: 'public' | 'read' | 'write' | 'login'): boolean =>
    access === 'public' || (access === 'read' && !options.private) || (access === 'login' && !auth.configured);
  /** For a route withoutCredentials refuses: the user, or the answer that refuses the request. */
  const authorize = async (
    request: IncomingMessage,
    access: 'public' | 'read' | 'write' | 'login',
  ): Promise<RepoResponse | string | undefined> => {
    if (access === 'write' && !auth.configured) {
      if (options.allowAnonymousWrites) return undefined;
      return errorResponse(403, 'uploads are disabled on this server', {});
    }
    const outcome = await auth.check(request.headers.authorization, request.socket.remoteAddress ?? '-');
    if (outcome.ok) return outcome.user;
    if (outcome.reason === 'backoff') {
      // The answer is held back (an idle wait costs the server nothing): a client that ignores Retry-After cannot
      // make the server spend its CPU on thousands of refusals a second.
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, outcome.retryAfter * 1000)).unref());
      return errorResponse(429, 'too many failed logins from this address; wait before trying again', {
        'Retry-After': outcome.retryAfter,
      });
    }
    if (outcome.reason === 'busy')
      return errorResponse(503, 'too many logins are being checked; try again shortly', {
        'Retry-After': outcome.retryAfter,
      });
    return errorResponse(401, outcome.reason === 'missing' ? 'credentials required' : 'invalid credentials', {
      'WWW-Authenticate': 'Basic realm="portolan"',
    });
  };

  // A read of the index or of a small archive awaits nothing before its answer is written (no credentials to check,
  // the answer in memory): at tens of thousands of requests a second each await and listener shows.
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    let user: string | undefined;
    let bytes = 0;
    if (options.log) {
      const { log } = options;
      const started = process.hrtime.bigint();
      response.on('finish', () => log(accessLine(request, response, user, started, bytes)));
    }
    let result: RepoResponse;
    try {
      const rawUrl = request.url ?? '/';
      const queryAt = rawUrl.indexOf('?');
      const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
      const segments = rawPath.startsWith('/') ? pathSegments(rawPath) : undefined;
      if (!segments) result = errorResponse(400, 'path refused');
      else {
        const match = matchRoute(request.method ?? 'GET', segments);
        if ('status' in match)
          result =
            match.status === 405
              ? errorResponse(405, 'method not allowed', { Allow: match.allow })
              : errorResponse(404, 'not found');
        else {
          const verdict = withoutCredentials(match.access) ? undefined : await authorize(request, match.access);
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
            const answer = match.handler(repoRequest, context);
            result = answer instanceof Promise ? await answer : answer;
          }
        }
      }
    } catch (error) {
      result = internalError(error, options.dir);
    }
    // An archive is opened before the answer starts: a DELETE racing this GET gives a 404 or the whole archive
    // (an open file outlives its removal), never a 200 cut short.
    let file: FileHandle | undefined;
    if (result.file && request.method !== 'HEAD' && result.status === 200) {
      try {
        file = await open(result.file.path, 'r');
        result = { ...result, headers: { ...result.headers, 'Content-Length': (await file.stat()).size } };
      } catch {
        await file?.close();
        file = undefined;
        result = errorResponse(404, 'no such chart archive');
      }
    }
    // After an error the connection is closed: a client refused (401, 413, …) cannot keep it by trickling a body.
    const closeAfter = result.status >= 400;
    response.writeHead(result.status, headerList(result.headers ?? {}, closeAfter));
    if (closeAfter) {
      response.on('finish', () => {
        request.socket.end();
        setTimeout(() => request.socket.destroy(), 1000).unref();
      });
    }
    if (request.method === 'HEAD' || result.status === 304) {
      response.end();
      return;
    }
    if (file) {
      bytes = result.file?.size ?? 0;
      const stream = file.createReadStream();
      stream.on('error', () => response.destroy());
      stream.pipe(response);
      return;
    }
    const body = result.body ?? '';
    bytes = Buffer.byteLength(body);
    response.end(body);
  };

  const limits = options.limits ?? {};
  const requestTimeout = limits.requestTimeout ?? 60_000;
  const headersTimeout = Math.min(limits.headersTimeout ?? 10_000, requestTimeout);
  const server = createServer(
    {
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: 5_000,
      // How often Node checks the two timeouts above (its default, 30 s, would let them overrun by that much).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))),
    },
    (request, response) => {
      handle(request, response).catch((error: unknown) => {
        if (!response.headersSent)
          response.writeHead(500, {
            ...SECURITY_HEADERS,
            'Content-Type': 'application/json; charset=utf-8',
            Connection: 'close',
          });
        response.end(internalError(error, options.dir).body);
      });
    },
  );
  server.maxConnections = limits.maxConnections ?? 512;
  // A socket with no traffic at all for this long is closed (Node destroys it when nobody handles 'timeout').
  server.timeout = limits.idleTimeout ?? 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new PortolanError(
          'IO',
          `cannot listen on ${options.address ?? '127.0.0.1'}:${options.port ?? DEFAULT_PORT}: ${error.message}`,
          { hint: error.code === 'EADDRINUSE' ? 'Another program uses that port: pick one with --port.' : undefined },
        ),
      ),
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
        await auth.close();
        await store.close();
      })();
      return stopping;
    },
  };
}
