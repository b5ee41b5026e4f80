// The handlebars engine: one environment with the helper library and Go-truth blocks, templates translated from Helm
// habits and compiled once per text, partials collected from `{{#define}}` blocks, and every failure turned into a
// PortolanError naming the template file and line (and the include chain that led there).
import Handlebars from 'handlebars';
import { PortolanError, isPortolanError, messageOf } from '../errors.js';
import { collectionHelpers } from './helpers/collections.js';
import { dataHelpers } from './helpers/data.js';
import { isDict, strval, truth } from './helpers/go.js';
import { stringHelpers, type HelperFn } from './helpers/strings.js';
import { translateTemplate } from './translate.js';

type HelperOptions = Handlebars.HelperOptions & { loc?: { start: { line: number; column: number } }; name?: string };
type Program = hbs.AST.Program;
type Delegate = Handlebars.TemplateDelegate;

/** A `{{#define "name"}}` block: its body, compiled on first use, and the file it came from. */
interface Partial {
  name: string;
  file: string;
  program: Program;
}

const compiledPrograms = new WeakMap<Program, Delegate>();

interface RenderState {
  partials: Map<string, Partial>;
  /** Templates being rendered, innermost last, with the line each include was called from. */
  stack: Array<{ file: string; calledAt?: number; partial?: string }>;
  strict: boolean;
}

const MAX_INCLUDE_DEPTH = 1000;
const COMPILE_OPTIONS: CompileOptions = { noEscape: true, strict: false, preventIndent: true };
interface CompileOptions {
  noEscape: boolean;
  strict: boolean;
  preventIndent: boolean;
}

const hb = Handlebars.create();
let state: RenderState | undefined;

function current(): RenderState {
  if (!state) throw new PortolanError('INTERNAL', 'a template helper ran outside a render');
  return state;
}

function where(options: HelperOptions | undefined): { file: string; line?: number } {
  const top = state?.stack.at(-1);
  return { file: top?.file ?? '<template>', line: options?.loc?.start.line };
}

/** A failure inside a helper, located at the helper call. */
function helperError(name: string, error: unknown, options: HelperOptions | undefined): PortolanError {
  if (isPortolanError(error)) return error;
  const { file, line } = where(options);
  return new PortolanError('TEMPLATE_RENDER', `${file}${line ? `:${line}` : ''}: ${name}: ${messageOf(error)}`, { file, line });
}

/** Registers a Helm-style function: arguments without handlebars' trailing options object. */
function register(name: string, fn: HelperFn): void {
  hb.registerHelper(name, function (this: unknown, ...args: unknown[]) {
    const options = args.pop() as HelperOptions;
    try {
      return fn(...args);
    } catch (error) {
      throw helperError(name, error, options);
    }
  });
}

for (const [name, fn] of Object.entries({ ...stringHelpers, ...collectionHelpers, ...dataHelpers })) register(name, fn);

// Blocks decide truth as Go templates do: empty lists and maps, 0 and "" are false.
hb.registerHelper('if', function (this: unknown, condition: unknown, options: HelperOptions) {
  return truth(typeof condition === 'function' ? condition.call(this) : condition) ? options.fn(this) : options.inverse(this);
});
hb.registerHelper('unless', function (this: unknown, condition: unknown, options: HelperOptions) {
  return truth(typeof condition === 'function' ? condition.call(this) : condition) ? options.inverse(this) : options.fn(this);
});
hb.registerHelper('with', function (this: unknown, context: unknown, options: HelperOptions) {
  if (!truth(context)) return options.inverse(this);
  return options.fn(context, { data: options.data, blockParams: [context] });
});
// Maps are walked in sorted key order, as Go's range does.
hb.registerHelper('each', function (this: unknown, collection: unknown, options: HelperOptions) {
  const entries: Array<[string | number, unknown]> = Array.isArray(collection)
    ? collection.map((item, index) => [index, item])
    : isDict(collection)
      ? Object.keys(collection)
          .sort()
          .map((key) => [key, collection[key]])
      : [];
  if (entries.length === 0) return options.inverse(this);
  let out = '';
  entries.forEach(([key, item], index) => {
    const data = Handlebars.createFrame(options.data ?? {});
    data.key = key;
    data.index = index;
    data.first = index === 0;
    data.last = index === entries.length - 1;
    out += options.fn(item, { data, blockParams: [item, key] });
  });
  return out;
});
// Definitions are collected before rendering; where they stand they print nothing.
hb.registerHelper('define', () => '');

function include(name: unknown, context: unknown, options: HelperOptions): string {
  const render = current();
  const partialName = strval(name);
  const partial = render.partials.get(partialName);
  const at = where(options);
  if (!partial) {
    const known = [...render.partials.keys()].sort();
    const close = known.filter((k) => similar(k, partialName)).slice(0, 3);
    throw new PortolanError('PARTIAL_NOT_FOUND', `${at.file}${at.line ? `:${at.line}` : ''}: no partial named "${partialName}"${close.length > 0 ? ` (did you mean ${close.map((c) => `"${c}"`).join(', ')}?)` : ''}`, {
      file: at.file,
      line: at.line,
      hint: known.length > 0 ? `Partials are {{#define "name"}}…{{/define}} blocks in templates/_*.tpl; defined here: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}` : 'Define one with {{#define "name"}}…{{/define}} in a templates/_helpers.tpl file.',
    });
  }
  if (render.stack.length > MAX_INCLUDE_DEPTH) {
    throw new PortolanError('TEMPLATE_RENDER', `${at.file}${at.line ? `:${at.line}` : ''}: include "${partialName}" nests more than ${MAX_INCLUDE_DEPTH} levels deep (a partial that includes itself?)`, { file: at.file, line: at.line });
  }
  let compiled = compiledPrograms.get(partial.program);
  if (!compiled) {
    compiled = hb.compile(partial.program, COMPILE_OPTIONS);
    compiledPrograms.set(partial.program, compiled);
  }
  render.stack.push({ file: partial.file, calledAt: at.line, partial: partialName });
  try {
    return compiled(context);
  } catch (error) {
    throw located(error, partial.file, at, partialName);
  } finally {
    render.stack.pop();
  }
}

/** Adds `(in "partial", included from file:line)` to an error raised inside a partial, one per level. */
function located(error: unknown, file: string, caller: { file: string; line?: number }, partial: string): PortolanError {
  const base = isPortolanError(error) ? error : toTemplateError(error, file);
  const step = `in "${partial}", included from ${caller.file}${caller.line ? `:${caller.line}` : ''}`;
  return new PortolanError(base.code, `${base.message} (${step})`, { file: base.file, line: base.line, hint: base.hint, problems: base.problems });
}

hb.registerHelper('include', include);
hb.registerHelper('template', include);

hb.registerHelper('required', (message: unknown, value: unknown, options: HelperOptions) => {
  if (value === undefined || value === null || value === '') {
    const { file, line } = where(options);
    throw new PortolanError('TEMPLATE_REQUIRED', `${file}${line ? `:${line}` : ''}: ${strval(message)}`, { file, line, hint: 'Set the value with -f FILE or --set, as the message says.' });
  }
  return value;
});
hb.registerHelper('fail', (message: unknown, options: HelperOptions) => {
  const { file, line } = where(options);
  throw new PortolanError('TEMPLATE_FAIL', `${file}${line ? `:${line}` : ''}: ${strval(message)}`, { file, line });
});
hb.registerHelper('tpl', function (text: unknown, context: unknown, options: HelperOptions) {
  const render = current();
  const at = where(options);
  const name = `${at.file} (tpl)`;
  const compiled = compileText(strval(text), name, render.strict);
  render.stack.push({ file: name, calledAt: at.line });
  try {
    return compiled.fn(context);
  } catch (error) {
    throw isPortolanError(error) ? error : toTemplateError(error, name);
  } finally {
    render.stack.pop();
  }
});
// Helm's lookup reads the cluster; rendering offline it finds nothing. Two arguments keep handlebars' lookup.
hb.registerHelper('lookup', (...args: unknown[]) => {
  args.pop();
  if (args.length === 4) return {};
  const [object, key] = args;
  return isDict(object) || Array.isArray(object) ? (object as Record<string, unknown>)[strval(key)] : undefined;
});
// Internals the translation emits: Go strings with escapes, literals printed alone, `(expr).Field`, strict reads.
hb.registerHelper('__str', (encoded: unknown) => decodeURIComponent(strval(encoded)));
hb.registerHelper('__lit', (value: unknown) => value);
hb.registerHelper('__field', (value: unknown, path: unknown) => {
  let node = value;
  for (const part of strval(path).split('.')) {
    node = isDict(node) && Object.hasOwn(node, part) ? node[part] : undefined;
  }
  return typeof node === 'function' ? (node as () => unknown)() : node;
});
hb.registerHelper('__req', (value: unknown, written: unknown, options: HelperOptions) => {
  if (value === undefined) {
    const { file, line } = where(options);
    throw new PortolanError('TEMPLATE_RENDER', `${file}${line ? `:${line}` : ''}: ${strval(written)} is not set (strict mode: every value a template reads must exist)`, {
      file,
      line,
      hint: 'Set it in values.yaml or with -f/--set, test it with {{#if}}, or give a fallback with default.',
    });
  }
  return value;
});
hb.registerHelper('helperMissing', function (...args: unknown[]) {
  const options = args.pop() as HelperOptions;
  if (args.length === 0) return undefined;
  const name = options.name ?? '?';
  const { file, line } = where(options);
  const known = Object.keys(hb.helpers).filter((h) => !h.startsWith('__') && similar(h, name));
  throw new PortolanError('TEMPLATE_RENDER', `${file}${line ? `:${line}` : ''}: unknown function "${name}"${known.length > 0 ? ` (did you mean ${known.slice(0, 3).join(', ')}?)` : ''}`, {
    file,
    line,
    hint: 'The functions are Helm/Sprig names (quote, default, toYaml, include, …); README lists them.',
  });
});

/** True when two names are close: one edit apart, or one contains the other. */
function similar(a: string, b: string): boolean {
  if (a === b) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x.includes(y) || y.includes(x)) return Math.abs(x.length - y.length) <= 3;
  if (Math.abs(x.length - y.length) > 2) return false;
  const row = Array.from({ length: y.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= x.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const saved = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (x[i - 1] === y[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return (row[y.length] as number) <= 2;
}

/** Names the template and line for a failure that is not ours yet (handlebars exceptions, TypeErrors). */
export function toTemplateError(error: unknown, file: string): PortolanError {
  if (isPortolanError(error)) return error;
  const line = typeof (error as { lineNumber?: unknown })?.lineNumber === 'number' ? ((error as { lineNumber: number }).lineNumber as number) : undefined;
  let message = messageOf(error).replace(/ - \d+:\d+$/, '');
  if (/^Cannot read properties of (undefined|null)/.test(message)) {
    message = `${message.replace(/^Cannot read properties of (undefined|null) \(reading '([^']*)'\)$/, 'cannot read "$2" of a missing value')} (a path through a key that is not set; test it with {{#if}} first)`;
  }
  return new PortolanError('TEMPLATE_RENDER', `${file}${line ? `:${line}` : ''}: ${message}`, { file, line, cause: error });
}

/** A handlebars parse error in words: `file:line: expected …, found …`. */
function syntaxError(error: unknown, file: string): PortolanError {
  const text = messageOf(error);
  const lineMatch = /Parse error on line (\d+)/.exec(text) ?? /- (\d+):\d+$/.exec(text);
  const line = lineMatch ? Number(lineMatch[1]) : undefined;
  const expecting = /Expecting (.*), got '([^']+)'/.exec(text);
  const names: Record<string, string> = {
    EOF: 'the end of the template',
    OPEN_ENDBLOCK: '{{/…}}',
    CLOSE: '}}',
    CLOSE_RAW_BLOCK: '}}}}',
    OPEN_INVERSE_CHAIN: '{{else …}}',
    INVERSE: '{{else}}',
    OPEN: '{{',
    ID: 'a name',
    STRING: 'a string',
    OPEN_SEXPR: '(',
    CLOSE_SEXPR: ')',
    EQUALS: '=',
    SEP: '. or /',
    CONTENT: 'text',
  };
  let message: string;
  if (expecting) {
    const wanted = [...new Set(expecting[1]!.split(', ').map((t) => names[t.replace(/'/g, '')] ?? t.replace(/'/g, '')))].slice(0, 4).join(', ');
    const found = names[expecting[2] as string] ?? expecting[2];
    message = found === 'the end of the template' ? `the template ends inside an open block (expected ${wanted}); is a {{/if}}, {{/each}} or {{/with}} missing?` : `expected ${wanted}, found ${found}`;
  } else {
    const mismatch = /^(\S+) doesn't match (\S+)/.exec(text);
    message = mismatch ? `{{/${mismatch[2]}}} does not close the open {{#${mismatch[1]}}} block` : text.split('\n')[0] ?? text;
  }
  return new PortolanError('TEMPLATE_SYNTAX', `${file}${line ? `:${line}` : ''}: ${message}`, { file, line, hint: 'Blocks are handlebars: {{#if}}…{{/if}}, {{#each}}…{{/each}}, {{#with}}…{{/with}}.' });
}

export interface CompiledTemplate {
  fn: Delegate;
  /** The `{{#define}}` blocks of this text. */
  defines: Array<{ name: string; program: Program }>;
}

const compiledCache = new Map<string, CompiledTemplate>();

/** Translates, parses and compiles a template text (cached by text and mode); syntax errors name `file`. */
export function compileText(text: string, file: string, strict: boolean): CompiledTemplate {
  const key = `${strict ? 's' : 'n'}\u0000${file}\u0000${text}`;
  const cached = compiledCache.get(key);
  if (cached) return cached;
  const translated = translateTemplate(text, file, { strict });
  let ast: Program;
  try {
    ast = hb.parse(translated);
  } catch (error) {
    throw syntaxError(error, file);
  }
  const defines: CompiledTemplate['defines'] = [];
  collectDefines(ast, defines, file);
  const compiled = { fn: hb.compile(ast, COMPILE_OPTIONS), defines };
  if (compiledCache.size > 5000) compiledCache.clear();
  compiledCache.set(key, compiled);
  return compiled;
}

function collectDefines(program: Program, out: CompiledTemplate['defines'], file: string): void {
  for (const node of program.body) {
    if (node.type !== 'BlockStatement') continue;
    const block = node as hbs.AST.BlockStatement;
    const path = block.path as hbs.AST.PathExpression;
    if (path.original === 'define') {
      const name = block.params[0];
      if (name?.type !== 'StringLiteral') {
        throw new PortolanError('TEMPLATE_SYNTAX', `${file}:${block.loc.start.line}: {{#define}} needs a name in quotes`, { file, line: block.loc.start.line, hint: 'Write {{#define "mychart.labels"}}…{{/define}}.' });
      }
      out.push({ name: (name as hbs.AST.StringLiteral).value, program: block.program });
      continue;
    }
    collectDefines(block.program, out, file);
    if (block.inverse) collectDefines(block.inverse, out, file);
  }
}

export interface RenderJob {
  /** Every template of the chart tree (partials too), in the order Helm parses them (later defines win). */
  templates: Array<{ file: string; text: string }>;
  strict: boolean;
}

/** A render session: every template compiled and every partial known, then templates rendered one by one. */
export class RenderSession {
  private readonly partials = new Map<string, Partial>();
  private readonly compiled = new Map<string, CompiledTemplate>();
  private readonly strict: boolean;

  constructor(job: RenderJob) {
    this.strict = job.strict;
    for (const template of job.templates) {
      const compiled = compileText(template.text, template.file, job.strict);
      this.compiled.set(template.file, compiled);
      for (const define of compiled.defines) this.partials.set(define.name, { name: define.name, file: template.file, program: define.program });
    }
  }

  get partialNames(): string[] {
    return [...this.partials.keys()];
  }

  /** Renders one template (by the file name it was given) with `context`. */
  render(file: string, context: unknown): string {
    const template = this.compiled.get(file);
    if (!template) throw new PortolanError('INTERNAL', `no template ${file} in this render`);
    const previous = state;
    state = { partials: this.partials, stack: [{ file }], strict: this.strict };
    try {
      return template.fn(context);
    } catch (error) {
      throw toTemplateError(error, file);
    } finally {
      state = previous;
    }
  }
}
