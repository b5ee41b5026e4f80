// quote, squote and printf's %q as Go's strconv.Quote writes them: only the string's own characters are escaped, so
// `toJson | quote` keeps toJson's `\u003c` as `\\u003c` and stays valid JSON.
import { describe, expect, it } from 'vitest';
import { goQuote } from '../../src/render/helpers/go.js';
import { renderNotes as render } from '../helpers/charts.js';

// Expected outputs came from helm 4.1.4 (`helm template` of a chart printing each expression), hard-coded here.
const HELM_CASES: Array<[string, string]> = [
  ['quote "a\\u003cb"', '"a<b"'],
  ['quote "a\\\\u003cb"', '"a\\\\u003cb"'],
  ['quote (toJson "<&>")', '"\\"\\\\u003c\\\\u0026\\\\u003e\\""'],
  ['quote "tab\\there\\x00\\x7f\\a\\b\\f\\v\\r\\n"', '"tab\\there\\x00\\x7f\\a\\b\\f\\v\\r\\n"'],
  ['quote "é😀\\u00a0\\u200b\\u2028\\ufeff\\u00ad\\U000e0001"', '"é😀\\u00a0\\u200b\\u2028\\ufeff\\u00ad\\U000e0001"'],
  ['quote "\\"q\\" \'a\'"', '"\\"q\\" \'a\'"'],
  ['squote "a\\\\u003cb"', "'a\\u003cb'"],
  ['squote (toJson "<&>")', '\'"\\u003c\\u0026\\u003e"\''],
  ['printf "%q" "a\\\\u003c\\x01"', '"a\\\\u003c\\x01"'],
  ['quote "\\ue000\\U0010ffff\\U0001F600\\u0378"', '"\\ue000\\U0010ffff😀\\u0378"'],
];

describe('quote as helm 4.1.4 renders it', () => {
  it.each(HELM_CASES)('{{ %s }} renders %s', async (expression, expected) => {
    expect(await render(`{{ ${expression} }}`)).toBe(expected);
  });

  it('keeps toJson | quote valid JSON, a string holding the JSON text', async () => {
    const out = await render('{{ toJson (dict "html" "<b>&</b>" "path" "C:\\\\x") | quote }}');
    expect(JSON.parse(JSON.parse(out) as string)).toEqual({ html: '<b>&</b>', path: 'C:\\x' });
  });
});

describe('goQuote', () => {
  it('escapes a backslash already in the text instead of reading it as an escape', () => {
    expect(goQuote('\\u003c\\x41')).toBe('"\\\\u003c\\\\x41"');
  });

  it('writes control characters as Go does: short escapes, else \\x..', () => {
    expect(goQuote('\x07\b\f\n\r\t\v\x00\x1b\x7f')).toBe('"\\a\\b\\f\\n\\r\\t\\v\\x00\\x1b\\x7f"');
  });

  it('keeps printable Unicode and escapes the rest as \\u or \\U', () => {
    expect(goQuote('zß→😀\u0085\u2029\u{10ffff}')).toBe('"zß→😀\\u0085\\u2029\\U0010ffff"');
  });

  it('writes a lone UTF-16 surrogate as U+FFFD, the character it becomes in UTF-8', () => {
    expect(goQuote('a\ud800b')).toBe('"a\ufffdb"');
  });
});
