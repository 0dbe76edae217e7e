/**
 * @module model/time-text
 * Webhook times: which text is an RFC3339 timestamp, and the instant it names as the store keeps
 * it (`Date#toISOString`: UTC, milliseconds). Alertmanager sends UTC RFC3339 with up to nine
 * fraction digits (`2026-11-20T09:00:00.123456789Z`, Go's `RFC3339Nano`), and `0001-01-01T00:00:00Z`
 * (Go's zero time) for "no end yet".
 *
 * Strict on purpose: `Date.parse` also takes `1` (2001-01-01 in the server's zone), `Nov 20 2026`,
 * a zone-less `2026-11-20T09:00:00` (the server's local time, so replicas in different zones
 * stored different instants), and rolls `02-30` over to March 2nd and `T24:00` to the next day.
 * Only RFC3339 section 5.6 `date-time` is taken: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `t`
 * and `z` too (the RFC allows lower case), every field in range, the day one its month has (leap
 * years by the Gregorian rule). A leap second (`:60`) is refused: Go's `time.Parse` refuses it
 * too, so Alertmanager never sends one, and a Date cannot hold it. Fractions of any length are
 * cut (not rounded) to milliseconds, as V8 does for the first nine digits.
 *
 * The common case (UTC with `T` and `Z`) is checked and cut without a Date or a regular
 * expression: a webhook's times were checked, normalised and formatted once per alert, a
 * twentieth of the event loop's work on a 10-alert webhook. The result equals Date's wherever
 * Date reads the text the RFC's way (property test in test/property-time-text.test.ts).
 */

const ZERO = 48;

/** The two-digit number at `i`, or -1. */
function twoDigits(t: string, i: number): number {
  const a = t.charCodeAt(i) - ZERO;
  const b = t.charCodeAt(i + 1) - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days of `month` (1–12) in `year` (proleptic Gregorian, as Date and Go count). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
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
 * in-range fields and a day its month has: a valid time that `utcMillisText` can cut.
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
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  if (day > 28 && day > daysInMonth(twoDigits(t, 0) * 100 + twoDigits(t, 2), month)) return false;
  // No fraction, or a dot and at least one digit.
  return n === 20 || (t[19] === '.' && n > 21 && digitsBetween(t, 20, n - 1));
}

/** `new Date(t).toISOString()` for text `isPlainUtcText` accepts; undefined for any other (`rfc3339UtcText` reads all RFC3339 text). */
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

/** RFC3339 `date-time` in shape; fields are checked by `isRfc3339Text`. */
const RFC3339_SHAPE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Whether `t` is an RFC3339 timestamp (module comment): what the webhook schema accepts. */
export function isRfc3339Text(t: string): boolean {
  if (isPlainUtcText(t)) return true;
  if (!RFC3339_SHAPE.test(t)) return false;
  const month = twoDigits(t, 5);
  const day = twoDigits(t, 8);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(twoDigits(t, 0) * 100 + twoDigits(t, 2), month)) return false;
  if (twoDigits(t, 11) > 23 || twoDigits(t, 14) > 59 || twoDigits(t, 17) > 59) return false;
  const n = t.length;
  const last = t.charCodeAt(n - 1);
  return last === 90 /* Z */ || last === 122 /* z */ || (twoDigits(t, n - 5) <= 23 && twoDigits(t, n - 2) <= 59);
}

/**
 * The instant RFC3339 text names, as `Date#toISOString` writes it (UTC, milliseconds, the
 * fraction cut); undefined for text `isRfc3339Text` refuses. A numeric offset is applied
 * (`-00:00`, "offset unknown" in the RFC, is UTC); an instant it moves outside years 0–9999 is
 * written with Date's six-digit years.
 */
export function rfc3339UtcText(t: string): string | undefined {
  const plain = utcMillisText(t);
  if (plain !== undefined) return plain;
  if (!isRfc3339Text(t)) return undefined;
  const n = t.length;
  const last = t.charCodeAt(n - 1);
  const utc = last === 90 || last === 122;
  const zoneAt = utc ? n - 1 : n - 6;
  const millis = t[19] === '.' ? (t.slice(20, Math.min(zoneAt, 23)) + '00').slice(0, 3) : '000';
  if (utc) return `${t.slice(0, 10)}T${t.slice(11, 19)}.${millis}Z`;
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: that reads years 0–99 as 1900–1999.
  d.setUTCFullYear(twoDigits(t, 0) * 100 + twoDigits(t, 2), twoDigits(t, 5) - 1, twoDigits(t, 8));
  d.setUTCHours(twoDigits(t, 11), twoDigits(t, 14), twoDigits(t, 17), Number(millis));
  const offsetMinutes = twoDigits(t, n - 5) * 60 + twoDigits(t, n - 2);
  d.setTime(d.getTime() - (t[n - 6] === '-' ? -1 : 1) * offsetMinutes * 60_000);
  return d.toISOString();
}
