/**
 * The two engines a matcher regex can run on (config/matcher-regexp.ts) mean the same thing:
 * for generated Go patterns (test/support/go-regexp-arbitrary.ts: risky shapes, every flag, also
 * scoped and part-way, classes with negated POSIX ones, Unicode classes, `\Q…\E`, named groups)
 * and short values drawn from characters where the dialects could part, V8's translation and
 * re2js agree on every value, wherever the translation claims to be exact.
 * Every generated pattern (valid Go) is accepted by both checks a matcher makes (the
 * translation's, then re2js's): none is refused by one and accepted by the other.
 * The translation is inexact only where flag `i` is set (part-way: `foo(?i)bar`; or with `\b`,
 * `\B`, negated classes); such patterns are checked to run on re2js, and what re2js answers for
 * them is checked against Go itself in test/matcher-regexp-go.test.ts.
 * Patterns stay small and values short (≤ 8 characters), so even `(a+)+` is cheap for V8 here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGoRegexp } from '../src/config/go-regexp.js';
import { compileMatcherRegexp, matcherRegexpEngine } from '../src/config/matcher-regexp.js';
import { goPattern, labelValue, setsFlagI } from './support/go-regexp-arbitrary.js';

const PATTERNS = 5000;

describe('matcher regexes: V8 translation and re2js agree', () => {
  it(`${PATTERNS} generated Go patterns × 25 short values (one of them empty: an absent label)`, () => {
    let compared = 0;
    let matched = 0;
    let inexact = 0;
    fc.assert(
      fc.property(goPattern, fc.array(labelValue(), { minLength: 24, maxLength: 24 }), (re, values) => {
        // Valid Go by construction: both checks (the translation's, then re2js's) accept it.
        const engine = matcherRegexpEngine(re);
        if (!parseGoRegexp(re).regexpExact) {
          expect([re, setsFlagI(re), engine]).toEqual([re, true, 're2js']);
          inexact += 1;
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
      // A fixed seed: every run checks the same patterns, so a CI run cannot fail, or run long,
      // on a draw no earlier run met (change the seed to explore others). About 4 s on an idle
      // 2-core machine: far inside the timeout with the whole suite loading it.
      { numRuns: PATTERNS, seed: 20260607 },
    );
    // Enough of both answers, and of exact patterns, for the comparison to mean something.
    expect(matched).toBeGreaterThan(compared * 0.05);
    expect(matched).toBeLessThan(compared * 0.95);
    expect(inexact).toBeLessThan(PATTERNS * 0.3);
  }, 120_000);
});
