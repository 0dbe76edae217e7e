/**
 * @module config/matcher-regexp
 * A matcher's regex (`=~`, `!~`), compiled to run in time linear in the label value, as Go's
 * regexp (RE2) does in Alertmanager: no route, ownership or maintenance-window regex can stall
 * ingest, whatever the pattern and however long the value.
 *
 * Two engines, one meaning (Go's: fully anchored `^(?:re)$`):
 * - V8's RegExp, from go-regexp.ts's translation, for patterns whose backtracking is proven
 *   bounded (regexp-backtracking.ts) and which the translation renders exactly: the common config
 *   patterns, 12–29 ns a short match;
 * - re2js (a JavaScript port of RE2, linear time) for every other pattern, 95–501 ns a short match.
 * (Measured per pattern on label-sized values, Node 20; README's Known limits quote the same.)
 * Syntax is checked by go-regexp.ts first (Go's messages, unchanged), then by re2js: a pattern
 * either refuses (`\p{Grek}`, groups nested 1,000 deep with the `^(?:…)$` around them: Go
 * refuses them too) is refused whichever engine would run it, so whether a config loads never
 * depends on which engine was picked.
 *
 * The V8 translation is not exact when `(?i)` covers only part of a pattern (`foo(?i)bar`,
 * `(?i:payments)-prod`: JavaScript's `i` flag is all or nothing), nor under `(?i)` for `\b`, `\B`
 * and negated classes (`\P{Ll}`, `[[:^alpha:]]`; go-regexp.ts `regexpExact` says why): such
 * patterns run on re2js, which reads Go's text itself, whatever their shape.
 * test/property-matcher-regexp.test.ts checks that both engines agree on everything else, and
 * test/matcher-regexp-go.test.ts that what runs agrees with Go's regexp (amtool).
 *
 * @example
 * compileMatcherRegexp('(?i)checkout|basket').test('Checkout') // true, on V8
 * compileMatcherRegexp('(.*-)*prod').test('a'.repeat(50_000))   // false, on re2js, in ms
 */
import { RE2JS } from 're2js';
import { parseGoRegexp, type GoRegexp } from './go-regexp.js';
import { backtrackingIsBounded } from './regexp-backtracking.js';

export type RegexpEngine = 'v8' | 're2js';

/** The one shape callers see, whichever engine runs. */
export interface MatcherRegexp {
  /** Whether the whole value matches (`^(?:re)$`). */
  test(value: string): boolean;
}

/** The engine a parsed pattern runs on: V8 only when fast for sure and exactly Go's meaning. */
function chooseEngine(parsed: GoRegexp): RegexpEngine {
  return parsed.regexpExact && backtrackingIsBounded(parsed.shape) ? 'v8' : 're2js';
}

function compileRe2(parsed: GoRegexp): RE2JS {
  try {
    // The text Alertmanager compiles, so limits such as Go's nesting depth count the same.
    return RE2JS.compile(`^(?:${parsed.re2Source})$`);
  } catch (err) {
    // re2js words its errors as Go does ("error parsing regexp: expression nests too deeply").
    const message = (err as Error).message;
    throw new Error(message.startsWith('error parsing regexp: ') ? message : `error parsing regexp: ${message}`);
  }
}

/** Compiled patterns by engine and text: an API maintenance window's matchers are re-read per group held. */
const cache = new Map<string, MatcherRegexp>();
const CACHE_SIZE = 2000;

/**
 * Compile `re` (Go RE2 syntax) for a matcher. Throws an Error starting with `error parsing regexp:`
 * as `parseGoRegexp` does. `engine` forces one (tests compare them; `v8` throws for a pattern
 * whose translation is not exact); by default the one `matcherRegexpEngine` names.
 */
export function compileMatcherRegexp(re: string, engine?: RegexpEngine): MatcherRegexp {
  const key = `${engine ?? ''}:${re}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const parsed = parseGoRegexp(re);
  const re2 = compileRe2(parsed);
  if (engine === 'v8' && !parsed.regexpExact) throw new Error(`no exact V8 translation of \`${re}\`: ${parsed.inexactReason}`);
  const compiled: MatcherRegexp = (engine ?? chooseEngine(parsed)) === 'v8' ? parsed.regexp : { test: (value) => re2.matches(value) };
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

/** The engine `compileMatcherRegexp(re)` picks (after the same checks: throws the same errors). */
export function matcherRegexpEngine(re: string): RegexpEngine {
  const parsed = parseGoRegexp(re);
  compileRe2(parsed);
  return chooseEngine(parsed);
}
