/**
 * @module model/time-text
 * Alertmanager's times as the store keeps them (`Date#toISOString`: UTC, milliseconds), without
 * a Date for the common case: ingest normalises with it, the Slack renderer shows their minute.
 * Alertmanager sends UTC RFC3339 with up to nine fraction digits
 * (`2026-11-20T09:00:00.123456789Z`, Go's `RFC3339Nano`); a webhook's times were parsed twice
 * (checked, then normalised) and formatted once per alert, a twentieth of the event loop's work on
 * a 10-alert webhook. Only text whose fields cannot roll over is taken this way: V8 turns
 * `02-30` into March 2nd and `T24:00` into the next day, so days past the 28th, hours past 23 and
 * the like go through Date as before. The result equals Date's (property test in
 * test/property-time-text.test.ts).
 */

const ZERO = 48;

/** The two-digit number at `i`, or -1. */
function twoDigits(t: string, i: number): number {
  const a = t.charCodeAt(i) - ZERO;
  const b = t.charCodeAt(i + 1) - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function digitsBetween(t: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const d = t.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

/**
 * Whether `t` is `YYYY-MM-DDTHH:MM:SS[.fraction]Z` text (at most nine fraction digits) with
 * in-range fields and a day of at most 28: a valid time that `utcMillisText` can cut.
 */
export function isPlainUtcText(t: string): boolean {
  const n = t.length;
  // At most nine fraction digits (Go's): V8 reads some longer fractions differently (`.0005000000` as 5 ms).
  if (n < 20 || n > 30 || t.charCodeAt(n - 1) !== 90 /* Z */) return false;
  if (t[4] !== '-' || t[7] !== '-' || t[10] !== 'T' || t[13] !== ':' || t[16] !== ':') return false;
  if (!digitsBetween(t, 0, 4)) return false;
  const month = twoDigits(t, 5);
  const day = twoDigits(t, 8);
  const hour = twoDigits(t, 11);
  const minute = twoDigits(t, 14);
  const second = twoDigits(t, 17);
  if (month < 1 || month > 12 || day < 1 || day > 28 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  // No fraction, or a dot and at least one digit.
  return n === 20 || (t[19] === '.' && n > 21 && digitsBetween(t, 20, n - 1));
}

/** `new Date(t).toISOString()` for text `isPlainUtcText` accepts; undefined for any other, which the caller leaves to Date. */
export function utcMillisText(t: string): string | undefined {
  if (!isPlainUtcText(t)) return undefined;
  const n = t.length;
  if (n === 20) return `${t.slice(0, 19)}.000Z`;
  if (n === 24) return t;
  // V8 keeps the first three fraction digits (no rounding).
  return `${t.slice(0, 19)}.${(t.slice(20, Math.min(n - 1, 23)) + '00').slice(0, 3)}Z`;
}

/**
 * `new Date(t).toISOString().slice(0, 16)` (`YYYY-MM-DDTHH:MM`) for text `isPlainUtcText`
 * accepts; undefined for any other. Rendering a 10-alert Slack message parsed and formatted a
 * Date per alert, a fifth of its CPU.
 */
export function utcMinuteText(t: string): string | undefined {
  return isPlainUtcText(t) ? t.slice(0, 16) : undefined;
}
