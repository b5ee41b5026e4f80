// bench/render: `portolan template` against `helm template` on the same work, same machine, same run.
// Peak memory is read with GNU time (apt-get install time).
// Usage: npm run build && node bench/render/run.mjs [--runs N]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare, comparePeakMemory, helmHomeEnv, peer, portolanBin, root } from '../lib/harness.mjs';
import { generateLargeCharts, generateLibraryChart } from './generate.mjs';

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 10;
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const { hbsDir, goDir, keyCount, templates } = generateLargeCharts(join(out, 'render'));
console.log(`large chart: ${templates} templates, ${keyCount} value keys`);
const big = generateLargeCharts(join(out, 'render-800'), { templates: 800 });
console.log(`big chart: ${big.templates} templates, ${big.keyCount} value keys`);
const library = generateLibraryChart(join(out, 'render'));
console.log(`library chart: ${library.templates} templates, each including the library's helpers 14 times`);

const helmHome = mkdtempSync(join(tmpdir(), 'bench-helm-'));
const helmEnv = helmHomeEnv(helmHome);
const helm = peer('helm');
const node = process.execPath;

const results = [
  compare(
    'template: large chart, handlebars (portolan) against Go (helm)',
    { label: 'portolan', command: node, args: [portolanBin, 'template', 'bench', hbsDir] },
    { label: 'helm', command: helm, args: ['template', 'bench', goDir], env: helmEnv },
    { runs },
  ),
  compare(
    'template: large chart, Go templates in both',
    { label: 'portolan', command: node, args: [portolanBin, 'template', 'bench', goDir] },
    { label: 'helm', command: helm, args: ['template', 'bench', goDir], env: helmEnv },
    { runs },
  ),
  compare(
    'template: big chart, 800 templates, Go templates in both',
    { label: 'portolan', command: node, args: [portolanBin, 'template', 'bench', big.goDir] },
    { label: 'helm', command: helm, args: ['template', 'bench', big.goDir], env: helmEnv },
    { runs },
  ),
  // Peak resident memory of the same renders (targets: <= 1.2x helm).
  ...[
    ['200', goDir],
    ['800', big.goDir],
  ].map(([count, dir]) =>
    comparePeakMemory(
      `peak memory: large chart, ${count} templates`,
      { label: 'portolan', command: node, args: [portolanBin, 'template', 'bench', dir] },
      { label: 'helm', command: helm, args: ['template', 'bench', dir], env: helmEnv },
      { runs: Math.max(5, Math.ceil(runs / 2)) },
    ),
  ),
  // The Go dialect must not be slower than handlebars on the same chart.
  compare(
    'portolan: large chart, Go dialect against handlebars',
    { label: 'go', command: node, args: [portolanBin, 'template', 'bench', goDir] },
    { label: 'handlebars', command: node, args: [portolanBin, 'template', 'bench', hbsDir] },
    { runs },
  ),
  compare(
    'template: library chart (helpers included hundreds of times)',
    { label: 'portolan', command: node, args: [portolanBin, 'template', 'bench', library.dir] },
    { label: 'helm', command: helm, args: ['template', 'bench', library.dir], env: helmEnv },
    { runs },
  ),
  compare(
    'template: charts/hello',
    { label: 'portolan', command: node, args: [portolanBin, 'template', 'bench', join(root, 'charts', 'hello')] },
    { label: 'helm', command: helm, args: ['template', 'bench', join(root, 'charts', 'hello')], env: helmEnv },
    { runs },
  ),
  // The floor under every figure above: starting Node itself, against starting helm, in the same run.
  compare(
    'start-up floor: node -e "" against helm version',
    { label: 'node', command: node, args: ['-e', ''] },
    { label: 'helm', command: helm, args: ['version', '--short'], env: helmEnv },
    { runs },
  ),
  // portolan's own fixed cost: loading the CLI and parsing a command line, over Node's start-up (target: 25 ms).
  compare(
    'fixed cost: portolan version against node -e ""',
    { label: 'portolan', command: node, args: [portolanBin, 'version'] },
    { label: 'node', command: node, args: ['-e', ''] },
    { runs },
  ),
];
const fixed = results.at(-1);
console.log(`  portolan version over node -e "": ${(fixed.a.median - fixed.b.median).toFixed(1)} ms (target <= 25)`);
writeFileSync(join(out, 'render.json'), `${JSON.stringify(results, null, 2)}\n`);
