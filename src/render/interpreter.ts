// Runs parsed handlebars templates directly over their AST (handlebars' own parser and whitespace rules; no
// generated JavaScript): compiling a template to code costs more than rendering it many times, and a chart is
// rendered once per command. Semantics follow handlebars (helpers, `this`, `../`, `@root`/`@index`/`@key`, block
// params, hash arguments, own-property lookups only) with two portolan rules: values print as Go prints them, and
// in strict mode reading a value that is not set fails, naming the path and the line.
// handlebars' types declare the AST (the global `hbs` namespace) used here.
import type {} from 'handlebars';
import { PortolanError, isPortolanError, messageOf } from '../errors.js';
import type { GoArg, GoBranch, GoCommand, GoPipe, GoStatement, GoTemplateCall } from './go-parse.js';
import { formatValue, isDict, isGoStyle, setGoStyle, truth } from './helpers/go.js';
import { goTypeName } from './helpers/gofmt.js';

type Program = hbs.AST.Program;
type Node = hbs.AST.Node;
type Expression = hbs.AST.Expression;
type PathExpression = hbs.AST.PathExpression;
type Hash = hbs.AST.Hash;

/** Data variables (`@root`, `@index`, `@key`, …) visible to a block. */
export type DataFrame = Record<string, unknown> & { root?: unknown; _parent?: DataFrame };

/** A `define` body: its program and the file it came from. */
export interface Partial {
  name: string;
  file: string;
  program: Program;
  /** Whether it runs with Go's semantics (see Interpreter.render); by default, when it is written in Go. */
  goSemantics?: boolean;
}

/** What one render carries through every template it runs: partials, the include chain, strictness. */
export interface RenderState {
  partials: Map<string, Partial>;
  /** Templates being rendered, innermost last. */
  stack: string[];
  /** Names of the partials being included, innermost last (to name a cycle). */
  names: string[];
  strict: boolean;
  /** Go templates: a missing map key fails (Helm's missingkey=error). */
  goStrict: boolean;
}

export interface HelperOptions {
  name: string;
  /** The render this call belongs to (partials, include chain), for include, tpl, required and fail. */
  render: RenderState;
  hash: Record<string, unknown>;
  data: DataFrame;
  loc: { start: { line: number; column: number } };
  /** Number of block params the block declares (`as |a b|`). */
  blockParams?: number;
  fn(context: unknown, options?: { data?: DataFrame; blockParams?: unknown[] }): string;
  inverse(context: unknown, options?: { data?: DataFrame; blockParams?: unknown[] }): string;
}

export type Helper = (this: unknown, ...args: unknown[]) => unknown;

/** A helper and whether it takes handlebars' options object last (blocks, include, …) or just its arguments. */
export interface HelperEntry {
  fn: Helper;
  takesOptions: boolean;
}

export interface InterpreterConfig {
  helpers: ReadonlyMap<string, HelperEntry>;
  /** Helpers whose arguments may be missing on purpose (strict mode does not check them). */
  lenient: ReadonlySet<string>;
  /** Go's builtins and Go-specific versions of helpers, used by Go-dialect templates before `helpers`. */
  goHelpers: ReadonlyMap<string, HelperEntry>;
  /** Functions whose whole-number result is a Go int (printed and compared as one), not a float64. */
  intResults: ReadonlySet<string>;
}

interface Scope {
  context: unknown;
  /** depths[0] is the context; depths[n] is the context n levels up (`../`). */
  depths: unknown[];
  data: DataFrame;
  blockParams: Array<{ names: string[]; values: unknown[] }>;
  strict: boolean;
  render: RenderState;
  /** Go's variable stack for this template execution (`$` first); control structures pop what they pushed. */
  vars: Array<{ name: string; value: unknown }>;
}

/** A Program the Go parser made: its templates print values as Go does. */
export type DialectProgram = Program & { dialect?: 'go' };

/** No value piped in from a previous command (Go's missingVal). */
const NO_FINAL = Symbol('no final');
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

export function createFrame(data: DataFrame | undefined): DataFrame {
  return { ...(data ?? {}), _parent: data };
}

/** How a value prints: nothing for null and missing values, integers as written, lists and maps as Go prints them. */
export function printValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return formatValue(value);
}

function lookup(target: unknown, key: string): unknown {
  if (target === null || target === undefined) return undefined;
  if (typeof target !== 'object' && typeof target !== 'function') {
    return typeof target === 'string' && key === 'length' ? target.length : undefined;
  }
  return Object.hasOwn(target, key) ? (target as Record<string, unknown>)[key] : undefined;
}

const isScoped = (path: PathExpression): boolean => /^\.|^this\b/.test(path.original);
const isSimple = (path: PathExpression): boolean =>
  path.parts.length === 1 && !isScoped(path) && !path.depth && !path.data;

export class Interpreter {
  constructor(private readonly config: InterpreterConfig) {}

  /**
   * Renders a program with `context` as `this`, `@root` and Go's `$`. `goSemantics` (by default: the program is written
   * in Go): values print as Go prints them, and Go's builtins and int-typed results are used, whichever the syntax; a
   * chart converted from one dialect to the other keeps the semantics it was written for.
   */
  render(
    program: DialectProgram,
    context: unknown,
    render: RenderState,
    data?: DataFrame,
    goSemantics = program.dialect === 'go',
  ): string {
    const frame: DataFrame = data ? createFrame(data) : {};
    if (!('root' in frame) || frame.root === undefined) frame.root = context;
    const previous = setGoStyle(goSemantics);
    try {
      return this.program(program, {
        context,
        depths: [context],
        data: frame,
        blockParams: [],
        strict: render.strict,
        render,
        vars: [{ name: '$', value: context }],
      });
    } finally {
      setGoStyle(previous);
    }
  }

  private fail(
    node: Node | { loc?: { start: { line: number } } },
    message: string,
    hint?: string,
    scope?: Scope,
  ): never {
    const file = scope?.render.stack.at(-1) ?? '<template>';
    const line = node.loc?.start.line;
    throw new PortolanError('TEMPLATE_RENDER', `${file}${line ? `:${line}` : ''}: ${message}`, { file, line, hint });
  }

  private program(program: Program | undefined, scope: Scope): string {
    if (!program) return '';
    let out = '';
    for (const statement of program.body) {
      switch (statement.type) {
        case 'ContentStatement':
          out += (statement as hbs.AST.ContentStatement).value;
          break;
        case 'CommentStatement':
          break;
        case 'MustacheStatement':
          out += printValue(this.mustache(statement as hbs.AST.MustacheStatement, scope));
          break;
        case 'BlockStatement':
          out += this.block(statement as hbs.AST.BlockStatement, scope);
          break;
        case 'GoAction' as string:
        case 'GoIf' as string:
        case 'GoWith' as string:
        case 'GoRange' as string:
        case 'GoTemplate' as string:
        case 'GoBreak' as string:
        case 'GoContinue' as string:
        case 'GoDefine' as string:
          out += this.goStatement(statement as unknown as GoStatement, scope);
          break;
        default:
          this.fail(
            statement,
            `${statement.type === 'PartialStatement' || statement.type === 'PartialBlockStatement' ? 'handlebars partials ({{> name}})' : 'decorators'} are not supported`,
            'Define partials with {{#define "name"}}…{{/define}} and call them with {{ include "name" . }}.',
            scope,
          );
      }
    }
    return out;
  }

  /** The helper a call names, if any: a simple name registered as a helper and not shadowed by a block param. */
  private helperFor(path: PathExpression | hbs.AST.Literal, scope: Scope): HelperEntry | undefined {
    if (path.type !== 'PathExpression') return undefined;
    const p = path as PathExpression;
    if (!isSimple(p)) return undefined;
    const name = p.parts[0] as string;
    if (scope.blockParams.some((b) => b.names.includes(name))) return undefined;
    return this.helper(name);
  }

  private mustache(node: hbs.AST.MustacheStatement | hbs.AST.SubExpression, scope: Scope): unknown {
    const path = node.path as PathExpression;
    const helper = this.helperFor(path, scope);
    const hasArgs = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
    if (helper) return this.call(helper, path.parts[0] as string, node, scope, undefined);
    if (!hasArgs) {
      if (path.type !== 'PathExpression') return this.expression(path, scope, false);
      const value = this.path(path, scope, scope.strict && node.type === 'MustacheStatement');
      return typeof value === 'function' ? (value as (this: unknown) => unknown).call(scope.context) : value;
    }
    const target = path.type === 'PathExpression' ? this.path(path, scope, false) : undefined;
    if (typeof target === 'function')
      return this.call({ fn: target as Helper, takesOptions: false }, path.original, node, scope, undefined);
    const missing = this.config.helpers.get('helperMissing') as HelperEntry;
    return this.call(missing, path.original, node, scope, undefined);
  }

  private block(node: hbs.AST.BlockStatement, scope: Scope): string {
    const path = node.path;
    const helper = this.helperFor(path, scope);
    const makeOptions = (): Pick<HelperOptions, 'fn' | 'inverse' | 'blockParams'> => ({
      fn: (context, options) => this.program(node.program, this.child(scope, context, options, node.program)),
      inverse: (context, options) => this.program(node.inverse, this.child(scope, context, options, node.inverse)),
      blockParams: node.program?.blockParams?.length,
    });
    if (helper) return printValue(this.call(helper, path.parts[0] as string, node, scope, makeOptions()));
    // Not a helper: a mustache section over a value, as handlebars' blockHelperMissing does it.
    const value = this.path(path, scope, false);
    if (typeof value === 'function')
      return printValue(
        this.call({ fn: value as Helper, takesOptions: true }, path.original, node, scope, makeOptions()),
      );
    const options = makeOptions();
    if (value === true) return options.fn(scope.context);
    if (value === false || value === null || value === undefined) return options.inverse(scope.context);
    if (Array.isArray(value)) {
      if (value.length === 0) return options.inverse(scope.context);
      return value
        .map((item, index) =>
          options.fn(item, {
            data: { ...createFrame(scope.data), index, first: index === 0, last: index === value.length - 1 },
          }),
        )
        .join('');
    }
    return options.fn(value);
  }

  private child(
    scope: Scope,
    context: unknown,
    options: { data?: DataFrame; blockParams?: unknown[] } | undefined,
    program: Program | undefined,
  ): Scope {
    const names = program?.blockParams ?? [];
    return {
      context,
      depths: context === scope.context ? scope.depths : [context, ...scope.depths],
      data: options?.data ?? scope.data,
      blockParams:
        names.length > 0 && options?.blockParams
          ? [{ names, values: options.blockParams }, ...scope.blockParams]
          : scope.blockParams,
      strict: scope.strict,
      render: scope.render,
      vars: scope.vars,
    };
  }

  /** A function by name: with Go's semantics, Go's builtins first (len in bytes, eq across kinds). */
  private helper(name: string): HelperEntry | undefined {
    return (isGoStyle() ? this.config.goHelpers.get(name) : undefined) ?? this.config.helpers.get(name);
  }

  private call(
    helper: HelperEntry,
    name: string,
    node: hbs.AST.MustacheStatement | hbs.AST.SubExpression | hbs.AST.BlockStatement,
    scope: Scope,
    block: Pick<HelperOptions, 'fn' | 'inverse' | 'blockParams'> | undefined,
  ): unknown {
    const lenient = !scope.strict || this.config.lenient.has(name);
    const args = node.params.map((param) => this.expression(param, scope, !lenient));
    try {
      if (!helper.takesOptions) {
        const result = helper.fn.apply(scope.context, args);
        return isGoStyle() && this.config.intResults.has(name) ? toGoInt(result) : result;
      }
      const options: HelperOptions = {
        name,
        render: scope.render,
        hash: this.hash(node.hash, scope, !lenient),
        data: scope.data,
        loc: node.loc,
        fn: block?.fn ?? (() => ''),
        inverse: block?.inverse ?? (() => ''),
        blockParams: block?.blockParams,
      };
      args.push(options);
      return helper.fn.apply(scope.context, args);
    } catch (error) {
      if (isPortolanError(error)) throw error;
      this.fail(node, `${name}: ${messageOf(error)}`, undefined, scope);
    }
  }

  private hash(hash: Hash | undefined, scope: Scope, strict: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const pair of hash?.pairs ?? []) out[pair.key] = this.expression(pair.value, scope, strict);
    return out;
  }

  private expression(node: Expression, scope: Scope, strict: boolean): unknown {
    switch (node.type) {
      case 'PathExpression':
        return this.path(node as PathExpression, scope, strict);
      case 'SubExpression':
        return this.mustache(node as hbs.AST.SubExpression, scope);
      case 'NumberLiteral': {
        // With Go's semantics a whole number written in the template is a Go int, as `{{ 3 }}` is in Go.
        const value = (node as hbs.AST.NumberLiteral).value;
        return isGoStyle() && Number.isSafeInteger(value) ? BigInt(value) : value;
      }
      case 'StringLiteral':
      case 'BooleanLiteral':
        return (node as hbs.AST.StringLiteral).value;
      case 'NullLiteral':
        return null;
      case 'UndefinedLiteral':
        return undefined;
      default:
        return this.fail(node, `unexpected ${node.type}`, undefined, scope);
    }
  }

  /** Resolves a path; in strict mode a value that is not set fails, naming the path as written. */
  private path(path: PathExpression, scope: Scope, strict: boolean): unknown {
    let value: unknown;
    let parts = path.parts;
    if (path.data) {
      value = lookup(scope.data, parts[0] as string);
      parts = parts.slice(1);
    } else {
      const param =
        !path.depth && !isScoped(path)
          ? scope.blockParams.find((b) => b.names.includes(parts[0] as string))
          : undefined;
      if (param) {
        value = param.values[param.names.indexOf(parts[0] as string)];
        parts = parts.slice(1);
      } else value = scope.depths[Math.min(path.depth ?? 0, scope.depths.length - 1)];
    }
    for (const part of parts) {
      if (value === undefined || value === null) break;
      value = lookup(value, part);
    }
    if (value === undefined && strict) {
      const written = path.original.replace(/^this\./, '.').replace(/^@root\./, '$.');
      this.fail(
        path,
        `${written} is not set (strict mode: every value a template reads must exist)`,
        'Set it in values.yaml or with -f/--set, test it with {{#if}}, or give a fallback with default.',
        scope,
      );
    }
    return value;
  }

  // --- the Go dialect (text/template's exec.go, as Helm runs it: missingkey=zero, Sprig and Helm functions) -----

  private goStatement(node: GoStatement, scope: Scope): string {
    switch (node.type) {
      case 'GoAction': {
        const value = this.goPipe(node.pipe, scope);
        return node.pipe.decl.length > 0 ? '' : goPrint(value);
      }
      case 'GoIf':
      case 'GoWith':
        return this.goIfWith(node, scope);
      case 'GoRange':
        return this.goRange(node, scope);
      case 'GoTemplate':
        return this.goTemplate(node, scope);
      case 'GoDefine':
        return ''; // defined before rendering; where it stands it prints nothing
      case 'GoBreak':
        throw BREAK;
      case 'GoContinue':
        throw CONTINUE;
    }
  }

  private goIfWith(node: GoBranch, scope: Scope): string {
    const mark = scope.vars.length;
    try {
      const value = this.goPipe(node.pipe, scope);
      if (truth(value))
        return this.program(
          node.program,
          // depths (handlebars' `../`) mean nothing to a Go template: left as they are.
          node.type === 'GoWith' ? { ...scope, context: value } : scope,
        );
      return this.program(node.inverse, scope);
    } finally {
      scope.vars.length = mark;
    }
  }

  private goRange(node: GoBranch, scope: Scope): string {
    const mark = scope.vars.length;
    try {
      const value = this.goPipe(node.pipe, scope);
      const items = this.goRangeItems(value, node, scope);
      if (items.length === 0) return this.program(node.inverse, scope);
      const { decl, isAssign } = node.pipe;
      const inner = scope.vars.length;
      // One scope for every element, its context set in turn: nothing keeps a scope past its element's run.
      const body: Scope = { ...scope };
      let out = '';
      for (const [index, element] of items) {
        if (decl.length > 0) {
          // Go: with one variable it takes the element; with two, the first takes the index.
          if (isAssign) {
            this.goSetVar(decl[0] as string, decl.length > 1 ? index : element, node.loc.start.line, scope);
            if (decl.length > 1) this.goSetVar(decl[1] as string, element, node.loc.start.line, scope);
          } else if (decl.length > 1) {
            (scope.vars[inner - 2] as { value: unknown }).value = index;
            (scope.vars[inner - 1] as { value: unknown }).value = element;
          } else (scope.vars[inner - 1] as { value: unknown }).value = element;
        }
        try {
          body.context = element;
          out += this.program(node.program, body);
        } catch (signal) {
          if (signal === BREAK) break;
          if (signal !== CONTINUE) throw signal;
        } finally {
          scope.vars.length = inner;
        }
      }
      return out;
    } finally {
      scope.vars.length = mark;
    }
  }

  /** What range walks: lists by index, maps by sorted key, an int n as 0…n-1; nil walks nothing. */
  private goRangeItems(value: unknown, node: GoBranch, scope: Scope): Array<[unknown, unknown]> {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value.map((item, index) => [BigInt(index), item]);
    if (typeof value === 'bigint') {
      if (node.pipe.decl.length > 1)
        this.fail(node, `can't use ${node.pipe.decl.join(', ')} to iterate over ${value}`, undefined, scope);
      const out: Array<[unknown, unknown]> = [];
      for (let i = 0n; i < value; i++) out.push([i, i]);
      return out;
    }
    if (isDict(value) && !isGoStruct(value)) {
      return Object.keys(value)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map((key) => [key, value[key]]);
    }
    return this.fail(node, `range can't iterate over ${goPrint(value)}`, undefined, scope);
  }

  private goTemplate(node: GoTemplateCall, scope: Scope): string {
    const context = node.pipe ? this.goPipe(node.pipe, scope) : undefined;
    const template = this.config.helpers.get('template') as HelperEntry;
    return this.goCall(
      template,
      'template',
      [node.name, context],
      { args: [], text: `template "${node.name}"`, line: node.loc.start.line },
      scope,
    ) as string;
  }

  private goPipe(pipe: GoPipe, scope: Scope): unknown {
    let value: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) value = this.goCommand(cmd, scope, value);
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.goSetVar(name, value, pipe.cmds[0]?.line ?? 0, scope);
      else scope.vars.push({ name, value });
    }
    return value;
  }

  private goSetVar(name: string, value: unknown, line: number, scope: Scope): void {
    for (let i = scope.vars.length - 1; i >= 0; i--) {
      const slot = scope.vars[i] as { name: string; value: unknown };
      if (slot.name === name) {
        slot.value = value;
        return;
      }
    }
    this.goFail({ args: [], text: name, line }, `undefined variable: ${name}`, scope);
  }

  private goVar(name: string, at: GoCommand, scope: Scope): unknown {
    for (let i = scope.vars.length - 1; i >= 0; i--) {
      const slot = scope.vars[i] as { name: string; value: unknown };
      if (slot.name === name) return slot.value;
    }
    return this.goFail(at, `undefined variable: ${name}`, scope);
  }

  /** A command: its first word decides (field, chain, function, parenthesised pipeline, variable or constant). */
  private goCommand(cmd: GoCommand, scope: Scope, final: unknown): unknown {
    const first = cmd.args[0] as GoArg;
    switch (first.kind) {
      case 'field':
        return this.goFieldChain(scope.context, first.names, cmd, scope, final);
      case 'chain': {
        if (first.node.kind === 'nil') this.goFail(cmd, `indirection through explicit nil in ${first.text}`, scope);
        const receiver = this.goArg(first.node, cmd, scope);
        return this.goFieldChain(receiver, first.names, cmd, scope, final);
      }
      case 'identifier':
        return this.goFunction(first.name, cmd, scope, final);
      case 'variable': {
        const value = this.goVar(first.name, cmd, scope);
        if (first.names.length === 0) {
          this.goNotAFunction(cmd, final, scope);
          return value;
        }
        return this.goFieldChain(value, first.names, cmd, scope, final);
      }
      case 'pipe':
        this.goNotAFunction(cmd, final, scope);
        return this.goPipe(first.pipe, scope);
      case 'nil':
        return this.goFail(cmd, 'nil is not a command', scope);
      default:
        this.goNotAFunction(cmd, final, scope);
        return this.goArg(first, cmd, scope);
    }
  }

  private goNotAFunction(cmd: GoCommand, final: unknown, scope: Scope): void {
    if (cmd.args.length > 1 || final !== NO_FINAL)
      this.goFail(cmd, `can't give argument to non-function ${(cmd.args[0] as GoArg).text}`, scope);
  }

  /** An argument's value; a function name alone is called with no arguments, as Go does. */
  private goArg(arg: GoArg, cmd: GoCommand, scope: Scope): unknown {
    switch (arg.kind) {
      case 'dot':
        return scope.context;
      case 'nil':
        return null;
      case 'bool':
      case 'string':
      case 'number':
        return arg.value;
      case 'field':
        return this.goFieldChain(
          scope.context,
          arg.names,
          { args: [arg], text: arg.text, line: cmd.line },
          scope,
          NO_FINAL,
        );
      case 'variable': {
        const value = this.goVar(arg.name, cmd, scope);
        return arg.names.length === 0
          ? value
          : this.goFieldChain(value, arg.names, { args: [arg], text: arg.text, line: cmd.line }, scope, NO_FINAL);
      }
      case 'identifier':
        return this.goFunction(arg.name, { args: [arg], text: arg.text, line: cmd.line }, scope, NO_FINAL);
      case 'pipe':
        return this.goPipe(arg.pipe, scope);
      case 'chain': {
        if (arg.node.kind === 'nil') this.goFail(cmd, `indirection through explicit nil in ${arg.text}`, scope);
        return this.goFieldChain(
          this.goArg(arg.node, cmd, scope),
          arg.names,
          { args: [arg], text: arg.text, line: cmd.line },
          scope,
          NO_FINAL,
        );
      }
    }
  }

  /**
   * `.a.b.c` from `receiver`. Go tells two nils apart: a nil found in a map along the chain is an interface holding
   * nil, and reading a field of it fails ("nil pointer evaluating"); a nil that comes out of a pipeline, a variable or
   * parentheses (`(.Values.global).x`, `$x.y`) is no value at all, and its fields are nil too, silently.
   */
  private goFieldChain(receiver: unknown, names: string[], cmd: GoCommand, scope: Scope, final: unknown): unknown {
    let value = receiver;
    const invalid = receiver === undefined || receiver === null;
    const last = names.length - 1;
    for (let i = 0; i <= last; i++) {
      if (invalid) {
        if (scope.render.goStrict) this.goFail(cmd, `nil data; no entry for key "${names[i]}"`, scope);
        continue;
      }
      // Only the chain's last name takes the command's arguments (and the piped value).
      value = this.goField(value, names[i] as string, cmd, scope, i === last ? final : NO_FINAL, i === last);
    }
    return invalid ? undefined : value;
  }

  /** `.name` on a value: a method call, a map entry (missing: nil, or an error in strict mode), or an error. */
  private goField(
    receiver: unknown,
    name: string,
    cmd: GoCommand,
    scope: Scope,
    final: unknown,
    takesArgs = true,
  ): unknown {
    const hasArgs = (takesArgs && cmd.args.length > 1) || final !== NO_FINAL;
    if (receiver === undefined || receiver === null)
      return this.goFail(cmd, `nil pointer evaluating interface {}.${name}`, scope);
    // Methods: functions the context attaches to its objects (Files.Get, Capabilities.APIVersions.Has).
    const method =
      typeof receiver === 'object' && Object.hasOwn(receiver, name)
        ? (receiver as Record<string, unknown>)[name]
        : undefined;
    if (
      typeof receiver === 'object' &&
      (typeof method === 'function' ||
        (!Array.isArray(receiver) && !(receiver instanceof Date) && !Buffer.isBuffer(receiver)))
    ) {
      const map = receiver as Record<string, unknown>;
      if (Object.hasOwn(map, name)) {
        const value = map[name];
        if (typeof value === 'function') {
          const args = takesArgs ? cmd.args.slice(1).map((arg) => this.goArg(arg, cmd, scope)) : [];
          if (final !== NO_FINAL) args.push(final);
          try {
            return value.apply(receiver, args);
          } catch (error) {
            if (isPortolanError(error)) throw error;
            return this.goFail(cmd, `error calling ${name}: ${messageOf(error)}`, scope);
          }
        }
        if (hasArgs) this.goFail(cmd, `${name} is not a method but has arguments`, scope);
        return value;
      }
      if (isGoStruct(map)) return this.goFail(cmd, `can't evaluate field ${name} in type ${goStructName(map)}`, scope);
      if (hasArgs) this.goFail(cmd, `${name} is not a method but has arguments`, scope);
      if (scope.render.goStrict) this.goFail(cmd, `map has no entry for key "${name}"`, scope);
      return undefined;
    }
    return this.goFail(cmd, `can't evaluate field ${name} in type ${goTypeName(receiver)}`, scope);
  }

  private goFunction(name: string, cmd: GoCommand, scope: Scope, final: unknown): unknown {
    if (name === 'and' || name === 'or') {
      // Go's and/or short-circuit and return the deciding operand itself.
      let value: unknown;
      for (const arg of cmd.args.slice(1)) {
        value = this.goArg(arg, cmd, scope);
        if (truth(value) === (name === 'or')) return value;
      }
      if (final !== NO_FINAL) value = final;
      if (cmd.args.length === 1 && final === NO_FINAL)
        this.goFail(cmd, `wrong number of args for ${name}: want at least 1 got 0`, scope);
      return value;
    }
    const helper = this.helper(name) ?? this.config.goHelpers.get(name);
    if (
      !helper ||
      name.startsWith('__') ||
      name === 'helperMissing' ||
      name === 'if' ||
      name === 'unless' ||
      name === 'each' ||
      name === 'define'
    ) {
      return this.goFail(cmd, `function "${name}" not defined`, scope);
    }
    const args = cmd.args.slice(1).map((arg) => this.goArg(arg, cmd, scope));
    if (final !== NO_FINAL) args.push(final);
    const result = this.goCall(helper, name, args, cmd, scope);
    if (this.config.intResults.has(name)) return toGoInt(result);
    return result;
  }

  private goCall(helper: HelperEntry, name: string, args: unknown[], at: GoCommand, scope: Scope): unknown {
    try {
      if (!helper.takesOptions) return helper.fn.apply(scope.context, args);
      const options: HelperOptions = {
        name,
        render: scope.render,
        hash: {},
        data: scope.data,
        loc: { start: { line: at.line, column: 0 } },
        fn: () => '',
        inverse: () => '',
      };
      return helper.fn.apply(scope.context, [...args, options]);
    } catch (error) {
      if (isPortolanError(error) || error === BREAK || error === CONTINUE) throw error;
      return this.goFail(at, `error calling ${name}: ${messageOf(error)}`, scope);
    }
  }

  /** Helm's wording: the template, line, the command at fault, and Go's message. */
  private goFail(at: GoCommand, message: string, scope: Scope): never {
    const file = scope.render.stack.at(-1) ?? '<template>';
    throw new PortolanError('TEMPLATE_RENDER', `${file}:${at.line}: executing "${file}" at <${at.text}>: ${message}`, {
      file,
      line: at.line,
    });
  }
}

/** Go's fmt.Fprint of an action's value; nil prints nothing (Helm removes Go's `<no value>`). */
function goPrint(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return formatValue(value);
}

/** A whole-number result of an int-typed function, as Go's int. */
function toGoInt(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v)))
    return value.map((v) => BigInt(v as number));
  return value;
}

/** Objects the context builds as Go structs (Release, Chart, Capabilities, …): a missing field is an error. */
const GO_STRUCT = Symbol.for('portolan.goStruct');

export function markGoStruct<T extends object>(value: T, typeName: string): T {
  Object.defineProperty(value, GO_STRUCT, { value: typeName, enumerable: false });
  return value;
}

function isGoStruct(value: object): boolean {
  return GO_STRUCT in value;
}

function goStructName(value: object): string {
  return (value as Record<symbol, string>)[GO_STRUCT] ?? 'struct';
}
