// The template engine: templates parsed (handlebars with Helm habits, cached per text) and run by the interpreter with the helper library, Go-truth blocks, partials collected from `{{#define}}` blocks, and
// every failure turned into a PortolanError naming the template file and line (and the include chain to it).
// handlebars' types declare the AST (the global `hbs` namespace) used here.
import type {} from 'handlebars';
import { PortolanError, isPortolanError, messageOf } from '../errors.js';
import { collectionHelpers } from './helpers/collections.js';
import { cryptoHelpers } from './helpers/crypto.js';
import { dataHelpers } from './helpers/data.js';
import { isDict, strval, truth } from './helpers/go.js';
import { stringHelpers } from './helpers/strings.js';
import { Interpreter, createFrame, type HelperEntry, type HelperOptions } from './interpreter.js';
import { parseTemplate } from './parse.js';

type Program = hbs.AST.Program;

/** Helpers whose arguments may be missing on purpose: strict mode does not check their arguments. */
const LENIENT = new Set(['default', 'empty', 'coalesce', 'hasKey', 'required', 'ternary', 'and', 'or', 'not', 'eq', 'ne', 'kindIs', 'kindOf', 'typeOf', 'typeIs', 'typeIsLike', 'dig', 'get', 'index', 'if', 'unless', 'with', 'each', 'define', 'include', 'template', 'tpl', 'lookup']);
const MAX_INCLUDE_DEPTH = 1000;

/** A `{{#define "name"}}` block: its body and the file it came from. */
interface Partial {
  name: string;
  file: string;
  program: Program;
}

interface RenderState {
  partials: Map<string, Partial>;
  /** Templates being rendered, innermost last. */
  stack: string[];
  strict: boolean;
}

let state: RenderState | undefined;

function current(): RenderState {
  if (!state) throw new PortolanError('INTERNAL', 'a template helper ran outside a render');
  return state;
}

function where(options: HelperOptions | undefined): { file: string; line?: number } {
  return { file: state?.stack.at(-1) ?? '<template>', line: options?.loc?.start.line };
}

function at(place: { file: string; line?: number }): string {
  return `${place.file}${place.line ? `:${place.line}` : ''}`;
}

const helpers = new Map<string, HelperEntry>();

// Helm-style functions take their arguments only; the rest below also get handlebars' options object.
const functions = { ...stringHelpers, ...collectionHelpers, ...dataHelpers, ...cryptoHelpers };
for (const [name, fn] of Object.entries(functions)) helpers.set(name, { fn, takesOptions: false });
// Sprig's must* variants fail where the plain ones return a default; portolan's plain ones already fail.
for (const name of ['append', 'push', 'prepend', 'first', 'last', 'rest', 'initial', 'reverse', 'uniq', 'without', 'has', 'compact', 'slice', 'chunk', 'merge', 'mergeOverwrite', 'deepCopy', 'regexMatch', 'regexFind', 'regexFindAll', 'regexReplaceAll', 'regexReplaceAllLiteral', 'regexSplit', 'dateModify', 'toDate', 'toPrettyJson', 'toRawJson', 'fromJson', 'fromYaml', 'dig'] as const) {
  const plain = (functions as Record<string, (...args: unknown[]) => unknown>)[name] as (...args: unknown[]) => unknown;
  helpers.set(`must${name[0]?.toUpperCase()}${name.slice(1)}`, { fn: plain, takesOptions: false });
}
helpers.set('biggest', helpers.get('max') as HelperEntry);

function withOptions(name: string, fn: (this: unknown, ...args: unknown[]) => unknown): void {
  helpers.set(name, { fn, takesOptions: true });
}

// Blocks decide truth as Go templates do: empty lists and maps, 0 and "" are false.
withOptions('if', function (this: unknown, condition: unknown, options: unknown) {
  const o = options as HelperOptions;
  return truth(condition) ? o.fn(this) : o.inverse(this);
});
withOptions('unless', function (this: unknown, condition: unknown, options: unknown) {
  const o = options as HelperOptions;
  return truth(condition) ? o.inverse(this) : o.fn(this);
});
withOptions('with', function (this: unknown, context: unknown, options: unknown) {
  const o = options as HelperOptions;
  return truth(context) ? o.fn(context, { blockParams: [context] }) : o.inverse(this);
});
// Maps are walked in sorted key order, as Go's range does.
withOptions('each', function (this: unknown, collection: unknown, options: unknown) {
  const o = options as HelperOptions;
  const entries: Array<[string | number, unknown]> = Array.isArray(collection)
    ? collection.map((item, index) => [index, item])
    : isDict(collection)
      ? Object.keys(collection)
          .sort()
          .map((key) => [key, collection[key]])
      : [];
  if (entries.length === 0) return o.inverse(this);
  let out = '';
  entries.forEach(([key, item], index) => {
    const data = createFrame(o.data);
    data.key = key;
    data.index = index;
    data.first = index === 0;
    data.last = index === entries.length - 1;
    out += o.fn(item, { data, blockParams: [item, key] });
  });
  return out;
});
// Definitions are collected before rendering; where they stand they print nothing.
withOptions('define', () => '');

function include(name: unknown, context: unknown, options: unknown): string {
  const render = current();
  const o = options as HelperOptions;
  const partialName = strval(name);
  const partial = render.partials.get(partialName);
  const caller = where(o);
  if (!partial) {
    const known = [...render.partials.keys()].sort();
    const close = known.filter((k) => similar(k, partialName)).slice(0, 3);
    throw new PortolanError('PARTIAL_NOT_FOUND', `${at(caller)}: no partial named "${partialName}"${close.length > 0 ? ` (did you mean ${close.map((c) => `"${c}"`).join(', ')}?)` : ''}`, {
      file: caller.file,
      line: caller.line,
      hint:
        known.length > 0
          ? `Partials are {{#define "name"}}…{{/define}} blocks in templates/_*.tpl; defined here: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}`
          : 'Define one with {{#define "name"}}…{{/define}} in a templates/_helpers.tpl file.',
    });
  }
  if (render.stack.length > MAX_INCLUDE_DEPTH) {
    throw new PortolanError('TEMPLATE_RENDER', `${at(caller)}: include "${partialName}" nests more than ${MAX_INCLUDE_DEPTH} levels deep (a partial that includes itself?)`, caller);
  }
  render.stack.push(partial.file);
  try {
    return interpreter.render(partial.program, context, render.strict);
  } catch (error) {
    const base = isPortolanError(error) ? error : toTemplateError(error, partial.file);
    throw new PortolanError(base.code, `${base.message} (in "${partialName}", included from ${at(caller)})`, { file: base.file, line: base.line, hint: base.hint, problems: base.problems });
  } finally {
    render.stack.pop();
  }
}

withOptions('include', include);
withOptions('template', include);

withOptions('required', (message: unknown, value: unknown, options: unknown) => {
  if (value === undefined || value === null || value === '') {
    const place = where(options as HelperOptions);
    throw new PortolanError('TEMPLATE_REQUIRED', `${at(place)}: ${strval(message)}`, { ...place, hint: 'Set the value with -f FILE or --set, as the message says.' });
  }
  return value;
});
withOptions('fail', (message: unknown, options: unknown) => {
  const place = where(options as HelperOptions);
  throw new PortolanError('TEMPLATE_FAIL', `${at(place)}: ${strval(message)}`, place);
});
withOptions('tpl', (text: unknown, context: unknown, options: unknown) => {
  const render = current();
  const name = `${at(where(options as HelperOptions))} (tpl)`;
  const compiled = compileText(strval(text), name);
  render.stack.push(name);
  try {
    return interpreter.render(compiled.program, context, render.strict);
  } catch (error) {
    throw toTemplateError(error, name);
  } finally {
    render.stack.pop();
  }
});
// Helm's lookup reads the cluster; rendering offline it finds nothing. Two arguments keep handlebars' lookup.
withOptions('lookup', (...args: unknown[]) => {
  args.pop();
  if (args.length === 4) return {};
  const [object, key] = args;
  return isDict(object) || Array.isArray(object) ? (object as Record<string, unknown>)[strval(key)] : undefined;
});
// Internals the parser emits: a literal printed alone, `(expr).Field`.
helpers.set('__lit', { fn: (value: unknown) => value, takesOptions: false });
helpers.set('__field', {
  fn: (value: unknown, path: unknown) => {
    let node = value;
    for (const part of strval(path).split('.')) node = isDict(node) && Object.hasOwn(node, part) ? node[part] : undefined;
    return typeof node === 'function' ? (node as () => unknown)() : node;
  },
  takesOptions: false,
});
withOptions('helperMissing', (...args: unknown[]) => {
  const options = args.pop() as HelperOptions;
  const place = where(options);
  const known = [...helpers.keys()].filter((h) => !h.startsWith('__') && similar(h, options.name));
  throw new PortolanError('TEMPLATE_RENDER', `${at(place)}: unknown function "${options.name}"${known.length > 0 ? ` (did you mean ${known.slice(0, 3).join(', ')}?)` : ''}`, {
    ...place,
    hint: 'The functions are Helm/Sprig names (quote, default, toYaml, include, …); README lists them.',
  });
});

const interpreter = new Interpreter({ helpers, lenient: LENIENT, file: () => state?.stack.at(-1) ?? '<template>' });

/** Every function a template can call, by name (for documentation and tests). */
export function helperNames(): string[] {
  return [...helpers.keys()].filter((name) => !name.startsWith('__') && name !== 'helperMissing').sort();
}

/** True when two names are close: one or two edits apart, or one contains the other. */
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

/** Names the template for a failure that is not ours yet. */
export function toTemplateError(error: unknown, file: string): PortolanError {
  if (isPortolanError(error)) return error;
  return new PortolanError('TEMPLATE_RENDER', `${file}: ${messageOf(error)}`, { file, cause: error });
}

export interface ParsedTemplate {
  program: Program;
  /** The `{{#define}}` blocks of this text. */
  defines: Array<{ name: string; program: Program }>;
}

const parsedCache = new Map<string, ParsedTemplate>();

/** Parses a template text (cached by text); syntax errors name `file`. */
export function compileText(text: string, file: string): ParsedTemplate {
  const key = `${file}\u0000${text}`;
  const cached = parsedCache.get(key);
  if (cached) return cached;
  const program = parseTemplate(text, file);
  const defines: ParsedTemplate['defines'] = [];
  collectDefines(program, defines, file);
  const parsed = { program, defines };
  if (parsedCache.size > 5000) parsedCache.clear();
  parsedCache.set(key, parsed);
  return parsed;
}

function collectDefines(program: Program, out: ParsedTemplate['defines'], file: string): void {
  for (const node of program.body) {
    if (node.type !== 'BlockStatement') continue;
    const block = node as hbs.AST.BlockStatement;
    if (block.path.original === 'define') {
      const name = block.params[0];
      if (name?.type !== 'StringLiteral') {
        throw new PortolanError('TEMPLATE_SYNTAX', `${file}:${block.loc.start.line}: {{#define}} needs a name in quotes`, { file, line: block.loc.start.line, hint: 'Write {{#define "mychart.labels"}}…{{/define}}.' });
      }
      out.push({ name: (name as hbs.AST.StringLiteral).value, program: block.program });
      continue;
    }
    if (block.program) collectDefines(block.program, out, file);
    if (block.inverse) collectDefines(block.inverse, out, file);
  }
}

export interface RenderJob {
  /** Every template of the chart tree (partials too), in the order Helm parses them (later defines win). */
  templates: Array<{ file: string; text: string }>;
  strict: boolean;
}

/** A render session: every template parsed and every partial known, then templates rendered one by one. */
export class RenderSession {
  private readonly partials = new Map<string, Partial>();
  private readonly parsed = new Map<string, ParsedTemplate>();
  private readonly strict: boolean;

  constructor(job: RenderJob) {
    this.strict = job.strict;
    for (const template of job.templates) {
      const parsed = compileText(template.text, template.file);
      this.parsed.set(template.file, parsed);
      for (const define of parsed.defines) this.partials.set(define.name, { name: define.name, file: template.file, program: define.program });
    }
  }

  /** Renders one template (by the file name it was given) with `context`. */
  render(file: string, context: unknown): string {
    const template = this.parsed.get(file);
    if (!template) throw new PortolanError('INTERNAL', `no template ${file} in this render`);
    const previous = state;
    state = { partials: this.partials, stack: [file], strict: this.strict };
    try {
      return interpreter.render(template.program, context, this.strict);
    } catch (error) {
      throw toTemplateError(error, file);
    } finally {
      state = previous;
    }
  }
}
