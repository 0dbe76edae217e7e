import { describe, expect, it } from 'vitest';
import { parseGoRegexp } from './go-regexp.js';
import { matcherRegexpEngine } from './matcher-regexp.js';
import { backtrackingIsBounded, MAX_PATHS, MAX_STEPS_PER_CHAR } from './regexp-backtracking.js';

const bounded = (re: string) => backtrackingIsBounded(parseGoRegexp(re).shape);

describe('common config regexes stay on V8 (ingest is not slowed)', () => {
  it.each([
    '',
    'checkout',
    'checkout|basket',
    'foo|bar|baz',
    'Kube.*|Node.*',
    'payments-.*',
    '[a-z]+-prod',
    '(critical|warning)',
    '.*',
    '.+',
    '(?i)checkout',
    '(?i)(foo|bar)-.*',
    '5..',
    'JIRA-\\d+',
    '[a-z]+\\.example\\.com',
    '.*-(prod|staging)',
    '(?s).*',
    'x{3}',
    '(?P<env>prod|staging)-[0-9]{2}',
    '\\p{Greek}+',
    '(?:a|ab)(?:c|bcd)d*', // alternations in a row, but few paths and one repetition
    Array.from({ length: 300 }, (_, i) => `service-${i}`).join('|'),
  ])('%s', (re) => {
    expect(matcherRegexpEngine(re)).toBe('v8');
  });
});

describe('regexes that could backtrack beyond linear time go to re2js', () => {
  it.each([
    ['(a+)+', 'a repeated group (exponential)'],
    ['(.*-)*prod', 'a repeated group (exponential)'],
    ['(a|a)*', 'a repeated alternation (exponential)'],
    ['(ab){2}', 'any repeated group, even a fixed count'],
    ['(foo)?bar', 'an optional group'],
    ['^*a', 'a repeated assertion'],
    ['.*a.*b.*c', 'three repetitions on one path (cubic)'],
    ['.*a.*', 'two repetitions on one path (quadratic)'],
    ['[a-z]+-[a-z]+', 'two repetitions on one path (quadratic)'],
    ['(x|.*)(y|.*)', 'two repetitions on one path through the alternatives'],
    ['a?a?a?aaa', 'optional characters are repetitions too'],
    ['x{2,3}y{2,3}', 'so are ranges of counts'],
    ['(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)', `more than ${MAX_PATHS} paths (work on the pattern alone)`],
    [`.*${'x'.repeat(MAX_STEPS_PER_CHAR)}`, `more than ${MAX_STEPS_PER_CHAR} steps a character of the value can cost`],
    ['(((a)))*', 'a repeated group, however simple'],
  ])('%s: %s', (re) => {
    expect(bounded(re)).toBe(false);
    expect(matcherRegexpEngine(re)).toBe('re2js');
  });

  it('budgets: the last pattern within each stays on V8', () => {
    expect(bounded(`.*${'x'.repeat(MAX_STEPS_PER_CHAR - 1)}`)).toBe(true);
    expect(bounded(Array.from({ length: MAX_PATHS }, (_, i) => `s${i}`).join('|'))).toBe(true);
    expect(bounded(Array.from({ length: MAX_PATHS + 1 }, (_, i) => `s${i}`).join('|'))).toBe(false);
  });

  it('patterns the V8 translation would read otherwise than Go go to re2js, however simple', () => {
    // Under (?i) JavaScript counts ſ and the Kelvin sign as word characters for \b, and matches a
    // negated property by case variants: Go's `(?i)\P{Ll}` matches neither `a` nor `A`.
    for (const re of ['(?i)\\bfoo', '(?i)foo\\B', '(?i)\\P{Ll}', '(?i)\\p{^Greek}', '(?i)[\\P{Lu}x]', '(?i)[[:^alpha:]]']) expect([re, matcherRegexpEngine(re)]).toEqual([re, 're2js']);
    // JavaScript's i flag is for the whole pattern: (?i) over part of it has no translation.
    for (const re of ['foo(?i)bar', '(?i:payments)-prod', '(?i)foo(?-i)bar', 'x(?i:\\pL)']) expect([re, matcherRegexpEngine(re)]).toEqual([re, 're2js']);
    // Without (?i), or with it over every case-sensitive character, the translation is exact.
    for (const re of ['\\bfoo', '\\P{Ll}', '(?i)\\p{Lu}', '[[:^alpha:]]', '(?U)a+', '(?i:foo|bar)', '(?s)(?i)foo', 'foo-(?i)[0-9]+', '(?i)\\b-']) expect([re, matcherRegexpEngine(re)]).toEqual([re, 'v8']);
  });
});
