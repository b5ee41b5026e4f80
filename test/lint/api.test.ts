// The library entry points package and lint share: lintChartFolder and lintFailure, in-process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readChartFolder } from '../../src/chart/load.js';
import { packageChartFiles } from '../../src/chart/package.js';
import { lintChartFolder, lintFailure } from '../../src/lint/index.js';

const fixture = (name: string) => `test/fixtures/lint/${name}`;

describe('lintChartFolder', () => {
  it('passes a clean chart with no findings', async () => {
    const report = await lintChartFolder(fixture('good'));
    expect(report).toMatchObject({ chart: fixture('good'), name: 'good', failed: false, findings: [], subcharts: [] });
  });

  it('lints a chart archive (.tgz) as helm lint does, instead of failing to read it as a folder', async () => {
    const packaged = packageChartFiles(await readChartFolder(fixture('crds')), 'crds');
    const path = join(mkdtempSync(join(tmpdir(), 'portolan-lint-')), packaged.fileName);
    writeFileSync(path, packaged.data);
    const report = await lintChartFolder(path);
    expect(report.name).toBe('crds');
    expect(report.findings.map((f) => f.message).join('\n')).not.toMatch(/ENOTDIR/);
    expect(lintFailure(report).problems).toEqual([
      'crds/widgets.yaml: apiVersion is not in \'apiextensions.k8s.io\' (found "v1")',
      'crds/widgets.yaml: object kind is not \'CustomResourceDefinition\' (found "ConfigMap")',
    ]);
  });

  it('fails a chart with errors and lintFailure lists each of them for package to print', async () => {
    const report = await lintChartFolder(fixture('crds'));
    expect(report.failed).toBe(true);
    const error = lintFailure(report);
    expect(error.code).toBe('LINT_FAILED');
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe('chart crds failed lint with 2 problems');
    expect(error.problems).toEqual([
      'crds/widgets.yaml: apiVersion is not in \'apiextensions.k8s.io\' (found "v1")',
      'crds/widgets.yaml: object kind is not \'CustomResourceDefinition\' (found "ConfigMap")',
    ]);
    expect(error.hint).toMatch(/portolan lint test\/fixtures\/lint\/crds/);
  });

  it('fails on warnings only when strict, and then lists the warnings', async () => {
    expect((await lintChartFolder(fixture('version-not-strict'))).failed).toBe(false);
    const strict = await lintChartFolder(fixture('version-not-strict'), { strict: true });
    expect(strict.failed).toBe(true);
    expect(lintFailure(strict).problems).toEqual(["Chart.yaml:3: version 'v1.2.3' is not a valid SemVerV2"]);
  });

  it('lints subcharts into reports of their own with withSubcharts, naming them in lintFailure', async () => {
    const report = await lintChartFolder(fixture('subcharts'), { withSubcharts: true, strict: true });
    expect(report.failed).toBe(false);
    expect(report.subcharts.map((r) => [r.chart, r.name, r.failed])).toEqual([
      [`${fixture('subcharts')}/charts/child`, 'child', true],
    ]);
    expect(lintFailure(report).problems).toEqual([
      `${fixture('subcharts')}/charts/child: Chart.yaml:3: version 'v1.0.0' is not a valid SemVerV2`,
    ]);
  });

  it('reports a folder that is not there instead of throwing', async () => {
    const report = await lintChartFolder(fixture('missing-folder'));
    expect(report.failed).toBe(true);
    expect(report.findings[0]?.message).toMatch(/unable to read the chart folder/);
  });
});
