// Test helpers for the repository suites: chart archives made in memory, temp folders, HTTP requests, and
// `portolan serve` as a real process.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageChartFiles, type PackagedChart } from '../../src/chart/package.js';
import { binPath } from '../helpers/cli.js';

export function tempDir(prefix = 'portolan-repo-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function chartArchive(
  name: string,
  version: string,
  options: { description?: string; appVersion?: string; keywords?: string[]; mtime?: Date } = {},
): PackagedChart {
  const lines = [
    `apiVersion: v2`,
    `name: ${name}`,
    `version: ${version}`,
    `description: ${JSON.stringify(options.description ?? `The ${name} chart`)}`,
  ];
  if (options.appVersion) lines.push(`appVersion: "${options.appVersion}"`);
  if (options.keywords) lines.push(`keywords: [${options.keywords.join(', ')}]`);
  return packageChartFiles(
    [
      { name: 'Chart.yaml', data: Buffer.from(`${lines.join('\n')}\n`) },
      { name: 'values.yaml', data: Buffer.from('greeting: hello\n') },
      {
        name: 'templates/configmap.yaml',
        data: Buffer.from(
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}\ndata:\n  greeting: {{ Values.greeting }}\n',
        ),
      },
    ],
    name,
    { mtime: options.mtime },
  );
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json<T = unknown>(): T;
}

/** One request with node:http (so raw paths like /charts/../x reach the server unnormalised). */
export function http(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<HttpResult> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? 'GET',
        path: options.path ?? `${target.pathname}${target.search}`,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function multipart(field: string, fileName: string, data: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----portolan${Math.random().toString(16).slice(2)}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: application/gzip\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

export const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });
export const basic = (user: string, password: string): Record<string, string> => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** Resolves once the process exited and all it printed has been read. */
  closed: Promise<void>;
}

const serveChildren: ChildProcess[] = [];

/** Starts the `portolan serve --port 0 ARGS` binary as a real process; resolves once it prints its URL. */
export function startServe(
  args: string[],
  options: { cli?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [options.cli ?? process.env.PORTOLAN_CLI ?? binPath(), 'serve', '--port', '0', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...options.env },
    },
  );
  serveChildren.push(child);
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}${err}`)), 15_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /Serving .* at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1], stdout: () => out, stderr: () => err, exited, closed });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${out}${err}`));
    });
  });
}

/** Kills every serve process still running (call in afterAll). */
export function killServeProcesses(): void {
  for (const child of serveChildren) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export interface Gate {
  /** The proxy's URL: use it in place of the target's. */
  url: string;
  /** Requests that went through the proxy, by path. */
  seen: string[];
  /** From now on, hold each matching request until release() (or until `count` are held: a barrier). */
  hold(count?: number): void;
  /** Resolves once `count` matching requests are held. */
  held(count: number): Promise<void>;
  release(): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a real server that can hold requests (paths matching `match`) at a barrier, so tests
 * line up concurrent clients exactly (every client's download in flight before any of them goes on) without timing.
 */
export async function gateProxy(
  target: string,
  match: (path: string) => boolean = (p) => p.endsWith('/index.yaml'),
): Promise<Gate> {
  const upstream = new URL(target);
  let holding = false;
  let barrier = Infinity;
  let waiting: Array<() => void> = [];
  const watchers: Array<{ count: number; resolve: () => void }> = [];
  const seen: string[] = [];
  const release = () => {
    holding = false;
    const go = waiting;
    waiting = [];
    for (const f of go) f();
  };
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push(path);
    const forward = () => {
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path,
          headers: { ...req.headers, host: upstream.host },
          agent: false,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on('error', () => res.writeHead(502).end());
      req.pipe(out);
    };
    if (!holding || !match(path)) return forward();
    waiting.push(forward);
    for (const w of watchers) if (waiting.length >= w.count) w.resolve();
    if (waiting.length >= barrier) release();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    hold(count = Infinity) {
      holding = true;
      barrier = count;
    },
    held: (count) =>
      new Promise<void>((resolve) => (waiting.length >= count ? resolve() : watchers.push({ count, resolve }))),
    release,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
