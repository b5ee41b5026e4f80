// The Go dialect of the template parser: Go's text/template syntax as Helm runs it (parse/lex.go and parse/parse.go
// are the specification), read into nodes that sit in the same Program as handlebars' statements, so one interpreter
// runs both. Text becomes handlebars ContentStatements; actions become the Go* nodes below. `{{-`/`-}}` trim all
// adjacent ASCII white space here, at parse time, as Go's lexer does; handlebars' standalone-line rule never applies.
import type {} from 'handlebars';
import { PortolanError } from '../errors.js';
import { decodeGoString } from './parse.js';

type Program = hbs.AST.Program;
type Statement = hbs.AST.Statement;

export interface GoLoc {
  start: { line: number; column: number };
}

/** An operand of a command, as Go's parse nodes name them. `text` is the source, for error messages. */
export type GoArg =
  | { kind: 'dot'; text: string }
  | { kind: 'nil'; text: string }
  | { kind: 'bool'; value: boolean; text: string }
  | { kind: 'string'; value: string; text: string }
  /** Integers are bigint (Go's int); numbers with a fraction or exponent are float64. */
  | { kind: 'number'; value: bigint | number; text: string }
  | { kind: 'field'; names: string[]; text: string }
  | { kind: 'variable'; name: string; names: string[]; text: string }
  | { kind: 'identifier'; name: string; text: string }
  | { kind: 'pipe'; pipe: GoPipe; text: string }
  | { kind: 'chain'; node: GoArg; names: string[]; text: string };

export interface GoCommand {
  args: GoArg[];
  text: string;
  /** The line the command starts on, for error messages. */
  line: number;
}

export interface GoPipe {
  /** Variables declared (`$x :=`) or assigned (`$x =`) by this pipeline. */
  decl: string[];
  isAssign: boolean;
  cmds: GoCommand[];
  text: string;
}

export interface GoAction {
  type: 'GoAction';
  pipe: GoPipe;
  loc: GoLoc;
}

/** if, with and range: `else if`/`else with` chains are a nested node alone in `inverse`, as Go parses them. */
export interface GoBranch {
  type: 'GoIf' | 'GoWith' | 'GoRange';
  pipe: GoPipe;
  program: Program;
  inverse: Program | undefined;
  /** Written as `{{ else if }}`/`{{ else with }}` of the block around it. */
  chained?: boolean;
  loc: GoLoc;
}

export interface GoTemplateCall {
  type: 'GoTemplate';
  name: string;
  pipe: GoPipe | undefined;
  /** For `{{ block }}`: the default body, also defined under the name. */
  block?: Program;
  loc: GoLoc;
}

export interface GoLoopControl {
  type: 'GoBreak' | 'GoContinue';
  loc: GoLoc;
}

export type GoStatement = GoAction | GoBranch | GoTemplateCall | GoLoopControl | GoDefine;

export interface GoParsed {
  program: Program;
  /** `{{ define }}` and `{{ block }}` bodies, in source order. */
  defines: Array<{ name: string; program: Program }>;
  /** Each action's `{{-` and `-}}`, in source order (for `convert`). */
  trims: Array<{ left: boolean; right: boolean }>;
}

/** Where a `{{ define }}` stood: prints nothing (its body is in `defines`); `convert` writes it back there. */
export interface GoDefine {
  type: 'GoDefine';
  name: string;
  program: Program;
  loc: GoLoc;
}

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
  'nil',
  'true',
  'false',
]);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const UNICODE_ALNUM = /[\p{L}\p{N}_]/u;
/** Go's identifier characters: letters, digits, underscore (ASCII fast, Unicode by class). */
function isAlnum(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 128)
    return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
  return UNICODE_ALNUM.test(c);
}

type Token =
  | { t: 'space' | 'lparen' | 'rparen' | 'pipe' | 'comma' | 'declare' | 'assign' | 'dot'; at: number; text: string }
  | {
      t: 'string' | 'raw' | 'char' | 'number' | 'field' | 'variable' | 'identifier' | 'keyword' | 'bool';
      at: number;
      text: string;
    };

/** An open control structure, waiting for its `{{ else }}` or `{{ end }}`. */
interface Frame {
  kind: 'if' | 'with' | 'range' | 'define' | 'block';
  node?: GoBranch;
  /** The node whose `inverse` the next `{{ else }}` fills (the last of an else-if chain). */
  tail?: GoBranch;
  name?: string;
  body: Statement[];
  line: number;
  /** An `{{ else }}` was seen. */
  inElse: boolean;
  /** The variables in scope when it opened (a define starts anew with `$`). */
  vars: string[];
  /** A `{{ block }}`'s template call, which gets the body. */
  blockCall?: GoTemplateCall;
}

class GoParser {
  private readonly lineStarts: number[] = [0];
  private readonly root: Statement[] = [];
  private readonly stack: Frame[] = [];
  private readonly defines: GoParsed['defines'] = [];
  private readonly trims: GoParsed['trims'] = [];
  private rangeDepth = 0;
  /** Variables in scope, as Go's parser tracks them: a reference to any other is a parse error. */
  private vars: string[] = ['$'];

  constructor(
    private readonly src: string,
    private readonly file: string,
    /** Whether a name is a function; Go refuses a template that names an unknown one, even where it never runs. */
    private readonly isFunction: (name: string) => boolean,
  ) {
    for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  private lineOf(at: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private loc(at: number): GoLoc {
    const line = this.lineOf(at);
    return { start: { line, column: at - (this.lineStarts[line - 1] as number) } };
  }

  private fail(
    at: number,
    message: string,
    hint = 'Go template syntax is described at https://pkg.go.dev/text/template.',
  ): never {
    const line = this.lineOf(at);
    throw new PortolanError('TEMPLATE_SYNTAX', `${this.file}:${line}: ${message}`, { file: this.file, line, hint });
  }

  private get body(): Statement[] {
    return this.stack.at(-1)?.body ?? this.root;
  }

  /** A text: `value` as Go prints it (trimmed by `{{-`/`-}}`), `original` as written (for `convert`). */
  private text(value: string, at: number, original = value): void {
    if (original === '') return;
    const line = this.lineOf(at);
    const loc = { source: this.file, start: { line, column: 0 }, end: { line, column: 0 } };
    this.body.push({ type: 'ContentStatement', value, original, loc } as unknown as Statement);
  }

  run(): GoParsed {
    const src = this.src;
    let i = 0;
    let trimNext = false;
    for (;;) {
      const open = src.indexOf('{{', i);
      const original = src.slice(i, open < 0 ? src.length : open);
      let text = original;
      const textAt = i;
      if (trimNext) {
        text = trimLeft(text);
        trimNext = false;
      }
      if (open < 0) {
        this.text(text, textAt, original);
        break;
      }
      const trimBefore = src[open + 2] === '-' && isSpace(src[open + 3]);
      if (trimBefore) text = trimRight(text);
      this.text(text, textAt, original);
      const start = open + (trimBefore ? 3 : 2);
      const { end, trimAfter } = this.action(open, start);
      this.trims.push({ left: trimBefore, right: trimAfter });
      trimNext = trimAfter;
      i = end;
    }
    const open = this.stack.at(-1);
    if (open)
      this.fail(
        this.src.length,
        `{{ ${open.kind} }} (line ${open.line}) is never closed with {{ end }}: the template ends inside it`,
        'Close every if, range, with, define and block with {{ end }}.',
      );
    return { program: program(this.root), defines: this.defines, trims: this.trims };
  }

  /** Parses the action opening at `open` (its content from `start`); returns where the text continues. */
  private action(open: number, start: number): { end: number; trimAfter: boolean } {
    const src = this.src;
    let p = start;
    while (isSpace(src[p])) p++;
    if (src.startsWith('/*', p)) {
      // A comment: `{{/*` (or `{{- /*`) … `*/}}` (or `*/ -}}`), nothing else inside.
      if (p !== start && !(src[open + 2] === '-')) this.fail(open, 'a comment must start right after {{');
      const close = src.indexOf('*/', p + 2);
      if (close < 0) this.fail(open, 'unclosed comment', 'End it with */}}.');
      let q = close + 2;
      let trimAfter = false;
      if (src[q] === ' ' || src[q] === '\t' || src[q] === '\r' || src[q] === '\n') {
        if (src[q + 1] === '-' && src.startsWith('}}', q + 2)) {
          trimAfter = true;
          q += 2;
        }
      }
      if (!src.startsWith('}}', q))
        this.fail(
          open,
          'comment ends before closing delimiter',
          'Write {{/* comment */}} with nothing between */ and }}.',
        );
      this.body.push({
        type: 'CommentStatement',
        value: src.slice(p + 2, close),
        loc: this.loc(open),
      } as unknown as Statement);
      return { end: q + 2, trimAfter };
    }
    const { tokens, end, trimAfter } = this.lex(open, start);
    this.statement(tokens, open);
    return { end, trimAfter };
  }

  /** Go's lexer for one action: tokens up to the closing `}}` (or ` -}}`). */
  private lex(open: number, start: number): { tokens: Token[]; end: number; trimAfter: boolean } {
    const src = this.src;
    const tokens: Token[] = [];
    let p = start;
    let parens = 0;
    for (;;) {
      if (p >= src.length) this.fail(open, 'unclosed action', 'Close every {{ with }}.');
      const c = src[p] as string;
      if (isSpace(c)) {
        let q = p;
        while (isSpace(src[q])) q++;
        if (src[q] === '-' && src.startsWith('}}', q + 1)) {
          if (parens > 0) this.fail(open, 'unclosed left paren');
          return { tokens, end: q + 3, trimAfter: true };
        }
        tokens.push({ t: 'space', at: p, text: src.slice(p, q) });
        p = q;
        continue;
      }
      if (c === '}' && src[p + 1] === '}') {
        if (parens > 0) this.fail(open, 'unclosed left paren');
        return { tokens, end: p + 2, trimAfter: false };
      }
      const at = p;
      switch (c) {
        case '(':
          parens++;
          tokens.push({ t: 'lparen', at, text: c });
          p++;
          continue;
        case ')':
          parens--;
          if (parens < 0) this.fail(at, 'unexpected right paren');
          tokens.push({ t: 'rparen', at, text: c });
          p++;
          continue;
        case '|':
          tokens.push({ t: 'pipe', at, text: c });
          p++;
          continue;
        case ',':
          tokens.push({ t: 'comma', at, text: c });
          p++;
          continue;
        case '=':
          tokens.push({ t: 'assign', at, text: c });
          p++;
          continue;
        case ':':
          if (src[p + 1] !== '=') this.fail(at, 'expected :=');
          tokens.push({ t: 'declare', at, text: ':=' });
          p += 2;
          continue;
        case '"': {
          let q = p + 1;
          while (q < src.length && src[q] !== '"') {
            if (src[q] === '\\') q++;
            if (src[q] === '\n') this.fail(at, 'unterminated quoted string');
            q++;
          }
          if (q >= src.length) this.fail(at, 'unterminated quoted string');
          tokens.push({ t: 'string', at, text: src.slice(p, q + 1) });
          p = q + 1;
          continue;
        }
        case '`': {
          const q = src.indexOf('`', p + 1);
          if (q < 0) this.fail(at, 'unterminated raw quoted string');
          tokens.push({ t: 'raw', at, text: src.slice(p, q + 1) });
          p = q + 1;
          continue;
        }
        case "'": {
          let q = p + 1;
          while (q < src.length && src[q] !== "'") {
            if (src[q] === '\\') q++;
            if (src[q] === '\n') this.fail(at, 'unterminated character constant');
            q++;
          }
          tokens.push({ t: 'char', at, text: src.slice(p, q + 1) });
          p = q + 1;
          continue;
        }
        case '$': {
          let q = p + 1;
          while (isAlnum(src[q])) q++;
          tokens.push({ t: 'variable', at, text: src.slice(p, q) });
          p = q;
          continue;
        }
        case '.': {
          if (/[0-9]/.test(src[p + 1] ?? '')) break; // a number such as .5
          let q = p + 1;
          while (isAlnum(src[q])) q++;
          tokens.push(q === p + 1 ? { t: 'dot', at, text: '.' } : { t: 'field', at, text: src.slice(p, q) });
          p = q;
          continue;
        }
        default:
          break;
      }
      if (/[0-9+\-.]/.test(c)) {
        const number =
          /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9_]+(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?)i?/.exec(
            src.slice(p, p + 80),
          );
        if (!number || number[0] === '+' || number[0] === '-' || isAlnum(src[p + number[0].length]))
          this.fail(at, `bad number syntax: "${src.slice(p, p + 12).split(/[\s})]/)[0]}"`);
        tokens.push({ t: 'number', at, text: number[0] });
        p += number[0].length;
        continue;
      }
      if (isAlnum(c)) {
        let q = p;
        while (isAlnum(src[q])) q++;
        const word = src.slice(p, q);
        tokens.push({
          t: word === 'true' || word === 'false' ? 'bool' : KEYWORDS.has(word) ? 'keyword' : 'identifier',
          at,
          text: word,
        });
        p = q;
        continue;
      }
      this.fail(at, `unexpected "${c}" in command`);
    }
  }

  // --- statements ------------------------------------------------------------------------------------------------

  private statement(all: Token[], open: number): void {
    const tokens = all;
    let pos = 0;
    while (tokens[pos]?.t === 'space') pos++;
    const first = tokens[pos];
    if (!first) this.fail(open, 'missing value for command');
    const loc = this.loc(open);
    if (first.t === 'keyword') {
      const rest = tokens.slice(pos + 1);
      switch (first.text) {
        case 'if':
        case 'with':
        case 'range':
          return this.open(first.text, rest, open, loc);
        case 'else':
          return this.else(rest, open, loc);
        case 'end':
          if (significant(rest)) this.fail(open, 'unexpected words after {{ end }}');
          return this.end(open);
        case 'define':
        case 'block':
          return this.define(first.text, rest, open, loc);
        case 'template':
          return this.template(rest, open, loc);
        case 'break':
        case 'continue':
          if (significant(rest)) this.fail(open, `unexpected words after {{ ${first.text} }}`);
          if (this.rangeDepth === 0) this.fail(open, `{{ ${first.text} }} outside {{ range }}`);
          this.body.push({ type: first.text === 'break' ? 'GoBreak' : 'GoContinue', loc } as unknown as Statement);
          return;
        default:
          break; // nil: a pipeline (which fails when run, as in Go)
      }
    }
    const pipe = this.pipeline(tokens.slice(pos), open, false);
    this.body.push({ type: 'GoAction', pipe, loc } as unknown as Statement);
  }

  private open(kind: 'if' | 'with' | 'range', rest: Token[], open: number, loc: GoLoc): void {
    const vars = [...this.vars];
    const pipe = this.pipeline(rest, open, kind === 'range');
    const node: GoBranch = {
      type: kind === 'if' ? 'GoIf' : kind === 'with' ? 'GoWith' : 'GoRange',
      pipe,
      program: program([]),
      inverse: undefined,
      loc,
    };
    this.body.push(node as unknown as Statement);
    this.stack.push({ kind, node, tail: node, body: node.program.body, line: loc.start.line, inElse: false, vars });
    if (kind === 'range') this.rangeDepth++;
  }

  private else(rest: Token[], open: number, loc: GoLoc): void {
    const frame = this.stack.at(-1);
    if (!frame || !frame.node || !frame.tail)
      this.fail(open, 'unexpected {{ else }}', '{{ else }} goes inside an if, with or range.');
    if (frame.inElse)
      this.fail(open, 'expected end; found {{ else }}', 'A block has one plain {{ else }}, and it comes last.');
    let p = 0;
    while (rest[p]?.t === 'space') p++;
    const chained = rest[p];
    if (chained?.t === 'keyword' && (chained.text === 'if' || chained.text === 'with')) {
      if ((chained.text === 'if') !== (frame.kind === 'if') && !(chained.text === 'with' && frame.kind === 'with')) {
        this.fail(
          open,
          `{{ else ${chained.text} }} inside {{ ${frame.kind} }}`,
          `Inside {{ ${frame.kind} }}, chain with {{ else ${frame.kind} … }} or nest a new block.`,
        );
      }
      const pipe = this.pipeline(rest.slice(p + 1), open, false);
      const node: GoBranch = {
        type: chained.text === 'if' ? 'GoIf' : 'GoWith',
        pipe,
        program: program([]),
        inverse: undefined,
        chained: true,
        loc,
      };
      frame.tail.inverse = program([node as unknown as Statement]);
      frame.tail = node;
      frame.body = node.program.body;
      return;
    }
    if (significant(rest)) this.fail(open, 'unexpected words after {{ else }}');
    if (frame.kind === 'range') this.rangeDepth--; // break/continue are not allowed in a range's else
    const inverse = program([]);
    frame.tail.inverse = inverse;
    frame.body = inverse.body;
    frame.inElse = true;
  }

  private end(open: number): void {
    const frame = this.stack.pop();
    if (!frame) this.fail(open, 'unexpected {{ end }}', 'It closes no if, range, with, define or block.');
    if (frame.kind === 'range' && !frame.inElse) this.rangeDepth--;
    this.vars = frame.vars;
    if (frame.kind === 'define' || frame.kind === 'block') {
      const body = program(frame.body);
      // Go: within one file a name has one non-empty definition (across files the later one wins).
      const earlier = this.defines.find((d) => d.name === frame.name);
      if (earlier && !isEmpty(earlier.program) && !isEmpty(body))
        this.fail(
          open,
          `multiple definition of template "${frame.name}"`,
          'Give one of the two definitions another name.',
        );
      this.defines.push({ name: frame.name as string, program: body });
      if (frame.kind === 'define')
        this.body.push({
          type: 'GoDefine',
          name: frame.name,
          program: body,
          loc: { start: { line: frame.line, column: 0 } },
        } as unknown as Statement);
      else (frame.blockCall as GoTemplateCall).block = body;
    }
  }

  private define(kind: 'define' | 'block', rest: Token[], open: number, loc: GoLoc): void {
    if (kind === 'define' && this.stack.length > 0)
      this.fail(open, 'unexpected {{ define }}: definitions go at the top level of a file');
    const parts = rest.filter((t) => t.t !== 'space');
    const nameToken = parts[0];
    if (!nameToken || (nameToken.t !== 'string' && nameToken.t !== 'raw'))
      this.fail(
        open,
        `{{ ${kind} }} needs a template name in quotes`,
        `Write {{ ${kind} "mychart.labels" }}…{{ end }}.`,
      );
    const name = stringValue(nameToken);
    if (kind === 'block') {
      const afterName = rest.slice(rest.indexOf(nameToken) + 1);
      const pipe = significant(afterName) ? this.pipeline(afterName, open, false) : undefined;
      if (!pipe)
        this.fail(open, '{{ block }} needs a pipeline after the name', 'Write {{ block "name" . }}…{{ end }}.');
      const blockCall: GoTemplateCall = { type: 'GoTemplate', name, pipe, loc };
      this.body.push(blockCall as unknown as Statement);
      this.stack.push({ kind, name, body: [], line: loc.start.line, inElse: false, vars: this.vars, blockCall });
      this.vars = ['$'];
      return;
    } else if (parts.length > 1) this.fail(open, 'unexpected words after the name in {{ define }}');
    this.stack.push({ kind, name, body: [], line: loc.start.line, inElse: false, vars: this.vars });
    this.vars = ['$'];
  }

  private template(rest: Token[], open: number, loc: GoLoc): void {
    let p = 0;
    while (rest[p]?.t === 'space') p++;
    const nameToken = rest[p];
    if (!nameToken || (nameToken.t !== 'string' && nameToken.t !== 'raw'))
      this.fail(open, '{{ template }} needs a template name in quotes', 'Write {{ template "name" . }}.');
    const after = rest.slice(p + 1);
    const pipe = significant(after) ? this.pipeline(after, open, false) : undefined;
    this.body.push({ type: 'GoTemplate', name: stringValue(nameToken), pipe, loc } as unknown as Statement);
  }

  // --- pipelines -------------------------------------------------------------------------------------------------

  /** pipeline: [decl] command ('|' command)*; `range` allows two variables (`$i, $v :=`). */
  private pipeline(tokens: Token[], open: number, inRange: boolean): GoPipe {
    let pos = 0;
    const skip = () => {
      while (tokens[pos]?.t === 'space') pos++;
    };
    skip();
    const startAt = tokens[pos]?.at ?? open;
    const decl: string[] = [];
    let isAssign = false;
    // Look ahead for `$x :=`, `$x =`, `$i, $v :=`.
    const look = (from: number): { names: string[]; next: number; op: 'declare' | 'assign' } | undefined => {
      const names: string[] = [];
      let q = from;
      for (;;) {
        while (tokens[q]?.t === 'space') q++;
        const v = tokens[q];
        if (v?.t !== 'variable') return undefined;
        names.push(v.text);
        q++;
        while (tokens[q]?.t === 'space') q++;
        const op = tokens[q];
        if (op?.t === 'declare' || op?.t === 'assign') return { names, next: q + 1, op: op.t };
        if (op?.t === 'comma' && inRange && names.length === 1) {
          q++;
          continue;
        }
        return undefined;
      }
    };
    const declared = look(pos);
    if (declared) {
      decl.push(...declared.names);
      this.vars.push(...declared.names);
      isAssign = declared.op === 'assign';
      pos = declared.next;
    }
    const cmds: GoCommand[] = [];
    const endOf = (list: Token[]) => {
      const last = list.at(-1);
      return last ? last.at + last.text.length : open;
    };
    for (;;) {
      skip();
      const cmdStart = pos;
      const args: GoArg[] = [];
      while (pos < tokens.length) {
        const token = tokens[pos] as Token;
        if (token.t === 'space') {
          pos++;
          continue;
        }
        if (token.t === 'pipe' || token.t === 'rparen') break;
        const [arg, next] = this.operand(tokens, pos);
        args.push(arg);
        pos = next;
        if (
          pos < tokens.length &&
          tokens[pos]?.t !== 'space' &&
          tokens[pos]?.t !== 'pipe' &&
          tokens[pos]?.t !== 'rparen'
        ) {
          this.fail(tokens[pos]?.at ?? open, `unexpected "${tokens[pos]?.text}" in operand`);
        }
      }
      const cmdTokens = tokens.slice(cmdStart, pos);
      if (args.length === 0)
        this.fail(
          tokens[pos]?.at ?? open,
          tokens[pos]?.t === 'pipe' || cmds.length > 0 ? 'missing command in pipeline' : 'missing value for command',
        );
      cmds.push({
        args,
        text: this.src.slice(cmdTokens[0]?.at ?? open, endOf(cmdTokens)).trimEnd(),
        line: this.lineOf(cmdTokens[0]?.at ?? open),
      });
      if (tokens[pos]?.t === 'pipe') {
        pos++;
        // Go accepts a pipe with nothing after it before the action ends (`{{ x | trunc 5 | }}`).
        if (!significant(tokens.slice(pos))) break;
        continue;
      }
      if (tokens[pos]?.t === 'rparen') this.fail(tokens[pos]?.at ?? open, 'unexpected right paren');
      break;
    }
    for (const cmd of cmds.slice(1)) {
      const head = cmd.args[0] as GoArg;
      if (
        head.kind === 'bool' ||
        head.kind === 'dot' ||
        head.kind === 'nil' ||
        head.kind === 'number' ||
        head.kind === 'string'
      ) {
        this.fail(
          open,
          `non executable command in pipeline stage ${cmds.indexOf(cmd) + 1}`,
          'After a |, name a function (or a method).',
        );
      }
    }
    return { decl, isAssign, cmds, text: this.src.slice(startAt, endOf(tokens)) };
  }

  /** One operand: a term and, stuck to it, a chain of fields (`(…).x.y`, `$v.x`). */
  private operand(tokens: Token[], pos: number): [GoArg, number] {
    const token = tokens[pos] as Token;
    let arg: GoArg;
    let next = pos + 1;
    switch (token.t) {
      case 'dot':
        arg = { kind: 'dot', text: '.' };
        break;
      case 'field':
        arg = { kind: 'field', names: token.text.slice(1).split('.'), text: token.text };
        break;
      case 'variable':
        if (!this.vars.includes(token.text))
          this.fail(
            token.at,
            `undefined variable "${token.text}"`,
            'Declare it first with {{ $name := value }}, in the same or an enclosing block.',
          );
        arg = { kind: 'variable', name: token.text, names: [], text: token.text };
        break;
      case 'string':
        arg = { kind: 'string', value: decodeGoString(token.text), text: token.text };
        break;
      case 'raw':
        arg = { kind: 'string', value: token.text.slice(1, -1).replace(/\r/g, ''), text: token.text };
        break;
      case 'char':
        arg = {
          kind: 'number',
          value: BigInt(
            charValue(token.text, () => this.fail(token.at, `malformed character constant: ${token.text}`)),
          ),
          text: token.text,
        };
        break;
      case 'number':
        arg = {
          kind: 'number',
          value: numberValue(token.text, () => this.fail(token.at, `illegal number syntax: "${token.text}"`)),
          text: token.text,
        };
        break;
      case 'bool':
        arg = { kind: 'bool', value: token.text === 'true', text: token.text };
        break;
      case 'identifier':
        if (!this.isFunction(token.text))
          this.fail(
            token.at,
            `function "${token.text}" not defined`,
            "The functions are Helm's, Sprig's and Go's (quote, default, toYaml, include, …); README lists them.",
          );
        arg = { kind: 'identifier', name: token.text, text: token.text };
        break;
      case 'keyword':
        if (token.text === 'nil') {
          arg = { kind: 'nil', text: 'nil' };
          break;
        }
        return this.fail(token.at, `unexpected <${token.text}> in command`);
      case 'lparen': {
        let depth = 1;
        let q = pos + 1;
        while (q < tokens.length && depth > 0) {
          if (tokens[q]?.t === 'lparen') depth++;
          else if (tokens[q]?.t === 'rparen') depth--;
          q++;
        }
        if (depth > 0) this.fail(token.at, 'unclosed left paren');
        const inner = tokens.slice(pos + 1, q - 1);
        const pipe = this.pipeline(inner, token.at, false);
        arg = { kind: 'pipe', pipe, text: this.src.slice(token.at, (tokens[q - 1] as Token).at + 1) };
        next = q;
        break;
      }
      default:
        return this.fail(token.at, `unexpected "${token.text}" in operand`);
    }
    // Fields stuck to the operand: `.x.y` after a variable extends it; after anything else it makes a chain.
    const fields: string[] = [];
    while (tokens[next]?.t === 'field') {
      fields.push(...(tokens[next] as Token).text.slice(1).split('.'));
      next++;
    }
    if (fields.length > 0) {
      const text = this.src.slice(token.at, (tokens[next - 1] as Token).at + (tokens[next - 1] as Token).text.length);
      if (arg.kind === 'variable') arg = { ...arg, names: fields, text };
      else if (arg.kind === 'field') arg = { ...arg, names: [...arg.names, ...fields], text };
      else if (
        arg.kind === 'bool' ||
        arg.kind === 'string' ||
        arg.kind === 'number' ||
        arg.kind === 'nil' ||
        arg.kind === 'dot'
      ) {
        this.fail(token.at, `unexpected . after term "${arg.text}"`);
      } else arg = { kind: 'chain', node: arg, names: fields, text };
    } else if (tokens[next]?.t === 'dot')
      this.fail(tokens[next]?.at ?? token.at, `unexpected . after term "${arg.text}"`);
    return [arg, next];
  }
}

function program(body: Statement[]): Program {
  return { type: 'Program', body, strip: {}, blockParams: [] } as unknown as Program;
}

/** Go's IsEmptyTree: nothing but white space. */
function isEmpty(body: Program): boolean {
  return body.body.every(
    (node) => node.type === 'ContentStatement' && (node as hbs.AST.ContentStatement).value.trim() === '',
  );
}

function significant(tokens: Token[]): boolean {
  return tokens.some((t) => t.t !== 'space');
}

function stringValue(token: Token): string {
  return token.t === 'raw' ? token.text.slice(1, -1) : decodeGoString(token.text);
}

function trimLeft(text: string): string {
  let i = 0;
  while (isSpace(text[i])) i++;
  return text.slice(i);
}

function trimRight(text: string): string {
  let i = text.length;
  while (i > 0 && isSpace(text[i - 1])) i--;
  return text.slice(0, i);
}

function charValue(text: string, fail: () => never): number {
  const inner = text.slice(1, -1);
  if (inner.startsWith('\\')) {
    if (inner === "\\'") return 39;
    const decoded = decodeGoString(`"${inner}"`);
    if ([...decoded].length !== 1) fail();
    return decoded.codePointAt(0) as number;
  }
  if ([...inner].length !== 1) fail();
  return inner.codePointAt(0) as number;
}

/** Go's number literals: integers (decimal, 0x, 0o, 0b, octal 0…, underscores) are int; the rest float64. */
function numberValue(text: string, fail: () => never): bigint | number {
  const clean = text.replace(/_/g, '');
  if (clean.endsWith('i')) fail();
  const sign = clean.startsWith('-') ? -1n : 1n;
  const body = clean.replace(/^[+-]/, '');
  if (/^0[xX][0-9a-fA-F]+$/.test(body) || /^0[bB][01]+$/.test(body) || /^0[oO][0-7]+$/.test(body))
    return sign * BigInt(body.replace(/^0[oO]/, '0o'));
  if (/^0[0-7]+$/.test(body)) return sign * BigInt(`0o${body.slice(1)}`);
  if (/^\d+$/.test(body)) return sign * BigInt(body);
  if (/^0[xX]/.test(body)) {
    const value = Number(body); // hex floats are rare; JavaScript cannot parse them
    if (Number.isNaN(value)) fail();
    return Number(sign) * value;
  }
  const value = Number(body);
  if (Number.isNaN(value)) fail();
  return Number(sign) * value;
}

/** Parses a template text in Go's syntax (Helm's charts); `file` names it in errors. */
export function parseGoTemplate(
  source: string,
  file: string,
  isFunction: (name: string) => boolean = () => true,
): GoParsed {
  return new GoParser(source, file, isFunction).run();
}
