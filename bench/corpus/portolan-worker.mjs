// A worker thread of bench/corpus/run.mjs: renders one chart at a time with the built portolan library, doing what
// `portolan template NAME CHART --namespace NS [--kube-version V]` does (src/cli/commands/template.ts) without a
// process per chart. Rendering is synchronous, so a chart that never finishes would stall the whole run: it runs
// here, where the parent can terminate the thread when a chart takes too long.
import { parentPort, workerData } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const lib = await import(pathToFileURL(resolve(workerData.dist, 'index.js')).href);
// The same empty value options `portolan template` builds when no -f/--set flag is given.
const noValueOptions = { valueFiles: [], set: [], setString: [], setJson: [], setFile: [], setLiteral: [] };
const valuesIo = { readFile: (path) => readFile(path, 'utf8'), readStdin: async () => '' };

async function render({ chart, release, namespace, kubeVersion }) {
  const started = performance.now();
  try {
    let loaded;
    let partial = [];
    let problems = [];
    if (workerData.convertTo) {
      // The round trip: the chart's templates converted to the other dialect (what cannot be is copied as it is).
      const converted = lib.convertChartFiles(await lib.readChartFolder(resolve(chart)), workerData.convertTo, {
        allowPartial: true,
      });
      partial = converted.partial;
      problems = converted.problems.map((p) => p.message);
      loaded = lib.loadChartFiles(converted.files, chart);
    } else loaded = await lib.loadChart(resolve(chart));
    const user = await lib.readValues(noValueOptions, valuesIo);
    const result = lib.templateChart(loaded, user, {
      releaseName: release,
      namespace,
      isInstall: true,
      isUpgrade: false,
      kubeVersion,
      apiVersions: [],
      strict: false,
      skipSchemaValidation: false,
    });
    // Manifests, then hooks (test hooks included): `template` without --no-hooks, --skip-tests or --include-crds.
    // As the CLI prints it: the manifests trimmed plus a newline, then the hooks.
    const text = `${lib.formatManifests(result.manifests).trim()}\n${lib.formatManifests(result.hooks)}`;
    return { ok: true, text, ms: performance.now() - started, partial, problems };
  } catch (error) {
    const isPortolan = error instanceof lib.PortolanError;
    const message = isPortolan
      ? error.message
      : `${error?.name ?? 'Error'} (internal): ${error?.message ?? String(error)}`;
    const where =
      !isPortolan && error?.stack
        ? error.stack
            .split('\n')
            .find((l) => l.includes('/dist/'))
            ?.trim()
        : undefined;
    return { ok: false, code: error?.code, error: message, where, ms: performance.now() - started };
  }
}

parentPort.on('message', async (task) => {
  parentPort.postMessage({ id: task.id, ...(await render(task)) });
});
