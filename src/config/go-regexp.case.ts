/**
 * @module config/go-regexp.case
 * Test-only: go-regexp.ts's translation as a bare JavaScript RegExp, so tests can check what it
 * answers against what Go answers. Not for production matching: the RegExp backtracks, so a
 * pattern such as `(a+)+` stalls the event loop on a long label value (ReDoS); matchers compile
 * through config/matcher-regexp.ts, which runs such patterns on re2js. A `.case.ts` file, left
 * out of the build (tsconfig.build.json).
 *
 * @example
 * compileGoRegexpForTests('(?i)checkout|basket').test('Checkout') // true
 */
import { parseGoRegexp } from './go-regexp.js';

/**
 * Compile `re` (Go RE2 syntax) anchored as `^(?:re)$`, for `test`. Throws an Error starting with
 * `error parsing regexp:` (Go's wording) when Alertmanager would reject the pattern too, and
 * another naming re2js when the pattern is valid Go but no JavaScript RegExp matches as Go does
 * (`GoRegexp.regexpExact`: `foo(?i)bar`, `(?i)\bfoo`): rather than a RegExp that silently means
 * something else.
 */
export function compileGoRegexpForTests(re: string): RegExp {
  const parsed = parseGoRegexp(re);
  if (!parsed.regexpExact) {
    throw new Error(`regexp \`${re}\` is valid Go, but no JavaScript RegExp matches as Go does (${parsed.inexactReason}): it runs only as a matcher, on re2js (compileMatcherRegexp)`);
  }
  return parsed.regexp;
}
