// Flag groups shared by several commands, declared once. Each takes and returns a typed yargs builder, so the flags
// it adds reach the command's run() typed (see defineCommand in command.ts).
import type { Argv } from 'yargs';
import type { ValueOptions } from '../values/index.js';

export function withValuesFlags<T>(y: Argv<T>) {
  return y
    .option('values', {
      alias: 'f',
      type: 'string',
      array: true,
      describe: 'Values file (YAML; several documents merge; "-" reads stdin). Repeatable',
      requiresArg: true,
    })
    .option('set', {
      type: 'string',
      array: true,
      describe: 'Set values: a.b=c,d[0]=e (types inferred). Repeatable',
      requiresArg: true,
    })
    .option('set-string', { type: 'string', array: true, describe: 'Set values, always as strings', requiresArg: true })
    .option('set-json', {
      type: 'string',
      array: true,
      describe: 'Set JSON values: a={"b":1} or a whole object',
      requiresArg: true,
    })
    .option('set-file', { type: 'string', array: true, describe: 'Set values from files: key=path', requiresArg: true })
    .option('set-literal', {
      type: 'string',
      array: true,
      describe: 'Set one value to the literal rest of the text',
      requiresArg: true,
    })
    .group(['values', 'set', 'set-string', 'set-json', 'set-file', 'set-literal'], 'Values:');
}

/** The flags withValuesFlags declares, as run() receives them. */
export interface ValuesFlags {
  values?: string[];
  set?: string[];
  setString?: string[];
  setJson?: string[];
  setFile?: string[];
  setLiteral?: string[];
}

export function valueOptionsFrom(args: ValuesFlags): ValueOptions {
  return {
    valueFiles: args.values ?? [],
    set: args.set ?? [],
    setString: args.setString ?? [],
    setJson: args.setJson ?? [],
    setFile: args.setFile ?? [],
    setLiteral: args.setLiteral ?? [],
  };
}

export function withRenderFlags<T>(y: Argv<T>) {
  return y
    .option('namespace', { alias: 'n', type: 'string', default: 'default', describe: 'Namespace of the release' })
    .option('kube-version', {
      type: 'string',
      describe: 'Kubernetes version for Capabilities.KubeVersion (e.g. 1.30.0)',
    })
    .option('api-versions', {
      alias: 'a',
      type: 'string',
      array: true,
      describe: 'Extra API versions for Capabilities.APIVersions (group/version or group/version/Kind)',
    })
    .option('skip-schema-validation', {
      type: 'boolean',
      default: false,
      describe: 'Do not validate values against values.schema.json',
    });
}

/** -o/--output, one of `choices` (the first is the default). */
export function withFormatFlag<T, const F extends string>(y: Argv<T>, choices: readonly [F, ...F[]]) {
  return y.option('output', { alias: 'o', type: 'string', choices, default: choices[0], describe: 'Output format' });
}

/** -o/--output table (the default), json or yaml. */
export function withOutputFlag<T>(y: Argv<T>) {
  return withFormatFlag(y, ['table', 'json', 'yaml']);
}

/** --kubeconfig, --kube-context and -n/--namespace: which cluster and namespace a command talks to. */
export function withClusterFlags<T>(y: Argv<T>) {
  return y
    .option('kubeconfig', {
      type: 'string',
      describe: 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)',
      requiresArg: true,
    })
    .option('kube-context', {
      type: 'string',
      describe: 'Name of the kubeconfig context to use (default: its current-context)',
      requiresArg: true,
    })
    .option('namespace', {
      alias: 'n',
      type: 'string',
      describe: 'Namespace of the release (default: the context\'s namespace, else "default")',
      requiresArg: true,
    });
}
