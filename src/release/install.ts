// install NAME CHART: render revision 1 (or the next after an uninstall that kept history), apply crds/ (install
// only, skipped when present), create the namespace if asked, check ownership, write the pending-install record,
// run the hooks around applying the objects, wait, and mark the revision deployed.
import yaml from 'js-yaml';
import type { ClusterClient, KubeObject } from '../cluster/index.js';
import type { Chart } from '../chart/types.js';
import { PortolanError, isPortolanError, messageOf } from '../errors.js';
import { HELM_YAML_SCHEMA, type SourcedValues } from '../values/index.js';
import { setOptions, type ActionConfig } from './config.js';
import { checkObject, deleteInReverseOrder } from './objects.js';
import {
  DEFAULT_TIMEOUT_MS,
  capabilitiesOf,
  deploy,
  emit,
  failureText,
  now,
  objectsOf,
  preflight,
  prefetchCapabilities,
  renderedObjects,
  recordFailure,
  recordFrom,
  recoverInterrupted,
  render,
  requireCluster,
  warn,
  withLock,
  type Capabilities,
  type DeployOptions,
  type DeployState,
  type RenderInput,
  type RunMode,
} from './operation.js';
import { checkReleaseName } from './record.js';
import type { ReleaseRecord } from './types.js';

export type DryRun = 'none' | 'client' | 'server';

export interface InstallResult {
  release: ReleaseRecord;
  warnings: string[];
}

/** How an install is configured, one field per flag (Helm's action.Install); every field has a default. */
export interface InstallOptions {
  releaseName: string;
  /** Name the release `<chart>-<unix seconds>` (`-g`). */
  generateName: boolean;
  createNamespace: boolean;
  wait: boolean;
  waitForJobs: boolean;
  timeoutMs: number;
  /** On failure, uninstall what was installed (Helm's --atomic). */
  rollbackOnFailure: boolean;
  dryRun: DryRun;
  noHooks: boolean;
  skipCrds: boolean;
  description?: string;
  takeOwnership: boolean;
  forceConflicts: boolean;
  skipSchemaValidation: boolean;
  /** Revisions to keep when installing over a history kept by `uninstall --keep-history` (0 = all). */
  historyMax: number;
}

export class Install implements InstallOptions {
  releaseName = '';
  generateName = false;
  createNamespace = false;
  wait = false;
  waitForJobs = false;
  timeoutMs = DEFAULT_TIMEOUT_MS;
  rollbackOnFailure = false;
  dryRun: DryRun = 'none';
  noHooks = false;
  skipCrds = false;
  description?: string;
  takeOwnership = false;
  forceConflicts = false;
  skipSchemaValidation = false;
  historyMax = 10;

  constructor(
    private readonly cfg: ActionConfig,
    options: Partial<InstallOptions> = {},
  ) {
    setOptions<InstallOptions>(this, options);
  }

  async run(chart: Chart, values: SourcedValues): Promise<InstallResult> {
    if (this.generateName)
      this.releaseName = `${chart.metadata.name}-${Math.floor((this.cfg.now?.() ?? new Date()).getTime() / 1000)}`;
    checkReleaseName(this.releaseName);
    if (this.dryRun === 'client') return this.dryRunClient(chart, values);
    requireCluster(this.cfg);
    if (this.dryRun === 'server') {
      const history = await this.cfg.storage.history(this.releaseName);
      this.checkNameFree(history);
      return this.perform({ dryRun: true }, history, chart, values);
    }
    const capabilities = prefetchCapabilities(this.cfg.cluster);
    if (this.createNamespace) await ensureNamespace(requireCluster(this.cfg), this.cfg.namespace);
    return withLock(this.cfg, this.releaseName, 'install', async (lock) => {
      const history = await recoverInterrupted(
        this.cfg,
        await this.cfg.storage.history(this.releaseName),
        lock,
        'install',
      );
      this.checkNameFree(history);
      return this.perform({ dryRun: false, lock }, history, chart, values, capabilities);
    });
  }

  private checkNameFree(history: ReleaseRecord[]): void {
    const last = history[history.length - 1];
    if (last && last.status !== 'uninstalled') {
      throw new PortolanError(
        'RELEASE',
        `cannot install "${this.releaseName}": a release of that name exists in namespace "${this.cfg.namespace}" (revision ${last.revision}, ${last.status})`,
        {
          hint: `Upgrade it with \`portolan upgrade ${this.releaseName} CHART\`, or uninstall it first.`,
        },
      );
    }
  }

  private async dryRunClient(chart: Chart, values: SourcedValues): Promise<InstallResult> {
    const input = this.renderInput(chart, values, 1, undefined);
    const warnings: string[] = [];
    const result = render(input);
    warnings.push(...result.warnings);
    const at = now(this.cfg);
    const record = recordFrom(
      result,
      input,
      { status: 'pending-install', description: 'Dry run complete', firstDeployed: at, lastDeployed: at },
      warnings,
    );
    this.cfg.storage.prepare(record);
    // Without a cluster every object counts as namespaced; still catch objects without kind or name.
    await renderedObjects(undefined, result, record);
    return { release: record, warnings };
  }

  private renderInput(
    chart: Chart,
    values: SourcedValues,
    revision: number,
    capabilities: Capabilities | undefined,
  ): RenderInput {
    return {
      chart,
      values,
      name: this.releaseName,
      namespace: this.cfg.namespace,
      revision,
      isUpgrade: false,
      capabilities,
      skipSchemaValidation: this.skipSchemaValidation,
    };
  }

  /** The install proper, for real under a lock or as a server dry run. Also used by `upgrade --install`. */
  async perform(
    mode: RunMode,
    history: ReleaseRecord[],
    chart: Chart,
    values: SourcedValues,
    prefetched?: Promise<Capabilities | undefined>,
  ): Promise<InstallResult> {
    const cfg = this.cfg;
    const cluster = requireCluster(cfg);
    const revision = (history[history.length - 1]?.revision ?? 0) + 1;
    const warnings: string[] = [];
    let capabilities = await (prefetched ?? capabilitiesOf(cluster));
    let input = this.renderInput(chart, values, revision, capabilities);
    let result = render(input);
    const crds = this.skipCrds ? [] : parseCrds(result.crds);
    if (crds.length > 0 && capabilities) {
      // Templates may test Capabilities.APIVersions for the kinds crds/ defines: render again knowing them.
      const extra = crds.flatMap(crdApiVersions).filter((v) => !capabilities!.apiVersions.includes(v));
      if (extra.length > 0) {
        capabilities = { ...capabilities, apiVersions: [...capabilities.apiVersions, ...extra] };
        input = this.renderInput(chart, values, revision, capabilities);
        result = render(input);
      }
    }
    warnings.push(...result.warnings);
    const at = now(cfg);
    const record = recordFrom(
      result,
      input,
      { status: 'pending-install', description: 'Initial install underway', firstDeployed: at, lastDeployed: at },
      warnings,
    );
    cfg.storage.prepare(record);

    if (mode.dryRun) {
      const objects = await renderedObjects(cluster, result, record);
      const state: DeployState = { created: [], pruned: [], kept: [] };
      const existing = await preflight(cfg, record, objects, [], this.takeOwnership);
      await deploy(cfg, mode, record, objects, [], existing, this.deployOptions(), state);
      record.description = 'Dry run complete';
      return { release: record, warnings };
    }
    const held = mode.lock;
    if (crds.length > 0) await installCrds(cfg, cluster, crds, this.timeoutMs);
    const objects = await renderedObjects(cluster, result, record);
    const existing = await preflight(cfg, record, objects, [], this.takeOwnership);
    held.check();
    await cfg.storage.create(record);
    const state: DeployState = { created: [], pruned: [], kept: [] };
    try {
      await deploy(cfg, mode, record, objects, [], existing, this.deployOptions(), state);
    } catch (err) {
      return this.fail(record, state, err);
    }
    record.status = 'deployed';
    record.description = this.description ?? 'Install complete';
    await cfg.storage.update(record);
    if (revision > 1) await cfg.storage.prune(record.name, this.historyMax);
    return { release: record, warnings };
  }

  private deployOptions(): DeployOptions {
    return {
      event: 'install',
      noHooks: this.noHooks,
      wait: this.wait || this.rollbackOnFailure,
      waitForJobs: this.waitForJobs,
      timeoutMs: this.timeoutMs,
      forceConflicts: this.forceConflicts,
    };
  }

  private async fail(record: ReleaseRecord, state: DeployState, err: unknown): Promise<never> {
    const cfg = this.cfg;
    record.status = 'failed';
    record.description = `Release "${record.name}" failed: ${failureText(err)}`;
    await recordFailure(cfg, record, err);
    if (!this.rollbackOnFailure) throw err;
    emit(cfg, `install failed; uninstalling "${record.name}" (--rollback-on-failure)`);
    try {
      const objects = await objectsOf(cfg.cluster, record);
      await deleteInReverseOrder(requireCluster(cfg), objects);
      for (const r of await cfg.storage.history(record.name)) await cfg.storage.delete(r);
    } catch (cleanupError) {
      warn(cfg, `could not uninstall after the failed install: ${messageOf(cleanupError)}`);
    }
    const e = isPortolanError(err) ? err : undefined;
    throw new PortolanError(
      e?.code ?? 'RELEASE',
      `install of "${record.name}" failed and was rolled back (uninstalled): ${messageOf(err)}`,
      { problems: e?.problems, hint: e?.hint, notes: e?.notes, cause: err },
    );
  }
}

/** crds/ files as objects (several documents per file allowed). */
export function parseCrds(
  files: Array<{ source: string; text: string }>,
): Array<{ source: string; object: KubeObject }> {
  const out: Array<{ source: string; object: KubeObject }> = [];
  for (const file of files) {
    let docs: unknown[];
    try {
      docs = yaml.loadAll(file.text, undefined, { schema: HELM_YAML_SCHEMA, filename: file.source, json: true });
    } catch (err) {
      throw new PortolanError('MANIFEST_INVALID', `${file.source}: ${messageOf(err)}`, { file: file.source });
    }
    for (const doc of docs)
      if (doc !== null && doc !== undefined) out.push({ source: file.source, object: checkObject(doc, file.source) });
  }
  return out;
}

function crdApiVersions(crd: { object: KubeObject }): string[] {
  const spec = (crd.object.spec ?? {}) as {
    group?: string;
    names?: { kind?: string };
    versions?: Array<{ name?: string; served?: boolean }>;
  };
  if (crd.object.kind !== 'CustomResourceDefinition' || !spec.group) return [];
  return (spec.versions ?? [])
    .filter((v) => v.name && v.served !== false)
    .flatMap((v) => [
      `${spec.group}/${v.name}`,
      ...(spec.names?.kind ? [`${spec.group}/${v.name}/${spec.names.kind}`] : []),
    ]);
}

/**
 * Creates the CRDs of crds/ that do not exist yet (existing ones are left as they are, as Helm does), then waits for
 * them.
 */
async function installCrds(
  cfg: ActionConfig,
  cluster: ClusterClient,
  crds: Array<{ source: string; object: KubeObject }>,
  timeoutMs: number,
): Promise<void> {
  const created: KubeObject[] = [];
  for (const { source, object } of crds) {
    const live = await cluster.get(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace);
    if (live) continue;
    try {
      created.push(await cluster.apply(object));
    } catch (err) {
      throw new PortolanError(
        'CLUSTER',
        `${source}: cannot create ${object.kind} ${object.metadata.name}: ${messageOf(err)}`,
        { file: source, cause: err },
      );
    }
  }
  if (created.length > 0) {
    emit(cfg, `created ${created.length} custom resource definition${created.length === 1 ? '' : 's'} from crds/`);
    await cluster.waitForReady(
      created
        .filter((c) => c.kind === 'CustomResourceDefinition')
        .map((c) => ({ apiVersion: c.apiVersion, kind: c.kind, metadata: { name: c.metadata.name } })),
      { timeoutMs },
    );
  }
}

export async function ensureNamespace(cluster: ClusterClient, namespace: string): Promise<void> {
  const live = await cluster.get('v1', 'Namespace', namespace);
  if (!live) await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
}
