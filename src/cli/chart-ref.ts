// Resolving a CHART argument to a loaded chart (folder or archive now; repository references come with the repo client).
import { resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { loadChart } from '../chart/load.js';
import type { Chart } from '../chart/types.js';
import type { ValuesIo } from '../values/index.js';
import type { CliIo } from './io.js';

export async function loadChartArgument(ref: string, io: CliIo): Promise<Chart> {
  return loadChart(resolve(io.cwd, ref));
}

export function valuesIo(io: CliIo): ValuesIo {
  return {
    readFile: (path) => readFile(resolve(io.cwd, path), 'utf8'),
    readStdin: () => io.readStdin(),
  };
}
