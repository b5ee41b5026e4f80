// npm run demo: the release walk-through on a sandbox cluster started here — install charts/webapp with staging
// values, upgrade it with production values, roll back to revision 1, print history and status — then stop.
// Every step runs the portolan command a user would type (shown with a `$`), against the sandbox's kubeconfig.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bin = join(root, typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.portolan);
const sandboxModule = join(root, 'dist', 'sandbox', 'index.js');
if (!existsSync(bin) || !existsSync(sandboxModule)) {
  console.error(
    `portolan is not built yet (${existsSync(bin) ? sandboxModule : bin} is missing): run \`npm run build\` first.`,
  );
  process.exit(1);
}

const { startSandbox } = await import(pathToFileURL(sandboxModule).href);
const dir = mkdtempSync(join(tmpdir(), 'portolan-demo-'));
const sandbox = await startSandbox({ kubeconfigPath: join(dir, 'kubeconfig'), readyDelayMs: 300 });
const env = { ...process.env, KUBECONFIG: sandbox.kubeconfigPath };
console.log(`sandbox cluster listening on ${sandbox.url}\n$ export KUBECONFIG=${sandbox.kubeconfigPath}\n`);

// The sandbox serves from this process, so the commands run asynchronously while it keeps answering.
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
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log('sandbox stopped');
}
if (failed) process.exitCode = 1;
