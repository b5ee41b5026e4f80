// Helm habits inside one expression, translated to handlebars before compiling, so lines copied from Helm charts
// work as written: leading-dot paths (`.Values.x` → `this.Values.x`, `.` → `this`), `$` for the root (`@root`),
// pipelines where the value flows in as the last argument (`a | f x` → `f x a`), `{{-`/`-}}` trimming (`~`),
// `{{/* comments */}}`, Go string escapes, and `(expr).Field`. Block structure stays handlebars; Go's block keywords
// (`{{ if }}`, `{{ range }}`, `{{ end }}`) and variables are refused with a message saying what to write instead.
// Line structure is kept (a mustache spanning lines keeps its newlines), so handlebars' line numbers are the
// template's. In strict mode every value a template reads goes through `__req`, which fails on a missing one.
import { PortolanError } from '../errors.js';

export interface TranslateOptions {
  /** Wrap values read by expressions so a missing one fails (`--strict`, lint). */
  strict?: boolean;
}

/** Helpers whose arguments may be missing on purpose: strict mode leaves their arguments alone. */
const LENIENT = new Set(['default', 'empty', 'coalesce', 'hasKey', 'required', 'ternary', 'and', 'or', 'not', 'eq', 'ne', 'kindIs', 'kindOf', 'typeOf', 'typeIs', 'typeIsLike', 'dig', 'get', 'index', 'if', 'unless', 'with', 'each', 'define', 'include', 'template', 'tpl']);
/** Helpers that take no arguments: a bare name in argument position calls them, as Go does. */
const ZERO_ARG = new Set(['now', 'uuidv4', 'list', 'dict']);
const GO_BLOCKS = /^(if|else if|range|with|end|define|block|break|continue)(\s|$)/;

type Term =
  | { kind: 'atom'; text: string }
  | { kind: 'literal'; text: string }
  | { kind: 'hash'; key: string; value: Term }
  | { kind: 'group'; expr: Segment[]; fields?: string };
type Segment = Term[];

class Translator {
  private line = 1;

  constructor(
    private readonly source: string,
    private readonly file: string,
    private readonly options: TranslateOptions,
  ) {}

  private fail(message: string, hint: string, line = this.line): never {
    throw new PortolanError('TEMPLATE_SYNTAX', `${this.file}:${line}: ${message}`, { file: this.file, line, hint });
  }

  run(): string {
    const src = this.source;
    let out = '';
    let i = 0;
    for (;;) {
      const open = src.indexOf('{{', i);
      if (open < 0) return out + src.slice(i);
      out += src.slice(i, open);
      this.line += countNewlines(src, i, open);
      if (open > 0 && src[open - 1] === '\\') {
        // `\{{` is handlebars' escaped mustache: copied as it is.
        const end = src.indexOf('}}', open);
        const stop = end < 0 ? src.length : end + 2;
        out += src.slice(open, stop);
        this.line += countNewlines(src, open, stop);
        i = stop;
        continue;
      }
      const { text, end } = this.mustache(open);
      out += text;
      this.line += countNewlines(src, open, end);
      i = end;
    }
  }

  /** Translates the mustache starting at `open`; returns its text and where the source continues. */
  private mustache(open: number): { text: string; end: number } {
    const src = this.source;
    if (src.startsWith('{{{{', open)) {
      const close = src.indexOf('}}}}', src.indexOf('{{{{/', open + 4));
      const end = close < 0 ? src.length : close + 4;
      return { text: src.slice(open, end), end };
    }
    let start = open + 2;
    const triple = src[start] === '{';
    if (triple) start++;
    let ltrim = '';
    if (src[start] === '~') {
      ltrim = '~';
      start++;
    } else if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      ltrim = '~';
      start++;
    }
    const head = src.slice(start, start + 4).trimStart();
    if (head.startsWith('!')) {
      const long = src.slice(start).trimStart().startsWith('!--');
      const close = src.indexOf(long ? '--' : '}}', start + 1);
      const stop = close < 0 ? -1 : src.indexOf('}}', close);
      if (stop < 0) this.fail('this comment is never closed', long ? 'End it with --}}.' : 'End it with }}.');
      return { text: src.slice(open, stop + 2), end: stop + 2 };
    }
    if (head.startsWith('/*')) return this.goComment(open, start, ltrim);
    const close = this.findClose(start, triple);
    let inner = src.slice(start, close);
    let rtrim = '';
    if (inner.endsWith('~')) {
      rtrim = '~';
      inner = inner.slice(0, -1);
    } else if (/\s-$/.test(inner)) {
      rtrim = '~';
      inner = inner.slice(0, -1);
    }
    const newlines = '\n'.repeat(countNewlines(inner, 0, inner.length));
    const body = this.inner(inner.trim());
    const closeLength = triple ? 3 : 2;
    const text = `{{${triple ? '{' : ''}${ltrim}${body}${newlines}${rtrim}}}${triple ? '}' : ''}`;
    return { text, end: close + closeLength };
  }

  /** `{{/* … *\/}}` (optionally `{{- /* … *\/ -}}`) becomes a handlebars comment. */
  private goComment(open: number, start: number, ltrim: string): { text: string; end: number } {
    const src = this.source;
    const closeComment = src.indexOf('*/', start);
    if (closeComment < 0) this.fail('this comment is never closed', 'End it with */}}.');
    const after = /^\s*(-\s*|~)?\}\}/.exec(src.slice(closeComment + 2));
    if (!after) this.fail('a comment must end with */}}', 'Write {{/* comment */}} with nothing between */ and }}.');
    const body = src.slice(src.indexOf('/*', start) + 2, closeComment).replace(/--\}\}/g, '-- }}');
    const rtrim = after[1] ? '~' : '';
    return { text: `{{${ltrim}!--${body}--${rtrim}}}`, end: closeComment + 2 + after[0].length };
  }

  private findClose(start: number, triple: boolean): number {
    const src = this.source;
    let quote: string | undefined;
    for (let i = start; i < src.length; i++) {
      const c = src[i];
      if (quote) {
        if (c === '\\' && quote !== '`') i++;
        else if (c === quote) quote = undefined;
        continue;
      }
      if (c === '"' || c === '`' || (c === "'" && /[\s(=]/.test(src[i - 1] ?? ' '))) quote = c;
      else if (c === '}' && src[i + 1] === '}' && (!triple || src[i + 2] === '}')) return i;
    }
    return this.fail('this {{ is never closed with }}', 'Close every {{ with }}.');
  }

  private inner(inner: string): string {
    const first = inner[0];
    if (first === '/' || first === '>' || inner.startsWith('#>') || inner.startsWith('#*')) return inner;
    if (first === '#' || first === '^') {
      if (inner === '^') return inner;
      const match = /^([#^])(\S+)\s*([\s\S]*)$/.exec(inner);
      if (!match) return inner;
      const [, sigil, name, rest] = match as unknown as [string, string, string, string];
      return `${sigil}${name}${this.blockParams(rest, name)}`;
    }
    if (first === '&') return `&${this.expression(inner.slice(1).trim())}`;
    if (/^else(\s|$)/.test(inner)) {
      const rest = inner.slice(4).trim();
      if (rest === '') return 'else';
      const match = /^(\S+)\s*([\s\S]*)$/.exec(rest) as RegExpExecArray;
      return `else ${match[1]}${this.blockParams(match[2] as string, match[1] as string)}`;
    }
    if (inner === '') this.fail('an empty {{ }}', 'Put an expression inside, e.g. {{ .Values.name }}.');
    const go = GO_BLOCKS.exec(inner);
    if (go) {
      const keyword = go[1] as string;
      const hints: Record<string, string> = {
        if: 'Write {{#if .Values.x}}…{{else}}…{{/if}}.',
        'else if': 'Write {{else if .Values.y}} inside an {{#if}} block.',
        range: 'Write {{#each .Values.items}}…{{/each}}; inside, {{ . }} is the item and {{ @key }} or {{ @index }} its key.',
        with: 'Write {{#with .Values.x}}…{{/with}}.',
        end: 'Close the block with its name: {{/if}}, {{/each}}, {{/with}}, {{/define}}.',
        define: 'Write {{#define "name"}}…{{/define}}.',
        block: 'Write {{#define "name"}}…{{/define}} and {{ include "name" . }}.',
        break: 'portolan templates have no break; filter the list first.',
        continue: 'portolan templates have no continue; use {{#if}} inside the loop.',
      };
      this.fail(`{{ ${keyword}${keyword === 'end' ? '' : ' …'} }} is Go template block syntax; portolan templates use handlebars blocks`, hints[keyword] ?? '');
    }
    if (/^\$\w*\s*:?=/.test(inner) || /:=/.test(stripStrings(inner))) {
      this.fail('template variables ($x := …) are not supported', 'Use the value directly, {{#with value}}…{{/with}}, or block params: {{#each list as |item|}}.');
    }
    return ` ${this.expression(inner)} `;
  }

  /** Block helper arguments: a pipeline becomes one subexpression; `as |a b|` block params are kept. */
  private blockParams(rest: string, name: string): string {
    if (rest.trim() === '') return '';
    let params = rest;
    let blockParams = '';
    const bp = /\s+as\s+\|[^|]*\|\s*$/.exec(` ${rest}`);
    if (bp) {
      blockParams = bp[0].trimEnd();
      params = ` ${rest}`.slice(0, bp.index).trim();
    }
    const lenient = LENIENT.has(name);
    const segments = this.parse(params);
    if (segments.length > 1) return ` ${this.emitPipeline(segments, true, lenient)}${blockParams}`;
    const terms = (segments[0] ?? []).map((t) => this.emitTerm(t, lenient, true));
    return `${terms.length > 0 ? ` ${terms.join(' ')}` : ''}${blockParams}`;
  }

  /** A mustache's whole expression: a lone literal prints through `__lit`; a call is not parenthesized. */
  private expression(text: string): string {
    const segments = this.parse(text);
    const only = segments.length === 1 && segments[0]?.length === 1 ? segments[0][0] : undefined;
    if (only?.kind === 'literal') return `__lit ${emitLiteral(only.text)}`;
    return unwrap(this.emitPipeline(segments, false, false));
  }

  // --- parsing -------------------------------------------------------------------------------------------------

  private parse(text: string): Segment[] {
    const tokens = tokenize(text, (message) => this.fail(message, 'Check the quotes and parentheses of this expression.'));
    let pos = 0;
    const pipeline = (): Segment[] => {
      const segments: Segment[] = [[]];
      while (pos < tokens.length) {
        const token = tokens[pos] as string;
        if (token === ')') return segments;
        pos++;
        if (token === '|') {
          if ((segments.at(-1) as Segment).length === 0) this.fail('a | with nothing before it', 'A pipeline is value | function args…');
          segments.push([]);
          continue;
        }
        (segments.at(-1) as Segment).push(termOf(token));
      }
      return segments;
    };
    const termOf = (token: string): Term => {
      if (token === '(') {
        const expr = pipeline();
        if (tokens[pos] !== ')') this.fail('a ( is never closed with )', 'Balance the parentheses.');
        pos++;
        let fields: string | undefined;
        if (tokens[pos]?.startsWith('.)')) fields = (tokens[pos++] as string).slice(2);
        return { kind: 'group', expr, fields };
      }
      if (/^[\w@-]+=$/.test(token) && !token.startsWith('=')) {
        const next = tokens[pos++];
        if (next === undefined || next === ')' || next === '|') this.fail(`${token} has no value`, 'Write key=value.');
        return { kind: 'hash', key: token.slice(0, -1), value: termOf(next) };
      }
      if (/^["'`]/.test(token) || /^-?\d+(\.\d+)?$/.test(token) || /^(true|false|null|undefined|nil)$/.test(token)) return { kind: 'literal', text: token };
      return { kind: 'atom', text: token };
    };
    const segments = pipeline();
    if (pos < tokens.length) this.fail('a ) without a matching (', 'Balance the parentheses.');
    for (const segment of segments) if (segment.length === 0) this.fail('a | with nothing after it', 'A pipeline is value | function args…');
    return segments;
  }

  // --- emitting ------------------------------------------------------------------------------------------------

  /** `a | f x | g` → `g (f x a)`; in parentheses when used as an argument and it is a call. */
  private emitPipeline(segments: Segment[], asArgument: boolean, lenient: boolean): string {
    let carried: string | undefined;
    segments.forEach((segment, index) => {
      const nextHead = segments[index + 1]?.[0];
      const feedsLenient = nextHead?.kind === 'atom' && LENIENT.has(nextHead.text);
      const isLast = index === segments.length - 1;
      const head = segment[0] as Term;
      if (segment.length === 1 && carried === undefined) {
        carried = this.emitTerm(head, lenient || feedsLenient, true);
        return;
      }
      const headText = head.kind === 'atom' ? translateAtom(head.text, (m, h) => this.fail(m, h)) : this.emitTerm(head, true, true);
      const argsLenient = lenient || feedsLenient || (head.kind === 'atom' && LENIENT.has(head.text));
      const rest = segment.slice(1);
      const positional = rest.filter((t) => t.kind !== 'hash').map((t) => this.emitTerm(t, argsLenient, true));
      const hashes = rest.filter((t) => t.kind === 'hash').map((t) => this.emitTerm(t, argsLenient, true));
      const call = [headText, ...positional, ...(carried === undefined ? [] : [carried]), ...hashes].join(' ');
      carried = isLast && !asArgument ? call : `(${call})`;
    });
    return carried as string;
  }

  /** A term in argument form: parenthesized when it is a call. */
  private emitTerm(term: Term, lenient: boolean, asArgument: boolean): string {
    switch (term.kind) {
      case 'literal':
        return emitLiteral(term.text);
      case 'hash':
        return `${term.key}=${this.emitTerm(term.value, lenient, true)}`;
      case 'group': {
        const inner = this.emitPipeline(term.expr, true, lenient);
        return term.fields ? `(__field ${inner} "${term.fields}")` : inner;
      }
      case 'atom': {
        if (ZERO_ARG.has(term.text)) return asArgument ? `(${term.text})` : term.text;
        const path = translateAtom(term.text, (m, h) => this.fail(m, h));
        if (!this.options.strict || lenient || !isValuePath(path)) return path;
        return `(__req ${path} "${term.text.replace(/"/g, '')}")`;
      }
    }
  }
}

/** `(f x)` → `f x` when the parentheses hold the whole text (a mustache's body cannot be one subexpression). */
function unwrap(text: string): string {
  if (!text.startsWith('(') || !text.endsWith(')')) return text;
  let depth = 0;
  let quote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"') quote = false;
      continue;
    }
    if (c === '"') quote = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0 && i < text.length - 1) return text;
  }
  return text.slice(1, -1);
}

function isValuePath(path: string): boolean {
  return path !== 'this' && !path.startsWith('@') && path !== '@root' && !/^\.\.?\//.test(path);
}

/** `.` → this, `.X` → this.X, `$` → @root, `$.X` → @root.X, `nil` → null; Go variables are refused. */
function translateAtom(text: string, fail: (message: string, hint: string) => never): string {
  if (text === '.') return 'this';
  if (text.startsWith('.') && /^\.[A-Za-z_[]/.test(text)) return `this${text}`;
  if (text === '$') return '@root';
  if (text.startsWith('$.')) return `@root${text.slice(1)}`;
  if (text.startsWith('$')) fail(`template variables (${text.split('.')[0]}) are not supported`, 'Use $ for the root, block params ({{#each list as |item|}}), or the value itself.');
  if (text === 'nil') return 'null';
  return text;
}

/** Go strings: `"a\tb"` keeps its escapes' meaning (handlebars would keep the backslash); raw `` `…` `` strings too. */
function emitLiteral(text: string): string {
  if (text === 'nil') return 'null';
  if (text.startsWith('`')) {
    const content = text.slice(1, -1);
    return /["\\]/.test(content) ? `(__str "${encodeURIComponent(content)}")` : `"${content}"`;
  }
  if (text.startsWith('"') && text.slice(1, -1).replace(/\\"/g, '').includes('\\')) {
    return `(__str "${encodeURIComponent(decodeGoString(text))}")`;
  }
  return text;
}

export function decodeGoString(quoted: string): string {
  const body = quoted.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_m, code: string) => {
    switch (code[0]) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'a':
        return '\u0007';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case 'x':
      case 'u':
      case 'U':
        return String.fromCodePoint(Number.parseInt(code.slice(1), 16));
      default:
        return /^[0-7]{3}$/.test(code) ? String.fromCharCode(Number.parseInt(code, 8)) : code;
    }
  });
}

/**
 * Splits an expression into tokens: strings, `(`, `)`, `|`, `key=` (a hash argument's key), and atoms (paths,
 * numbers, literals). `(…).Field` yields a `.)Field` token after the `)`.
 */
function tokenize(text: string, fail: (message: string) => never): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' && c !== '`' ? 2 : 1;
      if (j >= text.length) fail(`a string starting with ${c} is never closed`);
      tokens.push(text.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === '(' || c === '|') {
      tokens.push(c);
      i++;
      continue;
    }
    if (c === ')') {
      tokens.push(c);
      i++;
      const field = /^\.([A-Za-z_][\w.]*)/.exec(text.slice(i));
      if (field) {
        tokens.push(`.)${field[1]}`);
        i += field[0].length;
      }
      continue;
    }
    let j = i;
    let bracket = false;
    while (j < text.length) {
      const d = text[j] as string;
      if (bracket) {
        if (d === ']') bracket = false;
        j++;
        continue;
      }
      if (d === '[') {
        bracket = true;
        j++;
        continue;
      }
      if (/[\s()|]/.test(d)) break;
      if (d === '=' && j > i && /^[\w@-]+$/.test(text.slice(i, j))) {
        j++;
        break;
      }
      j++;
    }
    tokens.push(text.slice(i, j));
    i = j;
  }
  return tokens;
}

function stripStrings(text: string): string {
  return text.replace(/"(?:\\.|[^"\\])*"|'[^']*'|`[^`]*`/g, '""');
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Translates a template's text from Helm habits to handlebars; `file` names it in errors. */
export function translateTemplate(source: string, file: string, options: TranslateOptions = {}): string {
  if (!source.includes('{{')) return source;
  return new Translator(source, file, options).run();
}
