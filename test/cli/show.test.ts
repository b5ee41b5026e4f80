import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { portolan } from '../helpers/cli.js';

describe('portolan show', () => {
  it('prints Chart.yaml as written', async () => {
    const result = await portolan(['show', 'chart', 'charts/webapp']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(readFileSync('charts/webapp/Chart.yaml', 'utf8'));
  });

  it('prints values.yaml with its comments', async () => {
    const result = await portolan(['show', 'values', 'charts/webapp']);
    expect(result.stdout).toBe(readFileSync('charts/webapp/values.yaml', 'utf8'));
    expect(result.stdout).toContain('# yaml-language-server: $schema=values.schema.json');
  });

  it('prints the README, and all parts separated by ---', async () => {
    const readme = await portolan(['show', 'readme', 'charts/webapp']);
    expect(readme.stdout).toBe(readFileSync('charts/webapp/README.md', 'utf8'));
    const all = await portolan(['show', 'all', 'charts/webapp']);
    expect(all.stdout.split('\n---\n').length).toBe(3);
  });

  it('refuses an unknown part with a usage error', async () => {
    const result = await portolan(['show', 'everything', 'charts/webapp']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Invalid values/);
  });
});
