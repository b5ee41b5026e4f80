// upgrade NAME CHART: render revision N+1 with the values SEMANTICS.md prescribes (--reset-values,
// --reuse-values, --reset-then-reuse-values, or the previous values when none are given), apply it over the current
// revision, delete what left the chart, and supersede the old revision. On failure the new revision is marked
// failed, and with --rollback-on-failure the previous one is restored with its own timeout.
import type { Chart } from '../chart/types.js';
import { PortolanError, isPortolanError, messageOf } from '../errors.js';
import { mergeMaps, type SourcedValues } from '../values/index.js';
import { setOptions, type ActionConfig } from './config.js';
import { Install, ensureNamespace, type DryRun, type InstallResult } from './install.js';
import type { HeldLock } from './lock.js';
import {
  DEFAULT_TIMEOUT_MS,
  capabilitiesOf,
  cleanupCreated,
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
  supersedeOthers,
  warn,
  withLock,
  type Capabilities,
  type DeployOptions,
  type DeployState,
  type RunMode,
} from './operation.js';
import { checkReleaseName } from './record.js';
import { Rollback } from './rollback.js';
import type { ReleaseRecord } from './types.js';

export interface ValueFlags {
  resetValues?: boolean;
  reuseValues?: boolean;
  resetThenReuseValues?: boolean;
}

/**
 * The chart and user values an upgrade renders with (SEMANTICS.md): --reset-values: new values only;
 * --reuse-values: the previous revision's coalesced values as chart defaults, then the previous user values, then
 * the new ones (Helm's behaviour); --reset-then-reuse-values: new chart defaults ← previous user values ← new
 * values; nothing given: the previous user values.
 */
export function upgradeValues(
  chart: Chart,
  given: SourcedValues,
  current: ReleaseRecord,
  flags: ValueFlags,
): { chart: Chart; values: SourcedValues } {
  const previous = {
    kind: 'tree' as const,
    source: `the values of revision ${current.revision}`,
    values: current.config,
  };
  const over = (): SourcedValues => ({
    values: mergeMaps(current.config, given.values),
    origins: { layers: [previous, ...given.origins.layers] },
  });
  if (flags.resetValues) return { chart, values: given };
  if (flags.reuseValues) return { chart: { ...chart, values: current.values, valuesText: undefined }, values: over() };
  if (flags.resetThenReuseValues) return { chart, values: over() };
  if (given.origins.layers.length === 0)
    return { chart, values: { values: current.config, origins: { layers: [previous] } } };
  return { chart, values: given };
}

export interface UpgradeResult extends InstallResult {
  /** True when `--install` installed it. */
  installed?: boolean;
}

/** How an upgrade is configured, one field per flag (Helm's action.Upgrade); every field has a default. */
export interface UpgradeOptions extends ValueFlags {
  releaseName: string;
  /** Install when the release does not exist (`-i`). */
  install: boolean;
  resetValues: boolean;
  reuseValues: boolean;
  resetThenReuseValues: boolean;
  wait: boolean;
  waitForJobs: boolean;
  timeoutMs: number;
  rollbackOnFailure: boolean;
  /** Timeout of the rollback after a failure (default: timeoutMs), not what the failed attempt left over. */
  rollbackTimeoutMs?: number;
  cleanupOnFail: boolean;
  historyMax: number;
  forceConflicts: boolean;
  takeOwnership: boolean;
  dryRun: DryRun;
  noHooks: boolean;
  description?: string;
  skipSchemaValidation: boolean;
  /** With `--install`: */
  createNamespace: boolean;
  skipCrds: boolean;
}

export class Upgrade implements UpgradeOptions {
  releaseName = '';
  install = false;
  resetValues = false;
  reuseValues = false;
  resetThenReuseValues = false;
  wait = false;
  waitForJobs = false;
  timeoutMs = DEFAULT_TIMEOUT_MS;
  rollbackOnFailure = false;
  rollbackTimeoutMs?: number;
  cleanupOnFail = false;
  historyMax = 10;
  forceConflicts = false;
  takeOwnership = false;
  dryRun: DryRun = 'none';
  noHooks = false;
  description?: string;
  skipSchemaValidation = false;
  createNamespace = false;
  skipCrds = false;

  constructor(
    private readonly cfg: ActionConfig,
    options: Partial<UpgradeOptions> = {},
  ) {
    setOptions<UpgradeOptions>(this, options);
  }

  async run(chart: Chart, values: SourcedValues): Promise<UpgradeResult> {
    checkReleaseName(this.releaseName);
    const cfg = this.cfg;
    requireCluster(cfg);
    if (this.dryRun !== 'none') {
      const history = await cfg.storage.history(this.releaseName);
      if (this.shouldInstall(history)) return { ...(await this.installer().run(chart, values)), installed: true };
      return this.perform({ dryRun: true }, history, chart, values);
    }
    const capabilities = prefetchCapabilities(cfg.cluster);
    if (this.install && this.createNamespace) await ensureNamespace(requireCluster(cfg), cfg.namespace);
    return withLock(cfg, this.releaseName, 'upgrade', async (lock) => {
      const history = await recoverInterrupted(cfg, await cfg.storage.history(this.releaseName), lock, 'upgrade');
      if (this.shouldInstall(history))
        return {
          ...(await this.installer().perform({ dryRun: false, lock }, history, chart, values, capabilities)),
          installed: true,
        };
      return this.perform({ dryRun: false, lock }, history, chart, values, capabilities);
    });
  }

  private shouldInstall(history: ReleaseRecord[]): boolean {
    const last = history[history.length - 1];
    if (last && last.status !== 'uninstalled') return false;
    if (this.install) return true;
    throw new PortolanError(
      'NOT_FOUND',
      last
        ? `release "${this.releaseName}" was uninstalled (history kept); there is nothing to upgrade`
        : `release "${this.releaseName}" not found in namespace "${this.cfg.namespace}"`,
      {
        hint: `Install it with \`portolan install ${this.releaseName} CHART\`, or pass --install to upgrade.`,
      },
    );
  }

  private installer(): Install {
    return new Install(this.cfg, {
      releaseName: this.releaseName,
      createNamespace: false,
      wait: this.wait,
      waitForJobs: this.waitForJobs,
      timeoutMs: this.timeoutMs,
      rollbackOnFailure: this.rollbackOnFailure,
      dryRun: this.dryRun,
      noHooks: this.noHooks,
      skipCrds: this.skipCrds,
      description: this.description,
      takeOwnership: this.takeOwnership,
      forceConflicts: this.forceConflicts,
      skipSchemaValidation: this.skipSchemaValidation,
      historyMax: this.historyMax,
    });
  }

  private async perform(
    mode: RunMode,
    history: ReleaseRecord[],
    chart: Chart,
    given: SourcedValues,
    prefetched?: Promise<Capabilities | undefined>,
  ): Promise<UpgradeResult> {
    const cfg = this.cfg;
    const cluster = requireCluster(cfg);
    const last = history[history.length - 1]!;
    // Helm: the deployed revision, else (no deployed one) the last failed or superseded.
    const current = [...history].reverse().find((r) => r.status === 'deployed') ?? last;
    const revision = last.revision + 1;
    const { chart: effectiveChart, values } = upgradeValues(chart, given, current, this);
    const capabilities = await (prefetched ?? capabilitiesOf(cluster));
    const input = {
      chart: effectiveChart,
      values,
      name: this.releaseName,
      namespace: cfg.namespace,
      revision,
      isUpgrade: true,
      capabilities,
      skipSchemaValidation: this.skipSchemaValidation,
    };
    const result = render(input);
    const warnings = [...result.warnings];
    const record = recordFrom(
      result,
      { ...input, chart },
      {
        status: 'pending-upgrade',
        description: 'Preparing upgrade',
        firstDeployed: current.firstDeployed,
        lastDeployed: now(cfg),
      },
      warnings,
    );
    cfg.storage.prepare(record);
    const objects = await renderedObjects(cluster, result, record);
    const previous = await objectsOf(cluster, current);
    const state: DeployState = { created: [], pruned: [], kept: [] };
    const existing = await preflight(cfg, record, objects, previous, this.takeOwnership);

    if (mode.dryRun) {
      await deploy(cfg, mode, record, objects, previous, existing, this.deployOptions(), state);
      record.description = 'Dry run complete';
      return { release: record, warnings };
    }
    mode.lock.check();
    await cfg.storage.create(record);
    try {
      await deploy(cfg, mode, record, objects, previous, existing, this.deployOptions(), state);
    } catch (err) {
      return this.fail(mode.lock, record, current, state, err);
    }
    record.status = 'deployed';
    record.description = this.description ?? 'Upgrade complete';
    await cfg.storage.update(record);
    await supersedeOthers(cfg, history, record.revision);
    await cfg.storage.prune(record.name, this.historyMax);
    return { release: record, warnings };
  }

  private deployOptions(): DeployOptions {
    return {
      event: 'upgrade',
      noHooks: this.noHooks,
      wait: this.wait || this.rollbackOnFailure,
      waitForJobs: this.waitForJobs,
      timeoutMs: this.timeoutMs,
      forceConflicts: this.forceConflicts,
    };
  }

  private async fail(
    lock: HeldLock,
    record: ReleaseRecord,
    current: ReleaseRecord,
    state: DeployState,
    err: unknown,
  ): Promise<never> {
    const cfg = this.cfg;
    record.status = 'failed';
    record.description = `Upgrade "${record.name}" failed: ${failureText(err)}`;
    await recordFailure(cfg, record, err);
    if (this.cleanupOnFail && !this.rollbackOnFailure) {
      await cleanupCreated(cfg, state).catch((e: unknown) =>
        warn(cfg, `--cleanup-on-fail could not delete everything: ${messageOf(e)}`),
      );
    }
    if (!this.rollbackOnFailure) throw err;
    const timeoutMs = this.rollbackTimeoutMs ?? this.timeoutMs;
    emit(
      cfg,
      `upgrade failed; rolling back to revision ${current.revision} (--rollback-on-failure, timeout ${Math.round(timeoutMs / 1000)}s)`,
    );
    const rollback = new Rollback(cfg, {
      releaseName: record.name,
      revision: current.revision,
      wait: true,
      waitForJobs: this.waitForJobs,
      timeoutMs,
      cleanupOnFail: true,
      noHooks: this.noHooks,
      historyMax: this.historyMax,
      forceConflicts: true,
    });
    const e = isPortolanError(err) ? err : undefined;
    let restored: ReleaseRecord;
    try {
      const history = await cfg.storage.history(record.name);
      restored = await rollback.perform({ dryRun: false, lock }, history);
    } catch (rollbackError) {
      throw new PortolanError(
        e?.code ?? 'RELEASE',
        `upgrade of "${record.name}" failed (${messageOf(err)}), and so did the rollback to revision ${current.revision}: ${messageOf(rollbackError)}`,
        {
          problems: e?.problems,
          hint: 'Check `portolan history` and the objects with kubectl; `portolan rollback` can be run again.',
          notes: e?.notes,
          cause: err,
        },
      );
    }
    throw new PortolanError(
      e?.code ?? 'RELEASE',
      `upgrade of "${record.name}" failed and was rolled back to revision ${current.revision} (now revision ${restored.revision}): ${messageOf(err)}`,
      {
        problems: e?.problems,
        hint: e?.hint,
        notes: e?.notes,
        cause: err,
      },
    );
  }
}
