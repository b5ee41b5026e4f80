// A tiny HTTP proxy on 127.0.0.1 in front of the sandbox that loses answers on demand: it forwards a request, lets the
// sandbox carry it out, and then resets the client's connection instead of answering (the ambiguous write a client
// must read back), or answers a canned status without forwarding.
import { writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../src/sandbox/index.js';

export interface ProxyRule {
  method: string;
  /** Only paths containing this (default: any). */
  path?: string;
  /** `store-then-reset`: forward, then reset the connection; a number: answer that status without forwarding. */
  action: 'store-then-reset' | number;
  headers?: Record<string, string>;
  times?: number;
}

export interface FaultProxy {
  url: string;
  kubeconfigPath: string;
  /** Every request seen: `POST /api/v1/... -> 201` (`-> reset` or `-> 429 (injected)`). */
  log: string[];
  add(rule: ProxyRule): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(sandbox: Sandbox, kubeconfigPath: string): Promise<FaultProxy> {
  const rules: Array<ProxyRule & { left: number }> = [];
  const log: string[] = [];
  const upstream = new URL(sandbox.url);
  const agent = new https.Agent({ ca: sandbox.caCert, keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const line = `${req.method} ${req.url}`;
      const rule = rules.find(
        (r) => r.left > 0 && r.method === req.method && (r.path === undefined || (req.url ?? '').includes(r.path)),
      );
      if (rule) rule.left--;
      if (rule && typeof rule.action === 'number') {
        log.push(`${line} -> ${rule.action} (injected)`);
        const body = JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          code: rule.action,
          reason: 'Injected',
          message: `injected ${rule.action}`,
        });
        res.writeHead(rule.action, { 'Content-Type': 'application/json', ...(rule.headers ?? {}) });
        res.end(body);
        return;
      }
      const headers = { ...req.headers, host: upstream.host };
      const forward = https.request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent },
        (up) => {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            if (rule?.action === 'store-then-reset') {
              log.push(`${line} -> ${up.statusCode ?? 0} (stored, then reset)`);
              req.socket.destroy();
              return;
            }
            log.push(`${line} -> ${up.statusCode ?? 0}`);
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(Buffer.concat(parts));
          });
        },
      );
      forward.on('error', () => req.socket.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Plain HTTP on loopback: client-node wants insecure-skip-tls-verify said out loud for an http:// server.
  writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: proxy, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]`,
      `users: [{name: proxy, user: {token: "${sandbox.token}"}}]`,
      'contexts: [{name: proxy, context: {cluster: proxy, user: proxy}}]',
      'current-context: proxy',
      '',
    ].join('\n'),
  );
  return {
    url,
    kubeconfigPath,
    log,
    add: (rule) => rules.push({ ...rule, left: rule.times ?? 1 }),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
