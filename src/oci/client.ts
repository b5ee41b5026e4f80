// A client for the OCI distribution API (the /v2/ protocol of container registries), on Node's http/https:
// https by default (plain http only when asked), an optional CA file or no verification (--insecure), basic
// authentication or the token dance (`WWW-Authenticate: Bearer realm=…,service=…,scope=…`, one token per scope).
// Blobs are streamed to a temporary file beside the cache, hashed on the way, and renamed into the cache only once
// their digest and size are right; manifests are read into memory with a limit.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { PortolanError, messageOf } from '../errors.js';
import type { RegistryCredential } from './credentials.js';

export interface RegistryClientOptions {
  /** `host[:port]`. */
  registry: string;
  plainHttp?: boolean;
  /** Skip TLS verification (--insecure / --insecure-skip-tls-verify). */
  insecure?: boolean;
  /** PEM bytes of the CA to trust (--ca-file). */
  ca?: Buffer;
  credential?: RegistryCredential;
  /** The chart reference for messages (`oci://…`). */
  ref: string;
  timeoutMs?: number;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate header (`Bearer realm="…",service="…",scope="…"`, or `Basic realm="…"`). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/gy;
  const rest = match[2] ?? '';
  let m: RegExpExecArray | null;
  while ((m = pattern.exec(rest)) !== null && m[0] !== '') {
    params[(m[1] as string).toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return { scheme: (match[1] as string).toLowerCase(), params };
}

export interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  /**
   * The body, taken from the socket as soon as the answer starts: a connection that ends early ends this stream
   * after every byte that did arrive (Node would drop bytes not read yet), and `truncated()` then says so.
   */
  body: PassThrough;
  truncated(): boolean;
  url: URL;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** `repository:NAME:pull` or `…:pull,push`, for the token dance. */
  scope?: string;
  /** Follow redirects (blob downloads go to storage elsewhere); Authorization is dropped when leaving the origin. */
  follow?: boolean;
}

const drain = (body: PassThrough) => {
  body.resume();
};

async function readBody(body: PassThrough, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new PortolanError('HTTP', `${what} is larger than ${limit} bytes; refusing it`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export class RegistryClient {
  readonly registry: string;
  /** The reference in messages; the caller makes it the resolved one (with its tag) once it is known. */
  ref: string;
  /** `https://host[:port]` (or http with --plain-http): where the API is. */
  readonly base: string;
  private readonly agent: http.Agent;
  private readonly options: RegistryClientOptions;
  private readonly tokens = new Map<string, string>();
  /** Set once the registry asked for basic authentication: later requests send it up front. */
  private basic = false;

  constructor(options: RegistryClientOptions) {
    this.options = options;
    this.registry = options.registry;
    this.ref = options.ref;
    // Docker Hub's name is docker.io, its API is at registry-1.docker.io (as docker and ORAS map it).
    const host = options.registry === 'docker.io' ? 'registry-1.docker.io' : options.registry;
    this.base = `${options.plainHttp ? 'http' : 'https'}://${host}`;
    this.agent = options.plainHttp
      ? new http.Agent({ keepAlive: true })
      : new https.Agent({ keepAlive: true, ca: options.ca, rejectUnauthorized: !options.insecure });
  }

  /** Closes the kept-alive connections (a CLI run ends only when they are gone). */
  close(): void {
    this.agent.destroy();
  }

  private unreachable(url: URL, error: unknown): PortolanError {
    const code = (error as NodeJS.ErrnoException).code;
    const tlsHint =
      !this.options.plainHttp && /EPROTO|wrong version number|SSL/i.test(`${code} ${messageOf(error)}`)
        ? ' If the registry speaks plain HTTP, add --plain-http.'
        : '';
    const certHint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(`${code}`)
      ? ' Give its CA with --ca-file (or --insecure to skip verification).'
      : '';
    return new PortolanError('HTTP', `${this.ref}: cannot reach the registry at ${url.origin}: ${messageOf(error)}`, {
      hint: `Check the registry address and that it is up.${tlsHint}${certHint}`,
    });
  }

  private send(url: URL, options: RequestOptions, authorization?: string): Promise<Answer> {
    const headers: Record<string, string> = { 'User-Agent': 'portolan', ...options.headers };
    if (authorization) headers.Authorization = authorization;
    if (options.body) headers['Content-Length'] = String(options.body.length);
    const module = url.protocol === 'http:' ? http : https;
    const sameOrigin = url.origin === this.base;
    return new Promise<Answer>((resolve, reject) => {
      const request = module.request(
        url,
        {
          method: options.method ?? 'GET',
          headers,
          // Another origin (a storage redirect) gets its own connection, without our TLS settings' keep-alive pool.
          agent: sameOrigin ? this.agent : undefined,
          ...(sameOrigin || url.protocol === 'http:'
            ? {}
            : { ca: this.options.ca, rejectUnauthorized: !this.options.insecure }),
          timeout: this.options.timeoutMs ?? 60_000,
        },
        (response) => {
          const body = new PassThrough();
          let cut = false;
          response.on('aborted', () => (cut = true));
          response.on('error', () => {
            cut = true;
            body.end();
          });
          response.on('end', () => {
            if (!response.complete) cut = true;
          });
          // A body dropped by its reader stops the download; its late writes are no error of anyone's.
          body.on('error', () => undefined);
          body.on('close', () => response.destroy());
          response.pipe(body);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            truncated: () => cut || !response.complete,
            url,
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', (error) => reject(this.unreachable(url, error)));
      request.end(options.body);
    });
  }

  private basicHeader(): string | undefined {
    const c = this.options.credential;
    return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
  }

  /** Fetches a bearer token from the challenge's realm, with the credential when there is one. */
  private async fetchToken(challenge: Challenge, scope: string | undefined): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm)
      throw new PortolanError('HTTP', `${this.ref}: the registry asked for a bearer token but named no realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new PortolanError('HTTP', `${this.ref}: the registry's token realm "${realm}" is not a URL`);
    }
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const s of [challenge.params.scope, scope]) if (s) url.searchParams.append('scope', s);
    const answer = await this.send(url, {}, this.basicHeader());
    if (answer.status === 401 || answer.status === 403) {
      drain(answer.body);
      throw this.authError(answer.status, 'the token service refused the credentials');
    }
    if (answer.status !== 200) {
      drain(answer.body);
      throw new PortolanError('HTTP', `${this.ref}: the token service ${url.origin} answered ${answer.status}`);
    }
    const text = (await readBody(answer.body, 1024 * 1024, `${this.ref}: the token answer`)).toString('utf8');
    let token: unknown;
    try {
      const doc = JSON.parse(text) as Record<string, unknown>;
      token = doc.token ?? doc.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '')
      throw new PortolanError('HTTP', `${this.ref}: the token service ${url.origin} gave no token`);
    return token;
  }

  authError(status: number, detail?: string): PortolanError {
    const has = this.options.credential !== undefined;
    return new PortolanError(
      'HTTP',
      `${this.ref}: the registry ${this.registry} answered ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}${detail ? ` (${detail})` : ''}`,
      {
        hint: has
          ? `The stored credentials for ${this.registry} were refused: run \`portolan registry login ${this.registry}\` again.`
          : `Log in first: portolan registry login ${this.registry} --username USER --password-stdin`,
      },
    );
  }

  /**
   * Sends a request to the registry, authenticating when it answers 401 (basic, or a bearer token for `scope`), and
   * following redirects when asked. The answer's body must be read or drained by the caller.
   */
  async request(path: string, options: RequestOptions = {}): Promise<Answer> {
    let url = new URL(path, this.base);
    const scopeKey = options.scope ?? '';
    const authFor = (): string | undefined => {
      const token = this.tokens.get(scopeKey);
      if (token) return `Bearer ${token}`;
      return this.basic ? this.basicHeader() : undefined;
    };
    let answer = await this.send(url, options, authFor());
    if (answer.status === 401) {
      const challenge = parseChallenge(
        Array.isArray(answer.headers['www-authenticate'])
          ? answer.headers['www-authenticate'][0]
          : answer.headers['www-authenticate'],
      );
      drain(answer.body);
      if (challenge?.scheme === 'bearer') {
        this.tokens.set(scopeKey, await this.fetchToken(challenge, options.scope));
      } else if (challenge?.scheme === 'basic' && this.options.credential && !this.basic) {
        this.basic = true;
      } else {
        throw this.authError(401);
      }
      answer = await this.send(url, options, authFor());
      if (answer.status === 401) {
        drain(answer.body);
        throw this.authError(401, this.options.credential ? 'the credentials were refused' : undefined);
      }
    }
    for (let hops = 0; options.follow && [301, 302, 303, 307, 308].includes(answer.status); hops++) {
      drain(answer.body);
      const location = answer.headers.location;
      if (!location || hops >= 5)
        throw new PortolanError('HTTP', `${this.ref}: too many redirects (or one without a Location) from ${url}`);
      url = new URL(location, url);
      answer = await this.send(url, { ...options, method: 'GET' }, url.origin === this.base ? authFor() : undefined);
    }
    return answer;
  }

  /** An answer that is not `expected`: drained and turned into an error naming the reference. */
  async unexpected(answer: Answer, what: string): Promise<PortolanError> {
    let detail = '';
    try {
      const text = (await readBody(answer.body, 64 * 1024, 'the error answer')).toString('utf8');
      const doc = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
      const first = doc.errors?.[0];
      if (first) detail = `: ${[first.code, first.message].filter(Boolean).join(' ')}`;
    } catch {
      // not the distribution error format
    }
    if (answer.status === 401 || answer.status === 403) return this.authError(answer.status);
    return new PortolanError('HTTP', `${this.ref}: ${what}: the registry answered ${answer.status}${detail}`, {
      hint:
        answer.status === 404 ? 'Check the reference and the version (portolan lists the tags it found).' : undefined,
    });
  }

  /** GET /v2/: whether the registry is there and takes our credentials (the login check). */
  async ping(): Promise<void> {
    const answer = await this.request('/v2/');
    if (answer.status !== 200) throw await this.unexpected(answer, 'checking the registry');
    drain(answer.body);
  }

  /** Every tag of a repository (following `Link` pages). */
  async listTags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list`;
    for (let page = 0; path && page < 1000; page++) {
      const answer = await this.request(path, { scope: `repository:${repository}:pull` });
      if (answer.status !== 200) throw await this.unexpected(answer, 'listing the tags');
      const doc = JSON.parse(
        (await readBody(answer.body, 16 * 1024 * 1024, `${this.ref}: the tag list`)).toString('utf8'),
      ) as { tags?: unknown };
      if (Array.isArray(doc.tags)) for (const t of doc.tags) if (typeof t === 'string') tags.push(t);
      const link = answer.headers.link;
      const next = typeof link === 'string' ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      path = next;
    }
    return tags;
  }

  /** A manifest's bytes (at most `limit`), its content type, and its digest as computed here. */
  async getManifest(
    repository: string,
    reference: string,
    limit: number,
  ): Promise<{ data: Buffer; contentType?: string; digest: string }> {
    const answer = await this.request(`/v2/${repository}/manifests/${reference}`, {
      scope: `repository:${repository}:pull`,
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
    });
    if (answer.status !== 200) throw await this.unexpected(answer, `fetching the manifest ${reference}`);
    const declared = Number(answer.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      answer.body.destroy();
      throw new PortolanError('REPO', `${this.ref}: the manifest is ${declared} bytes, over the limit of ${limit}`);
    }
    const data = await readBody(answer.body, limit, `${this.ref}: the manifest`);
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const claimed = answer.headers['docker-content-digest'];
    const expected = reference.startsWith('sha256:') ? reference : typeof claimed === 'string' ? claimed : undefined;
    if (expected !== undefined && expected !== digest) {
      throw new PortolanError(
        'REPO',
        `${this.ref}: the manifest's digest is ${digest}, not ${expected} as the registry says; refusing it`,
        { hint: 'The registry (or something between) changed the manifest.' },
      );
    }
    return { data, contentType: answer.headers['content-type'], digest };
  }

  /**
   * A blob, verified: from the cache when it holds the digest, else downloaded to a temporary file in the cache
   * folder and renamed into place only when its size and sha256 are the descriptor's. A download cut off by the
   * network is kept as `<hex>.partial` and resumed by the next pull (`Range`), its bytes hashed again first; one
   * with wrong bytes is deleted. Nothing unverified is ever read as a blob.
   */
  async getBlob(repository: string, descriptor: { digest: string; size: number }, cacheDir: string): Promise<Buffer> {
    const hex = descriptor.digest.slice('sha256:'.length);
    const folder = join(cacheDir, 'blobs', 'sha256');
    const target = join(folder, hex);
    const cached = await readFile(target).catch(() => undefined);
    if (cached && cached.length === descriptor.size && createHash('sha256').update(cached).digest('hex') === hex)
      return cached;
    await mkdir(folder, { recursive: true });
    const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const resumable = `${target}.partial`;
    // Renaming claims the partial file: of two pulls of one blob, one resumes it and the other starts afresh.
    const claimed = await rename(resumable, temp).then(
      () => true,
      () => false,
    );
    const hash = createHash('sha256');
    let size = 0;
    if (claimed) {
      const partial = await readFile(temp);
      if (partial.length > 0 && partial.length < descriptor.size) {
        hash.update(partial);
        size = partial.length;
      } else await rm(temp, { force: true });
    }
    const answer = await this.request(`/v2/${repository}/blobs/${descriptor.digest}`, {
      scope: `repository:${repository}:pull`,
      follow: true,
      headers: size > 0 ? { Range: `bytes=${size}-` } : undefined,
    }).catch(async (error: unknown) => {
      if (size > 0) await rename(temp, resumable).catch(() => rm(temp, { force: true }));
      throw error;
    });
    const resumed = size > 0 && answer.status === 206 && answer.headers['content-range']?.startsWith(`bytes ${size}-`);
    if (!resumed && size > 0) {
      // The registry sent the whole blob (or refused the range): start over.
      await rm(temp, { force: true });
      size = 0;
      hash.destroy();
      return this.getBlob(repository, descriptor, cacheDir);
    }
    if (answer.status !== 200 && !resumed)
      throw await this.unexpected(answer, `fetching the blob ${descriptor.digest}`);
    let refused = false;
    // Each chunk is written before the next is read, so what the file holds when the network fails is all there.
    const file = await open(temp, resumed ? 'a' : 'w', 0o644);
    try {
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        if (size + chunk.length > descriptor.size) {
          refused = true;
          throw new Error('oversize');
        }
        await file.write(chunk);
        size += chunk.length;
        hash.update(chunk);
      }
      await file.close();
      if (answer.truncated()) throw new Error('the connection ended early');
    } catch (error) {
      await file.close().catch(() => undefined);
      answer.body.destroy();
      if (refused) {
        await rm(temp, { force: true });
        throw new PortolanError(
          'REPO',
          `${this.ref}: the blob ${descriptor.digest} is larger than the ${descriptor.size} bytes the manifest declares; refusing it`,
        );
      }
      // Cut off: what arrived is kept for the next pull to resume.
      await rename(temp, resumable).catch(() => rm(temp, { force: true }));
      throw new PortolanError(
        'HTTP',
        `${this.ref}: downloading the blob ${descriptor.digest}: ${messageOf(error)} (after ${size} of ${descriptor.size} bytes)`,
        { hint: 'Pull again: the download resumes where it stopped.' },
      );
    }
    const actual = `sha256:${hash.digest('hex')}`;
    if (size !== descriptor.size || actual !== descriptor.digest) {
      await rm(temp, { force: true });
      throw new PortolanError(
        'REPO',
        size !== descriptor.size
          ? `${this.ref}: the blob ${descriptor.digest} has ${size} bytes, not the ${descriptor.size} the manifest declares; refusing it`
          : `${this.ref}: the blob's digest is ${actual}, not ${descriptor.digest} as the manifest says; refusing it`,
        { hint: 'The registry (or something between) served different bytes than the chart was pushed with.' },
      );
    }
    await rename(temp, target);
    return readFile(target);
  }

  /** Uploads a blob unless the repository has it already (HEAD), in one request after the upload is opened. */
  async pushBlob(repository: string, descriptor: { digest: string; size: number }, data: Buffer): Promise<void> {
    const scope = `repository:${repository}:pull,push`;
    const head = await this.request(`/v2/${repository}/blobs/${descriptor.digest}`, { method: 'HEAD', scope });
    drain(head.body);
    if (head.status === 200) return;
    const opened = await this.request(`/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
      scope,
      headers: { 'Content-Length': '0' },
    });
    if (opened.status !== 202) throw await this.unexpected(opened, 'starting a blob upload');
    drain(opened.body);
    const location = opened.headers.location;
    if (!location) throw new PortolanError('HTTP', `${this.ref}: the registry opened an upload without a Location`);
    const url = new URL(location, this.base);
    url.searchParams.set('digest', descriptor.digest);
    const put = await this.request(url.pathname + url.search, {
      method: 'PUT',
      scope,
      body: data,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    if (put.status !== 201) throw await this.unexpected(put, `uploading the blob ${descriptor.digest}`);
    drain(put.body);
  }

  async pushManifest(repository: string, tag: string, data: Buffer, mediaType: string): Promise<string | undefined> {
    const answer = await this.request(`/v2/${repository}/manifests/${tag}`, {
      method: 'PUT',
      scope: `repository:${repository}:pull,push`,
      body: data,
      headers: { 'Content-Type': mediaType },
    });
    if (answer.status !== 201 && answer.status !== 200) throw await this.unexpected(answer, 'uploading the manifest');
    drain(answer.body);
    const digest = answer.headers['docker-content-digest'];
    return typeof digest === 'string' ? digest : undefined;
  }
}

/** Whether a file exists (for a `.prov` beside an archive). */
export async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
