// What a command loads before it starts: `template` of a chart without values.schema.json does without Ajv (about
// 40 ms of CPU to load), and loads it for a chart with one. The built, unbundled CLI runs with a module hook that
// lists every package it resolves.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliPath, run } from '../helpers/peers.js';

const dir = mkdtempSync(join(tmpdir(), 'portolan-startup-'));
const hooks = join(dir, 'hooks.mjs');
writeFileSync(
  hooks,
  "import { appendFileSync } from 'node:fs';\n" +
    'export async function resolve(specifier, context, next) {\n' +
    "  if (!specifier.startsWith('.') && !specifier.startsWith('node:') && !specifier.startsWith('file:'))\n" +
    "    appendFileSync(process.env.PORTOLAN_TEST_RESOLVED, specifier + '\\n');\n" +
    '  return next(specifier, context);\n' +
    '}\n',
);
const register = join(dir, 'register.mjs');
writeFileSync(
  register,
  `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
);

/** The packages `portolan ARGS` resolves (through import; a require of a package is not seen, and none is made). */
async function packagesLoaded(args: string[]): Promise<string[]> {
  const list = join(dir, `resolved-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(list, '');
  const result = await run(process.execPath, ['--import', register, cliPath, ...args], {
    env: { ...process.env, PORTOLAN_TEST_RESOLVED: list },
  });
  expect(result.code, result.stderr).toBe(0);
  return readFileSync(list, 'utf8').split('\n').filter(Boolean);
}

describe('start-up', () => {
  it('template of a chart without a schema loads no Ajv; one with a schema does', async () => {
    const [hello, webapp] = await Promise.all([
      packagesLoaded(['template', 'x', 'charts/hello']),
      packagesLoaded(['template', 'x', 'charts/webapp']),
    ]);
    expect(hello).toContain('js-yaml');
    expect(hello.filter((p) => p.startsWith('ajv'))).toEqual([]);
    expect(webapp).toContain('ajv');
    expect(webapp).toContain('ajv-formats');
  });
});
