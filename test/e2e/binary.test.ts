// The `portolan` binary users get (dist/bin/portolan.mjs, the bundle `npm run build` writes; the tests' global setup
// bundles it from src/) started as a process: the same output as the in-process CLI the other tests run, exit codes,
// no stack traces, lazily loaded chunks, and a quiet stop when the reader closes the pipe.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binPath, portolan, portolanProcess as bundled } from '../helpers/cli.js';
import { run } from '../helpers/peers.js';

describe('the bundled portolan binary', () => {
  it('renders exactly what the unbundled CLI renders', async () => {
    const args = [
      'template',
      'web',
      'charts/webapp',
      '-f',
      'charts/webapp/values-prod.yaml',
      '--set',
      'image.tag=9.9.9',
    ];
    const [ours, reference] = await Promise.all([bundled(args), portolan(args)]);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toBe(reference.stdout);
    expect(ours.stdout).toContain('image: "ghcr.io/example/webapp:9.9.9"');
  });

  it('stops quietly, exit 0, when the reader closes the pipe early (template … | head -1)', async () => {
    // Output far larger than a pipe holds, so the write after the reader left fails with EPIPE.
    const chart = mkdtempSync(join(tmpdir(), 'portolan-epipe-'));
    mkdirSync(join(chart, 'templates'));
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: big\nversion: 1.0.0\n');
    writeFileSync(
      join(chart, 'templates/cm.yaml'),
      '{{- range until 400 }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{{ . }}\ndata:\n  text: {{ repeat 2000 "x" }}\n{{- end }}\n',
    );
    const child = spawn(process.execPath, [binPath(), 'template', 'rel', chart], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    // Read one chunk, then close our end, as head does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('prints its version and the command list', async () => {
    expect((await bundled(['version'])).stdout).toMatch(/^portolan v\d+\.\d+\.\d+ \(node v\d+/);
    const help = await bundled(['--help']);
    for (const command of ['template', 'lint', 'package', 'repo', 'serve', 'sandbox'])
      expect(help.stdout).toContain(`portolan ${command}`);
  });

  it('reports usage errors with exit 2 and user errors with exit 1, without a stack trace', async () => {
    const usage = await bundled(['template', 'x', 'charts/hello', '--bogus']);
    expect([usage.code, usage.stdout]).toEqual([2, '']);
    expect(usage.stderr).toMatch(/Unknown argument: bogus/);
    const user = await bundled(['template', 'x', 'charts/webapp', '--set', 'replicaCount=-1']);
    expect(user.code).toBe(1);
    expect(user.stderr).toMatch(/webapp: replicaCount: must be >= 0, found -1 \(value from --set replicaCount=-1\)/);
    expect(user.stderr).not.toMatch(/\n\s+at /);
  });

  it('lints with the Kubernetes schemas it loads on demand', async () => {
    const result = await bundled(['lint', 'charts/webapp']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it("prints each command's help as the unbundled CLI does, its text widths measured on first use", async () => {
    const env = { ...process.env, NO_COLOR: '1', COLUMNS: '70' };
    for (const args of [['--help'], ['template', '--help'], ['repo', 'add', '--help']]) {
      const [ours, reference] = await Promise.all([bundled(args, { env }), portolan(args, { env })]);
      expect(ours.stdout).toBe(reference.stdout);
    }
    // The three copies of string-width in yargs' help layout build their Segmenters and Unicode-property regular
    // expressions when first called, not when the bundle loads.
    const chunks = [
      binPath(),
      ...readdirSync(join(dirname(binPath()), 'chunks')).map((name) => join(dirname(binPath()), 'chunks', name)),
    ].map((file) => readFileSync(file, 'utf8'));
    const eager = chunks.flatMap(
      (text) => text.match(/^var \w+ = (?:new Intl\.Segmenter|new RegExp\("[^"]*p\{RGI_Emoji)/gm) ?? [],
    );
    expect(eager).toEqual([]);
  });

  it('colours the error label on a terminal, and not when NO_COLOR is set', async () => {
    // A pseudo-terminal from util-linux `script`, so stdout and stderr are a TTY as in an interactive shell.
    const onTerminal = (extra: NodeJS.ProcessEnv) =>
      run(
        'script',
        ['-qec', `"${process.execPath}" "${binPath()}" template x charts/webapp --set replicaCount=-1`, '/dev/null'],
        { env: { ...process.env, NO_COLOR: undefined, ...extra } },
      );
    const coloured = await onTerminal({});
    expect(coloured.stdout).toContain('\u001b[31mError:\u001b[39m values do not match the schema');
    const plain = await onTerminal({ NO_COLOR: '1' });
    expect(plain.stdout).toContain('Error: values do not match the schema');
    expect(plain.stdout).not.toContain('\u001b[');
  });
});
