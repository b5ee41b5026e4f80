// Go templates → handlebars: one template's text, rewritten so that portolan's handlebars dialect renders what Helm
// renders from the original. The Go tree (with each text as written and each action's trim marks) is written back
// as handlebars blocks and mustaches; a block whose `{{- … }}` tags stand alone on their lines keeps its layout and
// loses the `-` (handlebars drops such lines itself), other trims become `~`. The result is then parsed again and
// accepted only when it prints the same text as the Go template on every path; otherwise it is reported. Variables
// become block params (range/with) or are written out where used (a `:=` never assigned again, of a pure
// expression). Pure.
import type {} from 'handlebars';
import {
  parseGoTemplate,
  type GoArg,
  type GoBranch,
  type GoCommand,
  type GoDefine,
  type GoPipe,
  type GoStatement,
  type GoTemplateCall,
} from '../render/go-parse.js';
import { parseTemplate } from '../render/parse.js';
import type { ConversionProblem } from './to-go.js';

type Program = hbs.AST.Program & { chained?: boolean };
type Statement = hbs.AST.Statement;

type Piece =
  | { kind: 'text'; original: string; value: string }
  /** `rotated`: a `{{- x }}` alone on its line, written without `~` (handlebars drops its line instead). */
  | {
      kind: 'tag';
      inner: string;
      goLeft: boolean;
      goRight: boolean;
      construct?: number;
      tildeLeft: boolean;
      tildeRight: boolean;
      rotated?: boolean;
      /** A define's tag: the text on its two sides goes to different outputs, so no newline may move across it. */
      isDefine?: boolean;
      /** Followed by KEEP_LINE, so that handlebars keeps the line the tag stands alone on, as Go does. */
      keepLine?: boolean;
    };

/**
 * Functions that never give the same result twice: a variable holding one is written out only where it is used once.
 * (lookup is not one: it reads the same object each time in one render.)
 */
const IMPURE =
  /\b(rand\w*|uuidv4|now|genCA\w*|genPrivateKey|genSelfSignedCert\w*|genSignedCert\w*|bcrypt|htpasswd|encryptAES|shuffle|randBytes)\b/;
/** An expression's text without its string literals, whose words are not calls (`include "x.set"`). */
const calls = (text: string): string => text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
/**
 * A comment written after a tag that stands alone on its line where Go prints that line's white space: a line with
 * two tags is not standalone, so handlebars prints it too. It prints nothing and is no tag of the Go template.
 */
const KEEP_LINE = '{{! keep line }}';

/** Functions that change a value in place: an action calling them does something even when it prints nothing. */
const MUTATING = /\b(set|unset|merge|mergeOverwrite|mustMerge|mustMergeOverwrite)\b/;
/** Zero-argument functions the handlebars parser calls when named alone. */
const ZERO_ARG = new Set(['now', 'uuidv4', 'list', 'dict']);
/** Go's builtins handlebars templates do not have. */
const GO_ONLY = new Set(['html', 'js', 'call']);

/**
 * How handlebars reads a Go variable: a block param's name (`level` undefined: the same anywhere inside its block), or
 * the expression written out, which reads `.` as it was where the variable was set (`level`, the number of range
 * and with blocks around it); `root` is the same expression with `.` written as `$`, for use deeper in, when the
 * variable was set where `.` is `$` (level 0) or its expression does not read `.`.
 */
interface VarName {
  text: string;
  root?: string;
  level?: number;
  /** A value made anew each time (IMPURE): usable once, and not inside a range deeper than where it was set. */
  impure?: { ranges: number; uses: number };
}

interface VarScope {
  names: Map<string, VarName>;
}

const ROOT: VarName = { text: '$' };

class ToHandlebars {
  private readonly pieces: Piece[] = [];
  readonly problems: ConversionProblem[] = [];
  private readonly scopes: VarScope[] = [{ names: new Map([['$', ROOT]]) }];
  /** Range and with blocks around the code being written: where `.` is no longer what it was. */
  private level = 0;
  /** Range blocks around the code being written: where an expression is evaluated more than once. */
  private ranges = 0;
  /** While an expression is written for use where `.` is another: `.` is written as `$`. */
  private dotAsRoot = false;
  /** Whether the expression being written reads `.`; whether it reads a variable with no form for use deeper in. */
  private readsDot = false;
  private noRootForm = false;
  private trim = 0;
  private constructs = 0;

  constructor(
    private readonly file: string,
    private readonly trims: Array<{ left: boolean; right: boolean }>,
    /** Variables assigned with `=` somewhere: they cannot be written out where used. */
    private readonly reassigned: Set<string>,
  ) {}

  private problem(line: number | undefined, message: string): string {
    this.problems.push({ file: this.file, line: line ?? 0, message });
    return '';
  }

  private tag(inner: string, construct?: number): void {
    const { left, right } = this.trims[this.trim++] ?? { left: false, right: false };
    this.pieces.push({
      kind: 'tag',
      inner,
      goLeft: left,
      goRight: right,
      construct,
      tildeLeft: left,
      tildeRight: right,
      isDefine: /^[#/]define\b/.test(inner),
    });
  }

  program(program: Program | undefined): void {
    for (const node of program?.body ?? []) this.statement(node);
  }

  private statement(node: Statement): void {
    const go = node as unknown as GoStatement;
    switch (node.type as string) {
      case 'ContentStatement': {
        const content = node as hbs.AST.ContentStatement;
        this.pieces.push({ kind: 'text', original: content.original as unknown as string, value: content.value });
        return;
      }
      case 'CommentStatement': {
        const value = (node as hbs.AST.CommentStatement).value;
        if (value.includes('--}}'))
          this.problem(node.loc?.start.line, 'a comment holding --}} cannot be a handlebars comment');
        this.tag(`!--${value}--`);
        return;
      }
      case 'GoAction': {
        const action = go as Extract<GoStatement, { type: 'GoAction' }>;
        if (action.pipe.decl.length > 0) {
          this.declare(action.pipe, action.loc.start.line);
          return;
        }
        this.tag(this.pipe(action.pipe, action.loc.start.line));
        return;
      }
      case 'GoIf':
      case 'GoWith':
      case 'GoRange':
        this.branch(go as GoBranch);
        return;
      case 'GoTemplate':
        this.template(go as GoTemplateCall);
        return;
      case 'GoDefine': {
        const define = go as GoDefine;
        const construct = this.constructs++;
        this.tag(`#define ${JSON.stringify(define.name)}`, construct);
        this.inDefine(() => this.program(define.program));
        this.tag('/define', construct);
        return;
      }
      default:
        this.problem(
          (go as { loc?: { start: { line: number } } }).loc?.start.line,
          `{{ ${node.type === 'GoBreak' ? 'break' : 'continue'} }} has no handlebars equivalent`,
        );
        this.tag('!-- --');
    }
  }

  /** `{{ $x := expr }}`: written out where `$x` is used, when that gives the same value. */
  private declare(pipe: GoPipe, line: number): void {
    const name = pipe.decl[0] as string;
    const text = this.pipe({ ...pipe, decl: [] }, line);
    if (pipe.isAssign || this.reassigned.has(name))
      this.problem(line, `${name} is assigned again: handlebars has no variables`);
    else if (MUTATING.test(calls(text)))
      this.problem(
        line,
        `${name} := ${text.split(' ')[0]} … changes a value in place: handlebars has no variables to hold it`,
      );
    // Written again with `.` as `$`: where `.` is `$` (level 0) that is the same value anywhere; elsewhere only an
    // expression that does not read `.` (nor a variable that does) can be used deeper in.
    this.readsDot = this.noRootForm = false;
    const root = this.written(this.withDotAsRoot(() => this.pipe({ ...pipe, decl: [] }, line)));
    const { readsDot, noRootForm } = this;
    (this.scopes.at(-1) as VarScope).names.set(name, {
      text: this.written(text),
      root: !noRootForm && (this.level === 0 || !readsDot) ? root : undefined,
      level: this.level,
      impure: IMPURE.test(calls(text)) ? { ranges: this.ranges, uses: 0 } : undefined,
    });
    // The action stays as a comment, so its trims and the reader keep their place.
    this.tag(`!-- ${name} := ${text.replace(/--/g, '- -')} --`);
  }

  private branch(node: GoBranch, construct = this.constructs++): void {
    const line = node.loc.start.line;
    const { decl } = node.pipe;
    const subject = this.condition({ ...node.pipe, decl: [] }, line);
    const scope: VarScope = { names: new Map() };
    let open: string;
    if (node.type === 'GoIf') open = `if ${subject}`;
    else if (node.type === 'GoWith') {
      const name = decl[0] ? this.paramName(decl[0]) : undefined;
      if (name) scope.names.set(decl[0] as string, { text: name });
      open = `with ${subject}${name ? ` as |${name}|` : ''}`;
    } else {
      if (node.pipe.isAssign) this.problem(line, 'range assigning existing variables has no handlebars equivalent');
      const [first, second] = decl;
      const item = second ?? first;
      const index = second ? first : undefined;
      const names = [item, index]
        .filter((v): v is string => v !== undefined)
        .map((v) => {
          const name = this.paramName(v);
          scope.names.set(v, { text: name });
          return name;
        });
      const over = isIntLiteral(node.pipe) ? `(until ${subject})` : subject;
      open = `each ${over}${names.length > 0 ? ` as |${names.join(' ')}|` : ''}`;
    }
    this.tag(node.chained ? `else ${open}` : `#${open}`, construct);
    this.scopes.push(scope);
    const changesDot = node.type !== 'GoIf';
    const repeats = node.type === 'GoRange';
    if (changesDot) this.level++;
    if (repeats) this.ranges++;
    this.program(node.program);
    if (changesDot) this.level--;
    if (repeats) this.ranges--;
    this.scopes.pop();
    const inverse = node.inverse;
    const chained =
      inverse?.body.length === 1 && (inverse.body[0] as unknown as GoBranch).chained
        ? (inverse.body[0] as unknown as GoBranch)
        : undefined;
    if (chained) this.branch(chained, construct);
    else if (inverse) {
      this.tag('else', construct);
      this.program(inverse);
    }
    if (!node.chained)
      this.tag(`/${node.type === 'GoIf' ? 'if' : node.type === 'GoWith' ? 'with' : 'each'}`, construct);
  }

  private template(node: GoTemplateCall): void {
    const line = node.loc.start.line;
    const context = node.pipe ? this.operandOf(node.pipe, line) : 'null';
    if (!node.block) {
      this.tag(`include ${JSON.stringify(node.name)} ${context}`);
      return;
    }
    // `{{ block "x" . }}…{{ end }}`: the default body defined under the name, then included.
    const construct = this.constructs++;
    this.tag(`#define ${JSON.stringify(node.name)}`, construct);
    this.inDefine(() => this.program(node.block));
    this.tag('/define', construct);
    this.pieces.push({ kind: 'text', original: '', value: '' });
    this.pieces.push({
      kind: 'tag',
      inner: `include ${JSON.stringify(node.name)} ${context}`,
      goLeft: false,
      goRight: false,
      tildeLeft: false,
      tildeRight: false,
    });
  }

  /** A define's body: its own `$`, and `.` is `$` again. */
  private inDefine(write: () => void): void {
    const { level, ranges } = this;
    this.level = this.ranges = 0;
    this.scopes.push({ names: new Map([['$', ROOT]]) });
    write();
    this.scopes.pop();
    this.level = level;
    this.ranges = ranges;
  }

  private withDotAsRoot(write: () => string): string {
    const previous = this.dotAsRoot;
    this.dotAsRoot = true;
    try {
      return write();
    } finally {
      this.dotAsRoot = previous;
    }
  }

  /** A variable's expression as it is written where used: one operand as it is, anything more in parentheses. */
  private written(text: string): string {
    return /^[\w$.@-]+$/.test(text) ? text : `(${text})`;
  }

  private paramName(variable: string): string {
    const name = variable.slice(1) || 'item';
    return /^[A-Za-z_]\w*$/.test(name) ? name : 'item';
  }

  private variable(name: string, line: number): string {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const found = this.scopes[i]?.names.get(name);
      if (!found) continue;
      if (found.impure && !this.dotAsRoot && (found.impure.uses++ > 0 || this.ranges > found.impure.ranges))
        return this.problem(
          line,
          `${name} holds a value that changes each time it is made, used more than once: handlebars has no variables`,
        );
      if (found.level === undefined) return found.text;
      if (!this.dotAsRoot && found.level === this.level) return found.text;
      if (found.root !== undefined) return found.root;
      if (this.dotAsRoot) {
        this.noRootForm = true;
        return found.text;
      }
      return this.problem(line, `${name} reads the . of an outer block, which handlebars cannot reach here`);
    }
    return this.problem(line, `${name} has no handlebars equivalent here`);
  }

  /** A block's subject: one operand as it is, anything more in parentheses. */
  private condition(pipe: GoPipe, line: number): string {
    return this.operandOf(pipe, line);
  }

  private operandOf(pipe: GoPipe, line: number): string {
    if (
      pipe.cmds.length === 1 &&
      pipe.cmds[0]?.args.length === 1 &&
      (pipe.cmds[0].args[0] as GoArg).kind !== 'identifier'
    )
      return this.arg(pipe.cmds[0].args[0] as GoArg, line, true);
    return `(${this.pipe(pipe, line)})`;
  }

  private pipe(pipe: GoPipe, line: number): string {
    return pipe.cmds.map((cmd) => this.command(cmd, line)).join(' | ');
  }

  private command(cmd: GoCommand, line: number): string {
    return cmd.args.map((arg, i) => this.arg(arg, cmd.line ?? line, i > 0 || arg.kind !== 'identifier')).join(' ');
  }

  /** One operand; `asValue`: an identifier here is a call without arguments. */
  private arg(arg: GoArg, line: number, asValue: boolean): string {
    switch (arg.kind) {
      case 'dot':
        this.readsDot = true;
        return this.dotAsRoot ? '$' : '.';
      case 'nil':
        return 'null';
      case 'bool':
        return String(arg.value);
      case 'string':
        return JSON.stringify(arg.value);
      case 'number':
        // Handlebars reads 1.0 as the whole number 1 (a Go int in a chart with Go's semantics) and has no 1e6: such
        // a Go float64 constant is made from its text.
        if (typeof arg.value === 'number' && (Number.isInteger(arg.value) || /e/i.test(String(arg.value))))
          return `(float64 ${JSON.stringify(arg.text)})`;
        return String(arg.value);
      case 'field':
        this.readsDot = true;
        return `${this.dotAsRoot ? '$' : ''}.${arg.names.join('.')}`;
      case 'variable': {
        const base = this.variable(arg.name, line);
        if (arg.names.length === 0) return base;
        if (base === '.') return `.${arg.names.join('.')}`;
        return base === '$' ? `$.${arg.names.join('.')}` : `${base}.${arg.names.join('.')}`;
      }
      case 'identifier':
        if (GO_ONLY.has(arg.name)) return this.problem(line, `the Go builtin ${arg.name} has no handlebars equivalent`);
        if (asValue && !ZERO_ARG.has(arg.name))
          return this.problem(line, `${arg.name} called with no arguments has no handlebars spelling`);
        return arg.name;
      case 'pipe':
        return `(${this.pipe(arg.pipe, line)})`;
      case 'chain': {
        const inner = this.arg(arg.node, line, true);
        return `${inner.startsWith('(') ? inner : `(${inner})`}.${arg.names.join('.')}`;
      }
    }
  }

  /**
   * The handlebars text, checked to print what the Go template prints; undefined when no layout does. Blocks whose
   * `{{- x }}` tags all stand alone on their lines keep the author's layout without the `-`; the text around other
   * tags is written as Go prints it, given back what handlebars' standalone rule would take from its start. Blocks
   * that still print differently (an `{{else if}}` chain's last line keeps its indent in handlebars) are written the
   * second way, one by one, until the text prints the same.
   */
  text(): string | undefined {
    const { pieces } = this;
    const expected = this.expected();
    const rotatable = new Map<number, boolean>();
    pieces.forEach((piece, i) => {
      if (piece.kind !== 'tag' || piece.construct === undefined) return;
      const before = pieces[i - 1];
      const after = pieces[i + 1];
      const ok =
        !piece.isDefine &&
        piece.goLeft &&
        !piece.goRight &&
        before?.kind === 'text' &&
        /[^\s]\n[ \t]*$|^\n[ \t]*$/.test(before.original) &&
        after?.kind === 'text' &&
        /^\r?\n/.test(after.original);
      rotatable.set(piece.construct, (rotatable.get(piece.construct) ?? true) && ok);
    });
    const extra = new Map<Piece, string>();
    for (let round = 0; round <= pieces.length; round++) {
      for (const piece of pieces) {
        if (piece.kind !== 'tag') continue;
        piece.rotated = piece.construct !== undefined && rotatable.get(piece.construct) === true;
        piece.tildeLeft = piece.tildeRight = false;
      }
      const nearRotated = (i: number) =>
        pieces[i - 1]?.kind === 'tag' && (pieces[i - 1] as { rotated?: boolean }).rotated === true;
      const write = () =>
        this.write((piece, i) =>
          nearRotated(i) || (pieces[i + 1] as { rotated?: boolean } | undefined)?.rotated
            ? piece.original
            : `${extra.get(piece) ?? ''}${piece.value}`,
        );
      const text = write();
      const mismatched = this.mismatches(text, expected);
      if (!mismatched) return undefined;
      if (mismatched.length === 0) return this.withoutNeedlessKeepLines(write, expected) ?? text;
      let changed = false;
      const unfixed: number[] = [];
      for (const gap of mismatched) {
        let fixed = false;
        // The tags on each side of a gap that prints differently: their blocks are written the second way.
        for (const tag of [this.tagAt(gap), this.tagAt(gap + 1)]) {
          if (tag?.construct !== undefined && rotatable.get(tag.construct)) {
            rotatable.set(tag.construct, false);
            fixed = true;
          }
        }
        const piece = this.textAt(gap);
        const printed = this.lastGaps[gap] ?? '';
        if (piece && !extra.has(piece) && printed !== piece.value && piece.value.endsWith(printed)) {
          extra.set(piece, piece.value.slice(0, piece.value.length - printed.length));
          fixed = true;
        }
        if (!fixed) unfixed.push(gap);
        changed ||= fixed;
      }
      // Once nothing else helps: a tag alone on its line that Go prints around (no `-`) but handlebars would drop
      // with its line keeps its line with a comment beside it.
      if (!changed)
        for (const gap of unfixed)
          for (const tag of [this.tagAt(gap), this.tagAt(gap + 1)]) {
            if (tag && !tag.keepLine && this.isAlone(tag)) {
              tag.keepLine = true;
              changed = true;
            }
          }
      if (!changed) break;
    }
    return this.plainText(expected);
  }

  /** The text with each KEEP_LINE that the output does not need taken out again (a tag beside a gap marks both). */
  private withoutNeedlessKeepLines(write: () => string, expected: string[]): string | undefined {
    write();
    const kept = this.pieces.filter(
      (p): p is Extract<Piece, { kind: 'tag' }> => p.kind === 'tag' && p.keepLine === true,
    );
    if (kept.length === 0) return undefined;
    // Those on a line with something else first, at once; then each of the others, checked one by one.
    const needless = kept.filter((p) => !this.isAlone(p));
    for (const piece of needless) piece.keepLine = false;
    if (this.mismatches(write(), expected)?.length !== 0) for (const piece of needless) piece.keepLine = true;
    for (const piece of kept) {
      if (!piece.keepLine) continue;
      piece.keepLine = false;
      if (this.mismatches(write(), expected)?.length !== 0) piece.keepLine = true;
    }
    return write();
  }

  /** Every text as Go prints it, given back what handlebars' standalone rule takes from its start; no layout kept. */
  private plainText(expected: string[]): string | undefined {
    for (const piece of this.pieces)
      if (piece.kind === 'tag') piece.tildeLeft = piece.tildeRight = piece.rotated = false;
    const plain = this.write((p) => p.value);
    const printed = gapsOf(plain, this.file);
    if (!printed) return undefined;
    const extra = new Map<Piece, string>();
    let gap = 0;
    for (const piece of this.pieces) {
      if (piece.kind === 'tag') gap++;
      else {
        const got = printed[gap] ?? '';
        if (got !== piece.value && piece.value.endsWith(got))
          extra.set(piece, piece.value.slice(0, piece.value.length - got.length));
      }
    }
    const write = () => this.write((p) => `${extra.get(p) ?? ''}${p.value}`);
    const text = write();
    if (this.mismatches(text, expected)?.length !== 0) return undefined;
    return this.withoutNeedlessKeepLines(write, expected) ?? text;
  }

  /** The tag before gap `k` (the k-th tag, 1-based); the text in gap `k`. */
  private tagAt(k: number): Extract<Piece, { kind: 'tag' }> | undefined {
    return this.pieces.filter((p): p is Extract<Piece, { kind: 'tag' }> => p.kind === 'tag')[k - 1];
  }

  private textAt(k: number): Extract<Piece, { kind: 'text' }> | undefined {
    let gap = 0;
    for (const piece of this.pieces) {
      if (piece.kind === 'tag') gap++;
      else if (gap === k) return piece;
    }
    return undefined;
  }

  private lastGaps: string[] = [];

  /** The text last written for each text piece (by index), to tell which tags stand alone on their lines. */
  private writtenTexts: Array<string | undefined> = [];

  private write(textOf: (piece: Extract<Piece, { kind: 'text' }>, index: number) => string): string {
    this.writtenTexts = this.pieces.map((piece, i) => (piece.kind === 'text' ? textOf(piece, i) : undefined));
    return this.pieces
      .map((piece, i) =>
        piece.kind === 'text'
          ? (this.writtenTexts[i] as string)
          : `{{${piece.tildeLeft ? '~' : ''}${piece.inner}${piece.tildeRight ? '~' : ''}}}${piece.keepLine ? KEEP_LINE : ''}`,
      )
      .join('');
  }

  /** Whether a tag stood alone on its line in the text last written (the only case where KEEP_LINE changes it). */
  private isAlone(tag: Piece): boolean {
    const i = this.pieces.indexOf(tag);
    const before = i === 0 ? '' : this.writtenTexts[i - 1];
    const after = i === this.pieces.length - 1 ? '' : this.writtenTexts[i + 1];
    return (
      before !== undefined && after !== undefined && /(^|\n)[ \t]*$/.test(before) && /^[ \t]*(\r?\n|$)/.test(after)
    );
  }

  /** What the Go template prints between its tags, gap by gap. */
  private expected(): string[] {
    const gaps = [''];
    for (const piece of this.pieces) {
      if (piece.kind === 'tag') gaps.push('');
      else gaps[gaps.length - 1] += piece.value;
    }
    return gaps;
  }

  /**
   * The gaps where the handlebars text prints otherwise than Go, once each rotated tag's newline is moved back ([]
   * when none); undefined when it does not parse.
   */
  private mismatches(text: string, expected: string[]): number[] | undefined {
    const gaps = gapsOf(text, this.file);
    if (!gaps || gaps.length !== expected.length) return undefined;
    this.lastGaps = [...gaps];
    let k = 0;
    for (const piece of this.pieces) {
      if (piece.kind !== 'tag') continue;
      k++;
      // A `{{- x }}` written without `-`: handlebars kept the newline before it and dropped the one after, Go the
      // other way round; the text of every path is the same.
      if (piece.rotated && (gaps[k - 1] as string).endsWith('\n')) {
        gaps[k - 1] = (gaps[k - 1] as string).slice(0, -1);
        gaps[k] = `\n${gaps[k] as string}`;
      }
    }
    return gaps.flatMap((gap, i) => (gap === expected[i] ? [] : [i]));
  }
}

function isIntLiteral(pipe: GoPipe): boolean {
  const only = pipe.cmds.length === 1 ? pipe.cmds[0]?.args : undefined;
  return only?.length === 1 && only[0]?.kind === 'number' && typeof only[0].value === 'bigint';
}

/** What handlebars prints between its tags, gap by gap ('' where nothing), or undefined when it does not parse. */
function gapsOf(text: string, file: string): string[] | undefined {
  const sequence = printedSequence(text, file);
  if (!sequence) return undefined;
  const gaps = [''];
  for (const item of sequence) {
    if (item === '\u0000') gaps.push('');
    else gaps[gaps.length - 1] += item;
  }
  return gaps;
}

/** The texts handlebars prints and a marker for each tag, in order. */
function printedSequence(text: string, file: string): string[] | undefined {
  let program: Program;
  try {
    program = parseTemplate(text, file) as Program;
  } catch {
    return undefined;
  }
  const out: string[] = [];
  const walk = (body: Statement[]): void => {
    for (const node of body) {
      if (node.type === 'ContentStatement') {
        const value = (node as hbs.AST.ContentStatement).value;
        if (value !== '') out.push(value);
      } else if (node.type === 'BlockStatement') block(node as hbs.AST.BlockStatement, false);
      else if (node.type !== 'CommentStatement' || (node as hbs.AST.CommentStatement).value !== ' keep line ')
        out.push('\u0000');
    }
  };
  const block = (node: hbs.AST.BlockStatement, chained: boolean): void => {
    out.push('\u0000');
    walk(node.program?.body ?? []);
    const inverse = node.inverse as Program | undefined;
    if (inverse?.chained) block(inverse.body[0] as hbs.AST.BlockStatement, true);
    else if (inverse) {
      out.push('\u0000');
      walk(inverse.body);
    }
    if (!chained) out.push('\u0000');
  };
  walk(program.body);
  return out;
}

/** Rewrites one Go template as a handlebars template. */
export function goToHandlebars(text: string, file: string): { text: string; problems: ConversionProblem[] } {
  const parsed = parseGoTemplate(text, file);
  const reassigned = new Set<string>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { decl?: string[]; isAssign?: boolean };
    if (n.isAssign && n.decl) for (const name of n.decl) reassigned.add(name);
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') visit(value);
    }
  };
  visit(parsed.program);
  const converter = new ToHandlebars(file, parsed.trims, reassigned);
  converter.program(parsed.program as Program);
  if (converter.problems.length > 0) return { text, problems: converter.problems };
  const out = converter.text();
  if (out === undefined)
    return {
      text,
      problems: [
        { file, line: 1, message: 'its white space cannot be written so that handlebars prints the same text' },
      ],
    };
  return { text: out, problems: [] };
}
