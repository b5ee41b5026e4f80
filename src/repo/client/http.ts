// Downloads for the repository client: http(s) only, a timeout, a size limit, and credentials sent only where
// they belong (the repository's own origin, unless the repository passes them everywhere). Credentials written
// into a URL (`https://user:password@host`) are taken out of it and sent as basic auth, as Go's client does for
// Helm; a password never appears in a message (redactUrl).
import { PortolanError, messageOf } from '../../errors.js';

export interface Credentials {
  username?: string;
  password?: string;
}

export interface DownloadOptions extends Credentials {
  timeoutMs?: number;
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

/** An HTTP answer other than 2xx, with its status (404 on an archive means something else than on an index). */
export class HttpStatusError extends PortolanError {
  readonly status: number;
  readonly url: string;

  constructor(status: number, url: string, message: string, hint?: string) {
    super('HTTP', message, { hint });
    this.status = status;
    this.url = url;
  }
}

/** The URL with its password replaced by `xxxxx` (Go's url.Redacted), also for text that does not parse as a URL. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = 'xxxxx';
    return parsed.toString().endsWith('/') && !url.endsWith('/') ? parsed.toString().slice(0, -1) : parsed.toString();
  } catch {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#]*@/i, '$1xxxxx@');
  }
}

/** Splits `scheme://user:password@host/path` into the URL without userinfo and the (percent-decoded) credentials. */
export function splitUrlCredentials(url: string): Credentials & { url: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  if (parsed.username === '' && parsed.password === '') return { url };
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const credentials = { username: decode(parsed.username), password: decode(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  const clean = parsed.toString();
  return { url: clean.endsWith('/') && !url.endsWith('/') ? clean.slice(0, -1) : clean, ...credentials };
}

export function checkRepositoryUrl(url: string, flag?: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PortolanError('USAGE', `"${redactUrl(url)}" is not a URL`, {
      flag,
      hint: 'A chart repository URL looks like https://charts.example.com/stable',
    });
  }
  if (parsed.protocol === 'oci:') {
    throw new PortolanError(
      'REPO',
      `${redactUrl(url)}: an OCI registry is not a chart repository (it has no index.yaml), so it is not added`,
      {
        flag,
        hint: 'Use oci:// references directly (portolan pull oci://HOST/PATH/NAME), and `portolan registry login HOST` for credentials.',
      },
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PortolanError(
      'USAGE',
      `"${redactUrl(url)}": a chart repository URL must start with http:// or https://`,
      { flag },
    );
  }
  return parsed;
}

/**
 * Resolves a chart URL from an index against the repository URL (relative URLs are relative to the repository folder).
 */
export function resolveChartUrl(repositoryUrl: string, chartUrl: string): string {
  const base = repositoryUrl.endsWith('/') ? repositoryUrl : `${repositoryUrl}/`;
  return new URL(chartUrl, base).toString();
}

export async function download(target: string, options: DownloadOptions = {}): Promise<Buffer> {
  // fetch() refuses URLs with credentials; Go's client (and so Helm) sends them as basic auth unless an
  // Authorization is set already: the same here, and the URL in every message is the one without them.
  const { url, ...fromUrl } = splitUrlCredentials(target);
  const explicit = options.username !== undefined || options.password !== undefined;
  const credentials: Credentials = explicit ? options : fromUrl;
  const headers: Record<string, string> = { 'User-Agent': 'portolan', 'Accept-Encoding': 'gzip' };
  if (credentials.username !== undefined || credentials.password !== undefined) {
    headers.Authorization = `Basic ${Buffer.from(`${credentials.username ?? ''}:${credentials.password ?? ''}`).toString('base64')}`;
  }
  let response: Response;
  try {
    response = await fetch(url, {
      headers,
      redirect: 'follow',
      signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new PortolanError('HTTP', `cannot reach ${url}: ${messageOf(error)}${cause}`, {
      hint: 'Check the URL and that the repository server is up.',
    });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    const hint =
      response.status === 401 || response.status === 403
        ? 'The repository needs credentials: add it with --username and --password-stdin.'
        : response.status === 404
          ? 'Check the repository URL (it is the folder that holds index.yaml).'
          : undefined;
    throw new HttpStatusError(response.status, url, `GET ${url}: ${response.status} ${response.statusText}`, hint);
  }
  const limit = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const chunks: Buffer[] = [];
  let size = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      size += chunk.length;
      if (size > limit) {
        await response.body.cancel().catch(() => undefined);
        throw new PortolanError('HTTP', `GET ${url}: the response is larger than ${limit} bytes; refusing it`);
      }
      chunks.push(Buffer.from(chunk));
    }
  }
  return Buffer.concat(chunks);
}

/** The credentials to send for `target`, given the repository's: only to its origin, unless passCredentialsAll. */
export function credentialsFor(
  repositoryUrl: string,
  target: string,
  credentials: Credentials & { passCredentialsAll?: boolean },
): Credentials {
  if (credentials.username === undefined && credentials.password === undefined) return {};
  if (credentials.passCredentialsAll || new URL(repositoryUrl).origin === new URL(target).origin)
    return { username: credentials.username, password: credentials.password };
  return {};
}
