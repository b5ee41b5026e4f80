// The OCI distribution API over the same folder of archives (`/v2/…`): so one server answers `helm repo add`,
// `helm pull oci://` and `helm push`. Every archive is a chart artifact: its manifest is the one helm push writes
// for that file (config from Chart.yaml, created = the archive's mtime), unless the chart was pushed here, in which
// case the pushed manifest is kept (in `.oci/manifests/`) and served as long as it names the archive on disk.
// Pushed blobs wait in `.oci/uploads/` until their digest is checked, then live in `.oci/blobs/`; a pushed
// manifest's chart layer is stored as `<name>-<version>.tgz` through the store, so it appears in index.yaml too.
// A repository path is `[PREFIX/]NAME`: the last component is the chart's name.
import { createHash, randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../../errors.js';
import { metadataFromArchive, writeFileAtomic } from '../index-dir.js';
import {
  DEFAULT_LIMITS,
  MANIFEST_MEDIA_TYPE,
  chartArtifact,
  parseChartManifest,
  rfc3339Local,
  type ChartArtifact,
} from '../../oci/manifest.js';
import { tagForVersion, versionForTag } from '../../oci/reference.js';
import { BodyTooLarge, type RepoRequest, type RepoResponse } from './http.js';
import type { RepoStore } from './store.js';
import { UploadRejected } from './store.js';

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

/** The distribution spec's error body. */
function ociError(status: number, code: string, message: string, headers: Record<string, string> = {}): RepoResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: `${JSON.stringify({ errors: [{ code, message }] })}\n`,
  };
}

function ociJson(value: unknown): RepoResponse {
  const body = Buffer.from(`${JSON.stringify(value)}\n`);
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length },
    body,
  };
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export class OciStore {
  private readonly root: string;
  /** Artifacts made from archives, by archive digest and mtime (the created annotation is the mtime). */
  private readonly artifacts = new Map<string, ChartArtifact>();

  constructor(
    private readonly dir: string,
    private readonly store: RepoStore,
  ) {
    this.root = join(dir, '.oci');
  }

  /** Removes unfinished uploads (a restart forgets their sessions). */
  async open(): Promise<void> {
    await rm(join(this.root, 'uploads'), { recursive: true, force: true });
  }

  private chartName(repository: string): string {
    return repository.split('/').pop() ?? '';
  }

  private manifestPath(name: string, tag: string): string {
    return join(this.root, 'manifests', name, `${tag}.json`);
  }

  private blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  /** The archive of NAME at a version, with what the manifest needs. */
  private async archiveOf(name: string, version: string) {
    const entry = this.store.entries(name)?.find((e) => e.version === version);
    const fileName = entry?.urls[0];
    const found = fileName === undefined ? undefined : this.store.archiveFile(fileName);
    return found ? { ...found, fileName: fileName as string } : undefined;
  }

  /** The manifest served for NAME:TAG: the pushed one if it names the archive on disk, else the one helm would push. */
  private async manifestFor(
    name: string,
    tag: string,
  ): Promise<{ data: Buffer; digest: string; artifact?: ChartArtifact } | undefined> {
    const found = await this.archiveOf(name, versionForTag(tag));
    if (!found) return undefined;
    const archiveDigest = `sha256:${found.record.entry.digest ?? ''}`;
    const pushed = await readFile(this.manifestPath(name, tag)).catch(() => undefined);
    if (pushed) {
      try {
        const parsed = parseChartManifest(pushed, MANIFEST_MEDIA_TYPE, name);
        if (parsed.chart.digest === archiveDigest) return { data: pushed, digest: sha256(pushed) };
      } catch {
        // a damaged file: serve the generated manifest
      }
    }
    const key = `${archiveDigest}@${found.record.mtimeMs}`;
    let artifact = this.artifacts.get(key);
    if (!artifact) {
      const archive = await readFile(found.path);
      artifact = chartArtifact({
        metadata: metadataFromArchive(archive, found.fileName),
        archive,
        created: rfc3339Local(new Date(found.record.mtimeMs)),
      });
      if (this.artifacts.size > 1000) this.artifacts.clear();
      this.artifacts.set(key, artifact);
    }
    return { data: artifact.manifest, digest: artifact.manifestDigest, artifact };
  }

  private tags(name: string): string[] {
    return (this.store.entries(name) ?? []).map((e) => tagForVersion(e.version));
  }

  catalog(): RepoResponse {
    return ociJson({ repositories: Object.keys(this.store.currentIndex().entries).sort() });
  }

  tagList(repository: string): RepoResponse {
    const tags = this.tags(this.chartName(repository)).sort();
    if (tags.length === 0) return ociError(404, 'NAME_UNKNOWN', `repository ${repository} is not known`);
    return ociJson({ name: repository, tags });
  }

  async getManifest(repository: string, reference: string): Promise<RepoResponse> {
    const name = this.chartName(repository);
    let found: { data: Buffer; digest: string } | undefined;
    if (DIGEST.test(reference)) {
      for (const tag of this.tags(name)) {
        const candidate = await this.manifestFor(name, tag);
        if (candidate?.digest === reference) found = candidate;
      }
    } else found = await this.manifestFor(name, reference);
    if (!found) return ociError(404, 'MANIFEST_UNKNOWN', `manifest ${repository}:${reference} is not known`);
    return {
      status: 200,
      headers: {
        'Content-Type': MANIFEST_MEDIA_TYPE,
        'Content-Length': found.data.length,
        'Docker-Content-Digest': found.digest,
        ETag: `"${found.digest}"`,
      },
      body: found.data,
    };
  }

  /** Where a blob of the repository is: an archive of one of its versions, a pushed blob, or a generated config. */
  private async findBlob(
    name: string,
    digest: string,
  ): Promise<{ path: string; size: number } | { data: Buffer } | undefined> {
    for (const entry of this.store.entries(name) ?? []) {
      if (`sha256:${entry.digest ?? ''}` === digest) {
        const found = this.store.archiveFile(entry.urls[0] ?? '');
        if (found) return { path: found.path, size: found.record.size };
      }
    }
    const pushed = await stat(this.blobPath(digest)).catch(() => undefined);
    if (pushed?.isFile()) return { path: this.blobPath(digest), size: pushed.size };
    for (const tag of this.tags(name)) {
      const blob = (await this.manifestFor(name, tag))?.artifact?.blobs.find((b) => b.descriptor.digest === digest);
      if (blob) return { data: blob.data };
    }
    return undefined;
  }

  async getBlob(repository: string, digest: string): Promise<RepoResponse> {
    if (!DIGEST.test(digest)) return ociError(400, 'DIGEST_INVALID', `"${digest}" is not a sha256 digest`);
    const found = await this.findBlob(this.chartName(repository), digest);
    if (!found) return ociError(404, 'BLOB_UNKNOWN', `blob ${digest} is not known in ${repository}`);
    const size = 'data' in found ? found.data.length : found.size;
    const headers = {
      'Content-Type': 'application/octet-stream',
      'Docker-Content-Digest': digest,
      'Content-Length': size,
      ETag: `"${digest}"`,
    };
    return 'data' in found ? { status: 200, headers, body: found.data } : { status: 200, headers, file: found };
  }

  async startUpload(repository: string, request: RepoRequest, limit: number): Promise<RepoResponse> {
    const digest = request.query.get('digest');
    if (digest !== null) return this.finishUpload(repository, undefined, digest, request, limit);
    const id = randomUUID();
    await mkdir(join(this.root, 'uploads'), { recursive: true });
    await writeFile(join(this.root, 'uploads', id), '');
    return {
      status: 202,
      headers: {
        Location: `/v2/${repository}/blobs/uploads/${id}`,
        'Docker-Upload-UUID': id,
        Range: '0-0',
        'Content-Length': 0,
      },
    };
  }

  private uploadPath(id: string): string | undefined {
    return /^[0-9a-f-]{36}$/.test(id) ? join(this.root, 'uploads', id) : undefined;
  }

  async patchUpload(repository: string, id: string, request: RepoRequest, limit: number): Promise<RepoResponse> {
    const path = this.uploadPath(id);
    const current = path ? await stat(path).catch(() => undefined) : undefined;
    if (!path || !current) return ociError(404, 'BLOB_UPLOAD_UNKNOWN', `upload ${id} is not known`);
    let body: Buffer;
    try {
      body = await request.body(Math.max(0, limit - current.size));
    } catch (error) {
      if (error instanceof BodyTooLarge) return ociError(413, 'SIZE_INVALID', `a blob may be ${limit} bytes at most`);
      throw error;
    }
    await appendFile(path, body);
    const size = current.size + body.length;
    return {
      status: 202,
      headers: {
        Location: `/v2/${repository}/blobs/uploads/${id}`,
        'Docker-Upload-UUID': id,
        Range: `0-${Math.max(0, size - 1)}`,
        'Content-Length': 0,
      },
    };
  }

  /** The last part of an upload (or a whole one, with POST ?digest=): checked against the digest, then kept. */
  async finishUpload(
    repository: string,
    id: string | undefined,
    digest: string,
    request: RepoRequest,
    limit: number,
  ): Promise<RepoResponse> {
    if (!DIGEST.test(digest)) return ociError(400, 'DIGEST_INVALID', `"${digest}" is not a sha256 digest`);
    const path = id === undefined ? undefined : this.uploadPath(id);
    if (id !== undefined && (!path || !(await stat(path).catch(() => undefined))))
      return ociError(404, 'BLOB_UPLOAD_UNKNOWN', `upload ${id} is not known`);
    const before = path ? await readFile(path) : Buffer.alloc(0);
    let data: Buffer;
    try {
      data = Buffer.concat([before, await request.body(Math.max(0, limit - before.length))]);
    } catch (error) {
      if (path) await rm(path, { force: true });
      if (error instanceof BodyTooLarge) return ociError(413, 'SIZE_INVALID', `a blob may be ${limit} bytes at most`);
      throw error;
    }
    if (path) await rm(path, { force: true });
    if (sha256(data) !== digest)
      return ociError(400, 'DIGEST_INVALID', `the upload's digest is ${sha256(data)}, not ${digest}`);
    const target = this.blobPath(digest);
    await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true });
    await writeFileAtomic(target, data);
    return {
      status: 201,
      headers: { Location: `/v2/${repository}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 },
    };
  }

  async headBlobExists(repository: string, digest: string): Promise<RepoResponse> {
    return this.getBlob(repository, digest);
  }

  /**
   * A pushed manifest: it must be a Helm chart whose layers were uploaded, named as helm push names it
   * (`…/NAME:VERSION`). The archive goes through the store's upload checks and into the folder and index.yaml.
   */
  async putManifest(
    repository: string,
    reference: string,
    request: RepoRequest,
    allowOverwrite: boolean,
  ): Promise<RepoResponse> {
    const name = this.chartName(repository);
    let data: Buffer;
    try {
      data = await request.body(DEFAULT_LIMITS.manifest);
    } catch (error) {
      if (error instanceof BodyTooLarge) return ociError(413, 'SIZE_INVALID', 'the manifest is over 4 MiB');
      throw error;
    }
    let manifest;
    try {
      manifest = parseChartManifest(data, request.headers['content-type'], `${repository}:${reference}`);
    } catch (error) {
      return ociError(400, 'MANIFEST_INVALID', messageOf(error));
    }
    // Pushed by digest first (as ORAS does), then tagged: the chart's version is its tag either way.
    if (DIGEST.test(reference) && sha256(data) !== reference)
      return ociError(400, 'DIGEST_INVALID', `the manifest's digest is ${sha256(data)}, not ${reference}`);
    const readBlob = async (digest: string) => {
      const found = await this.findBlob(name, digest);
      if (!found) return undefined;
      return 'data' in found ? found.data : readFile(found.path);
    };
    const archive = await readBlob(manifest.chart.digest);
    const config = await readBlob(manifest.config.digest);
    if (!archive || !config)
      return ociError(
        400,
        'MANIFEST_BLOB_UNKNOWN',
        `the manifest names a blob that was not uploaded (${!archive ? manifest.chart.digest : manifest.config.digest})`,
      );
    let metadata;
    try {
      metadata = metadataFromArchive(archive, `${repository}:${reference}`);
    } catch (error) {
      return ociError(400, 'MANIFEST_INVALID', `the chart layer is not a chart archive: ${messageOf(error)}`);
    }
    const tag = tagForVersion(metadata.version);
    if (metadata.name !== name || (tag !== reference && !DIGEST.test(reference))) {
      return ociError(
        400,
        'MANIFEST_INVALID',
        `the chart is ${metadata.name} ${metadata.version}; push it as …/${metadata.name}:${tagForVersion(metadata.version)}`,
      );
    }
    const existing = await this.archiveOf(name, metadata.version);
    if (!existing || `sha256:${existing.record.entry.digest ?? ''}` !== manifest.chart.digest) {
      try {
        await this.store.save(archive, {
          force: allowOverwrite,
          allowOverwrite,
          fileName: `${name}-${metadata.version}.tgz`,
        });
      } catch (error) {
        if (error instanceof UploadRejected)
          return ociError(
            error.status === 409 ? 409 : 400,
            error.status === 409 ? 'DENIED' : 'MANIFEST_INVALID',
            error.message,
          );
        throw error;
      }
    }
    await mkdir(join(this.root, 'manifests', name), { recursive: true });
    await writeFileAtomic(this.manifestPath(name, tag), data);
    // The archive now lives in the folder; the uploaded copy is not needed.
    await rm(this.blobPath(manifest.chart.digest), { force: true });
    const digest = sha256(data);
    return {
      status: 201,
      headers: {
        Location: `/v2/${repository}/manifests/${digest}`,
        'Docker-Content-Digest': digest,
        'Content-Length': 0,
      },
    };
  }
}

export type OciRouteKind =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'tags'; repository: string }
  | { kind: 'manifest'; repository: string; reference: string }
  | { kind: 'blob'; repository: string; digest: string }
  | { kind: 'uploads'; repository: string }
  | { kind: 'upload'; repository: string; id: string };

/** Reads a /v2/ path (already split into decoded segments, `v2` first); undefined when it is none of the API's. */
export function parseOciPath(segments: string[]): OciRouteKind | undefined {
  const rest = segments.slice(1);
  if (rest.length === 0) return { kind: 'base' };
  if (rest.length === 1 && rest[0] === '_catalog') return { kind: 'catalog' };
  const validName = (parts: string[]) => parts.length > 0 && parts.every((p) => COMPONENT.test(p));
  const n = rest.length;
  if (n >= 3 && rest[n - 2] === 'tags' && rest[n - 1] === 'list' && validName(rest.slice(0, n - 2)))
    return { kind: 'tags', repository: rest.slice(0, n - 2).join('/') };
  if (n >= 3 && rest[n - 2] === 'manifests' && validName(rest.slice(0, n - 2)))
    return { kind: 'manifest', repository: rest.slice(0, n - 2).join('/'), reference: rest[n - 1] as string };
  if (n >= 3 && rest[n - 2] === 'uploads' && rest[n - 3] === 'blobs' && validName(rest.slice(0, n - 3)))
    return { kind: 'upload', repository: rest.slice(0, n - 3).join('/'), id: rest[n - 1] as string };
  if (n >= 3 && rest[n - 1] === 'uploads' && rest[n - 2] === 'blobs' && validName(rest.slice(0, n - 2)))
    return { kind: 'uploads', repository: rest.slice(0, n - 2).join('/') };
  if (n >= 3 && rest[n - 2] === 'blobs' && validName(rest.slice(0, n - 2)))
    return { kind: 'blob', repository: rest.slice(0, n - 2).join('/'), digest: rest[n - 1] as string };
  return undefined;
}

export { ociError };
