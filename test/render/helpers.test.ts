// Every function a template can call, with Helm's (Sprig's) semantics and argument order; a function added without a
// case here fails the last test.
import { describe, expect, it } from 'vitest';
import { renderChart } from '../../src/render/index.js';
import { helperNames } from '../../src/render/engine.js';
import { prepareChart } from '../../src/values/index.js';
import { chartFrom, userValues } from '../helpers/charts.js';

const VALUES = `
name: web
port: 8080
ratio: 1.5
empty: ""
zero: 0
list: [b, a, c, a]
nums: [3, 1, 2]
map: {b: 2, a: 1}
nested: {x: {w: 1}}
text: "line1\\nline2"
when: "2024-02-03T04:05:06Z"
`;

async function out(template: string): Promise<string> {
  const chart = chartFrom({
    'values.yaml': VALUES,
    'templates/NOTES.txt': template,
    'templates/_p.tpl': '{{#define "p"}}<{{ . }}>{{/define}}',
    'files/f.txt': 'F',
  });
  const prepared = prepareChart(chart, await userValues({}));
  return renderChart(prepared.chart, prepared.values, { releaseName: 'rel' }).notes;
}

const cases: Array<[string, string | RegExp]> = [
  // strings
  ['{{ trim "  a  " }}', 'a'],
  ['{{ trimAll "$" "$$5.00$" }}', '5.00'],
  // checked against helm 4.1.4
  [
    '{{ hello }} {{ trimall "x" "xaxx" }} {{ osBase "/a/b.txt" }} {{ osDir "/a/b.txt" }} {{ osExt "b.tar.gz" }} {{ osClean "a//b/../c" }} {{ osIsAbs "/a" }}',
    'Hello! a b.txt /a .gz a/c true',
  ],
  // Helm's next release (pkg/engine/funcs.go after 4.1.4): mustToToml and the duration helpers
  ['{{ mustToToml (dict "a" "b") }}', 'a = "b"\n'],
  [
    '{{ mustToDuration "2h13m" }} {{ durationSeconds "1m30s" }} {{ durationMilliseconds "1.5s" }} {{ durationMicroseconds "2ms" }} {{ durationNanoseconds "3us" }} {{ durationMinutes "90s" }} {{ durationHours "90m" }} {{ durationDays "36h" }} {{ durationWeeks "84h" }} {{ durationRoundTo "2h13m" "1h" }} {{ durationTruncateTo "2h47m" "1h" }}',
    '2h13m0s 90 1500 2000 3000 1.5 1.5 1.5 0.5 2h0m0s 2h0m0s',
  ],
  [
    '{{ durationSeconds 90 }} {{ durationSeconds "nope" }} {{ mustToDuration 90 }} {{ durationRoundTo "nope" "1h" }} {{ durationRoundTo "90m" "x" }}',
    '90 0 1m30s 0s 1h30m0s',
  ],
  ['{{ trimPrefix "web-" "web-api" }}', 'api'],
  ['{{ trimSuffix "-" "name-" }}', 'name'],
  ['{{ upper "a" }}{{ lower "B" }}', 'Ab'],
  ['{{ title "hello world" }}|{{ untitle "Hello World" }}', 'Hello World|hello world'],
  ['{{ repeat 3 "ab" }}', 'ababab'],
  ['{{ substr 1 3 "hello" }}', 'el'],
  ['{{ nospace "a b  c" }}', 'abc'],
  ['{{ trunc 3 "hello" }}|{{ trunc -2 "hello" }}|{{ trunc 63 "short" }}', 'hel|lo|short'],
  ['{{ abbrev 5 "hello world" }}|{{ abbrevboth 5 10 "1234 5678 9123" }}', 'he...|...5678...'],
  ['{{ initials "First Try" }}', 'FT'],
  ['{{ wrap 5 "aaa bbb ccc" }}', 'aaa\nbbb\nccc'],
  ['{{ wrapWith 5 "|" "aaa bbb ccc" }}', 'aaa|bbb|ccc'],
  ['{{ contains "ell" "hello" }}{{ hasPrefix "he" "hello" }}{{ hasSuffix "lo" "hello" }}', 'truetruetrue'],
  ['{{ quote "a" 1 .Values.missing }}|{{ squote "a" }}', '"a" "1"|\'a\''],
  ['{{ quote "say \\"hi\\"" }}', '"say \\"hi\\""'],
  ['{{ cat "a" 1 .Values.missing "b" }}', 'a 1 b'],
  ['{{ indent 2 .Values.text }}', '  line1\n  line2'],
  ['{{ nindent 2 "a" }}', '\n  a'],
  ['{{ replace "+" "_" "1.0+build" }}', '1.0_build'],
  ['{{ plural "one" "many" 1 }} {{ plural "one" "many" 2 }}', 'one many'],
  [
    '{{ snakecase "FirstName" }} {{ camelcase "first_name" }} {{ kebabcase "FirstName" }} {{ swapcase "aB" }}',
    'first_name FirstName first-name Ab',
  ],
  ['{{ len (shuffle "abcdef") }}', '6'],
  ['{{ len (randAlphaNum 10) }}{{ len (randAlpha 3) }}{{ len (randNumeric 2) }}{{ len (randAscii 4) }}', '10324'],
  ['{{ regexMatch "^[a-z]+$" "abc" }}', 'true'],
  ['{{ regexFind "[0-9]+" "abc123def456" }}', '123'],
  ['{{ regexFindAll "[0-9]" "a1b2c3" 2 }}', '[1 2]'],
  ['{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}', '-W-xxW-'],
  ['{{ regexReplaceAllLiteral "a(x*)b" "-ab-" "${1}" }}', '-${1}-'],
  ['{{ regexSplit "[,;]" "a,b;c" -1 }}', '[a b c]'],
  ['{{ regexQuoteMeta "1.5+" }}', '1\\.5\\+'],
  ['{{ urlquery "a b&c" }}', 'a+b%26c'],
  [
    '{{ printf "%s=%d %q %v %t %05.1f %x %%" "a" 5 "b" .Values.list true 3.14159 255 }}',
    'a=5 "b" [b a c a] true 003.1 ff %',
  ],
  ['{{ print "a" 1 2 "b" }}|{{ println "x" }}', 'a1 2b|x\n'],
  ['{{ toString 12 }}{{ toStrings .Values.nums }}', '12[3 1 2]'],
  [
    '{{ split "," "a,b" }}|{{ splitList "," "a,b" }}|{{ splitn "," 2 "a,b,c" }}',
    'map[_0:a _1:b]|[a b]|map[_0:a _1:b,c]',
  ],
  ['{{ join "-" .Values.nums }}|{{ sortAlpha .Values.list }}', '3-1-2|[a a b c]'],
  // lists
  ['{{ list 1 "a" }}|{{ tuple 1 2 }}', '[1 a]|[1 2]'],
  ['{{ first .Values.list }}{{ last .Values.list }}{{ rest .Values.nums }}{{ initial .Values.nums }}', 'ba[1 2][3 1]'],
  [
    '{{ append .Values.nums 4 }}{{ push .Values.nums 5 }}{{ prepend .Values.nums 0 }}{{ concat .Values.nums (list 9) }}',
    '[3 1 2 4][3 1 2 5][0 3 1 2][3 1 2 9]',
  ],
  [
    '{{ reverse .Values.nums }}{{ uniq .Values.list }}{{ without .Values.list "a" }}{{ has "c" .Values.list }}',
    '[2 1 3][b a c][b c]true',
  ],
  [
    '{{ compact (list 1 "" 0 "x") }}{{ slice .Values.nums 1 }}{{ slice .Values.nums 0 1 }}{{ chunk 2 .Values.nums }}',
    '[1 x][1 2][3][[3 1] [2]]',
  ],
  ['{{ until 3 }}{{ untilStep 0 10 4 }}{{ seq 3 }}|{{ seq 2 4 }}', '[0 1 2][0 4 8]1 2 3|2 3 4'],
  ['{{ len .Values.list }}{{ len .Values.map }}{{ len "abc" }}', '423'],
  ['{{ index .Values.list 1 }}{{ index .Values.map "b" }}{{ index .Values.nested "x" "w" }}', 'a21'],
  // dicts
  ['{{ dict "a" 1 "b" }}', 'map[a:1 b:]'],
  ['{{ get .Values.map "a" }}|{{ get .Values.map "z" }}|{{ hasKey .Values.map "b" }}', '1||true'],
  ['{{ $d := 1 }}{{ $d }}', '1'],
  ['{{ set (dict "a" 1) "b" 2 }}{{ unset (dict "a" 1 "b" 2) "a" }}', 'map[a:1 b:2]map[b:2]'],
  ['{{ pluck "a" (dict "a" 1) (dict "a" 2) (dict "b" 3) }}', '[1 2]'],
  ['{{ dig "x" "w" "none" .Values.nested }}|{{ dig "x" "z" "none" .Values.nested }}', '1|none'],
  [
    '{{ merge (dict "a" 1) (dict "a" 2 "b" 2) }}|{{ mergeOverwrite (dict "a" 1) (dict "a" 2 "b" 2) }}',
    'map[a:1 b:2]|map[a:2 b:2]',
  ],
  ['{{ keys .Values.map | sortAlpha }}{{ values (dict "a" 1) }}', '[a b][1]'],
  ['{{ pick .Values.map "a" }}{{ omit .Values.map "a" }}', 'map[a:1]map[b:2]'],
  ['{{ deepCopy .Values.nested }}{{ deepEqual .Values.map (dict "a" 1 "b" 2) }}', 'map[x:map[w:1]]true'],
  // math
  [
    '{{ add 1 2 3 }} {{ add1 1 }} {{ sub 5 2 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 3 }} {{ max 1 5 2 }} {{ min 3 1 }} {{ biggest 1 9 }}',
    '6 2 3 6 3 1 5 1 9',
  ],
  [
    '{{ addf 1.5 1 }} {{ add1f 1.5 }} {{ subf 3 1.5 }} {{ mulf 1.5 2 }} {{ divf 3 2 }} {{ maxf 1.5 2.5 }} {{ minf 1.5 2.5 }}',
    '2.5 2.5 1.5 3 1.5 2.5 1.5',
  ],
  ['{{ floor 1.7 }} {{ ceil 1.2 }} {{ round 1.456 2 }} {{ round 2.5 0 }}', '1 2 1.46 3'],
  ['{{ add .Values.port 1 }}', '8081'],
  ['{{ div 1 0 }}', /integer divide by zero/],
  // logic and defaults
  [
    '{{ eq 1 1 }}{{ eq "a" "b" "a" }}{{ ne 1 2 }}{{ lt 1 2 }}{{ le 2 2 }}{{ gt 3 2 }}{{ ge 1 2 }}',
    'truetruetruetruetruetruefalse',
  ],
  ['{{ and 1 "" 2 }}|{{ or "" 0 "x" }}|{{ not 0 }}|{{ all 1 "a" }}|{{ any 0 "" }}', '|x|true|true|false'],
  [
    '{{ default "d" .Values.empty }}|{{ default "d" .Values.zero }}|{{ default "d" .Values.name }}|{{ default "d" .Values.missing }}',
    'd|d|web|d',
  ],
  ['{{ empty .Values.empty }}{{ empty .Values.list }}{{ coalesce .Values.empty .Values.zero "c" }}', 'truefalsec'],
  ['{{ ternary "yes" "no" true }}{{ ternary "yes" "no" .Values.zero }}', 'yesno'],
  ['{{ lt 1 "a" }}', /incompatible types for comparison/],
  // types
  [
    '{{ kindOf .Values.map }} {{ kindOf .Values.list }} {{ kindOf .Values.port }} {{ kindOf .Values.ratio }} {{ kindOf .Values.name }} {{ kindOf .Values.missing }}',
    'map slice int64 float64 string invalid',
  ],
  [
    '{{ kindIs "float64" .Values.port }}{{ kindIs "int" .Values.port }}{{ kindIs "int" .Values.ratio }}',
    'truetruefalse',
  ],
  [
    '{{ typeOf .Values.map }}|{{ typeOf .Values.list }}|{{ typeIs "string" .Values.name }}|{{ typeIsLike "*string" .Values.name }}',
    'map[string]interface {}|[]interface {}|true|true',
  ],
  [
    '{{ int "42" }} {{ int 3.9 }} {{ int64 "0x10" }} {{ float64 "1.5" }} {{ atoi "12" }} {{ toDecimal "0777" }}',
    '42 3 16 1.5 12 511',
  ],
  // encodings and hashes
  [
    '{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ b32enc "hi" }} {{ b32dec "NBUQ====" }}',
    'aGVsbG8= hello NBUQ==== hi',
  ],
  ['{{ sha256sum "abc" }}', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [
    '{{ sha1sum "abc" }} {{ md5sum "abc" }} {{ adler32sum "abc" }}',
    'a9993e364706816aba3e25717850c26c9cd0d89d 900150983cd24fb0d6963f7d28e17f72 38600999',
  ],
  ['{{ sha512sum "" | trunc 16 }}', 'cf83e1357eefb8bd'],
  ['{{ uuidv4 | len }} {{ regexMatch "^[0-9a-f-]{36}$" (uuidv4) }}', '36 true'],
  ['{{ randInt 5 6 }}', '5'],
  // JSON and YAML
  [
    '{{ toJson .Values.map }}|{{ mustToJson (list "<a>") }}|{{ toRawJson (list "<a>") }}',
    '{"a":1,"b":2}|["\\u003ca\\u003e"]|["<a>"]',
  ],
  ['{{ toPrettyJson .Values.map }}', '{\n  "a": 1,\n  "b": 2\n}'],
  [
    '{{ (fromJson "{\\"a\\":1}").a }}|{{ fromJsonArray "[1,2]" }}|{{ (fromJson "bad").Error | trunc 10 }}',
    '1|[1 2]|Unexpected',
  ],
  [
    '{{ toYaml .Values.map }}|{{ toYaml .Values.nums }}|{{ toYaml .Values.name }}|{{ toYaml (dict) }}',
    'a: 1\nb: 2|- 3\n- 1\n- 2|web|{}',
  ],
  ['{{ toYaml (dict "t" .Values.text) }}', 't: |-\n  line1\n  line2'],
  // yaml.v2 quotes keys a YAML 1.1 reader would take for booleans, such as y.
  ['{{ mustToYaml .Values.nested }}|{{ toYamlPretty .Values.nested }}', 'x:\n  w: 1|x:\n  w: 1'],
  [
    '{{ (fromYaml "a: {b: 2}").a.b }}|{{ fromYamlArray "[x, z]" }}|{{ (fromYaml "__proto__: 1").Error }}',
    /^2\|\[x z\]\|the key "__proto__" is not allowed$/,
  ],
  // dates
  ['{{ date "2006-01-02 15:04:05 Mon Jan" (toDate "2006-01-02" .Values.when) }}', '2024-02-03 04:05:06 Sat Feb'],
  [
    '{{ dateInZone "15:04 MST" (toDate "" .Values.when) "UTC" }}|{{ htmlDate .Values.when }}|{{ htmlDateInZone .Values.when "UTC" }}',
    '04:05 UTC|2024-02-03|2024-02-03',
  ],
  ['{{ unixEpoch (toDate "" .Values.when) }}', '1706933106'],
  ['{{ date "15:04" (dateModify "1h30m" (toDate "" .Values.when)) }}', '05:35'],
  ['{{ regexMatch "^[0-9]+(h[0-9]+)?m?[0-9.]*s$" (ago (toDate "" .Values.when)) }}', 'true'],
  ['{{ duration 3725 }}|{{ durationRound "1h2m3.5s" }}', '1h2m5s|1h2m3.5s'],
  ['{{ now | date "2006" | len }}', '4'],
  // SemVer
  [
    '{{ (semver "1.2.3-beta+b1").Major }}.{{ (semver "1.2.3-beta+b1").Minor }} {{ (semver "1.2.3-beta+b1").Prerelease }} {{ (semver "v1.2.3").Patch }}',
    '1.2 beta 3',
  ],
  [
    '{{ semverCompare "^1.2.0" "1.4.0" }} {{ semverCompare ">=1.20-0" "v1.19.2" }} {{ semverCompare ">= 1.2, < 1.4" "1.3.9" }}',
    'true false true',
  ],
  // paths and URLs
  [
    '{{ base "a/b/c.txt" }} {{ dir "a/b/c.txt" }} {{ ext "c.tar.gz" }} {{ clean "a//b/../c/." }} {{ isAbs "/x" }}',
    'c.txt a/b .gz a/c true',
  ],
  [
    '{{ (urlParse "https://u:p@example.com:8443/p?q=1#f").host }} {{ urlJoin (dict "scheme" "https" "host" "h" "path" "/x") }}',
    'example.com:8443 https://h/x',
  ],
  // blocks, partials and the rest
  [
    '{{#if 1}}a{{/if}}{{#unless 0}}b{{/unless}}{{#with .Values.map}}{{ .a }}{{/with}}{{#each .Values.nums}}{{ . }}{{/each}}',
    'ab1312',
  ],
  ['{{#define "inline"}}x{{/define}}{{ include "p" 1 }}{{ template "p" 2 }}', '<1><2>'],
  ['{{ tpl "{{ .x }}" (dict "x" 7) }}', '7'],
  ['{{ required "m" .Values.name }}', 'web'],
  ['{{ fail "stop" }}', /stop/],
  ['{{ lookup "v1" "ConfigMap" "ns" "name" }}|{{ lookup .Values.map "a" }}', 'map[]|1'],
  [
    '{{ mustAppend .Values.nums 4 }}{{ mustFirst .Values.nums }}{{ mustRegexMatch "a" "a" }}{{ mustMerge (dict "a" 1) (dict "b" 2) }}{{ mustDig "x" "w" 0 .Values.nested }}',
    '[3 1 2 4]3truemap[a:1 b:2]1',
  ],
  [
    '{{ mustPush .Values.nums 1 }}{{ mustPrepend .Values.nums 1 }}{{ mustLast .Values.nums }}{{ mustRest .Values.nums }}{{ mustInitial .Values.nums }}{{ mustReverse .Values.nums }}',
    '[3 1 2 1][1 3 1 2]2[1 2][3 1][2 1 3]',
  ],
  [
    '{{ mustUniq .Values.list }}{{ mustWithout .Values.list "a" }}{{ mustHas 1 .Values.nums }}{{ mustCompact (list 0 1) }}{{ mustSlice .Values.nums 2 }}{{ mustChunk 3 .Values.nums }}',
    '[b a c][b c]true[1][2][[3 1 2]]',
  ],
  [
    '{{ mustMergeOverwrite (dict "a" 1) (dict "a" 2) }}{{ mustDeepCopy .Values.map }}{{ mustRegexFind "b" "abc" }}{{ mustRegexFindAll "b" "bb" -1 }}',
    'map[a:2]map[a:1 b:2]b[b b]',
  ],
  [
    '{{ mustRegexReplaceAll "b" "abc" "x" }}{{ mustRegexReplaceAllLiteral "b" "abc" "$1" }}{{ mustRegexSplit "b" "abc" -1 }}',
    'axca$1c[a c]',
  ],
  [
    '{{ date "15" (mustDateModify "1h" (mustToDate "" .Values.when)) }}{{ mustToPrettyJson (list 1) }}{{ mustToRawJson (list "&") }}{{ (mustFromJson "{\\"a\\":2}").a }}{{ (mustFromYaml "a: 3").a }}',
    '05[\n  1\n]["&"]23',
  ],
  // certificates, keys, passwords, AES, TOML (test/render/crypto.test.ts checks them against Helm's outputs)
  [
    '{{ hasPrefix "-----BEGIN CERTIFICATE-----" (genCA "ca" 1).Cert }} {{ hasPrefix "-----BEGIN RSA PRIVATE KEY-----" (genSelfSignedCert "s" (list "1.2.3.4") (list "s.example") 1).Key }}',
    'true true',
  ],
  [
    '{{#with (genCA "ca" 1)}}{{ hasPrefix "-----BEGIN CERTIFICATE-----" (genSignedCert "s" (list) (list "s.example") 1 .).Cert }} {{ eq (buildCustomCert (b64enc .Cert) (b64enc .Key)).Cert .Cert }}{{/with}}',
    'true true',
  ],
  [
    '{{ hasPrefix "-----BEGIN EC PRIVATE KEY-----" (genCAWithKey "ca" 1 (genPrivateKey "ecdsa")).Key }}{{#with (genPrivateKey "ed25519")}} {{ eq (genSelfSignedCertWithKey "s" (list) (list) 1 .).Key . }}{{/with}}',
    'true true',
  ],
  [
    '{{#with (genCA "ca" 1)}}{{ hasPrefix "-----BEGIN PRIVATE KEY-----" (genSignedCertWithKey "s" (list) (list) 1 . (genPrivateKey "ed25519")).Key }}{{/with}}',
    'true',
  ],
  [
    '{{ hasPrefix "$2a$10$" (bcrypt "p") }} {{ hasPrefix "u:$2a$10$" (htpasswd "u" "p") }} {{ derivePassword 1 "long" "password" "user" "example.com" }}',
    'true true ZedaFaxcZaso9*',
  ],
  [
    '{{ decryptAES "k" (encryptAES "k" "hi") }}|{{ decryptAES "secretkey" "ZkKdjgOtFuMAcANlumPWbfFrFmz60fYFSFyuWH/7Plg=" }}|{{ len (randBytes 12) }}',
    'hi|hello world|16',
  ],
  [
    '{{ toToml .Values.map }}|{{ (fromToml "a = 1").a }}|{{ getHostByName "localhost" | quote }}',
    'a = 1\nb = 2\n|1|""',
  ],
];

describe('the helper library', () => {
  it.each(cases)('%s', async (template, expected) => {
    if (expected instanceof RegExp) {
      const text = await out(template).catch((error: Error) => error.message);
      expect(text).toMatch(expected);
    } else expect(await out(template)).toBe(expected);
  });

  it('has a case above for every function a template can call', () => {
    const used = new Set(cases.flatMap(([template]) => template.match(/[A-Za-z][A-Za-z0-9]*/g) ?? []));
    const untested = helperNames().filter((name) => !used.has(name));
    expect(untested).toEqual([]);
  });
});
