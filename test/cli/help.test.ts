// Help as a Helm user expects it: `portolan` alone prints it, and each command lists its own flags before the
// global ones.
import { describe, expect, it } from 'vitest';
import { portolan } from '../helpers/cli.js';

const cli = (args: string[]) => portolan(args);

describe('help', () => {
  it('prints the list of commands, exit 0, when no command is given (as helm does)', async () => {
    const result = await cli([]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^portolan <command> \[options\]/);
    expect(result.stdout).toContain('portolan convert <chart>');
  });

  it.each([
    ['package', '--destination', ['--repository-config', '--debug']],
    ['install', '--atomic', ['--kubeconfig', '--kube-context', '--repository-config', '--debug']],
    ['template', '--show-only', ['--repository-cache', '--debug']],
  ])('%s --help lists its own flags, then the global ones in a group of their own', async (command, own, global) => {
    const { code, stdout } = await cli([command, '--help']);
    expect(code).toBe(0);
    const globalAt = stdout.indexOf('Global options:');
    expect(globalAt).toBeGreaterThan(0);
    expect(stdout.indexOf(own)).toBeLessThan(globalAt);
    for (const flag of global) expect(stdout.indexOf(`--${flag.slice(2)} `, globalAt)).toBeGreaterThan(globalAt);
    // Each flag once.
    expect(stdout.split(`${own} `).length).toBe(2);
  });

  it('shows a required list argument without an empty default', async () => {
    const { stdout } = await cli(['package', '--help']);
    expect(stdout).toMatch(/charts +Chart folders +\[array\] \[required\]\n/);
    expect(stdout).not.toContain('[default: []]');
  });

  it.each([
    ['add', 'portolan repo add <name> <url>', '--force-update'],
    ['index', 'portolan repo index <dir>', '--merge'],
    ['remove', 'portolan repo remove <names..>', '--repository-config'],
  ])('repo %s --help is the help of that action alone', async (action, usage, flag) => {
    const { code, stdout } = await cli(['repo', action, '--help']);
    expect(code).toBe(0);
    expect(stdout.startsWith(usage)).toBe(true);
    expect(stdout).toContain(flag);
    expect(stdout).not.toContain('index DIR | add NAME URL');
  });
});
