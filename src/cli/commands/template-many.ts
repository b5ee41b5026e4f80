// portolan template --all DIR | --releases FILE: many charts rendered in one process, one after the other, so that
// Node's start-up and the parser's warm-up are paid once (and parsed templates shared between charts, such as the
// `common` library most charts vendor). A chart that fails is reported and the others still render; the exit code
// is 1 when any failed.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, relative, resolve } from 'node:path';
import { Worker, isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { UsageError, isPortolanError, messageOf } from '../../errors.js';
import type { Values } from '../../chart/types.js';
import type { ReleaseSpec } from '../../template.js';
import type { ValueOptions, ValuesIo } from '../../values/index.js';
import { valueOptionsFrom } from '../flags.js';
import { chartRefOptions, loadChartArgument, valuesIo } from '../chart-ref.js';
import { colours, type CliIo } from '../io.js';
import { formatError } from '../run.js';
import { printTemplate, renderSpec, type TemplateFlags } from './template.js';

/** One render to do: a release of the file, or a chart found under --all. */
interface Task {
  name: string;
  chart: string;
  namespace: string;
  values: ValueOptions;
  /** Inline values maps of a releases file, by the name they are read under (among the values files). */
  inline: Record<string, Values>;
  /** The folder under --output-dir for this release's files. */
  outputBase: string;
  /** How the task is named in a failure. */
  label: string;
}

export async function templateMany(args: TemplateFlags, io: CliIo): Promise<number> {
  const releasesFile = args.releases;
  const allDir = args.all;
  if (releasesFile !== undefined && allDir !== undefined)
    throw new UsageError('--releases and --all are mutually exclusive', { flag: '--all' });
  if (args.chart !== undefined)
    throw new UsageError(`template ${releasesFile !== undefined ? '--releases' : '--all'} takes no CHART argument`, {
      hint: 'portolan template [NAME] --all DIR, or portolan template --releases FILE',
    });
  const cliValues = valueOptionsFrom(args);
  const namespace = args.namespace;
  const tasks =
    releasesFile !== undefined
      ? await releaseTasks(resolve(io.cwd, releasesFile), cliValues, namespace)
      : await folderTasks(resolve(io.cwd, allDir ?? '.'), args.name, cliValues, namespace);

  const jobs = Math.max(1, Math.floor(Number(args.jobs ?? Math.min(availableParallelism(), 4))) || 1);
  // Standard input can be read once, by this thread: -f - and --password-stdin keep every render here.
  const readsStdin = args.passwordStdin || tasks.some((t) => t.values.valueFiles.some((f) => f.trim() === '-'));
  const outcomes =
    jobs > 1 && tasks.length > 1 && !readsStdin
      ? await renderOnWorkers(tasks, args, io, Math.min(jobs, tasks.length))
      : await renderHere(tasks, args, { ...io, readStdin: once(io.readStdin) });
  const failed = outcomes.filter((ok) => !ok).length;
  if (failed > 0) io.stderr(`${failed} of ${tasks.length} ${tasks.length === 1 ? 'render' : 'renders'} failed\n`);
  return failed > 0 ? 1 : 0;
}

/** Standard input is read once and given to every chart that asks (`-f -` applies to each). */
function once(read: () => Promise<string>): () => Promise<string> {
  let text: Promise<string> | undefined;
  return () => (text ??= read());
}

async function renderHere(tasks: Task[], args: TemplateFlags, io: CliIo): Promise<boolean[]> {
  const outcomes: boolean[] = [];
  for (const task of tasks) outcomes.push(await renderTask(task, args, io));
  return outcomes;
}

/** Renders one task, printing through `io`; false when it failed (the error is printed). */
async function renderTask(task: Task, args: TemplateFlags, io: CliIo): Promise<boolean> {
  const { templateChart } = await import('../../template.js');
  const { readUserValues } = await import('../../values/index.js');
  const disk = valuesIo(io);
  const valuesReader: ValuesIo = {
    readFile: async (path) =>
      Object.hasOwn(task.inline, path) ? JSON.stringify(task.inline[path]) : disk.readFile(path),
    readStdin: disk.readStdin,
  };
  try {
    const chart = await loadChartArgument(task.chart, io, chartRefOptions(args));
    const user = await readUserValues(task.values, valuesReader);
    const result = templateChart(chart, user, renderSpec(args, task.name, task.namespace));
    await printTemplate(result, args, task.name, io, task.outputBase);
    return true;
  } catch (error) {
    if (!isPortolanError(error)) throw error;
    io.stderr(formatError(error, `${colours(io).red('Error:')} ${task.label}:`));
    return false;
  }
}

interface WorkerSetup {
  portolanTemplateMany: true;
  args: TemplateFlags;
  isTTY: boolean;
  cwd: string;
}

interface WorkerReply {
  index: number;
  stdout: string;
  stderr: string;
  ok: boolean;
  /** A failure that is not a PortolanError: a bug, reported by this thread as any other. */
  internal?: string;
}

/**
 * Renders the tasks on `jobs` worker threads (each runs this module), printing each task's output in the tasks'
 * order as soon as the tasks before it are printed.
 */
async function renderOnWorkers(tasks: Task[], args: TemplateFlags, io: CliIo, jobs: number): Promise<boolean[]> {
  const setup: WorkerSetup = { portolanTemplateMany: true, args: cloneable(args), isTTY: io.isTTY, cwd: io.cwd };
  const workers = Array.from({ length: jobs }, () => new Worker(new URL(import.meta.url), { workerData: setup }));
  const done = new Map<number, WorkerReply>();
  const outcomes: boolean[] = [];
  let next = 0;
  let printed = 0;
  try {
    await new Promise<void>((finish, fail) => {
      const give = (worker: Worker): void => {
        if (next < tasks.length) worker.postMessage({ index: next, task: tasks[next++] });
      };
      for (const worker of workers) {
        worker.on('message', (reply: WorkerReply) => {
          done.set(reply.index, reply);
          give(worker);
          for (let ready = done.get(printed); ready; ready = done.get(printed)) {
            done.delete(printed);
            if (ready.stdout) io.stdout(ready.stdout);
            if (ready.stderr) io.stderr(ready.stderr);
            if (ready.internal !== undefined) return fail(new Error(ready.internal));
            outcomes.push(ready.ok);
            printed++;
          }
          if (printed === tasks.length) finish();
        });
        worker.on('error', fail);
        give(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return outcomes;
}

/** The parsed flags without what cannot cross to a thread (yargs' own functions, if any). */
/** The flags without what cannot cross to a thread (yargs' own function-valued members). */
function cloneable(args: TemplateFlags): TemplateFlags {
  return Object.fromEntries(
    Object.entries(args).filter(([, value]) => typeof value !== 'function'),
  ) as unknown as TemplateFlags;
}

/** A worker thread's side: renders each task it is given with the same code as above, its output captured. */
function serveWorker(setup: WorkerSetup): void {
  const port = parentPort as MessagePort;
  port.on('message', async ({ index, task }: { index: number; task: Task }) => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      readStdin: () => Promise.reject(new Error('standard input is read by the main thread')),
      isTTY: setup.isTTY,
      env: process.env,
      cwd: setup.cwd,
    };
    try {
      const ok = await renderTask(task, setup.args, io);
      port.postMessage({ index, stdout, stderr, ok } satisfies WorkerReply);
    } catch (error) {
      const internal = error instanceof Error && error.stack ? error.stack : messageOf(error);
      port.postMessage({ index, stdout, stderr, ok: false, internal } satisfies WorkerReply);
    }
  });
}

async function releaseTasks(file: string, cli: ValueOptions, namespace: string): Promise<Task[]> {
  const { parseReleasesFile } = await import('../../template.js');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read releases file ${file}: ${messageOf(error)}`, { flag: '--releases' });
  }
  const folder = dirname(file);
  return parseReleasesFile(text, file).map((release, index) =>
    releaseTask(release, index, file, folder, cli, namespace),
  );
}

function releaseTask(
  release: ReleaseSpec,
  index: number,
  file: string,
  folder: string,
  cli: ValueOptions,
  namespace: string,
): Task {
  // Inline maps are read as values files of their own, so they keep their place among the files and errors name them.
  const inline = new Map<string, Values>();
  const files = release.values.map((item, i) => {
    if (typeof item === 'string') return resolve(folder, item);
    const name = `${file}#releases[${index}].values[${i}]`;
    inline.set(name, item);
    return name;
  });
  // A path is the releases file's (as helmfile reads it); REPO/CHART names a repository chart unless such a folder
  // exists there.
  const local = resolve(folder, release.chart);
  const chart = /^[^/\\.][^/\\]*\/[^/\\]+$/.test(release.chart) && !existsSync(local) ? release.chart : local;
  return {
    name: release.name,
    chart,
    namespace: release.namespace ?? namespace,
    values: {
      ...cli,
      valueFiles: [...files, ...cli.valueFiles],
      setJson: [...release.set.map((s) => `${s.name}=${JSON.stringify(s.value)}`), ...cli.setJson],
    },
    inline: Object.fromEntries(inline),
    outputBase: `${release.namespace ?? namespace}/${release.name}`,
    label: `release ${release.name} (${release.chart})`,
  };
}

async function folderTasks(
  dir: string,
  name: string | undefined,
  values: ValueOptions,
  namespace: string,
): Promise<Task[]> {
  const { findCharts } = await import('../../chart/load.js');
  let charts: string[];
  try {
    charts = await findCharts(dir);
  } catch (error) {
    throw new UsageError(`cannot read folder ${dir}: ${messageOf(error)}`, { flag: '--all' });
  }
  if (charts.length === 0)
    throw new UsageError(`no charts under ${dir}`, {
      flag: '--all',
      hint: 'A chart is a folder with a Chart.yaml, or a .tgz archive.',
    });
  return charts.map((chart) => {
    const path = relative(dir, chart) || basename(chart);
    return {
      // Without a NAME, each release is named after its folder (or archive, less its version), as a user would.
      name: name ?? basename(chart).replace(/-\d+\.\d+\.\d+.*$|\.(tgz|tar\.gz)$/, ''),
      chart,
      namespace,
      values,
      inline: {},
      outputBase: path,
      label: path,
    };
  });
}

// Run as a worker thread of renderOnWorkers: serve renders (the main thread never gets here).
if (!isMainThread && (workerData as Partial<WorkerSetup> | null)?.portolanTemplateMany === true)
  serveWorker(workerData as WorkerSetup);
