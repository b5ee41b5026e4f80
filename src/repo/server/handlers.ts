// Request handlers: each a function of (request, context) → response. The route table (routes.ts) picks one.
import { resolve } from 'node:path';
import { PortolanError, messageOf } from '../../errors.js';
import type { ChartVersionEntry } from '../index-model.js';
import type { CachedArchive } from '../index-dir.js';
import {
  BodyTooLarge,
  acceptsGzip,
  errorResponse,
  etagMatches,
  json,
  type RepoRequest,
  type RepoResponse,
} from './http.js';
import { multipartBoundary, parseMultipart } from './multipart.js';
import { type Representation, type RepoStore, UploadRejected } from './store.js';
import type { OciStore } from './oci.js';
import semver from 'semver';

export interface HandlerContext {
  store: RepoStore;
  allowOverwrite: boolean;
  maxUploadSize: number;
  /** The OCI distribution API over the same folder. */
  oci?: OciStore;
}

export type Handler = (request: RepoRequest, context: HandlerContext) => Promise<RepoResponse> | RepoResponse;

export const health: Handler = () => json(200, { healthy: true });

export const root: Handler = () => ({
  status: 200,
  headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  body: 'portolan chart repository: GET /index.yaml, GET /charts/<name>-<version>.tgz, /api/charts\n',
});

/** One variant of the index as answered: its headers with and without the body, and the body. */
interface IndexVariant {
  notModified: AnswerHeaders;
  ok: AnswerHeaders;
  body: Buffer;
}
/** The index's two variants, built once per representation (a new index is a new representation). */
const indexVariants = new WeakMap<Representation, { etags: string[]; plain?: IndexVariant; gzip?: IndexVariant }>();

function indexVariant(rep: Representation, gzip: boolean): { etags: string[]; variant: IndexVariant } {
  let variants = indexVariants.get(rep);
  if (!variants) indexVariants.set(rep, (variants = { etags: [rep.etag, `${rep.etag.slice(0, -1)}-gz"`] }));
  const key = gzip ? 'gzip' : 'plain';
  let variant = variants[key];
  if (!variant) {
    const body = gzip ? rep.gzip() : rep.body;
    const notModified = { ETag: variants.etags[gzip ? 1 : 0]!, 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding' };
    const ok: AnswerHeaders = { ...notModified, 'Content-Type': rep.contentType };
    if (gzip) ok['Content-Encoding'] = 'gzip';
    ok['Content-Length'] = body.length;
    variant = variants[key] = { notModified, ok, body };
  }
  return { etags: variants.etags, variant };
}

function serveIndex(format: 'yaml' | 'json'): Handler {
  return (request, { store }) => {
    const gzip = acceptsGzip(request.headers['accept-encoding']);
    const { etags, variant } = indexVariant(store.representation(format), gzip);
    if (etagMatches(request.headers['if-none-match'], etags)) return { status: 304, headers: variant.notModified };
    return { status: 200, headers: variant.ok, body: variant.body };
  };
}

export const indexYaml = serveIndex('yaml');
export const indexJson = serveIndex('json');

/**
 * An archive's answer headers, built once per record (an upload that replaces the archive makes a new record): a
 * busy server answers the same archives over and over.
 */
const archiveHeaders = new WeakMap<CachedArchive, { notModified: AnswerHeaders; ok: AnswerHeaders }>();
type AnswerHeaders = Record<string, string | number>;

function headersOf(record: CachedArchive, fileName: string): { notModified: AnswerHeaders; ok: AnswerHeaders } {
  let headers = archiveHeaders.get(record);
  if (!headers) {
    const notModified = {
      ETag: `"${record.entry.digest ?? ''}"`,
      'Cache-Control': 'no-cache',
      'Content-Type': 'application/gzip',
      'Content-Disposition': `attachment; filename="${fileName}"`,
    };
    headers = { notModified, ok: { ...notModified, 'Content-Length': record.size } };
    archiveHeaders.set(record, headers);
  }
  return headers;
}

export const archive: Handler = (request, { store }) => {
  // /charts/<file> (portolan's older layout) or /<file>, where `repo index` and static web servers put archives.
  const fileName = request.segments[request.segments.length - 1] ?? '';
  const found = store.archiveFile(fileName);
  if (!found) return errorResponse(404, `no chart archive ${fileName}`);
  const headers = headersOf(found.record, fileName);
  if (etagMatches(request.headers['if-none-match'], [String(headers.notModified.ETag)]))
    return { status: 304, headers: headers.notModified };
  const answer = (small: Buffer | undefined): RepoResponse =>
    small
      ? {
          status: 200,
          // (An archive replaced while it was read is served as read, with its own length.)
          headers: small.length === found.record.size ? headers.ok : { ...headers.ok, 'Content-Length': small.length },
          body: small,
        }
      : { status: 200, headers: headers.ok, file: { path: found.path, size: found.record.size } };
  if (request.method === 'HEAD') return answer(undefined);
  // A small archive read before is answered from memory at once; otherwise it is read (and kept) first.
  const cached = store.cachedArchive(fileName);
  return cached ? answer(cached) : store.smallArchive(fileName).then(answer);
};

export const listCharts: Handler = (_request, { store }) => json(200, store.currentIndex().entries);

function versionsOf(request: RepoRequest, store: RepoStore): ChartVersionEntry[] | undefined {
  return store.entries(request.segments[2] ?? '');
}

export const listVersions: Handler = (request, { store }) => {
  const list = versionsOf(request, store);
  return list ? json(200, list) : errorResponse(404, `chart not found`);
};

export const getVersion: Handler = (request, { store }) => {
  const list = versionsOf(request, store) ?? [];
  const wanted = request.segments[3] ?? '';
  const entry =
    wanted === 'latest'
      ? (list.find((e) => semver.prerelease(e.version, { loose: true }) === null) ?? list[0])
      : list.find((e) => e.version === wanted);
  return entry ? json(200, entry) : errorResponse(404, 'improper constraint: chart version not found');
};

export const upload: Handler = async (request, { store, allowOverwrite, maxUploadSize }) => {
  let body: Buffer;
  try {
    body = await request.body(maxUploadSize);
  } catch (error) {
    if (error instanceof BodyTooLarge)
      return errorResponse(413, `the upload is larger than the ${maxUploadSize} bytes this server accepts`);
    throw error;
  }
  let data = body;
  let fileName: string | undefined;
  const boundary = multipartBoundary(request.headers['content-type']);
  if (boundary !== undefined) {
    let parts;
    try {
      parts = parseMultipart(body, boundary);
    } catch (error) {
      return errorResponse(400, `malformed multipart body: ${messageOf(error)}`);
    }
    const chart = parts.find((p) => p.name === 'chart');
    if (!chart)
      return errorResponse(
        400,
        parts.some((p) => p.name === 'prov')
          ? 'provenance files are not supported; upload the field "chart"'
          : 'the form has no field "chart" holding the archive',
      );
    data = chart.data;
    fileName = chart.fileName;
    if (fileName !== undefined)
      fileName = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  } else if (/^multipart\//i.test(request.headers['content-type'] ?? '')) {
    return errorResponse(400, 'multipart body without a boundary');
  }
  if (data.length === 0)
    return errorResponse(400, 'empty upload: send the chart archive as the body or as the form field "chart"');
  const force = request.query.has('force') && request.query.get('force') !== 'false';
  try {
    await store.save(data, { force, allowOverwrite, fileName });
    return json(201, { saved: true });
  } catch (error) {
    if (error instanceof UploadRejected) return errorResponse(error.status, error.message);
    throw error;
  }
};

export const remove: Handler = async (request, { store }) => {
  const name = request.segments[2] ?? '';
  const version = request.segments[3] ?? '';
  const deleted = await store.remove(name, version);
  return deleted ? json(200, { deleted: true }) : errorResponse(404, `no chart ${name} ${version}`);
};

/**
 * A 500 that says what failed without showing where the server keeps its files: the repository folder is named
 * `<repository>`, any other absolute path `<path>`.
 */
export function internalError(error: unknown, dir?: string): RepoResponse {
  let message = error instanceof PortolanError ? error.message : messageOf(error);
  if (dir) message = message.split(resolve(dir)).join('<repository>').split(dir).join('<repository>');
  message = message.replace(/(^|[\s'"(=])(?:[A-Za-z]:)?[\\/][^\s'"),]+/g, '$1<path>');
  return errorResponse(500, `internal error: ${message}`);
}
