// `portolan create` run as a user runs it, and the proof that its scaffold renders what `helm create`'s does:
// the same objects (kind, name) with the same fields, labels differing only where the tool names itself.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { helm } from '../helpers/peers.js';
import { portolan } from '../helpers/cli.js';

type Obj = {
  kind: string;
  apiVersion: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
} & Record<string, unknown>;

const work = mkdtempSync(join(tmpdir(), 'portolan-create-cli-'));
const portolanDir = join(work, 'p');
const helmDir = join(work, 'h');

function objects(stdout: string): Obj[] {
  return (yaml.loadAll(stdout) as Array<Obj | null>).filter((d): d is Obj => d !== null);
}

/** Replaces each tool's own label with a neutral one, everywhere in the object (Pod templates too). */
function neutral(value: unknown, service: string): unknown {
  if (Array.isArray(value)) return value.map((v) => neutral(v, service));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'helm.sh/chart' || key === 'portolan.dev/chart') out['<tool>/chart'] = v;
    else if (key === 'app.kubernetes.io/managed-by') out[key] = v === service ? '<tool>' : v;
    else out[key] = neutral(v, service);
  }
  return out;
}

const byKindAndName = (a: Obj, b: Obj) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`);

beforeAll(async () => {
  mkdirSync(portolanDir);
  mkdirSync(helmDir);
  const created = await portolan(['create', 'demo'], { cwd: portolanDir });
  expect(created.code, created.stderr).toBe(0);
  const helmCreated = await helm(['create', 'demo'], { cwd: helmDir });
  expect(helmCreated.code, helmCreated.stderr).toBe(0);
});

describe('portolan create', () => {
  it('says what it creates and writes the scaffold', () => {
    for (const file of [
      'Chart.yaml',
      'values.yaml',
      'values.schema.json',
      '.helmignore',
      'templates/_helpers.tpl',
      'templates/deployment.yaml',
      'templates/service.yaml',
      'templates/serviceaccount.yaml',
      'templates/ingress.yaml',
      'templates/httproute.yaml',
      'templates/hpa.yaml',
      'templates/NOTES.txt',
      'templates/tests/test-connection.yaml',
    ]) {
      expect(existsSync(join(portolanDir, 'demo', file)), file).toBe(true);
    }
    expect(readFileSync(join(portolanDir, 'demo', 'values.yaml'), 'utf8')).toMatch(
      /^# yaml-language-server: \$schema=values\.schema\.json\n/,
    );
  });

  it('gives a chart that lints cleanly, even with --strict and every option enabled', async () => {
    const plain = await portolan(['lint', 'demo'], { cwd: portolanDir });
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    expect(plain.stdout).toBe(
      '==> Linting demo\n[INFO] Chart.yaml: icon is recommended\n\n1 chart(s) linted, 0 chart(s) failed\n',
    );
    const everything = await portolan(
      [
        'lint',
        'demo',
        '--strict',
        '--set',
        'ingress.enabled=true,autoscaling.enabled=true,httpRoute.enabled=true,serviceAccount.create=false',
        '--set',
        'autoscaling.targetMemoryUtilizationPercentage=70',
        '--quiet',
      ],
      { cwd: portolanDir },
    );
    expect(everything.code, everything.stdout + everything.stderr).toBe(0);
    expect(everything.stdout).toBe('');
  });

  it('refuses an existing non-empty folder unless --force', async () => {
    const again = await portolan(['create', 'demo'], { cwd: portolanDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/demo already exists and is not empty/);
    expect(again.stderr).toMatch(/--force/);
    const dir = join(work, 'force');
    mkdirSync(join(dir, 'demo', 'templates'), { recursive: true });
    writeFileSync(join(dir, 'demo', 'templates', 'deployment.yaml'), 'old\n');
    const forced = await portolan(['create', 'demo', '--force'], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/overwrote .*demo\/templates\/deployment\.yaml/);
    expect(readFileSync(join(dir, 'demo', 'templates', 'deployment.yaml'), 'utf8')).toMatch(/^apiVersion: apps\/v1/);
  });

  it('takes a path and names the chart after its last part', async () => {
    const result = await portolan(['create', 'charts/api'], { cwd: work });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(work, 'charts', 'api', 'Chart.yaml'), 'utf8')).toMatch(/^name: api$/m);
    expect(readFileSync(join(work, 'charts', 'api', 'templates', '_helpers.tpl'), 'utf8')).toContain(
      '{{#define "api.fullname"~}}',
    );
  });

  it('refuses an invalid chart name with a usage error', async () => {
    const result = await portolan(['create', 'bad name!'], { cwd: work });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/chart name "bad name!" is invalid: it must match the regular expression/);
  });

  it('copies a starter with --starter, renaming its chart name, partials and <CHARTNAME> placeholders', async () => {
    const starter = join(work, 'starters', 'web');
    const made = await portolan(['create', starter]);
    expect(made.code, made.stderr).toBe(0);
    writeFileSync(
      join(starter, 'templates', 'configmap.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "web.fullname" . }}-settings\ndata:\n  chart: <CHARTNAME>\n  label: app.kubernetes.io/web\n',
    );
    const result = await portolan(['create', 'shop', '--starter', starter], { cwd: work });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(work, 'shop', 'Chart.yaml'), 'utf8')).toMatch(/^name: shop$/m);
    const rendered = await portolan(['template', 'prod', join(work, 'shop')]);
    expect(rendered.code, rendered.stderr).toBe(0);
    const list = objects(rendered.stdout);
    expect(list.find((o) => o.kind === 'Deployment')?.metadata.name).toBe('prod-shop');
    const settings = list.find((o) => o.kind === 'ConfigMap');
    expect(settings?.metadata.name).toBe('prod-shop-settings');
    expect(settings?.data).toEqual({ chart: 'shop', label: 'app.kubernetes.io/web' });
  });

  it('finds a --starter given by name under $PORTOLAN_DATA_HOME/starters, and refuses a starter that is not there', async () => {
    const data = join(work, 'data-home');
    const made = await portolan(['create', join(data, 'starters', 'svc')]);
    expect(made.code, made.stderr).toBe(0);
    const dir = join(work, 'by-name');
    mkdirSync(dir);
    const result = await portolan(['create', 'orders', '--starter', 'svc'], {
      cwd: dir,
      env: { PORTOLAN_DATA_HOME: data },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'orders', 'Chart.yaml'), 'utf8')).toMatch(/^name: orders$/m);
    expect(readFileSync(join(dir, 'orders', 'templates', '_helpers.tpl'), 'utf8')).toContain(
      '{{#define "orders.fullname"~}}',
    );
    const missing = await portolan(['create', 'other', '--starter', 'nope'], {
      cwd: dir,
      env: { PORTOLAN_DATA_HOME: data },
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/starter ".*nope" not found: no such folder/);
    expect(existsSync(join(dir, 'other'))).toBe(false);
  });
});

describe('portolan create renders what helm create does', () => {
  const cases: Array<{ name: string; release: string; set: string[] }> = [
    { name: 'default values', release: 'demo-release', set: [] },
    { name: 'ingress and autoscaling enabled', release: 'web', set: ['ingress.enabled=true,autoscaling.enabled=true'] },
    {
      name: 'TLS ingress, className, annotations, memory target',
      release: 'web',
      set: [
        'ingress.enabled=true,ingress.className=nginx,ingress.tls[0].secretName=tls,ingress.tls[0].hosts[0]=chart-example.local,autoscaling.enabled=true,autoscaling.targetMemoryUtilizationPercentage=70,podAnnotations.a=b,podLabels.c=d',
      ],
    },
    {
      name: 'HTTPRoute enabled, no ServiceAccount',
      release: 'web',
      set: ['httpRoute.enabled=true,serviceAccount.create=false,service.type=NodePort'],
    },
    {
      name: 'names cut to 63 characters, a trailing dash trimmed',
      release: 'web',
      set: [`nameOverride=${'a'.repeat(58)}-${'b'.repeat(10)}`],
    },
    {
      name: 'a release name of 53 characters that contains the chart name',
      release: `${'r'.repeat(48)}-demo`,
      set: [],
    },
    {
      name: 'fullnameOverride and nameOverride',
      release: 'web',
      set: ['fullnameOverride=custom-name-', 'nameOverride=other'],
    },
  ];
  it.each(cases)('$name', async ({ release, set }) => {
    const flags = set.flatMap((s) => ['--set', s]);
    const [mine, theirs] = await Promise.all([
      portolan(['template', release, join(portolanDir, 'demo'), ...flags]),
      helm(['template', release, join(helmDir, 'demo'), ...flags]),
    ]);
    expect(mine.code, mine.stderr).toBe(0);
    expect(theirs.code, theirs.stderr).toBe(0);
    const ours = objects(mine.stdout).sort(byKindAndName);
    const helms = objects(theirs.stdout).sort(byKindAndName);
    expect(ours.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(helms.map((o) => `${o.kind}/${o.metadata.name}`));
    // Where portolan names itself: its chart label and Release.Service.
    const deployment = ours.find((o) => o.kind === 'Deployment');
    expect(deployment?.metadata.labels?.['portolan.dev/chart']).toBe('demo-0.1.0');
    expect(deployment?.metadata.labels?.['helm.sh/chart']).toBeUndefined();
    const service = deployment?.metadata.labels?.['app.kubernetes.io/managed-by'];
    expect(service).toBeDefined();
    expect(service).not.toBe('Helm');
    expect(ours.map((o) => neutral(o, service as string))).toEqual(helms.map((o) => neutral(o, 'Helm')));
  });
});
