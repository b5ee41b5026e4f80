// Records as Kubernetes objects: one Secret (type portolan.dev/release.v1; the default) or ConfigMap per revision,
// labelled owner=portolan,name,status,version, data.release = base64(gzip(JSON)). Only objects with
// owner=portolan are read; each is decoded and checked against the record schema.
import type { ClusterClient, KubeObject } from '../../cluster/index.js';
import { PortolanError } from '../../errors.js';
import { decodeRecord } from '../record.js';
import type { ReleaseRecord } from '../types.js';
import { recordLabels, type ReleaseDriver } from './driver.js';

export const SECRET_TYPE = 'portolan.dev/release.v1';

abstract class KubeDriver implements ReleaseDriver {
  abstract readonly name: 'secret' | 'configmap';
  protected abstract readonly kind: 'Secret' | 'ConfigMap';

  constructor(
    protected readonly client: ClusterClient,
    readonly namespace: string | undefined,
  ) {}

  protected abstract toObject(key: string, record: ReleaseRecord, encoded: string): KubeObject;
  protected abstract payload(obj: KubeObject): string | undefined;

  private decode(obj: KubeObject): Promise<ReleaseRecord> {
    const where = `${this.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const data = this.payload(obj);
    if (data === undefined)
      throw new PortolanError('RELEASE', `${where} is labelled owner=portolan but has no data.release`, {
        hint: 'Delete it if it is not a portolan release record.',
      });
    return decodeRecord(data, where);
  }

  async get(key: string): Promise<ReleaseRecord | undefined> {
    const obj = await this.client.get('v1', this.kind, key, this.namespaceOrThrow());
    if (!obj || obj.metadata.labels?.owner !== 'portolan') return undefined;
    return this.decode(obj);
  }

  async query(labels: Record<string, string>): Promise<ReleaseRecord[]> {
    const selector = Object.entries({ ...labels, owner: 'portolan' })
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const items = await this.client.list(
      'v1',
      this.kind,
      this.namespace === undefined
        ? { allNamespaces: true, labelSelector: selector }
        : { namespace: this.namespace, labelSelector: selector },
    );
    return Promise.all(items.map((o) => this.decode(o)));
  }

  async create(key: string, record: ReleaseRecord, encoded: string): Promise<void> {
    await this.client.create(this.toObject(key, record, encoded));
  }

  async update(key: string, record: ReleaseRecord, encoded: string): Promise<void> {
    await this.client.replace(this.toObject(key, record, encoded));
  }

  async delete(key: string): Promise<void> {
    await this.client.delete({
      apiVersion: 'v1',
      kind: this.kind,
      metadata: { name: key, namespace: this.namespaceOrThrow() },
    });
  }

  private namespaceOrThrow(): string {
    if (this.namespace === undefined)
      throw new PortolanError('INTERNAL', `a ${this.name} driver for all namespaces can only query`);
    return this.namespace;
  }
}

export class SecretDriver extends KubeDriver {
  readonly name = 'secret' as const;
  protected readonly kind = 'Secret' as const;

  protected toObject(key: string, record: ReleaseRecord, encoded: string): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: key, namespace: record.namespace, labels: recordLabels(record) },
      type: SECRET_TYPE,
      // A Secret's data is base64 of the bytes; the bytes are our base64 text, as Helm does.
      data: { release: Buffer.from(encoded, 'utf8').toString('base64') },
    };
  }

  protected payload(obj: KubeObject): string | undefined {
    const data = (obj.data as Record<string, string> | undefined)?.release;
    return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
  }
}

export class ConfigMapDriver extends KubeDriver {
  readonly name = 'configmap' as const;
  protected readonly kind = 'ConfigMap' as const;

  protected toObject(key: string, record: ReleaseRecord, encoded: string): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: key, namespace: record.namespace, labels: recordLabels(record) },
      data: { release: encoded },
    };
  }

  protected payload(obj: KubeObject): string | undefined {
    return (obj.data as Record<string, string> | undefined)?.release;
  }
}
