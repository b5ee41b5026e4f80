// The Kubernetes OpenAPI schemas of built-in kinds, read from the `kubernetes-models` package that `lint` validates
// against (one source for both). The package ships each definition as a generated TypeScript declaration (fields,
// types, required, enums, descriptions) beside its compiled validator; this module reads the declarations into
// OpenAPI definitions, lazily: a kind's file and the files it references are read on first use, then kept.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Json } from './patch.js';

/** An OpenAPI (v2-style `$ref`) schema, as Kubernetes publishes them and CRDs write them. */
export interface Schema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: Json[];
  $ref?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  nullable?: boolean;
  default?: Json;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>;
}

export const REF_PREFIX = '#/definitions/';

interface Source {
  /** The package's folder, where `<group>/<version>/<Kind>.d.ts` live. */
  root: string;
  require: NodeJS.Require;
}

let source: Source | null | undefined;

function packageSource(): Source | null {
  if (source !== undefined) return source;
  try {
    const req = createRequire(import.meta.url);
    const manifest = req.resolve('kubernetes-models/package.json');
    source = { root: dirname(manifest), require: createRequire(manifest) };
  } catch {
    source = null;
  }
  return source;
}

/** True when the schemas are installed (kubernetes-models is an optional dependency of a published build). */
export function schemasAvailable(): boolean {
  return packageSource() !== null;
}

const definitions = new Map<string, Schema>();
/** Declaration file → its definition name (or null when it is not one). */
const fileNames = new Map<string, string | null>();

/** `IoK8sApiAppsV1DeploymentSpec` → `io.k8s.api.apps.v1.DeploymentSpec`. */
export function definitionName(alias: string): string {
  const m = /^(.*?)(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/.exec(alias);
  const words = (prefix: string) => prefix.split(/(?=[A-Z])/).map((w) => w.toLowerCase());
  if (m) return [...words(m[1]!), m[2]!.toLowerCase(), m[3]!].join('.');
  const parts = alias.split(/(?=[A-Z])/);
  const last = parts.pop()!;
  return [...parts.map((w) => w.toLowerCase()), last].join('.');
}

/** The Go type name a definition prints as in decoding errors: `v1.PodSpec`, `resource.Quantity`. */
export function goTypeName(name: string): string {
  const parts = name.split('.');
  return parts.slice(-2).join('.');
}

/** The definition of a built-in kind (`apps/v1`, `Deployment`), or undefined when the package has none. */
export function kindDefinition(apiVersion: string, kind: string): string | undefined {
  const src = packageSource();
  if (!src) return undefined;
  if (!/^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind))
    return undefined;
  const file = join(src.root, apiVersion, `${kind}.d.ts`);
  return readDeclaration(file); // remembered per file, a missing one too
}

/** A definition by name, reading its file if it was not read yet (names come from kindDefinition's `$ref`s). */
export function definition(name: string): Schema | undefined {
  return definitions.get(name);
}

/** Every definition read so far. */
export function loadedDefinitions(): ReadonlyMap<string, Schema> {
  return definitions;
}

function resolveImport(fromFile: string, specifier: string): string | undefined {
  const src = packageSource()!;
  if (specifier.startsWith('.')) return `${resolve(dirname(fromFile), specifier)}.d.ts`;
  const m = /^(@[^/]+\/[^/]+|[^@/][^/]*)\/(.+)$/.exec(specifier);
  if (!m) return undefined;
  try {
    return join(dirname(src.require.resolve(`${m[1]!}/package.json`)), `${m[2]!}.d.ts`);
  } catch {
    return undefined;
  }
}

function readDeclaration(file: string): string | undefined {
  const known = fileNames.get(file);
  if (known !== undefined) return known ?? undefined;
  fileNames.set(file, null);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const exported = /export \{ (\w+) as (\w+)/.exec(text);
  if (!exported) return undefined;
  const name = definitionName(exported[2]!.replace(/^I(?=IoK8s)/, ''));
  fileNames.set(file, name);
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) imports.set(m[1]!, m[2]!);
  const local = exported[1]!;
  const refOf = (typeName: string): Schema => {
    if (typeName === local) return { $ref: REF_PREFIX + name };
    const spec = imports.get(typeName);
    const target = spec ? resolveImport(file, spec) : undefined;
    const targetName = target ? readDeclaration(target) : undefined;
    return targetName ? { $ref: REF_PREFIX + targetName } : {};
  };
  const schema: Schema = {};
  const alias = new RegExp(`^(?:/\\*\\*\\n((?: \\*.*\\n)*) \\*/\\n)?export declare type ${local} = (.+);$`, 'm').exec(
    text,
  );
  if (alias) {
    Object.assign(schema, typeSchema(alias[2]!, refOf, name));
    if (alias[1]) schema.description = docText(alias[1]);
    definitions.set(name, schema);
    return name;
  }
  const start = new RegExp(`^(?:/\\*\\*\\n((?: \\*.*\\n)*) \\*/\\n)?export interface ${local}\\b[^{]*\\{\\n`, 'm').exec(
    text,
  );
  if (!start) {
    definitions.set(name, schema);
    return name;
  }
  if (start[1]) schema.description = docText(start[1]);
  const end = text.indexOf('\n}\n', start.index + start[0].length - 1);
  const body = text.slice(start.index + start[0].length, end + 1);
  definitions.set(name, schema); // before the fields: a definition may refer to itself (JSONSchemaProps)
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  const field =
    /(?:^ {4}\/\*\*\n((?: {5}\*.*\n)*) {5}\*\/\n)?^ {4}"([^"]+)"(\??): ([^\n]*(?:\n(?! {4}["/]).*)*?);\n(?= {4}["/]|$)/gm;
  for (const m of body.matchAll(field)) {
    const prop = typeSchema(m[4]!.replace(/\s+/g, ' '), refOf, name);
    if (m[1]) prop.description = docText(m[1]);
    properties[m[2]!] = prop;
    if (m[3] !== '?') required.push(m[2]!);
  }
  if (Object.keys(properties).length === 0) {
    // JSON, RawExtension, JSONSchemaPropsOrBool…: any value, kept as it is.
    schema['x-kubernetes-preserve-unknown-fields'] = true;
  } else {
    schema.type = 'object';
    schema.properties = properties;
    if (required.length) schema.required = required;
  }
  const gvk = /^export interface \w+ extends TypeMeta/m.test(text) ? gvkOf(properties) : undefined;
  if (gvk) schema['x-kubernetes-group-version-kind'] = [gvk];
  return name;
}

function gvkOf(properties: Record<string, Schema>): { group: string; version: string; kind: string } | undefined {
  const apiVersion = properties.apiVersion?.enum?.[0];
  const kind = properties.kind?.enum?.[0];
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const slash = apiVersion.lastIndexOf('/');
  return { group: slash < 0 ? '' : apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

function docText(block: string): string {
  return block
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .replace(/\n+Possible enum values:[\s\S]*$/, '')
    .trim();
}

/** A TypeScript type expression of the generated declarations → a schema. */
function typeSchema(type: string, refOf: (typeName: string) => Schema, owner: string): Schema {
  const t = type.trim();
  if (t === 'string') return { type: 'string' };
  if (t === 'boolean') return { type: 'boolean' };
  if (t === 'number')
    return owner.endsWith('.JSONSchemaProps') ? { type: 'number' } : { type: 'integer', format: 'int32' };
  if (t === 'string | number' || t === 'number | string') return { 'x-kubernetes-int-or-string': true };
  if (/^"[^"]*"( \| "[^"]*")*$/.test(t)) {
    return { type: 'string', enum: t.split(' | ').map((s) => JSON.parse(s) as string) };
  }
  if (/^\w+\["\w+"\]$/.test(t)) return { type: 'string' };
  const array = /^Array<(.+)>$/.exec(t);
  if (array) return { type: 'array', items: typeSchema(array[1]!, refOf, owner) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(t);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1]!, refOf, owner) };
  if (/^\w+$/.test(t)) return refOf(t);
  return {};
}

/** Follows `$ref`s to the schema itself. */
export function deref(schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; s?.$ref && i < 10; i++) s = definitions.get(s.$ref.slice(REF_PREFIX.length));
  return s;
}

/** Reads every built-in kind's definitions (for the /openapi documents). */
export function loadAllKinds(apiVersions: string[]): void {
  const src = packageSource();
  if (!src) return;
  for (const gv of apiVersions) {
    const folder = join(src.root, gv);
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const n of names) if (n.endsWith('.d.ts') && n !== 'index.d.ts') readDeclaration(join(folder, n));
  }
}

/** The definitions `names` refer to, transitively, themselves included. */
export function closure(names: string[]): Map<string, Schema> {
  const out = new Map<string, Schema>();
  const visit = (s: Schema | undefined): void => {
    if (!s) return;
    if (s.$ref) {
      const n = s.$ref.slice(REF_PREFIX.length);
      if (out.has(n)) return;
      const d = definitions.get(n);
      if (!d) return;
      out.set(n, d);
      visit(d);
      return;
    }
    for (const p of Object.values(s.properties ?? {})) visit(p);
    if (typeof s.additionalProperties === 'object') visit(s.additionalProperties);
    visit(s.items);
  };
  for (const n of names) visit({ $ref: REF_PREFIX + n });
  return out;
}

/** `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`, read if it was not yet. */
export function objectMetaDefinition(): string | undefined {
  kindDefinition('v1', 'ConfigMap');
  const name = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
  return definitions.has(name) ? name : undefined;
}

/** A schema in OpenAPI v3 form: refs under #/components/schemas, a ref with a description wrapped in allOf. */
export function toV3(schema: Schema): Json {
  const walk = (s: Schema): Json => {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(s)) {
      if (v === undefined) continue;
      if (k === 'properties') {
        const props: Record<string, Json> = {};
        for (const [pk, pv] of Object.entries(v as Record<string, Schema>)) props[pk] = walk(pv);
        out.properties = props;
      } else if ((k === 'items' || k === 'additionalProperties') && typeof v === 'object') out[k] = walk(v as Schema);
      else if (k !== '$ref') out[k] = v as Json;
    }
    if (s.$ref) {
      const ref = `#/components/schemas/${s.$ref.slice(REF_PREFIX.length)}`;
      if (Object.keys(out).length === 0) return { $ref: ref };
      out.allOf = [{ $ref: ref }];
    }
    return out;
  };
  return walk(schema);
}
