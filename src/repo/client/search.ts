// `search repo`: Helm's search over cached indexes. Pure. A keyword matches (case-insensitively) the chart name,
// `repo/name`, the description or the keywords, scored by which of those it hit first; without a keyword every chart
// is listed. By default only the newest release of each chart; --versions lists all, --version RANGE filters,
// --devel lets prereleases in.
import { PortolanError, messageOf } from '../../errors.js';
import {
  type VersionConstraint,
  allows,
  compareVersions,
  parseConstraint,
  tryParseVersion,
} from '../../chart/version-range.js';
import type { ChartVersionEntry, IndexFile } from '../index-model.js';

export interface SearchOptions {
  keyword?: string;
  regexp?: boolean;
  versions?: boolean;
  version?: string;
  devel?: boolean;
}

export interface SearchResult {
  /** `repo/chart`. */
  name: string;
  score: number;
  chart: ChartVersionEntry;
}

/**
 * A compiled Helm range: a test for versions, as Masterminds' Check. Prereleases pass only when the range names one;
 * Helm's --devel only chooses the range when none is given (`>0.0.0-0`), so it is the caller's to apply.
 */
export function compileRange(range: string): (version: string) => boolean {
  const wanted = range.trim() === '' ? '*' : range;
  let constraint: VersionConstraint;
  try {
    constraint = parseConstraint(wanted);
  } catch (error) {
    throw new PortolanError('USAGE', `"${range}" is not a valid version range: ${messageOf(error)}`, {
      flag: '--version',
      hint: 'e.g. --version 1.2.3, ^1.2, ">= 1.2, < 2", "!=1.2.3"',
    });
  }
  return (version) => {
    const parsed = tryParseVersion(version);
    return parsed !== undefined && allows(constraint, parsed);
  };
}

const SEP = '\v';

function line(repo: string, entry: ChartVersionEntry): string {
  return `${entry.name}${SEP}${repo}/${entry.name}${SEP}${entry.description ?? ''}${SEP}${(entry.keywords ?? []).join(' ')}`.toLowerCase();
}

/** Which field (0 name, 1 repo/name, 2 description, 3 keywords) the match at `position` falls in. */
function score(position: number, text: string): number {
  let field = 0;
  for (let i = text.indexOf(SEP); i >= 0 && i < position; i = text.indexOf(SEP, i + 1)) field++;
  return field;
}

function compareResults(a: SearchResult, b: SearchResult): number {
  if (a.score !== b.score) return a.score - b.score;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const va = tryParseVersion(a.chart.version);
  const vb = tryParseVersion(b.chart.version);
  return va && vb ? compareVersions(vb, va) : 0;
}

export function searchIndexes(
  repos: Array<{ name: string; index: IndexFile }>,
  options: SearchOptions = {},
): SearchResult[] {
  const keyword = options.keyword?.trim() ?? '';
  let matcher: ((text: string) => number) | undefined;
  if (keyword !== '') {
    if (options.regexp) {
      let pattern: RegExp;
      try {
        pattern = new RegExp(keyword, 'i');
      } catch (error) {
        throw new PortolanError('USAGE', `invalid regular expression "${keyword}": ${(error as Error).message}`, {
          flag: '--regexp',
        });
      }
      matcher = (text) => text.search(pattern);
    } else {
      const lower = keyword.toLowerCase();
      matcher = (text) => text.indexOf(lower);
    }
  }
  const test = compileRange(options.version || (options.devel ? '>0.0.0-0' : '>0.0.0'));
  const results: SearchResult[] = [];
  for (const repo of repos) {
    for (const chartName of Object.keys(repo.index.entries)) {
      const versions = repo.index.entries[chartName] ?? [];
      const name = `${repo.name}/${chartName}`;
      for (const entry of versions) {
        // The keyword is matched against each version's own text, as Helm does.
        let s = 0;
        if (matcher) {
          const text = line(repo.name, entry);
          const at = matcher(text);
          if (at < 0) continue;
          s = score(at, text);
        }
        if (!test(entry.version)) continue;
        results.push({ name, score: s, chart: entry });
        // Versions are newest first: without --versions the first that passes is the one to show.
        if (!options.versions) break;
      }
    }
  }
  return results.sort(compareResults);
}

/** Helm's column truncation: at most `width` characters, ending in "..." when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0 || text.length <= width) return text;
  return width <= 3 ? text.slice(0, width) : `${text.slice(0, width - 3)}...`;
}
