// Regenerates src/sandbox/protobuf-schema.ts: the protobuf field numbers, names and types of the kinds the sandbox
// decodes, read from the FileDescriptorProtos that the real kubectl binary carries (gzipped, one per generated.proto
// of k8s.io/api and k8s.io/apimachinery). Fields that Go embeds inline in JSON are found by comparing each message
// with the JSON property names in kubernetes-models' type declarations.
// Usage: npm run peers && node scripts/gen-sandbox-protobuf.mjs
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as prettier from 'prettier';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const kubectl = join(root, '.peers', 'kubectl');
if (!existsSync(kubectl)) throw new Error(`${kubectl} missing: run npm run peers`);

// The kinds whose protobuf bodies the sandbox accepts (what kubectl's typed clients send), by apiVersion/kind.
const ROOTS = {
  'v1/Namespace': 'core.v1.Namespace',
  'v1/ConfigMap': 'core.v1.ConfigMap',
  'v1/Secret': 'core.v1.Secret',
  'v1/Service': 'core.v1.Service',
  'v1/ServiceAccount': 'core.v1.ServiceAccount',
  'v1/Pod': 'core.v1.Pod',
  'v1/PersistentVolumeClaim': 'core.v1.PersistentVolumeClaim',
  'v1/Event': 'core.v1.Event',
  'v1/Endpoints': 'core.v1.Endpoints',
  'apps/v1/Deployment': 'apps.v1.Deployment',
  'apps/v1/StatefulSet': 'apps.v1.StatefulSet',
  'apps/v1/DaemonSet': 'apps.v1.DaemonSet',
  'apps/v1/ReplicaSet': 'apps.v1.ReplicaSet',
  'batch/v1/Job': 'batch.v1.Job',
  'batch/v1/CronJob': 'batch.v1.CronJob',
  'networking.k8s.io/v1/Ingress': 'networking.v1.Ingress',
  'networking.k8s.io/v1/NetworkPolicy': 'networking.v1.NetworkPolicy',
  'rbac.authorization.k8s.io/v1/Role': 'rbac.v1.Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'rbac.v1.RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'rbac.v1.ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'rbac.v1.ClusterRoleBinding',
  'autoscaling/v1/Scale': 'autoscaling.v1.Scale',
  'autoscaling/v2/HorizontalPodAutoscaler': 'autoscaling.v2.HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget': 'policy.v1.PodDisruptionBudget',
  'coordination.k8s.io/v1/Lease': 'coordination.v1.Lease',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'authorization.v1.SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'authorization.v1.SelfSubjectRulesReview',
  'authorization.k8s.io/v1/SubjectAccessReview': 'authorization.v1.SubjectAccessReview',
  'authorization.k8s.io/v1/LocalSubjectAccessReview': 'authorization.v1.LocalSubjectAccessReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'authentication.v1.SelfSubjectReview',
  'meta.k8s.io/v1/DeleteOptions': 'meta.v1.DeleteOptions',
};
// Well-known messages with their own JSON form.
const SPECIAL = {
  'meta.v1.Time': 'time',
  'meta.v1.MicroTime': 'time',
  'api.resource.Quantity': 'quantity',
  'util.intstr.IntOrString': 'intstr',
  'runtime.RawExtension': 'raw',
  'meta.v1.FieldsV1': 'raw',
};
// descriptor field type → schema type letter (int32/int64 i, uint32/uint64 u, bool b, string s, bytes y). The decoder
// reads nothing else: a kind needing doubles, zigzag ints or meta.v1.Duration makes this script fail, not guess.
const SCALAR = { 3: 'i', 4: 'u', 5: 'i', 8: 'b', 9: 's', 12: 'y', 13: 'u' };

function* protoFields(buf) {
  let p = 0;
  const varint = () => {
    let r = 0;
    let m = 1;
    for (;;) {
      const b = buf[p++];
      r += (b & 0x7f) * m;
      if (!(b & 0x80)) return r;
      m *= 128;
    }
  };
  while (p < buf.length) {
    const tag = varint();
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) yield [num, varint()];
    else if (wire === 2) {
      const n = varint();
      yield [num, buf.subarray(p, p + n)];
      p += n;
    } else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else throw new Error(`wire type ${wire}`);
  }
}

const short = (full) => full.replace(/^\.k8s\.io\.(api\.|apimachinery\.pkg\.apis\.|apimachinery\.pkg\.)?/, '');

/** Every message of every k8s.io FileDescriptorProto in the binary, by short name. */
function readDescriptors(bin) {
  const magic = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff]);
  const messages = {};
  for (let i = bin.indexOf(magic); i >= 0; i = bin.indexOf(magic, i + 1)) {
    let file;
    try {
      file = gunzipSync(bin.subarray(i, i + 1_000_000), { finishFlush: 2 });
    } catch {
      continue;
    }
    let name;
    let pkg;
    const bodies = [];
    try {
      for (const [n, v] of protoFields(file)) {
        if (n === 1) name = v.toString();
        else if (n === 2) pkg = v.toString();
        else if (n === 4) bodies.push(v);
      }
    } catch {
      continue;
    }
    if (!name?.startsWith('k8s.io/') || !pkg) continue;
    const parse = (body, prefix) => {
      let mname;
      let mapEntry = false;
      const fields = [];
      const nested = [];
      for (const [n, v] of protoFields(body)) {
        if (n === 1) mname = v.toString();
        else if (n === 2) {
          const f = {};
          for (const [fn, fv] of protoFields(v)) {
            if (fn === 1) f.name = fv.toString();
            else if (fn === 3) f.number = fv;
            else if (fn === 4) f.label = fv;
            else if (fn === 5) f.type = fv;
            else if (fn === 6) f.typeName = short(fv.toString());
          }
          fields.push(f);
        } else if (n === 3) nested.push(v);
        else if (n === 7) for (const [on, ov] of protoFields(v)) if (on === 7) mapEntry = ov === 1;
      }
      const full = `${prefix}.${mname}`;
      messages[short(full)] = { fields, mapEntry };
      for (const b of nested) parse(b, full);
    };
    for (const b of bodies) parse(b, `.${pkg}`);
  }
  return messages;
}

/** JSON property names of a message, from kubernetes-models' declarations (undefined when not found). */
function jsonProperties(message) {
  const [group, version, kind] = message.split('.');
  const folder = {
    core: 'v1',
    apps: `apps/${version}`,
    batch: `batch/${version}`,
    networking: `networking.k8s.io/${version}`,
    rbac: `rbac.authorization.k8s.io/${version}`,
    autoscaling: `autoscaling/${version}`,
    policy: `policy/${version}`,
    coordination: `coordination.k8s.io/${version}`,
  }[group];
  let file;
  try {
    file =
      group === 'meta'
        ? require.resolve(`@kubernetes-models/apimachinery/apis/meta/${version}/${kind}`)
        : folder
          ? require.resolve(`kubernetes-models/${folder}/${kind}`)
          : undefined;
  } catch {
    return undefined;
  }
  if (!file) return undefined;
  const text = readFileSync(file.replace(/\.js$/, '.d.ts'), 'utf8');
  const body = /export interface I\w+ \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? '';
  return new Set([...body.matchAll(/^\s+"(\w+)"\??:/gm)].map((m) => m[1]));
}

const all = readDescriptors(readFileSync(kubectl));
const needed = new Set();
const queue = Object.values(ROOTS);
while (queue.length > 0) {
  const m = queue.pop();
  if (needed.has(m) || SPECIAL[m]) continue;
  if (!all[m]) throw new Error(`kubectl carries no descriptor for ${m}`);
  if (m === 'meta.v1.Duration') throw new Error('meta.v1.Duration is not supported by the decoder');
  needed.add(m);
  for (const f of all[m].fields) if (f.typeName) queue.push(f.typeName);
}

const lines = [];
const inlined = [];
for (const m of [...needed].sort()) {
  const msg = all[m];
  if (msg.mapEntry) continue;
  const props = jsonProperties(m);
  const fields = msg.fields.map((f) => {
    let type;
    if (f.type === 11) {
      const entry = all[f.typeName];
      if (entry?.mapEntry) {
        const value = entry.fields.find((x) => x.number === 2);
        type = `{${value.type === 11 ? (SPECIAL[value.typeName] ?? `@${value.typeName}`) : SCALAR[value.type]}`;
      } else type = SPECIAL[f.typeName] ?? `@${f.typeName}`;
    } else type = SCALAR[f.type];
    if (!type) throw new Error(`unsupported field type ${f.type} in ${m}.${f.name}`);
    // Embedded Go structs are fields in protobuf but inline in JSON: the field is not a JSON property, its members
    // are (most of them: kubernetes-models may predate a field or two that 1.34 added).
    const sub = f.type === 11 && !SPECIAL[f.typeName] ? all[f.typeName] : undefined;
    const known = sub && !sub.mapEntry && props ? sub.fields.filter((x) => props.has(x.name)).length : 0;
    const inline =
      props !== undefined && !props.has(f.name) && sub !== undefined && known >= Math.max(1, 0.8 * sub.fields.length);
    if (inline) inlined.push(`${m}.${f.name}`);
    return `${f.number}${f.label === 3 ? '*' : ''}${inline ? '^' : ''}${f.name}:${type}`;
  });
  lines.push(`  '${m}': '${fields.join(' ')}',`);
}

const out = join(root, 'src', 'sandbox', 'protobuf-schema.ts');
const text = `// Generated by scripts/gen-sandbox-protobuf.mjs from the protobuf descriptors inside kubectl 1.34 (k8s.io/api and
// k8s.io/apimachinery generated.proto): do not edit by hand. A field is NUMBER[*repeated][^inline-in-JSON]NAME:TYPE
// with TYPE one of s string, y bytes, i signed int, u unsigned int, b bool, time, quantity, intstr, raw (embedded
// JSON), @Message, or {VALUE for a map with string keys.

/** apiVersion/kind → root message. */
export const PROTOBUF_ROOTS: Record<string, string> = ${JSON.stringify(ROOTS, null, 2).replace(/"/g, "'").replace(/\n}/, ',\n}')};

export const PROTOBUF_MESSAGES: Record<string, string> = {
${lines.join('\n')}
};
`;
const formatted = await prettier.format(text, { ...(await prettier.resolveConfig(out)), filepath: out });
writeFileSync(`${out}.tmp`, formatted);
renameSync(`${out}.tmp`, out);
console.log(`wrote ${out}: ${lines.length} messages; inline in JSON: ${inlined.join(', ')}`);
