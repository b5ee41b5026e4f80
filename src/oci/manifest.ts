// Helm charts as OCI artifacts: the config blob (Chart.yaml as JSON), the manifest, and reading a manifest back.
// The bytes are those Helm 4 writes (Go's encoding/json over chart.Metadata and ocispec.Manifest: struct fields in
// declaration order, map keys sorted, `<` `>` `&` escaped), so a chart pushed by portolan has helm's digests.
import { createHash } from 'node:crypto';
import { PortolanError } from '../errors.js';
import type { ChartMetadata } from '../chart/types.js';

export const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
export const CONFIG_MEDIA_TYPE = 'application/vnd.cncf.helm.config.v1+json';
export const CHART_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
export const PROV_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.provenance.v1.prov';
export const LEGACY_CHART_LAYER_MEDIA_TYPE = 'application/tar+gzip';

/** What a pull accepts before downloading: a manifest over 4 MiB (the distribution server's own limit), etc. */
export interface SizeLimits {
  manifest: number;
  config: number;
  chart: number;
  prov: number;
}

export const DEFAULT_LIMITS: SizeLimits = {
  manifest: 4 * 1024 * 1024,
  config: 4 * 1024 * 1024,
  // An archive may unpack to 100 MiB at most (the chart loader's limit); compressed it is no larger than that.
  chart: 128 * 1024 * 1024,
  prov: 4 * 1024 * 1024,
};

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function descriptorOf(mediaType: string, data: Buffer): Descriptor {
  return { mediaType, digest: sha256Digest(data), size: data.length };
}

/** A JSON string as Go's encoding/json writes it (HTML-safe: `<`, `>`, `&`, U+2028 and U+2029 as \u escapes). */
export function goJsonString(text: string): string {
  // A lone surrogate is not UTF-8: Go writes U+FFFD for it.
  const wellFormed = text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return JSON.stringify(wellFormed).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A value as Go's json.Marshal writes it: objects keep the key order given (build struct-like objects in order). */
export function goJson(value: unknown, sortKeys = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goJsonString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => goJson(v, sortKeys)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${goJsonString(k)}:${goJson(v, sortKeys)}`).join(',')}}`;
  }
  return JSON.stringify(String(value));
}

const sortedMap = (map: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const nonEmpty = (text: unknown): string | undefined => (typeof text === 'string' && text !== '' ? text : undefined);
const nonEmptyList = <T>(list: T[] | undefined): T[] | undefined => (list && list.length > 0 ? list : undefined);

/** Chart.yaml as the config blob: chart.Metadata's fields in Go's order, empty ones left out (omitempty). */
export function chartConfigJson(metadata: ChartMetadata): Buffer {
  const m = metadata;
  const config = {
    name: nonEmpty(m.name),
    home: nonEmpty(m.home),
    sources: nonEmptyList(m.sources),
    version: nonEmpty(m.version),
    description: nonEmpty(m.description),
    keywords: nonEmptyList(m.keywords),
    maintainers: nonEmptyList(m.maintainers)?.map((x) =>
      x === null ? null : { name: nonEmpty(x.name), email: nonEmpty(x.email), url: nonEmpty(x.url) },
    ),
    icon: nonEmpty(m.icon),
    apiVersion: nonEmpty(m.apiVersion),
    condition: nonEmpty(m.condition),
    tags: nonEmpty(m.tags),
    appVersion: nonEmpty(m.appVersion),
    deprecated: m.deprecated === true ? true : undefined,
    annotations: m.annotations && Object.keys(m.annotations).length > 0 ? sortedMap(m.annotations) : undefined,
    kubeVersion: nonEmpty(m.kubeVersion),
    dependencies: nonEmptyList(m.dependencies)?.map((d) =>
      d === null
        ? null
        : {
            name: d.name ?? '',
            version: nonEmpty(d.version),
            repository: d.repository ?? '',
            condition: nonEmpty(d.condition),
            tags: nonEmptyList(d.tags),
            enabled: d.enabled === true ? true : undefined,
            // []any: Go writes the maps inside with sorted keys.
            'import-values': nonEmptyList(d['import-values'])?.map((v) => JSON.parse(goJson(v, true)) as unknown),
            alias: nonEmpty(d.alias),
          },
    ),
    type: nonEmpty(m.type),
  };
  // import-values went through JSON.parse to sort its maps; goJson keeps that order (sortKeys only inside them).
  return Buffer.from(goJson(config));
}

/** RFC 3339 in the local time zone, to the second, as Go's time.Format(time.RFC3339) writes a file's mtime. */
export function rfc3339Local(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const local = new Date(Math.floor(date.getTime() / 1000) * 1000 + offset * 60_000);
  const text = local.toISOString().slice(0, 19);
  if (offset === 0) return `${text}Z`;
  const sign = offset > 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${text}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The manifest's annotations, as Helm's generateOCIAnnotations: OCI keys from Chart.yaml, then its annotations. */
export function chartAnnotations(metadata: ChartMetadata, created: string): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: string, value: string | undefined) => {
    if (value !== undefined && value.trim() !== '') out[key] = value;
  };
  add('org.opencontainers.image.description', metadata.description);
  add('org.opencontainers.image.title', metadata.name);
  add('org.opencontainers.image.version', metadata.version);
  add('org.opencontainers.image.url', metadata.home);
  add('org.opencontainers.image.created', created);
  if (metadata.sources && metadata.sources.length > 0) add('org.opencontainers.image.source', metadata.sources[0]);
  if (metadata.maintainers && metadata.maintainers.length > 0) {
    const authors = metadata.maintainers.map((m) => `${m?.name ?? ''}${m?.email ? ` (${m.email})` : ''}`).join(', ');
    add('org.opencontainers.image.authors', authors);
  }
  for (const [key, value] of Object.entries(metadata.annotations ?? {})) {
    if (key === 'org.opencontainers.image.version' || key === 'org.opencontainers.image.title') continue;
    out[key] = value;
  }
  return sortedMap(out);
}

export interface ChartArtifact {
  manifest: Buffer;
  manifestDigest: string;
  config: Buffer;
  /** Every blob the manifest names (config first), with its bytes. */
  blobs: Array<{ descriptor: Descriptor; data: Buffer }>;
}

/** The manifest helm push writes for an archive (and its .prov), with the blobs to upload. */
export function chartArtifact(options: {
  metadata: ChartMetadata;
  archive: Buffer;
  prov?: Buffer;
  created: string;
}): ChartArtifact {
  const config = chartConfigJson(options.metadata);
  const configDescriptor = descriptorOf(CONFIG_MEDIA_TYPE, config);
  const layers = [{ descriptor: descriptorOf(CHART_LAYER_MEDIA_TYPE, options.archive), data: options.archive }];
  if (options.prov) layers.push({ descriptor: descriptorOf(PROV_LAYER_MEDIA_TYPE, options.prov), data: options.prov });
  // Helm sorts the layers by digest (as ORAS v1 did), for determinism.
  layers.sort((a, b) => (a.descriptor.digest < b.descriptor.digest ? -1 : 1));
  const manifest = Buffer.from(
    goJson({
      schemaVersion: 2,
      config: configDescriptor,
      layers: layers.map((l) => l.descriptor),
      annotations: chartAnnotations(options.metadata, options.created),
    }),
  );
  return {
    manifest,
    manifestDigest: sha256Digest(manifest),
    config,
    blobs: [{ descriptor: configDescriptor, data: config }, ...layers],
  };
}

export interface ChartManifest {
  config: Descriptor;
  chart: Descriptor;
  prov?: Descriptor;
  /** The chart layer has the pre-3.8 media type (helm warns that it is deprecated). */
  legacyLayer: boolean;
  annotations: Record<string, string>;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

function readDescriptor(value: unknown, where: string, fail: (why: string) => never): Descriptor {
  if (value === null || typeof value !== 'object') fail(`${where} is not a descriptor`);
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string') fail(`${where} has no mediaType`);
  if (typeof d.digest !== 'string' || !DIGEST.test(d.digest))
    fail(`${where} has the digest ${JSON.stringify(d.digest)}, not sha256: and 64 hex digits`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0)
    fail(`${where} has the size ${JSON.stringify(d.size)}`);
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

/**
 * Reads a manifest as Helm's pull does: an OCI image manifest whose config is a Helm chart config, with a chart
 * layer, and the declared sizes within the limits (checked before any blob is downloaded). `ref` names the chart
 * in messages.
 */
export function parseChartManifest(
  data: Buffer,
  contentType: string | undefined,
  ref: string,
  limits: SizeLimits = DEFAULT_LIMITS,
): ChartManifest {
  const fail = (why: string): never => {
    throw new PortolanError('REPO', `${ref}: ${why}`, {
      hint: 'The registry does not hold a Helm chart at this reference (or holds a damaged one).',
    });
  };
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch {
    fail('the manifest is not JSON');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail('the manifest is not a JSON object');
  const manifest = doc as Record<string, unknown>;
  const mediaType =
    typeof manifest.mediaType === 'string' ? manifest.mediaType : contentType?.split(';')[0]?.trim() || undefined;
  if (mediaType === INDEX_MEDIA_TYPE || Array.isArray(manifest.manifests))
    fail('the reference is an image index (several manifests), not a chart');
  if (mediaType !== undefined && mediaType !== MANIFEST_MEDIA_TYPE)
    fail(`the manifest has the media type ${mediaType}, not ${MANIFEST_MEDIA_TYPE}`);
  if (manifest.schemaVersion !== 2) fail(`the manifest has schemaVersion ${JSON.stringify(manifest.schemaVersion)}`);
  const config = readDescriptor(manifest.config, 'the config', fail);
  if (config.mediaType !== CONFIG_MEDIA_TYPE)
    fail(`the config has the media type ${config.mediaType}, not ${CONFIG_MEDIA_TYPE}: it is not a Helm chart`);
  if (!Array.isArray(manifest.layers)) fail('the manifest has no layers');
  let chart: Descriptor | undefined;
  let prov: Descriptor | undefined;
  let legacyLayer = false;
  (manifest.layers as unknown[]).forEach((value, i) => {
    const layer = readDescriptor(value, `layer ${i}`, fail);
    if (layer.mediaType === CHART_LAYER_MEDIA_TYPE) chart = layer;
    else if (layer.mediaType === LEGACY_CHART_LAYER_MEDIA_TYPE) {
      chart = layer;
      legacyLayer = true;
    } else if (layer.mediaType === PROV_LAYER_MEDIA_TYPE) prov = layer;
  });
  if (!chart) fail(`the manifest has no layer with the media type ${CHART_LAYER_MEDIA_TYPE}`);
  const found = chart as Descriptor;
  const tooLarge = (what: string, d: Descriptor, limit: number) => {
    if (d.size > limit)
      fail(`the manifest declares a ${what} of ${d.size} bytes, over the limit of ${limit}; refusing to download it`);
  };
  tooLarge('config', config, limits.config);
  tooLarge('chart layer', found, limits.chart);
  if (prov) tooLarge('provenance layer', prov, limits.prov);
  const annotations: Record<string, string> = {};
  if (manifest.annotations && typeof manifest.annotations === 'object') {
    for (const [k, v] of Object.entries(manifest.annotations)) if (typeof v === 'string') annotations[k] = v;
  }
  return { config, chart: found, ...(prov ? { prov } : {}), legacyLayer, annotations };
}
