// The release record on the wire: gzip+base64 JSON, checked against schemas/release.schema.json, size-limited.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isPortolanError, type PortolanError } from '../../src/errors.js';
import {
  MAX_RECORD_BYTES,
  ReleaseStorage,
  MemoryDriver,
  checkReleaseName,
  decodeRecord,
  encodeRecord,
  parseJsonKeepingBigInts,
  recordKey,
  recordProblems,
} from '../../src/release/index.js';
import { buildRecord } from './records.js';

function caught(fn: () => unknown): PortolanError {
  try {
    fn();
  } catch (err) {
    if (isPortolanError(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}

async function rejected(p: Promise<unknown>): Promise<PortolanError> {
  try {
    await p;
  } catch (err) {
    if (isPortolanError(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('release record encoding', () => {
  it('round-trips through gzip and base64 unchanged', async () => {
    const record = buildRecord({
      hooks: [
        {
          name: 'migrate',
          kind: 'Job',
          path: 'webapp/templates/job.yaml',
          manifest: 'kind: Job',
          events: ['pre-upgrade'],
          weight: -5,
          deletePolicies: ['hook-succeeded'],
          lastRun: {
            startedAt: '2025-01-01T00:00:01.000Z',
            completedAt: '2025-01-01T00:00:02.000Z',
            phase: 'Succeeded',
          },
        },
      ],
    });
    const encoded = encodeRecord(record);
    expect(gzipSync(Buffer.from('x')).subarray(0, 2)).toEqual(Buffer.from(encoded, 'base64').subarray(0, 2));
    expect(await decodeRecord(encoded, 'test')).toEqual(record);
  });

  it('keeps integers beyond 2^53 from --set digit for digit', async () => {
    const record = buildRecord({ config: { big: 12345678901234567890n, small: 3, text: '98765432109876543210' } });
    const back = await decodeRecord(encodeRecord(record), 'test');
    expect(back.config.big).toBe(12345678901234567890n);
    expect(back.config.small).toBe(3);
    expect(back.config.text).toBe('98765432109876543210');
  });

  it('names revisions portolan.release.v1.<name>.v<revision>', () => {
    expect(recordKey('web', 12)).toBe('portolan.release.v1.web.v12');
  });

  it('matches schemas/release.schema.json, and a broken one does not', async () => {
    expect(await recordProblems(buildRecord())).toEqual([]);
    const bad = { ...buildRecord(), status: 'happy', revision: 0 } as unknown;
    const problems = await recordProblems(bad);
    expect(problems.some((p) => p.startsWith('/revision'))).toBe(true);
    expect(problems.some((p) => p.startsWith('/status'))).toBe(true);
  });

  it('refuses data that is not a gzip record, naming the object', async () => {
    const err = await rejected(
      decodeRecord(Buffer.from('not gzip').toString('base64'), 'Secret default/portolan.release.v1.web.v1'),
    );
    expect(err.code).toBe('RELEASE');
    expect(err.message).toContain('Secret default/portolan.release.v1.web.v1');
  });

  it('refuses a record that does not match the schema, listing the problems', async () => {
    const data = gzipSync(Buffer.from(JSON.stringify({ name: 'web', revision: 'one' }))).toString('base64');
    const err = await rejected(decodeRecord(data, 'ConfigMap x/y'));
    expect(err.message).toContain('does not match schemas/release.schema.json');
    expect(err.problems?.some((p) => p.includes('/revision'))).toBe(true);
  });

  it('refuses a gzip bomb instead of inflating it', async () => {
    const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024, 0x20)).toString('base64');
    const err = await rejected(decodeRecord(bomb, 'Secret a/b'));
    expect(err.code).toBe('RELEASE');
  });

  it('refuses to store a record over 1 MiB compressed, before writing it', async () => {
    const storage = new ReleaseStorage(new MemoryDriver('default'));
    const manifest = `---\n# Source: big/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: ${randomBytes(900 * 1024).toString('base64')}\n`;
    const record = buildRecord({ manifest });
    const err = await storage.create(record).then(
      () => undefined,
      (e: unknown) => e as PortolanError,
    );
    expect(err?.message).toMatch(
      /too large to store: its record is 1\.\d+ MiB compressed, and Kubernetes keeps at most 1\.00 MiB/,
    );
    expect(await storage.history('web')).toEqual([]);
    expect(MAX_RECORD_BYTES).toBe(1048576);
  });
});

describe('release names', () => {
  it.each(['web', 'a', 'shop-prod-2', 'x'.repeat(53)])('accepts %s', (name) => {
    expect(() => checkReleaseName(name)).not.toThrow();
  });
  it.each(['', 'Web', '-web', 'web-', 'web_app', 'web.app', 'x'.repeat(54)])('refuses %j', (name) => {
    expect(caught(() => checkReleaseName(name)).code).toBe('RELEASE');
  });
});

describe('JSON with big integers', () => {
  it.each([
    ['{"a":1}', { a: 1 }],
    ['[9007199254740993]', [9007199254740993n]],
    ['{"a":-12345678901234567890}', { a: -12345678901234567890n }],
    ['{"a":"12345678901234567890"}', { a: '12345678901234567890' }],
    ['{"a":"x\\"12345678901234567890"}', { a: 'x"12345678901234567890' }],
    ['{"a":1.5e300,"b":9007199254740991}', { a: 1.5e300, b: 9007199254740991 }],
  ])('parses %s', (text, expected) => {
    expect(parseJsonKeepingBigInts(text)).toEqual(expected);
  });
});
