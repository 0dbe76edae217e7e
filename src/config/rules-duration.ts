/**
 * @module config/rules-duration
 * Prometheus' own duration syntax (model.ParseDuration), as accepted in rule files for `for`,
 * range selectors and the CRD's `pattern`: units in descending order y w d h m s ms, integers
 * only, each unit at most once, or a bare "0". `1.5h`, `30m1h` and `""` are rejected, exactly
 * as Prometheus rejects them, so a file that validates here also loads there.
 *
 * Kept separate from config/duration.ts (routes' human durations) on purpose: Prometheus'
 * grammar is narrower, and a rule that Prometheus refuses must fail `validate`.
 */

const UNIT_MS: ReadonlyArray<readonly [string, number]> = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const PROM_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or undefined when Prometheus would not accept `text`. */
export function parsePromDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const m = PROM_DURATION.exec(text);
  if (!m) return undefined;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const digits = m[i + 1];
    if (digits !== undefined) ms += Number(digits) * UNIT_MS[i]![1];
  }
  // Prometheus stores durations as int64 nanoseconds and refuses overflow.
  if (!Number.isSafeInteger(ms) || ms > 9_223_372_036_854) return undefined;
  return ms;
}

export const PROM_DURATION_HINT = 'Prometheus duration such as 30s, 5m, 1h30m, 30d (integers, units y w d h m s ms in that order)';
