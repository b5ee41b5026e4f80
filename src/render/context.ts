// The template context, with Helm's names: Values, Release, Chart, Capabilities, Files, Template. Functions in it
// (Files.Get, Capabilities.APIVersions.Has) are own properties, so handlebars' prototype protection lets them through.
import type { RE2JS } from 're2js';
import semver from 'semver';
import { PortolanError } from '../errors.js';
import type { Chart, ChartFile, Values } from '../chart/types.js';
import { toYaml } from '../yaml-emit.js';
import { markGoStruct } from './interpreter.js';
import { compileRe2 } from './helpers/regex.js';

export const DEFAULT_KUBE_VERSION = 'v1.35.0';

export interface ReleaseInfo {
  Name: string;
  Namespace: string;
  Revision: number;
  IsInstall: boolean;
  IsUpgrade: boolean;
  Service: string;
}

/** The group/versions (and group/version/Kind) a cluster of the default version serves, as Helm's default set. */
const BUILT_IN_KINDS: Record<string, string[]> = {
  v1: [
    'Binding',
    'ComponentStatus',
    'ConfigMap',
    'Endpoints',
    'Event',
    'LimitRange',
    'Namespace',
    'Node',
    'PersistentVolume',
    'PersistentVolumeClaim',
    'Pod',
    'PodTemplate',
    'ReplicationController',
    'ResourceQuota',
    'Secret',
    'Service',
    'ServiceAccount',
  ],
  'admissionregistration.k8s.io/v1': [
    'MutatingWebhookConfiguration',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
    'ValidatingWebhookConfiguration',
  ],
  'apiextensions.k8s.io/v1': ['CustomResourceDefinition'],
  'apiregistration.k8s.io/v1': ['APIService'],
  'apps/v1': ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
  'authentication.k8s.io/v1': ['SelfSubjectReview', 'TokenReview'],
  'authorization.k8s.io/v1': [
    'LocalSubjectAccessReview',
    'SelfSubjectAccessReview',
    'SelfSubjectRulesReview',
    'SubjectAccessReview',
  ],
  'autoscaling/v1': ['HorizontalPodAutoscaler'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'batch/v1': ['CronJob', 'Job'],
  'certificates.k8s.io/v1': ['CertificateSigningRequest'],
  'coordination.k8s.io/v1': ['Lease'],
  'discovery.k8s.io/v1': ['EndpointSlice'],
  'events.k8s.io/v1': ['Event'],
  'flowcontrol.apiserver.k8s.io/v1': ['FlowSchema', 'PriorityLevelConfiguration'],
  'networking.k8s.io/v1': ['IPAddress', 'Ingress', 'IngressClass', 'NetworkPolicy', 'ServiceCIDR'],
  'node.k8s.io/v1': ['RuntimeClass'],
  'policy/v1': ['Eviction', 'PodDisruptionBudget'],
  'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  'resource.k8s.io/v1': ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'],
  'scheduling.k8s.io/v1': ['PriorityClass'],
  'storage.k8s.io/v1': [
    'CSIDriver',
    'CSINode',
    'CSIStorageCapacity',
    'StorageClass',
    'VolumeAttachment',
    'VolumeAttributesClass',
  ],
};

export const DEFAULT_API_VERSIONS: string[] = Object.entries(BUILT_IN_KINDS).flatMap(([gv, kinds]) => [
  gv,
  ...kinds.map((k) => `${gv}/${k}`),
]);

/**
 * What `helm template` (4.1.4) answers for `.Capabilities.APIVersions` without a cluster: group/versions only, alpha
 * and beta ones included, no kinds. Helm charts branch on these (`Has "policy/v1beta1"`), so Go-template charts see
 * exactly this list.
 */
export const HELM_DEFAULT_API_VERSIONS: string[] = [
  'v1',
  'admissionregistration.k8s.io/v1',
  'admissionregistration.k8s.io/v1alpha1',
  'admissionregistration.k8s.io/v1beta1',
  'internal.apiserver.k8s.io/v1alpha1',
  'apps/v1',
  'apps/v1beta1',
  'apps/v1beta2',
  'authentication.k8s.io/v1',
  'authentication.k8s.io/v1alpha1',
  'authentication.k8s.io/v1beta1',
  'authorization.k8s.io/v1',
  'authorization.k8s.io/v1beta1',
  'autoscaling/v1',
  'autoscaling/v2',
  'autoscaling/v2beta1',
  'autoscaling/v2beta2',
  'batch/v1',
  'batch/v1beta1',
  'certificates.k8s.io/v1',
  'certificates.k8s.io/v1beta1',
  'certificates.k8s.io/v1alpha1',
  'coordination.k8s.io/v1alpha2',
  'coordination.k8s.io/v1beta1',
  'coordination.k8s.io/v1',
  'discovery.k8s.io/v1',
  'discovery.k8s.io/v1beta1',
  'events.k8s.io/v1',
  'events.k8s.io/v1beta1',
  'extensions/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1beta2',
  'flowcontrol.apiserver.k8s.io/v1beta3',
  'networking.k8s.io/v1',
  'networking.k8s.io/v1beta1',
  'node.k8s.io/v1',
  'node.k8s.io/v1alpha1',
  'node.k8s.io/v1beta1',
  'policy/v1',
  'policy/v1beta1',
  'rbac.authorization.k8s.io/v1',
  'rbac.authorization.k8s.io/v1beta1',
  'rbac.authorization.k8s.io/v1alpha1',
  'resource.k8s.io/v1',
  'resource.k8s.io/v1beta2',
  'resource.k8s.io/v1beta1',
  'resource.k8s.io/v1alpha3',
  'scheduling.k8s.io/v1alpha1',
  'scheduling.k8s.io/v1beta1',
  'scheduling.k8s.io/v1',
  'storage.k8s.io/v1beta1',
  'storage.k8s.io/v1',
  'storage.k8s.io/v1alpha1',
  'storagemigration.k8s.io/v1beta1',
  'apiextensions.k8s.io/v1beta1',
  'apiextensions.k8s.io/v1',
];

export interface KubeVersion {
  Version: string;
  Major: string;
  Minor: string;
  GitVersion: string;
  toString(): string;
}

/** `1.29.3`, `v1.29` → the KubeVersion object; a version that is not one is a usage error naming the flag. */
export function parseKubeVersion(text: string | undefined): KubeVersion {
  const raw = (text ?? DEFAULT_KUBE_VERSION).trim();
  const parsed =
    semver.parse(raw.replace(/^v/, ''), { loose: true }) ??
    (/^v?\d+\.\d+$/.test(raw) ? semver.parse(`${raw.replace(/^v/, '')}.0`) : null);
  if (!parsed) {
    throw new PortolanError('USAGE', `--kube-version "${text}" is not a Kubernetes version`, {
      flag: '--kube-version',
      hint: 'Give a version such as 1.30.0 or v1.30.2.',
    });
  }
  const version = `v${parsed.version}`;
  return {
    Version: version,
    Major: String(parsed.major),
    Minor: String(parsed.minor),
    GitVersion: version,
    toString: () => version,
  };
}

export interface Capabilities {
  KubeVersion: KubeVersion;
  APIVersions: string[] & { Has(version: string): boolean };
  HelmVersion: { Version: string };
}

/** `helmDefaults`: the list helm template gives Helm charts; else portolan's, with kinds (`apps/v1/Deployment`). */
export function buildCapabilities(
  kubeVersion: string | undefined,
  extraApiVersions: string[],
  helmDefaults = false,
): Capabilities {
  const list = [
    ...new Set([...(helmDefaults ? HELM_DEFAULT_API_VERSIONS : DEFAULT_API_VERSIONS), ...extraApiVersions]),
  ];
  const known = new Set(list);
  const has = (version: unknown) => known.has(String(version));
  const apiVersions = Object.assign(list, { Has: has, has });
  return markGoStruct(
    {
      KubeVersion: parseKubeVersion(kubeVersion),
      APIVersions: apiVersions,
      HelmVersion: { Version: 'v4.1.4', GitCommit: '', GitTreeState: 'clean', GoVersion: 'go1.25.9' },
    },
    '*common.Capabilities',
  );
}

/**
 * Go's filepath.Match-like globs with `**` crossing folders (gobwas/glob as Helm uses it), as an RE2 pattern: linear
 * time, so a chart's glob cannot make the match backtrack for ever. A glob that does not compile matches every file,
 * as Helm's Files.Glob falls back to `**`.
 */
function globRegex(pattern: string): RE2JS {
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) out += '\\{';
      else {
        out += `(?:${pattern
          .slice(i + 1, end)
          .split(',')
          .map((p) => p.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('|')})`;
        i = end;
      }
    } else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) out += '\\[';
      else {
        out += `[${pattern.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else out += /[.+^$()|\\]/.test(c) ? `\\${c}` : c;
  }
  try {
    return compileRe2(`${out}$`);
  } catch {
    return compileRe2('');
  }
}

export interface FilesObject {
  [lowerCaseAlias: string]: unknown;
  Get(name: string): string;
  GetBytes(name: string): Buffer;
  Glob(pattern: string): FilesObject;
  Lines(name: string): string[];
  AsConfig(): string;
  AsSecrets(): string;
}

/**
 * `.Files`: the chart's files outside templates/ (as the loader kept them, .helmignore applied). As Helm's `files`
 * type it is a map of path → bytes (so `range $path, $_ := .Files.Glob "x/*"` walks paths, and an empty Glob is
 * false) whose methods are not entries.
 */
export function buildFiles(files: ChartFile[]): FilesObject {
  const methods = filesMethods(files);
  const out = Object.create(Object.prototype) as FilesObject;
  for (const file of files) out[file.name] = file.data;
  // Helm's names, and the lower-case spellings some docs use.
  const all = {
    ...methods,
    get: methods.Get,
    getBytes: methods.GetBytes,
    glob: methods.Glob,
    lines: methods.Lines,
    asConfig: methods.AsConfig,
    asSecrets: methods.AsSecrets,
  };
  for (const [name, fn] of Object.entries(all)) Object.defineProperty(out, name, { value: fn, enumerable: false });
  return out;
}

function filesMethods(files: ChartFile[]): FilesObject {
  const byName = new Map(files.map((f) => [f.name, f.data]));
  const baseName = (name: string) => name.slice(name.lastIndexOf('/') + 1);
  return {
    Get: (name) => byName.get(String(name))?.toString('utf8') ?? '',
    GetBytes: (name) => byName.get(String(name)) ?? Buffer.alloc(0),
    Glob: (pattern) => {
      const regex = globRegex(String(pattern));
      return buildFiles(files.filter((f) => regex.test(f.name)));
    },
    Lines: (name) => {
      const text = byName.get(String(name))?.toString('utf8') ?? '';
      if (text === '') return [];
      return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
    },
    AsConfig: () => {
      const map: Values = {};
      for (const f of files) map[baseName(f.name)] = f.data.toString('utf8');
      return Object.keys(map).length === 0 ? '' : toYaml(map).replace(/\n$/, '');
    },
    AsSecrets: () => {
      const map: Values = {};
      for (const f of files) map[baseName(f.name)] = f.data.toString('base64');
      return Object.keys(map).length === 0 ? '' : toYaml(map).replace(/\n$/, '');
    },
  };
}

/** `.Chart`: Chart.yaml with Go's field names (Name, Version, AppVersion, …). */
export function chartObject(chart: Chart): Values {
  const m = chart.metadata;
  return markGoStruct(
    {
      Name: m.name,
      Version: m.version,
      AppVersion: m.appVersion ?? '',
      Description: m.description ?? '',
      APIVersion: m.apiVersion,
      Type: m.type ?? '', // as Helm: empty when Chart.yaml names no type (an application)
      KubeVersion: m.kubeVersion ?? '',
      Home: m.home ?? '',
      Icon: m.icon ?? '',
      Sources: m.sources ?? [],
      Keywords: m.keywords ?? [],
      Maintainers: (m.maintainers ?? []).map((x) => ({ Name: x.name, Email: x.email ?? '', URL: x.url ?? '' })),
      Dependencies: (m.dependencies ?? []).map((d) => ({
        Name: d.name,
        Version: d.version ?? '',
        Repository: d.repository ?? '',
        Condition: d.condition ?? '',
        Tags: d.tags ?? [],
        Enabled: d.enabled ?? true,
        Alias: d.alias ?? '',
      })),
      Deprecated: m.deprecated ?? false,
      Annotations: m.annotations ?? {},
    },
    '*chart.Metadata',
  );
}
