// Rendering: a prepared chart plus its coalesced values → manifests (sorted by install order, each with its
// `# Source:`), hooks, and NOTES.txt. Every template of the chart and its subcharts renders with its own chart's
// context; partials are shared across the tree. Pure: the loader gives it the chart.
import { PortolanError } from '../errors.js';
import type { Chart, ChartFile, Values } from '../chart/types.js';
import { satisfiesRange } from '../chart/version-range.js';
import { buildCapabilities, buildFiles, chartObject, parseKubeVersion, type ReleaseInfo } from './context.js';
import { RenderSession, detectDialectCached } from './engine.js';
import type { Dialect } from './parse.js';
import { parseRendered, sortByInstallOrder, type RenderedDocument } from './manifests.js';

export {
  formatManifests,
  sortByInstallOrder,
  splitDocuments,
  INSTALL_ORDER,
  HOOK_EVENTS,
  type RenderedDocument,
} from './manifests.js';
export { DEFAULT_KUBE_VERSION, DEFAULT_API_VERSIONS, parseKubeVersion } from './context.js';
export { parseTemplate, detectDialect, type Dialect } from './parse.js';

/**
 * Chart.yaml annotation that `portolan convert` writes on a chart moved to the other dialect: `helm` (a handlebars
 * chart converted from Helm's Go templates) or `portolan` (a Go-template chart converted from handlebars). The chart
 * then renders with the semantics it was written for, whatever its templates' syntax: `helm` means Release.Service
 * "Helm", the .Capabilities.APIVersions that helm template gives, numbers printed as Go prints float64s and Go's
 * builtins (len in bytes); `portolan` means portolan's. Without it, a chart's syntax decides (Go: `helm`).
 */
export const SEMANTICS_ANNOTATION = 'portolan.dev/template-semantics';

export type TemplateSemantics = 'helm' | 'portolan';

/** The semantics a chart's templates render with: its annotation's, else its dialect's. */
export function templateSemantics(chart: Chart, dialect: Dialect): TemplateSemantics {
  const marked = chart.metadata.annotations?.[SEMANTICS_ANNOTATION];
  if (marked === 'helm' || marked === 'portolan') return marked;
  return dialect === 'go' ? 'helm' : 'portolan';
}

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  revision?: number;
  isInstall?: boolean;
  isUpgrade?: boolean;
  /** Capabilities.KubeVersion (default v1.35.0, as helm 4.1's template). */
  kubeVersion?: string;
  /** Extra entries for Capabilities.APIVersions. */
  apiVersions?: string[];
  /** A template that reads a value that is not set fails. */
  strict?: boolean;
  /**
   * Go templates only: Helm's missingkey=error (any missing map key fails, even inside `if`). Defaults to `strict`;
   * lint renders handlebars strictly but Go templates as `helm lint` does, without it.
   */
  goStrict?: boolean;
}

export interface RenderResult {
  /** Objects to apply, sorted by the install order of kinds (stable: template path, then position). */
  manifests: RenderedDocument[];
  /** Documents with a hook annotation, sorted the same way. */
  hooks: RenderedDocument[];
  /** The top chart's NOTES.txt, rendered ('' when it has none). */
  notes: string;
  warnings: string[];
}

interface ChartNode {
  chart: Chart;
  values: Values;
  /** `webapp`, `umbrella/charts/frontend`: the prefix of this chart's template names. */
  path: string;
}

function walk(chart: Chart, values: Values, path: string, out: ChartNode[]): ChartNode[] {
  out.push({ chart, values, path });
  for (const sub of chart.dependencies) {
    const name = sub.metadata.name;
    const subValues =
      Object.hasOwn(values, name) && values[name] !== null && typeof values[name] === 'object'
        ? (values[name] as Values)
        : {};
    walk(sub, subValues, `${path}/charts/${name}`, out);
  }
  return out;
}

const isPartial = (file: ChartFile): boolean => file.name.slice(file.name.lastIndexOf('/') + 1).startsWith('_');

/** Helm parses deeper templates first and, at one depth, in reverse order, so a parent's define wins. */
function parseOrder(a: string, b: string): number {
  const da = a.split('/').length;
  const db = b.split('/').length;
  if (da !== db) return db - da;
  return a < b ? 1 : a > b ? -1 : 0;
}

export function renderChart(chart: Chart, values: Values, options: RenderOptions = {}): RenderResult {
  const kubeVersion = parseKubeVersion(options.kubeVersion);
  const wanted = chart.metadata.kubeVersion;
  if (wanted && !satisfiesRange(kubeVersion.Version.slice(1), wanted)) {
    throw new PortolanError(
      'CHART_INVALID',
      `chart "${chart.metadata.name}" requires kubeVersion ${wanted}, which does not include Kubernetes ${kubeVersion.Version}`,
      {
        hint: 'Render for another version with --kube-version, or change kubeVersion in Chart.yaml.',
      },
    );
  }
  const nodes = walk(chart, values, chart.metadata.name, []);
  const semantics = new Map<ChartNode, TemplateSemantics>();
  const templates = nodes.flatMap((node) => {
    const texts = node.chart.templates.map((file) => file.data.toString('utf8'));
    // A file with neither dialect's marks is read as its chart's other files are: Go in a chart whose templates
    // show Go's marks and no handlebars ones (every Helm chart has a define or an if somewhere), else handlebars.
    const found = new Set(texts.map(detectDialectCached));
    const dialect: Dialect = found.has('go') && !found.has('handlebars') ? 'go' : 'handlebars';
    semantics.set(node, templateSemantics(node.chart, dialect));
    // Only a marked chart's templates leave their syntax's semantics (a Go file in a handlebars chart stays Go).
    const marked = node.chart.metadata.annotations?.[SEMANTICS_ANNOTATION];
    const goSemantics = marked === 'helm' ? true : marked === 'portolan' ? false : undefined;
    return node.chart.templates.map((file, i) => ({
      node,
      file,
      text: texts[i] as string,
      dialect,
      goSemantics,
      name: `${node.path}/${file.name}`,
    }));
  });
  const isHelmChart = semantics.get(nodes[0] as ChartNode) === 'helm';
  const capabilities = buildCapabilities(options.kubeVersion, options.apiVersions ?? [], isHelmChart);
  const release: ReleaseInfo = {
    Name: options.releaseName ?? 'release-name',
    Namespace: options.namespace ?? 'default',
    Revision: options.revision ?? 1,
    IsInstall: options.isInstall ?? !options.isUpgrade,
    IsUpgrade: options.isUpgrade ?? false,
    // A Helm chart renders as `helm template` renders it (`managed-by: Helm` labels); portolan's own charts see
    // "portolan". Installed objects are marked managed-by portolan either way.
    Service: isHelmChart ? 'Helm' : 'portolan',
  };
  templates.sort((a, b) => parseOrder(a.name, b.name));
  const session = new RenderSession({
    templates: templates.map((t) => ({ file: t.name, text: t.text, dialect: t.dialect, goSemantics: t.goSemantics })),
    strict: options.strict ?? false,
    goStrict: options.goStrict ?? options.strict ?? false,
  });

  const contexts = new Map<ChartNode, Values>();
  const contextFor = (node: ChartNode, templateName: string): Values => {
    let base = contexts.get(node);
    if (!base) {
      base = {
        Values: node.values,
        Release: release,
        Chart: chartObject(node.chart),
        Capabilities: capabilities,
        Files: buildFiles(node.chart.files),
      };
      contexts.set(node, base);
    }
    return { ...base, Template: { Name: templateName, BasePath: `${node.path}/templates` } };
  };

  const warnings: string[] = [];
  const documents: RenderedDocument[] = [];
  let notes = '';
  const outputs = templates
    .filter((t) => !isPartial(t.file))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const template of outputs) {
    const isNotes = template.file.name === 'templates/NOTES.txt';
    if (isNotes && template.node.chart !== chart) continue; // only the top chart's notes are shown, as in Helm
    const text = session.render(template.name, contextFor(template.node, template.name));
    if (isNotes) notes = text;
    else documents.push(...parseRendered(template.name, text, warnings));
  }
  const sorted = sortByInstallOrder(documents);
  return {
    manifests: sorted.filter((d) => d.hook === undefined),
    hooks: sorted.filter((d) => d.hook !== undefined),
    notes,
    warnings,
  };
}
