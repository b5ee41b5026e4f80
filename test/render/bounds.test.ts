// Helpers that build lists or strings from a number (until, untilStep, seq, repeat, randAlphaNum and friends, shuffle,
// indent) stop with a message naming portolan's limit instead of a fatal out-of-memory crash or a hang; below the
// limits they answer as helm 4.1.4 does, odd and negative arguments included.
import { describe, expect, it } from 'vitest';
import { collectionHelpers } from '../../src/render/helpers/collections.js';
import { MAX_LIST_ITEMS, MAX_STRING_BYTES } from '../../src/render/helpers/limits.js';
import { stringHelpers } from '../../src/render/helpers/strings.js';
import { renderError, renderNotes as render } from '../helpers/charts.js';

const helper = (table: Record<string, unknown>, name: string) => table[name] as (...args: unknown[]) => unknown;

// Expected outputs came from helm 4.1.4 (`helm template` of a chart printing each expression), hard-coded here.
const HELM_CASES: Array<[string, string]> = [
  ['until 3', '[0 1 2]'],
  ['until 0', '[]'],
  ['until -3', '[0 -1 -2]'],
  ['untilStep 0 10 4', '[0 4 8]'],
  ['untilStep 10 0 -3', '[10 7 4 1]'],
  ['untilStep 0 10 -1', '[]'],
  ['untilStep 10 0 2', '[]'],
  ['untilStep 5 5 1', '[]'],
  ['untilStep 0 5 0', '[]'],
  ['untilStep -2 2 1', '[-2 -1 0 1]'],
  ['seq 3', '1 2 3'],
  ['seq 1', '1'],
  ['seq 0', '1 0'],
  ['seq -2', '1 0 -1 -2'],
  ['seq 2 4', '2 3 4'],
  ['seq 4 2', '4 3 2'],
  ['seq 3 3', '3'],
  ['seq 1 2 6', '1 3 5'],
  ['seq 1 2 5', '1 3 5'],
  ['seq 6 -2 1', '6 4 2'],
  ['seq 5 -1 1', '5 4 3 2 1'],
  ['seq 1 0 5', ''],
  ['seq 1 -1 5', ''],
  ['seq 5 1 1', ''],
  ['seq 3 0 3', ''],
  ['seq 0 3 0', '0'],
  ['seq -1 -2', '-1 -2'],
  ['seq', ''],
  ['seq 1 2 3 4', ''],
  ['repeat 0 "ab"', ''],
  ['len (randAlphaNum 0)', '0'],
  ['randAlphaNum -1', ''],
  ['randAscii -3', ''],
  ['len (randAlpha 5)', '5'],
];

describe('ranges and repeats as helm 4.1.4 renders them', () => {
  it.each(HELM_CASES)('{{ %s }} renders %j', async (expression, expected) => {
    expect(await render(`{{ ${expression} }}`)).toBe(expected);
  });

  // Go's strings.Repeat panics on a negative count; Helm shows the panic's message.
  it.each(['repeat -1 "ab"', 'indent -2 "a"', 'nindent -1 "a"'])(
    "{{ %s }} fails with strings.Repeat's message, as in Helm",
    async (expression) => {
      expect(await renderError(`{{ ${expression} }}`)).toContain('strings: negative Repeat count');
    },
  );
});

describe('huge arguments fail with the limit named', () => {
  const listLimit = `over portolan's limit of ${MAX_LIST_ITEMS} items per list`;
  const stringLimit = `over portolan's limit of ${MAX_STRING_BYTES} bytes (100 MiB) per string`;

  it.each([
    ['until 1000000000', 'a list of 1000000000 items', listLimit],
    ['untilStep 0 1000000000000 1', 'a list of 1000000000000 items', listLimit],
    ['untilStep 0 -1000000000 -1', 'a list of 1000000000 items', listLimit],
    ['seq 1000000000', 'a list of 1000000000 items', listLimit],
    ['seq -1000000000 -1', 'a list of 1000000000 items', listLimit],
    ['seq 0 1 2000000', 'a list of 2000001 items', listLimit],
    ['repeat 1000000000 "ab"', 'a string of 2000000000 bytes', stringLimit],
    ['randAlphaNum 1000000000', 'a string of 1000000000 bytes', stringLimit],
    ['randAlpha 200000000', 'a string of 200000000 bytes', stringLimit],
    ['randNumeric 200000000', 'a string of 200000000 bytes', stringLimit],
    ['randAscii 200000000', 'a string of 200000000 bytes', stringLimit],
    ['indent 1000000000 "a"', 'a string of 1000000000 bytes', stringLimit],
    ['regexFindAll "" (repeat 1500000 "a") -1', 'a list of 1000001 items', listLimit],
  ])('{{ %s }} says %s is %s', async (expression, size, limit) => {
    const message = await renderError(`{{ ${expression} }}`);
    expect(message).toContain(expression.split(' ')[0] as string);
    expect(message).toContain(`${size} is ${limit}`);
    expect(message).toContain('NOTES.txt');
  });

  it('builds a list right at the limit', async () => {
    expect(await render(`{{ len (until ${MAX_LIST_ITEMS}) }}`)).toBe(String(MAX_LIST_ITEMS));
  });

  it('builds a string right at the limit, and counts bytes, not characters', () => {
    expect((helper(stringHelpers, 'repeat')(MAX_STRING_BYTES, 'a') as string).length).toBe(MAX_STRING_BYTES);
    expect(() => helper(stringHelpers, 'repeat')(MAX_STRING_BYTES / 2 + 1, 'é')).toThrow(stringLimit);
  });

  it('refuses to shuffle a string over the limit, and shuffles characters, not UTF-16 halves', () => {
    expect(() => helper(stringHelpers, 'shuffle')('a'.repeat(MAX_STRING_BYTES + 1))).toThrow(stringLimit);
    const shuffled = helper(stringHelpers, 'shuffle')('😀é'.repeat(50)) as string;
    expect([...shuffled].sort()).toEqual([...'😀é'.repeat(50)].sort());
  });

  it('ends a range whose step is too small to change numbers past 2^53 instead of looping for ever', () => {
    const items = helper(collectionHelpers, 'untilStep')(2 ** 53, 2 ** 53 + 8, 1) as number[];
    expect(items).toHaveLength(8);
  });
});
