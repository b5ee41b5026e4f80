// The real kubectl against the sandbox through a fixed sequence of steps (fixtures/conformance-kubectl.yaml), each
// compared with what kubectl prints against a real API server; and charts that a real cluster refuses fail
// `portolan install` against the sandbox with the real cluster's message.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { KUBECTL, runPeer } from '../helpers/peers.js';

interface Step {
  name?: string;
  args: string[];
  stdin?: unknown;
  code: number;
  stdout?: string | string[];
  stderr?: string;
}

const fixtures = join(import.meta.dirname, 'fixtures');
const steps = load(readFileSync(join(fixtures, 'conformance-kubectl.yaml'), 'utf8')) as Step[];

let sandbox: Sandbox;
let home: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'portolan-conformance-'));
  sandbox = await startSandbox({ readyDelayMs: 0, kubeconfigPath: join(home, 'kubeconfig') });
});

afterAll(async () => {
  await sandbox.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('kubectl gets the answers of a real API server', () => {
  it('for every step of the fixed sequence', async () => {
    for (const step of steps) {
      const label = step.name ?? step.args.join(' ');
      const input = step.stdin === undefined ? undefined : JSON.stringify(step.stdin);
      const r = await runPeer(
        KUBECTL,
        ['--kubeconfig', sandbox.kubeconfigPath, '-n', 'conf', ...step.args],
        { HOME: home },
        input,
      );
      expect(r.code, `${label}: ${r.stderr}`).toBe(step.code);
      if (step.stderr !== undefined) expect(r.stderr, label).toContain(step.stderr);
      for (const text of [step.stdout ?? []].flat()) expect(r.stdout, label).toContain(text);
    }
  });
});

describe('portolan install against the sandbox', () => {
  async function install(chart: string, namespace: string): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const code = await runCli(
      ['install', chart, join(fixtures, 'conformance-charts', chart), '-n', namespace, '--create-namespace'],
      {
        stdout: () => undefined,
        stderr: (text) => void (stderr += text),
        readStdin: async () => '',
        isTTY: false,
        env: { KUBECONFIG: sandbox.kubeconfigPath, HOME: home },
        cwd: home,
      },
    );
    return { code, stderr };
  }

  it('fails a chart whose ConfigMap holds a number, with the message a real cluster gives', async () => {
    const r = await install('number-in-configmap', 'charts-a');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'failed to create typed patch object (charts-a/number-in-configmap-settings; /v1, Kind=ConfigMap): .data.PORT: expected string, got &value.valueUnstructured{Value:8080}',
    );
  });

  it('fails a chart whose custom resource breaks its CRD schema, with the message a real cluster gives', async () => {
    const r = await install('gadget-breaks-its-crd', 'charts-b');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'Gadget.example.com "gadget-breaks-its-crd" is invalid: spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0',
    );
  });
});
