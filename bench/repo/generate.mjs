// Generates chart archives for bench/repo: realistic Chart.yaml metadata (description, keywords, maintainers,
// sources, annotations; about 1 KB per index entry) and a few templates, as gzip'd tar written here directly.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

function octal(value, width) {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function tar(entries) {
  const blocks = [];
  for (const [name, text] of entries) {
    const data = Buffer.from(text);
    const header = Buffer.alloc(512);
    header.write(name, 0, 'utf8');
    header.write(octal(0o644, 8), 100);
    header.write(octal(0, 8), 108);
    header.write(octal(0, 8), 116);
    header.write(octal(data.length, 12), 124);
    header.write(octal(315532800, 12), 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\u000000', 257);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(octal(sum, 7) + ' ', 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

const WORDS = [
  'database',
  'cache',
  'proxy',
  'monitoring',
  'logging',
  'queue',
  'web',
  'api',
  'storage',
  'search',
  'auth',
  'metrics',
  'stream',
  'gateway',
  'batch',
];

export function chartYaml(name, version, c) {
  const w = (i) => WORDS[(c + i) % WORDS.length];
  return `apiVersion: v2
name: ${name}
version: ${version}
appVersion: "${(c % 7) + 1}.${c % 13}.${c % 5}"
description: "A Helm chart for ${w(0)} and ${w(3)} workloads on Kubernetes, with production defaults, HA and ${w(5)} integration (chart ${c})"
type: application
home: https://charts.example.com/${name}
icon: https://charts.example.com/icons/${name}.png
keywords:
  - ${w(0)}
  - ${w(1)}
  - ${w(2)}
sources:
  - https://git.example.com/charts/${name}
  - https://git.example.com/images/${name}
maintainers:
  - name: Team ${w(4)}
    email: ${w(4)}@example.com
    url: https://example.com/teams/${w(4)}
annotations:
  category: ${w(6)}
  licenses: Apache-2.0
  images: |
    - name: ${name}
      image: registry.example.com/${name}:${version}
`;
}

export function archiveFor(name, version, c, salt = '') {
  return tar([
    [`${name}/Chart.yaml`, chartYaml(name, version, c)],
    [
      `${name}/values.yaml`,
      `replicaCount: 1\nimage:\n  repository: registry.example.com/${name}\n  tag: "${version}"\nsalt: "${salt}"\n`,
    ],
    [
      `${name}/templates/deployment.yaml`,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n`,
    ],
    [`${name}/templates/service.yaml`, `apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n`],
    [`${name}/README.md`, `# ${name}\n\n${'Documentation line. '.repeat(40)}\n`],
  ]);
}

/** Writes `charts × versions` archives into `dir` (emptied first unless it already holds exactly that many). */
export function generateArchives(dir, charts, versions) {
  mkdirSync(dir, { recursive: true });
  const existing = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  if (existing.length === charts * versions) return existing.length;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let c = 0; c < charts; c++) {
    const name = `bench-${WORDS[c % WORDS.length]}-${c}`;
    for (let v = 0; v < versions; v++) {
      const version = `${1 + (v % 3)}.${v}.${c % 4}`;
      writeFileSync(join(dir, `${name}-${version}.tgz`), archiveFor(name, version, c));
    }
  }
  return charts * versions;
}
