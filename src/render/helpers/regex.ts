// Go's regexp as sprig's regex* functions use it: RE2 syntax and linear-time matching (re2js, a port of Go's engine),
// with Go's own rules for FindAll, Split and ReplaceAllString's `$` expansion written out here, since re2js follows
// JavaScript's and Java's rules for those. Positions are UTF-16 indexes; "one character" is one code point. Pure.
import type { RE2JS, Matcher } from 're2js';
import { lazyModule } from '../../lazy-modules.js';
import { checkListSize, checkStringSize } from './limits.js';

// re2js is 290 KB of code that most charts never run: loaded on the first pattern compiled (as node-forge is for
// certificates), not with every render.
const re2js = lazyModule<{ RE2JS: typeof RE2JS }>('re2js');

/** re2js's RE2JS.compile: Go's regexp syntax, linear-time matching. */
export function compileRe2(pattern: string): RE2JS {
  return re2js().RE2JS.compile(pattern);
}

const compiled = new Map<string, RE2JS>();
const CACHE_SIZE = 256;

/** regexp.Compile: a pattern that does not parse fails with Go's message, which names the pattern. */
export function compileGoRegex(pattern: string): RE2JS {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  let re: RE2JS;
  try {
    re = compileRe2(pattern);
  } catch (error) {
    throw new Error(`regexp: Compile(\`${pattern}\`): ${(error as Error).message}`);
  }
  // Templates call the same few patterns over and over; a small cache keeps them from being parsed each call.
  if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value as string);
  compiled.set(pattern, re);
  return re;
}

/** Go's match positions: [start, end] of the whole match, then of each group (-1, -1 when a group took no part). */
type MatchIndex = number[];

function matchIndex(matcher: Matcher, withGroups: boolean): MatchIndex {
  const index = [matcher.start(), matcher.end()];
  if (withGroups)
    for (let group = 1; group <= matcher.groupCount(); group++) index.push(matcher.start(group), matcher.end(group));
  return index;
}

/** UTF-16 units of the code point at `pos`, 0 at the end (Go's utf8.DecodeRuneInString width). */
function charWidth(text: string, pos: number): number {
  if (pos >= text.length) return 0;
  return (text.codePointAt(pos) as number) > 0xffff ? 2 : 1;
}

/**
 * Go's Regexp.allMatches: successive matches, at most `limit`; an empty match right after the previous match is
 * skipped, and after an empty match the search moves on one character.
 */
function allMatches(re: RE2JS, text: string, limit: number, withGroups: boolean): MatchIndex[] {
  const out: MatchIndex[] = [];
  const matcher = re.matcher(text);
  let pos = 0;
  let previousEnd = -1;
  while (out.length < limit && pos <= text.length) {
    if (!matcher.find(pos)) break;
    const start = matcher.start();
    const end = matcher.end();
    let accept = true;
    if (end === pos) {
      if (start === previousEnd) accept = false;
      const width = charWidth(text, pos);
      pos = width > 0 ? pos + width : text.length + 1;
    } else pos = end;
    previousEnd = end;
    if (accept) {
      checkListSize(out.length + 1);
      out.push(matchIndex(matcher, withGroups));
    }
  }
  return out;
}

export function regexMatch(pattern: string, text: string): boolean {
  return compileGoRegex(pattern).test(text);
}

/** Regexp.FindString: the leftmost match, or "" when there is none. */
export function regexFind(pattern: string, text: string): string {
  const matcher = compileGoRegex(pattern).matcher(text);
  return matcher.find(0) ? text.slice(matcher.start(), matcher.end()) : '';
}

/** Regexp.FindAllString: at most `limit` matches, all of them when `limit` is negative. */
export function regexFindAll(pattern: string, text: string, limit: number): string[] {
  return allMatches(compileGoRegex(pattern), text, limit < 0 ? Infinity : limit, false).map(([start, end]) =>
    text.slice(start, end),
  );
}

/**
 * Regexp.Split: the text between matches; `limit` > 0 gives at most that many parts (the last one the unsplit
 * rest), 0 gives none, and a negative `limit` gives all of them.
 */
export function regexSplit(pattern: string, text: string, limit: number): string[] {
  if (limit === 0) return [];
  if (pattern !== '' && text === '') return [''];
  const parts: string[] = [];
  let begin = 0;
  let end = 0;
  for (const [start, stop] of allMatches(compileGoRegex(pattern), text, limit < 0 ? Infinity : limit, false) as Array<
    [number, number]
  >) {
    if (limit > 0 && parts.length === limit - 1) break;
    end = start;
    if (stop !== 0) parts.push(text.slice(begin, end));
    begin = stop;
  }
  if (end !== text.length) parts.push(text.slice(begin));
  checkListSize(parts.length);
  return parts;
}

/**
 * Go's Regexp.replaceAll: each match replaced by `replacement(match)`, except an empty match right after the
 * previous one (so `x*` does not replace twice around `xx`).
 */
function replaceMatches(
  re: RE2JS,
  text: string,
  withGroups: boolean,
  replacement: (match: MatchIndex) => string,
): string {
  const matcher = re.matcher(text);
  const parts: string[] = [];
  let bytes = 0;
  const add = (part: string) => {
    bytes += Buffer.byteLength(part);
    checkStringSize(bytes);
    parts.push(part);
  };
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= text.length) {
    if (!matcher.find(searchPos)) break;
    const match = matchIndex(matcher, withGroups);
    const [start, end] = match as [number, number];
    add(text.slice(lastMatchEnd, start));
    if (end > lastMatchEnd || start === 0) add(replacement(match));
    lastMatchEnd = end;
    const width = charWidth(text, searchPos);
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  add(text.slice(lastMatchEnd));
  return parts.join('');
}

/** Regexp.ReplaceAllString: `$1`, `${1}`, `$name`, `${name}` and `$$` in the replacement expand as Go expands them. */
export function regexReplaceAll(pattern: string, text: string, replacement: string): string {
  const re = compileGoRegex(pattern);
  const names = re.namedGroups();
  const hasDollar = replacement.includes('$');
  return replaceMatches(re, text, hasDollar, (match) =>
    hasDollar ? expand(replacement, text, match, names) : replacement,
  );
}

/** Regexp.ReplaceAllLiteralString: the replacement as it is. */
export function regexReplaceAllLiteral(pattern: string, text: string, replacement: string): string {
  return replaceMatches(compileGoRegex(pattern), text, false, () => replacement);
}

/** regexp.QuoteMeta: every character that is special in a pattern, backslashed. */
export function regexQuoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

// A reference's name is the longest run of letters, decimal digits and underscores (Go's extract), so `$1x` is the
// group named `1x`, not group 1 followed by `x`.
const REFERENCE = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u;

/** Go's Regexp.expand for one match: `$$` is `$`; a `$` that starts no valid reference stays as it is. */
function expand(template: string, text: string, match: MatchIndex, names: Record<string, number>): string {
  let out = '';
  let rest = template;
  for (let dollar = rest.indexOf('$'); dollar >= 0; dollar = rest.indexOf('$')) {
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const reference = REFERENCE.exec(rest);
    if (!reference) {
      out += '$';
      continue;
    }
    rest = rest.slice(reference[0].length);
    const name = (reference[1] ?? reference[2]) as string;
    // A number without a leading zero is a group number; anything else (`01`, `1x`, `word`) is a group name.
    const group = /^(?:0|[1-9]\d*)$/.test(name)
      ? Number(name)
      : Object.hasOwn(names, name)
        ? (names[name] as number)
        : -1;
    const start = match[2 * group] ?? -1;
    if (group >= 0 && start >= 0) out += text.slice(start, match[2 * group + 1]);
  }
  return out + rest;
}
