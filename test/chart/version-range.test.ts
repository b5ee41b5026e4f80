// Helm's version constraints (src/chart/version-range.ts) against the real thing. Every expectation in CASES and
// ERRORS came from helm 4.1.4 (Masterminds/semver v3.4.0): a chart whose template ran
// `semverCompare CONSTRAINT VERSION` over every row, rendered once with `helm template`, and one render per error row.
// The last tests render the table with helm again, so a disagreement shows up here and not in a user's chart.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRange } from '../../src/chart/dependencies.js';
import { updateDependencies } from '../../src/chart/dependency-update.js';
import {
  maxSatisfying,
  parseConstraint,
  parseVersion,
  satisfiesRange,
  semverCompare,
} from '../../src/chart/version-range.js';
import { PortolanError } from '../../src/errors.js';
import { renderChart } from '../../src/render/index.js';
import { clientPaths } from '../../src/repo/client/config.js';
import { selectVersion } from '../../src/repo/client/repos.js';
import { createRemoteResolver } from '../../src/repo/client/resolver.js';
import { searchIndexes } from '../../src/repo/client/search.js';
import type { ChartVersionEntry, IndexFile } from '../../src/repo/index-model.js';
import { type RepoServer, startRepoServer } from '../../src/repo/server/server.js';
import { prepareChart } from '../../src/values/index.js';
import { chartFrom, userValues } from '../helpers/charts.js';
import { helm } from '../helpers/peers.js';
import { bearer, chartArchive, http, tempDir } from '../repo/helpers.js';

/** [constraint, version, what helm 4.1.4's semverCompare answered]. */
const CASES: Array<[string, string, boolean]> = [
  ['!=4.1.0', '4.1.0', false],
  ['!=4.1.0', '4.1.1', true],
  ['!=4.1.0', '4.0.9', true],
  ['!=4.1.0', '4.1.0-rc.1', false],
  ['!=4.1', '4.1.7', false],
  ['!=4.1', '4.2.0', true],
  ['!=4', '4.9.9', false],
  ['!=4', '5.0.0', true],
  ['!=4.1.x', '4.1.3', false],
  ['!=4.1.x', '4.2.3', true],
  ['!=4.x', '4.2.3', false],
  ['!=4.x', '3.2.3', true],
  ['!=1.2.3-beta', '1.2.3-alpha', true],
  ['!=1.2.3-beta', '1.2.3-beta', false],
  ['!=1.2.3-beta', '1.2.4-beta', true],
  ['!=1.2.x-beta', '1.2.5-beta', false],
  ['!=1.2.x-beta', '1.2.5-alpha', true],
  ['!=1.2.3+build', '1.2.3+other', false],
  ['>=1.1 <2 !=1.2.3', '1.2.3', false],
  ['>=1.1 <2 !=1.2.3', '1.2.4', true],
  ['>=1.1 <2 !=1.2.3', '1.1.0', true],
  ['>=1.1 <2 !=1.2.3', '1.0.9', false],
  ['>=1.1 <2 !=1.2.3', '2.0.0', false],
  ['>=1.1, <2, !=1.2.3', '1.5.0', true],
  ['>=1.1,<2,!=1.2.3', '1.2.3', false],
  ['>= 1.1 , < 2', '1.9.9', true],
  ['1.2 - 1.4.5', '1.2.0', true],
  ['1.2 - 1.4.5', '1.1.9', false],
  ['1.2 - 1.4.5', '1.4.5', true],
  ['1.2 - 1.4.5', '1.4.6', false],
  ['1.0.0 - 2', '2.5.0', true],
  ['1.0.0 - 2', '3.0.0', false],
  ['1.0.0 - 2.0.0', '2.0.0', true],
  ['1.0.0-0 - 2.0.0', '1.5.0-rc.1', true],
  ['1.2 - 1.4.5 || 2.x', '2.1.0', true],
  ['1.2.x', '1.2.9', true],
  ['1.2.x', '1.3.0', false],
  ['1.2.X', '1.2.0', true],
  ['1.2.*', '1.2.0', true],
  ['1.*', '1.9.9', true],
  ['1.*', '2.0.0', false],
  ['1.x.x', '1.4.4', true],
  ['*', '0.0.1', true],
  ['*', '0.0.0', true],
  ['*', '1.0.0-alpha', false],
  ['x', '3.4.5', true],
  ['X.X.X', '3.4.5', true],
  ['>x', '0.0.0', false],
  ['>x', '0.5.0', true],
  ['>*', '1.0.0', true],
  ['<x', '1.0.0', false],
  ['<=x', '1.0.0', false],
  ['<=x', '0.5.0', false],
  ['>=*', '1.0.0', true],
  ['~1.2.3', '1.2.9', true],
  ['~1.2.3', '1.3.0', false],
  ['~1.2.3', '1.2.2', false],
  ['~1', '1.9.0', true],
  ['~1', '2.0.0', false],
  ['~1.x', '1.9.0', true],
  ['~0', '0.5.0', true],
  ['~0', '1.0.0', false],
  ['~0.0.0', '5.0.0', true],
  ['~*', '5.0.0', true],
  ['~>1.2', '1.2.7', true],
  ['~>1.2', '1.3.0', false],
  ['~> 1.2.3', '1.2.4', true],
  ['~1.2.3-beta', '1.2.4-alpha', true],
  ['~1.2.3-beta', '1.2.3-alpha', false],
  ['^1.2.3', '1.9.9', true],
  ['^1.2.3', '2.0.0', false],
  ['^1.2.3', '1.2.2', false],
  ['^0.2.3', '0.2.9', true],
  ['^0.2.3', '0.3.0', false],
  ['^0.0.3', '0.0.3', true],
  ['^0.0.3', '0.0.4', false],
  ['^0', '0.9.0', true],
  ['^0', '1.0.0', false],
  ['^0.0', '0.0.9', true],
  ['^0.0', '0.1.0', false],
  ['^0.x', '0.5.0', true],
  ['^1.x', '1.9.0', true],
  ['^*', '4.5.6', false],
  ['^*', '0.5.6', false],
  ['^1.2.0-alpha', '1.3.0-beta', true],
  ['^1.2.0-alpha', '1.2.0-0', false],
  ['=>1.2', '1.2.0', true],
  ['=>1.2', '1.1.9', false],
  ['=<1.2', '1.2.9', true],
  ['=<1.2', '1.3.0', false],
  ['<=1.2.3', '1.2.3', true],
  ['<=1.2.3', '1.2.4', false],
  ['<=1.2', '1.2.99', true],
  ['<=1', '1.99.0', true],
  ['<=1', '2.0.0', false],
  ['>1.2', '1.2.9', false],
  ['>1.2', '1.3.0', true],
  ['>1', '1.9.9', false],
  ['>1', '2.0.0', true],
  ['>1.2.3', '1.2.4', true],
  ['>1.2.3', '1.2.3', false],
  ['<1.2', '1.1.9', true],
  ['<1.2', '1.2.0-alpha', false],
  ['<1.2', '1.2.0', false],
  ['>=1.21-0', 'v1.34.0', true],
  ['>=1.21-0', 'v1.29.3-eks-1234', true],
  ['>=1.21-0', '1.29.0-eks-abc', true],
  ['>=1.21-0', 'v1.20.15-gke.100', false],
  ['>=1.21-0', 'v1.21.0', true],
  ['>=1.21', '1.29.0-eks-abc', false],
  ['>=1.21', 'v1.34.0', true],
  ['>=1.21.0-0', '1.21.0-rc.1', true],
  ['<1.25.0-0', 'v1.24.9-eks-1234', true],
  ['<1.25-0', 'v1.25.0-eks-1234', false],
  ['>= 1.19-0 < 1.30-0', '1.29.3-gke.1', true],
  ['>= 1.16.0-0, < 1.22.0-0', '1.21.5', true],
  ['>=1.21.0-0 <1.24.0-0', 'v1.23.17-eks-2', true],
  ['>=1.14-0', 'v1.30.2+k3s1', true],
  ['>=1.14', 'v1.30.2+k3s1', true],
  ['<2.0.0', 'v1.99.0', true],
  ['1.2.3', 'v1.2.3', true],
  ['v1.2.3', '1.2.3', true],
  ['=v1.2.3', '1.2.3', true],
  ['>=v1.2.3', '1.3.0', true],
  ['1.2.3', '1.2.3+build.5', true],
  ['1.2.3+build', '1.2.3', true],
  ['1.2.3', '1.2.3-0', false],
  ['1', '1.5.0', true],
  ['1', '2.0.0', false],
  ['1.4', '1.4.7', true],
  ['1.4', '1.5.0', false],
  ['=1.4', '1.4.2', true],
  ['1.2.3 || 2.x', '2.5.0', true],
  ['1.2.3 || 2.x', '3.0.0', false],
  ['1.2.x || 1.4.x', '1.4.2', true],
  ['>=1.0.0-alpha || <0.5', '1.0.0-beta', true],
  ['<0.5 || >=1.0.0-alpha', '0.4.0-rc.1', false],
  ['<0.5 || >=1.0.0-alpha', '0.4.9', true],
  ['>=1.0.0-alpha, <2', '1.5.0-beta', true],
  ['>=1.0.0-alpha <2', '1.5.0-beta', true],
  ['1.2.3-beta', '1.2.3-beta', true],
  ['1.2.3-beta', '1.2.3', false],
  ['<=1.2.3-beta', '1.2.3-alpha', true],
  ['>1.2.3-alpha.2', '1.2.3-alpha.10', true],
  ['>1.2.3-alpha.beta', '1.2.3-alpha.1', false],
  ['<1.2.3-rc', '1.2.3-rc.1', false],
  ['>1.2.3-0', '1.2.3', true],
  ['>1.2.3-rc.1', '1.2.3-RC.2', false],
  ['>=1.2.3', '1.2', false],
  ['>=1.2.0', '1', false],
  ['<2', '1', true],
  ['>=1.2.3', '01.02.03', true],
  ['01.2.3', '1.2.3', true],
  ['>=1.2.3   ||   <1', '0.5.0', true],
  ['  >=1.2.3  ', '1.2.3', true],
  ['>=0.0.0', '0.0.0', true],
  ['>0.0.0', '0.0.1', true],
  ['>0.0.0-0', '0.0.1-alpha', true],
  ['>=1.2.3 , <=1.2.5', '1.2.4', true],
  ['=1.x.3', '1.5.0', true],
  ['>=18446744073709551615', '18446744073709551615.0.0', true],
];

/** [constraint, version, helm 4.1.4's message after "error calling semverCompare: "]. */
const ERRORS: Array<[string, string, string]> = [
  ['foo', '1.0.0', 'improper constraint: foo'],
  ['', '1.0.0', 'improper constraint: '],
  [' ', '1.0.0', 'improper constraint:  '],
  ['>=1.2.3 <', '1.0.0', 'improper constraint: >=1.2.3 <'],
  ['~1.2.3 ||', '1.0.0', 'improper constraint: '],
  ['|| 1.2.3', '1.0.0', 'improper constraint: '],
  ['1.2.3.4', '1.0.0', 'improper constraint: 1.2.3.4'],
  ['1|2', '1.0.0', 'constraint parser error'],
  ['1.2.3-01', '1.0.0', 'constraint parser error'],
  ['>=1.2.3,,<2', '1.0.0', 'improper constraint: >=1.2.3,,<2'],
  ['1.2.3 - ', '1.0.0', 'improper constraint: 1.2.3 - '],
  ['=>=1.2', '1.0.0', 'improper constraint: =>=1.2'],
  ['x1', '1.0.0', 'constraint parser error'],
  ['>= 1.2 || foo', '1.0.0', 'improper constraint:  foo'],
  ['>=18446744073709551616', '1.0.0', 'constraint parser error'],
  ['>1 - 2', '1.0.0', 'improper constraint: >>= 1, <= 2 '],
  ['1.2.3 -2', '1.0.0', 'improper constraint: 1.2.3 -2'],
  ['1.2.3 - 1.4.5 - 2', '1.0.0', 'improper constraint: >= 1.2.3, <= 1.4.5 - 2'],
  ['1.x.3-01', '1.0.0', 'constraint parser error'],
  ['>=1', 'foo', 'invalid semantic version'],
  ['>=1', '', 'invalid semantic version'],
  ['>=1', '1.2.3-01', 'version segment starts with 0'],
  ['>=1', '1.2.3.4', 'invalid semantic version'],
  [
    '>=1',
    '18446744073709551616.0.0',
    'error parsing version segment: strconv.ParseUint: parsing "18446744073709551616": value out of range',
  ],
  ['>=1', 'v', 'invalid semantic version'],
  ['>=1', 'V1.2.3', 'invalid semantic version'],
  ['>=1', '1.2.3-', 'invalid semantic version'],
  ['>=1', '1.2.3+', 'invalid semantic version'],
  ['>=1', ' 1.2.3', 'invalid semantic version'],
  ['>=1', '1.2.3-alpha..1', 'invalid semantic version'],
  ['>=1', '=1.2.3', 'invalid semantic version'],
  ['>=1', '01.2.3-00', 'version segment starts with 0'],
  ['foo', 'bar', 'improper constraint: foo'],
];

describe('semverCompare, as Masterminds/semver v3.4.0 in helm 4.1.4', () => {
  it.each(CASES)('semverCompare %j %j is %s', (constraint, version, expected) => {
    expect(semverCompare(constraint, version)).toBe(expected);
  });

  it.each(ERRORS)('semverCompare %j %j fails with %j', (constraint, version, message) => {
    let thrown: unknown;
    try {
      semverCompare(constraint, version);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PortolanError);
    expect((thrown as PortolanError).message).toBe(message);
  });

  it('has at least 80 table cases, so the table keeps covering the grammar', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(80);
  });
});

/** A chart whose template prints semverCompare for every row of `rows`, with `$i:` before each answer. */
function writeTableChart(rows: Array<[string, string]>): string {
  const dir = join(tempDir('portolan-semver-'), 'table');
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: table\nversion: 0.1.0\n');
  writeFileSync(join(dir, 'values.yaml'), JSON.stringify({ cases: rows }));
  writeFileSync(
    join(dir, 'templates', 'out.yaml'),
    '{{- range $i, $c := .Values.cases }}\n{{ $i }}: {{ semverCompare (index $c 0) (index $c 1) }}\n{{- end }}\n',
  );
  return dir;
}

describe('the table against the real helm', () => {
  it('helm template answers every row of CASES as the table says', async () => {
    const result = await helm(['template', writeTableChart(CASES.map(([c, v]) => [c, v]))]);
    expect(result.stderr).toBe('');
    const answers = [...result.stdout.matchAll(/^(\d+): (true|false)$/gm)].map((m) => m[2] === 'true');
    expect(answers).toEqual(CASES.map(([, , expected]) => expected));
  });

  it('helm fails on an error row with the message in ERRORS', async () => {
    for (const row of [ERRORS[0], ERRORS[15], ERRORS[23]] as Array<[string, string, string]>) {
      const result = await helm(['template', writeTableChart([[row[0], row[1]]])]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`error calling semverCompare: ${row[2]}\n`);
    }
  });
});

/** Renders `template` as NOTES.txt with Helm's default capabilities, or `kubeVersion`. */
async function render(template: string, values = '', kubeVersion?: string): Promise<string> {
  const prepared = prepareChart(
    chartFrom({ 'values.yaml': values, 'templates/NOTES.txt': template }),
    await userValues({}),
  );
  return renderChart(prepared.chart, prepared.values, { releaseName: 'rel', namespace: 'ns', kubeVersion }).notes;
}

describe('semverCompare and semver in templates', () => {
  it('compares the GitVersion of EKS and plain clusters against ">=1.21-0"', async () => {
    const template =
      '{{ semverCompare ">=1.21-0" .Values.eks }} {{ semverCompare ">=1.21-0" .Values.plain }} {{ semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion }}';
    expect(await render(template, 'eks: v1.29.3-eks-1234\nplain: v1.34.0\n')).toBe('true true true');
    expect(await render('{{ semverCompare ">=1.30-0" .Capabilities.KubeVersion.GitVersion }}', '', '1.29.3')).toBe(
      'false',
    );
  });

  it('fails at the template position with Masterminds message, as helm does', async () => {
    // A variable makes the text a Go template (a neutral one would be read as handlebars).
    await expect(render('{{ $c := "!!" }}{{ semverCompare $c "1.0.0" }}')).rejects.toThrow(
      /NOTES\.txt:1:.*error calling semverCompare: improper constraint: !!$/,
    );
    await expect(render('{{ $v := "1.2.3-01" }}{{ semverCompare ">=1" $v }}')).rejects.toThrow(
      /error calling semverCompare: version segment starts with 0$/,
    );
  });

  it('gives semver the parts of a loosely written version, and prints it as Masterminds does', async () => {
    expect(
      await render('{{ $v := semver "v01.2" }}{{ $v.Major }} {{ $v.Minor }} {{ $v.Patch }} {{ $v.Original }} {{ $v }}'),
    ).toBe('1 2 0 v01.2 1.2.0');
    await expect(render('{{ $v := "1.2.3.4" }}{{ semver $v }}')).rejects.toThrow(
      /error calling semver: invalid semantic version/,
    );
  });
});

describe('the constraint tree', () => {
  it('parses alternatives and comparisons once, with wildcards recorded where they start', () => {
    const parsed = parseConstraint('>=1.1 <2 !=1.2.3 || ~1.x-0');
    expect(
      parsed.alternatives.map((a) => a.comparisons.map((c) => `${c.operator}${c.text}:${c.looseFrom ?? '-'}`)),
    ).toEqual([['>=1.1:patch', '<2:minor', '!=1.2.3:-'], ['~1.x-0:minor']]);
    expect(parsed.alternatives.map((a) => a.admitsPrereleases)).toEqual([false, true]);
  });

  it('rewrites a hyphen range into >= and <=', () => {
    expect(parseConstraint('1.2 - 1.4.5').alternatives[0]?.comparisons.map((c) => c.operator + c.text)).toEqual([
      '>=1.2',
      '<=1.4.5',
    ]);
  });

  it('names the constraint in the hint of an improper one', () => {
    let thrown: PortolanError | undefined;
    try {
      parseConstraint('^1.2 || nope');
    } catch (error) {
      thrown = error as PortolanError;
    }
    expect(thrown?.message).toBe('improper constraint:  nope');
    expect(thrown?.hint).toContain('"^1.2 || nope"');
  });

  it('reads versions loosely, as NewVersion does, and keeps build metadata out of comparisons', () => {
    expect(parseVersion('v1.2')).toMatchObject({ major: 1n, minor: 2n, patch: 0n, prerelease: '', metadata: '' });
    expect(parseVersion('007.08.09-rc.1+b.2')).toMatchObject({
      major: 7n,
      minor: 8n,
      patch: 9n,
      prerelease: 'rc.1',
      metadata: 'b.2',
    });
    expect(satisfiesRange('1.2.3+build.1', '=1.2.3+build.2')).toBe(true);
  });

  it('treats an absent or blank range as any release, and a bad range or version as no match', () => {
    expect(satisfiesRange('1.2.0', undefined)).toBe(true);
    expect(satisfiesRange('1.2.0-rc.1', '')).toBe(false);
    expect(satisfiesRange('1.2.0', '!!')).toBe(false);
    expect(satisfiesRange('1.2.0.0', '*')).toBe(false);
  });

  it('picks the newest version that a range with != allows', () => {
    expect(maxSatisfying(['1.2.0', '1.3.0', '1.2.9', '2.0.0', '1.2.10-rc.1'], '~1.2, !=1.2.9')).toBe('1.2.0');
    expect(maxSatisfying(['1.2.0', '1.3.0', '1.2.9', '2.0.0'], '>=1.1 <2 !=1.3.0')).toBe('1.2.9');
  });

  it("rejects an improper dependency range with Helm's wording and Masterminds' reason", () => {
    expect(() => checkRange({ name: 'web', version: '>= 1.2 <' })).toThrow(
      'dependency "web" has an invalid version/constraint format ">= 1.2 <": improper constraint: >= 1.2 <',
    );
    expect(() => checkRange({ name: 'web', version: '>=1.1 <2 !=1.2.3' })).not.toThrow();
  });
});

function entry(version: string): ChartVersionEntry {
  return { apiVersion: 'v2', name: 'web', version, urls: [`web-${version}.tgz`] } as ChartVersionEntry;
}

const WEB_VERSIONS = ['2.0.0', '1.3.0-rc.1', '1.2.3', '1.2.2', '1.1.0', '1.0.0'];
const webIndex: IndexFile = {
  apiVersion: 'v1',
  generated: '2026-01-01T00:00:00Z',
  entries: { web: WEB_VERSIONS.map(entry) },
} as IndexFile;

describe('--version and dependency ranges over a repository index', () => {
  it('selects the newest version a range with != allows, leaving out prereleases', () => {
    expect(selectVersion(webIndex, 'web', '>=1.1 <2 !=1.2.3').version).toBe('1.2.2');
    expect(selectVersion(webIndex, 'web', '!=2.0.0').version).toBe('1.2.3');
    expect(selectVersion(webIndex, 'web', '>=1.1-0 <2 !=1.2.3').version).toBe('1.3.0-rc.1');
  });

  it('lets --devel stand in only for a missing --version, as helm does', () => {
    expect(selectVersion(webIndex, 'web', undefined, true).version).toBe('2.0.0');
    expect(selectVersion(webIndex, 'web', '<2', true).version).toBe('1.2.3');
    expect(selectVersion(webIndex, 'web', '', false).version).toBe('2.0.0');
  });

  it("refuses an improper --version with Masterminds' reason", () => {
    expect(() => selectVersion(webIndex, 'web', '>=1 <')).toThrow(
      /">=1 <" is not a valid version range: improper constraint: >=1 </,
    );
  });

  it('search repo --version filters with the same constraints', () => {
    const found = searchIndexes([{ name: 'team', index: webIndex }], { version: '!=1.2.3, >=1.1', versions: true }).map(
      (r) => r.chart.version,
    );
    expect(found).toEqual(['2.0.0', '1.2.2', '1.1.0']);
  });
});

describe('dependency update with a != range, against helm', () => {
  const TOKEN = 'version-range-token';
  let server: RepoServer;

  beforeAll(async () => {
    server = await startRepoServer({ dir: tempDir(), port: 0, authToken: TOKEN });
    for (const version of WEB_VERSIONS) {
      const res = await http(`${server.url}/api/charts`, {
        method: 'POST',
        body: chartArchive('web', version).data,
        headers: bearer(TOKEN),
      });
      expect(res.status).toBe(201);
    }
  });

  afterAll(async () => {
    await server.stop();
  });

  function umbrella(): string {
    const dir = tempDir('portolan-range-dep-');
    writeFileSync(
      join(dir, 'Chart.yaml'),
      `apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n  - name: web\n    version: ">=1.1 <2 !=1.2.3"\n    repository: ${server.url}\n`,
    );
    return dir;
  }

  it('locks the version helm locks', async () => {
    const home = tempDir('portolan-range-home-');
    const paths = clientPaths({ XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') });
    const ours = await updateDependencies(umbrella(), {
      remote: createRemoteResolver(paths),
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(ours.lock.dependencies).toEqual([{ name: 'web', version: '1.2.2', repository: server.url }]);

    const theirDir = umbrella();
    const theirs = await helm(['dependency', 'update', theirDir]);
    expect(theirs.code, theirs.stderr).toBe(0);
    const lock = yaml.load(readFileSync(join(theirDir, 'Chart.lock'), 'utf8')) as {
      dependencies: Array<{ version: string }>;
    };
    expect(lock.dependencies.map((d) => d.version)).toEqual(['1.2.2']);
  });
});
