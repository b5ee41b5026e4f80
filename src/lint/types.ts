// What lint finds: findings with a severity, the chart-relative file (and line where known) and a message.

export type LintSeverity = 'error' | 'warning' | 'info';

/** Which rule produced a finding; stable, for filtering and for tests. */
export type LintRule =
  | 'chart-yaml'
  | 'values'
  | 'values-schema'
  | 'yaml-1.1'
  | 'duplicate-key'
  | 'templates'
  | 'manifests'
  | 'kubernetes-schema'
  | 'dependencies'
  | 'crds';

export interface LintFinding {
  severity: LintSeverity;
  rule: LintRule;
  /** Chart-relative path (`Chart.yaml`, `templates/x.yaml`), a values file as given with -f, or the chart path. */
  file: string;
  line?: number;
  message: string;
}

export interface LintReport {
  /** The chart as given (folder path or, for subcharts, `parent/charts/name`). */
  chart: string;
  /** Chart.yaml's name, when it could be read. */
  name?: string;
  findings: LintFinding[];
  /** True when there is an error, or a warning and the lint was strict. */
  failed: boolean;
  /** With withSubcharts: the reports of the charts under charts/, depth first. */
  subcharts: LintReport[];
}

export function finding(
  severity: LintSeverity,
  rule: LintRule,
  file: string,
  message: string,
  line?: number,
): LintFinding {
  return line === undefined ? { severity, rule, file, message } : { severity, rule, file, line, message };
}
