// Helm's versions and version constraints: the grammar and the semantics of Masterminds/semver v3.4.0, the library
// Helm 4.1.4 links (Sprig's semverCompare, dependency `version:` ranges, `--version`, `kubeVersion`). It is written
// out here rather than translated to node-semver, whose ranges differ in ways charts notice: `!=`, spaces as AND,
// which prereleases a range admits, `*`, `<=1.2` meaning `<1.3`, leading zeros. Parsing follows Masterminds' own
// regular expressions so that what it accepts, rejects and how it splits a constraint are the same here.
import { PortolanError } from '../errors.js';

/** A version as Masterminds' NewVersion reads it: `v` prefix, missing minor/patch and leading zeros allowed. */
export interface SemanticVersion {
  major: bigint;
  minor: bigint;
  patch: bigint;
  /** Dot-separated identifiers after `-`, or ''. */
  prerelease: string;
  /** Build metadata after `+`, or ''; it never takes part in comparisons. */
  metadata: string;
  original: string;
}

export type ConstraintOperator = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

/** One comparison of a constraint, e.g. `!=4.x` or `~1.2`. */
export interface Comparison {
  operator: ConstraintOperator;
  /** The version as written, wildcards and missing parts read as 0 (`4.x` is 4.0.0). */
  version: SemanticVersion;
  /** As written, for messages. */
  text: string;
  /**
   * The first part that was a wildcard or missing: `1.2` and `1.2.x` are loose from the patch, `1` and `1.x` from the
   * minor, `*` from the major. Masterminds' "dirty" flags; operators read them differently (`>1.2` is `>=1.3`).
   */
  looseFrom?: 'major' | 'minor' | 'patch';
}

/** A parsed constraint: alternatives (`||`), each a list of comparisons that must all hold. */
export interface VersionConstraint {
  text: string;
  alternatives: Array<{
    comparisons: Comparison[];
    /** A comparison in this alternative names a prerelease, which lets prereleases through the whole alternative. */
    admitsPrereleases: boolean;
  }>;
}

const UINT64_MAX = 18446744073709551615n;

// Go's regexp `\s` is ASCII whitespace without \v; JavaScript's would also take \v and Unicode spaces.
const S = '[\\t\\n\\f\\r ]';
// Masterminds' cvRegex, with its quirk kept: the classes [0-9|x|X|\*] also take a literal `|`.
const CV =
  'v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?';
// The empty alternative is deliberate (a bare version means `=` or, with wildcards, `~`); order matters as in Go.
const OPS = '=||!=|>|<|>=|=>|<=|=<|~|~>|\\^';
const COMPARISON = new RegExp(`^${S}*(${OPS})${S}*(${CV})${S}*$`);
const HYPHEN_RANGE = new RegExp(`${S}*(${CV})${S}+-${S}+(${CV})${S}*`, 'g');
const FIND_COMPARISON = new RegExp(`(${OPS})${S}*(${CV})`, 'g');
const VALID_ALTERNATIVE = new RegExp(`^(${S}*(${OPS})${S}*(${CV})${S}*)((?:${S}+|,${S}*)(${OPS})${S}*(${CV})${S}*)*$`);
const LOOSE_VERSION =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

const VERSION_HINT = 'Versions look like 1.2.3, v1.2, 1.2.3-rc.1 or 1.2.3+build.5.';
const CONSTRAINT_HINT =
  'Constraints look like 1.2.3, ^1.2, ~1.2.3, 1.2.x, ">= 1.2, < 2", "!=1.2.3", "1.2 - 1.4" or "^1 || ^2".';

function versionError(message: string, text: string): PortolanError {
  return new PortolanError('USAGE', message, { hint: `In the version "${text}". ${VERSION_HINT}` });
}

function segment(digits: string, text: string): bigint {
  const value = BigInt(digits);
  // Go's strconv.ParseUint error, which Masterminds passes on.
  if (value > UINT64_MAX)
    throw versionError(
      `error parsing version segment: strconv.ParseUint: parsing "${digits}": value out of range`,
      text,
    );
  return value;
}

/** Reads a version as Masterminds' NewVersion does; throws its error messages word for word. */
export function parseVersion(text: string): SemanticVersion {
  const m = LOOSE_VERSION.exec(text);
  if (!m) throw versionError('invalid semantic version', text);
  const version: SemanticVersion = {
    major: segment(m[1] as string, text),
    minor: m[2] ? segment(m[2].slice(1), text) : 0n,
    patch: m[3] ? segment(m[3].slice(1), text) : 0n,
    prerelease: m[5] ?? '',
    metadata: m[8] ?? '',
    original: text,
  };
  // The pattern already limits the characters; SemVer's ban on leading zeros applies to prerelease numbers only,
  // since Masterminds coerces them away in the major, minor and patch.
  if (version.prerelease.split('.').some((part) => /^0[0-9]+$/.test(part)))
    throw versionError('version segment starts with 0', text);
  return version;
}

/** The version, or undefined where Masterminds would refuse it (Helm skips such index entries). */
export function tryParseVersion(text: string): SemanticVersion | undefined {
  try {
    return parseVersion(text);
  } catch {
    return undefined;
  }
}

/** Masterminds' String(): no `v`, missing parts filled in, leading zeros gone. */
export function formatVersion(version: SemanticVersion): string {
  const pre = version.prerelease === '' ? '' : `-${version.prerelease}`;
  const build = version.metadata === '' ? '' : `+${version.metadata}`;
  return `${version.major}.${version.minor}.${version.patch}${pre}${build}`;
}

function sign(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A prerelease identifier as a number, when Go's ParseUint would read it as one. */
function numericIdentifier(part: string): bigint | undefined {
  if (!/^[0-9]+$/.test(part)) return undefined;
  const value = BigInt(part);
  return value > UINT64_MAX ? undefined : value;
}

function comparePrereleasePart(a: string, b: string): number {
  if (a === b) return 0;
  // A missing identifier (the shorter prerelease) sorts first.
  if (a === '') return -1;
  if (b === '') return 1;
  const na = numericIdentifier(a);
  const nb = numericIdentifier(b);
  if (na === undefined && nb === undefined) return a > b ? 1 : -1;
  if (nb === undefined) return -1;
  if (na === undefined) return 1;
  return na > nb ? 1 : -1;
}

function comparePrerelease(a: string, b: string): number {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const d = comparePrereleasePart(as[i] ?? '', bs[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

/** -1, 0 or 1, as Masterminds' Compare: build metadata is ignored, a prerelease sorts before its release. */
export function compareVersions(a: SemanticVersion, b: SemanticVersion): number {
  const d = sign(a.major, b.major) || sign(a.minor, b.minor) || sign(a.patch, b.patch);
  if (d !== 0) return d;
  if (a.prerelease === '' && b.prerelease === '') return 0;
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

const isWildcard = (part: string): boolean => part === 'x' || part === 'X' || part === '*';

function improperConstraint(part: string, whole: string): PortolanError {
  const where = part === whole ? '' : `In the constraint "${whole}". `;
  return new PortolanError('USAGE', `improper constraint: ${part}`, { hint: `${where}${CONSTRAINT_HINT}` });
}

function parseComparison(text: string, whole: string): Comparison {
  const m = COMPARISON.exec(text);
  if (!m) throw improperConstraint(text, whole);
  const written = m[2] as string;
  const major = m[3] as string;
  const minor = m[4] ?? '';
  const patch = m[5] ?? '';
  const pre = m[6] ?? '';
  let looseFrom: Comparison['looseFrom'];
  let normalised = written;
  if (isWildcard(major)) {
    looseFrom = 'major';
    normalised = `0.0.0${pre}`;
  } else if (minor === '' || isWildcard(minor.slice(1))) {
    looseFrom = 'minor';
    normalised = `${major}.0.0${pre}`;
  } else if (patch === '' || isWildcard(patch.slice(1))) {
    looseFrom = 'patch';
    normalised = `${major}${minor}.0${pre}`;
  }
  let version: SemanticVersion;
  try {
    version = parseVersion(normalised);
  } catch {
    // What the pattern lets through and NewVersion refuses (`1|2`, `x1`, `1.2.3-01`, a part past uint64).
    throw new PortolanError('USAGE', 'constraint parser error', {
      hint: `"${written}" in the constraint "${whole}" is not a version. ${CONSTRAINT_HINT}`,
    });
  }
  return { operator: m[1] as ConstraintOperator, version, text: written, looseFrom };
}

/** `A - B` becomes `>= A, <= B `, by the same textual substitution as Masterminds' rewriteRange. */
function rewriteHyphenRanges(text: string): string {
  let out = text;
  for (const m of text.matchAll(HYPHEN_RANGE)) out = out.replace(m[0], `>= ${m[1]}, <= ${m[11]} `);
  return out;
}

/**
 * Parses a constraint as Masterminds' NewConstraint. Commas and spaces both mean AND, `||` means OR. Throws
 * Masterminds' message: `improper constraint: PART` naming the `||` alternative at fault, or `constraint parser error`.
 */
export function parseConstraint(text: string): VersionConstraint {
  const alternatives = rewriteHyphenRanges(text)
    .split('||')
    .map((part) => {
      if (!VALID_ALTERNATIVE.test(part)) throw improperConstraint(part, text);
      const comparisons = [...part.matchAll(FIND_COMPARISON)].map((m) => parseComparison(m[0], text));
      return { comparisons, admitsPrereleases: comparisons.some((c) => c.version.prerelease !== '') };
    });
  return { text, alternatives };
}

// Each function below is the matching constraint* function of Masterminds' constraints.go, after its prerelease
// gate (applied once in allows): kept in its shape so the two can be read side by side.

function tilde(v: SemanticVersion, c: Comparison): boolean {
  const con = c.version;
  if (compareVersions(v, con) < 0) return false;
  // ~0.0.0 (and ~*) accept everything.
  if (con.major === 0n && con.minor === 0n && con.patch === 0n && c.looseFrom !== 'minor' && c.looseFrom !== 'patch')
    return true;
  if (v.major !== con.major) return false;
  return v.minor === con.minor || c.looseFrom === 'minor';
}

function notEqual(v: SemanticVersion, c: Comparison): boolean {
  const con = c.version;
  if (c.looseFrom !== undefined) {
    if (con.major !== v.major) return true;
    if (con.minor !== v.minor && c.looseFrom !== 'minor') return true;
    if (c.looseFrom === 'minor') return false;
    if (con.patch !== v.patch && c.looseFrom !== 'patch') return true;
    if (c.looseFrom === 'patch') {
      if (v.prerelease !== '' || con.prerelease !== '') return comparePrerelease(v.prerelease, con.prerelease) !== 0;
      return false;
    }
  }
  return compareVersions(v, con) !== 0;
}

function greaterThan(v: SemanticVersion, c: Comparison): boolean {
  const con = c.version;
  if (c.looseFrom === undefined) return compareVersions(v, con) > 0;
  if (v.major > con.major) return true;
  if (v.major < con.major) return false;
  // `>1` wants 2 or more, `>1.2` wants 1.3 or more.
  if (c.looseFrom === 'minor') return false;
  if (c.looseFrom === 'patch') return v.minor > con.minor;
  return compareVersions(v, con) > 0;
}

function lessThanOrEqual(v: SemanticVersion, c: Comparison): boolean {
  const con = c.version;
  if (c.looseFrom === undefined) return compareVersions(v, con) <= 0;
  // `<=1.2` takes all of 1.2.x and `<=1` all of 1.x; `<=*` (a major of 0) takes only 0.x.
  if (v.major > con.major) return false;
  return !(v.major === con.major && v.minor > con.minor && c.looseFrom !== 'minor');
}

function caret(v: SemanticVersion, c: Comparison): boolean {
  const con = c.version;
  if (compareVersions(v, con) < 0) return false;
  if (con.major > 0n || c.looseFrom === 'minor') return v.major === con.major;
  if (v.major > 0n) return false;
  if (con.minor > 0n || c.looseFrom === 'patch') return v.minor === con.minor;
  if (v.minor > 0n) return false;
  return v.patch === con.patch;
}

function holds(v: SemanticVersion, c: Comparison): boolean {
  switch (c.operator) {
    case '':
    case '=':
      return c.looseFrom === undefined ? compareVersions(v, c.version) === 0 : tilde(v, c);
    case '!=':
      return notEqual(v, c);
    case '>':
      return greaterThan(v, c);
    case '<':
      return compareVersions(v, c.version) < 0;
    case '>=':
    case '=>':
      return compareVersions(v, c.version) >= 0;
    case '<=':
    case '=<':
      return lessThanOrEqual(v, c);
    case '~':
    case '~>':
      return tilde(v, c);
    case '^':
      return caret(v, c);
  }
}

/**
 * Masterminds' Check. A prerelease version passes an alternative only when one of its comparisons names a prerelease
 * (`>=1.21-0` lets `1.29.0-eks-1` in; `>=1.21` does not), or when `includePrerelease` is set.
 */
export function allows(constraint: VersionConstraint, version: SemanticVersion, includePrerelease = false): boolean {
  return constraint.alternatives.some(({ comparisons, admitsPrereleases }) => {
    if (version.prerelease !== '' && !includePrerelease && !admitsPrereleases) return false;
    return comparisons.every((c) => holds(version, c));
  });
}

// Templates call semverCompare with the same few constraints over and over; parse each once.
const parsedConstraints = new Map<string, VersionConstraint>();

function cachedConstraint(text: string): VersionConstraint {
  let parsed = parsedConstraints.get(text);
  if (!parsed) {
    parsed = parseConstraint(text);
    if (parsedConstraints.size >= 1000) parsedConstraints.clear();
    parsedConstraints.set(text, parsed);
  }
  return parsed;
}

/** Sprig's semverCompare: the constraint is read first, then the version; either throws Masterminds' message. */
export function semverCompare(constraint: string, version: string): boolean {
  const parsed = cachedConstraint(constraint);
  return allows(parsed, parseVersion(version));
}

export function isValidRange(range: string): boolean {
  try {
    cachedConstraint(range);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when `version` satisfies the Helm range `range`, as Helm's IsCompatibleRange: false for a version or range
 * Masterminds refuses. An absent or blank range means any release (callers that must treat it as Helm does, where
 * an empty constraint is invalid, check for it first).
 */
export function satisfiesRange(version: string, range: string | undefined): boolean {
  const parsed = tryParseVersion(version);
  if (!parsed) return false;
  const wanted = range === undefined || range.trim() === '' ? '*' : range;
  return isValidRange(wanted) && allows(cachedConstraint(wanted), parsed);
}

/** The newest of `versions` that satisfies `range`. */
export function maxSatisfying(versions: string[], range: string | undefined): string | undefined {
  let best: { text: string; version: SemanticVersion } | undefined;
  for (const text of versions) {
    const version = tryParseVersion(text);
    if (version && satisfiesRange(text, range) && (best === undefined || compareVersions(version, best.version) > 0))
      best = { text, version };
  }
  return best?.text;
}
