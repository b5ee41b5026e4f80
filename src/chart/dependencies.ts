// Chart dependencies: Chart.lock and its digest (Helm's rule, so locks move between the two tools), status for
// `dependency list`, and resolution of `file://` dependencies and charts/ folders. Repository dependencies are
// resolved through a resolver the repository client provides.
import { createHash } from 'node:crypto';
import yaml from 'js-yaml';
import { PortolanError, messageOf } from '../errors.js';
import type { Chart, ChartDependency, ChartLock } from './types.js';
import { parseConstraint, satisfiesRange } from './version-range.js';

/** Go's encoding/json output for a dependency: fields in struct order, omitempty honoured, HTML-escaped. */
function goJsonDependency(dep: ChartDependency): string {
  const parts: string[] = [`"name":${goJsonString(dep.name)}`];
  if (dep.version) parts.push(`"version":${goJsonString(dep.version)}`);
  parts.push(`"repository":${goJsonString(dep.repository ?? '')}`);
  if (dep.condition) parts.push(`"condition":${goJsonString(dep.condition)}`);
  if (dep.tags && dep.tags.length > 0) parts.push(`"tags":[${dep.tags.map(goJsonString).join(',')}]`);
  if (dep.enabled) parts.push('"enabled":true');
  if (dep['import-values'] && dep['import-values'].length > 0)
    parts.push(`"import-values":${goJsonValue(dep['import-values'])}`);
  if (dep.alias) parts.push(`"alias":${goJsonString(dep.alias)}`);
  return `{${parts.join(',')}}`;
}

function goJsonString(value: string): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Go sorts map keys when it marshals them. */
function goJsonValue(value: unknown): string {
  if (typeof value === 'string') return goJsonString(value);
  if (Array.isArray(value)) return `[${value.map(goJsonValue).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${goJsonString(k)}:${goJsonValue(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `sha256:` + hash of the requested and the locked dependencies, as Helm computes it. */
export function lockDigest(
  requested: ChartDependency[],
  locked: Array<{ name: string; version: string; repository: string }>,
): string {
  const json = `[[${requested.map(goJsonDependency).join(',')}],[${locked.map((d) => goJsonDependency(d)).join(',')}]]`;
  return `sha256:${createHash('sha256').update(json).digest('hex')}`;
}

export function formatLock(lock: ChartLock): string {
  return yaml.dump(
    {
      dependencies: lock.dependencies.map((d) => ({ name: d.name, repository: d.repository, version: d.version })),
      digest: lock.digest,
      generated: lock.generated,
    },
    { lineWidth: -1, noArrayIndent: true },
  );
}

/** True when the lock was made for exactly these requested dependencies. */
export function isLockInSync(requested: ChartDependency[], lock: ChartLock): boolean {
  return lockDigest(requested, lock.dependencies) === lock.digest;
}

export function checkRange(dep: ChartDependency): void {
  if (dep.version === undefined || dep.version === '') return;
  try {
    parseConstraint(dep.version);
  } catch (error) {
    // Helm's wording, then Masterminds' reason.
    throw new PortolanError(
      'DEPENDENCY',
      `dependency "${dep.name}" has an invalid version/constraint format "${dep.version}": ${messageOf(error)}`,
      {
        path: `dependencies.${dep.name}.version`,
        hint: 'Use a version or a range such as ^1.2.0, ~1.2, ">= 1.2, < 1.4", "!=1.2.3" or 1.2.x.',
      },
    );
  }
}

export type DependencyStatus = 'ok' | 'missing' | 'wrong version' | 'unpacked' | 'misnamed';

export interface DependencyListing {
  name: string;
  version: string;
  repository: string;
  status: DependencyStatus;
}

/** What `dependency list` prints: each requested dependency and whether charts/ holds a matching chart. */
export function listDependencies(
  chart: Chart,
  archives: Map<string, Chart>,
  folders: Map<string, Chart>,
): DependencyListing[] {
  return (chart.metadata.dependencies ?? []).map((dep) => {
    const base = { name: dep.name, version: dep.version ?? '', repository: dep.repository ?? '' };
    const archived = [...archives.values()].find((c) => c.metadata.name === dep.name);
    if (archived)
      return { ...base, status: satisfiesRange(archived.metadata.version, dep.version) ? 'ok' : 'wrong version' };
    const folder = folders.get(dep.name);
    if (folder) {
      if (folder.metadata.name !== dep.name) return { ...base, status: 'misnamed' };
      return { ...base, status: satisfiesRange(folder.metadata.version, dep.version) ? 'unpacked' : 'wrong version' };
    }
    return { ...base, status: 'missing' };
  });
}
