// `portolan template` run as a user runs it: the built CLI in a child process, on the example charts.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { portolan } from '../helpers/cli.js';

type Obj = {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
};

function objects(stdout: string): Obj[] {
  return (yaml.loadAll(stdout) as Array<Obj | null>).filter((d): d is Obj => d !== null);
}

function find(list: Obj[], kind: string): Obj {
  const found = list.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind} in ${list.map((o) => o.kind).join(', ')}`);
  return found;
}

const work = mkdtempSync(join(tmpdir(), 'portolan-cli-template-'));

describe('portolan template charts/hello', () => {
  it('renders the ConfigMap before the Pod with the greeting and Source comments', async () => {
    const result = await portolan(['template', 'greet', 'charts/hello', '--set', 'name=portolan']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('# Source: hello/templates/configmap.yaml');
    const list = objects(result.stdout);
    expect(list.map((o) => o.kind)).toEqual(['ConfigMap', 'Pod']);
    expect(find(list, 'ConfigMap').data?.message).toBe('Hello, portolan!');
    expect(find(list, 'Pod').metadata.name).toBe('greet-hello');
  });

  it('names the release "release-name" when only the chart is given', async () => {
    const result = await portolan(['template', 'charts/hello']);
    expect(result.code, result.stderr).toBe(0);
    expect(find(objects(result.stdout), 'Pod').metadata.name).toBe('release-name-hello');
  });

  it('reads values from standard input with -f -', async () => {
    const result = await portolan(['template', 'x', 'charts/hello', '-f', '-'], { input: 'greeting: Bonjour\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(find(objects(result.stdout), 'ConfigMap').data?.message).toBe('Bonjour, world!');
  });
});

describe('portolan template charts/webapp per environment', () => {
  const envs = [
    { file: undefined, replicas: 1, tag: '1.4.0', host: undefined, hpa: undefined },
    { file: 'values-staging.yaml', replicas: 2, tag: '1.4.2-rc.1', host: 'staging.webapp.example.com', hpa: undefined },
    {
      file: 'values-prod.yaml',
      replicas: undefined,
      tag: '1.4.2',
      host: 'www.webapp.example.com',
      hpa: { minReplicas: 4, maxReplicas: 12 },
    },
  ];
  it.each(envs)("renders $file with that environment's replicas, image tag and ingress host", async (env) => {
    const args = ['template', 'demo', 'charts/webapp', ...(env.file ? ['-f', `charts/webapp/${env.file}`] : [])];
    const result = await portolan(args);
    expect(result.code, result.stderr).toBe(0);
    const list = objects(result.stdout);
    const deployment = find(list, 'Deployment');
    expect(deployment.metadata.name).toBe('demo-webapp');
    expect(deployment.spec?.replicas).toBe(env.replicas);
    const container = (deployment.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template
      .spec.containers[0];
    expect(container?.image).toBe(`ghcr.io/example/webapp:${env.tag}`);
    const ingress = list.find((o) => o.kind === 'Ingress');
    expect((ingress?.spec as { rules?: Array<{ host: string }> } | undefined)?.rules?.[0]?.host).toBe(env.host);
    const hpa = list.find((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpa ? { minReplicas: hpa.spec?.minReplicas, maxReplicas: hpa.spec?.maxReplicas } : undefined).toEqual(
      env.hpa,
    );
    expect(find(list, 'Service').metadata.labels?.['app.kubernetes.io/instance']).toBe('demo');
  });

  it("sorts objects by Helm's install order", async () => {
    const result = await portolan(['template', 'demo', 'charts/webapp', '-f', 'charts/webapp/values-prod.yaml']);
    expect(objects(result.stdout).map((o) => o.kind)).toEqual([
      'PodDisruptionBudget',
      'ServiceAccount',
      'Secret',
      'ConfigMap',
      'Service',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Ingress',
    ]);
  });

  it('prints only the templates named by --show-only', async () => {
    const result = await portolan(['template', 'demo', 'charts/webapp', '-s', 'templates/service.yaml']);
    expect(result.code, result.stderr).toBe(0);
    expect(objects(result.stdout).map((o) => o.kind)).toEqual(['Service']);
  });

  it('refuses --show-only of a template without output, listing the ones with output', async () => {
    const result = await portolan(['template', 'demo', 'charts/webapp', '-s', 'templates/hpa.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not find template templates\/hpa.yaml/);
    expect(result.stderr).toMatch(/templates\/deployment.yaml/);
  });

  it('writes one file per template with --output-dir', async () => {
    const out = join(work, 'out');
    const result = await portolan(['template', 'demo', 'charts/webapp', '--output-dir', out]);
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(join(out, 'webapp', 'templates', 'deployment.yaml'), 'utf8');
    expect(text).toMatch(/^---\n# Source: webapp\/templates\/deployment.yaml\n/);
    expect(find(objects(text), 'Deployment').metadata.name).toBe('demo-webapp');
  });

  it('sets Capabilities.KubeVersion from --kube-version and Release.IsUpgrade from --is-upgrade', async () => {
    const chart = join(work, 'caps');
    writeChart(chart, {
      'templates/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caps\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  upgrade: {{ .Release.IsUpgrade | quote }}\n  ns: {{ .Release.Namespace }}\n',
    });
    const result = await portolan(['template', 'r', chart, '--kube-version', '1.29.3', '--is-upgrade', '-n', 'prod']);
    expect(result.code, result.stderr).toBe(0);
    expect(find(objects(result.stdout), 'ConfigMap').data).toEqual({ kube: 'v1.29.3', upgrade: 'true', ns: 'prod' });
  });
});

function writeChart(dir: string, files: Record<string, string>): void {
  const all: Record<string, string> = { 'Chart.yaml': 'apiVersion: v2\nname: t\nversion: 0.1.0\n', ...files };
  for (const [name, text] of Object.entries(all)) {
    const path = join(dir, name);
    const folder = path.slice(0, path.lastIndexOf('/'));
    mkdirSync(folder, { recursive: true });
    writeFileSync(path, text);
  }
}

describe('bad input gets a clear error and a non-zero exit', () => {
  const cases: Array<{ name: string; args: string[]; input?: string; code: number; stderr: RegExp[] }> = [
    { name: 'no chart given', args: ['template'], code: 2, stderr: [/needs a CHART/] },
    {
      name: 'an unknown flag',
      args: ['template', 'charts/hello', '--bogus'],
      code: 2,
      stderr: [/Unknown argument: bogus/],
    },
    {
      name: 'a chart that does not exist',
      args: ['template', 'x', 'charts/nope'],
      code: 1,
      stderr: [/chart ".*charts\/nope" not found/],
    },
    {
      name: 'malformed values YAML',
      args: ['template', 'x', 'charts/hello', '-f', '-'],
      input: 'a: b\n  c: d\n',
      code: 1,
      stderr: [/<stdin>:2:\d+|-:2:\d+|stdin.*2/],
    },
    {
      name: 'a --set without =',
      args: ['template', 'x', 'charts/hello', '--set', 'name'],
      code: 1,
      stderr: [/--set/, /name/],
    },
    {
      name: 'a schema violation from --set',
      args: ['template', 'x', 'charts/webapp', '--set', 'replicaCount=-1'],
      code: 1,
      stderr: [/webapp: replicaCount/, /--set replicaCount=-1/],
    },
    {
      name: 'a schema violation from a values file',
      args: ['template', 'x', 'charts/webapp', '-f', '-'],
      input: 'service:\n  port: 70000\n',
      code: 1,
      stderr: [/service.port/, /:2/],
    },
    {
      name: 'a template syntax error',
      args: ['template', 'x', 'test/fixtures/broken/syntax-error'],
      code: 1,
      stderr: [/syntax-error\/templates\/cm.yaml:\d+/],
    },
    {
      name: 'an undefined partial',
      args: ['template', 'x', 'test/fixtures/broken/undefined-partial'],
      code: 1,
      stderr: [/nope.labels/, /undefined-partial\/templates\/cm.yaml/],
    },
    {
      name: 'a required value',
      args: ['template', 'x', 'test/fixtures/broken/required-value'],
      code: 1,
      stderr: [/database.password is required/, /templates\/cm.yaml/],
    },
    {
      name: 'rendered YAML that does not parse',
      args: ['template', 'x', 'test/fixtures/broken/invalid-yaml'],
      code: 1,
      stderr: [/invalid-yaml\/templates\/cm.yaml/, /line \d+|:\d+/],
    },
    {
      name: 'a prototype-polluting key',
      args: ['template', 'x', 'charts/hello', '--set', '__proto__.polluted=1'],
      code: 1,
      stderr: [/__proto__/],
    },
  ];
  it.each(cases)('$name', async ({ args, input, code, stderr }) => {
    const result = await portolan(args, { input });
    expect(result.code).toBe(code);
    for (const pattern of stderr) expect(result.stderr).toMatch(pattern);
    expect(result.stderr).not.toMatch(/^\s+at .*\.js:\d+/m);
    expect(result.stdout).toBe('');
  });
});
