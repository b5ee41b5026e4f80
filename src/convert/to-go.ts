// Handlebars → Go templates: one template's text, rewritten so that Helm renders it as portolan renders the original.
// The handlebars tree (portolan's parser, with handlebars' whitespace rules applied) is flattened into text and tags;
// each piece of text is written as the author wrote it, with `{{-`/`-}}` on the neighbouring tags where Go's trimming
// then gives exactly what handlebars' standalone-line rule gave, and as the rendered text itself where no trimming
// does. Expressions keep Helm's spelling (`.Values.x`, pipelines for `include … | nindent`). Constructs Go cannot
// express (`../`, `@first`/`@last`, hash arguments, nested `define`) are reported with their line. Pure.
import type {} from 'handlebars';
import { parseTemplate } from '../render/parse.js';

type Program = hbs.AST.Program & { chained?: boolean };
type Statement = hbs.AST.Statement;
type Expression = hbs.AST.Expression;
type PathExpression = hbs.AST.PathExpression;

export interface ConversionProblem {
  file: string;
  line: number;
  message: string;
}

/** A piece of the output: text as written (`original`) and as handlebars renders it (`value`), or a Go action. */
type Piece =
  | { kind: 'text'; original: string; value: string }
  /** `construct`: the block (open, else, end) or comment a tag belongs to; mustaches have none. */
  | { kind: 'tag'; inner: string; trimLeft: boolean; trimRight: boolean; construct?: number };

/** A handlebars tag's `~` (or `{{-`) marks: a tag with one is no candidate for the standalone layout. */
type Strip = hbs.AST.StripFlags | undefined;
const stripped = (strip: Strip): boolean => Boolean(strip?.open || strip?.close);

/** Variables a `range`/`with` declared for a handlebars block's params and data (`@index`, `@key`). */
interface Scope {
  params: Map<string, string>;
  index?: string;
  key?: string;
  /** The variable holding the block's `.`, for `../` from blocks inside it. */
  self?: string;
}

const GO_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The context's objects: Helm always fills them (Values from the chart's defaults). */
const CONTEXT_NAMES = new Set(['Values', 'Release', 'Chart', 'Capabilities', 'Files', 'Template', 'Subcharts']);

class ToGo {
  private readonly pieces: Piece[] = [];
  readonly problems: ConversionProblem[] = [];
  private scopes: Scope[] = [];
  private depth = 0;

  constructor(
    private readonly file: string,
    private readonly isHelper: (name: string) => boolean,
    /** The chart's default values: a path through maps they hold needs no nil guard. */
    private readonly defaults: unknown,
  ) {}

  private problem(node: { loc?: hbs.AST.SourceLocation } | undefined, message: string): string {
    this.problems.push({ file: this.file, line: node?.loc?.start.line ?? 0, message });
    return '';
  }

  private constructs = 0;

  private tag(inner: string, construct?: number, strip?: Strip): void {
    // Only a block tag without ~ marks may take the standalone layout.
    this.pieces.push({
      kind: 'tag',
      inner,
      trimLeft: false,
      trimRight: false,
      construct: stripped(strip) ? undefined : construct,
    });
  }

  program(program: Program | undefined): void {
    for (const statement of program?.body ?? []) this.statement(statement);
  }

  private statement(node: Statement): void {
    switch (node.type) {
      case 'ContentStatement': {
        const content = node as hbs.AST.ContentStatement;
        this.pieces.push({ kind: 'text', original: content.original as unknown as string, value: content.value });
        return;
      }
      case 'CommentStatement': {
        const value = (node as hbs.AST.CommentStatement).value;
        if (value.includes('*/')) this.problem(node, 'a comment holding */ cannot be a Go comment');
        else
          this.tag(
            `/*${value.startsWith(' ') ? '' : ' '}${value}${value.endsWith(' ') ? '' : ' '}*/`,
            this.constructs++,
            (node as hbs.AST.CommentStatement).strip,
          );
        return;
      }
      case 'MustacheStatement':
        this.tag(this.call(node as hbs.AST.MustacheStatement, true));
        return;
      case 'BlockStatement':
        this.block(node as hbs.AST.BlockStatement);
        return;
      default:
        this.problem(node, `${node.type} has no Go equivalent`);
    }
  }

  private block(node: hbs.AST.BlockStatement, chained = false, construct = this.constructs++): void {
    const name = (node.path as PathExpression).original;
    const blockParams = node.program?.blockParams ?? [];
    const [first] = node.params;
    if (node.hash && node.hash.pairs.length > 0)
      this.problem(node, `{{#${name}}} with key=value arguments has no Go equivalent`);
    // A condition written as a call needs no parentheses in Go: `if contains "x" .y`.
    const condition = () =>
      !first
        ? this.problem(node, `{{#${name}}} needs an argument`)
        : first.type === 'SubExpression'
          ? this.call(first as hbs.AST.SubExpression, false)
          : this.operand(first);
    let open: string;
    let scope: Scope | undefined;
    switch (name) {
      case 'if':
        open = `if ${condition()}`;
        break;
      case 'unless':
        open = `if not ${condition()}`;
        break;
      case 'with': {
        const self = blockParams[0] ?? (usesParent(node.program) ? this.variableFor(first) : undefined);
        scope = { params: new Map(blockParams.slice(0, 1).map((p) => [p, `$${p}`])), self: self && `$${self}` };
        open = `with ${self ? `$${self} := ` : ''}${condition()}`;
        break;
      }
      case 'each': {
        const uses = dataUsed(node.program);
        // A block inside reaching this one's item with ../ needs it in a variable.
        const item = blockParams[0] ?? (usesParent(node.program) ? this.variableFor(first) : undefined);
        const index =
          blockParams[1] ??
          (uses.has('index') || uses.has('key')
            ? uses.has('key') && !uses.has('index')
              ? 'key'
              : 'index'
            : undefined);
        if (uses.has('index') && uses.has('key'))
          this.problem(node, '{{#each}} using both @index and @key: Go ranges give one of them');
        if (uses.has('first') || uses.has('last'))
          this.problem(node, '@first and @last have no Go equivalent inside range');
        scope = { params: new Map(), index: index && `$${index}`, key: index && `$${index}`, self: item && `$${item}` };
        if (blockParams[0]) scope.params.set(blockParams[0], `$${blockParams[0]}`);
        if (blockParams[1]) scope.params.set(blockParams[1], `$${blockParams[1]}`);
        const vars = index ? `$${index}, $${item ?? '_'} := ` : item ? `$${item} := ` : '';
        open = `range ${vars}${condition()}`;
        break;
      }
      case 'define': {
        if (this.depth > 0 || chained)
          this.problem(node, '{{#define}} inside another block: Go defines templates at the top level only');
        open = `define ${first ? this.operand(first) : this.problem(node, '{{#define}} needs a name')}`;
        break;
      }
      default:
        this.problem(node, `the block {{#${name}}} has no Go equivalent`);
        open = `if true`;
    }
    if (node.params.length > 1 && name !== 'each' && name !== 'define')
      this.problem(node, `{{#${name}}} with more than one argument`);
    this.tag(chained ? `else ${open}` : open, construct, node.openStrip);
    this.depth++;
    if (scope) this.scopes.push(scope);
    this.program(node.program);
    if (scope) this.scopes.pop();
    const inverse = node.inverse as Program | undefined;
    // `{{else if …}}` chains: one Go `else if` each, and one `end` for the whole chain (written by its first block).
    if (inverse?.chained && inverse.body.length === 1 && inverse.body[0]?.type === 'BlockStatement') {
      this.block(inverse.body[0] as hbs.AST.BlockStatement, true, construct);
    } else if (inverse) {
      if (name === 'define') this.problem(node, '{{else}} inside {{#define}}');
      this.tag('else', construct, node.inverseStrip);
      this.program(inverse);
    }
    this.depth--;
    if (!chained) this.tag('end', construct, node.closeStrip);
  }

  /** A mustache or subexpression as a Go pipeline (`top`: a whole action, which may end in a pipe). */
  private call(node: hbs.AST.MustacheStatement | hbs.AST.SubExpression, top: boolean): string {
    const path = node.path as PathExpression;
    if (node.hash && node.hash.pairs.length > 0)
      this.problem(node, `key=value arguments (${node.hash.pairs.map((p) => p.key).join(', ')}) have no Go equivalent`);
    const name = path.type === 'PathExpression' ? path.original : '';
    if (name === '__lit') return this.operand(node.params[0] as Expression);
    if (name === '__field') {
      const [inner, field] = node.params as [Expression, hbs.AST.StringLiteral];
      return `(${this.operand(inner)}).${field.value}`;
    }
    const isCall =
      path.type === 'PathExpression' &&
      path.parts.length === 1 &&
      !path.data &&
      path.depth === 0 &&
      !/^(this|\.)/.test(path.original) &&
      this.isHelper(name) &&
      !this.param(name);
    if (!isCall) {
      if (node.params.length === 0) return this.operand(path as unknown as Expression);
      // A method call: `.Files.Get "x"`.
      return [this.operand(path as unknown as Expression), ...node.params.map((p) => this.operand(p))].join(' ');
    }
    const fn = name === 'lookup' && node.params.length === 2 ? 'index' : name;
    const args = node.params;
    const last = args.at(-1);
    // `nindent 4 (include "x" .)` reads better as Helm writes it: `include "x" . | nindent 4`.
    if (last?.type === 'SubExpression' && top && !isOperand(last)) {
      const head = this.call(last as hbs.AST.SubExpression, true);
      return `${head} | ${[fn, ...args.slice(0, -1).map((p) => this.operand(p))].join(' ')}`;
    }
    return [fn, ...args.map((p) => this.operand(p))].join(' ');
  }

  /** A variable name for a block's item: `hosts` → `host`, unused by the blocks around it. */
  private variableFor(collection: Expression | undefined): string {
    const last = collection?.type === 'PathExpression' ? ((collection as PathExpression).parts.at(-1) ?? '') : '';
    let name = /^[A-Za-z_]\w*s$/.test(last) && last.length > 2 ? last.slice(0, -1) : 'item';
    const taken = new Set(
      this.scopes.flatMap((scope) => [...scope.params.values(), scope.self, scope.index]).filter(Boolean),
    );
    for (let n = 2; taken.has(`$${name}`); n++) name = `${name.replace(/\d+$/, '')}${n}`;
    return name;
  }

  private param(name: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const found = this.scopes[i]?.params.get(name);
      if (found) return found;
    }
    return undefined;
  }

  /** One argument as Go writes it. */
  private operand(node: Expression): string {
    switch (node.type) {
      case 'StringLiteral':
        return JSON.stringify((node as hbs.AST.StringLiteral).value);
      case 'NumberLiteral':
        return String((node as hbs.AST.NumberLiteral).value);
      case 'BooleanLiteral':
        return String((node as hbs.AST.BooleanLiteral).value);
      case 'NullLiteral':
      case 'UndefinedLiteral':
        return 'nil';
      case 'SubExpression': {
        const text = this.call(node as hbs.AST.SubExpression, false);
        return isOperand(node) ? text : `(${text})`;
      }
      case 'PathExpression':
        return this.path(node as PathExpression);
      default:
        return this.problem(node, `${node.type} has no Go equivalent`);
    }
  }

  private path(path: PathExpression): string {
    let base: string;
    let parts = path.parts;
    if (path.depth > 0) {
      // `../x`: the `.` of the block `depth` levels out — the root beyond the outermost (handlebars stops there too).
      const target = this.scopes.length - path.depth;
      const self = target <= 0 ? '$' : this.scopes[target - 1]?.self;
      if (!self) return this.problem(path, `${path.original}: the parent context (../) is not in a variable here`);
      return parts.length === 0 ? self : this.guarded(self, parts);
    }
    if (path.data) {
      const [head, ...rest] = parts;
      parts = rest;
      if (head === 'root') base = '$';
      else {
        const scope = this.scopes.at(-1);
        const variable = head === 'index' ? scope?.index : head === 'key' ? scope?.key : undefined;
        if (!variable) return this.problem(path, `@${head} has no Go equivalent here`);
        base = variable;
      }
    } else {
      const param = !/^(this|\.)/.test(path.original) ? this.param(parts[0] as string) : undefined;
      if (param) {
        base = param;
        parts = parts.slice(1);
      } else base = '.';
    }
    if (parts.length === 0) return base;
    // A key Go's field syntax cannot spell (`[my-key]`): index, which gives nil for a missing key as handlebars does.
    if (!parts.every((p) => GO_IDENTIFIER.test(p)))
      return `(index ${base} ${parts.map((p) => JSON.stringify(p)).join(' ')})`;
    return this.guarded(base, parts);
  }

  /**
   * `.a.b.c` that, as in handlebars, gives nil where a map on the way is missing: Go fails on a field of a nil met
   * inside a chain but not on one out of parentheses, so each step that may be missing is parenthesised —
   * `(.Values.global).env` — except where the chart's defaults hold a map (`.Values.image.tag`), and never in the
   * context objects Helm always fills (`.Release`, `.Chart`, `.Capabilities`, …).
   */
  private guarded(base: string, parts: string[]): string {
    const head = parts[0] as string;
    // Outside range and with, `.` is the chart's context (in a define too, as charts include them with `.`).
    const atRoot = (base === '$' || (base === '.' && this.scopes.length === 0)) && CONTEXT_NAMES.has(head);
    const prefix = base === '.' ? '' : base;
    if (atRoot && head !== 'Values') return `${prefix}.${parts.join('.')}`;
    let text = `${prefix}.${head}`;
    // What `text` names, as far as the defaults tell (`.Values` itself is always a map).
    let value: unknown = atRoot ? this.defaults : undefined;
    let isMap = atRoot;
    for (let i = 1; i < parts.length; i++) {
      if (!isMap) text = `(${text})`;
      text += `.${parts[i]}`;
      value =
        isMap && value !== null && typeof value === 'object'
          ? (value as Record<string, unknown>)[parts[i] as string]
          : undefined;
      isMap = value !== null && typeof value === 'object' && !Array.isArray(value);
    }
    return text;
  }

  /**
   * The Go text. A block whose every tag stood alone on its line (handlebars drops such lines) is written as the
   * author laid it out, with `{{-` on each tag: Go then removes the newline before the tag where handlebars removed
   * the one after it, the same text on every path through the block. Other text is written as written where Go's
   * trimming of the tags beside it gives what handlebars gave, and as handlebars rendered it where nothing does.
   */
  text(): string {
    const { pieces } = this;
    const texts = pieces.map((piece) => (piece.kind === 'text' ? split(piece) : undefined));
    const rotated = new Set<number>();
    pieces.forEach((piece, i) => {
      if (piece.kind === 'tag' && piece.construct !== undefined && standalone(texts[i - 1], texts[i + 1], i > 0))
        rotated.add(piece.construct);
    });
    // A block is rotated only when all its tags stand alone.
    pieces.forEach((piece, i) => {
      if (piece.kind === 'tag' && piece.construct !== undefined && !standalone(texts[i - 1], texts[i + 1], i > 0))
        rotated.delete(piece.construct);
    });
    const isRotated = (piece: Piece | undefined): boolean =>
      piece?.kind === 'tag' && piece.construct !== undefined && rotated.has(piece.construct);
    let emitted: string[] = [];
    for (let settled = false; !settled;) {
      settled = true;
      emitted = pieces.map((piece, i) => {
        if (piece.kind !== 'text') return '';
        const before = pieces[i - 1];
        const after = pieces[i + 1];
        const rotatedBefore = isRotated(before);
        const rotatedAfter = isRotated(after);
        // What this text must print in Go: handlebars' text with the newline a rotated tag moves.
        let expected = piece.value;
        if (rotatedBefore) expected = `\n${expected}`;
        // The tag after takes this text's last newline to the text after it: there must be one.
        const lends = !rotatedAfter || expected.endsWith('\n');
        if (rotatedAfter) expected = expected.replace(/\n$/, '');
        const choice = lends
          ? trimChoice(
              piece.original,
              expected,
              before?.kind === 'tag' && !rotatedBefore,
              after?.kind === 'tag',
              rotatedAfter,
            )
          : undefined;
        if (choice) {
          if (before?.kind === 'tag' && choice.left) before.trimRight = true;
          if (after?.kind === 'tag' && choice.right) after.trimLeft = true;
          return piece.original;
        }
        if (rotatedBefore || rotatedAfter) {
          // This text cannot follow the rotation: write its blocks as rendered instead, and decide again.
          for (const tag of [before, after])
            if (tag?.kind === 'tag' && tag.construct !== undefined) rotated.delete(tag.construct);
          settled = false;
        }
        return piece.value;
      });
      if (!settled) for (const piece of pieces) if (piece.kind === 'tag') piece.trimLeft = piece.trimRight = false;
    }
    return pieces
      .map((piece, i) => {
        if (piece.kind === 'text') return escapeBraces(emitted[i] as string);
        // Go comments start right after `{{` (or `{{- `) and end right before `}}` (or ` -}}`).
        const comment = piece.inner.startsWith('/*');
        const open = piece.trimLeft ? '{{- ' : comment ? '{{' : '{{ ';
        const close = piece.trimRight ? ' -}}' : comment ? '}}' : ' }}';
        return `${open}${piece.inner}${close}`;
      })
      .join('');
  }
}

/** A text as written split into what handlebars removed before it, what it printed, and what it removed after. */
interface SplitText {
  original: string;
  removedBefore: string;
  removedAfter: string;
}

function split(piece: Extract<Piece, { kind: 'text' }>): SplitText {
  const { original, value } = piece;
  if (value === '') {
    // All of it went: up to the first newline to the tag before (a standalone tag takes its line's end), the rest to
    // the tag after.
    const head = /^[ \t]*\r?\n/.exec(original)?.[0] ?? '';
    return { original, removedBefore: head, removedAfter: original.slice(head.length) };
  }
  for (let start = 0; start <= original.length - value.length; start++) {
    if (
      original.startsWith(value, start) &&
      original.slice(0, start).trim() === '' &&
      original.slice(start + value.length).trim() === ''
    ) {
      return { original, removedBefore: original.slice(0, start), removedAfter: original.slice(start + value.length) };
    }
    if (!/\s/.test(original[start] ?? '')) break;
  }
  return { original, removedBefore: '', removedAfter: '' };
}

/** A tag handlebars treated as alone on its line: the indent before it and the newline after it were removed. */
function standalone(before: SplitText | undefined, after: SplitText | undefined, hasBefore: boolean): boolean {
  if (!hasBefore || !before || !after) return false;
  const lineEnd = /\n([ \t]*)$/.exec(before.original);
  if (!lineEnd || before.removedAfter !== lineEnd[1]) return false;
  // Exactly one newline before the tag: Go's {{- removes every blank line, handlebars only the indent.
  if (/\n[ \t]*\n[ \t]*$/.test(before.original)) return false;
  return after.removedBefore === '\n' || after.removedBefore === '\r\n';
}

/**
 * Which Go trims of the neighbouring tags turn the text as written into `expected`, if any; `forcedRight`: the tag
 * after it trims (a rotated block's `{{-`).
 */
function trimChoice(
  original: string,
  expected: string,
  canLeft: boolean,
  hasAfter: boolean,
  forcedRight: boolean,
): { left: boolean; right: boolean } | undefined {
  for (const [left, right] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    if ((left && !canLeft) || (right && !hasAfter) || (forcedRight && !right)) continue;
    let text = original;
    if (left) text = text.replace(/^[ \t\r\n]+/, '');
    if (right) text = text.replace(/[ \t\r\n]+$/, '');
    if (text === expected) return { left, right };
  }
  return undefined;
}

/** `{{` in text would open a Go action: print it. */
function escapeBraces(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

/** Whether a block inside this one reads this one's `.` with `../` (a path as many levels up as it is deep). */
function usesParent(program: Program | undefined): boolean {
  const visit = (node: unknown, level: number): boolean => {
    if (!node || typeof node !== 'object') return false;
    const n = node as {
      type?: string;
      depth?: number;
      path?: { original?: string };
      program?: unknown;
      inverse?: unknown;
    };
    if (n.type === 'PathExpression') return level > 0 && n.depth === level;
    if (n.type === 'BlockStatement' && (n.path?.original === 'each' || n.path?.original === 'with')) {
      const { program: body, ...rest } = n;
      return Object.values(rest).some((value) => walk(value, level)) || visit(body, level + 1);
    }
    return Object.values(node).some((value) => walk(value, level));
  };
  const walk = (value: unknown, level: number): boolean =>
    Array.isArray(value) ? value.some((v) => visit(v, level)) : visit(value, level);
  return visit(program, 0);
}

/** The data variables (@index, @key, @first, @last) a block's own body reads (not nested blocks'). */
function dataUsed(program: Program | undefined): Set<string> {
  const used = new Set<string>();
  const visit = (node: unknown, nested: boolean): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; data?: boolean; parts?: string[]; depth?: number; path?: { original?: string } };
    if (n.type === 'PathExpression' && n.data && !nested && n.parts?.[0]) used.add(n.parts[0]);
    if (n.type === 'BlockStatement' && n.path?.original === 'each') {
      for (const [key, value] of Object.entries(node)) if (key !== 'program' && key !== 'inverse') visit(value, nested);
      visit((node as { program?: unknown }).program, true);
      visit((node as { inverse?: unknown }).inverse, nested);
      return;
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) for (const item of value) visit(item, nested);
      else if (value && typeof value === 'object') visit(value, nested);
    }
  };
  visit(program, false);
  return used;
}

/** Rewrites one handlebars template as a Go template; `isHelper` tells function names from values. */
export function handlebarsToGo(
  text: string,
  file: string,
  isHelper: (name: string) => boolean,
  defaults: unknown = {},
): { text: string; problems: ConversionProblem[] } {
  const converter = new ToGo(file, isHelper, defaults);
  converter.program(parseTemplate(text, file) as Program);
  return { text: converter.text(), problems: converter.problems };
}

/**
 * A subexpression that is one operand, not a call: `(.b).c` (the parser's __field) and a literal (__lit). Go writes it
 * without more parentheses, so converting back and forth writes the same text.
 */
function isOperand(node: Expression): boolean {
  const path = (node as hbs.AST.SubExpression).path as PathExpression | undefined;
  return node.type === 'SubExpression' && (path?.original === '__field' || path?.original === '__lit');
}
