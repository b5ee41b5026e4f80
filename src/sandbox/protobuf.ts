// Just enough of Kubernetes' protobuf encoding to read what kubectl's typed clients send (`kubectl create namespace`,
// `create configmap`, `create secret`, `create serviceaccount`, DeleteOptions): the `k8s\0` envelope around
// runtime.Unknown, and the generated.proto field numbers of those few kinds.
import type { Json, JsonObject } from './patch.js';

type Field =
  | { name: string; type: 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'map-string' | 'map-bytes'; repeated?: boolean }
  | { name: string; type: 'msg'; schema: Schema; repeated?: boolean };
type Schema = Record<number, Field>;

const TIME: Schema = { 1: { name: 'seconds', type: 'int' }, 2: { name: 'nanos', type: 'int' } };
const OWNER_REF: Schema = {
  1: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'controller', type: 'bool' },
  7: { name: 'blockOwnerDeletion', type: 'bool' },
};
const OBJECT_META: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int' },
  8: { name: 'creationTimestamp', type: 'time' },
  11: { name: 'labels', type: 'map-string' },
  12: { name: 'annotations', type: 'map-string' },
  13: { name: 'ownerReferences', type: 'msg', schema: OWNER_REF, repeated: true },
  14: { name: 'finalizers', type: 'string', repeated: true },
};
const NAME_REF: Schema = { 1: { name: 'name', type: 'string' } };
const OBJECT_REF: Schema = {
  1: { name: 'kind', type: 'string' },
  2: { name: 'namespace', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
};

const KINDS: Record<string, Schema> = {
  Namespace: {
    1: { name: 'metadata', type: 'msg', schema: OBJECT_META },
    2: { name: 'spec', type: 'msg', schema: { 1: { name: 'finalizers', type: 'string', repeated: true } } },
  },
  ConfigMap: {
    1: { name: 'metadata', type: 'msg', schema: OBJECT_META },
    2: { name: 'data', type: 'map-string' },
    3: { name: 'binaryData', type: 'map-bytes' },
    4: { name: 'immutable', type: 'bool' },
  },
  Secret: {
    1: { name: 'metadata', type: 'msg', schema: OBJECT_META },
    2: { name: 'data', type: 'map-bytes' },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'map-string' },
    5: { name: 'immutable', type: 'bool' },
  },
  ServiceAccount: {
    1: { name: 'metadata', type: 'msg', schema: OBJECT_META },
    2: { name: 'secrets', type: 'msg', schema: OBJECT_REF, repeated: true },
    3: { name: 'imagePullSecrets', type: 'msg', schema: NAME_REF, repeated: true },
    4: { name: 'automountServiceAccountToken', type: 'bool' },
  },
  DeleteOptions: {
    1: { name: 'gracePeriodSeconds', type: 'int' },
    2: { name: 'preconditions', type: 'msg', schema: { 1: { name: 'uid', type: 'string' }, 2: { name: 'resourceVersion', type: 'string' } } },
    3: { name: 'orphanDependents', type: 'bool' },
    4: { name: 'propagationPolicy', type: 'string' },
    5: { name: 'dryRun', type: 'string', repeated: true },
  },
};

export class ProtobufError extends Error {}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new ProtobufError('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
  }
  bytes(): Buffer {
    const n = this.varint();
    if (this.pos + n > this.buf.length) throw new ProtobufError('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new ProtobufError(`unsupported wire type ${wire}`);
  }
}

function decodeMessage(buf: Buffer, schema: Schema): JsonObject {
  const r = new Reader(buf);
  const out: JsonObject = {};
  while (!r.done) {
    const tag = r.varint();
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    const field = schema[num];
    if (!field) {
      r.skip(wire);
      continue;
    }
    let value: Json;
    switch (field.type) {
      case 'string':
        value = r.bytes().toString('utf8');
        break;
      case 'bytes':
        value = r.bytes().toString('base64');
        break;
      case 'int':
        value = r.varint();
        break;
      case 'bool':
        value = r.varint() !== 0;
        break;
      case 'time': {
        const t = decodeMessage(r.bytes(), TIME);
        value = new Date(Number(t.seconds ?? 0) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
        break;
      }
      case 'map-string':
      case 'map-bytes': {
        const entry = decodeMessage(r.bytes(), { 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: field.type === 'map-string' ? 'string' : 'bytes' } });
        const map = (out[field.name] ?? {}) as JsonObject;
        map[String(entry.key ?? '')] = entry.value ?? '';
        out[field.name] = map;
        continue;
      }
      case 'msg':
        value = decodeMessage(r.bytes(), field.schema);
        break;
    }
    if (!field.repeated && (value === '' || (value === 0 && field.name === 'generation'))) continue;
    if (field.repeated) {
      const list = (out[field.name] ?? []) as Json[];
      list.push(value);
      out[field.name] = list;
    } else out[field.name] = value;
  }
  return out;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a `k8s\0`-framed protobuf object of a supported kind into its JSON form. */
export function decodeKubeProtobuf(buf: Buffer): JsonObject {
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) throw new ProtobufError('missing k8s protobuf envelope');
  const unknown = decodeMessage(buf.subarray(4), {
    1: { name: 'typeMeta', type: 'msg', schema: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } },
    2: { name: 'raw', type: 'bytes' },
  });
  const typeMeta = (unknown.typeMeta ?? {}) as JsonObject;
  const kind = String(typeMeta.kind ?? '');
  const schema = KINDS[kind];
  if (!schema) throw new ProtobufError(`protobuf bodies of kind ${kind || '(none)'} are not supported by the sandbox; send JSON`);
  const obj = decodeMessage(Buffer.from(String(unknown.raw ?? ''), 'base64'), schema);
  return { apiVersion: String(typeMeta.apiVersion ?? 'v1'), kind, ...obj };
}
