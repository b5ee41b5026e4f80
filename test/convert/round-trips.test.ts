// The proof of issue 15 over every chart in charts/ and every Go test chart: handlebars → go rendered by the real helm
// equals portolan's render of the original; go → handlebars rendered by portolan equals helm's render of the
// original; go → handlebars → go renders as the original and converting it again changes nothing.
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helm, projectRoot } from '../helpers/peers.js';
import { portolan as portolanCli } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'portolan-round-trips-'));

/** portolan in this process, in the work folder. */
const cli = (args: string[]) => portolanCli(args, { cwd: work });

async function convert(chart: string, to: 'go' | 'handlebars', out: string, partial = false): Promise<string> {
  const result = await cli([
    'convert',
    chart,
    '--to',
    to,
    '--output-dir',
    out,
    ...(partial ? ['--allow-partial'] : []),
  ]);
  expect(result.code, result.stderr).toBe(0);
  return out;
}

async function portolan(chart: string): Promise<string> {
  const result = await cli(['template', 'rel', chart, '--namespace', 'ns']);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

async function helmTemplate(chart: string): Promise<string> {
  const result = await helm(['template', 'rel', chart, '--namespace', 'ns']);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** Every file under a folder, by relative path, with its text. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(root, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(root);
  return out;
}

// The library chart renders nothing on its own; umbrella uses it.
const ownCharts = ['hello', 'webapp', 'umbrella'];
const goCharts = readdirSync(join(projectRoot, 'test/fixtures/go-charts'));

describe('round trips between the dialects', () => {
  it.each(ownCharts)('charts/%s: handlebars → go renders with helm as portolan renders the original', async (name) => {
    let original = join(projectRoot, 'charts', name);
    if (name === 'umbrella') {
      // Its file:// dependencies put in charts/, as `dependency build` would, so that they are converted too and
      // helm finds them.
      original = join(work, 'umbrella');
      cpSync(join(projectRoot, 'charts/umbrella'), original, { recursive: true });
      for (const dependency of ['webapp', 'common'])
        cpSync(join(projectRoot, 'charts', dependency), join(original, 'charts', dependency), { recursive: true });
    }
    const go = await convert(original, 'go', join(work, `${name}-go`));
    // helm knows no portolan.dev annotation: its Release.Service is its own.
    expect((await helmTemplate(go)).replaceAll('managed-by: Helm', 'managed-by: portolan')).toBe(
      await portolan(original),
    );
    // portolan renders the converted chart as the original, managed-by label included.
    expect(await portolan(go)).toBe(await portolan(original));
    const back = await convert(go, 'handlebars', join(work, `${name}-go-hbs`));
    expect(await portolan(back)).toBe(await portolan(original));
  });

  it.each(goCharts)(
    'go-charts/%s: go → handlebars renders as helm renders the original; go → handlebars → go is stable',
    async (name) => {
      const original = join(projectRoot, 'test/fixtures/go-charts', name);
      const expected = await helmTemplate(original);
      const hbs = await convert(original, 'handlebars', join(work, `${name}-hbs`), true);
      expect(await portolan(hbs)).toBe(expected);
      const go = await convert(hbs, 'go', join(work, `${name}-hbs-go`));
      expect(await helmTemplate(go)).toBe(expected);
      expect(await portolan(go)).toBe(expected);
      // A second round trip writes the same files as the first.
      const again = await convert(
        await convert(go, 'handlebars', join(work, `${name}-hbs-go-hbs`), true),
        'go',
        join(work, `${name}-hbs-go-hbs-go`),
      );
      expect(tree(again)).toEqual(tree(go));
    },
  );
});
