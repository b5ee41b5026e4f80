// What the release commands print while they work: progress only on a TTY, warnings always, durations as Go writes
// them.
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import {
  ansiTime,
  goTimeString,
  jsonText,
  parseDuration,
  progressReporter,
  withRelease,
} from '../../src/cli/release-common.js';
import { reportError } from '../../src/cli/run.js';
import { PortolanError } from '../../src/errors.js';

function io(isTTY: boolean): CliIo & { err: string[] } {
  const err: string[] = [];
  return {
    err,
    stdout: () => undefined,
    stderr: (t) => void err.push(t),
    readStdin: async () => '',
    isTTY,
    env: { NO_COLOR: '1' },
    cwd: '/',
  };
}

const wait = {
  type: 'wait' as const,
  progress: {
    ready: 1,
    total: 3,
    elapsedMs: 4_200,
    pending: [
      { ref: 'Deployment shop/web', reason: '1/3 available' },
      { ref: 'Service shop/web', reason: 'no cluster IP' },
      { ref: 'Job shop/x', reason: 'job running' },
    ],
  },
};

describe('progress', () => {
  it('shows on a TTY which objects are pending and why, on one line it rewrites', () => {
    const tty = io(true);
    const report = progressReporter(tty);
    report(wait);
    report({ ...wait, progress: { ...wait.progress, ready: 3, pending: [] } });
    expect(tty.err[0]).toBe(
      'waiting 4s: 1/3 ready; Deployment shop/web (1/3 available), Service shop/web (no cluster IP) and 1 more',
    );
    expect(tty.err[1]).toBe('\r\u001b[K');
    expect(tty.err[2]).toBe('all 3 objects ready after 4.2s\n');
  });

  it('prints only warnings when not on a TTY', () => {
    const pipe = io(false);
    const report = progressReporter(pipe);
    report(wait);
    report({ type: 'step', message: 'applying 3 objects' });
    report({ type: 'warning', message: 'kept ConfigMap shop/old' });
    expect(pipe.err).toEqual(['Warning: kept ConfigMap shop/old\n']);
  });
});

describe('errors after progress', () => {
  it('ends the live progress line on a TTY before the error, instead of gluing the error to it', async () => {
    const tty = io(true);
    const timeout = new PortolanError('TIMEOUT', 'timed out after 1s waiting for 1 of 3 objects to be ready');
    let thrown: unknown;
    try {
      await withRelease(
        { namespace: 'shop' },
        tty,
        async ({ cfg }) => {
          cfg.onEvent?.(wait);
          throw timeout;
        },
        { offline: true },
      );
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBe(timeout);
    expect(reportError(thrown, tty, false)).toBe(1);
    expect(tty.err.join('')).toBe(`${tty.err[0]}\nError: timed out after 1s waiting for 1 of 3 objects to be ready\n`);
  });

  it('prints what else went wrong (a lock it could not release) after the error and its hint', () => {
    const pipe = io(false);
    const err = new PortolanError('CLUSTER', 'cannot apply Deployment shop/web: connect ECONNREFUSED', {
      hint: 'Is the cluster running?',
    });
    err.addNote(
      'cannot release the lock of release "web": connect ECONNREFUSED (It expires by itself after its duration.)',
    );
    reportError(err, pipe, false);
    expect(pipe.err.join('')).toBe(
      [
        'Error: cannot apply Deployment shop/web: connect ECONNREFUSED',
        '  hint: Is the cluster running?',
        '  also: cannot release the lock of release "web": connect ECONNREFUSED (It expires by itself after its duration.)',
        '',
      ].join('\n'),
    );
  });
});

describe('durations and times', () => {
  it.each([
    ['5m', 300_000],
    ['1m30s', 90_000],
    ['300ms', 300],
    ['1.5h', 5_400_000],
    ['45', 45_000],
  ])('reads %s as Go does', (text, ms) => {
    expect(parseDuration(text, '--timeout')).toBe(ms);
  });

  it.each(['soon', '5 m', '-1s', '1d', ''])('refuses %j', (text) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(/is not a duration/);
  });

  it('formats times as helm does, in UTC', () => {
    expect(ansiTime('2026-12-01T20:44:04.360Z')).toBe('Tue Dec  1 20:44:04 2026');
    expect(goTimeString('2026-12-01T20:44:04.360Z')).toBe('2026-12-01 20:44:04.360 +0000 UTC');
  });

  it('writes JSON keeping key order and big integers, escaping <>& as Go does', () => {
    expect(jsonText({ b: 1, a: 12345678901234567890n, html: '<a&b>' })).toBe(
      '{"b":1,"a":12345678901234567890,"html":"\\u003ca\\u0026b\\u003e"}',
    );
  });
});
