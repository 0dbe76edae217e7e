import { describe, expect, it } from 'vitest';
import { compileGoRegexpForTests } from './go-regexp.case.js';
import { checkPromqlRegexp } from './go-regexp.js';

describe('the V8 translation (compileGoRegexpForTests): Go RE2 patterns behave as in Alertmanager', () => {
  it.each([
    ['.*-prod', 'x-prod', true],
    ['.*-prod', 'x-prod-2', false],
    ['^foo$', 'foo', true], // user anchors are harmless inside ^(?:…)$
    ['[a-z]+\\.example\\.com', 'api.example.com', true],
    ['[^/]+', 'a/b', false],
    ['a/b', 'a/b', true],
    ['(foo|bar)-[0-9]+', 'bar-12', true],
    ['[\\d\\s-]+', '1 2-3', true],
    ['[.]', 'x', false],
    ['a\\-b', 'a-b', true], // escaped punctuation is a literal
    ['[a\\-z]', '-', true],
    ['\\x41', 'A', true],
    ['\\x{1F642}', '🙂', true],
    ['\\101', 'A', true], // octal
    ['[[:alpha:][:digit:]]+', 'ab12', true],
    ['(?i)FOO|bar', 'BAR', true],
    ['x{2,3}', 'xxx', true],
    ['x{2,3}', 'xxxx', false],
    ['\\p{Greek}+', 'αβ', true],
    ['\\PL', '1', true],
    ['\\p{^L}', '1', true],
    ['a\\z', 'a', true],
    ['\\Aa', 'a', true],
    ['a|', '', true],
    // Go's \S is all but [\t\n\f\r ], inside a class too (amtool 0.25 agrees): \v and a no-break space are not spaces.
    ['[\\S]+', 'a\u00a0b', true],
    ['[\\S]+', 'a\u000bb', true],
    ['[^\\S]', '\u00a0', false],
    ['[^\\S]', '\u2003', false],
    ['[^\\S]', '\t', true],
    ['[\\S]', ' ', false],
    // Read as Go reads them, where JavaScript would refuse or misread the text as written.
    ['[\\d-z]+', '1-z', true], // `-` after a class escape is a literal
    ['[\\s-z]', 'a', false], // …not a range from the last space character
    ['[\\S-a]', '-', true],
    ['x{01}', 'x{01}', true], // a leading zero: not a repeat, literal text
    ['^*a', 'a', true], // an assertion may be repeated
    ['\\b+a', 'a', true],
    ['(?P<1>x)(?P<1>y)', 'xy', true], // Go's group names may start with a digit and repeat
    ['\\Qa.b\\E+', 'a.bb', true],
    // Valid Go with no JavaScript syntax of its own, rewritten (amtool 0.25 agrees).
    ['(?U)a+b', 'aab', true], // ungreedy: whether the whole value matches is unchanged
    ['(?U)(a+?)+', 'aa', true],
    ['[[:^alpha:]]+', '4-2', true], // negated POSIX classes: the complement's ranges
    ['[[:^alpha:]]', 'a', false],
    ['[[:^word:]]', '_', false],
    ['[[:^word:]]', '🙂', true],
    ['[^[:^digit:]x]', '5', true],
    ['(?i:foo|bar)', 'BaR', true], // (?i) over every case-sensitive character: JavaScript's i flag
    ['foo-(?i)[0-9]+', 'foo-12', true], // digits have no case: nothing to fold after (?i)
    ['foo-(?i)[0-9]+', 'FOO-12', false],
  ])('%s on %j → %s', (re, input, expected) => {
    expect(compileGoRegexpForTests(re).test(input)).toBe(expected);
  });

  it.each([
    ['(', /missing closing \)/],
    [')', /unexpected \)/],
    ['[a', /missing closing \]/],
    ['a\\', /trailing backslash/],
    ['(?<=a)b', /invalid or unsupported Perl syntax/],
    ['[[:nope:]]', /invalid character class range/],
    ['x{1,1001}', /invalid repeat count/],
    ['x{3,2}', /invalid repeat count/],
    ['(a{2}){501}', /invalid repeat count: `\{501\}`/], // nested counts multiply past 1000
    ['a**', /invalid nested repetition operator: `\*\*`/],
    ['*', /missing argument to repetition operator: `\*`/],
    ['[z-a]', /invalid character class range: `z-a`/],
    ['(?-)', /invalid or unsupported Perl syntax: `\(\?-\)`/],
  ])('%s is rejected', (re, error) => {
    expect(() => compileGoRegexpForTests(re)).toThrow(/^error parsing regexp: /);
    expect(() => compileGoRegexpForTests(re)).toThrow(error);
  });

  it.each([
    ['foo(?i)bar', /flag i covers only part of the pattern/],
    ['(?i:payments)-prod', /flag i covers only part of the pattern/],
    ['(?i)[[:^lower:]]', /changes what \\b, \\B and negated classes match/],
    ['(?i)\\bfoo', /changes what \\b, \\B and negated classes match/],
  ])('%s is valid Go with no exact RegExp: refused, naming where it runs', (re, why) => {
    expect(() => compileGoRegexpForTests(re)).toThrow(/^regexp `.*` is valid Go, but no JavaScript RegExp matches as Go does \(.*\): it runs only as a matcher, on re2js/);
    expect(() => compileGoRegexpForTests(re)).toThrow(why);
  });
});

describe('checkPromqlRegexp: a label matcher regexp as Prometheus compiles it', () => {
  it.each([
    // [value, Go's error as promtool 2.42 prints it]
    ['*.example.com', 'missing argument to repetition operator: `*`'],
    ['5**', 'invalid nested repetition operator: `**`'],
    ['(?!foo).*', 'invalid or unsupported Perl syntax: `(?!`'],
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['\\Z', 'invalid escape sequence: `\\Z`'],
    ['x{1001}', 'invalid repeat count: `{1001}`'],
    // `^(?:value)$` is compiled first: its error quotes that text…
    ['[a', 'missing closing ]: `[a)$`'],
    [')', 'unexpected ): `^(?:))$`'],
    ['5..|(?i', 'missing closing ): `^(?:5..|(?i)$`'],
    // …and the value must parse alone too.
    ['a)|(b', 'unexpected ): `a)|(b`'],
  ])('refuses %s', (value, error) => {
    expect(checkPromqlRegexp(value)).toEqual({ error: `error parsing regexp: ${error}` });
  });

  it.each([
    ['', true],
    ['.*', true],
    ['.+', false],
    ['(?i)a|', true],
    ['a(?i)b', false], // (?i) part-way, which the V8 translation has no exact RegExp for: valid Go
    ['(?U)a*', true],
    ['[[:^alpha:]]', false],
    ['(?<n>x)?', true], // Go 1.22's (Prometheus 3's) group syntax
  ])('accepts %s (matches "": %s)', (value, empty) => {
    expect(checkPromqlRegexp(value)).toEqual({ matchesEmpty: empty });
  });
});
