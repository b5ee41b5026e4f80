// Requests with the real API server's recorded answers (fixtures/conformance-api.yaml): status codes, Status
// messages and causes, Warning headers and defaults. Each step runs in order against one in-memory sandbox.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

interface Step {
  name: string;
  request: { method: string; path: string; body?: unknown; contentType?: string; accept?: string };
  expect: {
    code: number;
    reason?: string;
    message?: string;
    messageContains?: string;
    causes?: unknown[];
    causeFields?: string[];
    warnings?: string[];
    body?: unknown;
    absent?: string[];
  };
}

const steps = load(readFileSync(join(import.meta.dirname, 'fixtures', 'conformance-api.yaml'), 'utf8')) as Step[];

let sandbox: Sandbox;

function send(step: Step['request']): Promise<{ status: number; body: Record<string, unknown>; warnings: string[] }> {
  return new Promise((resolve, reject) => {
    const payload = step.body === undefined ? undefined : JSON.stringify(step.body);
    const req = request(
      `${sandbox.url}${step.path}`,
      {
        method: step.method,
        ca: sandbox.caCert,
        agent: false,
        headers: {
          Authorization: `Bearer ${sandbox.token}`,
          ...(step.accept ? { Accept: step.accept } : {}),
          ...(payload ? { 'Content-Type': step.contentType ?? 'application/json' } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const warning = res.headers.warning;
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
            warnings: warning === undefined ? [] : Array.isArray(warning) ? warning : [warning],
          });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function at(o: unknown, path: string): unknown {
  let cur = o;
  for (const p of path.split('.'))
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

beforeAll(async () => {
  sandbox = await startSandbox({ readyDelayMs: 0 });
});

afterAll(async () => {
  await sandbox.stop();
});

describe('the sandbox answers as a real API server', () => {
  for (const step of steps) {
    it(step.name, async () => {
      const r = await send(step.request);
      const want = step.expect;
      expect(r.status, JSON.stringify(r.body)).toBe(want.code);
      if (want.reason) expect(r.body.reason).toBe(want.reason);
      if (want.message) expect(r.body.message).toBe(want.message);
      if (want.messageContains) expect(r.body.message).toContain(want.messageContains);
      const details = r.body.details as { causes?: Array<{ field: string }> } | undefined;
      if (want.causes) expect(details?.causes).toEqual(want.causes);
      if (want.causeFields)
        expect(details?.causes?.map((c) => c.field)).toEqual(expect.arrayContaining(want.causeFields));
      if (want.warnings) expect(r.warnings).toEqual(want.warnings);
      if (want.body) expect(r.body).toMatchObject(want.body as Record<string, unknown>);
      for (const path of want.absent ?? []) expect(at(r.body, path), path).toBeUndefined();
    });
  }
});
