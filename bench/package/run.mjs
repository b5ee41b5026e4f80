// bench/package: `portolan package` against `helm package` (and against `helm lint && helm package`, since ours lints
// first), and `portolan lint` against `helm lint`, on the same
// generated chart (200 templates; the handlebars and Go template versions from bench/render/generate.mjs).
// Usage: npm run build && node bench/package/run.mjs [--runs N]
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare, helmHomeEnv, peer, portolanBin, root } from '../lib/harness.mjs';
import { generateLargeCharts } from '../render/generate.mjs';

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 10;
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const { hbsDir, goDir, keyCount, templates } = generateLargeCharts(join(out, 'package'));
// The generated Deployments select `app: svcN` but their Pods lack that label, which the API server refuses and
// `portolan lint` reports; give the Pods the label (in both charts) so both linters pass and time the same work.
for (const dir of [hbsDir, goDir]) {
  for (let i = 0; i < templates; i++) {
    const file = join(dir, 'templates', `svc${i}.yaml`);
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(
      '{{- include "large.labels" . | nindent 8 }}\n',
      `{{- include "large.labels" . | nindent 8 }}\n        app: svc${i}\n`,
    );
    if (fixed === text) throw new Error(`${file}: the pod template labels were not where expected`);
    writeFileSync(file, fixed);
  }
}
console.log(`large chart: ${templates} templates, ${keyCount} value keys`);

const helmHome = mkdtempSync(join(tmpdir(), 'bench-helm-'));
const helmEnv = helmHomeEnv(helmHome);
const helm = peer('helm');
const node = process.execPath;
const archives = mkdtempSync(join(tmpdir(), 'bench-package-'));
const q = (text) => `'${text.replace(/'/g, `'\\''`)}'`;

const results = [
  compare(
    'package: large chart',
    { label: 'portolan', command: node, args: [portolanBin, 'package', hbsDir, '-d', join(archives, 'portolan')] },
    { label: 'helm', command: helm, args: ['package', goDir, '-d', join(archives, 'helm')], env: helmEnv },
    { runs },
  ),
  // portolan package lints first and refuses a chart with lint errors; helm package does not lint at all. The fair
  // comparison for the same guarantee is helm lint followed by helm package.
  compare(
    'package with its lint: large chart (helm: lint && package)',
    { label: 'portolan', command: node, args: [portolanBin, 'package', hbsDir, '-d', join(archives, 'portolan')] },
    {
      label: 'helm',
      command: 'sh',
      args: [
        '-c',
        `${q(helm)} lint ${q(goDir)} >/dev/null && ${q(helm)} package ${q(goDir)} -d ${q(join(archives, 'helm'))} >/dev/null`,
      ],
      env: helmEnv,
    },
    { runs },
  ),
  compare(
    'lint: large chart',
    { label: 'portolan', command: node, args: [portolanBin, 'lint', hbsDir] },
    { label: 'helm', command: helm, args: ['lint', goDir], env: helmEnv },
    { runs },
  ),
];
for (const r of results) console.log(`${r.name}: portolan/helm = ${r.ratio.toFixed(2)}`);
writeFileSync(join(out, 'package.json'), `${JSON.stringify(results, null, 2)}\n`);
