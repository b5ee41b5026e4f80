// Generates two equivalent release charts of OBJECTS objects: one in portolan's handlebars dialect, one in Helm's Go
// templates. A fifth each of Deployments, Services, Secrets and ConfigMaps (two fifths), each template a loop over
// `values.items`, so both tools render exactly the same objects.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function generateReleaseCharts(outDir, { objects = 300 } = {}) {
  const groups = Math.ceil(objects / 5);
  const items = Array.from({ length: groups }, (_, i) => ({
    name: `item-${String(i).padStart(3, '0')}`,
    replicas: (i % 3) + 1,
    port: 8000 + i,
  }));
  const values = JSON.stringify({ image: 'nginx:1.27', items }, null, 2);
  const chartYaml = 'apiVersion: v2\nname: bulk\nversion: 1.0.0\nappVersion: "1.0.0"\n';
  const kinds = {
    deployment: (v) => [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: ${v.rel}-${v.name}`,
      '  labels:',
      `    app: ${v.name}`,
      'spec:',
      `  replicas: ${v.replicas}`,
      '  selector:',
      '    matchLabels:',
      `      app: ${v.name}`,
      '  template:',
      '    metadata:',
      '      labels:',
      `        app: ${v.name}`,
      '    spec:',
      '      containers:',
      '        - name: web',
      `          image: ${v.image}`,
      '          ports:',
      `            - containerPort: ${v.port}`,
    ],
    service: (v) => [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      `  name: ${v.rel}-${v.name}`,
      'spec:',
      '  selector:',
      `    app: ${v.name}`,
      '  ports:',
      `    - port: 80`,
      `      targetPort: ${v.port}`,
    ],
    secret: (v) => [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      `  name: ${v.rel}-${v.name}`,
      'stringData:',
      `  password: ${v.name}-secret`,
    ],
    configmap: (v) => [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      `  name: ${v.rel}-${v.name}`,
      'data:',
      `  port: ${v.quotedPort}`,
      `  owner: ${v.name}`,
    ],
    configmap2: (v) => [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      `  name: ${v.rel}-${v.name}-settings`,
      'data:',
      `  replicas: ${v.quotedReplicas}`,
      '  mode: standard',
    ],
  };
  const hbsVars = {
    rel: '{{ @root.Release.Name }}',
    name: '{{ name }}',
    replicas: '{{ replicas }}',
    port: '{{ port }}',
    image: '{{ @root.Values.image }}',
    quotedPort: '{{ quote port }}',
    quotedReplicas: '{{ quote replicas }}',
  };
  const goVars = {
    rel: '{{ $.Release.Name }}',
    name: '{{ .name }}',
    replicas: '{{ .replicas }}',
    port: '{{ .port }}',
    image: '{{ $.Values.image }}',
    quotedPort: '{{ .port | quote }}',
    quotedReplicas: '{{ .replicas | quote }}',
  };
  const hbs = { 'Chart.yaml': chartYaml, 'values.yaml': values };
  const go = { 'Chart.yaml': chartYaml, 'values.yaml': values };
  for (const [file, lines] of Object.entries(kinds)) {
    hbs[`templates/${file}.yaml`] = ['{{#each Values.items}}', '---', ...lines(hbsVars), '{{/each}}', ''].join('\n');
    go[`templates/${file}.yaml`] = ['{{- range .Values.items }}', '---', ...lines(goVars), '{{- end }}', ''].join('\n');
  }
  const write = (dir, files) => {
    rmSync(dir, { recursive: true, force: true });
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  };
  const hbsDir = join(outDir, 'portolan', 'bulk');
  const goDir = join(outDir, 'helm', 'bulk');
  write(hbsDir, hbs);
  write(goDir, go);
  return { hbsDir, goDir, objects: groups * 5 };
}
