// Sprig's list and dict functions. Lists never change in place (as in sprig); `set`, `unset`, `merge` and
// `mergeOverwrite` change the dict they are given, as Helm charts expect. Pure otherwise.
import { copyValues as copy } from '../../values/coalesce.js';
import { FORBIDDEN_KEYS } from '../../values/yaml.js';
import { isDict, strval, toInt64, truth, type Dict } from './go.js';
import { checkListSize } from './limits.js';
import type { HelperFn } from './strings.js';

function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) return [];
  return [value];
}

/** Go's reflect.DeepEqual on plain data; numbers compare by value. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'bigint' || typeof b === 'bigint')
    return (
      (typeof a === 'number' || typeof a === 'bigint') &&
      (typeof b === 'number' || typeof b === 'bigint') &&
      BigInt(a as number) === BigInt(b as number)
    );
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isDict(a) && isDict(b)) {
    const ak = Object.keys(a);
    const bk = Object.keys(b);
    return ak.length === bk.length && ak.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function checkKey(key: string): string {
  if (FORBIDDEN_KEYS.has(key)) throw new Error(`the key "${key}" is not allowed in a dict`);
  return key;
}

/** Recursive copy: dst keeps its values; with `overwrite` the sources' non-empty values win (mergo). */
function mergeInto(dst: Dict, src: Dict, overwrite: boolean): Dict {
  for (const key of Object.keys(src)) {
    checkKey(key);
    const from = src[key];
    const to = dst[key];
    if (isDict(to) && isDict(from)) mergeInto(to, from, overwrite);
    else if (!Object.hasOwn(dst, key) || (!overwrite && !truth(to))) dst[key] = copy(from);
    else if (overwrite && truth(from)) dst[key] = copy(from);
  }
  return dst;
}

function dig(keys: unknown[], fallback: unknown, dict: unknown): unknown {
  let node = dict;
  for (const key of keys) {
    if (!isDict(node) || !Object.hasOwn(node, strval(key))) return fallback;
    node = node[strval(key)];
  }
  return node;
}

/**
 * sprig's untilStep: from start towards stop, stop left out; [] when the step does not lead there (zero, or the wrong
 * sign). The size is worked out first, so a huge range fails with a message instead of filling the heap.
 */
function untilStep(start: number, stop: number, step: number): number[] {
  let count = 0;
  if (stop < start) {
    if (step < 0) count = Math.ceil((start - stop) / -step);
  } else if (step > 0) count = Math.ceil((stop - start) / step);
  checkListSize(count);
  const out = new Array<number>(count);
  // Multiplying, not adding, so a step too small to change a number past 2^53 cannot loop for ever.
  for (let i = 0; i < count; i++) out[i] = start + i * step;
  return out;
}

/**
 * sprig's seq, as the Unix command: `seq LAST` counts from 1, `seq FIRST LAST` and `seq FIRST STEP LAST` include LAST
 * when the steps land on it; counting goes down when LAST is below FIRST; a step against that direction gives "".
 */
function seq(args: number[]): string {
  const [first, second, third] = args as [number, number, number];
  switch (args.length) {
    case 1: {
      const step = first < 1 ? -1 : 1;
      return untilStep(1, first + step, step).join(' ');
    }
    case 2: {
      const step = second < first ? -1 : 1;
      return untilStep(first, second + step, step).join(' ');
    }
    case 3: {
      // Sprig widens the end by one in the direction of counting, whatever the step (`seq 1 2 6` is `1 3 5`).
      const direction = third < first ? -1 : 1;
      if (direction < 0 && second > 0) return '';
      return untilStep(first, third + direction, second).join(' ');
    }
    default:
      return '';
  }
}

export const collectionHelpers: Record<string, HelperFn> = {
  list: (...items) => items,
  tuple: (...items) => items,
  first: (list) => asList(list)[0] ?? null,
  last: (list) => asList(list).at(-1) ?? null,
  rest: (list) => asList(list).slice(1),
  initial: (list) => asList(list).slice(0, -1),
  append: (list, value) => [...asList(list), value],
  push: (list, value) => [...asList(list), value],
  prepend: (list, value) => [value, ...asList(list)],
  concat: (...lists) => lists.flatMap(asList),
  reverse: (list) => [...asList(list)].reverse(),
  uniq: (list) => asList(list).filter((v, i, all) => all.findIndex((w) => deepEqual(v, w)) === i),
  without: (list, ...omit) => asList(list).filter((v) => !omit.some((o) => deepEqual(v, o))),
  has: (needle, list) => asList(list).some((v) => deepEqual(v, needle)),
  compact: (list) => asList(list).filter(truth),
  slice: (list, ...bounds) => {
    const items = asList(list);
    const start = bounds.length > 0 ? toInt64(bounds[0]) : 0;
    const end = bounds.length > 1 ? toInt64(bounds[1]) : items.length;
    return items.slice(start, end);
  },
  chunk: (size, list) => {
    const n = Math.max(1, toInt64(size));
    const items = asList(list);
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
    return out;
  },
  until: (count) => untilStep(0, toInt64(count), toInt64(count) < 0 ? -1 : 1),
  untilStep: (start, stop, step) => untilStep(toInt64(start), toInt64(stop), toInt64(step)),
  seq: (...args) => seq(args.map(toInt64)),
  len: (value) => {
    if (typeof value === 'string' || Array.isArray(value)) return value.length;
    if (isDict(value)) return Object.keys(value).length;
    return 0;
  },
  index: (collection, ...keys) => {
    let node = collection;
    for (const key of keys) {
      if (Array.isArray(node)) {
        const i = toInt64(key);
        if (i < 0 || i >= node.length) throw new Error(`index out of range: ${i}`);
        node = node[i];
      } else if (isDict(node)) node = Object.hasOwn(node, strval(key)) ? node[strval(key)] : undefined;
      else if (typeof node === 'string') node = node.charCodeAt(toInt64(key));
      else return undefined;
    }
    return node;
  },
  dict: (...pairs) => {
    const out: Dict = {};
    for (let i = 0; i < pairs.length; i += 2)
      out[checkKey(strval(pairs[i]))] = i + 1 < pairs.length ? pairs[i + 1] : '';
    return out;
  },
  get: (dict, key) => (isDict(dict) && Object.hasOwn(dict, strval(key)) ? dict[strval(key)] : ''),
  set: (dict, key, value) => {
    if (isDict(dict)) dict[checkKey(strval(key))] = value;
    return dict;
  },
  unset: (dict, key) => {
    if (isDict(dict)) delete dict[strval(key)];
    return dict;
  },
  hasKey: (dict, key) => isDict(dict) && Object.hasOwn(dict, strval(key)),
  pluck: (key, ...dicts) =>
    dicts.filter((d) => isDict(d) && Object.hasOwn(d, strval(key))).map((d) => (d as Dict)[strval(key)]),
  dig: (...args) => (args.length < 3 ? undefined : dig(args.slice(0, -2), args.at(-2), args.at(-1))),
  merge: (dst, ...srcs) =>
    srcs.reduce<Dict>((acc, src) => (isDict(src) ? mergeInto(acc, src, false) : acc), isDict(dst) ? dst : {}),
  mergeOverwrite: (dst, ...srcs) =>
    srcs.reduce<Dict>((acc, src) => (isDict(src) ? mergeInto(acc, src, true) : acc), isDict(dst) ? dst : {}),
  keys: (...dicts) => dicts.flatMap((d) => (isDict(d) ? Object.keys(d) : [])),
  values: (dict) => (isDict(dict) ? Object.values(dict) : []),
  pick: (dict, ...keys) => {
    const out: Dict = {};
    if (isDict(dict)) for (const key of keys.map(strval)) if (Object.hasOwn(dict, key)) out[key] = dict[key];
    return out;
  },
  omit: (dict, ...keys) => {
    const out: Dict = {};
    const skip = new Set(keys.map(strval));
    if (isDict(dict)) for (const key of Object.keys(dict)) if (!skip.has(key)) out[key] = dict[key];
    return out;
  },
  deepCopy: (value) => copy(value),
  deepEqual: (a, b) => deepEqual(a, b),
};
