// Machine output compared with the real helm 4.1 on the same sandbox: `history`, `list` and `status -o json` have
// the keys, key order and value types helm prints, and `get values -o json` the same content.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELM, runPeer } from '../helpers/peers.js';
import { portolan } from '../helpers/cli.js';
import { fixture, startHarness, type Harness } from './harness.js';

let h: Harness;
let env: Record<string, string>;
const ns = 'shapes';

beforeAll(async () => {
  h = await startHarness();
  env = { KUBECONFIG: h.sandbox.kubeconfigPath, HOME: h.dir };
  await (await h.client('default')).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const steps: Array<[string, string[]]> = [
    ['helm', ['install', 'by-helm', fixture('go-app'), '-n', ns, '--set', 'message=one']],
    ['helm', ['upgrade', 'by-helm', fixture('go-app'), '-n', ns, '--set', 'message=two']],
    ['portolan', ['install', 'by-portolan', fixture('app'), '-n', ns, '--set', 'message=one']],
    ['portolan', ['upgrade', 'by-portolan', fixture('app'), '-n', ns, '--set', 'message=two']],
  ];
  for (const [tool, args] of steps) {
    const r = tool === 'helm' ? await runPeer(HELM, args, env) : await portolan(args, { env });
    if (r.code !== 0) throw new Error(`${tool} ${args.join(' ')}: ${r.stderr}`);
  }
});
afterAll(async () => h?.stop());

async function both(args: (name: string) => string[]): Promise<[unknown, unknown]> {
  const a = await runPeer(HELM, args('by-helm'), env);
  const b = await portolan(args('by-portolan'), { env });
  expect(a.code, a.stderr).toBe(0);
  expect(b.code, b.stderr).toBe(0);
  return [JSON.parse(a.stdout), JSON.parse(b.stdout)];
}

/** Keys in order with the JSON type of each value, recursively for objects. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v !== null && typeof v === 'object') return Object.entries(v).map(([k, x]) => [k, shape(x)]);
  return v === null ? 'null' : typeof v;
}

describe("machine output next to helm's", () => {
  it('history -o json: the same list of {revision, updated, status, chart, app_version, description}, oldest first', async () => {
    const [helm, ours] = await both((name) => ['history', name, '-n', ns, '-o', 'json']);
    expect(shape(ours)).toEqual(shape(helm));
    const strip = (rows: unknown) => (rows as Array<Record<string, unknown>>).map(({ updated: _u, ...rest }) => rest);
    expect(strip(ours)).toEqual(strip(helm));
  });

  it('list -o json: the same keys and types (revision as a string, updated as Go prints a time)', async () => {
    const [helm, ours] = await both(() => ['list', '-n', ns, '-o', 'json', '--filter', '']);
    const pick = (rows: unknown, name: string) => (rows as Array<{ name: string }>).filter((r) => r.name === name);
    expect(shape(pick(ours, 'by-portolan'))).toEqual(shape(pick(helm, 'by-helm')));
    const row = pick(ours, 'by-portolan')[0] as Record<string, unknown>;
    expect(row).toMatchObject({ revision: '2', status: 'deployed', chart: 'app-0.1.0', app_version: '1.0.0' });
  });

  it("status -o json: helm's top-level keys and info fields", async () => {
    const [helm, ours] = await both((name) => ['status', name, '-n', ns, '-o', 'json']);
    const h1 = helm as Record<string, unknown>;
    const o1 = ours as Record<string, unknown>;
    const helmKeys = Object.keys(h1).filter((k) => k !== 'apply_method');
    expect(Object.keys(o1)).toEqual(helmKeys);
    const info = (x: Record<string, unknown>) => Object.keys(x.info as object).filter((k) => k !== 'resources');
    expect(info(o1)).toEqual(info(h1));
    expect(o1.config).toEqual(h1.config);
    expect([o1.version, typeof o1.namespace]).toEqual([h1.version, typeof h1.namespace]);
  });

  it('get values -o json: the user values, and none the same way', async () => {
    const [helm, ours] = await both((name) => ['get', 'values', name, '-n', ns, '-o', 'json']);
    expect(ours).toEqual(helm);
  });
});
