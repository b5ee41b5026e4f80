// Rendered objects against the Kubernetes API schemas of their kind and version, from the `kubernetes-models`
// package (precompiled OpenAPI validators, one module per kind). Loading is the async edge; checking is pure.
// Kinds the package does not know (custom resources, Gateway API, …) are skipped with a notice.

/** An ajv error as the precompiled validators report it. */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Checks one object; returns its schema errors (empty when valid). */
export type KindValidator = (object: Record<string, unknown>) => SchemaError[];

/** apiVersion + kind → validator, or null when the schemas do not know that kind. */
export type KindValidators = Map<string, KindValidator | null>;

export function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
}

interface ModelClass {
  new (data: Record<string, unknown>): { validate(): void };
  apiVersion?: string;
  kind?: string;
}

const cache: KindValidators = new Map();
let packageMissing = false;

/** Loads the validators of the given (apiVersion, kind) pairs; false when kubernetes-models is not installed. */
export async function loadKindValidators(
  pairs: Array<{ apiVersion: string; kind: string }>,
): Promise<{ validators: KindValidators; available: boolean }> {
  for (const { apiVersion, kind } of pairs) {
    const key = kindKey(apiVersion, kind);
    if (cache.has(key) || packageMissing) continue;
    cache.set(key, await loadOne(apiVersion, kind));
  }
  return { validators: cache, available: !packageMissing };
}

async function loadOne(apiVersion: string, kind: string): Promise<KindValidator | null> {
  // Only names the package could hold: this keeps a template's text from choosing an arbitrary module path.
  if (
    !/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) ||
    !/^[A-Z][A-Za-z0-9]*$/.test(kind)
  )
    return null;
  let mod: unknown;
  try {
    const specifier = `kubernetes-models/${apiVersion}/${kind}`;
    mod = await import(/* @vite-ignore */ specifier);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && !(await packagePresent())) packageMissing = true;
    return null;
  }
  const Model = (mod as Record<string, unknown>)[kind] as ModelClass | undefined;
  if (typeof Model !== 'function' || Model.kind !== kind || Model.apiVersion !== apiVersion) return null;
  return (object) => {
    try {
      new Model(object).validate();
      return [];
    } catch (error) {
      const errors = (error as { errors?: unknown }).errors;
      if (!Array.isArray(errors))
        return [{ instancePath: '', keyword: 'error', params: {}, message: (error as Error).message }];
      return errors as SchemaError[];
    }
  };
}

async function packagePresent(): Promise<boolean> {
  try {
    await import('kubernetes-models/v1/ConfigMap');
    return true;
  } catch {
    return false;
  }
}

/** `/spec/template/spec/containers/0/name` → `spec.template.spec.containers[0].name`. */
export function fieldPath(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === '' ? '(the object)' : out;
}

function valueAt(object: unknown, instancePath: string): unknown {
  let current = object;
  for (const part of instancePath.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** One readable line per schema error, naming the field path; duplicate lines (from oneOf branches) merged. */
export function describeSchemaErrors(object: Record<string, unknown>, errors: SchemaError[]): string[] {
  const lines = new Set<string>();
  // A failed oneOf/anyOf reports every branch too; keep the summary only.
  const branchPaths = new Set(
    errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath),
  );
  for (const error of errors) {
    const found = describeValue(valueAt(object, error.instancePath));
    if (branchPaths.has(error.instancePath) && error.keyword !== 'oneOf' && error.keyword !== 'anyOf') continue;
    switch (error.keyword) {
      case 'required':
        lines.add(`${fieldPath(error.instancePath, String(error.params.missingProperty))}: required field is missing`);
        break;
      case 'type':
        lines.add(`${fieldPath(error.instancePath)}: must be ${String(error.params.type)}, found ${found}`);
        break;
      case 'enum':
        lines.add(
          `${fieldPath(error.instancePath)}: must be one of ${(error.params.allowedValues as unknown[] | undefined)?.map((v) => JSON.stringify(v)).join(', ') ?? '(the allowed values)'}, found ${found}`,
        );
        break;
      case 'format':
        lines.add(`${fieldPath(error.instancePath)}: must be a ${String(error.params.format)}, found ${found}`);
        break;
      case 'oneOf':
      case 'anyOf':
        lines.add(`${fieldPath(error.instancePath)}: ${found} matches none of the allowed types`);
        break;
      default:
        lines.add(
          `${fieldPath(error.instancePath)}: ${error.message ?? `fails "${error.keyword}" ${JSON.stringify(error.params)}`}`,
        );
    }
  }
  return [...lines];
}
