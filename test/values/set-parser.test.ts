// The --set family's grammar, case by case: input, the values it gives (or the error), as Helm's strvals has them
// and where portolan reports what Helm ignores.
import { describe, expect, it } from 'vitest';
import { PortolanError } from '../../src/errors.js';
import { applySet, inferType, type SetMode } from '../../src/values/index.js';

type Case = [input: string, expected: unknown, mode?: SetMode];

const parses: Case[] = [
  // keys and nesting
  ['a=b', { a: 'b' }],
  ['a=b,c=d', { a: 'b', c: 'd' }],
  ['a.b=c', { a: { b: 'c' } }],
  ['a.b.c=d', { a: { b: { c: 'd' } } }],
  ['a.b=1,a.c=2', { a: { b: 1, c: 2 } }],
  ['name=value with spaces', { name: 'value with spaces' }],
  ['a=', { a: '' }],
  ['a=,b=c', { a: '', b: 'c' }],
  ['a=b,', { a: 'b' }],
  ['a=b=c', { a: 'b=c' }],
  // escapes
  ['a\\.b=c', { 'a.b': 'c' }],
  ['a=b\\,c', { a: 'b,c' }],
  ['a=x\\=y', { a: 'x=y' }],
  ['a=\\n', { a: 'n' }],
  ['a\\=b=c', { 'a=b': 'c' }],
  ['a=b\\\\c', { a: 'b\\c' }],
  ['a\\[0\\]=x', { 'a[0]': 'x' }],
  // lists
  ['a={b,c}', { a: ['b', 'c'] }],
  ['a={1,true,null}', { a: [1, true, null] }],
  ['a={}', { a: [''] }],
  ['a={x},b=y', { a: ['x'], b: 'y' }],
  ['a={x\\,y,z}', { a: ['x,y', 'z'] }],
  // indices
  ['a[0]=x', { a: ['x'] }],
  ['a[2]=x', { a: [null, null, 'x'] }],
  ['a[0].b=y', { a: [{ b: 'y' }] }],
  ['a[0][1]=z', { a: [[null, 'z']] }],
  ['a[0].b=1,a[0].c=2', { a: [{ b: 1, c: 2 }] }],
  ['a[1]=x,a[0]=y', { a: ['y', 'x'] }],
  ['a[0]', { a: [] }],
  ['a[0]={x,y}', { a: [['x', 'y']] }],
  ['a.b[1].c=d', { a: { b: [null, { c: 'd' }] } }],
  ['a[65536]=x', { a: Object.assign(new Array(65537).fill(null), { 65536: 'x' }) }],
  // type inference
  ['a=true', { a: true }],
  ['a=TRUE', { a: true }],
  ['a=False', { a: false }],
  ['a=null', { a: null }],
  ['a=NULL', { a: null }],
  ['a=10', { a: 10 }],
  ['a=+1', { a: 1 }],
  ['a=-0', { a: 0 }],
  ['a=-5', { a: -5 }],
  ['a=0', { a: 0 }],
  ['a=00', { a: '00' }],
  ['a=0x10', { a: '0x10' }],
  ['a=1.5', { a: '1.5' }],
  ['a=1e3', { a: '1e3' }],
  ['a=yes', { a: 'yes' }],
  ['a=~', { a: '~' }],
  ['a=99999999999999999999', { a: '99999999999999999999' }],
  ['a=9007199254740993', { a: 9007199254740993n }],
  ['a=9223372036854775807', { a: 9223372036854775807n }],
  ['a=9223372036854775808', { a: '9223372036854775808' }],
  ['a=-9223372036854775808', { a: -9223372036854775808n }],
  // --set-string
  ['a=10,b=true', { a: '10', b: 'true' }, 'string'],
  ['a={1,2}', { a: ['1', '2'] }, 'string'],
  ['a=null', { a: 'null' }, 'string'],
  // --set-literal
  ['a=b,c\\d={e}', { a: 'b,c\\d={e}' }, 'literal'],
  ['a.b=x.y', { a: { b: 'x.y' } }, 'literal'],
  ['a[1]=x,y', { a: [null, 'x,y'] }, 'literal'],
  // --set-json
  ['a={"b":[1,2]}', { a: { b: [1, 2] } }, 'json'],
  ['a=[1,2],b="x"', { a: [1, 2], b: 'x' }, 'json'],
  ['a=', { a: null }, 'json'],
  ['a=null', { a: null }, 'json'],
  ['a.b="c,d"', { a: { b: 'c,d' } }, 'json'],
  ['a[1]={"x":true}', { a: [null, { x: true }] }, 'json'],
];

const fails: Array<[input: string, message: RegExp, mode?: SetMode]> = [
  ['name', /key "name" has no value/],
  ['a.b', /key "a\.b" has no value/],
  ['=b', /empty key .*Helm ignores this/],
  ['a,b=c', /key "a" has no value \(cannot end with ,\)/],
  ['a.', /key "a\." has no value/],
  ['a={x,y', /must end with \}/],
  ['a={x,{y}}', /nested lists are not supported/],
  ['a[65537]=x', /greater than the maximum of 65536/],
  ['a[-1]=x', /negative index -1/],
  ['a[x]=1', /index "x" at a is not a number/],
  ['a[0=x', /has no closing \] \(Helm ignores this silently\)/],
  ['a[0]b=1', /unexpected "b" after the index/],
  [`${Array.from({ length: 32 }, (_v, i) => `k${i}`).join('.')}=x`, /nested more than 30 levels/],
  ['a=1x', /1x is not valid JSON/, 'json'],
  ['a="x"y', /unexpected "y" after the JSON value/, 'json'],
  ['a={"b":', /is not valid JSON/, 'json'],
];

describe('the --set grammar', () => {
  it.each(parses)('%s', (input, expected, mode = 'set') => {
    const values = {};
    applySet(values, input, mode);
    expect(values).toEqual(expected);
  });

  it.each(fails)('%s is refused: %s', (input, message, mode = 'set') => {
    expect(() => applySet({}, input, mode)).toThrow(message);
    try {
      applySet({}, input, mode);
    } catch (error) {
      expect(error).toBeInstanceOf(PortolanError);
      expect((error as PortolanError).flag).toBe(mode === 'json' ? '--set-json' : '--set');
      expect((error as PortolanError).message).toContain(input.length < 40 ? input : input.slice(0, 20));
    }
  });

  it('names the item each assignment came from, for error messages', () => {
    const assignments = applySet({}, 'a=1,b.c=2,l[1].x=y', 'set');
    expect(assignments).toEqual([
      { path: ['a'], text: 'a=1' },
      { path: ['b', 'c'], text: 'b.c=2' },
      { path: ['l', 1, 'x'], text: 'l[1].x=y' },
    ]);
  });

  it('edits a list it is given in place, as --set does over lists from -f files', () => {
    const values = { l: ['a', 'b', 'c'] };
    applySet(values, 'l[1]=z');
    expect(values).toEqual({ l: ['a', 'z', 'c'] });
  });

  it('replaces a value with a map when the key is set again, and merges maps set twice', () => {
    const values: Record<string, unknown> = { a: { x: 1 } };
    applySet(values, 'a.y=2');
    applySet(values, 'b=1');
    applySet(values, 'b=2');
    expect(values).toEqual({ a: { x: 1, y: 2 }, b: 2 });
  });

  it('refuses a type conflict, naming the key, where Helm shows a Go panic', () => {
    expect(() => applySet({ a: 1 }, 'a.b=2')).toThrow(/cannot set keys under a: it is the number 1/);
    expect(() => applySet({ a: { b: 1 } }, 'a[0]=x')).toThrow(/a is a map, so it cannot take a list index/);
    expect(() => applySet({ a: ['x'] }, 'a.b=1')).toThrow(/cannot set keys under a: it is a list/);
    expect(() => applySet({ a: [['x']] }, 'a[0].b=1')).not.toThrow();
    try {
      applySet({ a: 1 }, 'a.b=2');
    } catch (error) {
      expect((error as PortolanError).code).toBe('SET_TYPE');
    }
  });

  it('takes null as nothing there, so a key nulled by a values file can get new keys', () => {
    const values: Record<string, unknown> = { a: null, l: null };
    applySet(values, 'a.b=1,l[0]=x');
    expect(values).toEqual({ a: { b: 1 }, l: ['x'] });
  });

  it('reads --set-file values through the reader it is given, lists of files too', () => {
    const read = (path: string) => `content of ${path}`;
    const values = {};
    applySet(values, 'a=one.txt,b={x.txt,y.txt}', 'file', read);
    expect(values).toEqual({ a: 'content of one.txt', b: ['content of x.txt', 'content of y.txt'] });
  });

  it.each([
    ['__proto__.polluted=1', 'set'],
    ['a.__proto__.polluted=1', 'set'],
    ['constructor.prototype.polluted=1', 'set'],
    ['a[0].__proto__=1', 'set'],
    ['a={"__proto__":{"polluted":1}}', 'json'],
    ['__proto__=x', 'literal'],
  ] as Array<[string, SetMode]>)(
    'refuses the prototype key in %s and nothing reaches Object.prototype',
    (input, mode) => {
      const values = {};
      expect(() => applySet(values, input, mode)).toThrow(/is not allowed in values/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    },
  );
});

describe('Helm type inference', () => {
  it.each([
    ['true', true],
    ['tRuE', true],
    ['false', false],
    ['Null', null],
    ['1', 1],
    ['007', '007'],
    ['-12', -12],
    ['1_000', '1_000'],
    ['', ''],
    ['.5', '.5'],
  ])('%j is %j', (text, expected) => {
    expect(inferType(text)).toEqual(expected);
  });
});
