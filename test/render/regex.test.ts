// Sprig's regex* functions on Go's regexp (RE2, through re2js): results as helm 4.1.4 gives them, linear time on
// patterns that make a backtracking engine run for ever, and Go's message for a pattern that does not compile.
import { describe, expect, it } from 'vitest';
import { compileGoRegex, regexFindAll, regexReplaceAll, regexSplit } from '../../src/render/helpers/regex.js';
import { stringHelpers } from '../../src/render/helpers/strings.js';
import { renderError, renderNotes as render } from '../helpers/charts.js';

// Expected outputs came from helm 4.1.4 (`helm template` of a chart printing each expression), hard-coded here.
const HELM_CASES: Array<[string, string]> = [
  ['regexMatch "^[a-z]+$" "abc"', 'true'],
  ['regexMatch "a.b" "a\\nb"', 'false'],
  ['regexMatch "(?s)a.b" "a\\nb"', 'true'],
  ['regexMatch "^b$" "a\\nb"', 'false'],
  ['regexMatch "(?m)^b$" "a\\nb"', 'true'],
  ['regexMatch "a$" "a\\n"', 'false'],
  ['regexMatch "[^a]" "\\n"', 'true'],
  ['regexMatch "(?i)ABC" "xabcx"', 'true'],
  ['regexMatch "^\\\\pL+$" "été"', 'true'],
  ['regexMatch "^\\\\w+$" "été"', 'false'],
  ['regexMatch "^\\\\d+$" "١٢"', 'false'],
  ['regexMatch "\\\\bfoo\\\\b" "a foo b"', 'true'],
  ['regexMatch "^$" ""', 'true'],
  ['regexMatch "^[[:alpha:]]+$" "abc"', 'true'],
  ['regexMatch "\\\\Qa.b\\\\E" "axb"', 'false'],
  ['regexMatch "\\\\x{41}\\\\x42" "AB"', 'true'],
  ['regexMatch "^\\\\z" ""', 'true'],
  ['regexMatch "^(?P<major>\\\\d+)\\\\.(?<minor>\\\\d+)$" "1.22"', 'true'],
  ['regexFind "[0-9]+" "abc123def456"', '123'],
  ['regexFind "a+?" "aaa"', 'a'],
  ['regexFind "(?U)a+" "aaa"', 'a'],
  ['regexFind "x*" "abc"', ''],
  ['regexFind "(a|ab)(c|bcd)" "abcd"', 'abcd'],
  ['regexFind "é+" "caféé!"', 'éé'],
  ['regexFind "z" "abc"', ''],
  ['regexFindAll "[0-9]" "a1b2c3" 2', '[1 2]'],
  ['regexFindAll "[0-9]" "a1b2c3" -1', '[1 2 3]'],
  ['regexFindAll "[0-9]" "a1b2c3" 0', '[]'],
  ['regexFindAll "[0-9]" "a1b2c3" -5', '[1 2 3]'],
  ['regexFindAll "x*" "abxxc" -1', '[  xx ]'],
  ['regexFindAll "a" "bbb" -1', '[]'],
  ['regexFindAll "." "😀é" -1', '[😀 é]'],
  ['regexFindAll "" "abc" -1', '[   ]'],
  ['regexFindAll "^a" "aaa" -1', '[a]'],
  ['regexFindAll "(?m)^\\\\w" "ab\\ncd" -1', '[a c]'],
  ['regexFindAll "\\\\b\\\\w" "ab cd" 10', '[a c]'],
  ['regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W"', '-W-xxW-'],
  ['regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W"', '---'],
  ['regexReplaceAll "a(x*)b" "-ab-axxb-" "$1"', '--xx-'],
  ['regexReplaceAll "a(x*)b" "-ab-axxb-" "$$1"', '-$1-$1-'],
  ['regexReplaceAll "a(x*)b" "-ab-axxb-" "${1"', '-${1-${1-'],
  ['regexReplaceAll "a(x*)b" "-ab-axxb-" "$"', '-$-$-'],
  ['regexReplaceAll "a(x*)b" "-ab-axxb-" "$2|$0"', '-|ab-|axxb-'],
  ['regexReplaceAll "a(x*)b" "-ab-axxb-" "$01"', '---'],
  ['regexReplaceAll "(?P<word>\\\\w+)" "hello world" "<${word}>"', '<hello> <world>'],
  ['regexReplaceAll "(?P<word>\\\\w+)" "hello world" "<$word>"', '<hello> <world>'],
  ['regexReplaceAll "(?P<word>\\\\w+)" "hello world" "<$words>"', '<> <>'],
  ['regexReplaceAll "x*" "abc" "-"', '-a-b-c-'],
  ['regexReplaceAll "a*" "baaac" "-"', '-b-c-'],
  ['regexReplaceAll "$" "ab" "X"', 'abX'],
  ['regexReplaceAll "" "abc" "-"', '-a-b-c-'],
  ['regexReplaceAll "(a)|(b)" "ab" "[$1|$2]"', '[a|][|b]'],
  ['regexReplaceAll "\\\\s+" "a  b   c" " "', 'a b c'],
  ['regexReplaceAll "(\\\\w+)@(\\\\w+)" "me@example" "${2}.${1}"', 'example.me'],
  ['regexReplaceAll "a" "xa" "[$éz]"', 'x[]'],
  ['regexReplaceAll "é" "café" "${0}${0}"', 'caféé'],
  ['regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}"', '-${1}-${1}-'],
  ['regexReplaceAllLiteral "x*" "abc" "$"', '$a$b$c$'],
  ['regexSplit "[,;]" "a,b;c" -1', '[a b c]'],
  ['regexSplit "," "a,b,c" 2', '[a b,c]'],
  ['regexSplit "," "a,b,c" 1', '[a,b,c]'],
  ['regexSplit "," "a,b,c" 0', '[]'],
  ['len (regexSplit "," "" -1)', '1'],
  ['len (regexSplit "" "" -1)', '0'],
  ['regexSplit "" "abc" -1', '[a b c]'],
  ['regexSplit "a*" "abaabaccadaaae" 5', '[ b b c cadaaae]'],
  ['regexSplit "," "a,b," -1', '[a b ]'],
  ['regexSplit "," ",a" -1', '[ a]'],
  ['regexSplit "x*" "axbxxc" -1', '[a b c]'],
  ['regexQuoteMeta "1.5+[a]{2}(x)|^$\\\\?*é"', '1\\.5\\+\\[a\\]\\{2\\}\\(x\\)\\|\\^\\$\\\\\\?\\*é'],
];

describe('regex helpers as helm 4.1.4 renders them', () => {
  it.each(HELM_CASES)('{{ %s }} renders %j', async (expression, expected) => {
    expect(await render(`{{ ${expression} }}`)).toBe(expected);
  });
});

describe('Go regexp rules the helpers follow', () => {
  it('reads $1x in a replacement as the group named 1x, as Go does, and ${1}x as group 1 then x', () => {
    expect(regexReplaceAll('(a)', 'a', '[$1x]')).toBe('[]');
    expect(regexReplaceAll('(a)', 'a', '[${1}x]')).toBe('[ax]');
    expect(regexReplaceAll('(?P<x1>a)', 'a', '[$x1]')).toBe('[a]');
  });

  it('counts an astral character as one character when it steps past an empty match', () => {
    expect(regexFindAll('x*', '😀x😀', -1)).toEqual(['', 'x', '']);
    expect(regexReplaceAll('', '😀é', '-')).toBe('-😀-é-');
    expect(regexSplit('', '😀é', -1)).toEqual(['😀', 'é']);
  });

  it('stops regexFindAll at n matches and regexSplit at n parts, the last one unsplit', () => {
    expect(regexFindAll('[0-9]', 'a1b2c3d4', 3)).toEqual(['1', '2', '3']);
    expect(regexSplit(',', 'a,b,c,d', 3)).toEqual(['a', 'b', 'c,d']);
  });

  it('sees the text before the search position, so ^ and \\b only match where Go says', () => {
    expect(regexFindAll('^a|\\bb', 'ab a b', -1)).toEqual(['a', 'b']);
  });

  it('compiles each pattern once, however often a template calls it', () => {
    expect(compileGoRegex('[a-z]+')).toBe(compileGoRegex('[a-z]+'));
  });
});

describe('linear time', () => {
  // JavaScript's backtracking RegExp took 12 s on 26 a's and a b; each extra a doubles that.
  const evil = `${'a'.repeat(100_000)}b`;

  // No time limit of its own: a backtracking engine would not finish before the test's timeout.
  it('answers regexMatch "^(a+)+$" on 100000 a and a b (false), called directly', () => {
    expect(stringHelpers.regexMatch?.('^(a+)+$', evil)).toBe(false);
    expect(stringHelpers.regexFind?.('^(a+)+$', evil)).toBe('');
    expect(stringHelpers.regexReplaceAll?.('(a+)+$', evil, '[$1]')).toBe(evil);
  });

  it('answers the same patterns in a template, the text from values', async () => {
    const template =
      '{{ regexMatch "^(a+)+$" .Values.text }}|{{ len (regexFindAll "(a|aa)+$" .Values.text -1) }}|{{ len (regexSplit "(a*)*b" .Values.text -1) }}';
    expect(await render(template, `text: ${evil}`)).toBe('false|0|2');
  });

  it('matches a .Files.Glob with many stars against a long file name at once', async () => {
    const name = `files/${'a'.repeat(60)}`;
    const glob = `files/${'*a'.repeat(12)}*b`;
    const template = `{{ range $path, $_ := .Files.Glob "${glob}" }}{{ $path }}{{ end }}|{{ len (.Files.Glob "files/*a*") }}`;
    expect(await render(template, '{}', { [name]: 'x' })).toBe('|1');
  });

  it('treats a .Files.Glob that does not compile as ** (every file), as Helm falls back', async () => {
    expect(
      await render('{{ range $path, $_ := .Files.Glob "files/[z-a]" }}{{ $path }} {{ end }}', '{}', {
        'files/a.txt': 'a',
        'files/b.conf': 'b',
      }),
    ).toBe('files/a.txt files/b.conf ');
  });
});

describe('patterns that do not compile', () => {
  // Helm's wording (regexp.MustCompile's panic), checked against helm 4.1.4.
  it.each([
    ['regexFind "(" "x"', 'regexp: Compile(`(`): error parsing regexp: missing closing ): `(`'],
    [
      'regexReplaceAll "a**" "x" "y"',
      'regexp: Compile(`a**`): error parsing regexp: invalid nested repetition operator: `**`',
    ],
    [
      'regexSplit "[z-a]" "x" -1',
      'regexp: Compile(`[z-a]`): error parsing regexp: invalid character class range: `z-a`',
    ],
    [
      'regexFindAll "(?=a)" "x" -1',
      'regexp: Compile(`(?=a)`): error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    ],
    [
      'regexFindAll "(?<=a)b" "ab" -1',
      'regexp: Compile(`(?<=a)b`): error parsing regexp: invalid named capture: `(?<=a)b`',
    ],
    [
      'regexReplaceAllLiteral "(a)\\\\1" "x" "y"',
      'regexp: Compile(`(a)\\1`): error parsing regexp: invalid escape sequence: `\\1`',
    ],
    [
      'regexFindAll "x{1001}" "x" -1',
      'regexp: Compile(`x{1001}`): error parsing regexp: invalid repeat count: `{1001}`',
    ],
    ['mustRegexFind ")" "x"', 'regexp: Compile(`)`): error parsing regexp: unexpected ): `)`'],
  ])("{{ %s }} fails with Go's message naming the pattern", async (expression, message) => {
    const error = await renderError(`{{ ${expression} }}`);
    expect(error).toContain(message);
    expect(error).toContain('NOTES.txt');
  });

  it('fails in regexMatch too, where Helm quietly answers false (portolan reports the broken pattern)', async () => {
    expect(await renderError('{{ regexMatch "(" "x" }}')).toContain(
      'regexp: Compile(`(`): error parsing regexp: missing closing ): `(`',
    );
  });
});
