// Small real charts built in memory for unit tests: files by chart-relative path, loaded by the same loader as
// folders and archives.
import { loadChartFiles } from '../../src/chart/load.js';
import type { Chart } from '../../src/chart/types.js';
import { renderChart } from '../../src/render/index.js';
import { prepareChart, readUserValues, type ValueOptions, type SourcedValues } from '../../src/values/index.js';

export function chartFrom(files: Record<string, string>, name = 'demo'): Chart {
  const all: Record<string, string> = {
    'Chart.yaml': `apiVersion: v2\nname: ${name}\nversion: 1.0.0\nappVersion: "2.0.0"\n`,
    ...files,
  };
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

/** Renders `template` as a chart's templates/NOTES.txt (beside `files`, with `values`) and returns its text. */
export async function renderNotes(
  template: string,
  values = '{}',
  files: Record<string, string> = {},
): Promise<string> {
  const chart = chartFrom({ 'values.yaml': values, 'templates/NOTES.txt': template, ...files });
  const prepared = prepareChart(chart, await userValues({}));
  return renderChart(prepared.chart, prepared.values, { releaseName: 'rel' }).notes;
}

/** The message `template` fails with (renderNotes); a test failure when it renders. */
export async function renderError(template: string): Promise<string> {
  try {
    await renderNotes(template);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${template} rendered without an error`);
}
