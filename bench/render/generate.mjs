// Generates two equivalent large charts: one in portolan's handlebars dialect, one in Helm's Go templates.
// Each has TEMPLATES templates (partials for names and labels, a loop over each service's environment) and
// SERVICES × 12 value keys.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function generateLargeCharts(outDir, { templates = 200, keysPerService = 12 } = {}) {
  const values = { global: { registry: 'registry.example.com', team: 'platform' }, services: {} };
  for (let i = 0; i < templates; i++) {
    const env = {};
    for (let k = 0; k < keysPerService - 4; k++) env[`VAR_${k}`] = `value-${i}-${k}`;
    values.services[`svc${i}`] = { replicas: (i % 5) + 1, image: `app-${i}`, tag: `1.${i}.0`, port: 8000 + i, env };
  }
  const valuesYaml = JSON.stringify(values, null, 2); // JSON is valid YAML for both tools
  const keyCount = countKeys(values);

  const write = (dir, files) => {
    rmSync(dir, { recursive: true, force: true });
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  };
  const chartYaml = (name) => `apiVersion: v2\nname: ${name}\nversion: 1.0.0\nappVersion: "1.0.0"\n`;

  const hbs = {
    'Chart.yaml': chartYaml('large'),
    'values.yaml': valuesYaml,
    'templates/_helpers.tpl': [
      '{{#define "large.fullname"~}}',
      '{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}',
      '{{~/define}}',
      '{{#define "large.labels"~}}',
      'app.kubernetes.io/name: {{ .Chart.Name }}',
      'app.kubernetes.io/instance: {{ .Release.Name }}',
      'app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}',
      'team: {{ .Values.global.team }}',
      '{{~/define}}',
      '',
    ].join('\n'),
  };
  const go = {
    'Chart.yaml': chartYaml('large'),
    'values.yaml': valuesYaml,
    'templates/_helpers.tpl': [
      '{{- define "large.fullname" -}}',
      '{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}',
      '{{- end -}}',
      '{{- define "large.labels" -}}',
      'app.kubernetes.io/name: {{ .Chart.Name }}',
      'app.kubernetes.io/instance: {{ .Release.Name }}',
      'app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}',
      'team: {{ .Values.global.team }}',
      '{{- end -}}',
      '',
    ].join('\n'),
  };
  for (let i = 0; i < templates; i++) {
    const head = (svc) => [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: {{ include "large.fullname" . }}-svc${i}`,
      '  labels:',
      '    {{- include "large.labels" . | nindent 4 }}',
      'spec:',
      `  replicas: {{ ${svc}.replicas }}`,
      '  selector:',
      '    matchLabels:',
      `      app: svc${i}`,
      '  template:',
      '    metadata:',
      '      labels:',
      '        {{- include "large.labels" . | nindent 8 }}',
      '    spec:',
      '      containers:',
      '        - name: app',
      `          image: "{{ .Values.global.registry }}/{{ ${svc}.image }}:{{ ${svc}.tag }}"`,
      '          ports:',
      `            - containerPort: {{ ${svc}.port }}`,
      '          env:',
    ];
    const svc = `.Values.services.svc${i}`;
    hbs[`templates/svc${i}.yaml`] = [
      ...head(svc),
      `            {{#each Values.services.svc${i}.env}}`,
      '            - name: {{ @key }}',
      '              value: {{ quote this }}',
      '            {{/each}}',
      '',
    ].join('\n');
    go[`templates/svc${i}.yaml`] = [
      ...head(svc),
      `            {{- range $k, $v := ${svc}.env }}`,
      '            - name: {{ $k }}',
      '              value: {{ quote $v }}',
      '            {{- end }}',
      '',
    ].join('\n');
  }
  write(join(outDir, 'large-hbs'), hbs);
  write(join(outDir, 'large-go'), go);
  return { hbsDir: join(outDir, 'large-hbs'), goDir: join(outDir, 'large-go'), keyCount, templates };
}

function countKeys(value) {
  if (value === null || typeof value !== 'object') return 0;
  return Object.values(value).reduce((n, v) => n + 1 + countKeys(v), 0);
}

/**
 * A chart built like the big public ones, in Go templates: a library chart of helpers (names, labels, images,
 * API-version checks, values rendered with tpl) that an application chart includes hundreds of times.
 */
export function generateLibraryChart(outDir, { templates = 100 } = {}) {
  const dir = join(outDir, 'library-app');
  rmSync(dir, { recursive: true, force: true });
  const files = {
    'Chart.yaml':
      'apiVersion: v2\nname: app\nversion: 1.0.0\nappVersion: "2.1.0"\ndependencies:\n  - name: common\n    version: 1.x.x\n    repository: file://charts/common\n',
    'charts/common/Chart.yaml': 'apiVersion: v2\nname: common\nversion: 1.0.0\ntype: library\n',
    'charts/common/templates/_names.tpl': [
      '{{- define "common.names.name" -}}',
      '{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}',
      '{{- end -}}',
      '{{- define "common.names.fullname" -}}',
      '{{- if .Values.fullnameOverride -}}',
      '{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}',
      '{{- else -}}',
      '{{- $name := default .Chart.Name .Values.nameOverride -}}',
      '{{- if contains $name .Release.Name -}}',
      '{{- .Release.Name | trunc 63 | trimSuffix "-" -}}',
      '{{- else -}}',
      '{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}',
      '{{- end -}}',
      '{{- end -}}',
      '{{- end -}}',
      '',
    ].join('\n'),
    'charts/common/templates/_labels.tpl': [
      '{{- define "common.labels.standard" -}}',
      'app.kubernetes.io/name: {{ include "common.names.name" .context }}',
      'helm.sh/chart: {{ printf "%s-%s" .context.Chart.Name .context.Chart.Version | replace "+" "_" }}',
      'app.kubernetes.io/instance: {{ .context.Release.Name }}',
      'app.kubernetes.io/managed-by: {{ .context.Release.Service }}',
      '{{- with .customLabels }}',
      '{{ include "common.tplvalues.render" (dict "value" . "context" $.context) }}',
      '{{- end }}',
      '{{- end -}}',
      '{{- define "common.labels.matchLabels" -}}',
      'app.kubernetes.io/name: {{ include "common.names.name" .context }}',
      'app.kubernetes.io/instance: {{ .context.Release.Name }}',
      '{{- end -}}',
      '',
    ].join('\n'),
    'charts/common/templates/_tplvalues.tpl': [
      '{{- define "common.tplvalues.render" -}}',
      '{{- $value := typeIs "string" .value | ternary .value (.value | toYaml) }}',
      '{{- if contains "{{" (toJson .value) }}',
      '{{- tpl $value .context }}',
      '{{- else }}',
      '{{- $value }}',
      '{{- end }}',
      '{{- end -}}',
      '',
    ].join('\n'),
    'charts/common/templates/_capabilities.tpl': [
      '{{- define "common.capabilities.kubeVersion" -}}',
      '{{- default .Capabilities.KubeVersion.Version .Values.kubeVersion -}}',
      '{{- end -}}',
      '{{- define "common.capabilities.deployment.apiVersion" -}}',
      '{{- if semverCompare "<1.14-0" (include "common.capabilities.kubeVersion" .) -}}',
      '{{- print "extensions/v1beta1" -}}',
      '{{- else -}}',
      '{{- print "apps/v1" -}}',
      '{{- end -}}',
      '{{- end -}}',
      '{{- define "common.images.image" -}}',
      '{{- $registry := .imageRoot.registry -}}',
      '{{- if .global }}{{- if .global.imageRegistry }}{{- $registry = .global.imageRegistry -}}{{- end -}}{{- end -}}',
      '{{- printf "%s/%s:%s" $registry .imageRoot.repository (.imageRoot.tag | toString) -}}',
      '{{- end -}}',
      '',
    ].join('\n'),
  };
  const values = {
    image: { registry: 'docker.io', repository: 'org/app', tag: '2.1.0' },
    commonLabels: { team: 'platform', tier: '{{ .Release.Name }}' },
    services: {},
  };
  for (let i = 0; i < templates; i++) {
    values.services[`s${i}`] = {
      replicas: (i % 3) + 1,
      port: 8000 + i,
      resources: { limits: { cpu: '500m', memory: '256Mi' } },
      env: { MODE: 'prod', INDEX: String(i) },
    };
    files[`templates/s${i}.yaml`] = [
      `{{- $svc := .Values.services.s${i} }}`,
      `apiVersion: {{ include "common.capabilities.deployment.apiVersion" . }}`,
      'kind: Deployment',
      'metadata:',
      `  name: {{ include "common.names.fullname" . }}-s${i}`,
      '  labels: {{- include "common.labels.standard" (dict "customLabels" .Values.commonLabels "context" $) | nindent 4 }}',
      'spec:',
      '  replicas: {{ $svc.replicas }}',
      '  selector:',
      '    matchLabels: {{- include "common.labels.matchLabels" (dict "context" $) | nindent 6 }}',
      '  template:',
      '    metadata:',
      '      labels: {{- include "common.labels.standard" (dict "customLabels" .Values.commonLabels "context" $) | nindent 8 }}',
      '    spec:',
      '      containers:',
      `        - name: s${i}`,
      '          image: {{ include "common.images.image" (dict "imageRoot" .Values.image "global" .Values.global) }}',
      '          ports:',
      '            - containerPort: {{ $svc.port }}',
      '          {{- with $svc.resources }}',
      '          resources: {{- toYaml . | nindent 12 }}',
      '          {{- end }}',
      '          env:',
      '            {{- range $k, $v := $svc.env }}',
      '            - name: {{ $k }}',
      '              value: {{ $v | quote }}',
      '            {{- end }}',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      `  name: {{ include "common.names.fullname" . }}-s${i}`,
      '  labels: {{- include "common.labels.standard" (dict "customLabels" .Values.commonLabels "context" $) | nindent 4 }}',
      'spec:',
      '  ports:',
      '    - port: {{ $svc.port }}',
      '  selector: {{- include "common.labels.matchLabels" (dict "context" $) | nindent 4 }}',
      '',
    ].join('\n');
  }
  files['values.yaml'] = JSON.stringify(values, null, 2);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, templates };
}
