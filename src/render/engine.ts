// The template engine: templates parsed (cached per text) in their dialect — handlebars with Helm habits, or Go's
// text/template syntax as Helm runs it — and run by one interpreter with one helper library, partials collected from
// `define` blocks of both dialects, and every failure turned into a PortolanError naming the template file and line
// (and the include chain to it). A render's state (partials, include chain) travels with each call, never in a global.
// handlebars' types declare the AST (the global `hbs` namespace) used here.
import type {} from 'handlebars';
import { PortolanError, isPortolanError, messageOf } from '../errors.js';
import { collectionHelpers } from './helpers/collections.js';
import { cryptoHelpers } from './helpers/crypto.js';
import { dataHelpers } from './helpers/data.js';
import { isDict, isGoStyle, strval, truth } from './helpers/go.js';
import { stringHelpers } from './helpers/strings.js';
import { goBuiltins } from './helpers/go-builtins.js';
import {
  Interpreter,
  createFrame,
  type DialectProgram,
  type HelperEntry,
  type HelperOptions,
  type Partial,
  type RenderState,
} from './interpreter.js';
import { detectDialect, parseTemplate, type Dialect } from './parse.js';
import { parseGoTemplate } from './go-parse.js';

type Program = hbs.AST.Program;

/** Helpers whose arguments may be missing on purpose: strict mode does not check their arguments. */
const LENIENT = new Set([
  'default',
  'empty',
  'coalesce',
  'hasKey',
  'required',
  'ternary',
  'and',
  'or',
  'not',
  'eq',
  'ne',
  'kindOf',
  'kindIs',
  'typeOf',
  'typeIs',
  'typeIsLike',
  'dig',
  'get',
  'index',
  'if',
  'unless',
  'with',
  'each',
  'define',
  'include',
  'template',
  'tpl',
  'lookup',
]);
/** Functions Sprig and Go type as returning int or int64: in Go templates their results print and compare as ints. */
const INT_RESULTS = new Set([
  'add',
  'add1',
  'sub',
  'mul',
  'div',
  'mod',
  'max',
  'min',
  'biggest',
  'len',
  'int',
  'int64',
  'atoi',
  'randInt',
  'until',
  'untilStep',
  'toDecimal',
  'durationMilliseconds',
  'durationMicroseconds',
  'durationNanoseconds',
]);
const MAX_INCLUDE_DEPTH = 1000;
/** How often one template may be on the include chain at once before it counts as a cycle (Helm: 1000; deep enough). */
const RECURSION_LIMIT = 100;

function where(options: HelperOptions): { file: string; line?: number } {
  return { file: options.render.stack.at(-1) ?? '<template>', line: options.loc?.start.line || undefined };
}

function at(place: { file: string; line?: number }): string {
  return `${place.file}${place.line ? `:${place.line}` : ''}`;
}

/** The helper table, built once on first use (not at import) and never changed after. */
let table: Map<string, HelperEntry> | undefined;

function helperTable(): Map<string, HelperEntry> {
  if (table) return table;
  const helpers = new Map<string, HelperEntry>();
  // Helm-style functions take their arguments only; the rest below also get handlebars' options object.
  const functions = { ...stringHelpers, ...collectionHelpers, ...dataHelpers, ...cryptoHelpers };
  for (const [name, fn] of Object.entries(functions)) helpers.set(name, { fn, takesOptions: false });
  // Sprig's must* variants fail where the plain ones return a default; portolan's plain ones already fail.
  for (const name of [
    'append',
    'push',
    'prepend',
    'first',
    'last',
    'rest',
    'initial',
    'reverse',
    'uniq',
    'without',
    'has',
    'compact',
    'slice',
    'chunk',
    'merge',
    'mergeOverwrite',
    'deepCopy',
    'regexMatch',
    'regexFind',
    'regexFindAll',
    'regexReplaceAll',
    'regexReplaceAllLiteral',
    'regexSplit',
    'dateModify',
    'toDate',
    'toPrettyJson',
    'toRawJson',
    'fromJson',
    'fromYaml',
    'dig',
  ] as const) {
    const plain = (functions as Record<string, (...args: unknown[]) => unknown>)[name] as (
      ...args: unknown[]
    ) => unknown;
    helpers.set(`must${name[0]?.toUpperCase()}${name.slice(1)}`, { fn: plain, takesOptions: false });
  }
  helpers.set('biggest', helpers.get('max') as HelperEntry);
  // Sprig's other names: trimall (old trimAll) and the os* path functions (the same on Linux).
  for (const [alias, name] of [
    ['trimall', 'trimAll'],
    ['osBase', 'base'],
    ['osClean', 'clean'],
    ['osDir', 'dir'],
    ['osExt', 'ext'],
    ['osIsAbs', 'isAbs'],
  ] as const) {
    helpers.set(alias, helpers.get(name) as HelperEntry);
  }
  const withOptions = (name: string, fn: (this: unknown, ...args: unknown[]) => unknown): void => {
    helpers.set(name, { fn, takesOptions: true });
  };

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
      // With Go's semantics a list's index is a Go int, as range's is (printf "%d" takes it).
      out += o.fn(item, { data, blockParams: [item, typeof key === 'number' && isGoStyle() ? BigInt(key) : key] });
    });
    return out;
  });
  // Definitions are collected before rendering; where they stand they print nothing.
  withOptions('define', () => '');
  withOptions('include', include);
  withOptions('template', include);
  withOptions('required', (message: unknown, value: unknown, options: unknown) => {
    if (value === undefined || value === null || value === '') {
      const place = where(options as HelperOptions);
      throw new PortolanError('TEMPLATE_REQUIRED', `${at(place)}: ${strval(message)}`, {
        ...place,
        hint: 'Set the value with -f FILE or --set, as the message says.',
      });
    }
    return value;
  });
  withOptions('fail', (message: unknown, options: unknown) => {
    const place = where(options as HelperOptions);
    throw new PortolanError('TEMPLATE_FAIL', `${at(place)}: ${strval(message)}`, place);
  });
  withOptions('tpl', tpl);
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
      for (const part of strval(path).split('.'))
        node = isDict(node) && Object.hasOwn(node, part) ? node[part] : undefined;
      return typeof node === 'function' ? (node as () => unknown)() : node;
    },
    takesOptions: false,
  });
  withOptions('helperMissing', (...args: unknown[]) => {
    const options = args.pop() as HelperOptions;
    const place = where(options);
    const known = [...helpers.keys()].filter((h) => !h.startsWith('__') && similar(h, options.name));
    throw new PortolanError(
      'TEMPLATE_RENDER',
      `${at(place)}: unknown function "${options.name}"${known.length > 0 ? ` (did you mean ${known.slice(0, 3).join(', ')}?)` : ''}`,
      {
        ...place,
        hint: 'The functions are Helm/Sprig names (quote, default, toYaml, include, …); README lists them.',
      },
    );
  });
  table = helpers;
  return helpers;
}

function include(name: unknown, context: unknown, options: unknown): string {
  const o = options as HelperOptions;
  const render = o.render;
  const partialName = strval(name);
  const partial = render.partials.get(partialName);
  const caller = where(o);
  if (!partial) {
    const known = [...render.partials.keys()].sort();
    const close = known.filter((k) => similar(k, partialName)).slice(0, 3);
    throw new PortolanError(
      'PARTIAL_NOT_FOUND',
      `${at(caller)}: no partial named "${partialName}"${close.length > 0 ? ` (did you mean ${close.map((c) => `"${c}"`).join(', ')}?)` : ''}`,
      {
        file: caller.file,
        line: caller.line,
        hint:
          known.length > 0
            ? `Templates are defined with {{ define "name" }}…{{ end }} (or {{#define "name"}}…{{/define}}) in templates/_*.tpl; defined here: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}`
            : 'Define one with {{ define "name" }}…{{ end }} in a templates/_helpers.tpl file.',
      },
    );
  }
  if (
    render.names.filter((n) => n === partialName).length >= RECURSION_LIMIT ||
    render.stack.length > MAX_INCLUDE_DEPTH
  ) {
    const cycle = render.names.slice(render.names.lastIndexOf(partialName));
    throw new PortolanError(
      'TEMPLATE_RECURSION',
      `${at(caller)}: template "${partialName}" includes itself without end (${[...cycle.slice(-5), partialName].join(' → ')})`,
      {
        ...caller,
        hint: 'A template that includes itself needs a condition that ends the recursion.',
      },
    );
  }
  render.stack.push(partial.file);
  render.names.push(partialName);
  try {
    return interpreter().render(partial.program, context, render, undefined, partial.goSemantics);
  } catch (error) {
    const base = isPortolanError(error) ? error : toTemplateError(error, partial.file);
    if (base.code === 'TEMPLATE_RECURSION') throw base; // one short message, not a thousand "included from"s
    throw new PortolanError(base.code, `${base.message} (in "${partialName}", included from ${at(caller)})`, {
      file: base.file,
      line: base.line,
      hint: base.hint,
      problems: base.problems,
    });
  } finally {
    render.stack.pop();
    render.names.pop();
  }
}

function tpl(text: unknown, context: unknown, options: unknown): string {
  const o = options as HelperOptions;
  const render = o.render;
  const caller = where(o);
  // A tpl inside a tpl keeps the outer name, so a tpl that renders itself is counted as the same one.
  const name = caller.file.endsWith(' (tpl)') ? caller.file : `${at(caller)} (tpl)`;
  if (
    render.stack.filter((entry) => entry === name).length >= RECURSION_LIMIT ||
    render.stack.length > MAX_INCLUDE_DEPTH
  ) {
    throw new PortolanError(
      'TEMPLATE_RECURSION',
      `${name}: tpl renders itself without end (the value it renders calls tpl on itself)`,
      { file: name, hint: 'A value rendered with tpl must not call tpl on itself.' },
    );
  }
  const compiled = compileText(strval(text), name, isGoStyle() ? 'go' : 'handlebars');
  // Helm: a tpl text may define templates of its own, visible while it renders.
  const partials =
    compiled.defines.length > 0
      ? new Map([
          ...render.partials,
          ...compiled.defines.map(
            (d) => [d.name, { name: d.name, file: name, program: d.program, goSemantics: isGoStyle() }] as const,
          ),
        ])
      : render.partials;
  const inner: RenderState = partials === render.partials ? render : { ...render, partials };
  inner.stack.push(name);
  try {
    return interpreter().render(compiled.program, context, inner, undefined, isGoStyle() || compiled.dialect === 'go');
  } catch (error) {
    throw toTemplateError(error, name);
  } finally {
    inner.stack.pop();
  }
}

/** The names a Go template may call: the helper table and Go's builtins, less handlebars' block helpers. */
function isGoFunction(name: string): boolean {
  if (name.startsWith('__') || HANDLEBARS_ONLY.has(name)) return false;
  return Object.hasOwn(goBuiltins, name) || helperTable().has(name) || name === 'and' || name === 'or';
}

const HANDLEBARS_ONLY = new Set(['if', 'unless', 'each', 'with', 'define', 'template', 'helperMissing']);

let shared: Interpreter | undefined;

function interpreter(): Interpreter {
  shared ??= new Interpreter({
    helpers: helperTable(),
    lenient: LENIENT,
    goHelpers: new Map(Object.entries(goBuiltins).map(([name, fn]) => [name, { fn, takesOptions: false }])),
    intResults: INT_RESULTS,
  });
  return shared;
}

/** Every function a template can call, by name (for documentation and tests). */
export function helperNames(): string[] {
  return [...helperTable().keys()].filter((name) => !name.startsWith('__') && name !== 'helperMissing').sort();
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
  program: DialectProgram;
  dialect: Dialect;
  /** The define blocks of this text. */
  defines: Array<{ name: string; program: Program }>;
}

/**
 * Parsed templates by dialect and text. The tree names no file (errors name the file from the render's include
 * chain), so one text parses once per process wherever it sits: the `common` library that most charts vendor parses
 * once for all of them when `template --all` renders many charts. Bounded by the characters held.
 */
const parsedCache = { go: new Map<string, ParsedTemplate>(), handlebars: new Map<string, ParsedTemplate>() };
let parsedCacheChars = 0;
const PARSED_CACHE_CHARS = 64 * 1024 * 1024;
/** What detectDialect found in a text (a scan with two regular expressions), kept beside the parsed trees. */
const detectedCache = new Map<string, Dialect | 'neutral'>();

/**
 * Parses a template text (cached by text) in its dialect: a text with handlebars block tags is handlebars, one with
 * Go's keywords or variables is Go, and one with neither (plain `{{ .Values.x }}`) takes `fallback`. Syntax errors
 * name `file`.
 */
export function compileText(text: string, file: string, fallback: Dialect = 'handlebars'): ParsedTemplate {
  const detected = detectDialectCached(text);
  const dialect = detected === 'neutral' ? fallback : detected;
  const cached = parsedCache[dialect].get(text);
  if (cached) return cached;
  let parsed: ParsedTemplate;
  if (dialect === 'go') {
    const go = parseGoTemplate(text, file, isGoFunction);
    const program = go.program as DialectProgram;
    program.dialect = 'go';
    for (const define of go.defines) (define.program as DialectProgram).dialect = 'go';
    parsed = { program, dialect, defines: go.defines };
  } else {
    const program = parseTemplate(text, file);
    const defines: ParsedTemplate['defines'] = [];
    collectDefines(program, defines, file);
    parsed = { program, dialect, defines };
  }
  if (parsedCacheChars + text.length > PARSED_CACHE_CHARS) compileCacheReset();
  parsedCache[dialect].set(text, parsed);
  parsedCacheChars += text.length;
  return parsed;
}

/** detectDialect, remembered per text while its parsed tree is (the renderer asks for every template first). */
export function detectDialectCached(text: string): Dialect | 'neutral' {
  let detected = detectedCache.get(text);
  if (detected === undefined) {
    detected = detectDialect(text);
    if (parsedCacheChars + text.length > PARSED_CACHE_CHARS) compileCacheReset();
    detectedCache.set(text, detected);
  }
  return detected;
}

function compileCacheReset(): void {
  parsedCache.go.clear();
  parsedCache.handlebars.clear();
  detectedCache.clear();
  parsedCacheChars = 0;
}

function collectDefines(program: Program, out: ParsedTemplate['defines'], file: string): void {
  for (const node of program.body) {
    if (node.type !== 'BlockStatement') continue;
    const block = node as hbs.AST.BlockStatement;
    if (block.path.original === 'define') {
      const name = block.params[0];
      if (name?.type !== 'StringLiteral') {
        throw new PortolanError(
          'TEMPLATE_SYNTAX',
          `${file}:${block.loc.start.line}: {{#define}} needs a name in quotes`,
          { file, line: block.loc.start.line, hint: 'Write {{#define "mychart.labels"}}…{{/define}}.' },
        );
      }
      out.push({ name: (name as hbs.AST.StringLiteral).value, program: block.program });
      continue;
    }
    if (block.program) collectDefines(block.program, out, file);
    if (block.inverse) collectDefines(block.inverse, out, file);
  }
}

export interface RenderJob {
  /**
   * Every template of the chart tree (partials too), in the order Helm parses them (later defines win), each with
   * the dialect a file that shows neither dialect's marks is read in.
   */
  templates: Array<{ file: string; text: string; dialect?: Dialect; goSemantics?: boolean }>;
  strict: boolean;
  /** Go templates: a missing map key fails (Helm's missingkey=error). */
  goStrict?: boolean;
}

/** A render session: every template parsed and every partial known, then templates rendered one by one. */
export class RenderSession {
  private readonly partials = new Map<string, Partial>();
  private readonly parsed = new Map<string, ParsedTemplate>();
  /** Templates whose semantics are not those of their syntax (a converted chart's). */
  private readonly goSemantics = new Map<string, boolean>();
  private readonly strict: boolean;
  private readonly goStrict: boolean;

  constructor(job: RenderJob) {
    this.strict = job.strict;
    this.goStrict = job.goStrict ?? job.strict;
    for (const template of job.templates) {
      const parsed = compileText(template.text, template.file, template.dialect);
      this.parsed.set(template.file, parsed);
      const { goSemantics } = template;
      if (goSemantics !== undefined) this.goSemantics.set(template.file, goSemantics);
      // As in Helm, every file is a template too, named by its path (`include (print $.Template.BasePath "/x.yaml")
      // .`).
      this.partials.set(template.file, {
        name: template.file,
        file: template.file,
        program: parsed.program,
        goSemantics,
      });
      for (const define of parsed.defines)
        this.partials.set(define.name, {
          name: define.name,
          file: template.file,
          program: define.program,
          goSemantics,
        });
    }
  }

  /** The dialect a template was read in. */
  dialectOf(file: string): Dialect | undefined {
    return this.parsed.get(file)?.dialect;
  }

  /** Renders one template (by the file name it was given) with `context`. */
  render(file: string, context: unknown): string {
    const template = this.parsed.get(file);
    if (!template) throw new PortolanError('INTERNAL', `no template ${file} in this render`);
    const state: RenderState = {
      partials: this.partials,
      stack: [file],
      names: [],
      strict: this.strict,
      goStrict: this.goStrict,
    };
    try {
      const out = interpreter().render(template.program, context, state, undefined, this.goSemantics.get(file));
      // Helm removes Go's "<no value>" from every rendered Go template.
      return template.dialect === 'go' && out.includes('<no value>') ? out.replaceAll('<no value>', '') : out;
    } catch (error) {
      throw toTemplateError(error, file);
    }
  }
}
