/**
 * @module config/regexp-backtracking
 * Decide whether a matcher regex may run on JavaScript's backtracking engine (V8's Irregexp)
 * without risk of stalling, or must run on re2js (linear time, several times slower per short
 * match: matcher-regexp.ts gives both costs).
 *
 * Why: Alertmanager's Go regexp (RE2) takes time linear in the label value whatever the pattern;
 * a backtracking engine can take exponential (`(a+)+`, `(.*-)*prod`) or polynomial
 * (`.*a.*b.*c`: cubic) time, so one careless team regex plus one long label would stall ingest
 * for every team. Most config regexes are simple (`foo|bar`, `Kube.*|Node.*`, `payments-.*`,
 * `[a-z]+-prod`, `(critical|warning)`, `(?i)checkout`) and run several times faster on V8, so
 * they stay.
 *
 * The rule is conservative: a pattern stays on V8 only when its shape proves a bound; anything
 * else goes to re2js. The matcher runs `^(?:re)$` (anchored at the start: V8 tries position 0
 * only, and a later start would fail at `^` at once). A backtracking search's work is the size of
 * its tree of choices: one choice at each alternation (which branch) and at each variable-count
 * repetition (how many). Each root-to-leaf walk of that tree follows one *path* through the
 * pattern (one branch picked at every alternation) with one count per repetition on it. So:
 * 1. Repetitions apply only to single-character atoms (a literal, a class, `.`, `\d`, `\pL`):
 *    never to a group, an assertion or a repetition. Then no repetition can re-enter choices,
 *    and each character a repetition takes is one step.
 * 2. Each path meets at most one variable-count repetition (`*`, `+`, `?`, `{n,m}` with n ≠ m,
 *    `{n,}`). That repetition has at most n + 1 counts (n: the value's length in characters); for
 *    each, the rest of the path after it is tried once, `rest` steps. A path without one is tried
 *    once. So the work is at most
 *      Σ over paths of their length  +  (n + 1) · Σ over paths with a repetition of (rest + 2),
 *    which is linear in n. Two such repetitions on one path would give (n + 1)² (`.*a.*b`), and
 *    a repeated group exponential counts (`(a+)+`).
 * 3. Budgets keep the constants small, so "linear" also means "fast": at most MAX_PATHS paths
 *    (alternations in a row multiply: `(a|ab)(c|bcd)(…)…` is work on the pattern alone), at most
 *    MAX_PATH_ATOMS atoms summed over all paths, and at most MAX_STEPS_PER_CHAR for the sum over
 *    paths with a repetition of (rest + 1), the steps a character of the value can cost.
 * Fixed counts (`x{3}`) are no choice: they count as that many atoms.
 *
 * @example
 * backtrackingIsBounded(parseGoRegexp('Kube.*|Node.*').shape) // true: V8
 * backtrackingIsBounded(parseGoRegexp('(.*-)*prod').shape)    // false: re2js
 */
import type { RegexpShape } from './go-regexp.js';

/** Paths through the alternatives: a flat list of 1,000 names stays on V8. */
export const MAX_PATHS = 1000;
/** Atoms summed over all paths: the work a match can cost whatever the value. */
export const MAX_PATH_ATOMS = 10_000;
/** Σ over paths with a variable repetition of (atoms after it + 1): `.*-prod` costs 6. */
export const MAX_STEPS_PER_CHAR = 32;

/** Above every budget; counts are held at it so products never overflow (no Infinity, no NaN). */
const CAP = 1e9;
/** Deeper than Go allows (1,000): not worth a proof. */
const MAX_DEPTH = 1000;

/** Sums over the paths through one shape. */
interface Cost {
  /** Paths meeting no variable repetition, and their atoms summed. */
  paths0: number;
  atoms0: number;
  /** Paths meeting exactly one, their atoms summed, and the atoms after the repetition summed. */
  paths1: number;
  atoms1: number;
  rest1: number;
}

/** Thrown inside the walk: some path breaks rule 1 or 2 (or the pattern nests too deeply). */
class Unbounded extends Error {}

const cap = (n: number): number => Math.min(n, CAP);
const EMPTY: Cost = { paths0: 1, atoms0: 0, paths1: 0, atoms1: 0, rest1: 0 };

/** `x` then `y`: every path of one followed by every path of the other. */
function then(x: Cost, y: Cost): Cost {
  if (x.paths1 > 0 && y.paths1 > 0) throw new Unbounded();
  return {
    paths0: cap(x.paths0 * y.paths0),
    atoms0: cap(x.atoms0 * y.paths0 + x.paths0 * y.atoms0),
    paths1: cap(x.paths1 * y.paths0 + x.paths0 * y.paths1),
    atoms1: cap(x.atoms1 * y.paths0 + x.paths1 * y.atoms0 + x.atoms0 * y.paths1 + x.paths0 * y.atoms1),
    // After x's repetition come the rest of x and all of y; y's own repetition has only its rest.
    rest1: cap(x.rest1 * y.paths0 + x.paths1 * y.atoms0 + x.paths0 * y.rest1),
  };
}

/** `x` or `y`. */
function or(x: Cost, y: Cost): Cost {
  return {
    paths0: cap(x.paths0 + y.paths0),
    atoms0: cap(x.atoms0 + y.atoms0),
    paths1: cap(x.paths1 + y.paths1),
    atoms1: cap(x.atoms1 + y.atoms1),
    rest1: cap(x.rest1 + y.rest1),
  };
}

function cost(shape: RegexpShape, depth: number): Cost {
  if (depth > MAX_DEPTH) throw new Unbounded();
  switch (shape.kind) {
    case 'char':
    case 'assert':
      return { ...EMPTY, atoms0: 1 };
    case 'repeat':
      if (shape.of.kind !== 'char') throw new Unbounded();
      if (shape.min === shape.max) return { ...EMPTY, atoms0: shape.min };
      return { paths0: 0, atoms0: 0, paths1: 1, atoms1: 1, rest1: 0 };
    case 'group': {
      let all: Cost | undefined;
      for (const seq of shape.alts) {
        let c = EMPTY;
        for (const item of seq) c = then(c, cost(item, depth + 1));
        all = all === undefined ? c : or(all, c);
      }
      return all ?? EMPTY;
    }
  }
}

/**
 * Whether V8's backtracking engine runs `^(?:pattern)$` in time linear in the value with small
 * constants (the module comment proves it); false when unsure.
 */
export function backtrackingIsBounded(shape: RegexpShape): boolean {
  let c: Cost;
  try {
    c = cost(shape, 0);
  } catch (err) {
    if (err instanceof Unbounded) return false;
    throw err;
  }
  return (
    c.paths0 + c.paths1 <= MAX_PATHS &&
    c.atoms0 + c.atoms1 <= MAX_PATH_ATOMS &&
    c.rest1 + c.paths1 <= MAX_STEPS_PER_CHAR
  );
}
