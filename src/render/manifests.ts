// From rendered text to Kubernetes objects, as Helm's manifest sorter does: split on `---`, drop empty documents,
// parse each (an error names the template and the line of its output), tell hooks from manifests by their
// annotations, and sort by the install order of kinds. Pure.
import yaml from 'js-yaml';
import { PortolanError } from '../errors.js';
import { HELM_YAML_SCHEMA } from '../values/go-yaml.js';

export interface RenderedDocument {
  /** `<chart>/templates/<file>` (`<parent>/charts/<sub>/templates/<file>` for a subchart's). */
  source: string;
  /** The document's YAML text, trimmed. */
  text: string;
  /** The parsed document. */
  object: Record<string, unknown>;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  /** Hook events (`pre-install`, `test`, …) when the document is a hook. */
  hook?: string[];
  hookWeight?: number;
  hookDeletePolicies?: string[];
  /**
   * A document that holds only comments (or a bare null): Helm keeps it in the release manifest and in `helm
   * template`'s output, sorted as an unknown kind; it is no object to apply or lint.
   */
  commentOnly?: boolean;
}

/** Install order of kinds (SEMANTICS.md); unknown kinds go last, alphabetically. Uninstall is the reverse. */
export const INSTALL_ORDER = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];
const ORDER = new Map(INSTALL_ORDER.map((kind, index) => [kind, index]));

export const HOOK_EVENTS = new Set([
  'pre-install',
  'post-install',
  'pre-delete',
  'post-delete',
  'pre-upgrade',
  'post-upgrade',
  'pre-rollback',
  'post-rollback',
  'test',
  'test-success',
]);
const HOOK_ANNOTATIONS = ['helm.sh/hook', 'portolan.dev/hook'];

function kindLess(a: string | undefined, b: string | undefined): number {
  const ia = ORDER.get(a ?? '');
  const ib = ORDER.get(b ?? '');
  if (ia === undefined && ib === undefined) return (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0;
  if (ia === undefined) return 1;
  if (ib === undefined) return -1;
  return ia - ib;
}

/** A stable sort by the install order of kinds. */
export function sortByInstallOrder<T extends { kind?: string }>(documents: T[]): T[] {
  return [...documents].sort((a, b) => kindLess(a.kind, b.kind));
}

/** Helm's SplitManifests: `---` at the start of a line separates documents. */
export function splitDocuments(text: string): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  const separator = /(?:^|\s*\n)---\s*/g;
  let last = 0;
  const push = (end: number) => {
    const raw = text.slice(last, end);
    const trimmed = raw.trim();
    if (trimmed !== '') {
      const lead = raw.length - raw.trimStart().length;
      out.push({ text: trimmed, line: lineAt(text, last + lead) });
    }
  };
  for (const match of text.matchAll(separator)) {
    push(match.index);
    last = match.index + match[0].length;
  }
  push(text.length);
  return out;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The documents one template rendered: empty ones dropped, each parsed; hooks carry their events, weight and
 * delete policies. `warnings` collects documents skipped for unknown hook events (Helm skips them too).
 */
export function parseRendered(source: string, rendered: string, warnings: string[]): RenderedDocument[] {
  const documents: RenderedDocument[] = [];
  for (const { text, line } of splitDocuments(rendered)) {
    let object: unknown;
    try {
      // As Helm and the Kubernetes client read a manifest (go-yaml v2): YAML 1.1 scalars, any tag (`!!string`)
      // read as plain data, and a key given twice keeps the last value.
      object = yaml.load(text, { schema: HELM_YAML_SCHEMA, filename: source, json: true });
    } catch (error) {
      if (!(error instanceof yaml.YAMLException)) throw error;
      const outputLine = line + error.mark.line;
      const shown = (text.split('\n')[error.mark.line] ?? '').trimEnd();
      throw new PortolanError(
        'MANIFEST_INVALID',
        `${source}:${outputLine}: the rendered YAML does not parse (line ${outputLine} of the template's output): ${error.reason}${shown ? `\n    ${outputLine} | ${shown}` : ''}`,
        {
          file: source,
          line: outputLine,
          hint: 'Check the indentation around that line: nindent/indent widths and {{- -}} trimming are the usual causes.',
        },
      );
    }
    if (object === null || object === undefined) {
      documents.push({ source, text, object: {}, commentOnly: true });
      continue;
    }
    if (typeof object !== 'object' || Array.isArray(object)) {
      throw new PortolanError(
        'MANIFEST_INVALID',
        `${source}: a rendered document at line ${line} of the template's output is ${Array.isArray(object) ? 'a list' : `the ${typeof object} ${JSON.stringify(object)}`}, not a Kubernetes object`,
        {
          file: source,
          hint: 'Each document must be a map with apiVersion, kind and metadata.',
        },
      );
    }
    const document = describe(source, text, object as Record<string, unknown>);
    const annotations = (document.object.metadata as { annotations?: Record<string, unknown> } | undefined)
      ?.annotations;
    const hookText = HOOK_ANNOTATIONS.map((a) => annotations?.[a]).find((v) => typeof v === 'string') as
      string | undefined;
    if (hookText !== undefined) {
      const events = hookText
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter((e) => e !== '');
      const unknown = events.filter((e) => !HOOK_EVENTS.has(e));
      if (unknown.length > 0) {
        warnings.push(
          `${source}: ${document.kind ?? 'object'} "${document.name ?? ''}" has unknown hook events (${unknown.join(', ')}) and is skipped, as Helm does`,
        );
        continue;
      }
      document.hook = events.map((e) => (e === 'test-success' ? 'test' : e));
      const weight = Number.parseInt(
        String(annotations?.['helm.sh/hook-weight'] ?? annotations?.['portolan.dev/hook-weight'] ?? '0'),
        10,
      );
      document.hookWeight = Number.isNaN(weight) ? 0 : weight;
      const policies = String(
        annotations?.['helm.sh/hook-delete-policy'] ?? annotations?.['portolan.dev/hook-delete-policy'] ?? '',
      );
      document.hookDeletePolicies = policies
        .split(',')
        .map((p) => p.trim().toLowerCase())
        .filter((p) => p !== '');
    }
    documents.push(document);
  }
  return documents;
}

function describe(source: string, text: string, object: Record<string, unknown>): RenderedDocument {
  const metadata = object.metadata as { name?: unknown; namespace?: unknown } | undefined;
  return {
    source,
    text,
    object,
    apiVersion: typeof object.apiVersion === 'string' ? object.apiVersion : undefined,
    kind: typeof object.kind === 'string' ? object.kind : undefined,
    name: typeof metadata?.name === 'string' ? metadata.name : undefined,
    namespace: typeof metadata?.namespace === 'string' ? metadata.namespace : undefined,
  };
}

/** `helm template`'s output: `---`, `# Source: <file>`, the document, for each. */
export function formatManifests(documents: Array<{ source: string; text: string }>): string {
  let out = '';
  for (const doc of documents) out += `---\n# Source: ${doc.source}\n${doc.text}\n`;
  return out;
}
