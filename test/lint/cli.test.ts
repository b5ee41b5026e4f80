// `portolan lint` run as a user runs it: the built CLI on one fixture chart per rule (test/fixtures/lint/).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { portolan } from '../helpers/cli.js';

const fixture = (name: string) => `test/fixtures/lint/${name}`;
const work = mkdtempSync(join(tmpdir(), 'portolan-lint-cli-'));

interface JsonFinding {
  severity: 'error' | 'warning' | 'info';
  rule: string;
  file: string;
  line?: number;
  message: string;
}
interface JsonOutput {
  charts: Array<{ chart: string; name?: string; failed: boolean; findings: JsonFinding[] }>;
  linted: number;
  failed: number;
}

async function lintJson(args: string[]): Promise<{ code: number; out: JsonOutput; stderr: string }> {
  const result = await portolan(['lint', ...args, '-o', 'json']);
  return { code: result.code, out: JSON.parse(result.stdout) as JsonOutput, stderr: result.stderr };
}

/** `[SEV] file[:line]: message` lines of one chart's section. */
function lines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => /^\[(ERROR|WARNING|INFO)\]/.test(l));
}

describe('portolan lint output and exit codes', () => {
  it("prints Helm's layout for a clean chart and exits 0", async () => {
    const result = await portolan(['lint', fixture('good')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`==> Linting ${fixture('good')}\n\n1 chart(s) linted, 0 chart(s) failed\n`);
    expect(result.stderr).toBe('');
  });

  it('prints info findings, which do not fail, and hides them with --quiet', async () => {
    const result = await portolan(['lint', fixture('minimal')]);
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual([
      '[INFO] Chart.yaml: icon is recommended',
      '[INFO] values.yaml: file does not exist',
    ]);
    const quiet = await portolan(['lint', fixture('minimal'), '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('');
  });

  it('fails on errors with the summary on stderr and exit 1, listing every Chart.yaml problem', async () => {
    const result = await portolan(['lint', fixture('chart-yaml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error: 1 chart(s) linted, 1 chart(s) failed\n');
    expect(lines(result.stdout)).toEqual([
      '[ERROR] Chart.yaml:3: version should be of type string but it\'s of type float64 (quote it: version: "1.0")',
      '[ERROR] Chart.yaml:4: appVersion should be of type string but it\'s of type float64 (quote it: appVersion: "1.5")',
      '[ERROR] Chart.yaml:9: each maintainer requires a name (maintainers[0] has none)',
      "[ERROR] Chart.yaml:9: invalid email 'not-an-email' for maintainer 'Bob'",
      "[ERROR] Chart.yaml:7: invalid source URL '::bad'",
      "[ERROR] Chart.yaml:6: invalid icon URL 'not a url'",
      "[ERROR] Chart.yaml:5: chart type 'service' is invalid: expected application or library",
      '[ERROR] Chart.yaml:13: kubeVersion \'not a range\' is not a valid SemVer range (e.g. ">= 1.27.0")',
    ]);
  });

  it('reports missing name and version and a wrong apiVersion', async () => {
    const result = await portolan(['lint', fixture('chart-yaml-missing')]);
    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toEqual([
      '[ERROR] Chart.yaml: name is required',
      '[ERROR] Chart.yaml:1: apiVersion \'v3\' is not valid. The value must be either "v1" or "v2"',
      '[ERROR] Chart.yaml: version is required',
      '[INFO] Chart.yaml: icon is recommended',
      '[INFO] values.yaml: file does not exist',
    ]);
  });

  it('passes a warning without --strict and fails it with --strict', async () => {
    const loose = await portolan(['lint', fixture('version-not-strict')]);
    expect(loose.code).toBe(0);
    expect(lines(loose.stdout)).toEqual(["[WARNING] Chart.yaml:3: version 'v1.2.3' is not a valid SemVerV2"]);
    const strict = await portolan(['lint', fixture('version-not-strict'), '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/1 chart\(s\) linted, 1 chart\(s\) failed/);
  });

  it('warns when templates/ is missing', async () => {
    const result = await portolan(['lint', fixture('no-templates')]);
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual(['[WARNING] templates/: directory does not exist']);
  });

  it('lints several charts in one call and counts the failures', async () => {
    const result = await portolan(['lint', fixture('good'), fixture('chart-yaml'), fixture('minimal')]);
    expect(result.code).toBe(1);
    expect(result.stdout.match(/^==> Linting .*$/gm)).toEqual([
      `==> Linting ${fixture('good')}`,
      `==> Linting ${fixture('chart-yaml')}`,
      `==> Linting ${fixture('minimal')}`,
    ]);
    expect(result.stderr).toBe('Error: 3 chart(s) linted, 1 chart(s) failed\n');
  });

  it('lints the current folder when no chart is named', async () => {
    const result = await portolan(['lint'], { cwd: join(process.cwd(), fixture('version-not-strict')) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^==> Linting \.\n\[WARNING\] Chart\.yaml:3: /);
  });

  it('reports a chart folder that does not exist without stopping the others', async () => {
    const result = await portolan(['lint', 'test/fixtures/lint/nope', fixture('good')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /==> Linting test\/fixtures\/lint\/nope\n\[ERROR\] .*nope: unable to read the chart folder/,
    );
    expect(result.stderr).toBe('Error: 2 chart(s) linted, 1 chart(s) failed\n');
  });

  it('prints JSON with -o json: every chart, every finding with severity, rule, file, line and message', async () => {
    const { code, out } = await lintJson([fixture('version-not-strict'), fixture('minimal')]);
    expect(code).toBe(0);
    expect(out).toEqual({
      charts: [
        {
          chart: fixture('version-not-strict'),
          name: 'version-not-strict',
          failed: false,
          findings: [
            {
              severity: 'warning',
              rule: 'chart-yaml',
              file: 'Chart.yaml',
              line: 3,
              message: "version 'v1.2.3' is not a valid SemVerV2",
            },
          ],
        },
        {
          chart: fixture('minimal'),
          name: 'minimal',
          failed: false,
          findings: [
            { severity: 'info', rule: 'chart-yaml', file: 'Chart.yaml', message: 'icon is recommended' },
            { severity: 'info', rule: 'values', file: 'values.yaml', message: 'file does not exist' },
          ],
        },
      ],
      linted: 2,
      failed: 0,
    });
    const strict = await lintJson([fixture('version-not-strict'), '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.out.failed).toBe(1);
    expect(strict.out.charts[0]?.failed).toBe(true);
  });
});

describe('one fixture per rule', () => {
  it('dependencies: requested but missing (warning), present but unlisted (error), wrong version (warning)', async () => {
    const result = await portolan(['lint', fixture('dependencies')]);
    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toEqual([
      '[WARNING] charts/: chart directory is missing these dependencies: database (run `portolan dependency build`)',
      "[ERROR] charts/: chart metadata is missing these dependencies: stray (add them to Chart.yaml's dependencies)",
      '[WARNING] charts/: dependency "cache" in charts/ is version 1.0.0, which does not satisfy "^2.0.0"',
    ]);
  });

  it('dependencies: duplicates, bad alias and bad range in Chart.yaml', async () => {
    const result = await portolan(['lint', fixture('dependencies-duplicate')]);
    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toEqual([
      '[ERROR] Chart.yaml:5: dependency "web" has an invalid version range \'not-a-range!\'',
      '[ERROR] Chart.yaml:5: multiple dependencies with name or alias "web"',
      '[ERROR] Chart.yaml:5: dependency "other" has an invalid alias \'bad alias\': it must match ^[a-zA-Z0-9_-]+$',
    ]);
  });

  it('values.yaml: YAML 1.1 scalars are warnings naming file and line', async () => {
    const result = await portolan(['lint', fixture('values-yaml11')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const found = lines(result.stdout);
    expect(found.map((l) => /^\[WARNING\] (values\.yaml:\d+): (key|value) (\S+) /.exec(l)?.slice(1, 4))).toEqual([
      ['values.yaml:2', 'value', 'yes'],
      ['values.yaml:3', 'value', 'Off'],
      ['values.yaml:6', 'value', 'n'],
      ['values.yaml:8', 'value', '0755'],
      ['values.yaml:10', 'key', 'on'],
    ]);
    expect(found[0]).toMatch(
      /value yes is the boolean true \(YAML 1\.1, as Helm and portolan read it\) but the string "yes" to YAML 1\.2 tools/,
    );
    const strict = await portolan(['lint', fixture('values-yaml11'), '--strict']);
    expect(strict.code).toBe(1);
  });

  it('values files given with -f: YAML 1.1 scalars are warnings naming that file, and its values meet the schema', async () => {
    const env = join(work, 'env.yaml');
    writeFileSync(env, 'message: hi\nenabled: yes\n');
    const result = await portolan(['lint', fixture('good'), '-f', env]);
    // `yes` is the boolean true (YAML 1.1, as Helm reads it), so `enabled` meets the schema's boolean type.
    expect(result.code, result.stdout).toBe(0);
    const found = lines(result.stdout);
    expect(found).toContainEqual(
      expect.stringMatching(
        new RegExp(`^\\[WARNING\\] ${env.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: value yes is the boolean true`),
      ),
    );
    expect(found.filter((l) => l.startsWith('[ERROR]'))).toEqual([]);
  });

  it('--set values are linted against the schema', async () => {
    const result = await portolan(['lint', fixture('good'), '--set', 'replicas=-1']);
    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toEqual([expect.stringMatching(/^\[ERROR\] values\.yaml: .*replicas.*/)]);
    expect(result.stdout).toMatch(/--set replicas=-1|>= 0|minimum/);
  });

  it('values.yaml that does not parse is an error with its line', async () => {
    const result = await portolan(['lint', fixture('values-unparsable')]);
    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toEqual([expect.stringMatching(/^\[ERROR\] values\.yaml:4: unable to parse YAML: /)]);
  });

  it('values.schema.json that is not JSON is an error, and the templates are still linted', async () => {
    const result = await portolan(['lint', fixture('schema-not-json')]);
    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toEqual([
      expect.stringMatching(/^\[ERROR\] values\.schema\.json(:\d+)?: not valid JSON: /),
    ]);
  });

  it('values.schema.json that is not a valid JSON Schema is an error', async () => {
    const result = await portolan(['lint', fixture('schema-invalid')]);
    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toEqual([
      expect.stringMatching(/^\[ERROR\] values\.schema\.json: invalid JSON Schema: .*type/),
    ]);
  });

  it('default values that violate the schema are errors, each one named', async () => {
    const result = await portolan(['lint', fixture('schema-violation')]);
    expect(result.code).toBe(1);
    const found = lines(result.stdout);
    expect(found.every((l) => l.startsWith('[ERROR] values.yaml'))).toBe(true);
    for (const key of ['replicas', 'port', 'name']) expect(found.join('\n')).toContain(key);
  });

  it('templates: every template renders in strict mode and every broken one is reported', async () => {
    const result = await portolan(['lint', fixture('templates-strict')]);
    expect(result.code).toBe(1);
    const found = lines(result.stdout);
    expect(found.map((l) => /^\[ERROR\] (templates\/[^:]+)/.exec(l)?.[1]).sort()).toEqual([
      'templates/bad-yaml.yaml',
      'templates/missing-partial.yaml',
      'templates/missing-value.yaml',
    ]);
    expect(found.find((l) => l.includes('missing-value.yaml'))).toMatch(/missing-value\.yaml:6: .*image\.tag|tag/);
    expect(found.find((l) => l.includes('missing-partial.yaml'))).toMatch(/nope\.fullname/);
    expect(found.find((l) => l.includes('bad-yaml.yaml'))).toMatch(/bad-yaml\.yaml:\d+: /);
  });

  it('rendered objects are checked against the Kubernetes schemas with field paths; custom kinds are skipped with a notice', async () => {
    const result = await portolan(['lint', fixture('kubernetes-schema')]);
    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toEqual([
      '[ERROR] templates/deployment.yaml: Deployment "release-name-web" (apps/v1): spec.replicas: must be integer, found string "three"',
      '[ERROR] templates/deployment.yaml: Deployment "release-name-web" (apps/v1): spec.template.spec.containers[0].name: required field is missing',
      '[ERROR] templates/deployment.yaml: Deployment "release-name-web" (apps/v1): spec.template.spec.containers[0].ports[0].containerPort: must be integer, found string "http"',
      '[INFO] templates/widget.yaml: Widget (example.com/v1) is not a built-in Kubernetes kind portolan has a schema for: its fields were not checked',
    ]);
  });

  it('rendered objects: names, labels, kinds and selectors the API server would refuse', async () => {
    const result = await portolan(['lint', fixture('manifests')]);
    expect(result.code).toBe(1);
    const found = lines(result.stdout).join('\n');
    expect(found).toMatch(
      /\[ERROR\] templates\/configmap.yaml: object name does not conform to Kubernetes naming requirements: "Bad_Name"/,
    );
    expect(found).toMatch(
      /\[ERROR\] templates\/configmap.yaml: ConfigMap "Bad_Name": metadata.labels\["version"\]: label value .* is invalid/,
    );
    expect(found).toMatch(
      /\[ERROR\] templates\/deployment.yaml: a Deployment must contain matchLabels or matchExpressions, and "no-selector" does not/,
    );
    expect(found).toMatch(
      /\[ERROR\] templates\/statefulset.yaml: StatefulSet "wrong-selector": spec.selector does not match spec.template.metadata.labels/,
    );
    expect(found).toMatch(/\[ERROR\] templates\/no-kind.yaml: .*kind/);
  });

  it('crds/: files must hold CustomResourceDefinitions', async () => {
    const result = await portolan(['lint', fixture('crds')]);
    expect(result.code).toBe(1);
    expect(lines(result.stdout)).toEqual([
      '[ERROR] crds/widgets.yaml: apiVersion is not in \'apiextensions.k8s.io\' (found "v1")',
      '[ERROR] crds/widgets.yaml: object kind is not \'CustomResourceDefinition\' (found "ConfigMap")',
    ]);
  });

  it('--with-subcharts lints the charts under charts/ as charts of their own', async () => {
    const alone = await portolan(['lint', fixture('subcharts')]);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    const withSubs = await portolan(['lint', fixture('subcharts'), '--with-subcharts']);
    expect(withSubs.code).toBe(0);
    expect(withSubs.stdout).toContain(
      `==> Linting ${fixture('subcharts')}/charts/child\n[WARNING] Chart.yaml:3: version 'v1.0.0' is not a valid SemVerV2\n`,
    );
    expect(withSubs.stdout).toMatch(/2 chart\(s\) linted, 0 chart\(s\) failed/);
    const strict = await portolan(['lint', fixture('subcharts'), '--with-subcharts', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe('Error: 2 chart(s) linted, 1 chart(s) failed\n');
  });

  it('-o json with --with-subcharts lists each subchart as a chart of its own; --quiet drops info findings', async () => {
    const { code, out } = await lintJson([fixture('subcharts'), '--with-subcharts']);
    expect(code).toBe(0);
    expect(out.charts.map((c) => [c.chart, c.name, c.failed])).toEqual([
      [fixture('subcharts'), 'subcharts', false],
      [`${fixture('subcharts')}/charts/child`, 'child', false],
    ]);
    expect(out.charts[1]?.findings).toEqual([
      {
        severity: 'warning',
        rule: 'chart-yaml',
        file: 'Chart.yaml',
        line: 3,
        message: "version 'v1.0.0' is not a valid SemVerV2",
      },
    ]);
    expect([out.linted, out.failed]).toEqual([2, 0]);
    const quiet = await lintJson([fixture('minimal'), '--quiet']);
    expect(quiet.out.charts[0]?.findings).toEqual([]);
    const loud = await lintJson([fixture('minimal')]);
    expect(loud.out.charts[0]?.findings.map((f) => f.severity)).toEqual(['info', 'info']);
  });

  it('a library chart is linted but not rendered', async () => {
    const result = await portolan(['lint', fixture('library')]);
    expect(result.code, result.stdout).toBe(0);
    expect(lines(result.stdout)).toEqual([]);
  });

  it('lints the example charts cleanly', async () => {
    const result = await portolan([
      'lint',
      'charts/webapp',
      'charts/hello',
      'charts/common',
      '-f',
      'charts/webapp/values-prod.yaml',
      '--quiet',
    ]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });
});
