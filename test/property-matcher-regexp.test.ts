/**
 * The two engines a matcher regex can run on (config/matcher-regexp.ts) mean the same thing:
 * for generated Go patterns — risky shapes included (nested and adjacent repetitions, repeated
 * groups and assertions, alternations in a row), every flag the translation supports, classes,
 * Unicode classes, `\Q…\E`, named groups — and short values drawn from characters where the
 * dialects could part (astral characters, newlines, `\v`, a no-break space, case variants such as
 * `ſ`/`s`/`S`, the Kelvin sign, `ß`/`ẞ`, final sigma), V8's translation and re2js agree on every
 * value. The one known exception (`\b`/`\B` under `(?i)`) is checked to run on re2js instead.
 * Patterns stay small and values short (≤ 8 characters), so even `(a+)+` is cheap for V8 here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileMatcherRegexp, matcherRegexpEngine } from '../src/config/matcher-regexp.js';

const PATTERNS = 5000;

const literal = fc.constantFrom('a', 'b', 'k', 's', 'A', 'S', 'K', 'ß', 'é', 'α', 'σ', 'Σ', 'ς', '🙂', '1', '_', '-', ' ', '\\.', '\\-', '\\n', '\\t', '\\x41', '\\x{1F642}', '\\x{212A}', '\\101', '{', ']', '\\Qa.\\E', '\\Q🙂*\\E');
const charClass = fc.constantFrom(
  '.', '\\d', '\\D', '\\s', '\\S', '\\w', '\\W', '\\pL', '\\PL', '\\p{Greek}', '\\p{Lu}', '\\p{^Ll}', '\\pN', '\\P{Ll}', '\\P{Greek}', '\\p{^Lu}',
  '[a-c]', '[^a]', '[^\\n]', '[[:alpha:]]', '[[:word:][:digit:]]', '[[:space:]]', '[\\d-z]', '[🙂-🙃]', '[^🙂]', '[ßk]', '[^k]', '[^s]',
  '[\\s\\S]', '[\\x{1F600}-\\x{1F64F}]', '[A-Z]', '[ſ]', '[\\p{Greek}a]', '[^\\w]', '[\\W]', '[^\\S]', '[K]', '[\\P{Lu}]', '[^\\P{Ll}]', '[^\\p{Lu}]',
);
const assertion = fc.constantFrom('^', '$', '\\A', '\\z', '\\b', '\\B');
const quantifier = fc.constantFrom('*', '+', '?', '*?', '+?', '??', '{2}', '{0,2}', '{1,}', '{2,3}?', '{0}');
const flagSetter = fc.constantFrom('(?s)', '(?m)', '(?-s)', '(?sm)');
const opener = fc.constantFrom('(', '(?:', '(?P<n>', '(?<m>', '(?s:', '(?m:', '(?-s:');

const { pattern } = fc.letrec<{ pattern: string; alternation: string; sequence: string; item: string; group: string; operand: string }>((tie) => ({
  pattern: fc.tuple(fc.constantFrom('', '', '(?i)', '(?s)', '(?is)', '(?m)'), tie('alternation')).map(([flags, body]) => flags + body),
  alternation: fc.array(tie('sequence'), { minLength: 1, maxLength: 3, depthIdentifier: 'regex' }).map((seqs) => seqs.join('|')),
  sequence: fc.array(tie('item'), { maxLength: 4, depthIdentifier: 'regex' }).map((items) => items.join('')),
  item: fc.oneof(
    { depthSize: 'small', depthIdentifier: 'regex' },
    literal,
    charClass,
    assertion,
    flagSetter,
    tie('group'),
    fc.tuple(tie('operand'), quantifier).map(([x, q]) => x + q),
  ),
  // What a quantifier may follow: never a quantified item (`a**` is a syntax error in Go).
  operand: fc.oneof({ depthSize: 'small', depthIdentifier: 'regex' }, literal, charClass, assertion, tie('group')),
  group: fc.tuple(opener, tie('alternation')).map(([open, body]) => `${open}${body})`),
}));

const valueChars = ['a', 'b', 'A', 'k', 'K', '\u212a', 's', 'S', 'ſ', 'ß', 'ẞ', 'é', 'É', 'α', 'Σ', 'σ', 'ς', '1', '_', '-', '.', ' ', '\n', '\t', '\v', '\u00a0', 'µ', 'μ', 'Μ', '🙂', '😀', '\ud83d', '\udc00', '{', ']'];
const value = fc.array(fc.constantFrom(...valueChars), { maxLength: 8 }).map((cs) => cs.join(''));

describe('matcher regexes: V8 translation and re2js agree', () => {
  it(`${PATTERNS} generated Go patterns × 25 short values (one of them empty: an absent label)`, () => {
    let compared = 0;
    let matched = 0;
    fc.assert(
      fc.property(pattern, fc.array(value, { minLength: 24, maxLength: 24 }), (re, values) => {
        // Valid Go by construction: both checks (the translation's, then re2js's) accept it.
        const engine = matcherRegexpEngine(re);
        // The translation's known inexactness (go-regexp.ts GoRegexp.regexpExact): never run on V8.
        if (re.startsWith('(?i') && /\\[bBP]|\\p\{\^/.test(re)) {
          expect(engine).toBe('re2js');
          return;
        }
        const v8 = compileMatcherRegexp(re, 'v8');
        const re2 = compileMatcherRegexp(re, 're2js');
        for (const v of ['', ...values]) {
          const answer = re2.test(v);
          expect([re, v, v8.test(v)]).toEqual([re, v, answer]);
          compared += 1;
          if (answer) matched += 1;
        }
      }),
      { numRuns: PATTERNS },
    );
    // Enough of both answers for the comparison to mean something.
    expect(matched).toBeGreaterThan(compared * 0.05);
    expect(matched).toBeLessThan(compared * 0.95);
  }, 120_000);
});
