import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadChartArchive, readChartFolder } from '../../src/chart/load.js';
import { packageChartFiles } from '../../src/chart/package.js';
import { helm, projectRoot } from '../helpers/peers.js';
import { portolan } from '../helpers/cli.js';
import { makeTgz } from '../helpers/tar.js';
import { copyExampleCharts } from './examples.js';

const webapp = join(projectRoot, 'charts', 'webapp');

function entryNames(tgz: Buffer): string[] {
  const tar = gunzipSync(tgz);
  const names: string[] = [];
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    const size = parseInt(header.toString('utf8', 124, 136).replace(/\0.*$/s, '').trim(), 8);
    names.push(name);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

describe('packaging', () => {
  it('puts every entry under <name>/, sorted, with .helmignore applied', async () => {
    const packaged = packageChartFiles(await readChartFolder(webapp), webapp);
    expect(packaged.fileName).toBe('webapp-1.4.0.tgz');
    const names = entryNames(packaged.data);
    expect(names.every((n) => n.startsWith('webapp/'))).toBe(true);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('webapp/Chart.yaml');
    expect(names).toContain('webapp/templates/_helpers.tpl');
    expect(packaged.digest).toBe(createHash('sha256').update(packaged.data).digest('hex'));
  });

  it('gives byte-identical archives for the same chart and time', async () => {
    const files = await readChartFolder(webapp);
    const a = packageChartFiles(files, webapp, { mtime: new Date(1_700_000_000_000) });
    const b = packageChartFiles(await readChartFolder(webapp), webapp, { mtime: new Date(1_700_000_000_000) });
    expect(a.data.equals(b.data)).toBe(true);
    const c = packageChartFiles(files, webapp, { mtime: new Date(1_700_000_001_000) });
    expect(c.digest).not.toBe(a.digest);
  });

  it('overrides version and appVersion, keeping the rest of Chart.yaml', async () => {
    const packaged = packageChartFiles(await readChartFolder(webapp), webapp, {
      version: '2.0.0-beta.1',
      appVersion: '9.9',
    });
    expect(packaged.fileName).toBe('webapp-2.0.0-beta.1.tgz');
    const chart = loadChartArchive(packaged.data, packaged.fileName);
    expect(chart.metadata.version).toBe('2.0.0-beta.1');
    expect(chart.metadata.appVersion).toBe('9.9');
    expect(chart.chartYamlText).toContain('description: A web application');
  });

  it('stores subchart archives unpacked under charts/', () => {
    const sub = makeTgz([
      { name: 'sub/Chart.yaml', data: 'apiVersion: v2\nname: sub\nversion: 1.0.0\n' },
      { name: 'sub/values.yaml', data: 'a: 1\n' },
    ]);
    const packaged = packageChartFiles(
      [
        { name: 'Chart.yaml', data: Buffer.from('apiVersion: v2\nname: top\nversion: 0.1.0\n') },
        { name: 'charts/sub-1.0.0.tgz', data: sub },
      ],
      'top',
    );
    expect(entryNames(packaged.data)).toEqual([
      'top/Chart.yaml',
      'top/charts/sub/Chart.yaml',
      'top/charts/sub/values.yaml',
    ]);
    expect(loadChartArchive(packaged.data, 'top.tgz').dependencies[0]?.values).toEqual({ a: 1 });
  });
});

describe('portolan package', () => {
  const out = mkdtempSync(join(tmpdir(), 'portolan-package-'));

  it('writes the archive, prints its digest, and honours SOURCE_DATE_EPOCH', async () => {
    const first = await portolan(['package', 'charts/webapp', '-d', join(out, 'a')], {
      env: { SOURCE_DATE_EPOCH: '1700000000' },
    });
    expect(first.code, first.stderr).toBe(0);
    const archive = readFileSync(join(out, 'a', 'webapp-1.4.0.tgz'));
    expect(first.stdout).toContain(`Digest: sha256:${createHash('sha256').update(archive).digest('hex')}`);
    const again = await portolan(['package', 'charts/webapp', '-d', join(out, 'b')], {
      env: { SOURCE_DATE_EPOCH: '1700000000' },
    });
    expect(readFileSync(join(out, 'b', 'webapp-1.4.0.tgz')).equals(archive)).toBe(true);
    const later = await portolan(['package', 'charts/webapp', '-d', join(out, 'c')], {
      env: { SOURCE_DATE_EPOCH: '1700000999' },
    });
    expect(again.code + later.code).toBe(0);
    expect(readFileSync(join(out, 'c', 'webapp-1.4.0.tgz')).equals(archive)).toBe(false);
  });

  it('renders the packaged archive like the folder', async () => {
    await portolan(['package', 'charts/webapp', '-d', join(out, 'r')]);
    const fromArchive = await portolan([
      'template',
      'web',
      join(out, 'r', 'webapp-1.4.0.tgz'),
      '-f',
      'charts/webapp/values-prod.yaml',
    ]);
    const fromFolder = await portolan(['template', 'web', 'charts/webapp', '-f', 'charts/webapp/values-prod.yaml']);
    expect(fromArchive.code, fromArchive.stderr).toBe(0);
    expect(fromArchive.stdout).toBe(fromFolder.stdout);
  });

  it('is read by the real helm: show chart and show values', async () => {
    await portolan(['package', 'charts/webapp', '-d', join(out, 'h')]);
    const archive = join(out, 'h', 'webapp-1.4.0.tgz');
    const chart = await helm(['show', 'chart', archive]);
    expect(chart.code, chart.stderr).toBe(0);
    expect(chart.stdout).toMatch(/name: webapp/);
    expect(chart.stdout).toMatch(/version: 1.4.0/);
    const values = await helm(['show', 'values', archive]);
    expect(values.code, values.stderr).toBe(0);
    // helm prints the file as written, followed by a newline of its own.
    expect(values.stdout).toBe(`${readFileSync(join(webapp, 'values.yaml'), 'utf8')}\n`);
  });

  it('reads archives written by the real helm package with the same metadata and values', async () => {
    const dir = join(out, 'helm-made');
    const made = await helm(['package', webapp, '-d', dir]);
    expect(made.code, made.stderr).toBe(0);
    const theirs = loadChartArchive(readFileSync(join(dir, 'webapp-1.4.0.tgz')), 'helm-made.tgz');
    const ours = loadChartArchive(packageChartFiles(await readChartFolder(webapp), webapp).data, 'ours.tgz');
    expect(theirs.metadata).toEqual(ours.metadata);
    expect(theirs.values).toEqual(ours.values);
    expect(theirs.templates.map((t) => t.name).sort()).toEqual(ours.templates.map((t) => t.name).sort());
  });

  it('refuses a folder that is not there, exit 1', async () => {
    const result = await portolan(['package', 'charts/missing']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/chart folder "charts\/missing" not found/);
  });
});

describe('portolan package refuses what would make a bad archive', () => {
  const out = mkdtempSync(join(tmpdir(), 'portolan-package-refuse-'));

  it('refuses a chart with lint errors, listing each error, and writes nothing', async () => {
    const dest = join(out, 'lint');
    const result = await portolan(['package', 'test/fixtures/lint/templates-strict', '-d', dest]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: test\/fixtures\/lint\/templates-strict: chart templates-strict failed lint with 3 problems\n/,
    );
    for (const file of ['bad-yaml.yaml', 'missing-partial.yaml', 'missing-value.yaml'])
      expect(result.stderr).toMatch(new RegExp(`  - templates/${file.replace('.', '\\.')}(:\\d+)?: `));
    expect(result.stderr).toMatch(/hint: Run `portolan lint test\/fixtures\/lint\/templates-strict`/);
    expect(result.stderr).not.toMatch(/bug in portolan/);
    expect(existsSync(join(dest, 'templates-strict-0.1.0.tgz'))).toBe(false);
    // Warnings do not stop packaging; they are shown on stderr.
    const warned = await portolan(['package', 'test/fixtures/lint/version-not-strict', '-d', dest]);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(
      /\[WARNING\] test\/fixtures\/lint\/version-not-strict: Chart\.yaml:3: version 'v1\.2\.3' is not a valid SemVerV2/,
    );
  });

  it('lints the chart as it will be packaged: values that break the schema fail, a --version is checked', async () => {
    const bad = await portolan(['package', 'test/fixtures/lint/schema-violation', '-d', join(out, 'schema')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/failed lint/);
    const version = await portolan(['package', 'charts/hello', '--version', 'one', '-d', join(out, 'v')]);
    expect(version.code).toBe(2);
    expect(version.stderr).toMatch(/--version "one" is not a valid SemVer 2 version/);
  });

  it('refuses a chart whose dependencies are missing from charts/, and with -u updates them first', async () => {
    const work = copyExampleCharts(['umbrella', 'webapp', 'common'], 'portolan-package-u-');
    const dest = join(work, 'dist');
    const missing = await portolan(['package', join(work, 'umbrella'), '-d', dest]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/umbrella: found in Chart\.yaml, but missing in charts\/: webapp, common/);
    expect(existsSync(join(dest, 'umbrella-0.1.0.tgz'))).toBe(false);

    const updated = await portolan(['package', join(work, 'umbrella'), '-u', '-d', dest]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toMatch(/^Dependency webapp 1\.4\.0 from file:\/\/\.\.\/webapp\n/);
    expect(existsSync(join(work, 'umbrella', 'Chart.lock'))).toBe(true);
    const archive = readFileSync(join(dest, 'umbrella-0.1.0.tgz'));
    const names = entryNames(archive);
    // Subchart archives written by -u are stored unpacked.
    expect(names).toContain('umbrella/charts/webapp/Chart.yaml');
    expect(names).toContain('umbrella/charts/common/templates/_labels.tpl');
    expect(names.filter((n) => n.endsWith('.tgz'))).toEqual([]);
    const rendered = await portolan(['template', 'shop', join(dest, 'umbrella-0.1.0.tgz')]);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stdout).toMatch(/name: shop-frontend/);
  });

  it('packages several charts in one call, with --version and --app-version', async () => {
    const dest = join(out, 'many');
    const result = await portolan([
      'package',
      'charts/hello',
      'charts/common',
      '--version',
      '7.0.0',
      '--app-version',
      'v9',
      '-d',
      dest,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.match(/^Successfully packaged chart and saved it to: .*$/gm)).toEqual([
      `Successfully packaged chart and saved it to: ${join(dest, 'hello-7.0.0.tgz')}`,
      `Successfully packaged chart and saved it to: ${join(dest, 'common-7.0.0.tgz')}`,
    ]);
    const hello = loadChartArchive(readFileSync(join(dest, 'hello-7.0.0.tgz')), 'hello');
    expect([hello.metadata.version, hello.metadata.appVersion]).toEqual(['7.0.0', 'v9']);
  });
});

describe('index digests agree between helm and portolan', () => {
  it("helm repo index and portolan repo index give the same digest for every archive, ours and helm's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portolan-digests-'));
    const ours = await portolan(['package', 'charts/webapp', 'charts/hello', '-d', dir]);
    expect(ours.code, ours.stderr).toBe(0);
    const theirs = await helm(['package', join(projectRoot, 'charts', 'common'), '-d', dir]);
    expect(theirs.code, theirs.stderr).toBe(0);
    const byHelm = await helm(['repo', 'index', dir]);
    expect(byHelm.code, byHelm.stderr).toBe(0);
    const helmIndex = yaml.load(readFileSync(join(dir, 'index.yaml'), 'utf8')) as {
      entries: Record<string, Array<{ version: string; digest: string; urls: string[] }>>;
    };
    const byPortolan = await portolan(['repo', 'index', dir]);
    expect(byPortolan.code, byPortolan.stderr).toBe(0);
    const ourIndex = yaml.load(readFileSync(join(dir, 'index.yaml'), 'utf8')) as typeof helmIndex;
    const digests = (index: typeof helmIndex) =>
      Object.fromEntries(
        Object.values(index.entries)
          .flat()
          .map((e) => [e.urls[0], e.digest]),
      );
    expect(Object.keys(digests(helmIndex)).sort()).toEqual(['common-0.1.0.tgz', 'hello-0.1.0.tgz', 'webapp-1.4.0.tgz']);
    expect(digests(ourIndex)).toEqual(digests(helmIndex));
    for (const [file, digest] of Object.entries(digests(ourIndex)))
      expect(digest).toBe(
        createHash('sha256')
          .update(readFileSync(join(dir, file)))
          .digest('hex'),
      );
  });
});
