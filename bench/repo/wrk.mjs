// wrk (Debian's package) as a load generator for the repository benchmarks, on loopback only.
import { spawnSync } from 'node:child_process';

export const haveWrk = () => spawnSync('wrk', ['--version']).error === undefined;

/** One wrk run on loopback; its report parsed into the figures load.mjs gives. */
export function wrk(target, headers, durationSeconds, { threads = 2, connections = 16 } = {}) {
  if (new URL(target).hostname !== '127.0.0.1') throw new Error('wrk: loopback only');
  const args = [
    `-t${threads}`,
    `-c${connections}`,
    `-d${durationSeconds}s`,
    '--latency',
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    target,
  ];
  const run = spawnSync('wrk', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr}`);
  const text = run.stdout;
  const ms = (value, unit) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? 1);
  const latency = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(text);
    return m ? ms(m[1], m[2]) : NaN;
  };
  const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/.exec(text);
  const mb = transfer ? Number(transfer[1]) * { B: 1 / 1048576, KB: 1 / 1024, MB: 1, GB: 1024 }[transfer[2]] : NaN;
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN),
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN),
    p50: latency(50),
    p99: latency(99),
    mbPerSecond: mb,
    errors: errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    statusMismatch: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
  };
}
