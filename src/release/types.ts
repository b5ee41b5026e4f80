// The release model: one record per revision of a release, as stored in the cluster (schemas/release.schema.json).
import type { ChartMetadata, Values } from '../chart/types.js';

export type ReleaseStatus =
  | 'deployed'
  | 'superseded'
  | 'failed'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback'
  | 'uninstalling'
  | 'uninstalled'
  | 'unknown';

export const RELEASE_STATUSES: readonly ReleaseStatus[] = [
  'deployed',
  'superseded',
  'failed',
  'pending-install',
  'pending-upgrade',
  'pending-rollback',
  'uninstalling',
  'uninstalled',
  'unknown',
];

/** Statuses an operation sets while it runs; seen without a live lock they mean that operation died. */
export function isInProgress(status: ReleaseStatus): boolean {
  return (
    status === 'pending-install' ||
    status === 'pending-upgrade' ||
    status === 'pending-rollback' ||
    status === 'uninstalling'
  );
}

export type HookPhase = 'Unknown' | 'Running' | 'Succeeded' | 'Failed';

export interface HookRecord {
  name: string;
  kind: string;
  /** The template that rendered it, e.g. `webapp/templates/migrate-job.yaml`. */
  path: string;
  manifest: string;
  events: string[];
  weight: number;
  deletePolicies: string[];
  lastRun?: { startedAt: string; completedAt?: string; phase: HookPhase };
}

/** One revision of a release. Times are ISO 8601 (UTC). */
export interface ReleaseRecord {
  name: string;
  namespace: string;
  revision: number;
  status: ReleaseStatus;
  description: string;
  firstDeployed: string;
  lastDeployed: string;
  /** Set when the release was uninstalled with --keep-history. */
  deleted?: string;
  chart: { metadata: ChartMetadata };
  /** The values the user supplied (what --reuse-values reuses). */
  config: Values;
  /** Chart defaults coalesced with `config`: what the templates saw (`get values --all`). */
  values: Values;
  /** The applied objects, as `helm get manifest` prints them (`---`, `# Source:`, document). */
  manifest: string;
  hooks: HookRecord[];
  notes: string;
}
