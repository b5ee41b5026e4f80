// Pulling and pushing Helm charts in OCI registries, as helm does: the version from the reference's tag or
// --version (a range is resolved against the repository's tags with Helm's semver rules), the manifest and each
// blob verified, and push writing the same bytes helm push writes for the same archive.
import { readFile } from 'node:fs/promises';
import { PortolanError } from '../errors.js';
import type { ChartMetadata } from '../chart/types.js';
import { allows, compareVersions, parseConstraint, tryParseVersion } from '../chart/version-range.js';
import { RegistryClient } from './client.js';
import { findCredential, type RegistryPaths } from './credentials.js';
import { DEFAULT_LIMITS, MANIFEST_MEDIA_TYPE, chartArtifact, parseChartManifest, type SizeLimits } from './manifest.js';
import {
  type OciReference,
  childReference,
  formatOciReference,
  ociUrl,
  parseOciReference,
  tagForVersion,
  versionForTag,
} from './reference.js';

export interface ConnectionOptions {
  plainHttp?: boolean;
  insecure?: boolean;
  caFile?: string;
  /** Explicit credentials (--username/--password); otherwise the stored login, if any. */
  username?: string;
  password?: string;
  timeoutMs?: number;
}

/** A client for the registry of `ref`, with the stored login (or the given credentials) and TLS settings. */
export async function connect(
  ref: OciReference,
  paths: RegistryPaths,
  options: ConnectionOptions,
  refText = ociUrl(ref),
): Promise<RegistryClient> {
  let ca: Buffer | undefined;
  if (options.caFile !== undefined) {
    ca = await readFile(options.caFile).catch(() => {
      throw new PortolanError('IO', `cannot read the CA file ${options.caFile}`, {
        file: options.caFile,
        flag: '--ca-file',
      });
    });
  }
  const credential =
    options.username !== undefined || options.password !== undefined
      ? { username: options.username ?? '', password: options.password ?? '' }
      : await findCredential(paths, ref.registry);
  return new RegistryClient({
    registry: ref.registry,
    plainHttp: options.plainHttp,
    insecure: options.insecure,
    ca,
    credential,
    ref: refText,
    timeoutMs: options.timeoutMs,
  });
}

/**
 * Helm's GetTagMatchingVersionOrConstraint over the tags read as versions (`_` → `+`, strict semver only, newest
 * first): a tag equal to the version wins, else the newest the constraint allows (`*` when none is given).
 */
export function selectTag(tags: string[], wanted: string | undefined, ref: string): string {
  const versions = tags
    .map((tag) => ({ text: versionForTag(tag), parsed: tryParseVersion(versionForTag(tag)) }))
    .filter((v): v is { text: string; parsed: NonNullable<typeof v.parsed> } =>
      Boolean(v.parsed && /^\d+\.\d+\.\d+(?:[-+].*)?$/.test(v.text)),
    )
    .sort((a, b) => compareVersions(b.parsed, a.parsed));
  if (versions.length === 0) {
    throw new PortolanError('NOT_FOUND', `${ref}: the repository has no tags that are chart versions`, {
      hint: 'Check the reference: it names the chart (oci://HOST/PATH/NAME), and a chart must have been pushed there.',
    });
  }
  const range = wanted === undefined || wanted.trim() === '' ? '*' : wanted.trim();
  if (range !== '*') {
    const exact = versions.find((v) => v.text === range);
    if (exact) return tagForVersion(exact.text);
  }
  let constraint;
  try {
    constraint = parseConstraint(range);
  } catch (error) {
    throw new PortolanError('USAGE', `--version "${range}" is not a version or range: ${(error as Error).message}`, {
      flag: '--version',
    });
  }
  const found = versions.find((v) => allows(constraint, v.parsed));
  if (!found) {
    throw new PortolanError('NOT_FOUND', `${ref}: no version matches "${range}"`, {
      hint: `Versions there: ${versions
        .slice(0, 8)
        .map((v) => v.text)
        .join(', ')}${versions.length > 8 ? ', …' : ''}`,
    });
  }
  return tagForVersion(found.text);
}

export interface PulledChart {
  /** The chart archive, verified. */
  data: Buffer;
  prov?: Buffer;
  /** `host/path/name:tag` as helm prints it after `Pulled:`. */
  ref: string;
  manifestDigest: string;
  /** The archive layer's digest. */
  chartDigest: string;
  name: string;
  version: string;
  fileName: string;
  warnings: string[];
}

export interface PullOptions extends ConnectionOptions {
  /** A version or a Helm range (--version). */
  version?: string;
  /** Let a missing range match prereleases (--devel), as helm makes it `>0.0.0-0`. */
  devel?: boolean;
  withProv?: boolean;
  limits?: SizeLimits;
}

/** Whether `text` is one exact version (Masterminds' NewVersion), not a range. */
function isExactVersion(text: string): boolean {
  return tryParseVersion(text) !== undefined;
}

/** Resolves the reference's tag (or digest) from --version and the tag list, as helm's ValidateReference. */
export async function resolveReference(
  client: RegistryClient,
  ref: OciReference,
  options: { version?: string; devel?: boolean },
): Promise<OciReference> {
  let version = options.version === undefined || options.version === '' ? undefined : options.version;
  const refText = ociUrl(ref);
  if (version !== undefined && ref.tag !== undefined && tagForVersion(version) !== ref.tag) {
    throw new PortolanError('USAGE', `${refText}: the reference's tag ${ref.tag} and --version ${version} differ`, {
      flag: '--version',
      hint: 'Give the version once: in the reference (:1.2.3) or with --version.',
    });
  }
  if (ref.digest !== undefined) return ref;
  if (ref.tag !== undefined) return ref;
  if (version === undefined && options.devel) version = '>0.0.0-0';
  if (version !== undefined && isExactVersion(version)) return { ...ref, tag: tagForVersion(version) };
  const tags = await client.listTags(ref.repository);
  return { ...ref, tag: selectTag(tags, version, refText) };
}

/** Pulls a chart: resolves the version, reads and checks the manifest, downloads the verified layers. */
export async function pullChart(
  refText: string,
  paths: RegistryPaths,
  options: PullOptions = {},
): Promise<PulledChart> {
  const given = parseOciReference(refText);
  const client = await connect(given, paths, options);
  try {
    const ref = await resolveReference(client, given, options);
    const shown = formatOciReference(ref);
    client.ref = `oci://${shown}`;
    const limits = options.limits ?? DEFAULT_LIMITS;
    const reference = ref.digest ?? (ref.tag as string);
    const manifestAnswer = await client.getManifest(ref.repository, reference, limits.manifest);
    const manifest = parseChartManifest(manifestAnswer.data, manifestAnswer.contentType, `oci://${shown}`, limits);
    const configData = await client.getBlob(ref.repository, manifest.config, paths.cache);
    let config: Partial<ChartMetadata>;
    try {
      config = JSON.parse(configData.toString('utf8')) as Partial<ChartMetadata>;
    } catch {
      throw new PortolanError('REPO', `oci://${shown}: the chart config is not JSON`);
    }
    if (typeof config.name !== 'string' || typeof config.version !== 'string')
      throw new PortolanError('REPO', `oci://${shown}: the chart config names no chart name and version`);
    const data = await client.getBlob(ref.repository, manifest.chart, paths.cache);
    const prov =
      options.withProv && manifest.prov ? await client.getBlob(ref.repository, manifest.prov, paths.cache) : undefined;
    const warnings: string[] = [];
    if (manifest.legacyLayer)
      warnings.push(
        `chart media type ${'application/tar+gzip'} is deprecated (oci://${shown} was pushed before Helm 3.8)`,
      );
    if (options.withProv && !manifest.prov) warnings.push(`oci://${shown} has no provenance layer`);
    return {
      data,
      ...(prov ? { prov } : {}),
      ref: shown,
      manifestDigest: manifestAnswer.digest,
      chartDigest: manifest.chart.digest,
      name: config.name,
      version: config.version,
      fileName: `${config.name}-${config.version}.tgz`,
      warnings,
    };
  } finally {
    client.close();
  }
}

export interface PushResult {
  ref: string;
  manifestDigest: string;
  chartDigest: string;
}

/**
 * Pushes an archive (and its provenance) under `target/NAME:VERSION`, as helm push: the blobs the registry lacks,
 * then the manifest. `created` is the archive's modification time, as helm records it.
 */
export async function pushChart(
  archive: Buffer,
  metadata: ChartMetadata,
  targetText: string,
  paths: RegistryPaths,
  options: ConnectionOptions & { prov?: Buffer; created: string },
): Promise<PushResult> {
  const target = parseOciReference(targetText, { allowBare: true });
  if (target.tag !== undefined || target.digest !== undefined) {
    throw new PortolanError('USAGE', `${targetText}: give the repository to push into, without a tag or digest`, {
      hint: `The chart goes to ${targetText.replace(/[:@][^/]*$/, '')}/${metadata.name}:${tagForVersion(metadata.version)}.`,
    });
  }
  const ref = childReference(target, metadata.name, tagForVersion(metadata.version));
  const client = await connect(ref, paths, options);
  try {
    const artifact = chartArtifact({ metadata, archive, prov: options.prov, created: options.created });
    for (const blob of artifact.blobs) await client.pushBlob(ref.repository, blob.descriptor, blob.data);
    const answered = await client.pushManifest(
      ref.repository,
      ref.tag as string,
      artifact.manifest,
      MANIFEST_MEDIA_TYPE,
    );
    if (answered !== undefined && answered !== artifact.manifestDigest) {
      throw new PortolanError(
        'REPO',
        `${ociUrl(ref)}: the registry stored the manifest as ${answered}, not ${artifact.manifestDigest}`,
      );
    }
    const chart = artifact.blobs.find((b) => b.data === archive);
    return {
      ref: formatOciReference(ref),
      manifestDigest: artifact.manifestDigest,
      chartDigest: chart?.descriptor.digest ?? '',
    };
  } finally {
    client.close();
  }
}
