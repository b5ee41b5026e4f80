// `portolan template --all DIR` and `--releases FILE`: many charts in one process (the built CLI, so that the
// worker threads of --jobs run as users run them), printing what one `template` per chart prints.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReleasesFile } from '../../src/template.js';
// Started as processes: --jobs N renders on worker threads, which run the bundled binary's own module.
import { portolanProcess as portolan } from '../helpers/cli.js';
import { projectRoot } from '../helpers/peers.js';

/** A folder of charts: hello twice (as `a/hello` and `b/greeter`) and, with `broken`, one that fails to render. */
function corpus(broken = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'portolan-template-many-'));
  cpSync(join(projectRoot, 'charts', 'hello'), join(dir, 'a', 'hello'), { recursive: true });
  cpSync(join(projectRoot, 'charts', 'hello'), join(dir, 'b', 'greeter'), { recursive: true });
  if (broken) {
    mkdirSync(join(dir, 'a', 'broken', 'templates'), { recursive: true });
    writeFileSync(join(dir, 'a', 'broken', 'Chart.yaml'), 'apiVersion: v2\nname: broken\nversion: 1.0.0\n');
    writeFileSync(join(dir, 'a', 'broken', 'templates', 'cm.yaml'), '{{ required "broken needs x" .Values.x }}\n');
  }
  return dir;
}

describe('portolan template --all DIR', () => {
  it('prints what one template per chart prints, in path order, each release named after its folder', async () => {
    const dir = corpus();
    const [all, first, second] = await Promise.all([
      portolan(['template', '--all', dir, '--set', 'name=all', '--jobs', '1']),
      portolan(['template', 'hello', join(dir, 'a', 'hello'), '--set', 'name=all']),
      portolan(['template', 'greeter', join(dir, 'b', 'greeter'), '--set', 'name=all']),
    ]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toBe(first.stdout + second.stdout);
    expect(all.stdout).toContain('name: greeter-hello');
  });

  it('prints the same, in the same order, with charts rendered on two threads', async () => {
    const dir = corpus();
    const [one, two] = await Promise.all([
      portolan(['template', 'rel', '--all', dir, '--jobs', '1']),
      portolan(['template', 'rel', '--all', dir, '--jobs', '2']),
    ]);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(one.stdout.match(/# Source: hello\/templates\/pod.yaml/g)).toHaveLength(2);
  });

  it('reports a chart that fails, naming it, renders the others, and exits 1', async () => {
    const dir = corpus(true);
    for (const jobs of ['1', '2']) {
      const result = await portolan(['template', 'rel', '--all', dir, '--jobs', jobs]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Error: a/broken: broken/templates/cm.yaml:1: broken needs x');
      expect(result.stderr).toContain('1 of 3 renders failed');
      expect(result.stdout.match(/# Source: hello\/templates\/pod.yaml/g)).toHaveLength(2);
    }
  });

  it('gives values read from standard input (-f -) to every chart', async () => {
    const result = await portolan(['template', 'rel', '--all', corpus(), '-f', '-'], { input: 'greeting: Hej\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.match(/Hej, world!/g)).toHaveLength(2);
  });

  it('refuses a CHART argument beside --all, and a folder without charts', async () => {
    const withChart = await portolan(['template', 'rel', 'charts/hello', '--all', 'charts']);
    expect(withChart.code).toBe(2);
    expect(withChart.stderr).toContain('template --all takes no CHART argument');
    const empty = await portolan(['template', '--all', mkdtempSync(join(tmpdir(), 'portolan-empty-'))]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no charts under .*portolan-empty-/);
  });
});

describe('portolan template --releases FILE', () => {
  it("renders each release with its namespace, values files (the file's folder), inline values and set", async () => {
    const dir = corpus();
    writeFileSync(join(dir, 'prod.yaml'), 'greeting: Hej\n');
    writeFileSync(
      join(dir, 'releases.yaml'),
      [
        'releases:',
        '  - name: one',
        '    chart: a/hello',
        '    namespace: prod',
        '    values: [prod.yaml, {name: inline}]',
        '    set: [{name: image.tag, value: "2.0"}]',
        '  - name: skipped',
        '    chart: b/greeter',
        '    installed: false',
        '  - name: two',
        '    chart: ./b/greeter',
        '',
      ].join('\n'),
    );
    const [many, one, two] = await Promise.all([
      portolan(['template', '--releases', join(dir, 'releases.yaml'), '--jobs', '1']),
      portolan(
        [
          'template',
          'one',
          'a/hello',
          '-n',
          'prod',
          '-f',
          'prod.yaml',
          '--set',
          'name=inline',
          '--set',
          'image.tag=2.0',
        ],
        { cwd: dir },
      ),
      portolan(['template', 'two', 'b/greeter'], { cwd: dir }),
    ]);
    expect(many.code, many.stderr).toBe(0);
    expect(many.stdout).toBe(one.stdout + two.stdout);
    expect(many.stdout).toContain('Hej, inline!');
    expect(many.stdout).toContain('busybox:2.0');
    expect(many.stdout).not.toContain('skipped');
  });

  it.each([
    ['releases: {}\n', /r\.yaml: releases must be a list/],
    ['charts: []\n', /r\.yaml: unknown key "charts"/],
    ['releases:\n  - chart: x\n', /r\.yaml: releases\[0\] needs a name/],
    ['releases:\n  - {name: a, chart: x, valuse: []}\n', /releases\[0\]: unknown key "valuse"/],
    ['releases:\n  - {name: a, chart: x, set: [a=1]}\n', /releases\[0\]\.set\[0\] must be a map \{name, value\}/],
    ['releases:\n  - {name: a, chart: x}\n  - {name: a, chart: z}\n', /release "a" is listed twice/],
  ])('refuses %j, naming the file and the entry', (text, message) => {
    expect(() => parseReleasesFile(text, 'r.yaml')).toThrow(message);
  });
});
