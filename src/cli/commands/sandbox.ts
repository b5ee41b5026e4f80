// portolan sandbox start [--port] [--data DIR] [--kubeconfig-out FILE]: a Kubernetes-compatible API server on
// 127.0.0.1 for trying portolan (and kubectl, helm) without a cluster. Runs until Ctrl-C / SIGTERM.
import { UsageError } from '../../errors.js';
import type { FailureRule, Sandbox } from '../../sandbox/index.js';
import { defineCommand } from '../command.js';
import type { CliIo } from '../io.js';
import { letYoungGenerationGrow } from '../young-generation.js';

/** The flags of `sandbox start`, as run() receives them. */
export interface SandboxFlags {
  port?: number;
  data?: string;
  kubeconfigOut?: string;
  readyDelay?: number;
  failImage?: string[];
  failJobLabel?: string[];
  rbac?: boolean;
}

function failureRules(args: SandboxFlags): FailureRule[] {
  const rules: FailureRule[] = [];
  for (const image of args.failImage ?? []) {
    try {
      new RegExp(image);
    } catch {
      throw new UsageError(`--fail-image ${JSON.stringify(image)} is not a valid regular expression`, {
        flag: '--fail-image',
      });
    }
    rules.push({ image });
  }
  for (const label of args.failJobLabel ?? []) {
    const m = /^([^=]+)=(.*)$/.exec(label);
    if (!m)
      throw new UsageError(`--fail-job-label needs KEY=VALUE, got ${JSON.stringify(label)}`, {
        flag: '--fail-job-label',
      });
    rules.push({ kind: 'Job', labels: { [m[1]!]: m[2]! }, effect: 'fail' });
  }
  return rules;
}

/** Starts the sandbox, prints how to use it, and resolves with 0 once `signal` aborts. */
export async function runSandbox(args: SandboxFlags, io: CliIo, signal: AbortSignal): Promise<number> {
  const { startSandbox } = await import('../../sandbox/index.js');
  const port = args.port;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new UsageError(`--port must be a port number, got ${String(port)}`, { flag: '--port' });
  }
  const delay = args.readyDelay;
  if (delay !== undefined && (!Number.isFinite(delay) || delay < 0))
    throw new UsageError('--ready-delay must be a number of milliseconds', { flag: '--ready-delay' });
  const sandbox: Sandbox = await startSandbox({
    port,
    dataDir: args.data,
    kubeconfigPath: args.kubeconfigOut,
    readyDelayMs: delay,
    failureRules: failureRules(args),
    rbac: args.rbac === true,
  });
  letYoungGenerationGrow();
  io.stdout(
    [
      `portolan sandbox listening on ${sandbox.url}`,
      `kubeconfig: ${sandbox.kubeconfigPath}`,
      args.data
        ? `state: ${args.data} (kept across restarts)`
        : 'state: in memory (gone on stop; use --data DIR to keep it)',
      '',
      'Try:',
      `  export KUBECONFIG=${sandbox.kubeconfigPath}`,
      '  kubectl get namespaces',
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  if (!signal.aborted)
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await sandbox.stop();
  io.stderr('sandbox stopped\n');
  return 0;
}

export const sandboxCommand = defineCommand({
  command: 'sandbox <action>',
  describe: 'Run a local Kubernetes-compatible API server for tests and first tries (action: start)',
  builder: (y) =>
    y
      .positional('action', { type: 'string', choices: ['start'] as const, describe: 'What to do' })
      .option('port', {
        type: 'number',
        describe: 'Port on 127.0.0.1 (default: a free one, or the last one used with --data)',
      })
      .option('data', {
        type: 'string',
        describe: 'Keep objects in DIR so a restart keeps them (default: in memory)',
        requiresArg: true,
      })
      .option('kubeconfig-out', {
        type: 'string',
        describe: 'Write the kubeconfig here (default: DIR/kubeconfig with --data, else a temporary file)',
        requiresArg: true,
      })
      .option('ready-delay', {
        type: 'number',
        describe: 'Milliseconds before simulated workloads become ready (default 100)',
      })
      .option('fail-image', {
        type: 'string',
        array: true,
        describe: 'Workloads with an image matching this regular expression never become ready. Repeatable',
        requiresArg: true,
      })
      .option('rbac', {
        type: 'boolean',
        describe: 'Enforce Roles, ClusterRoles and their bindings; kubectl --as impersonates (default: off)',
      })
      .option('fail-job-label', {
        type: 'string',
        array: true,
        describe: 'Jobs with this KEY=VALUE label fail. Repeatable',
        requiresArg: true,
      }),
  run: async (args, io) => {
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      return await runSandbox(args, io, controller.signal);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
});
