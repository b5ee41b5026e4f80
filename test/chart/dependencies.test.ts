import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { buildDependencies, updateDependencies } from '../../src/chart/dependency-update.js';
import { lockDigest } from '../../src/chart/dependencies.js';
import { satisfiesRange, maxSatisfying } from '../../src/chart/version-range.js';
import { PortolanError } from '../../src/errors.js';
import { helm } from '../helpers/peers.js';
import { portolan } from '../helpers/cli.js';
import { copyExampleCharts } from './examples.js';

describe('Helm version ranges', () => {
  it.each([
    ['1.2.3', '^1.2.0', true],
    ['2.0.0', '^1.2.0', false],
    ['0.2.9', '^0.2.3', true],
    ['0.3.0', '^0.2.3', false],
    ['1.2.9', '~1.2', true],
    ['1.3.0', '~1.2', false],
    ['1.3.5', '>= 1.2, < 1.4', true],
    ['1.4.0', '>= 1.2, < 1.4', false],
    ['1.1.0', '>= 1.2, < 1.4', false],
    ['1.2.7', '1.2.x', true],
    ['1.3.0', '1.2.x', false],
    ['9.9.9', '*', true],
    ['1.0.0', '^2.0.0 || ^1.0.0', true],
    ['3.0.0', '^2.0.0 || ^1.0.0', false],
    ['1.2.0-beta.1', '^1.0.0', false],
    ['1.2.0-beta.1', '>= 1.0.0-0', true],
    ['1.2.0-beta.1', '^1.2.0-alpha', true],
    ['1.2.0', '', true],
    ['1.2.0', '1.2.0', true],
    ['1.2.1', '1.2.0', false],
  ])('%s satisfies "%s": %s', (version, range, expected) => {
    expect(satisfiesRange(version, range)).toBe(expected);
  });

  it('picks the newest matching version', () => {
    expect(maxSatisfying(['1.2.0', '1.3.0', '1.2.9', '2.0.0'], '~1.2')).toBe('1.2.9');
  });
});

function copyUmbrella(): string {
  return join(copyExampleCharts(['umbrella', 'webapp', 'common'], 'portolan-deps-'), 'umbrella');
}

describe('dependency update and build', () => {
  it('packages file:// dependencies into charts/ and writes a Chart.lock', async () => {
    const dir = copyUmbrella();
    const result = await updateDependencies(dir, { now: new Date('2026-01-02T03:04:05Z') });
    expect(result.written.sort()).toEqual(['common-0.1.0.tgz', 'webapp-1.4.0.tgz']);
    expect(existsSync(join(dir, 'charts', 'webapp-1.4.0.tgz'))).toBe(true);
    const lock = yaml.load(readFileSync(join(dir, 'Chart.lock'), 'utf8')) as {
      dependencies: unknown[];
      digest: string;
      generated: string;
    };
    expect(lock.dependencies).toEqual([
      { name: 'webapp', repository: 'file://../webapp', version: '1.4.0' },
      { name: 'webapp', repository: 'file://../webapp', version: '1.4.0' },
      { name: 'common', repository: 'file://../common', version: '0.1.0' },
    ]);
    expect(lock.generated).toBe('2026-01-02T03:04:05.000Z');
    expect(lock.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('computes the same lock digest as the real helm', async () => {
    const dir = copyUmbrella();
    const made = await helm(['dependency', 'update', dir]);
    expect(made.code, made.stderr).toBe(0);
    const theirs = yaml.load(readFileSync(join(dir, 'Chart.lock'), 'utf8')) as {
      digest: string;
      dependencies: Array<{ name: string; version: string; repository: string }>;
    };
    const requested = (yaml.load(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as { dependencies: [] }).dependencies;
    expect(lockDigest(requested, theirs.dependencies)).toBe(theirs.digest);
    // …and helm accepts a lock that portolan wrote.
    const dir2 = copyUmbrella();
    await updateDependencies(dir2);
    const built = await helm(['dependency', 'build', dir2]);
    expect(built.code, built.stderr).toBe(0);
  });

  it('builds from an in-sync lock, and refuses a lock out of sync with Chart.yaml', async () => {
    const dir = copyUmbrella();
    await updateDependencies(dir);
    const rebuilt = await buildDependencies(dir);
    expect(rebuilt.written.sort()).toEqual(['common-0.1.0.tgz', 'webapp-1.4.0.tgz']);
    const chartYaml = join(dir, 'Chart.yaml');
    writeFileSync(chartYaml, readFileSync(chartYaml, 'utf8').replace('version: 0.1.x', 'version: ^0.1.0'));
    const error = await buildDependencies(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortolanError);
    expect((error as PortolanError).message).toMatch(/Chart.lock is out of sync with the dependencies in Chart.yaml/);
    expect((error as PortolanError).hint).toMatch(/portolan dependency update/);
  });

  it('dependency build through the CLI refuses an out-of-sync lock, exit 1, and says to run update', async () => {
    const dir = copyUmbrella();
    expect((await portolan(['dependency', 'update', dir])).code).toBe(0);
    const chartYaml = join(dir, 'Chart.yaml');
    writeFileSync(
      chartYaml,
      readFileSync(chartYaml, 'utf8').replace('condition: backend.enabled', 'condition: backend.on'),
    );
    const result = await portolan(['dependency', 'build', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: .*Chart\.lock is out of sync with the dependencies in Chart\.yaml\n {2}hint: Run `portolan dependency update`/,
    );
    // helm agrees that this lock no longer fits.
    const theirs = await helm(['dependency', 'build', dir]);
    expect(theirs.code).toBe(1);
    expect(theirs.stderr).toMatch(/out of sync/);
  });

  it('refuses a file:// dependency whose version is outside the range', async () => {
    const dir = copyUmbrella();
    const chartYaml = join(dir, 'Chart.yaml');
    writeFileSync(chartYaml, readFileSync(chartYaml, 'utf8').replace('version: 0.1.x', 'version: ^2.0.0'));
    await expect(updateDependencies(dir)).rejects.toThrow(
      /holds version 0.1.0, which does not match the range "\^2.0.0"/,
    );
  });

  it('lists each dependency with its status through the CLI', async () => {
    const dir = copyUmbrella();
    const before = await portolan(['dependency', 'list', dir]);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/^NAME\s+VERSION\s+REPOSITORY\s+STATUS/);
    expect(before.stdout).toMatch(/common\s+0.1.x\s+file:\/\/..\/common\s+missing/);
    const build = await portolan(['dependency', 'build', dir]);
    expect(build.code, build.stderr).toBe(0);
    const after = await portolan(['dependency', 'list', dir, '-o', 'json']);
    expect((JSON.parse(after.stdout) as Array<{ status: string }>).map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
  });
});
