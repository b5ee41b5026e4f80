// `npm run demo` end to end: it starts a sandbox (`portolan sandbox start`), walks through install → upgrade →
// rollback with the portolan binary, prints history and status, and stops the sandbox again.
import { describe, expect, it } from 'vitest';
import { projectRoot, run } from '../helpers/peers.js';

describe('npm run demo', () => {
  it('installs with staging values, upgrades with prod values, rolls back, and prints history and status', async () => {
    const result = await run(process.execPath, ['scripts/demo.mjs'], {
      cwd: projectRoot,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain(
      '$ portolan install web charts/webapp -f charts/webapp/values-staging.yaml -n demo --create-namespace --wait',
    );
    expect(out).toContain('web is installed in namespace demo: ghcr.io/example/webapp:1.4.2-rc.1');
    expect(out).toContain('web is upgraded in namespace demo: ghcr.io/example/webapp:1.4.2');
    expect(out).toContain('Rollback was a success: "web" is at revision 3 (Rollback to 1).');
    expect(out).toMatch(
      /1\s+.+\s+superseded\s+webapp-1\.4\.0\s+1\.4\.0\s+Install complete\n2\s+.+\s+superseded\s+webapp-1\.4\.0\s+1\.4\.0\s+Upgrade complete\n3\s+.+\s+deployed\s+webapp-1\.4\.0\s+1\.4\.0\s+Rollback to 1\n/,
    );
    expect(out).toMatch(/Deployment\/web-webapp\s+demo\s+ready\s+2\/2 replicas available/);
    expect(result.stderr.trimEnd().endsWith('sandbox stopped')).toBe(true);
  }, 120_000);
});
