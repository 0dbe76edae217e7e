/**
 * @module uptime/time-zone
 * Calendar arithmetic in an IANA time zone with nothing but `Intl.DateTimeFormat`: the UTC
 * offset at an instant, the local date of an instant, and the first instant of a local date
 * ("midnight"; on a daylight-saving day the day is then 23 or 25 hours long).
 *
 * @example
 * zonedMidnight('2026-10-25', 'Europe/London') // Date.UTC(2026, 9, 24, 23) — BST until 02:00
 */
import { WALL_CLOCK_PARTS, zonedFormatter } from '../model/zoned-formatter.js';

/** With the era: Intl numbers years before AD 1 backwards (1 BC is the year 1, era BC), see localParts. */
function formatter(tz: string): Intl.DateTimeFormat {
  return zonedFormatter('wall-clock-era', 'en-US', tz, { ...WALL_CLOCK_PARTS, era: 'short' });
}

/** True for an IANA zone name this runtime knows (and `UTC`). */
export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/**
 * Zones the tz database has renamed that this runtime's ICU still names by their old names
 * (Node 20 resolves `Asia/Kolkata` to `Asia/Calcutta`): the old name, then the current one.
 */
const RENAMED_ZONES: ReadonlyMap<string, string> = new Map([
  ['Africa/Asmera', 'Africa/Asmara'],
  ['America/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
  ['America/Catamarca', 'America/Argentina/Catamarca'],
  ['America/Cordoba', 'America/Argentina/Cordoba'],
  ['America/Jujuy', 'America/Argentina/Jujuy'],
  ['America/Mendoza', 'America/Argentina/Mendoza'],
  ['America/Coral_Harbour', 'America/Atikokan'],
  ['America/Indianapolis', 'America/Indiana/Indianapolis'],
  ['America/Louisville', 'America/Kentucky/Louisville'],
  ['America/Godthab', 'America/Nuuk'],
  ['Asia/Saigon', 'Asia/Ho_Chi_Minh'],
  ['Asia/Katmandu', 'Asia/Kathmandu'],
  ['Asia/Calcutta', 'Asia/Kolkata'],
  ['Asia/Rangoon', 'Asia/Yangon'],
  ['Atlantic/Faeroe', 'Atlantic/Faroe'],
  ['Europe/Kiev', 'Europe/Kyiv'],
  ['Pacific/Truk', 'Pacific/Chuuk'],
  ['Pacific/Enderbury', 'Pacific/Kanton'],
  ['Pacific/Ponape', 'Pacific/Pohnpei'],
]);

/**
 * The zone `tz` names, as the tz database spells it, or undefined for a zone this runtime does
 * not know. Intl takes any case (`europe/london`) and any alias (`US/Pacific`), and a report
 * echoing the spelling typed said `days in europe/london` beside links and files named so; the
 * zone shown is the one the report was computed in: `Europe/London`, `America/Los_Angeles`
 * for `US/Pacific`, `UTC` for `Etc/UTC`, and `Asia/Kolkata` (never ICU's older `Asia/Calcutta`).
 */
export function canonicalTimeZone(tz: string): string | undefined {
  if (!isValidTimeZone(tz)) return undefined;
  const resolved = formatter(tz).resolvedOptions().timeZone;
  return RENAMED_ZONES.get(resolved) ?? resolved;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(ms: number, tz: string): LocalParts {
  const out: Record<string, number> = {};
  let bc = false;
  for (const p of formatter(tz).formatToParts(new Date(ms))) {
    if (p.type === 'era') bc = p.value === 'BC';
    else if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  // The ISO year of n BC is 1 − n (1 BC is 0000): read as AD, tzOffsetMs was off by years.
  return { year: bc ? 1 - out.year! : out.year!, month: out.month!, day: out.day!, hour: out.hour!, minute: out.minute!, second: out.second! };
}

/**
 * Date.UTC, except for years 0–99, which Date.UTC reads as 1900–1999 (`0050-02` was refused as
 * no month, and a day of it would have been a day of 1950); setUTCFullYear takes them as given.
 */
function utcMs(year: number, month0: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month0, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** Offset of local time from UTC at instant `ms`, in milliseconds (BST: +3 600 000). */
export function tzOffsetMs(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  const asUtc = utcMs(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** `YYYY-MM-DD` of instant `ms` in `tz`. */
export function localDate(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  return formatDate(p.year, p.month, p.day);
}

function formatDate(year: number, month: number, day: number): string {
  const y = `${year < 0 ? '-' : ''}${String(Math.abs(year)).padStart(4, '0')}`;
  return `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The numbers of a date as localDate and addDays write it, of any year: 1 BC (0000) and 10000
 * included. The arithmetic below is done on these, not on parseDate's, so that a start derived
 * from a valid value (30 days before `to=0001-01-15`, the end of `month=9999-12`) is an instant
 * the range can refuse by name, not a plain Error ("not a date: 0000-12-16", a 500).
 */
export function dateParts(date: string): { year: number; month: number; day: number } {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(date);
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
  const d = new Date(utcMs(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) throw new Error(`not a date: ${date}`);
  return { year, month, day };
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` into its numbers, or undefined when it is not a real calendar date. */
export function parseDate(date: string): { year: number; month: number; day: number } | undefined {
  const m = DATE_RE.exec(date);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // There is no year 0 (1 BC is followed by AD 1); Intl names it 1 BC, which localDate cannot write.
  if (year < 1) return undefined;
  const d = new Date(utcMs(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Why a date or month of the year 0000 is none, as `noSuchDateReason` and months say it. */
export const YEAR_ZERO_REASON = 'years start at 0001';

/** 0001-01-01T00:00:00Z: reports start at or after it (dates, months and offsets before it are of the year 0000). */
export const FIRST_INSTANT = utcMs(1, 0, 1);

/** The year of instant `ms` on the clock of `tz` (0 for 1 BC). */
export function localYear(ms: number, tz: string): number {
  return localParts(ms, tz).year;
}

/**
 * Why `date`, written as `YYYY-MM-DD`, is no day of the calendar ("September has 30 days"), or
 * undefined when it is one, or not of that form. Said to whoever typed `--to 2026-09-31`, which
 * was told it was "neither an RFC3339 timestamp nor a date", as if the form were wrong.
 */
export function noSuchDateReason(date: string): string | undefined {
  const m = DATE_RE.exec(date);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1) return YEAR_ZERO_REASON;
  if (month < 1 || month > 12) return `there is no month ${m[2]} (months go from 01 to 12)`;
  if (day < 1) return 'days start at 01';
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day <= days) return undefined;
  return month === 2 ? `February ${m[1]} has ${days} days` : `${MONTH_NAMES[month - 1]} has ${days} days`;
}

/** The calendar date `days` after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  const p = dateParts(date);
  const d = new Date(utcMs(p.year, p.month - 1, p.day + days));
  return formatDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** The first day of the month `months` after the month of `date` (negative: before). */
export function addMonths(date: string, months: number): string {
  const p = dateParts(date);
  const d = new Date(utcMs(p.year, p.month - 1 + months, 1));
  return formatDate(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * The first instant of local date `date` in `tz`. Where midnight does not exist (a zone that
 * springs forward at 00:00) this is the first local time that does, e.g. 01:00.
 */
export function zonedMidnight(date: string, tz: string): number {
  const p = dateParts(date);
  const guess = utcMs(p.year, p.month - 1, p.day);
  // The offset at midnight is one of the offsets in force around it; try each and keep the
  // earliest candidate that really falls on `date`.
  const candidates = [-1, 0, 1].map((d) => guess - tzOffsetMs(guess + d * 86_400_000, tz));
  const onDate = candidates.filter((c) => localDate(c, tz) === date).sort((a, b) => a - b);
  if (onDate.length > 0) return onDate[0]!;
  // Unreachable for real zones (a transition never skips a whole day except at the date line,
  // where the date simply does not exist locally): fall back to the nearest candidate.
  return candidates[1]!;
}
