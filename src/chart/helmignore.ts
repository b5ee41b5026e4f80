// .helmignore: glob lines, `!` negates, trailing `/` matches folders only, a leading `/` anchors at the chart root.
// A pattern without a slash matches the base name anywhere; one with a slash matches the whole path.
// Rules apply in order and the last matching rule decides (gitignore's rule; Helm's own negation is inverted, see
// README).

export interface IgnoreRule {
  negate: boolean;
  dirOnly: boolean;
  /** Matches the whole slash-separated path (anchored or containing a slash) or only the base name. */
  wholePath: boolean;
  regex: RegExp;
}

/** Helm always skips hidden files directly under templates/. */
const DEFAULT_RULES = ['templates/.?*'];

export function parseHelmignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const rawLine of [...DEFAULT_RULES, ...text.split(/\r?\n/)]) {
    let line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line === '!' || line === '/') continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    const dirOnly = line.endsWith('/');
    if (dirOnly) line = line.slice(0, -1);
    const anchored = line.startsWith('/');
    if (anchored) line = line.slice(1);
    if (line === '') continue;
    rules.push({ negate, dirOnly, wholePath: anchored || line.includes('/'), regex: globToRegex(line) });
  }
  return rules;
}

/** Go's filepath.Match syntax: `*` and `?` never cross `/`, `[...]` classes with `^`/`!` negation, `\` escapes. */
export function globToRegex(glob: string): RegExp {
  let out = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < glob.length) out += escapeRegex(glob[++i] as string);
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!') || body.startsWith('^')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else out += escapeRegex(c);
  }
  return new RegExp(`${out}$`);
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** True when the chart-relative path (slash-separated) is ignored. */
export function isIgnored(rules: IgnoreRule[], path: string, isDir: boolean): boolean {
  if (path === '' || path === '.') return false;
  const base = path.slice(path.lastIndexOf('/') + 1);
  let ignored = false;
  for (const rule of rules) {
    if (rule.dirOnly && !isDir) continue;
    if (rule.regex.test(rule.wholePath ? path : base)) ignored = !rule.negate;
  }
  return ignored;
}
