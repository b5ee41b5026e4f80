// The chart model: what a loaded chart is, whether it came from a folder, an archive or a repository.

/** Any values tree: plain data from YAML/JSON (maps are null-prototype-safe plain objects). */
export type Values = Record<string, unknown>;

export type ChartType = 'application' | 'library';

export interface Maintainer {
  name: string;
  email?: string;
  url?: string;
}

export interface ImportValue {
  child: string;
  parent: string;
}

export interface ChartDependency {
  name: string;
  version?: string;
  repository?: string;
  condition?: string;
  tags?: string[];
  alias?: string;
  'import-values'?: Array<string | ImportValue>;
  enabled?: boolean;
}

/** Chart.yaml, apiVersion v2. */
export interface ChartMetadata {
  apiVersion: string;
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  type?: ChartType;
  kubeVersion?: string;
  home?: string;
  icon?: string;
  sources?: string[];
  keywords?: string[];
  maintainers?: Maintainer[];
  dependencies?: ChartDependency[];
  deprecated?: boolean;
  annotations?: Record<string, string>;
  [extra: string]: unknown;
}

/** One file of a chart; `name` is the slash-separated path relative to the chart root. */
export interface ChartFile {
  name: string;
  data: Buffer;
}

export interface ChartLock {
  generated: string;
  digest: string;
  dependencies: Array<{ name: string; version: string; repository: string }>;
}

export interface Chart {
  metadata: ChartMetadata;
  /** Defaults from values.yaml (empty object when the chart has none). */
  values: Values;
  /** Raw text of values.yaml, kept so origins can name lines and `show values` prints it as written. */
  valuesText?: string;
  /** Parsed values.schema.json, when present. */
  schema?: Record<string, unknown>;
  /** Files under templates/ (names keep the `templates/` prefix). */
  templates: ChartFile[];
  /** Every other file of the chart (README.md, files for Files.get, …), .helmignore applied.
   *  Excludes Chart.yaml, values.yaml, values.schema.json, templates/ and charts/. */
  files: ChartFile[];
  /** Subcharts found under charts/ (folders or archives), loaded. */
  dependencies: Chart[];
  lock?: ChartLock;
  /** Where it was loaded from (folder or archive path), for messages. */
  source?: string;
  /** Raw Chart.yaml text, for `show chart`. */
  chartYamlText?: string;
}
