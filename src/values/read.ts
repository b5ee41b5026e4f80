// User values from the command line, in Helm's order (by flag type, not position): every -f file, then --set-json,
// --set, --set-string, --set-file, --set-literal. Each source is remembered as a layer so that an error about a value
// can say where it came from (`values-prod.yaml:12`, `--set image.tag=1.4.2`).
import { PortolanError, messageOf } from '../errors.js';
import type { Values } from '../chart/types.js';
import { applySet, checkJsonKeys, SET_FLAGS, type SetMode } from './set-parser.js';
import { hasPath, isMap, lineOf, mergeMaps, parseValuesYaml, type PathSegment } from './yaml.js';

export interface ValueOptions {
  /** -f/--values files in the order given; `-` is standard input. */
  valueFiles: string[];
  set: string[];
  setString: string[];
  setJson: string[];
  setFile: string[];
  setLiteral: string[];
}

/** How values reach the disk and standard input (the I/O edge; tests give their own). */
export interface ValuesIo {
  readFile(path: string): Promise<string>;
  readStdin(): Promise<string>;
}

/** One source of user values: a whole tree (a values file, a --set-json object) or one assignment of a flag. */
export type ValueLayer =
  | { kind: 'tree'; source: string; values: Values; text?: string }
  | { kind: 'path'; source: string; path: PathSegment[] };

/** Every source of the user values, in the order they were applied (later wins). */
export interface Origins {
  layers: ValueLayer[];
}

export interface SourcedValues {
  values: Values;
  origins: Origins;
}

export const NO_VALUE_OPTIONS: ValueOptions = {
  valueFiles: [],
  set: [],
  setString: [],
  setJson: [],
  setFile: [],
  setLiteral: [],
};

/** Merged user values with their origins. Reads each -f file (and stdin) once. */
export async function readUserValues(options: ValueOptions, io: ValuesIo): Promise<SourcedValues> {
  const layers: ValueLayer[] = [];
  let values: Values = {};
  let stdin: string | undefined;
  for (const file of options.valueFiles) {
    const isStdin = file.trim() === '-';
    const name = isStdin ? '<stdin>' : file;
    let text: string;
    try {
      text = isStdin ? (stdin ??= await io.readStdin()) : await io.readFile(file);
    } catch (error) {
      throw new PortolanError('VALUES_FILE', `cannot read values file ${name}: ${describeReadError(error)}`, {
        file: name,
        flag: '-f',
      });
    }
    const parsed = parseValuesYaml(text, name);
    values = mergeMaps(values, parsed);
    layers.push({ kind: 'tree', source: name, values: parsed, text });
  }

  for (const item of options.setJson) {
    const trimmed = item.trim();
    if (trimmed.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch (error) {
        throw new PortolanError('SET_SYNTAX', `--set-json ${item}: not valid JSON (${messageOf(error)})`, {
          flag: '--set-json',
        });
      }
      if (!isMap(parsed))
        throw new PortolanError('SET_SYNTAX', `--set-json ${item}: expected a JSON object`, { flag: '--set-json' });
      checkJsonKeys(parsed, [], (message) => {
        throw new PortolanError('FORBIDDEN_KEY', `--set-json: ${message}`, { flag: '--set-json' });
      });
      values = mergeMaps(values, parsed);
      layers.push({ kind: 'tree', source: `--set-json ${item}`, values: parsed });
    } else applyFlag(values, layers, item, 'json');
  }
  for (const item of options.set) applyFlag(values, layers, item, 'set');
  for (const item of options.setString) applyFlag(values, layers, item, 'string');
  if (options.setFile.length > 0) {
    const contents = await readSetFiles(options.setFile, io);
    for (const item of options.setFile) {
      applyFlag(values, layers, item, 'file', (path) => {
        const content = contents.get(path);
        if (content === undefined)
          throw new PortolanError('VALUES_FILE', `--set-file ${item}: cannot read ${path}`, {
            flag: '--set-file',
            file: path,
          });
        return content;
      });
    }
  }
  for (const item of options.setLiteral) applyFlag(values, layers, item, 'literal');
  return { values, origins: { layers } };
}

function applyFlag(
  values: Values,
  layers: ValueLayer[],
  item: string,
  mode: SetMode,
  reader?: (path: string) => string,
): void {
  for (const assignment of applySet(values, item, mode, reader)) {
    layers.push({ kind: 'path', source: `${SET_FLAGS[mode]} ${assignment.text}`, path: assignment.path });
  }
}

/** --set-file names files inside its own syntax: parse once to learn the paths, read them, then apply for real. */
async function readSetFiles(items: string[], io: ValuesIo): Promise<Map<string, string>> {
  const paths = new Set<string>();
  for (const item of items) {
    applySet({}, item, 'file', (path) => {
      paths.add(path);
      return '';
    });
  }
  const contents = new Map<string, string>();
  for (const path of paths) {
    if (path.trim() === '')
      throw new PortolanError('SET_SYNTAX', '--set-file needs a file path after =', {
        flag: '--set-file',
        hint: '--set-file key=path',
      });
    try {
      contents.set(path, path.trim() === '-' ? await io.readStdin() : await io.readFile(path));
    } catch (error) {
      throw new PortolanError('VALUES_FILE', `--set-file: cannot read ${path}: ${describeReadError(error)}`, {
        flag: '--set-file',
        file: path,
      });
    }
  }
  return contents;
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EACCES') return 'permission denied';
  return messageOf(error);
}

/**
 * Where the user value at `path` came from: the last source that set it (or a map holding it), as
 * `values-prod.yaml:12` or `--set image.tag=1.4.2`; undefined when no user source did (a chart default).
 */
export function originOf(origins: Origins, path: readonly PathSegment[]): string | undefined {
  for (let i = origins.layers.length - 1; i >= 0; i--) {
    const layer = origins.layers[i] as ValueLayer;
    if (layer.kind === 'path') {
      if (layer.path.length <= path.length && layer.path.every((segment, index) => segment === path[index]))
        return layer.source;
      continue;
    }
    if (hasPath(layer.values, path)) {
      const line = layer.text === undefined ? undefined : lineOf(layer.text, path);
      return line === undefined ? layer.source : `${layer.source}:${line}`;
    }
  }
  return undefined;
}
