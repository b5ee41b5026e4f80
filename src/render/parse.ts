// The template parser: handlebars syntax plus Helm habits inside one expression, straight to handlebars' AST, with
// handlebars' own whitespace rules (standalone lines, `~`) applied by its WhitespaceControl visitor. Lines copied
// from Helm charts work as written: leading-dot paths (`.Values.x`, `.`), `$` for the root, pipelines where the
// value flows in as the last argument (`a | f x` is `f x a`), `{{-`/`-}}` trimming, `{{/* comments */}}`, Go string
// escapes and raw strings, and `(expr).Field`. Blocks are handlebars blocks; a file written in Go's syntax is parsed
// by go-parse.ts, and Go's keywords in a handlebars file are refused with a message saying what to write instead.
// (One pass over the text: handlebars' generated parser costs more than rendering the template.)
import WhitespaceControl from 'handlebars/dist/cjs/handlebars/compiler/whitespace-control.js';
// handlebars' types declare the AST (the global `hbs` namespace) built here.
import type {} from 'handlebars';
import { PortolanError } from '../errors.js';

type Program = hbs.AST.Program & { chained?: boolean };
type Statement = hbs.AST.Statement;
type Expression = hbs.AST.Expression;
type Block = hbs.AST.BlockStatement;
type Strip = hbs.AST.StripFlags;
type Loc = hbs.AST.SourceLocation;

/** Helpers that take no arguments: a bare name in argument position calls them, as Go does. */
const ZERO_ARG = new Set(['now', 'uuidv4', 'list', 'dict']);
const QUOTES = /["'`]/g;
const GO_BLOCKS = /^(if|else if|range|with|end|define|block|break|continue)(\s|$)/;
const GO_HINTS: Record<string, string> = {
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

type Term =
  | { kind: 'atom'; text: string }
  | { kind: 'literal'; text: string }
  | { kind: 'hash'; key: string; value: Term }
  | { kind: 'group'; expr: Segment[]; fields?: string };
type Segment = Term[];

/** A block being parsed: where its statements go, and the chain of `{{else if}}` blocks it has grown. */
interface OpenBlock {
  block: Block;
  /** The open tag, for `{{/name}}` checks and messages. */
  name: string;
  inverted: boolean;
  /** `{{else if …}}` blocks, outermost first; each sits in the previous one's inverse. */
  chain: Block[];
  body: Statement[];
  line: number;
}

class Parser {
  private line = 1;
  private lineStart = 0;
  private readonly stack: OpenBlock[] = [];
  private readonly root: Statement[] = [];

  constructor(
    private readonly source: string,
    private readonly file: string,
  ) {}

  private fail(message: string, hint: string, line = this.line): never {
    throw new PortolanError('TEMPLATE_SYNTAX', `${this.file}:${line}: ${message}`, { file: this.file, line, hint });
  }

  private get body(): Statement[] {
    return this.stack.at(-1)?.body ?? this.root;
  }

  private loc(start: number, end: number): Loc {
    let endLine = this.line;
    let endLineStart = this.lineStart;
    for (let i = this.source.indexOf('\n', start); i >= 0 && i < end; i = this.source.indexOf('\n', i + 1)) {
      endLine++;
      endLineStart = i + 1;
    }
    return {
      source: this.file,
      start: { line: this.line, column: start - this.lineStart },
      end: { line: endLine, column: end - endLineStart },
    };
  }

  /** Moves the line counter over source[from, to). */
  private advance(from: number, to: number): void {
    for (let i = this.source.indexOf('\n', from); i >= 0 && i < to; i = this.source.indexOf('\n', i + 1)) {
      this.line++;
      this.lineStart = i + 1;
    }
  }

  private content(from: number, to: number): void {
    if (to <= from) return;
    const value = this.source.slice(from, to);
    this.body.push({
      type: 'ContentStatement',
      value,
      original: value,
      loc: this.loc(from, to),
    } as unknown as Statement);
    this.advance(from, to);
  }

  run(): Program {
    const src = this.source;
    let i = 0;
    let contentStart = 0;
    for (;;) {
      const open = src.indexOf('{{', i);
      if (open < 0) break;
      const escaped = open > 0 && src[open - 1] === '\\';
      if (escaped && src[open - 2] !== '\\') {
        // `\{{` is handlebars' escaped mustache: the backslash goes, the mustache stays text.
        this.content(contentStart, open - 1);
        contentStart = open;
        const close = src.indexOf('}}', open);
        i = close < 0 ? src.length : close + 2;
        continue;
      }
      // `\\{{`: an escaped backslash before a real mustache keeps one backslash.
      this.content(contentStart, escaped ? open - 1 : open);
      const end = this.mustache(open);
      this.advance(open, end);
      i = contentStart = end;
    }
    this.content(contentStart, src.length);
    const unclosed = this.stack.at(-1);
    if (unclosed) {
      this.fail(
        `{{#${unclosed.name}}} is never closed: the template ends inside it`,
        `Close it with {{/${unclosed.name}}}.`,
        unclosed.line,
      );
    }
    const program = { type: 'Program', body: this.root, strip: {}, blockParams: [] } as unknown as Program;
    return new WhitespaceControl().accept(program) as Program;
  }

  /** Parses the mustache at `open`; returns where the text continues. */
  private mustache(open: number): number {
    const src = this.source;
    if (src.startsWith('{{{{', open))
      this.fail('raw blocks ({{{{raw}}}}) are not supported', 'Write the text as it is, or escape a mustache as \\{{.');
    let start = open + 2;
    const triple = src[start] === '{';
    if (triple) start++;
    let ltrim = false;
    if (src[start] === '~' || (src[start] === '-' && /\s/.test(src[start + 1] ?? ''))) {
      ltrim = true;
      start++;
    }
    let first = start;
    while (
      first < src.length &&
      (src[first] === ' ' || src[first] === '\t' || src[first] === '\n' || src[first] === '\r')
    )
      first++;
    if (src[first] === '!') return this.comment(open, first, ltrim);
    if (src.startsWith('/*', first)) return this.goComment(open, first, ltrim);
    const close = this.findClose(start, triple);
    let inner = src.slice(start, close);
    let rtrim = false;
    if (inner.endsWith('~') || /\s-$/.test(inner)) {
      rtrim = true;
      inner = inner.slice(0, -1);
    }
    const end = close + (triple ? 3 : 2);
    const strip: Strip = { open: ltrim, close: rtrim };
    this.statement(inner.trim(), strip, this.loc(open, end));
    return end;
  }

  private comment(open: number, bang: number, ltrim: boolean): number {
    const src = this.source;
    const long = src.startsWith('!--', bang);
    let close: number;
    if (long) {
      const ending = /--~?\}\}/g;
      ending.lastIndex = bang + 3;
      const found = ending.exec(src);
      close = found ? found.index + found[0].length - 2 : -1;
    } else close = src.indexOf('}}', bang);
    if (close < 0) this.fail('this comment is never closed', long ? 'End it with --}}.' : 'End it with }}.');
    const text = src.slice(open, close + 2);
    const rtrim = src[close - 1] === '~';
    const value = text.replace(/^\{\{~?\s*!-?-?/, '').replace(/-?-?~?\}\}$/, '');
    this.body.push({
      type: 'CommentStatement',
      value,
      strip: { open: ltrim, close: rtrim },
      loc: this.loc(open, close + 2),
    } as unknown as Statement);
    return close + 2;
  }

  /** `{{/* … *\/}}` (optionally `{{- /* … *\/ -}}`) is a comment. */
  private goComment(open: number, slash: number, ltrim: boolean): number {
    const src = this.source;
    const closeComment = src.indexOf('*/', slash + 2);
    if (closeComment < 0) this.fail('this comment is never closed', 'End it with */}}.');
    const after = /^\s*(-\s*|~)?\}\}/.exec(src.slice(closeComment + 2));
    if (!after) this.fail('a comment must end with */}}', 'Write {{/* comment */}} with nothing between */ and }}.');
    const end = closeComment + 2 + after[0].length;
    this.body.push({
      type: 'CommentStatement',
      value: src.slice(slash + 2, closeComment),
      strip: { open: ltrim, close: Boolean(after[1]) },
      loc: this.loc(open, end),
    } as unknown as Statement);
    return end;
  }

  private findClose(start: number, triple: boolean): number {
    const src = this.source;
    // Most mustaches hold no quotes before their }}: find that with the native searches, else scan.
    const close = src.indexOf(triple ? '}}}' : '}}', start);
    if (close >= 0) {
      QUOTES.lastIndex = start;
      const quote = QUOTES.exec(src);
      if (!quote || quote.index > close) return close;
    }
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

  private statement(inner: string, strip: Strip, loc: Loc): void {
    const first = inner[0];
    if (first === '>' || inner.startsWith('#>'))
      this.fail(
        'handlebars partials ({{> name}}) are not supported',
        'Define partials with {{#define "name"}}…{{/define}} and call them with {{ include "name" . }}.',
      );
    if (first === '*' || inner.startsWith('#*'))
      this.fail('handlebars decorators are not supported', 'Use helpers and partials instead.');
    if (first === '/') return this.closeBlock(inner.slice(1).trim(), strip);
    if (inner === '^' || /^else$/.test(inner)) return this.inverse(strip);
    if (/^else\s/.test(inner)) return this.openBlock(inner.slice(4).trim(), strip, loc, 'chain');
    if (first === '#') return this.openBlock(inner.slice(1).trim(), strip, loc, 'block');
    if (first === '^') return this.openBlock(inner.slice(1).trim(), strip, loc, 'inverted');
    const body = first === '&' ? inner.slice(1).trim() : inner;
    if (body === '') this.fail('an empty {{ }}', 'Put an expression inside, e.g. {{ .Values.name }}.');
    const go = GO_BLOCKS.exec(body);
    if (go) {
      const keyword = go[1] as string;
      this.fail(
        `{{ ${keyword}${keyword === 'end' ? '' : ' …'} }} is Go template syntax in a file that uses handlebars block tags; a file is written in one dialect`,
        `${GO_HINTS[keyword] ?? ''} Or write the whole file in Go syntax.`.trim(),
      );
    }
    if (/^\$\w*\s*:?=/.test(body) || (body.includes(':=') && stripStrings(body).includes(':='))) {
      this.fail(
        'Go template variables ($x := …) in a file that uses handlebars block tags; a file is written in one dialect',
        'Use the value directly, {{#with value}}…{{/with}}, or block params: {{#each list as |item|}}; or write the whole file in Go syntax.',
      );
    }
    const call = this.call(this.parse(body), loc);
    this.body.push({
      type: 'MustacheStatement',
      path: call.path,
      params: call.params,
      hash: call.hash,
      escaped: false,
      strip,
      loc,
    } as unknown as Statement);
  }

  private openBlock(rest: string, strip: Strip, loc: Loc, kind: 'block' | 'inverted' | 'chain'): void {
    const match = /^(\S+)\s*([\s\S]*)$/.exec(rest);
    if (!match)
      this.fail(
        'a block needs a name, e.g. {{#if …}}',
        'Blocks are {{#if}}, {{#unless}}, {{#each}}, {{#with}}, {{#define}}.',
      );
    const name = match[1] as string;
    let params = match[2] as string;
    let blockParams: string[] = [];
    const bp = /(?:^|\s+)as\s+\|([^|]*)\|\s*$/.exec(params);
    if (bp) {
      blockParams = (bp[1] as string)
        .trim()
        .split(/\s+/)
        .filter((p) => p !== '');
      params = params.slice(0, bp.index).trim();
    }
    const segments = params === '' ? [] : this.parse(params);
    const call =
      segments.length > 1
        ? { path: this.atom(name, loc), params: [this.pipeline(segments, loc)], hash: hash([], loc) }
        : this.callOf([{ kind: 'atom', text: name }, ...(segments[0] ?? [])], loc, undefined);
    const program = { type: 'Program', body: [], strip: {}, blockParams } as unknown as Program;
    const block = {
      type: 'BlockStatement',
      path: call.path,
      params: call.params,
      hash: call.hash,
      program,
      inverse: undefined,
      openStrip: strip,
      inverseStrip: undefined,
      closeStrip: undefined,
      loc,
    } as unknown as Block;
    if (kind === 'chain') {
      const frame = this.stack.at(-1);
      if (!frame || frame.inverted)
        this.fail(
          `{{else ${name} …}} outside an {{#if}}, {{#each}} or {{#with}} block`,
          "An {{else …}} goes between a block's open and close tags.",
        );
      const owner = frame.chain.at(-1) ?? frame.block;
      if (owner.inverse) this.fail(`{{else ${name} …}} after {{else}}`, 'The plain {{else}} comes last.');
      owner.inverse = { type: 'Program', body: [block], strip: {}, chained: true } as unknown as Program;
      owner.inverseStrip = strip;
      frame.chain.push(block);
      frame.body = program.body;
      return;
    }
    this.body.push(block);
    this.stack.push({
      block,
      name: (call.path as hbs.AST.PathExpression).original,
      inverted: kind === 'inverted',
      chain: [],
      body: program.body,
      line: this.line,
    });
  }

  private inverse(strip: Strip): void {
    const frame = this.stack.at(-1);
    if (!frame) this.fail('{{else}} outside a block', "An {{else}} goes between a block's open and close tags.");
    const owner = frame.chain.at(-1) ?? frame.block;
    if (owner.inverse)
      this.fail('a second {{else}} in one block', 'A block has one {{else}}; chain conditions with {{else if …}}.');
    const inverse = { type: 'Program', body: [], strip: {} } as unknown as Program;
    owner.inverse = inverse;
    owner.inverseStrip = strip;
    frame.body = inverse.body;
  }

  private closeBlock(name: string, strip: Strip): void {
    const frame = this.stack.pop();
    if (!frame) this.fail(`{{/${name}}} closes no open block`, `Remove it, or open the block with {{#${name} …}}.`);
    if (frame.name !== name) {
      this.fail(
        `{{/${name}}} does not close the open {{#${frame.name}}} block (opened on line ${frame.line})`,
        `Close it with {{/${frame.name}}}.`,
      );
    }
    const { block } = frame;
    block.closeStrip = strip;
    // As handlebars builds chains: the first {{else if}} block closes with the real close tag, later ones with
    // their own open tag's strip.
    frame.chain.forEach((chained, index) => {
      chained.closeStrip = index === 0 ? strip : chained.openStrip;
    });
    if (frame.inverted) {
      const program = block.program;
      block.program = block.inverse;
      block.inverse = program;
    }
  }

  // --- expressions ---------------------------------------------------------------------------------------------

  private parse(text: string): Segment[] {
    const tokens = tokenize(text, (message) =>
      this.fail(message, 'Check the quotes and parentheses of this expression.'),
    );
    let pos = 0;
    const pipeline = (): Segment[] => {
      const segments: Segment[] = [[]];
      while (pos < tokens.length) {
        const token = tokens[pos] as string;
        if (token === ')') return segments;
        pos++;
        if (token === '|') {
          if ((segments.at(-1) as Segment).length === 0)
            this.fail('a | with nothing before it', 'A pipeline is value | function args…');
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
      if (/^[\w@-]+=$/.test(token)) {
        const next = tokens[pos++];
        if (next === undefined || next === ')' || next === '|') this.fail(`${token} has no value`, 'Write key=value.');
        return { kind: 'hash', key: token.slice(0, -1), value: termOf(next) };
      }
      if (/^["'`]/.test(token) || /^-?\d+(\.\d+)?$/.test(token) || /^(true|false|null|undefined|nil)$/.test(token))
        return { kind: 'literal', text: token };
      return { kind: 'atom', text: token };
    };
    const segments = pipeline();
    if (pos < tokens.length) this.fail('a ) without a matching (', 'Balance the parentheses.');
    for (const segment of segments)
      if (segment.length === 0) this.fail('a | with nothing after it', 'A pipeline is value | function args…');
    return segments;
  }

  /** A mustache's expression as a call: the path (or helper name), positional and hash arguments. */
  private call(segments: Segment[], loc: Loc): { path: Expression; params: Expression[]; hash: hbs.AST.Hash } {
    if (segments.length > 1) {
      const last = segments.at(-1) as Segment;
      const piped = this.pipeline(segments.slice(0, -1), loc);
      return this.callOf(last, loc, piped);
    }
    const only = segments[0] as Segment;
    if (only.length === 1 && only[0]?.kind === 'literal') {
      return { path: path('__lit', loc), params: [this.literal(only[0].text, loc)], hash: hash([], loc) };
    }
    if (only.length === 1 && only[0]?.kind === 'group') {
      return { path: path('__lit', loc), params: [this.term(only[0], loc)], hash: hash([], loc) };
    }
    return this.callOf(only, loc, undefined);
  }

  private callOf(
    segment: Segment,
    loc: Loc,
    piped: Expression | undefined,
  ): { path: Expression; params: Expression[]; hash: hbs.AST.Hash } {
    const [head, ...rest] = segment as [Term, ...Term[]];
    const headNode = head.kind === 'atom' ? this.atom(head.text, loc) : this.term(head, loc);
    const params = rest.filter((t) => t.kind !== 'hash').map((t) => this.term(t, loc));
    if (piped) params.push(piped);
    const pairs = rest
      .filter((t): t is Extract<Term, { kind: 'hash' }> => t.kind === 'hash')
      .map(
        (t) => ({ type: 'HashPair', key: t.key, value: this.term(t.value, loc), loc }) as unknown as hbs.AST.HashPair,
      );
    if (head.kind !== 'atom' && (params.length > 0 || pairs.length > 0))
      this.fail('a call must start with a function name', 'Write name arg1 arg2, e.g. quote .Values.x.');
    return { path: headNode, params, hash: hash(pairs, loc) };
  }

  /** `a | f x | g` → `g (f x a)`, as one expression. */
  private pipeline(segments: Segment[], loc: Loc): Expression {
    let carried: Expression | undefined;
    for (const segment of segments) {
      if (carried === undefined && segment.length === 1) {
        carried = this.term(segment[0] as Term, loc);
        continue;
      }
      const call = this.callOf(segment, loc, carried);
      carried = {
        type: 'SubExpression',
        path: call.path,
        params: call.params,
        hash: call.hash,
        loc,
      } as unknown as Expression;
    }
    return carried as Expression;
  }

  private term(term: Term, loc: Loc): Expression {
    switch (term.kind) {
      case 'literal':
        return this.literal(term.text, loc);
      case 'hash':
        return this.fail(`${term.key}= must come after the positional arguments`, 'Write name arg key=value.');
      case 'group': {
        const inner = this.pipeline(term.expr, loc);
        if (!term.fields) return inner;
        return {
          type: 'SubExpression',
          path: path('__field', loc),
          params: [inner, { type: 'StringLiteral', value: term.fields, original: term.fields, loc }],
          hash: hash([], loc),
          loc,
        } as unknown as Expression;
      }
      case 'atom':
        if (ZERO_ARG.has(term.text))
          return {
            type: 'SubExpression',
            path: path(term.text, loc),
            params: [],
            hash: hash([], loc),
            loc,
          } as unknown as Expression;
        return this.atom(term.text, loc);
    }
  }

  private literal(text: string, loc: Loc): Expression {
    if (text === 'null' || text === 'nil')
      return { type: 'NullLiteral', value: null, original: null, loc } as unknown as Expression;
    if (text === 'undefined')
      return { type: 'UndefinedLiteral', value: undefined, original: undefined, loc } as unknown as Expression;
    if (text === 'true' || text === 'false')
      return {
        type: 'BooleanLiteral',
        value: text === 'true',
        original: text === 'true',
        loc,
      } as unknown as Expression;
    if (/^-?\d/.test(text))
      return { type: 'NumberLiteral', value: Number(text), original: Number(text), loc } as unknown as Expression;
    let value: string;
    if (text.startsWith('`')) value = text.slice(1, -1);
    else if (text.startsWith('"')) value = decodeGoString(text);
    else value = text.slice(1, -1).replace(/\\'/g, "'");
    return { type: 'StringLiteral', value, original: value, loc } as unknown as Expression;
  }

  /** A path with Helm habits: `.` → this, `.X` → this.X, `$` → @root, `$.X` → @root.X; Go variables refused. */
  private atom(text: string, loc: Loc): Expression {
    let written = text;
    if (text === 'nil') return this.literal('nil', loc);
    if (text === '.') written = 'this';
    else if (/^\.[A-Za-z_[]/.test(text)) written = `this${text}`;
    else if (text === '$') written = '@root';
    else if (text.startsWith('$.')) written = `@root${text.slice(1)}`;
    else if (text.startsWith('$'))
      this.fail(
        `Go template variables (${text.split('.')[0]}) in a file that uses handlebars block tags; a file is written in one dialect`,
        'Use $ for the root, block params ({{#each list as |item|}}), or the value itself; or write the whole file in Go syntax.',
      );
    return parsePath(written, loc, (message) =>
      this.fail(message, 'A path is name.name…, this.name, ../name or @root.name.'),
    );
  }
}

function path(name: string, loc: Loc): Expression {
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc } as unknown as Expression;
}

function hash(pairs: hbs.AST.HashPair[], loc: Loc): hbs.AST.Hash {
  return { type: 'Hash', pairs, loc } as unknown as hbs.AST.Hash;
}

/**
 * handlebars' preparePath: segments split on `.` or `/` (brackets keep a segment literal), `..` climbs, `this` stays.
 */
function parsePath(text: string, loc: Loc, fail: (message: string) => never): Expression {
  const data = text.startsWith('@');
  const body = data ? text.slice(1) : text;
  const segments: Array<{ part: string; literal: boolean; separator: string }> = [];
  let i = 0;
  let separator = '';
  while (i < body.length) {
    if (body[i] === '[') {
      const end = body.indexOf(']', i);
      if (end < 0) fail(`the segment [ in ${text} is never closed with ]`);
      segments.push({ part: body.slice(i + 1, end), literal: true, separator });
      i = end + 1;
    } else {
      let j = i;
      if (body.startsWith('..', i)) j = i + 2;
      else while (j < body.length && body[j] !== '.' && body[j] !== '/') j++;
      if (j === i) j = i + 1;
      segments.push({ part: body.slice(i, j), literal: false, separator });
      i = j;
    }
    if (i < body.length) {
      if (body[i] !== '.' && body[i] !== '/') fail(`unexpected "${body[i]}" in the path ${text}`);
      separator = body[i] as string;
      i++;
    }
  }
  let original = data ? '@' : '';
  const parts: string[] = [];
  let depth = 0;
  for (const segment of segments) {
    original += segment.separator + (segment.literal ? `[${segment.part}]` : segment.part);
    if (!segment.literal && (segment.part === '..' || segment.part === '.' || segment.part === 'this')) {
      if (parts.length > 0) fail(`invalid path ${text}: ${segment.part} can only start a path`);
      if (segment.part === '..') depth++;
    } else parts.push(segment.part);
  }
  return { type: 'PathExpression', data, depth, parts, original, loc } as unknown as Expression;
}

/** Go strings: `"a\tb"` means a tab, as in Helm templates. */
export function decodeGoString(quoted: string): string {
  return quoted
    .slice(1, -1)
    .replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_m, code: string) => {
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
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) {
      const c = text[at] as string;
      if (c === '"' || c === "'" || c === '`') fail(`a string starting with ${c} is never closed`);
      fail(`unexpected "${c}"`);
    }
    const token = match[1];
    if (token === undefined) continue; // white space
    tokens.push(token);
    if (token === ')') {
      FIELD.lastIndex = TOKEN.lastIndex;
      const field = FIELD.exec(text);
      if (field) {
        tokens.push(`.)${field[1]}`);
        TOKEN.lastIndex = FIELD.lastIndex;
      }
    }
  }
  return tokens;
}

/** One token at a time (sticky): white space, a string, a paren or pipe, a hash key (`name=`), or an atom. */
const TOKEN = /\s+|("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`|[()|]|[\w@-]+=(?!=)|(?:\[[^\]]*\]|[^\s()|[])+)/y;
const FIELD = /\.([A-Za-z_][\w.]*)/y;

function stripStrings(text: string): string {
  return text.replace(/"(?:\\.|[^"\\])*"|'[^']*'|`[^`]*`/g, '""');
}

export type Dialect = 'go' | 'handlebars';

/** Marks only handlebars has: block tags `{{#x}}`, `{{^x}}`, `{{/x}}` (not a Go comment), `{{!`, `~`, `{{{`, `{{>`. */
const HANDLEBARS_MARK = /\{\{(?:~|\{|-?\s*(?:[#^!>&]|\/(?!\*)))|~\}\}/;
/** Marks only Go templates have: block keywords and variables. */
const GO_MARK =
  /\{\{-?\s*(?:if|range|with|define|template|block|end|break|continue|else\s+(?:if|with))\b|\{\{[^}]*\$[A-Za-z_]/;

/** The dialect a template text is written in, or 'neutral' when it shows neither's marks (plain `{{ .Values.x }}`). */
export function detectDialect(text: string): Dialect | 'neutral' {
  if (!text.includes('{{')) return 'neutral';
  if (HANDLEBARS_MARK.test(text)) return 'handlebars';
  return GO_MARK.test(text) ? 'go' : 'neutral';
}

/** Parses a template's text (handlebars with Helm habits) into handlebars' AST; `file` names it in errors. */
export function parseTemplate(source: string, file: string): hbs.AST.Program {
  return new Parser(source, file).run();
}
