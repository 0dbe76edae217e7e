import { describe, expect, it } from 'vitest';
import { compileGoRegexp } from './go-regexp.js';

describe('compileGoRegexp: Go RE2 patterns behave as in Alertmanager', () => {
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
  ])('%s on %j → %s', (re, input, expected) => {
    expect(compileGoRegexp(re).test(input)).toBe(expected);
  });

  it.each([
    ['(', /missing closing \)/],
    [')', /unexpected \)/],
    ['[a', /missing closing \]/],
    ['a\\', /trailing backslash/],
    ['(?<=a)b', /invalid or unsupported Perl syntax/],
    ['[[:^alpha:]]', /not supported/],
    ['[[:nope:]]', /invalid character class range/],
    ['x{1,1001}', /invalid repeat count/],
    ['x{3,2}', /invalid repeat count/],
  ])('%s is rejected', (re, error) => {
    expect(() => compileGoRegexp(re)).toThrow(/^error parsing regexp: /);
    expect(() => compileGoRegexp(re)).toThrow(error);
  });
});
