/* eslint-disable max-len -- keys longer than 128 characters are what these tests are about */
// yaml-emit against Helm: every expected text below is what helm 4.1.4 printed for `{{ toYaml $v }}` with the value
// given as a chart value (a values file of YAML double-quoted escapes, checked back with toJson), captured once with
// `helm template` (the output was base64-encoded in a ConfigMap so every byte came through). FAILS marks the inputs
// for which Helm's toYaml gave "" because go-yaml v2 refused to read the JSON back (control characters).
import { describe, expect, it } from 'vitest';
import { compareKeys, toYaml, toYamlList, toYamlValue, yamlString } from '../src/yaml-emit.js';

const FAILS = Symbol('helm toYaml gave ""');

const cases: [string, unknown, string | typeof FAILS][] = [
  ['word', 'foo', 'foo'],
  ['words', 'hello world', 'hello world'],
  ['dash', 'a-b', 'a-b'],
  ['dots', 'foo.bar', 'foo.bar'],
  ['semver', '1.2.3', '1.2.3'],
  ['vsemver', 'v1.2.3', 'v1.2.3'],
  ['quantity', '500m', '500m'],
  ['mem', '100Mi', '100Mi'],
  ['url', 'http://example.com/path?x=1&y=2', 'http://example.com/path?x=1&y=2'],
  ['colon-inside', 'a:b', 'a:b'],
  ['colon-space', 'a: b', "'a: b'"],
  ['colon-end', 'a:', "'a:'"],
  ['hash-space', 'a #b', "'a #b'"],
  ['hash-inside', 'a#b', 'a#b'],
  ['hash-start', '#a', "'#a'"],
  ['eq', 'key=value', 'key=value'],
  ['comma', 'foo,bar', 'foo,bar'],
  ['brackets', '[a]', "'[a]'"],
  ['braces', '{a}', "'{a}'"],
  ['index', 'a[0]', 'a[0]'],
  ['star', '*', "'*'"],
  ['amp', '&a', "'&a'"],
  ['bang', '!tag', "'!tag'"],
  ['pipe', '|', "'|'"],
  ['gt', '>', "'>'"],
  ['squote-wrapped', "'q'", "'''q'''"],
  ['dquote-wrapped', '"dq"', '\'"dq"\''],
  ['percent', '%x', "'%x'"],
  ['at', '@x', "'@x'"],
  ['backtick', '`x`', "'`x`'"],
  ['dash-alone', '-', "'-'"],
  ['dash-space', '- a', "'- a'"],
  ['dash-word', '-a', '-a'],
  ['qmark', '?', "'?'"],
  ['qmark-space', '? a', "'? a'"],
  ['qmark-word', '?a', '?a'],
  ['colon-alone', ':', "':'"],
  ['colon-word', ':a', ':a'],
  ['colon-lead-space', ': a', "': a'"],
  ['three-dash', '---', "'---'"],
  ['three-dot', '...', "'...'"],
  ['three-dash-word', '--- a', "'--- a'"],
  ['trailing-space', 'a ', "'a '"],
  ['leading-space', ' a', "' a'"],
  ['double-space', 'a  b', 'a  b'],
  ['empty', '', '""'],
  ['tilde', '~', '"~"'],
  ['null', 'null', '"null"'],
  ['Null', 'Null', '"Null"'],
  ['NULL', 'NULL', '"NULL"'],
  ['nUll', 'nUll', 'nUll'],
  ['true', 'true', '"true"'],
  ['True', 'True', '"True"'],
  ['TRUE', 'TRUE', '"TRUE"'],
  ['tRue', 'tRue', 'tRue'],
  ['yes', 'yes', '"yes"'],
  ['Yes', 'Yes', '"Yes"'],
  ['y', 'y', '"y"'],
  ['Y', 'Y', '"Y"'],
  ['n', 'n', '"n"'],
  ['no', 'no', '"no"'],
  ['on', 'on', '"on"'],
  ['off', 'off', '"off"'],
  ['On', 'On', '"On"'],
  ['OFF', 'OFF', '"OFF"'],
  ['yes-please', 'yes please', 'yes please'],
  ['merge', '<<', '<<'],
  ['equals', '=', '='],
  ['int', '123', '"123"'],
  ['neg-int', '-123', '"-123"'],
  ['plus-int', '+123', '"+123"'],
  ['octal', '0123', '"0123"'],
  ['bad-octal', '08', '"08"'],
  ['hex', '0x1F', '"0x1F"'],
  ['octal-o', '0o17', '"0o17"'],
  ['binary', '0b101', '"0b101"'],
  ['underscore-int', '1_000', '"1_000"'],
  ['float', '1.5', '"1.5"'],
  ['dot-float', '.5', '".5"'],
  ['exp', '1e3', '"1e3"'],
  ['EXP', '1E3', '"1E3"'],
  ['huge-exp', '1e400', '1e400'],
  ['tiny-exp', '1e-400', '"1e-400"'],
  ['trailing-dot', '1.', '"1."'],
  ['dot', '.', '.'],
  ['inf', '.inf', '".inf"'],
  ['Inf', '.Inf', '".Inf"'],
  ['neg-inf', '-.inf', '"-.inf"'],
  ['nan', '.nan', '".nan"'],
  ['NaN', '.NaN', '".NaN"'],
  ['bare-inf', 'inf', 'inf'],
  ['bare-nan', 'nan', 'nan'],
  ['sexagesimal', '1:20', '"1:20"'],
  ['sexagesimal3', '190:20:30', '"190:20:30"'],
  ['neg-sexagesimal', '-1:30', '"-1:30"'],
  ['time-like', '12:30', '"12:30"'],
  ['date', '2024-01-01', '"2024-01-01"'],
  ['short-date', '2024-1-1', '"2024-1-1"'],
  ['bad-date', '2023-02-30', '2023-02-30'],
  ['leap-date', '2024-02-29', '"2024-02-29"'],
  ['rfc3339', '2024-01-01T10:00:00Z', '"2024-01-01T10:00:00Z"'],
  ['space-datetime', '2024-01-01 10:00:00', '"2024-01-01 10:00:00"'],
  ['offset-datetime', '2024-01-01T10:00:00.123+02:00', '"2024-01-01T10:00:00.123+02:00"'],
  ['lower-t', '2024-01-01t10:00:00Z', '"2024-01-01t10:00:00Z"'],
  ['lower-z', '2024-01-01T10:00:00z', '2024-01-01T10:00:00z'],
  ['compact-date', '20240101', '"20240101"'],
  ['prerelease', '1.0.0-alpha+001', '1.0.0-alpha+001'],
  [
    'hex-digest',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ],
  ['digit-digest', '3b0c44298fc1c149afbf4c8996fb9242', '3b0c44298fc1c149afbf4c8996fb9242'],
  ['exp-digest', '1234e5', '"1234e5"'],
  ['template', '{{ .Release.Name }}', "'{{ .Release.Name }}'"],
  ['include', '{{ include "x" . }}', '\'{{ include "x" . }}\''],
  ['dollar-brace', '${VAR}', '${VAR}'],
  ['dollar', '$VAR', '$VAR'],
  ['percent-d', '%d', "'%d'"],
  ['apostrophe', "a'b", "a'b"],
  ['dquote', 'a"b', 'a"b'],
  ['backslash', 'a\\b', 'a\\b'],
  ['unicode', 'caf\u00e9', 'caf\u00e9'],
  ['cjk', '\u65e5\u672c\u8a9e', '\u65e5\u672c\u8a9e'],
  ['emoji', 'emoji \ud83d\ude00', '"emoji \\U0001F600"'],
  ['tab', '\t', '"\\t"'],
  ['inner-tab', 'a\tb', '"a\\tb"'],
  ['nul', '\u0000', '"\\0"'],
  ['ansi', '\u001b[0m', '"\\e[0m"'],
  ['del', 'a\u007fb', FAILS],
  ['c1', 'a\u0080b', FAILS],
  ['nel', 'a\u0085b', 'a b'],
  ['nel-spaces', 'a \u0085 b', 'a b'],
  ['nel-double', 'a\u0085\u0085b', '|-\n  a\n  b'],
  ['nbsp', '\u00a0', '\u00a0'],
  ['inner-nbsp', 'a\u00a0b', 'a\u00a0b'],
  ['line-sep', 'a\u2028b', "'a\u2028  b'"],
  ['bom', '\ufeff', '"\\uFEFF"'],
  ['bom-start', '\ufeffab c', '"\\uFEFF\\x61\\x62\\x20\\x63"'],
  ['bom-inner', 'a\ufeffb', '"a\\uFEFFb"'],
  ['nonchar', 'a\ufffeb', FAILS],
  ['private-use', '\ue000', '\ue000'],
  ['crlf', 'a\r\nb', '"a\\r\\nb"'],
  ['cr', 'a\rb', '"a\\rb"'],
  ['html', '<b>&amp;</b>', '<b>&amp;</b>'],
  ['quote-in-colon', "it's: fine", "'it''s: fine'"],
  ['lone-squote', "'", "''''"],
  ['lone-dquote', '"', "'\"'"],
  ['space-only', ' ', "' '"],
  ['spaces-only', '   ', "'   '"],
  ['dash-dash', '--', '--'],
  ['arrow', '->', '->'],
  ['url-fragment', 'http://x/#frag', 'http://x/#frag'],
  ['comment-after-space', 'a # b', "'a # b'"],
  ['colon-quote', 'a:"b"', 'a:"b"'],
  ['glob', '*.example.com', "'*.example.com'"],
  ['ip-port', '10.0.0.1:8080', '10.0.0.1:8080'],
  ['version-colon', 'nginx:1.25', 'nginx:1.25'],
  ['cron', '*/5 * * * *', "'*/5 * * * *'"],
  ['json-ish', '{"a":1}', '\'{"a":1}\''],
  ['regex', '^[a-z]+$', '^[a-z]+$'],
  ['env-list', 'a=b,c=d', 'a=b,c=d'],
  ['plus-word', '+x', '+x'],
  ['digit-word', '1a', '1a'],
  ['sign-dot', '-.5', '"-.5"'],
  ['sign-plus-exp', '+1e5', '"+1e5"'],
  ['ml', 'a\nb', '|-\n  a\n  b'],
  ['ml-trail', 'a\nb\n', '|\n  a\n  b'],
  ['ml-trail2', 'a\nb\n\n', '|+\n  a\n  b\n'],
  ['ml-lead-break', '\na', '|2-\n\n  a'],
  ['ml-lead-space', ' a\nb', '|2-\n   a\n  b'],
  ['ml-space-break', 'a \nb', '"a \\nb"'],
  ['ml-break-space', 'a\n b', '|-\n  a\n   b'],
  ['ml-blank-line', 'a\n\nb', '|-\n  a\n\n  b'],
  ['ml-trailing-space', 'a\nb ', '"a\\nb "'],
  ['ml-tab-break', 'a\t\nb', '"a\\t\\nb"'],
  ['ml-break-tab', 'a\n\tb', '"a\\n\\tb"'],
  ['ml-only-break', '\n', '|2+\n'],
  ['ml-two-breaks', '\n\n', '|2+\n\n'],
  ['ml-one-trail', 'a\n', '|\n  a'],
  ['ml-colon', 'line1\nline2 with: colon\n', '|\n  line1\n  line2 with: colon'],
  ['ml-script', '#!/bin/bash\necho "hi"\n', '|\n  #!/bin/bash\n  echo "hi"'],
  ['ml-crlf', 'a\r\nb', '"a\\r\\nb"'],
  ['ml-emoji', 'a\n\ud83d\ude00', '"a\\n\\U0001F600"'],
  ['ml-indented', 'a:\n  b: c\n', '|\n  a:\n    b: c'],
  ['ml-three-trail', 'a\n\n\n', '|+\n  a\n\n'],
  ['ml-lead-space-trail', '  key: v\n  other: w\n', '|2\n    key: v\n    other: w'],
  ['ml-dash', '- a\n- b', '|-\n  - a\n  - b'],
  ['ml-quote', "it's\nok", "|-\n  it's\n  ok"],
  [
    'ml-long',
    'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25 word26 word27 word28 word29\nword0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25 word26 word27 word28 word29',
    '|-\n  word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25 word26 word27 word28 word29\n  word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25 word26 word27 word28 word29',
  ],
  [
    'long-plain',
    'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25 word26 word27 word28 word29',
    'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13\n  word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25\n  word26 word27 word28 word29',
  ],
  [
    'long-nospace',
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  ],
  [
    'long-single',
    '*word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25 word26 word27 word28 word29',
    "'*word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n  word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24\n  word25 word26 word27 word28 word29'",
  ],
  [
    'long-double',
    '\tword0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25 word26 word27 word28 word29',
    '"\\tword0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n  word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24\n  word25 word26 word27 word28 word29"',
  ],
  [
    'long-double-spaces',
    'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11  word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11  word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11\t',
    '"word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11  word0\n  word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11  word0 word1\n  word2 word3 word4 word5 word6 word7 word8 word9 word10 word11\\t"',
  ],
  [
    'long-single-spaces',
    "'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11   word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11'",
    "'''word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11   word0\n  word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11'''",
  ],
  [
    'long-plain-spaces',
    'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11    word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11  end',
    'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11    word0\n  word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11  end',
  ],
  [
    'long-unicode',
    '\u00e90 \u00e91 \u00e92 \u00e93 \u00e94 \u00e95 \u00e96 \u00e97 \u00e98 \u00e99 \u00e910 \u00e911 \u00e912 \u00e913 \u00e914 \u00e915 \u00e916 \u00e917 \u00e918 \u00e919 \u00e920 \u00e921 \u00e922 \u00e923 \u00e924 \u00e925 \u00e926 \u00e927 \u00e928 \u00e929',
    '\u00e90 \u00e91 \u00e92 \u00e93 \u00e94 \u00e95 \u00e96 \u00e97 \u00e98 \u00e99 \u00e910 \u00e911 \u00e912 \u00e913 \u00e914 \u00e915 \u00e916 \u00e917 \u00e918 \u00e919 \u00e920 \u00e921 \u00e922\n  \u00e923 \u00e924 \u00e925 \u00e926 \u00e927 \u00e928 \u00e929',
  ],
  [
    'long-colon',
    'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14',
    "'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n  word13 word14: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10\n  word11 word12 word13 word14'",
  ],
  [
    'long-80',
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b c',
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b\n  c',
  ],
  [
    'long-81',
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b c',
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b\n  c',
  ],
  [
    'long-double-tab-end',
    'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19\t',
    '"word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n  word13 word14 word15 word16 word17 word18 word19\\t"',
  ],
  ['zero', 0, '0'],
  ['one', 1, '1'],
  ['minus-one', -1, '-1'],
  ['one-half', 1.5, '1.5'],
  ['neg-half', -1.5, '-1.5'],
  ['e21', 1e21, '1e+21'],
  ['e20', 100000000000000000000, '1e+20'],
  ['e19', 10000000000000000000, '10000000000000000000'],
  ['2^64', 18446744073709552000, '1.8446744073709552e+19'],
  ['int64-max', 9223372036854776000, '9223372036854776000'],
  ['int64-min', -9223372036854776000, '-9.223372036854776e+18'],
  ['neg-e19', -10000000000000000000, '-1e+19'],
  ['e-4', 0.0001, '0.0001'],
  ['e-5', 0.00001, '1e-05'],
  ['e-7', 1e-7, '1e-07'],
  ['n123456.5', 123456.5, '123456.5'],
  ['n1234567.5', 1234567.5, '1.2345675e+06'],
  ['n1234567', 1234567, '1234567'],
  ['pi', 3.14159, '3.14159'],
  ['e100', 1e100, '1e+100'],
  ['denorm', 5e-324, '5e-324'],
  ['max', 1.7976931348623157e308, '1.7976931348623157e+308'],
  ['tenth-sum', 0.30000000000000004, '0.30000000000000004'],
  ['n100', 100, '100'],
  ['n2.0', 2500000, '2500000'],
  ['n1e6', 1000000, '1000000'],
  ['n1.5e-6', 0.0000015, '1.5e-06'],
  ['n12345678901', 12345678901, '12345678901'],
  ['bool-true', true, 'true'],
  ['bool-false', false, 'false'],
  ['nil', null, 'null'],
  ['empty-map', {}, '{}'],
  ['empty-list', [], '[]'],
  ['map', { b: 2, a: 1 }, 'a: 1\nb: 2'],
  ['list', [3, 1, 2], '- 3\n- 1\n- 2'],
  ['nested-empties', { a: {}, b: [], c: [[], {}] }, 'a: {}\nb: []\nc:\n- []\n- {}'],
  [
    'list-of-lists',
    [
      [1, 2],
      [3, [4, 5]],
    ],
    '- - 1\n  - 2\n- - 3\n  - - 4\n    - 5',
  ],
  ['list-of-maps', [{ a: 1, b: [1, 2] }, { c: { d: 'e' } }], '- a: 1\n  b:\n  - 1\n  - 2\n- c:\n    d: e'],
  ['map-of-lists', { a: [1, 2], b: [{ c: 1 }] }, 'a:\n- 1\n- 2\nb:\n- c: 1'],
  ['list-of-nulls', [null, true, 'x'], '- null\n- true\n- x'],
  [
    'deep',
    { a: { b: { c: { d: [{ e: 'f', g: ['h'] }] } } } },
    'a:\n  b:\n    c:\n      d:\n      - e: f\n        g:\n        - h',
  ],
  [
    'nested-multiline',
    { a: { b: 'x\ny\n' }, l: ['p\nq', { k: ' lead\nz' }] },
    'a:\n  b: |\n    x\n    y\nl:\n- |-\n  p\n  q\n- k: |2-\n     lead\n    z',
  ],
  [
    'nested-long',
    {
      a: {
        b: {
          c: 'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24',
        },
      },
      l: [
        'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24',
        [
          'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24',
        ],
      ],
      q: {
        r: '*word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24',
      },
    },
    "a:\n  b:\n    c: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n      word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23\n      word24\nl:\n- word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n  word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24\n- - word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n    word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24\nq:\n  r: '*word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n    word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24'",
  ],
  [
    'sorted-keys',
    { ['1']: 6, b10: 1, b9: 2, a: 3, B: 4, _x: 5, ['\u00e9']: 7, ['a b']: 8, ['a-b']: 9, a1: 10 },
    '_x: 5\n"1": 6\nB: 4\na: 3\na b: 8\na-b: 9\na1: 10\nb9: 2\nb10: 1\n\u00e9: 7',
  ],
  ['key-empty', { ['']: 1 }, '"": 1'],
  ['key-null', { null: 1 }, '"null": 1'],
  ['key-true', { true: 1, yes: 2 }, '"true": 1\n"yes": 2'],
  ['key-int', { ['1']: 'a', ['1.5']: 'b' }, '"1": a\n"1.5": b'],
  ['key-space', { ['a b']: 1 }, 'a b: 1'],
  ['key-colon', { ['a: b']: 1 }, "'a: b': 1"],
  ['key-dash', { ['-']: 1 }, "'-': 1"],
  ['key-star', { ['*']: 1 }, "'*': 1"],
  ['key-newline', { ['a\nb']: 1 }, '? |-\n  a\n  b\n: 1'],
  ['key-unicode', { ['\u00e9']: 1, ['\ud83d\ude00']: 2 }, '"\\U0001F600": 2\n\u00e9: 1'],
  ['key-hash', { ['#']: 1 }, "'#': 1"],
  ['key-template', { ['{{x}}']: 1 }, "'{{x}}': 1"],
  [
    'key-long',
    {
      kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:
        'v',
      jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj:
        'w',
    },
    'jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj: w\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: v',
  ],
  [
    'key-long-map',
    {
      ['k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k ']:
        { a: 1 },
      z: [1],
    },
    "? 'k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k\n  k k k k k k k k k k k k k k k k k k k k k k k k k k k k k k '\n: a: 1\nz:\n- 1",
  ],
  ['key-tab', { ['a\tb']: 1 }, '"a\\tb": 1'],
  ['key-trailing-space', { ['a ']: 1 }, "'a ': 1"],
  ['key-date', { ['2024-01-01']: 1 }, '"2024-01-01": 1'],
  [
    'key-long-list',
    {
      kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:
        [1, 2],
    },
    '? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: - 1\n  - 2',
  ],
  [
    'key-long-multiline',
    {
      ['kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\nx']: 1,
    },
    '? |-\n  kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n  x\n: 1',
  ],
  // key order, and nesting contexts that change where a folded or block scalar continues
  // (keys where a letter follows a run of digits are left out: yaml.v2's comparison is cyclic there, a01 < a0b < a1
  // < a01, and Helm's own order then changes from run to run)
  [
    'zero-run-keys',
    { a1: 1, a01: 2, a001: 3, a10: 4, a2: 5, a105: 6, a15: 7, b: 8, a: 9, a0: 10, a00: 11, ['a.5']: 12 },
    'a: 9\na.5: 12\na0: 10\na00: 11\na1: 1\na01: 2\na001: 3\na2: 5\na10: 4\na15: 7\na105: 6\nb: 8',
  ],
  [
    'unicode-keys',
    { ['\u00e9']: 1, ['\ud83d\ude00']: 2, ['\uff21']: 3, z: 4, ['\u00df']: 5, ['\u0663']: 6, _: 7, ['']: 8 },
    '"": 8\n_: 7\n"\\U0001F600": 2\n\u0663: 6\nz: 4\n\u00df: 5\n\u00e9: 1\n\uff21: 3',
  ],
  ['literal-line-separator', { a: 'a\nb\u2028c', b: 'a\nb\u2028' }, 'a: |-\n  a\n  b\u2028  c\nb: |\n  a\n  b\u2028'],
  [
    'nested-complex-key',
    {
      outer: {
        kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:
          { x: [1] },
        y: 'z',
      },
    },
    'outer:\n  ? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n  : x:\n    - 1\n  "y": z',
  ],
  [
    'list-in-list-multiline',
    [['a\nb', 'c\n'], [{ d: 'e\nf' }]],
    '- - |-\n    a\n    b\n  - |\n    c\n- - d: |-\n      e\n      f',
  ],
  [
    'deep-long',
    [
      {
        a: [
          {
            b: 'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24',
          },
        ],
      },
    ],
    '- a:\n  - b: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n      word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23\n      word24',
  ],
  [
    'key-folding-context',
    {
      keykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykey:
        'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9',
      kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: 'a b c d e f',
    },
    'keykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykeykey: word0 word1 word2 word3\n  word4 word5 word6 word7 word8 word9\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: a b c\n  d e f',
  ],
  [
    'multiline-after-long-key',
    {
      kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:
        'x\ny',
      jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj:
        ' lead\n',
    },
    '? jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj\n: |2\n   lead\n? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: |-\n  x\n  y',
  ],
  ['single-quoted-line-separator', { a: "'x\u2028y" }, "a: '''x\u2028  y'"],
  [
    'root-long-single',
    "'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25 word26 word27 word28 word29'",
    "'''word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n  word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24\n  word25 word26 word27 word28 word29'''",
  ],
  [
    'list-long-double',
    [
      '"word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19" word0 word1 word2 word3 word4\t',
    ],
    '- "\\"word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n  word13 word14 word15 word16 word17 word18 word19\\" word0 word1 word2 word3 word4\\t"',
  ],
  ['list-lead-break', ['\nxx', ' a\nb'], '- |2-\n\n  xx\n- |2-\n   a\n  b'],
  ['map-list-lead-break', { a: ['\nxx'], b: { c: '\nyy' } }, 'a:\n- |2-\n\n  xx\nb:\n  c: |2-\n\n    yy'],
];

describe('toYamlValue writes what Helm 4.1.4 toYaml writes', () => {
  it.each(cases)('writes the %s case byte for byte', (_label, value, expected) => {
    if (expected === FAILS) expect(() => toYamlValue(value)).toThrow(/control character U\+/);
    else expect(toYamlValue(value).replace(/\n$/, '')).toBe(expected);
  });
});

describe('the other entry points write the same bytes', () => {
  it('toYaml and toYamlList (index.yaml, Files.AsConfig) give what toYamlValue gives for every map and list above', () => {
    let checked = 0;
    for (const [, value, expected] of cases) {
      // (toYaml of an empty map is "", which its callers rely on; toYamlValue writes `{}`.)
      if (expected === FAILS || value === null || typeof value !== 'object' || Object.keys(value).length === 0)
        continue;
      const text = Array.isArray(value) ? toYamlList(value) : toYaml(value as Record<string, unknown>);
      expect(text).toBe(toYamlValue(value));
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('yamlString writes a key as yaml.v2 does: quoted where needed and never folded', () => {
    expect(yamlString('nginx')).toBe('nginx');
    expect(yamlString('1.2.3')).toBe('1.2.3');
    expect(yamlString('y')).toBe('"y"');
    expect(yamlString('a: b')).toBe("'a: b'");
    expect(yamlString('a\tb')).toBe('"a\\tb"');
    const long = Array.from({ length: 20 }, (_, i) => `word${i}`).join(' ');
    expect(yamlString(long)).toBe(long);
  });
});

describe('values Helm cannot write', () => {
  it('writes a Go int (a bigint) as its digits, past the range of a float64', () => {
    expect(toYamlValue({ big: 9007199254740993n, small: -5n })).toBe('big: 9007199254740993\nsmall: -5\n');
  });

  it('refuses NaN and infinities, which JSON cannot hold', () => {
    expect(() => toYamlValue({ a: Number.NaN })).toThrow(/cannot write NaN as YAML/);
    expect(() => toYamlValue([Number.POSITIVE_INFINITY])).toThrow(/cannot write Infinity as YAML/);
  });

  it("names the control character that Helm's YAML reader refuses, in keys too", () => {
    expect(() => toYamlValue({ 'a\u007f': 1 })).toThrow(/U\+007F/);
    expect(() => toYaml({ k: 'x\u0090' })).toThrow(/U\+0090/);
  });

  it('writes a lone surrogate as U+FFFD, as json.Marshal writes invalid UTF-8', () => {
    expect(toYamlValue('a\ud800b')).toBe('a\ufffdb\n');
  });
});

describe('compareKeys', () => {
  it('orders keys as yaml.v2 does: letters after the rest, digit runs by value, then the longer run', () => {
    expect(['b', 'a10', 'a9', '_x', '1', 'a01', 'a1', 'B'].sort(compareKeys)).toEqual([
      '_x',
      '1',
      'B',
      'a1',
      'a01',
      'a9',
      'a10',
      'b',
    ]);
  });
});
