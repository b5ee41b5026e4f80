// Helm's version ranges (the Masterminds syntax) on top of node-semver: a comma means AND (node-semver wants a
// space), `||` means OR, and prereleases match only when the range itself names a prerelease.
import semver from 'semver';

/** Translates a Helm range into node-semver's syntax, or undefined when it is not a valid range. */
export function toNodeRange(range: string): string | undefined {
  const translated = range
    .split('||')
    .map((alternative) =>
      alternative
        .split(',')
        .map((part) => part.trim().replace(/^(>=|<=|>|<|=|!=|~>|~|\^)\s+/, '$1').replace(/^~>/, '~'))
        .filter((part) => part !== '')
        .join(' '),
    )
    .join(' || ');
  return semver.validRange(translated, { loose: true }) === null ? undefined : translated;
}

export function isValidRange(range: string): boolean {
  return toNodeRange(range) !== undefined;
}

/** True when `version` satisfies the Helm range `range`. An empty range or `*` accepts any release. */
export function satisfiesRange(version: string, range: string | undefined): boolean {
  const parsed = semver.parse(version, { loose: true });
  if (!parsed) return false;
  const wanted = range === undefined || range.trim() === '' ? '*' : range;
  const translated = toNodeRange(wanted);
  if (translated === undefined) return false;
  const includePrerelease = /-[0-9A-Za-z]/.test(wanted.replace(/\s/g, '').replace(/^[^0-9]*/, ''));
  return semver.satisfies(parsed, translated, { loose: true, includePrerelease });
}

/** The newest of `versions` that satisfies `range`. */
export function maxSatisfying(versions: string[], range: string | undefined): string | undefined {
  let best: string | undefined;
  for (const version of versions) {
    if (satisfiesRange(version, range) && (best === undefined || semver.gt(version, best, { loose: true }))) best = version;
  }
  return best;
}
