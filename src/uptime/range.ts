/**
 * @module uptime/range
 * Which time a report covers: `from`/`to` (RFC3339 or `YYYY-MM-DD` = midnight in `tz`), a named
 * period relative to now (`previous-month`, `month-to-date`, `quarter`, …) or a `month`
 * (`2026-10`); and the calendar days of that range in `tz`, the first and last clipped to it.
 *
 * Without any of them a report covers the last 30 full days in `tz` (contract). The end is
 * clipped to now: there are no samples in the future, so those days would only read "no data".
 */
import { invalidParam, invalidParams, UptimeError, type ParamNamer, type ParamProblem } from './errors.js';
import { formatLocalTime } from './format.js';
import { addDays, addMonths, canonicalTimeZone, dateParts, FIRST_INSTANT, localDate, localYear, noSuchDateReason, parseDate, YEAR_ZERO_REASON, zonedMidnight } from './time-zone.js';

export const REPORT_PERIOD_NAMES = ['previous-day', 'previous-week', 'previous-month', 'month-to-date', 'quarter', 'previous-quarter'] as const;
export type ReportPeriod = (typeof REPORT_PERIOD_NAMES)[number];

/** The longest range one report may cover (three years), so one request cannot tie Thanos up for hours. */
export const MAX_RANGE_DAYS = 1100;

export interface RangeRequest {
  from?: string;
  to?: string;
  tz?: string;
  period?: string;
  /** `YYYY-MM`. */
  month?: string;
}

export interface ReportRange {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  tz: string;
}

export interface ReportDay {
  /** Calendar date in the report's zone. */
  date: string;
  /** Epoch ms, inclusive (midnight, or the range start on the first day). */
  start: number;
  /** Epoch ms, exclusive (next midnight, or the range end on the last day). */
  end: number;
}

/**
 * A space may stand for the offset's `+`: typed into a URL, `from=2026-10-01T00:00:00+01:00`
 * arrives as `…00:00:00 01:00` (`+` decodes to a space in a query string).
 */
const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+ -](\d{2}):(\d{2}))$/;
const MONTH = /^(\d{4})-(\d{2})$/;

/** `2026-10` as its first day, `2026-10-01`; undefined when it is no month. */
function monthStart(month: string): string | undefined {
  const m = MONTH.exec(month);
  const first = m ? `${m[1]}-${m[2]}-01` : '';
  return parseDate(first) ? first : undefined;
}

/**
 * Why `month`, written as `YYYY-MM`, is no month (`2026-13`: months run 01 to 12), or undefined
 * when it is one or not of that form: said as the date messages say why, not that the form is wrong.
 */
function noSuchMonthReason(month: string): string | undefined {
  const m = MONTH.exec(month);
  if (!m) return undefined;
  const n = Number(m[2]);
  if (n < 1 || n > 12) return 'months run 01 to 12';
  return Number(m[1]) < 1 ? YEAR_ZERO_REASON : undefined;
}

/** `0000-12-31T23:30:00Z`: an instant as the JSON writes it, to the second. */
const isoSecond = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Why instant `ms` (read from `value`, a date when `midnight`) is before the year 0001, in UTC or
 * on the clock of `tz`, or undefined. `0001-01-01T00:30:00+01:00` is 23:30 UTC on the last day of
 * 1 BC, and a date's midnight east of UTC is there too: taken, the report was shown as of
 * `0001-12-31` (Intl's year 1 BC), and a day of it cannot be written as a date (parseDate).
 */
function beforeYearOne(ms: number, tz: string, midnight: boolean): string | undefined {
  if (ms < FIRST_INSTANT) return `${isoSecond(ms)}${midnight ? ` (midnight in ${tz})` : ''}: ${YEAR_ZERO_REASON}`;
  if (localYear(ms, tz) < 1) return `${formatLocalTime(new Date(ms).toISOString(), tz)} in ${tz}: ${YEAR_ZERO_REASON}`;
  return undefined;
}

/** An RFC3339 timestamp or a date (midnight in `tz`) as epoch ms; none before the year 0001 (beforeYearOne). */
export function parseInstant(param: string, value: string, tz: string): number {
  const ms = parseInstantAnyYear(param, value, tz);
  const early = beforeYearOne(ms, tz, parseDate(value) !== undefined);
  if (early) throw invalidParam(param, `"${value}" is ${early}`);
  return ms;
}

function parseInstantAnyYear(param: string, value: string, tz: string): number {
  if (parseDate(value)) return zonedMidnight(value, tz);
  // The date form, but no day of the calendar (2026-09-31): say why, not that the form is wrong.
  const dateReason = noSuchDateReason(value);
  if (dateReason) throw invalidParam(param, `"${value}" is not a date: ${dateReason}`);
  const m = RFC3339.exec(value);
  if (m) {
    // Date.parse takes any day up to 31 and the hour 24, and moves them on: 2026-02-30 would
    // silently be 2 March, 24:00 the next day. A report must start where it was asked to.
    if (!parseDate(m[1]!)) throw invalidParam(param, `"${value}" has no such date: ${noSuchDateReason(m[1]!) ?? `${m[1]} is not a day of the calendar`}`);
    const [hour, minute, second] = [m[2], m[3], m[4]].map(Number) as [number, number, number];
    const [offHour, offMinute] = m[7] === undefined ? [0, 0] : [Number(m[7]), Number(m[8])];
    if (hour > 23 || minute > 59 || second > 59 || offHour > 23 || offMinute > 59) {
      throw invalidParam(param, `"${value}" has no such time: hours go from 00 to 23, minutes and seconds from 00 to 59 (offset included)`);
    }
    const ms = Date.parse(value.replace(/ (\d{2}:\d{2})$/, '+$1').replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  throw invalidParam(param, `"${value}" is neither an RFC3339 timestamp (2026-10-01T00:00:00Z) nor a date (2026-10-01)`);
}

function startOfWeek(date: string): string {
  const dow = new Date(zonedMidnight(date, 'UTC')).getUTCDay();
  return addDays(date, -((dow + 6) % 7)); // weeks start on Monday (ISO 8601)
}

function startOfQuarter(date: string): string {
  const p = dateParts(date);
  return addMonths(date, -((p.month - 1) % 3));
}

/** [from, to) of a named period, relative to `now`, in `tz`. */
export function periodRange(period: ReportPeriod, now: number, tz: string): { from: number; to: number } {
  const today = localDate(now, tz);
  const at = (d: string) => zonedMidnight(d, tz);
  switch (period) {
    case 'previous-day':
      return { from: at(addDays(today, -1)), to: at(today) };
    case 'previous-week': {
      const monday = startOfWeek(today);
      return { from: at(addDays(monday, -7)), to: at(monday) };
    }
    case 'previous-month':
      return { from: at(addMonths(today, -1)), to: at(addMonths(today, 0)) };
    case 'month-to-date':
      return { from: at(addMonths(today, 0)), to: now };
    case 'quarter':
      return { from: at(startOfQuarter(today)), to: now };
    case 'previous-quarter': {
      const q = startOfQuarter(today);
      return { from: at(addMonths(q, -3)), to: at(q) };
    }
  }
}

export function isReportPeriod(value: string): value is ReportPeriod {
  return (REPORT_PERIOD_NAMES as readonly string[]).includes(value);
}

/** `value` read by parseInstant, or undefined when not given, or when it is bad (its problem added to `bad`). */
function readInstant(param: 'from' | 'to', value: string | undefined, tz: string, bad: ParamProblem[]): number | undefined {
  if (!value) return undefined;
  try {
    return parseInstant(param, value, tz);
  } catch (err) {
    if (!(err instanceof UptimeError) || !err.problems) throw err;
    bad.push(...err.problems);
    return undefined;
  }
}

/**
 * Why a range ends before it starts, with both values as given and as read: a date is midnight in
 * `tz`, an RFC3339 time its instant, so `from=2026-10-01&to=2026-10-01T03:00:00Z` in New York
 * (midnight there is 04:00 UTC) is reversed, which "must be before to" alone left to guess.
 * Only `from` and `to` both given can be reversed (a range from a default or to now cannot).
 */
function reversedRange(name: ParamNamer, req: RangeRequest, range: ReportRange): string {
  const read = (param: 'from' | 'to', at: number) =>
    `${name(param)}${req[param] ? ` "${req[param]}"` : ''} is ${formatLocalTime(new Date(at).toISOString(), range.tz)}`;
  return `must be before ${name('to')}: ${read('from', range.from)} and ${read('to', range.to)} (in ${name('tz')} ${range.tz}, where a date is its midnight)`;
}

/** Resolves a request into a range; throws UptimeError `invalid` naming the parameter at fault. */
export function resolveRange(req: RangeRequest, now: number): ReportRange {
  const given = req.tz === undefined || req.tz === '' ? 'UTC' : req.tz;
  // The zone as the tz database spells it, so that `europe/london` is shown, linked and put in
  // file names as Europe/London, the zone the report is computed in.
  const tz = canonicalTimeZone(given);
  // Every bad value and every bad mix is named in one message, in the order from, to, tz, period,
  // month (the contract's from=&to=&tz=, then the alternatives to them), not the first one read:
  // `--from 1 --to 2` named only --to, and `--period quarter --from x --tz Mars` only --period.
  // Whether a value is a date or an RFC3339 time does not depend on the zone, so they are checked
  // in UTC when the zone is unknown.
  const bad: ParamProblem[] = [];
  const [fromAt, toAt] = (['from', 'to'] as const).map((param) => readInstant(param, req[param], tz ?? 'UTC', bad));
  if (!tz) bad.push({ param: 'tz', says: () => `unknown time zone "${given}" (use an IANA name such as Europe/London)` });
  const params = (['from', 'to', 'period', 'month'] as const).filter((k) => req[k] !== undefined && req[k] !== '');
  // period and month each replace from and to, and each other: the mix is named once, on the first.
  const alone = params.find((k) => k === 'period' || k === 'month');
  const others = params.filter((g) => g !== alone);
  const firstOfMonth = req.month ? monthStart(req.month) : undefined;
  // A month's first midnight east of UTC may be in 1 BC (0001-01 in Tokyo), as a date's may.
  const monthEarly = firstOfMonth && tz ? beforeYearOne(zonedMidnight(firstOfMonth, tz), tz, true) : undefined;
  for (const param of ['period', 'month'] as const) {
    const says: Array<(name: ParamNamer) => string> = [];
    if (param === 'month' && monthEarly) says.push(() => `"${req.month}" starts at ${monthEarly}`);
    if (param === 'period' && req.period && !isReportPeriod(req.period)) says.push(() => `"${req.period}" is not one of ${REPORT_PERIOD_NAMES.join(', ')}`);
    if (param === 'month' && req.month && !firstOfMonth) {
      const reason = noSuchMonthReason(req.month);
      says.push(() => `"${req.month}" is not a month${reason ? `: ${reason}` : ' such as 2026-10'}`);
    }
    if (param === alone && others.length > 0) says.push((name) => `cannot be combined with ${others.map(name).join(', ')}`);
    if (says.length > 0) bad.push({ param, says: (name) => says.map((say) => say(name)).join(', and ') });
  }
  if (!tz || bad.length > 0) throw invalidParams(bad); // !tz: its problem is in bad (and narrows tz below)

  let from: number;
  let to: number;
  if (req.period && isReportPeriod(req.period)) {
    ({ from, to } = periodRange(req.period, now, tz));
    // Only a now early in the year 0001 (a test's) gets here, but a period's start is as derived as the rest.
    const early = beforeYearOne(from, tz, true);
    if (early) throw invalidParam('period', `"${req.period}" starts at ${early}`);
  } else if (firstOfMonth) {
    from = zonedMidnight(firstOfMonth, tz);
    to = zonedMidnight(addMonths(firstOfMonth, 1), tz);
  } else {
    const today = localDate(now, tz);
    to = toAt ?? (fromAt !== undefined ? now : zonedMidnight(today, tz));
    from = fromAt ?? zonedMidnight(addDays(localDate(to, tz), -30), tz);
    // A derived start is refused as a given one is: `to=0001-01-15` alone began on 0000-12-16.
    const early = fromAt === undefined ? beforeYearOne(from, tz, true) : undefined;
    if (early && toAt !== undefined) throw invalidParams([{ param: 'to', says: (name) => `"${req.to}" alone reports the 30 days before it, from ${early}; give ${name('from')} as well` }]);
    if (early) throw invalidParam('from', `not given, the report covers the 30 days before today, from ${early}`);
  }
  if (from >= now) throw invalidParam(req.period ? 'period' : req.month ? 'month' : 'from', 'the report would start now or in the future: there is nothing to report yet');
  to = Math.min(to, now);
  if (from >= to) throw invalidParams([{ param: 'from', says: (name) => reversedRange(name, req, { from, to, tz }) }]);
  if (to - from > MAX_RANGE_DAYS * 86_400_000) throw invalidParam('from', `the range is longer than ${MAX_RANGE_DAYS} days`);
  return { from, to, tz };
}

/** The calendar days of `range` in its zone, in order. */
export function calendarDays(range: ReportRange): ReportDay[] {
  const days: ReportDay[] = [];
  let date = localDate(range.from, range.tz);
  let start = range.from;
  while (start < range.to) {
    const next = addDays(date, 1);
    const end = Math.min(range.to, zonedMidnight(next, range.tz));
    days.push({ date, start, end });
    start = end;
    date = next;
  }
  return days;
}
