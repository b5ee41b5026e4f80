// Coalescing user values with chart defaults, exactly as Helm 4 does (pkg/chart/common/util/coalesce.go and
// pkg/chart/v2/util/dependencies.go): deep map merge, lists replaced, a user null deletes a defaulted key,
// subcharts scoped under their name or alias, `global` copied down, dependencies enabled by condition and tags,
// and import-values pulled up from children. Pure: the loaded chart is never changed.
import { PortolanError } from '../errors.js';
import type { Chart, ChartDependency, ImportValue, Values } from '../chart/types.js';
import { satisfiesRange } from '../chart/version-range.js';
import { originOf, type Origins, type SourcedValues } from './read.js';
import { isMap } from './yaml.js';

export interface PreparedChart {
  /** The chart as it renders: disabled subcharts removed, aliases applied, imported values in its defaults. */
  chart: Chart;
  /** The coalesced values of the top chart (subcharts' values under their names). */
  values: Values;
  /** The user values alone. */
  userValues: Values;
  origins: Origins;
  /** Things worth telling the user that do not stop rendering (a condition that is not a boolean, …). */
  warnings: string[];
}

const GLOBAL = 'global';

/** A deep copy of plain data (dates and other objects that are not maps are kept as they are). */
export function copyValues<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyValues) as T;
  if (isMap(value) && !(value instanceof Date)) {
    const out: Values = {};
    for (const key of Object.keys(value)) out[key] = copyValues(value[key]);
    return out as T;
  }
  return value;
}

class Coalescer {
  constructor(
    readonly warnings: string[],
    readonly origins?: Origins,
  ) {}

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  /** CoalesceValues / MergeValues: a copy of `user` coalesced with the chart's defaults and its subcharts'. */
  coalesce(chart: Chart, user: Values, merge: boolean, prefix: string[] = []): Values {
    const dest = copyValues(user);
    this.coalesceValues(chart, dest, merge);
    return this.coalesceDeps(chart, dest, merge, prefix);
  }

  private coalesceDeps(chart: Chart, dest: Values, merge: boolean, prefix: string[]): Values {
    for (const sub of chart.dependencies) {
      const name = sub.metadata.name;
      const current = Object.hasOwn(dest, name) ? dest[name] : undefined;
      if (current === undefined) dest[name] = {};
      else if (!isMap(current)) {
        const path = [...prefix, name];
        const origin = this.origins ? originOf(this.origins, path) : undefined;
        throw new PortolanError(
          'VALUES_PARSE',
          `the values of subchart "${name}" must be a map, found ${describeValue(current)}${origin ? ` (value from ${origin})` : ''}`,
          {
            path: path.join('.'),
            hint: `Values for a subchart live under its name: ${name}:\n    key: value`,
          },
        );
      }
      const subValues = dest[name] as Values;
      this.coalesceGlobals(subValues, dest);
      this.coalesceValues(sub, subValues, merge);
      dest[name] = this.coalesceDeps(sub, subValues, merge, [...prefix, name]);
    }
    return dest;
  }

  /** The parent's globals go into the subchart's values; maps merge with the parent's keys winning. */
  private coalesceGlobals(dest: Values, src: Values): void {
    const destGlobal = Object.hasOwn(dest, GLOBAL) ? dest[GLOBAL] : {};
    const srcGlobal = Object.hasOwn(src, GLOBAL) ? src[GLOBAL] : {};
    if (!isMap(destGlobal)) {
      this.warn(`skipping globals because the destination ${GLOBAL} is not a map`);
      return;
    }
    if (!isMap(srcGlobal)) {
      this.warn(`skipping globals because the source ${GLOBAL} is not a map`);
      return;
    }
    const merged: Values = { ...destGlobal };
    for (const [key, value] of Object.entries(srcGlobal)) {
      if (isMap(value)) {
        const copy: Values = { ...value };
        const existing = merged[key];
        if (!Object.hasOwn(merged, key)) merged[key] = copy;
        else if (!isMap(existing))
          this.warn(`cannot merge the map ${GLOBAL}.${key} onto a value that is not a map; skipped`);
        else merged[key] = this.coalesceTables(copy, existing, true);
      } else if (Object.hasOwn(merged, key) && isMap(merged[key])) {
        this.warn(`${GLOBAL}.${key} is a map in the subchart; the parent's non-map value is skipped`);
      } else merged[key] = value;
    }
    dest[GLOBAL] = merged;
  }

  private coalesceValues(chart: Chart, dest: Values, merge: boolean): void {
    const defaults = copyValues(chart.values);
    const subNames = new Set(chart.dependencies.map((d) => d.metadata.name));
    for (const [key, value] of Object.entries(defaults)) {
      if (Object.hasOwn(dest, key)) {
        const given = dest[key];
        if (given === null && !merge) delete dest[key];
        else if (isMap(given)) {
          if (!isMap(value)) {
            if (value !== null) this.warn(`skipped value for ${chart.metadata.name}.${key}: not a map`);
          } else {
            this.coalesceTables(given, value, merge || subNames.has(key));
          }
        }
      } else dest[key] = value; // chart-default nulls stay (Helm 4.1 keeps them)
    }
  }

  /** coalesceTablesFullKey: `dst` wins over `src`; changes and returns `dst`. */
  coalesceTables(dst: Values, src: Values, merge: boolean): Values {
    const srcNonNull = new Set(Object.keys(src).filter((key) => src[key] !== null));
    for (const [key, value] of Object.entries(dst)) if (value === null) src[key] = null;
    for (const [key, value] of Object.entries(src)) {
      const has = Object.hasOwn(dst, key);
      const current = dst[key];
      if (has && !merge && current === null && srcNonNull.has(key)) delete dst[key];
      else if (!has) dst[key] = value;
      else if (isMap(value)) {
        if (isMap(current)) this.coalesceTables(current, value, merge);
        else this.warn(`cannot overwrite the map ${key} with a value that is not a map`);
      }
    }
    return dst;
  }
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return `${typeof value} ${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`;
}

/** Helm's PathValue: a dotted path into the values; undefined when any step is missing. */
function pathValue(values: Values, path: string): unknown {
  let node: unknown = values;
  for (const part of path.split('.')) {
    if (!isMap(node) || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
}

/** A chart with copies of what preparing changes: metadata (and its dependency list), values, dependencies. */
function cloneChart(chart: Chart): Chart {
  return {
    ...chart,
    metadata: { ...chart.metadata, dependencies: chart.metadata.dependencies?.map((d) => ({ ...d })) },
    values: chart.values,
    dependencies: chart.dependencies.map(cloneChart),
  };
}

/** processDependencyEnabled: drops subcharts their condition or tags turn off; applies aliases. */
function processEnabled(co: Coalescer, chart: Chart, values: Values, path: string): void {
  const requested = chart.metadata.dependencies;
  if (!requested) return;
  // Helm's IsCompatibleRange: an empty range is not a valid constraint, so a dependency without a version never
  // matches (its chart stays under its own name, unaliased).
  const matches = (sub: Chart, dep: ChartDependency): boolean =>
    sub.metadata.name === dep.name &&
    (dep.version ?? '').trim() !== '' &&
    satisfiesRange(sub.metadata.version, dep.version);
  const kept = chart.dependencies.filter((sub) => !requested.some((dep) => matches(sub, dep)));
  for (const dep of requested) {
    const found = chart.dependencies.find((sub) => matches(sub, dep));
    if (found) {
      const copy = cloneChart(found);
      if (dep.alias) copy.metadata = { ...copy.metadata, name: dep.alias };
      kept.push(copy);
    }
    if (dep.alias) dep.name = dep.alias;
  }
  chart.dependencies = kept;
  for (const dep of requested) dep.enabled = true;

  const coalesced = co.coalesce(chart, values, false);
  processTags(co, requested, coalesced);
  processConditions(co, requested, coalesced, path);
  const disabled = new Set(requested.filter((dep) => !dep.enabled).map((dep) => dep.name));
  chart.dependencies = chart.dependencies.filter((sub) => !disabled.has(sub.metadata.name));
  for (const sub of chart.dependencies) processEnabled(co, sub, coalesced, `${path}${sub.metadata.name}.`);
  chart.metadata.dependencies = requested.filter((dep) => !disabled.has(dep.name));
}

function processTags(co: Coalescer, requested: ChartDependency[], values: Values): void {
  const tags = values.tags;
  if (!isMap(tags)) return;
  for (const dep of requested) {
    let hasTrue = false;
    let hasFalse = false;
    for (const tag of dep.tags ?? []) {
      if (!Object.hasOwn(tags, tag)) continue;
      const value = tags[tag];
      if (typeof value === 'boolean') {
        if (value) hasTrue = true;
        else hasFalse = true;
      } else
        co.warn(`tag "${tag}" of dependency "${dep.name}" is ${describeValue(value)}, not a boolean; it is ignored`);
    }
    dep.enabled = hasTrue || !hasFalse;
  }
}

function processConditions(co: Coalescer, requested: ChartDependency[], values: Values, path: string): void {
  for (const dep of requested) {
    for (const condition of (dep.condition ?? '').trim().split(',')) {
      if (condition === '') continue;
      const value = pathValue(values, `${path}${condition}`);
      if (value === undefined) continue;
      if (typeof value === 'boolean') {
        dep.enabled = value;
        break;
      }
      co.warn(
        `condition "${condition}" of dependency "${dep.name}" is ${describeValue(value)}, not a boolean; it does not disable the chart`,
      );
    }
  }
}

/** processDependencyImportValues: children first, then each chart pulls its import-values up into its defaults. */
function processImports(co: Coalescer, chart: Chart): void {
  for (const sub of chart.dependencies) processImports(co, sub);
  const requested = chart.metadata.dependencies;
  if (!requested) return;
  const merged = co.coalesce(chart, {}, true);
  let imported: Values = {};
  for (const dep of requested) {
    const normalised: ImportValue[] = [];
    for (const entry of dep['import-values'] ?? []) {
      let child: string;
      let parent: string;
      if (typeof entry === 'string') {
        child = `exports.${entry}`;
        parent = '.';
      } else if (isMap(entry)) {
        child = String(entry.child);
        parent = String(entry.parent);
      } else continue;
      normalised.push({ child, parent });
      const table = pathValue(merged, `${dep.name}.${child}`);
      if (!isMap(table)) {
        co.warn(`import-values of "${dep.name}": the subchart has no map at ${child}`);
        continue;
      }
      const value =
        parent === '.'
          ? copyValues(table)
          : parent.split('.').reduceRight<Values>((acc, key) => ({ [key]: acc }), copyValues(table));
      imported = co.coalesceTables(imported, value, true);
    }
    dep['import-values'] = normalised;
  }
  chart.values = co.coalesceTables(copyValues(merged), imported, true);
}

/**
 * Everything between loading a chart and rendering it: dependencies enabled or not, aliases, import-values, then
 * the user values coalesced with every chart's defaults.
 */
export function prepareChart(chart: Chart, user: SourcedValues): PreparedChart {
  const warnings: string[] = [];
  const co = new Coalescer(warnings, user.origins);
  const prepared = cloneChart(chart);
  processEnabled(co, prepared, user.values, '');
  processImports(co, prepared);
  const values = co.coalesce(prepared, user.values, false);
  return { chart: prepared, values, userValues: user.values, origins: user.origins, warnings };
}

/** The coalesced values of the chart alone, without user values (what `show values` would merge from). */
export function coalesceValues(chart: Chart, user: Values): Values {
  return new Coalescer([]).coalesce(chart, user, false);
}
