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
