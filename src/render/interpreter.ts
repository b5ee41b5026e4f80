// Runs parsed handlebars templates directly over their AST (handlebars' own parser and whitespace rules; no
// generated JavaScript): compiling a template to code costs more than rendering it many times, and a chart is
// rendered once per command. Semantics follow handlebars (helpers, `this`, `../`, `@root`/`@index`/`@key`, block
// params, hash arguments, own-property lookups only) with two portolan rules: values print as Go prints them, and
// in strict mode reading a value that is not set fails, naming the path and the line.
// handlebars' types declare the AST (the global `hbs` namespace) used here.
import type {} from 'handlebars';
import { PortolanError, isPortolanError, messageOf } from '../errors.js';
import { formatValue } from './helpers/go.js';

type Program = hbs.AST.Program;
type Node = hbs.AST.Node;
type Expression = hbs.AST.Expression;
type PathExpression = hbs.AST.PathExpression;
type Hash = hbs.AST.Hash;

/** Data variables (`@root`, `@index`, `@key`, …) visible to a block. */
export type DataFrame = Record<string, unknown> & { root?: unknown; _parent?: DataFrame };

export interface HelperOptions {
  name: string;
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
  helpers: Map<string, HelperEntry>;
  /** Helpers whose arguments may be missing on purpose (strict mode does not check them). */
  lenient: ReadonlySet<string>;
  /** The template being rendered, for error messages. */
  file(): string;
}

interface Scope {
  context: unknown;
  /** depths[0] is the context; depths[n] is the context n levels up (`../`). */
  depths: unknown[];
  data: DataFrame;
  blockParams: Array<{ names: string[]; values: unknown[] }>;
  strict: boolean;
}

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
const isSimple = (path: PathExpression): boolean => path.parts.length === 1 && !isScoped(path) && !path.depth && !path.data;

export class Interpreter {
  constructor(private readonly config: InterpreterConfig) {}

  /** Renders a program with `context` as `this` and `@root`. */
  render(program: Program, context: unknown, strict: boolean, data?: DataFrame): string {
    const frame: DataFrame = data ? createFrame(data) : {};
    if (!('root' in frame) || frame.root === undefined) frame.root = context;
    return this.program(program, { context, depths: [context], data: frame, blockParams: [], strict });
  }

  private fail(node: Node, message: string, hint?: string): never {
    const file = this.config.file();
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
        default:
          this.fail(statement, `${statement.type === 'PartialStatement' || statement.type === 'PartialBlockStatement' ? 'handlebars partials ({{> name}})' : 'decorators'} are not supported`, 'Define partials with {{#define "name"}}…{{/define}} and call them with {{ include "name" . }}.');
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
    return this.config.helpers.get(name);
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
    if (typeof target === 'function') return this.call({ fn: target as Helper, takesOptions: false }, path.original, node, scope, undefined);
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
    if (typeof value === 'function') return printValue(this.call({ fn: value as Helper, takesOptions: true }, path.original, node, scope, makeOptions()));
    const options = makeOptions();
    if (value === true) return options.fn(scope.context);
    if (value === false || value === null || value === undefined) return options.inverse(scope.context);
    if (Array.isArray(value)) {
      if (value.length === 0) return options.inverse(scope.context);
      return value.map((item, index) => options.fn(item, { data: { ...createFrame(scope.data), index, first: index === 0, last: index === value.length - 1 } })).join('');
    }
    return options.fn(value);
  }

  private child(scope: Scope, context: unknown, options: { data?: DataFrame; blockParams?: unknown[] } | undefined, program: Program | undefined): Scope {
    const names = program?.blockParams ?? [];
    return {
      context,
      depths: context === scope.context ? scope.depths : [context, ...scope.depths],
      data: options?.data ?? scope.data,
      blockParams: names.length > 0 && options?.blockParams ? [{ names, values: options.blockParams }, ...scope.blockParams] : scope.blockParams,
      strict: scope.strict,
    };
  }

  private call(helper: HelperEntry, name: string, node: hbs.AST.MustacheStatement | hbs.AST.SubExpression | hbs.AST.BlockStatement, scope: Scope, block: Pick<HelperOptions, 'fn' | 'inverse' | 'blockParams'> | undefined): unknown {
    const lenient = !scope.strict || this.config.lenient.has(name);
    const args = node.params.map((param) => this.expression(param, scope, !lenient));
    try {
      if (!helper.takesOptions) return helper.fn.apply(scope.context, args);
      const options: HelperOptions = {
        name,
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
      this.fail(node, `${name}: ${messageOf(error)}`);
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
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
        return (node as hbs.AST.StringLiteral).value;
      case 'NullLiteral':
        return null;
      case 'UndefinedLiteral':
        return undefined;
      default:
        return this.fail(node, `unexpected ${node.type}`);
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
      const param = !path.depth && !isScoped(path) ? scope.blockParams.find((b) => b.names.includes(parts[0] as string)) : undefined;
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
      this.fail(path, `${written} is not set (strict mode: every value a template reads must exist)`, 'Set it in values.yaml or with -f/--set, test it with {{#if}}, or give a fallback with default.');
    }
    return value;
  }
}
