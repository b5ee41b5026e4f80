// The release commands through the CLI (in process, runCli against src/), against a sandbox started here. Locks
// between processes: test/e2e/release-locks.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portolan } from '../helpers/cli.js';
import { fixture, startHarness, type Harness } from './harness.js';

let h: Harness;
let env: NodeJS.ProcessEnv;
const ns = 'cli';
const app = fixture('app');

beforeAll(async () => {
  h = await startHarness({ readyDelayMs: 30 });
  env = { KUBECONFIG: h.sandbox.kubeconfigPath, HOME: h.dir };
  await (await h.client('default')).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
});
afterAll(async () => h?.stop());

const run = (args: string[]) => portolan(args, { env });

describe('portolan install, upgrade, rollback, history, status, get', () => {
  it('installs and prints the release with its notes', async () => {
    const r = await run(['install', 'shop', app, '-n', ns, '--set', 'message=hi', '--wait', '--timeout', '30s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^NAME: shop\nLAST DEPLOYED: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\nNAMESPACE: cli\nSTATUS: deployed\nREVISION: 1\nDESCRIPTION: Install complete\nNOTES:\nshop revision 1 says hi\.\n$/,
    );
  });

  it("upgrades with -f and --set, then prints Helm's history -o json shape, oldest first", async () => {
    const up = await run(['upgrade', 'shop', app, '-n', ns, '--set', 'message=again', '--description', 'second try']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('Release "shop" has been upgraded.');
    const hist = await run(['history', 'shop', '-n', ns, '-o', 'json']);
    expect(hist.code, hist.stderr).toBe(0);
    const rows = JSON.parse(hist.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((r) => Object.keys(r))).toEqual([
      ['revision', 'updated', 'status', 'chart', 'app_version', 'description'],
      ['revision', 'updated', 'status', 'chart', 'app_version', 'description'],
    ]);
    expect(rows).toMatchObject([
      { revision: 1, status: 'superseded', chart: 'app-0.1.0', app_version: '1.0.0', description: 'Install complete' },
      { revision: 2, status: 'deployed', chart: 'app-0.1.0', app_version: '1.0.0', description: 'second try' },
    ]);
    expect(Number.isNaN(Date.parse(String(rows[0]!.updated)))).toBe(false);
  });

  it("prints history as Helm's table", async () => {
    const r = await run(['history', 'shop', '-n', ns]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^REVISION\s+UPDATED\s+STATUS\s+CHART\s+APP VERSION\s+DESCRIPTION$/);
    expect(lines[2]).toMatch(/^2\s+\w{3} \w{3} .+\s+deployed\s+app-0\.1\.0\s+1\.0\.0\s+second try$/);
  });

  it("lists releases in Helm's JSON shape, with -A across namespaces", async () => {
    const r = await run(['list', '-A', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const [row] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(Object.keys(row!)).toEqual(['name', 'namespace', 'revision', 'updated', 'status', 'chart', 'app_version']);
    expect(row).toMatchObject({
      name: 'shop',
      namespace: ns,
      revision: '2',
      status: 'deployed',
      chart: 'app-0.1.0',
      app_version: '1.0.0',
    });
    expect(String(row!.updated)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+0000 UTC$/);
    const none = await run(['list', '-n', 'default', '-q']);
    expect(none.stdout).toBe('');
    const filtered = await run(['list', '-n', ns, '--filter', '^sh', '-q']);
    expect(filtered.stdout).toBe('shop\n');
  });

  it("shows status with the readiness of every object, and Helm's status -o json keys", async () => {
    const r = await run(['status', 'shop', '-n', ns]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('STATUS: deployed\nREVISION: 2\n');
    expect(r.stdout).toMatch(/Deployment\/shop-web\s+cli\s+ready\s+1\/1 replicas available/);
    expect(r.stdout).toMatch(/ConfigMap\/shop-config\s+cli\s+ready/);
    const json = JSON.parse((await run(['status', 'shop', '-n', ns, '-o', 'json'])).stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['name', 'info', 'config', 'manifest', 'version', 'namespace']);
    expect(json).toMatchObject({
      name: 'shop',
      version: 2,
      namespace: ns,
      config: { message: 'again' },
      info: { status: 'deployed', description: 'second try' },
    });
    const old = JSON.parse((await run(['status', 'shop', '-n', ns, '--revision', '1', '-o', 'json'])).stdout) as {
      info: { status: string };
    };
    expect(old.info.status).toBe('superseded');
  });

  it('gets values, computed values, manifest and notes of a revision', async () => {
    const values = await run(['get', 'values', 'shop', '-n', ns]);
    expect(values.stdout).toBe('USER-SUPPLIED VALUES:\nmessage: again\n');
    const all = JSON.parse((await run(['get', 'values', 'shop', '-n', ns, '-a', '-o', 'json'])).stdout) as Record<
      string,
      unknown
    >;
    expect(all).toMatchObject({ message: 'again', replicas: 1, image: 'nginx:1.27', legacy: true });
    const manifest = await run(['get', 'manifest', 'shop', '-n', ns, '--revision', '1']);
    expect(manifest.stdout).toContain('---\n# Source: app/templates/configmap.yaml\n');
    expect(manifest.stdout).toContain('message: "hi"');
    expect((await run(['get', 'notes', 'shop', '-n', ns])).stdout).toBe('NOTES:\nshop revision 2 says again.\n');
    const everything = await run(['get', 'all', 'shop', '-n', ns]);
    expect(everything.stdout).toMatch(
      /CHART: app\nVERSION: 0\.1\.0\nAPP_VERSION: 1\.0\.0\nDESCRIPTION: second try\nUSER-SUPPLIED VALUES:\nmessage: again\n\nCOMPUTED VALUES:\n/,
    );
  });

  it('rolls back to the previous revision and says so', async () => {
    const r = await run(['rollback', 'shop', '-n', ns, '--wait']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Rollback was a success: "shop" is at revision 3 (Rollback to 1).\n');
    expect((await run(['get', 'values', 'shop', '-n', ns, '-o', 'json'])).stdout).toBe('{"message":"hi"}\n');
  });

  it('prints the manifest on a dry run and changes nothing', async () => {
    const r = await run(['upgrade', 'shop', app, '-n', ns, '--set', 'message=dry', '--dry-run=server']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('STATUS: pending-upgrade\nREVISION: 4\nDESCRIPTION: Dry run complete\n');
    expect(r.stdout).toContain('MANIFEST:\n---\n# Source: app/templates/configmap.yaml');
    expect((await h.kubectlGet('configmap', 'shop-config', ns))?.data?.message).toBe('hi');
    const client = await run(['install', 'other', app, '--dry-run']);
    expect(client.code, client.stderr).toBe(0);
    expect(client.stdout).toContain('NAMESPACE: default\nSTATUS: pending-install\n');
  });

  it('uninstalls, and then the release is not found (exit 1 with a hint)', async () => {
    const r = await run(['uninstall', 'shop', '-n', ns]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('release "shop" uninstalled\n');
    const again = await run(['uninstall', 'shop', '-n', ns]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Error: release "shop" not found in namespace "cli"');
    expect(again.stderr).toContain('hint:');
    expect(again.stderr).not.toMatch(/\s+at \w+/);
    const ignored = await run(['uninstall', 'shop', '-n', ns, '--ignore-not-found']);
    expect(ignored.code).toBe(0);
  });
});

describe('portolan test and hooks', () => {
  const hooks = fixture('hooks');

  it('skips every hook with --no-hooks', async () => {
    const r = await run(['install', 'quiet', hooks, '-n', ns, '--no-hooks']);
    expect(r.code, r.stderr).toBe(0);
    expect(await h.kubectlGet('configmap', 'quiet-a-setup', ns)).toBeUndefined();
    expect(await h.kubectlGet('pod', 'quiet-announce', ns)).toBeUndefined();
    expect(await h.kubectlGet('configmap', 'quiet-config', ns)).toBeDefined();
  });

  it('reports each test, and exits 1 when one fails', async () => {
    expect((await run(['install', 'tested', hooks, '-n', ns])).code).toBe(0);
    const ok = await run(['test', 'tested', '-n', ns]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /TEST SUITE: {5}tested-test-db\nLast Started: {3}.+\nLast Completed: .+\nPhase: {10}Succeeded\n/,
    );
    expect(ok.stdout).toContain('TEST SUITE:     tested-test-ok');
    h.sandbox.setFailureRules([{ kind: 'Job', labels: { fail: 'yes' }, effect: 'fail' }]);
    try {
      expect((await run(['upgrade', 'tested', hooks, '-n', ns, '--set', 'failTest=yes'])).code).toBe(0);
      const bad = await run(['test', 'tested', '-n', ns]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/TEST SUITE: {5}tested-test-db\n.*\n.*\nPhase: {10}Failed\n/);
      expect(bad.stderr).toContain('1 of 2 tests failed');
    } finally {
      h.sandbox.setFailureRules([]);
    }
  });

  it('prints a release as YAML with -o yaml', async () => {
    const r = await run(['status', 'tested', '-n', ns, '-o', 'yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^config:\n {2}failTest: "yes"\nhooks:\n/);
    expect(r.stdout).toContain('\nname: tested\nnamespace: cli\nversion: 2\n');
  });
});

describe('values through the cluster', () => {
  it('keeps integers beyond 2^53 from --set exact through the record and --reuse-values', async () => {
    expect((await run(['install', 'big', app, '-n', ns, '--set', 'big=1234567890123456789'])).code).toBe(0);
    expect((await run(['upgrade', 'big', app, '-n', ns, '--reuse-values', '--set', 'message=more'])).code).toBe(0);
    const values = await run(['get', 'values', 'big', '-n', ns, '-o', 'json']);
    expect(values.stdout).toBe('{"big":1234567890123456789,"message":"more"}\n');
    const yaml = await run(['get', 'values', 'big', '-n', ns]);
    expect(yaml.stdout).toBe('USER-SUPPLIED VALUES:\nbig: 1234567890123456789\nmessage: more\n');
  });
});

describe('release command errors', () => {
  it('refuses a bad --timeout as a usage error (exit 2)', async () => {
    const r = await run(['install', 'x', app, '-n', ns, '--timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout "soon" is not a duration');
  });

  it('refuses an unknown --driver and PORTOLAN_DRIVER (exit 2)', async () => {
    const r = await run(['list', '--driver', 'etcd']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown storage driver "etcd"');
    const e = await portolan(['list'], { env: { ...env, PORTOLAN_DRIVER: 'sql' } });
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('(from PORTOLAN_DRIVER)');
  });

  it('refuses an invalid release name before touching the cluster', async () => {
    const r = await run(['install', 'Bad_Name', app, '-n', ns]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('invalid release name "Bad_Name"');
  });

  it('says which namespace is missing and how to create it', async () => {
    const r = await run(['install', 'x', app, '-n', 'nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('namespace "nowhere" does not exist');
    expect(r.stderr).toContain('--create-namespace');
    const ok = await run(['install', 'x', app, '-n', 'nowhere', '--create-namespace']);
    expect(ok.code, ok.stderr).toBe(0);
  });
});
