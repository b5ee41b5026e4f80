// npm test: the type-check (tsc over src and test), the lint (eslint, prettier --check) and the tests (vitest) at once,
// so the two cores are busy from the first second and something is printed from the start: vitest reports each test
// file as it finishes, and the checks say when they start and when they pass, or print what they found. The tests run
// src/ (vitest's global setup bundles the binary for the few process tests), so no `npm run build` comes first.
// Exits non-zero when any of the three fails. Arguments go to vitest (`npm test -- test/values`).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

/** Runs the commands one after the other with their output kept; resolves with the exit code and that output. */
function check(label, commands) {
  console.log(`${label}: started`);
  return (async () => {
    let output = '';
    for (const [command, args] of commands) {
      const code = await new Promise((resolve) => {
        const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('error', (error) => {
          output += `${error.message}\n`;
          resolve(1);
        });
        child.on('close', (exit) => resolve(exit ?? 1));
      });
      if (code !== 0) {
        console.log(`${label}: FAILED after ${seconds()} (${[command, ...args].join(' ')})\n${output}`);
        return { label, code };
      }
    }
    console.log(`${label}: passed after ${seconds()}`);
    return { label, code: 0 };
  })();
}

const checks = [
  check('typecheck', [[bin('tsc'), ['-p', 'tsconfig.spec.json', '--noEmit']]]),
  check('lint', [
    [bin('eslint'), ['.']],
    [bin('prettier'), ['--check', '.', '--log-level', 'warn']],
  ]),
];
const tests = new Promise((resolve) => {
  const child = spawn(bin('vitest'), ['run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  child.on('close', (code) => resolve({ label: 'vitest', code: code ?? 1 }));
});

const results = await Promise.all([tests, ...checks]);
const failed = results.filter((r) => r.code !== 0).map((r) => r.label);
console.log(
  failed.length ? `npm test: FAILED (${failed.join(', ')}) in ${seconds()}` : `npm test: passed in ${seconds()}`,
);
process.exitCode = failed.length ? 1 : 0;
