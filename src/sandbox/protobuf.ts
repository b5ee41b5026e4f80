// Kubernetes' protobuf encoding, read side: kubectl's typed clients (`kubectl create deployment|job|service|role|…`,
// DeleteOptions) send `k8s\0`-framed runtime.Unknown bodies. The field tables come from kubectl's own descriptors
// (protobuf-schema.ts, generated); this turns a message into the JSON object the API would have received.
//
// Go's protobuf marshalling writes non-pointer fields even when they hold their zero value, while JSON omits them
// (`omitempty`). So zero scalars are dropped, except for the pointer fields where zero or false means something other
// than "unset" (KEEP_ZERO, KEEP_FALSE, KEEP_EMPTY); empty structs stay, as Go's JSON writes them too.
import type { Json, JsonObject } from './patch.js';
import { PROTOBUF_MESSAGES, PROTOBUF_ROOTS } from './protobuf-schema.js';

export class ProtobufError extends Error {}

interface Field {
  name: string;
  repeated: boolean;
  /** Go embeds this struct: its members appear in the parent's JSON object. */
  inline: boolean;
  /** s y i u b time quantity intstr raw (see protobuf-schema.ts), `@Message`, or `map`; others are refused. */
  type: string;
  /** For maps: the value type (`s`, `@Message`, …). */
  mapValue?: string;
}

const KEEP_ZERO = new Set([
  'replicas',
  'minReplicas',
  'backoffLimit',
  'backoffLimitPerIndex',
  'maxFailedIndexes',
  'parallelism',
  'completions',
  'activeDeadlineSeconds',
  'ttlSecondsAfterFinished',
  'startingDeadlineSeconds',
  'successfulJobsHistoryLimit',
  'failedJobsHistoryLimit',
  'revisionHistoryLimit',
  'progressDeadlineSeconds',
  'terminationGracePeriodSeconds',
  'gracePeriodSeconds',
  'deletionGracePeriodSeconds',
  'runAsUser',
  'runAsGroup',
  'fsGroup',
  'defaultMode',
  'mode',
  'priority',
  'expirationSeconds',
  'leaseDurationSeconds',
  'leaseTransitions',
]);
const KEEP_FALSE = new Set([
  'automountServiceAccountToken',
  'enableServiceLinks',
  'allowPrivilegeEscalation',
  'hostUsers',
  'allocateLoadBalancerNodePorts',
]);
const KEEP_EMPTY = new Set(['storageClassName']);

const parsed = new Map<string, Map<number, Field>>();

function schemaOf(message: string): Map<number, Field> {
  let fields = parsed.get(message);
  if (fields) return fields;
  const text = PROTOBUF_MESSAGES[message];
  if (text === undefined) throw new ProtobufError(`no protobuf schema for ${message}`);
  fields = new Map();
  for (const spec of text.split(' ')) {
    const m = /^(\d+)(\*?)(\^?)(\w+):(.+)$/.exec(spec);
    if (!m) throw new ProtobufError(`bad schema entry ${spec} in ${message}`);
    const type = m[5]!;
    fields.set(Number(m[1]), {
      name: m[4]!,
      repeated: m[2] === '*',
      inline: m[3] === '^',
      type: type.startsWith('{') ? 'map' : type,
      mapValue: type.startsWith('{') ? type.slice(1) : undefined,
    });
  }
  parsed.set(message, fields);
  return fields;
}

const TWO_63 = 2n ** 63n;
const TWO_64 = 2n ** 64n;

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new ProtobufError('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new ProtobufError('varint too long');
    }
  }
  small(): number {
    return Number(this.varint());
  }
  bytes(): Buffer {
    const n = this.small();
    if (this.pos + n > this.buf.length) throw new ProtobufError('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  fixed(n: 4 | 8): Buffer {
    if (this.pos + n > this.buf.length) throw new ProtobufError('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.fixed(8);
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.fixed(4);
    else throw new ProtobufError(`unsupported wire type ${wire}`);
  }
}

function timeText(seconds: number, nanos: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return nanos > 0
    ? `${iso.slice(0, 19)}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`
    : `${iso.slice(0, 19)}Z`;
}

function isNumeric(type: string): boolean {
  return type === 'i' || type === 'u' || type === 'b';
}

/** One value of a field; undefined when it is a zero that JSON would not carry. */
function readValue(r: Reader, wire: number, type: string, name: string): Json | undefined {
  switch (type) {
    case 'i':
    case 'u':
    case 'b': {
      if (wire !== 0) throw new ProtobufError(`field ${name}: wire type ${wire}, expected a varint`);
      const raw = r.varint();
      if (type === 'b') return raw !== 0n;
      if (type === 'u') return Number(raw);
      return Number(raw >= TWO_63 ? raw - TWO_64 : raw);
    }
  }
  if (wire !== 2) throw new ProtobufError(`field ${name}: wire type ${wire}, expected length-delimited`);
  const bytes = r.bytes();
  switch (type) {
    case 's':
      return bytes.toString('utf8');
    case 'y':
      return bytes.toString('base64');
    case 'time': {
      const t = decodeFields(
        bytes,
        new Map([
          [1, { name: 'seconds', repeated: false, inline: false, type: 'i' }],
          [2, { name: 'nanos', repeated: false, inline: false, type: 'i' }],
        ]),
      );
      const seconds = Number(t.seconds ?? 0);
      const nanos = Number(t.nanos ?? 0);
      return seconds === 0 && nanos === 0 ? undefined : timeText(seconds, nanos);
    }
    case 'quantity':
      return String(
        decodeFields(bytes, new Map([[1, { name: 'string', repeated: false, inline: false, type: 's' }]])).string ??
          '0',
      );
    case 'intstr': {
      const v = decodeFields(
        bytes,
        new Map([
          [1, { name: 'type', repeated: false, inline: false, type: 'i' }],
          [2, { name: 'intVal', repeated: false, inline: false, type: 'i' }],
          [3, { name: 'strVal', repeated: false, inline: false, type: 's' }],
        ]),
      );
      return v.type === 1 ? String(v.strVal ?? '') : Number(v.intVal ?? 0);
    }
    case 'raw': {
      const raw = decodeFields(bytes, new Map([[1, { name: 'raw', repeated: false, inline: false, type: 'y' }]])).raw;
      const text = Buffer.from(String(raw ?? ''), 'base64').toString('utf8');
      if (text === '') return undefined;
      try {
        return JSON.parse(text) as Json;
      } catch {
        throw new ProtobufError(`field ${name}: embedded object is not JSON`);
      }
    }
  }
  if (type.startsWith('@')) return decodeFields(bytes, schemaOf(type.slice(1)));
  throw new ProtobufError(`field ${name}: unknown schema type ${type}`);
}

function isZero(value: Json, name: string): boolean {
  if (value === '') return !KEEP_EMPTY.has(name);
  if (value === 0) return !KEEP_ZERO.has(name);
  if (value === false) return !KEEP_FALSE.has(name);
  return false;
}

function decodeFields(buf: Buffer, schema: Map<number, Field>): JsonObject {
  const r = new Reader(buf);
  const out: JsonObject = {};
  while (!r.done) {
    const tag = r.small();
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    const field = schema.get(num);
    if (!field) {
      r.skip(wire); // a field newer than our tables: ignored, as protobuf readers do
      continue;
    }
    if (field.type === 'map') {
      if (wire !== 2) throw new ProtobufError(`field ${field.name}: wire type ${wire}, expected a map entry`);
      const entry = new Reader(r.bytes());
      let key = '';
      let value: Json | undefined;
      while (!entry.done) {
        const t = entry.small();
        if (t >>> 3 === 1) key = String(readValue(entry, t & 7, 's', field.name));
        else if (t >>> 3 === 2) value = readValue(entry, t & 7, field.mapValue!, field.name);
        else entry.skip(t & 7);
      }
      const map = (out[field.name] ?? {}) as JsonObject;
      map[key] =
        value ?? (field.mapValue === 's' || field.mapValue === 'y' ? '' : field.mapValue!.startsWith('@') ? {} : null);
      out[field.name] = map;
      continue;
    }
    if (field.repeated) {
      const list = (out[field.name] ?? []) as Json[];
      if (wire === 2 && isNumeric(field.type)) {
        const packed = new Reader(r.bytes());
        while (!packed.done) list.push(readValue(packed, 0, field.type, field.name) ?? 0);
      } else {
        const v = readValue(r, wire, field.type, field.name);
        list.push(v === undefined ? null : v);
      }
      out[field.name] = list;
      continue;
    }
    const value = readValue(r, wire, field.type, field.name);
    if (value === undefined || isZero(value, field.name)) continue;
    if (field.inline && typeof value === 'object' && value !== null && !Array.isArray(value)) Object.assign(out, value);
    else out[field.name] = value;
  }
  return out;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const UNKNOWN = new Map<number, Field>([
  [1, { name: 'typeMeta', repeated: false, inline: false, type: '@runtime.TypeMeta' }],
  [2, { name: 'raw', repeated: false, inline: false, type: 'y' }],
]);
const TYPE_META = new Map<number, Field>([
  [1, { name: 'apiVersion', repeated: false, inline: false, type: 's' }],
  [2, { name: 'kind', repeated: false, inline: false, type: 's' }],
]);

/** Decodes a `k8s\0`-framed protobuf object of a supported kind into its JSON form. */
export function decodeKubeProtobuf(buf: Buffer): JsonObject {
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) throw new ProtobufError('missing k8s protobuf envelope');
  parsed.set('runtime.TypeMeta', TYPE_META);
  const unknown = decodeFields(buf.subarray(4), UNKNOWN);
  const typeMeta = (unknown.typeMeta ?? {}) as JsonObject;
  const kind = String(typeMeta.kind ?? '');
  let apiVersion = String(typeMeta.apiVersion ?? '');
  let root = PROTOBUF_ROOTS[`${apiVersion}/${kind}`];
  if (!root && kind === 'DeleteOptions') {
    // DeleteOptions travel as meta.k8s.io/v1, or under the resource's own group version.
    root = PROTOBUF_ROOTS['meta.k8s.io/v1/DeleteOptions'];
    apiVersion ||= 'meta.k8s.io/v1';
  }
  if (!root)
    throw new ProtobufError(
      `protobuf bodies of ${apiVersion ? `${apiVersion} ` : ''}${kind || '(no kind)'} are not supported by the sandbox; send JSON`,
    );
  const obj = decodeFields(Buffer.from(String(unknown.raw ?? ''), 'base64'), schemaOf(root));
  return { apiVersion, kind, ...obj };
}
