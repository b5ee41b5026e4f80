// HTTP plumbing shared by the sandbox's handlers: the API error with its Status body, answers, and request bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { load as loadYaml } from 'js-yaml';
import { isObject, type Json, type JsonObject } from './patch.js';
import { decodeKubeProtobuf } from './protobuf.js';

/** An answer other than success: the HTTP code, the Status reason and message, and optional details. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: JsonObject,
  ) {
    super(message);
  }
}

export function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function statusBody(err: ApiError): JsonObject {
  const body: JsonObject = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err.message,
    reason: err.reason,
    code: err.code,
  };
  if (err.details) body.details = err.details;
  return body;
}

/**
 * Writes a JSON answer; `headers` (a Warning) add to the usual ones. A flat [name, value, …] list: given an object,
 * Node copies it into one of its own first, about 5 µs an answer.
 */
export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  const list: (string | string[])[] = [
    'Content-Type',
    'application/json',
    'Content-Length',
    String(Buffer.byteLength(text)),
    'Cache-Control',
    'no-cache, private',
  ];
  for (const [name, value] of Object.entries(headers)) list.push(name, value);
  res.writeHead(code, list);
  res.end(text);
}

export function defaultManager(req: IncomingMessage): string {
  const ua = String(req.headers['user-agent'] ?? 'unknown');
  return ua.split('/')[0] || 'unknown';
}

const MAX_BODY = 8 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRaw(req)).toString('utf8');
}

/** The whole request body (events, not an async iterator: a third of the cost on small bodies). */
function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'request entity too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function readDeleteOptions(req: IncomingMessage): Promise<Json> {
  const raw = await readRaw(req);
  if (raw.length === 0) return {};
  if (/protobuf/.test(String(req.headers['content-type'] ?? ''))) {
    try {
      return decodeKubeProtobuf(raw);
    } catch (e) {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unsupported format: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  const text = raw.toString('utf8');
  return text.trim() ? parseJson(text) : {};
}

export function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new ApiError(400, 'BadRequest', `error decoding request body: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function parseYaml(text: string): Json {
  // Clients (client-go, kubectl, portolan) send apply patches as JSON, which is YAML too and parses far faster so.
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text) as Json;
    } catch {
      // not JSON after all: read it as YAML
    }
  }
  try {
    return loadYaml(text) as Json;
  } catch (e) {
    throw new ApiError(400, 'BadRequest', `error decoding YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export async function readObject(req: IncomingMessage): Promise<JsonObject> {
  const type = String(req.headers['content-type'] ?? '');
  if (/protobuf/.test(type)) {
    try {
      return decodeKubeProtobuf(await readRaw(req));
    } catch (e) {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unsupported format: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  if (/cbor/.test(type)) {
    req.resume();
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    );
  }
  const text = await readBody(req);
  const v = /yaml/.test(type) ? parseYaml(text) : parseJson(text);
  if (!isObject(v)) throw new ApiError(400, 'BadRequest', 'the request body must be an object');
  return v;
}
