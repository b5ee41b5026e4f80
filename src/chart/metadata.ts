// Chart.yaml: parse the text into ChartMetadata and check what every loader needs to be true.
// Style findings (icon, maintainers, non-strict SemVer) belong to `lint`, not here.
import yaml from 'js-yaml';
// Only the functions used: the whole of semver costs ~30 ms to load, which `repo index` pays on every run.
import valid from 'semver/functions/valid.js';
import { PortolanError } from '../errors.js';
import type { ChartDependency, ChartMetadata } from './types.js';

const ALIAS_PATTERN = /^[a-zA-Z0-9_-]+$/;

export function parseYamlDocument(text: string, file: string): unknown {
  try {
    return yaml.load(text, { filename: file });
  } catch (error) {
    if (error instanceof yaml.YAMLException) {
      const mark = error.mark;
      throw new PortolanError('CHART_INVALID', `${file}:${mark.line + 1}:${mark.column + 1}: ${error.reason}`, {
        file,
        line: mark.line + 1,
        column: mark.column + 1,
        hint: 'Fix the YAML syntax at that position.',
      });
    }
    throw error;
  }
}

export function parseChartYaml(text: string, file: string): ChartMetadata {
  const doc = parseYamlDocument(text, file);
  if (doc === null || doc === undefined || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new PortolanError('CHART_INVALID', `${file}: expected a map of chart metadata (apiVersion, name, version)`, { file });
  }
  const meta = doc as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ['apiVersion', 'name', 'version'] as const) {
    if (meta[key] === undefined || meta[key] === null || meta[key] === '') problems.push(`${key} is required`);
  }
  for (const key of ['apiVersion', 'name', 'version', 'appVersion', 'kubeVersion', 'description', 'type'] as const) {
    const value = meta[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      problems.push(`${key} must be a string, found ${typeof value} ${JSON.stringify(value)} (quote it: ${key}: "${String(value)}")`);
    }
  }
  if (typeof meta.name === 'string' && /[/\\]/.test(meta.name)) problems.push(`name "${meta.name}" must not contain a path separator`);
  if (typeof meta.version === 'string' && meta.version !== '' && !valid(meta.version, { loose: true })) {
    problems.push(`version "${meta.version}" is not a valid SemVer 2 version (e.g. 1.2.3)`);
  }
  if (meta.type !== undefined && meta.type !== 'application' && meta.type !== 'library') {
    problems.push(`type "${String(meta.type)}" is invalid: expected application or library`);
  }
  if (meta.dependencies !== undefined) problems.push(...checkDependencies(meta.dependencies));
  if (problems.length > 0) {
    throw new PortolanError('CHART_INVALID', `${file}: invalid chart metadata: ${problems.join('; ')}`, {
      file,
      problems: problems.length > 1 ? problems : undefined,
    });
  }
  return meta as ChartMetadata;
}

function checkDependencies(value: unknown): string[] {
  if (!Array.isArray(value)) return ['dependencies must be a list'];
  const problems: string[] = [];
  const seen = new Set<string>();
  value.forEach((entry: unknown, index) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`dependencies[${index}] must be a map`);
      return;
    }
    const dep = entry as ChartDependency;
    if (typeof dep.name !== 'string' || dep.name === '') problems.push(`dependencies[${index}].name is required`);
    if (dep.alias !== undefined && (typeof dep.alias !== 'string' || !ALIAS_PATTERN.test(dep.alias))) {
      problems.push(`dependencies[${index}].alias "${String(dep.alias)}" must match ${ALIAS_PATTERN.source}`);
    }
    const effective = dep.alias ?? dep.name;
    if (typeof effective === 'string') {
      if (seen.has(effective)) problems.push(`more than one dependency is named "${effective}" (use alias to tell them apart)`);
      seen.add(effective);
    }
  });
  return problems;
}
