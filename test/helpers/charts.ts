// Small real charts built in memory for unit tests: files by chart-relative path, loaded by the same loader as
// folders and archives.
import { loadChartFiles } from '../../src/chart/load.js';
import type { Chart } from '../../src/chart/types.js';
import { readUserValues, type ValueOptions, type SourcedValues } from '../../src/values/index.js';

export function chartFrom(files: Record<string, string>, name = 'demo'): Chart {
  const all: Record<string, string> = { 'Chart.yaml': `apiVersion: v2\nname: ${name}\nversion: 1.0.0\nappVersion: "2.0.0"\n`, ...files };
  return loadChartFiles(
    Object.entries(all).map(([file, text]) => ({ name: file, data: Buffer.from(text) })),
    name,
  );
}

/** User values from flags and in-memory files (`files` maps -f names to their text; `-` is stdin). */
export function userValues(options: Partial<ValueOptions>, files: Record<string, string> = {}): Promise<SourcedValues> {
  const read = async (path: string) => {
    if (!(path in files)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return files[path] as string;
  };
  return readUserValues(
    { valueFiles: [], set: [], setString: [], setJson: [], setFile: [], setLiteral: [], ...options },
    { readFile: read, readStdin: () => read('-') },
  );
}
