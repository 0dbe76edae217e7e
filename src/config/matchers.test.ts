import { describe, expect, it } from 'vitest';
import { formatMatcher, parseMatchers } from './matchers.js';
import type { Matcher } from './types.js';

const m = (name: string, op: Matcher['op'], value: string): Matcher => ({ name, op, value });

describe('parseMatchers: syntax (Alertmanager pkg/labels/parse.go)', () => {
  const cases: [string, Matcher[]][] = [
    ['foo=bar', [m('foo', '=', 'bar')]],
    ['{foo="bar"}', [m('foo', '=', 'bar')]],
    ['{foo = "bar", dings != "bums", }', [m('foo', '=', 'bar'), m('dings', '!=', 'bums')]],
    ['foo=bar,dings!=bums', [m('foo', '=', 'bar'), m('dings', '!=', 'bums')]],
    ['{quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}', [m('quote', '=', 'She said: "Hi, ladies! That\'s gender-neutral…"')]],
    ['statuscode=~"5.."', [m('statuscode', '=~', '5..')]],
    // A spurious escape keeps its backslash, so regex escapes survive quoting.
    ['tickets=~"JIRA-\\d+"', [m('tickets', '=~', 'JIRA-\\d+')]],
    ['{baz="aaa\\\\bbb"}', [m('baz', '=', 'aaa\\bbb')]],
    ['msg="line1\\nline2"', [m('msg', '=', 'line1\nline2')]],
    ['service=~"checkout|basket"', [m('service', '=~', 'checkout|basket')]],
    ['service!~"a,b", team="x"', [m('service', '!~', 'a,b'), m('team', '=', 'x')]],
    ['foo=', [m('foo', '=', '')]],
    ['foo=""', [m('foo', '=', '')]],
    ['foo=bar baz  ', [m('foo', '=', 'bar baz')]],
    ['  {a="1"}  ', [m('a', '=', '1')]],
    ['job:rate_5m=1', [m('job:rate_5m', '=', '1')]],
    ['_private="🙂"', [m('_private', '=', '🙂')]],
    ['trailing="x",', [m('trailing', '=', 'x')]],
    ['', []],
    ['{}', []],
  ];
  it.each(cases)('%j', (source, expected) => {
    const set = parseMatchers(source);
    expect(set.matchers).toEqual(expected);
    expect(set.source).toBe(source);
  });
});

describe('parseMatchers: errors', () => {
  const cases: [string, RegExp][] = [
    ['foo', /bad matcher format: foo/],
    ['1foo=bar', /bad matcher format/],
    ['foo<bar', /bad matcher format/],
    ['foo=bar,,baz=qux', /bad matcher format/],
    ['foo="bar', /unescaped double quote/],
    ['foo=bar"', /unescaped double quote/],
    ['foo="ba"r"', /unescaped double quote/],
    ['unquoted=a"b', /unescaped double quote/],
    ['foo=~"("', /invalid regular expression in matcher foo=~"\(".*missing closing \)/],
    ['foo=~"[a-"', /invalid regular expression/],
    ['foo=~"a**"', /invalid regular expression/],
    ['foo=~"a{1001}"', /invalid repeat count/],
    // RE2 has no backreferences or lookarounds; Alertmanager rejects them, so do we.
    ['foo=~"(a)\\1"', /invalid escape sequence/],
    ['foo=~"(?=x)x"', /invalid or unsupported Perl syntax/],
    ['foo=~"\\y"', /invalid escape sequence/],
    ['foo!~"x\\"', /unescaped double quote/],
    // Go refuses these too; the translation took them, re2js (which runs risky patterns) does not.
    ['foo=~"\\p{Grek}"', /invalid character class range: `\\p\{Grek\}`/],
    [`foo=~"${'('.repeat(999)}a${')'.repeat(999)}"`, /expression nests too deeply/],
  ];
  it.each(cases)('%j', (source, error) => {
    expect(() => parseMatchers(source)).toThrow(error);
  });
});

describe('MatcherSet.matches', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['foo="bar"', { foo: 'bar' }, true],
    ['foo="bar"', { foo: 'barz' }, false],
    ['foo="bar"', {}, false],
    ['foo!="bar"', {}, true],
    ['foo!="bar"', { foo: 'bar' }, false],
    // A missing label is the empty string (Alertmanager semantics).
    ['foo=""', {}, true],
    ['foo=""', { foo: 'x' }, false],
    // Regexes are fully anchored: ^(?:re)$.
    ['foo=~"bar"', { foo: 'barx' }, false],
    ['foo=~"bar"', { foo: 'xbar' }, false],
    ['foo=~"a|b"', { foo: 'ab' }, false],
    ['foo=~"a|b"', { foo: 'b' }, true],
    ['foo=~"ba.*"', { foo: 'bazaar' }, true],
    ['foo=~".*"', {}, true],
    ['foo=~".+"', {}, false],
    ['foo!~"a|b"', { foo: 'c' }, true],
    ['foo!~"a|b"', { foo: 'a' }, false],
    ['foo!~"a|b"', {}, true],
    ['tickets=~"JIRA-\\d+"', { tickets: 'JIRA-123' }, true],
    ['tickets=~"JIRA-\\d+"', { tickets: 'JIRA-x' }, false],
    ['host=~"x\\.y"', { host: 'xzy' }, false],
    ['host=~"x\\.y"', { host: 'x.y' }, true],
    // All matchers of one string must match.
    ['{a="1", b=~"x|y"}', { a: '1', b: 'y' }, true],
    ['{a="1", b=~"x|y"}', { a: '1', b: 'z' }, false],
    ['{a="1", b=~"x|y"}', { b: 'x' }, false],
    // Go RE2 dialect, translated faithfully.
    ['service=~"(?i)checkout"', { service: 'CheckOut' }, true],
    ['service=~"checkout"', { service: 'CheckOut' }, false],
    ['msg=~"a.b"', { msg: 'a\nb' }, false],
    ['msg=~"a.b"', { msg: 'a\rb' }, true],
    ['msg=~"(?s)a.b"', { msg: 'a\nb' }, true],
    ['msg=~"a\\sb"', { msg: 'a b' }, true],
    ['msg=~"a\\sb"', { msg: 'a\u00a0b' }, false], // Go's \s is ASCII only
    ['msg=~"a{"', { msg: 'a{' }, true], // a lone { is a literal in Go
    ['msg=~"[]a]+"', { msg: ']a]' }, true], // leading ] in a class is a literal in Go
    ['code=~"[[:digit:]]+"', { code: '503' }, true],
    ['code=~"[[:digit:]]+"', { code: '5x3' }, false],
    ['word=~"\\pL+"', { word: 'héllo' }, true],
    ['word=~"\\pL+"', { word: 'h3llo' }, false],
    ['x=~"(?P<first>a)b"', { x: 'ab' }, true],
    ['x=~"\\Qa.b\\E"', { x: 'a.b' }, true],
    ['x=~"\\Qa.b\\E"', { x: 'axb' }, false],
    ['x=~"."', { x: '🙂' }, true], // one rune, as in Go
    ['x=~"a$b"', { x: 'ab' }, false],
    ['x=~"a$\\n^b"', { x: 'a\nb' }, false], // without (?m), $ and ^ are text anchors
    ['x=~"(?m)a$\\n^b"', { x: 'a\nb' }, true],
    ['x=~"(?s:a.)b"', { x: 'a\nb' }, true],
    ['x=~"(?P<n>a)(?P<n>b)"', { x: 'ab' }, true], // Go accepts a group name twice (RE2/J does not)
    // Patterns run on re2js (regexp-backtracking.ts) mean the same: anchored, Go's classes and flags.
    ['x=~"(a+)+"', { x: 'aaa' }, true],
    ['x=~"(a+)+"', { x: 'aaab' }, false],
    ['x=~"(a+)+|"', {}, true],
    ['x=~"(?i)(ab|ſ)+"', { x: 'AbSs' }, true],
    ['x=~"(.)+"', { x: '🙂🙂' }, true],
    ['x=~"(.)(.)"', { x: '🙂' }, false], // one rune, not two UTF-16 units
    ['x=~"(.*-)*prod"', { x: 'a-b-prod' }, true],
    ['x=~"(.*-)*prod"', { x: 'a-b-prod\n' }, false],
    ['x=~"(?s)(.*-)*prod"', { x: 'a\n-prod' }, true],
    ['x=~"(a|\\s)+"', { x: 'a\u00a0' }, false],
    ['x=~"([[:alpha:]]\\pN)+"', { x: 'a٣' }, true],
    ['x=~"(?i)\\bk"', { x: '\u212a' }, false], // \b is ASCII in Go, even under (?i)
    ['x=~"(?i)\\P{Ll}"', { x: 'a' }, false], // Go folds \P{Ll} to exclude a and A
    // Valid Go that JavaScript has no syntax for (test/matcher-regexp-go.test.ts checks more against amtool).
    ['x=~"foo(?i)bar"', { x: 'fooBaR' }, true],
    ['x=~"foo(?i)bar"', { x: 'Foobar' }, false],
    ['x=~"(?i:payments)-prod"', { x: 'Payments-prod' }, true],
    ['x=~"(?i:payments)-prod"', { x: 'payments-Prod' }, false],
    ['x=~"(?U)a+"', { x: 'aaa' }, true],
    ['x=~"[[:^alpha:]]+"', { x: '42' }, true],
    ['x=~"[[:^alpha:]]+"', { x: '4a' }, false],
    // Label names that are Object.prototype members are still just labels.
    ['constructor=""', {}, true],
    ['toString=~".+"', {}, false],
  ];
  it.each(cases)('%j on %j → %s', (source, labels, expected) => {
    expect(parseMatchers(source).matches(labels)).toBe(expected);
  });

  it('a risky regex decides a 50,000-character value in linear time, as Go does (V8 would backtrack for hours)', () => {
    const long = 'a'.repeat(50_000);
    expect(parseMatchers('x=~"(a+)+"').matches({ x: `${long}!` })).toBe(false);
    expect(parseMatchers('x=~"(a+)+"').matches({ x: long })).toBe(true);
    expect(parseMatchers('x=~"(.*-)*prod"').matches({ x: `${'-'.repeat(50_000)}!` })).toBe(false);
    expect(parseMatchers('x=~".*a.*b.*c"').matches({ x: long })).toBe(false);
    expect(parseMatchers('x!~".*a.*b.*c"').matches({ x: `${long}bc` })).toBe(false);
  });

  it('an empty matcher string matches everything, as in Alertmanager', () => {
    expect(parseMatchers('').matches({ any: 'thing' })).toBe(true);
  });
});

describe('formatMatcher', () => {
  it('prints a canonical, re-parseable form', () => {
    const source = 'msg=~"say \\"hi\\"\\n\\\\d"';
    const [first] = parseMatchers(source).matchers;
    const printed = formatMatcher(first!);
    expect(printed).toBe(source);
    expect(parseMatchers(printed).matchers).toEqual([first]);
  });
});
