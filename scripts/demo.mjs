// npm run demo: the release walk-through on a sandbox cluster started here — install charts/webapp with staging
// values, upgrade it with production values, roll back to revision 1, print history and status — then stop.
// Every step runs the portolan command a user would type (shown with a `$`), against the sandbox's kubeconfig.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bin = join(root, typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.portolan);
if (!existsSync(bin)) {
  console.error(`portolan is not built yet (${bin} is missing): run \`npm run build\` first.`);
  process.exit(1);
}

// The sandbox is `portolan sandbox start` in a process of its own; it has started once it prints the Ctrl-C line.
const dir = mkdtempSync(join(tmpdir(), 'portolan-demo-'));
const kubeconfig = join(dir, 'kubeconfig');
const sandbox = spawn(
  process.execPath,
  [bin, 'sandbox', 'start', '--kubeconfig-out', kubeconfig, '--ready-delay', '300'],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);
const sandboxExit = new Promise((resolve) => sandbox.on('close', (code) => resolve(code)));
const url = await new Promise((resolve, reject) => {
  let out = '';
  sandbox.stdout.on('data', (chunk) => {
    out += chunk;
    const listening = /listening on (\S+)/.exec(out);
    if (listening && out.includes('Press Ctrl-C')) resolve(listening[1]);
  });
  void sandboxExit.then((code) => reject(new Error(`portolan sandbox start exited with ${code}: ${out}`)));
});
const env = { ...process.env, KUBECONFIG: kubeconfig };
console.log(`sandbox cluster listening on ${url}\n$ export KUBECONFIG=${kubeconfig}\n`);

function portolan(args) {
  console.log(`$ portolan ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => {
      console.log('');
      if (code === 0) resolve();
      else reject(new Error(`portolan ${args[0]} exited with ${code}`));
    });
  });
}

let failed = false;
try {
  await portolan([
    'install',
    'web',
    'charts/webapp',
    '-f',
    'charts/webapp/values-staging.yaml',
    '-n',
    'demo',
    '--create-namespace',
    '--wait',
  ]);
  await portolan(['upgrade', 'web', 'charts/webapp', '-f', 'charts/webapp/values-prod.yaml', '-n', 'demo', '--wait']);
  await portolan(['rollback', 'web', '1', '-n', 'demo', '--wait']);
  await portolan(['history', 'web', '-n', 'demo']);
  await portolan(['status', 'web', '-n', 'demo']);
} catch (err) {
  failed = true;
  console.error(err instanceof Error ? err.message : String(err));
} finally {
  // It prints `sandbox stopped` as it stops.
  sandbox.kill('SIGTERM');
  await sandboxExit;
  rmSync(dir, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
