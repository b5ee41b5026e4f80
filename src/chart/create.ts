// `portolan create`: a new chart from the built-in scaffold (the equivalent of `helm create`) or from a starter
// chart, renamed. The pure part builds the files; createChart writes them, refusing a non-empty folder unless forced.
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { PortolanError } from '../errors.js';
import { readChartFolder } from './load.js';
import { parseYamlDocument } from './metadata.js';
import { CHART_NAME_PLACEHOLDER, SCAFFOLD_FILES } from './scaffold/index.js';
import type { ChartFile } from './types.js';

/** Helm's rule for the name `create` accepts. */
export const CHART_NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;
/** Names that also make valid Kubernetes object names (DNS-1123 labels) through the fullname partial. */
const KUBERNETES_FRIENDLY = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface CreateOptions {
  /** A starter chart folder to copy instead of the built-in scaffold. */
  starter?: string;
  /** Write into an existing non-empty folder, overwriting the files the new chart has. */
  force?: boolean;
  /** Rewrites the files before they are written (`create --dialect go` converts the templates). */
  transform?: (files: ChartFile[]) => ChartFile[];
}

export interface CreateResult {
  name: string;
  dir: string;
  /** Chart-relative paths written, sorted. */
  written: string[];
  /** Of those, the ones that replaced an existing file (only with force). */
  overwritten: string[];
  warnings: string[];
}

/** Throws when `name` cannot be a chart name; returns advice (not errors) for names Kubernetes will not like. */
export function validateChartName(name: string): string[] {
  if (name === '' || name === '.' || name === '..' || !CHART_NAME_PATTERN.test(name)) {
    throw new PortolanError(
      'USAGE',
      `chart name "${name}" is invalid: it must match the regular expression "${CHART_NAME_PATTERN.source}" and not be "." or ".."`,
      {
        hint: 'Use lowercase letters, digits and dashes, e.g. `portolan create my-app` (a path such as charts/my-app is fine too).',
      },
    );
  }
  if (!KUBERNETES_FRIENDLY.test(name) || name.length > 63) {
    return [
      `chart name "${name}" is not a DNS-1123 label (lowercase letters, digits and dashes, at most 63 characters): object names made from it will be invalid in Kubernetes unless nameOverride or fullnameOverride is set`,
    ];
  }
  return [];
}

/** The built-in scaffold for a chart called `name`. Pure. */
export function scaffoldChart(name: string): ChartFile[] {
  return Object.entries(SCAFFOLD_FILES)
    .map(([path, text]) => ({ name: path, data: Buffer.from(text.split(CHART_NAME_PLACEHOLDER).join(name)) }))
    .sort(byName);
}

/**
 * A starter chart's files, renamed to `name`: Chart.yaml gets the new name; every `<CHARTNAME>` in text files
 * becomes `name`; under templates/, partial names that start with the starter's own name (`define`, `include`
 * and `template` of "starter.fullname") are renamed too. Other mentions of the starter's name are left alone, so a
 * starter called `app` keeps its `app.kubernetes.io/…` labels. Pure.
 */
export function renameStarter(files: ChartFile[], name: string, starterSource: string): ChartFile[] {
  const chartYaml = files.find((f) => f.name === 'Chart.yaml');
  if (!chartYaml) {
    throw new PortolanError(
      'CHART_INVALID',
      `starter ${starterSource} has no Chart.yaml; a starter is a chart folder`,
      { file: starterSource },
    );
  }
  const meta = parseYamlDocument(chartYaml.data.toString('utf8'), `${starterSource}/Chart.yaml`);
  const starterName =
    meta !== null && typeof meta === 'object' && typeof (meta as Record<string, unknown>).name === 'string'
      ? String((meta as Record<string, unknown>).name)
      : undefined;
  const partialRef = starterName
    ? new RegExp(`((?:#define|define|include|template)\\s*\\(?\\s*["'])${escapeRegExp(starterName)}\\.`, 'g')
    : undefined;
  return files
    .map((file) => {
      if (!isText(file.data)) return { name: file.name, data: file.data };
      let text = file.data.toString('utf8').split(CHART_NAME_PLACEHOLDER).join(name);
      if (file.name === 'Chart.yaml') text = setChartName(text, name);
      else if (partialRef && file.name.startsWith('templates/')) text = text.replace(partialRef, `$1${name}.`);
      return { name: file.name, data: Buffer.from(text) };
    })
    .sort(byName);
}

/** Writes a new chart at `target` (a path; its last segment is the chart name). */
export async function createChart(target: string, options: CreateOptions = {}): Promise<CreateResult> {
  const dir = resolve(target);
  const name = basename(dir);
  const warnings = validateChartName(name);
  const existing = await stat(dir).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new PortolanError('CONFLICT', `${target} exists and is not a folder`, {
      file: target,
      hint: 'Choose another name or path.',
    });
  }
  if (existing && !options.force && (await readdir(dir)).length > 0) {
    throw new PortolanError(
      'CONFLICT',
      `${target} already exists and is not empty; refusing to write a chart into it`,
      {
        file: target,
        hint: 'Choose another name, empty the folder, or pass --force to overwrite the files the new chart has (other files are kept).',
      },
    );
  }
  let files: ChartFile[];
  if (options.starter !== undefined) {
    const starterInfo = await stat(options.starter).catch(() => undefined);
    if (!starterInfo?.isDirectory()) {
      throw new PortolanError('CHART_NOT_FOUND', `starter "${options.starter}" not found: no such folder`, {
        file: options.starter,
        hint: 'Give the path of a chart folder to copy.',
      });
    }
    files = renameStarter(await readChartFolder(options.starter), name, options.starter);
  } else {
    files = scaffoldChart(name);
  }
  if (options.transform) files = options.transform(files);
  const overwritten: string[] = [];
  for (const file of files) {
    const path = join(dir, ...file.name.split('/'));
    if (existing && (await stat(path).catch(() => undefined))?.isFile()) overwritten.push(file.name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.data);
  }
  return { name, dir, written: files.map((f) => f.name), overwritten, warnings };
}

function setChartName(text: string, name: string): string {
  // Quote only names YAML could read as something other than a string (1.0, yes, null).
  const plain = !/^(y|n|yes|no|on|off|true|false|null|~)$/i.test(name) && !/^[-+.\d]/.test(name);
  const line = `name: ${plain ? name : JSON.stringify(name)}`;
  return /^name:.*$/m.test(text) ? text.replace(/^name:.*$/m, line) : `${text.replace(/\n?$/, '\n')}${line}\n`;
}

function isText(data: Buffer): boolean {
  return !data.subarray(0, 8000).includes(0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function byName(a: ChartFile, b: ChartFile): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
