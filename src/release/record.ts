// The release record on the wire: JSON (integers beyond 2^53 kept exact) → gzip → base64, as data.release of a
// Secret or ConfigMap; and back, refusing anything that does not match schemas/release.schema.json.
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ValidateFunction } from 'ajv';
import { PortolanError, messageOf } from '../errors.js';
import { packageFile } from '../package-files.js';
import { compileSchema, forValidation, valuesToJson } from '../values/index.js';
import type { ReleaseRecord } from './types.js';

/** Kubernetes refuses Secrets and ConfigMaps whose data is larger than this. */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** A stored record that inflates beyond this is refused rather than read (a gzip bomb in a hostile Secret). */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export const RECORD_PREFIX = 'portolan.release.v1';
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_RELEASE_NAME = 53;

/** `portolan.release.v1.<name>.v<revision>`: the Secret/ConfigMap name of one revision. */
export function recordKey(name: string, revision: number): string {
  return `${RECORD_PREFIX}.${name}.v${revision}`;
}

/** Throws unless `name` is a DNS-1123 label of at most 53 characters. */
export function checkReleaseName(name: string): void {
  if (name.length === 0 || name.length > MAX_RELEASE_NAME || !NAME.test(name)) {
    throw new PortolanError(
      'RELEASE',
      `invalid release name ${JSON.stringify(name)}: ${name.length > MAX_RELEASE_NAME ? `it has ${name.length} characters, at most ${MAX_RELEASE_NAME} are allowed` : 'it must be a DNS-1123 label'}`,
      {
        hint: 'Use lower-case letters, digits and "-", starting and ending with a letter or digit, at most 53 characters (e.g. "web", "shop-prod").',
      },
    );
  }
}

/** The record as JSON text (map keys sorted, big integers exact). */
export function recordToJson(record: ReleaseRecord): string {
  return valuesToJson(record);
}

/** base64(gzip(JSON)): what goes under data.release. */
export function encodeRecord(record: ReleaseRecord): string {
  return gzipSync(Buffer.from(recordToJson(record), 'utf8'), { level: 9 }).toString('base64');
}

/** Refuses a record the cluster would refuse, before anything of the operation is applied. */
export function checkRecordSize(record: ReleaseRecord, encoded: string): void {
  const size = Buffer.byteLength(encoded);
  if (size > MAX_RECORD_BYTES) {
    throw new PortolanError(
      'RELEASE',
      `release "${record.name}" revision ${record.revision} is too large to store: its record is ${formatBytes(size)} compressed, and Kubernetes keeps at most ${formatBytes(MAX_RECORD_BYTES)} in one Secret or ConfigMap; nothing was applied`,
      {
        hint: 'Move large data out of the templates (files served from elsewhere, a volume, an image), or split the chart into several releases.',
      },
    );
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

/**
 * JSON.parse that keeps integers beyond Number.MAX_SAFE_INTEGER as BigInt (as `--set` gave them), so reused values
 * survive a round-trip through the cluster digit for digit.
 */
export function parseJsonKeepingBigInts(text: string): unknown {
  let marked = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++;
      const token = text.slice(i, j);
      if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
        marked += `${text.slice(last, i)}"\\u0000big:${token}"`;
        last = j;
      }
      i = j - 1;
    }
  }
  if (last === 0) return JSON.parse(text);
  marked += text.slice(last);
  return JSON.parse(marked, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith('\u0000big:') ? BigInt(value.slice(5)) : value,
  );
}

let validator: ValidateFunction | undefined;
function recordValidator(): ValidateFunction {
  if (!validator) {
    const file = packageFile('schemas/release.schema.json');
    if (!file) throw new PortolanError('INTERNAL', 'schemas/release.schema.json is missing from the portolan package');
    validator = compileSchema(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, file);
  }
  return validator;
}

/** Problems of a record against schemas/release.schema.json (empty when it matches). */
export async function recordProblems(record: unknown): Promise<string[]> {
  const validate = recordValidator();
  if (validate(forValidation(record))) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/** data.release → the record; `where` names the Secret/ConfigMap for messages. */
export async function decodeRecord(data: string, where: string): Promise<ReleaseRecord> {
  let json: string;
  try {
    json = gunzipSync(Buffer.from(data, 'base64'), { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
  } catch (err) {
    throw new PortolanError('RELEASE', `${where} does not hold a readable release record: ${messageOf(err)}`, {
      hint: 'The object was changed by something other than portolan; delete it or restore it from a backup.',
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = parseJsonKeepingBigInts(json);
  } catch (err) {
    throw new PortolanError('RELEASE', `${where} holds a release record that is not valid JSON: ${messageOf(err)}`, {
      cause: err,
    });
  }
  const problems = await recordProblems(parsed);
  if (problems.length > 0) {
    throw new PortolanError(
      'RELEASE',
      `${where} holds a release record that does not match schemas/release.schema.json`,
      {
        problems,
        hint: 'The object was changed by something other than portolan; delete it or restore it from a backup.',
      },
    );
  }
  return parsed as ReleaseRecord;
}
