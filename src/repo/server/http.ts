// Small HTTP helpers shared by the handlers: the request view the handlers see, and how they answer.
import type { IncomingMessage } from 'node:http';

export interface RepoRequest {
  method: string;
  /** Decoded path segments (never `.`/`..`, never holding `/`, `\` or NUL). */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Reads the body, at most `limit` bytes; throws BodyTooLarge past that. */
  body(limit: number): Promise<Buffer>;
  /** The authenticated user, when there is one. */
  user?: string;
}

export interface RepoResponse {
  status: number;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  /** A file to stream as the body instead (archives). */
  file?: { path: string; size: number };
}

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the upload is larger than ${limit} bytes`);
  }
}

export function json(status: number, value: unknown, headers: Record<string, string | number> = {}): RepoResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: `${JSON.stringify(value)}\n`,
  };
}

export function errorResponse(
  status: number,
  message: string,
  headers: Record<string, string | number> = {},
): RepoResponse {
  return json(status, { error: message }, headers);
}

/** True when an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for If-None-Match). */
export function etagMatches(header: string | undefined, etags: string[]): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const wanted = etags.map((e) => e.replace(/^W\//, ''));
  return header.split(',').some((candidate) => wanted.includes(candidate.trim().replace(/^W\//, '')));
}

/** True when Accept-Encoding allows gzip (q > 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.trim().split(';');
    if (coding.trim().toLowerCase() !== 'gzip' && coding.trim() !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (!q || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

/** Reads a request body, refusing it as soon as it passes `limit`. */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      request.resume();
      reject(new BodyTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    request.on('error', (error) => {
      if (!failed) reject(error);
    });
    request.on('aborted', () => {
      if (!failed) reject(new Error('the client closed the connection'));
    });
  });
}
