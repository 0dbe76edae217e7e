/**
 * @module maintenance/cron
 * Just enough of cron to know whether a scheduled maintenance window is open: when does a 5-field
 * expression (minute hour day-of-month month day-of-week; `*`, lists, ranges, steps, names) fire
 * in a given IANA timezone. Day-of-month and day-of-week combine as in cronie: either matches
 * when neither field starts with `*`, both must otherwise (a step over `*` counts as starting with it).
 * Numbers are decimal digits, and a schedule that could never fire is refused, so a typo in a
 * maintenance window is a `validate` error instead of a window that silently never opens.
 *
 * Daylight saving follows Vixie cron 4.1 and cronie (cron.c, its "DST begins" and "DST ends"
 * cases), so a window opens when the system crontab line with the same schedule would run:
 * - a *fixed-time* schedule (neither the minute nor the hour field starts with `*`) whose local
 *   time does not exist (clocks go forward over it) fires once, at the first instant after the
 *   gap: `30 1 * * 0` in Europe/London fires at 02:00 BST on the spring-forward Sunday. Local
 *   times that happen twice (clocks go back) fire once, at their first occurrence (01:30 BST,
 *   not again at 01:30 GMT);
 * - a *wildcard* schedule (the minute or hour field starts with `*`: a bare `*` or a step over
 *   it) follows the clock as it runs: the minutes of a skipped hour are not caught up, and the
 *   minutes of a repeated hour match again (`0 * * * *` fires at 01:00 BST and at 01:00 GMT:
 *   every real hour).
 * cronie applies these rules to changes of up to 3 hours and runs everything once after a larger
 * jump; here they apply to every change of UTC offset, whatever its size.
 */

import { tzOffsetMs } from '../uptime/time-zone.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** The most days each month has (February: 29). */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface Field {
  values: Set<number>;
  /** The field starts with `*` (`*` or a step over it): cronie's DOM_STAR / DOW_STAR test. */
  star: boolean;
}

/** A number in a field: decimal digits only (`Number` would take "", "0x1e", "1e1" and " 5"). */
const DIGITS = /^\d+$/;

function parseField(text: string, min: number, max: number, names: string[] = [], nameBase = 0): Field {
  const values = new Set<number>();
  const num = (s: string): number => {
    const idx = names.indexOf(s.toLowerCase());
    if (idx < 0 && !DIGITS.test(s)) {
      throw new Error(s === '' ? `cron: a number is missing in "${text}"` : `cron: "${s}" is not a number${s === text ? '' : ` (in "${text}")`}`);
    }
    const n = idx >= 0 ? idx + nameBase : Number(s);
    if (n < min || n > max) throw new Error(`cron: "${s}" is not in ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : DIGITS.test(stepText) ? Number(stepText) : NaN;
    if (!(step >= 1)) throw new Error(`cron: bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [lo, hi] = [num(a), num(b)];
      if (lo > hi) throw new Error(`cron: the range "${range}" runs backwards (nothing would match it)`);
    } else {
      lo = num(range);
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, star: text.startsWith('*') };
}

/** Sorted values of a field. */
const sorted = (f: Field): number[] => [...f.values].sort((a, b) => a - b);

export interface CronSchedule {
  /** Whether the schedule fires within the minute of `at`. */
  matches(at: Date): boolean;
  /** The instants (ms since the epoch) the schedule fires at in [from, to), ascending. */
  firings(from: number, to: number): number[];
}

const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/**
 * Offsets are sampled this far apart and each change found by bisection: no zone changes its
 * offset twice within 12 hours. A repeated local time's first occurrence (and the offset before a
 * gap) is looked for up to a day before a range: no offset change is larger.
 */
const SAMPLE = 12 * HOUR;

/** From `start` (the first one: since ever) until the next segment's start, local time is UTC + `offset`. */
interface Segment {
  start: number;
  offset: number;
}

/** The offsets of `timeZone` over [from, to], each change found to the second. */
function offsetSegments(timeZone: string, from: number, to: number): Segment[] {
  const offset = (ms: number) => tzOffsetMs(ms, timeZone);
  // Whole seconds: the offset is read to the second, and changes happen on one.
  let lo = Math.floor(from / SECOND) * SECOND;
  const last = Math.ceil(to / SECOND) * SECOND;
  const segments: Segment[] = [{ start: -Infinity, offset: offset(lo) }];
  let loOffset = segments[0]!.offset;
  while (lo < last) {
    const hi = Math.min(lo + SAMPLE, last);
    const hiOffset = offset(hi);
    if (hiOffset !== loOffset) {
      // The first second at which the offset is no longer loOffset: in (a, b].
      let [a, b] = [lo, hi];
      while (b - a > SECOND) {
        const mid = Math.floor((a + b) / 2 / SECOND) * SECOND;
        if (offset(mid) === loOffset) a = mid;
        else b = mid;
      }
      segments.push({ start: b, offset: offset(b) });
      if (segments[segments.length - 1]!.offset !== hiOffset) segments.push({ start: hi, offset: hiOffset });
    }
    [lo, loOffset] = [hi, hiOffset];
  }
  return segments;
}

/**
 * The instants at which local wall-clock time `wall` (a local date and time written as if it were
 * UTC) happens: none in a gap, two in a repeated stretch. `gapEnd` is, for a wall time in a gap,
 * the first instant after it.
 */
function instantsOf(wall: number, segments: readonly Segment[]): { at: number[]; gapEnd?: number } {
  const at: number[] = [];
  for (let i = 0; i < segments.length; i++) {
    const t = wall - segments[i]!.offset;
    const end = segments[i + 1]?.start ?? Infinity;
    if (segments[i]!.start <= t && t < end) at.push(t);
  }
  if (at.length > 0) return { at };
  for (let i = 1; i < segments.length; i++) {
    const { start, offset } = segments[i]!;
    if (start + segments[i - 1]!.offset <= wall && wall < start + offset) return { at, gapEnd: start };
  }
  return { at };
}

export function parseCron(expr: string, timeZone = 'UTC'): CronSchedule {
  let fields = expr.trim().split(/\s+/);
  // An optional leading seconds field (node-cron's, which reports used to run on): windows and
  // reports are minute-grained, so it must name one second, and that is ignored. Several seconds
  // (`*/10`) would fire more than once a minute: refused rather than silently run once.
  if (fields.length === 6) {
    if (parseField(fields[0]!, 0, 59).values.size !== 1) {
      throw new Error(`cron: the seconds field must be one second (schedules run at most once a minute), got "${fields[0]}" in "${expr}"`);
    }
    fields = fields.slice(1);
  }
  if (fields.length !== 5) throw new Error(`cron: expected 5 fields (minute hour day month weekday), got ${fields.length} in "${expr}"`);
  const [mi, ho, dom, mon, dow] = fields as [string, string, string, string, string];
  const minute = parseField(mi, 0, 59);
  const hour = parseField(ho, 0, 23);
  const day = parseField(dom, 1, 31);
  const month = parseField(mon, 1, 12, MONTHS, 1);
  const weekdayRaw = parseField(dow, 0, 7, DAYS, 0);
  const weekday = { star: weekdayRaw.star, values: new Set([...weekdayRaw.values].map((d) => d % 7)) };
  // cronie: when either day field starts with `*`, a day must match both (so `*/2` in one is a
  // restriction that combines with the other); when neither does, either matching is enough.
  const bothDayFields = day.star || weekday.star;
  if (bothDayFields && !sorted(month).some((m) => sorted(day)[0]! <= DAYS_IN_MONTH[m - 1]!)) {
    throw new Error(`cron: "${expr}" never fires (no month it names has day ${sorted(day)[0]})`);
  }
  tzOffsetMs(0, timeZone); // throws RangeError for an unknown zone
  // cronie's test (entry.c sets MIN_STAR / HR_STAR from the field's first character).
  const wildcard = mi.startsWith('*') || ho.startsWith('*');
  const [minutes, hours] = [sorted(minute), sorted(hour)];

  const dayMatches = (d: Date): boolean => {
    if (!month.values.has(d.getUTCMonth() + 1)) return false;
    const domOk = day.values.has(d.getUTCDate());
    const dowOk = weekday.values.has(d.getUTCDay());
    return bothDayFields ? domOk && dowOk : domOk || dowOk;
  };

  /** Matching local wall-clock minutes (written as if UTC) in [lo, hi), ascending. */
  function* wallTimes(lo: number, hi: number): Generator<number> {
    for (let d = Math.floor(lo / DAY) * DAY; d < hi; d += DAY) {
      if (!dayMatches(new Date(d))) continue;
      for (const h of hours) {
        for (const m of minutes) {
          const wall = d + h * HOUR + m * MINUTE;
          if (wall >= lo && wall < hi) yield wall;
        }
      }
    }
  }

  function firings(from: number, to: number): number[] {
    if (!(from < to)) return [];
    const segments = offsetSegments(timeZone, from - DAY, to);
    const offsets = segments.map((s) => s.offset);
    const found = new Set<number>();
    for (const wall of wallTimes(from + Math.min(...offsets), to + Math.max(...offsets))) {
      const { at, gapEnd } = instantsOf(wall, segments);
      // Fixed time: the first occurrence, or the end of the gap; wildcard: every occurrence.
      const fires = wildcard ? at : at.length > 0 ? at.slice(0, 1) : gapEnd !== undefined ? [gapEnd] : [];
      for (const t of fires) if (from <= t && t < to) found.add(t);
    }
    return [...found].sort((a, b) => a - b);
  }

  return {
    matches(at) {
      const m = Math.floor(at.getTime() / MINUTE) * MINUTE;
      return firings(m, m + MINUTE).length > 0;
    },
    firings,
  };
}

/** nextFiring and lastFiring look this far at first, doubling up to MAX_CHUNK: frequent schedules are found in one small call. */
const FIRST_CHUNK = HOUR;
const MAX_CHUNK = 32 * DAY;

/** The first instant after `after` (exclusive) the schedule fires at, looking up to `horizonMs` ahead. */
export function nextFiring(schedule: CronSchedule, after: number, horizonMs: number): number | undefined {
  const end = after + 1 + horizonMs;
  for (let lo = after + 1, size = FIRST_CHUNK; lo < end; lo += size, size = Math.min(size * 2, MAX_CHUNK)) {
    const found = schedule.firings(lo, Math.min(end, lo + size));
    if (found.length > 0) return found[0];
  }
  return undefined;
}

/** The last instant in [notBefore, before) the schedule fires at. */
export function lastFiring(schedule: CronSchedule, before: number, notBefore: number): number | undefined {
  for (let hi = before, size = FIRST_CHUNK; hi > notBefore; hi -= size, size = Math.min(size * 2, MAX_CHUNK)) {
    const found = schedule.firings(Math.max(notBefore, hi - size), hi);
    if (found.length > 0) return found[found.length - 1];
  }
  return undefined;
}

/** openWindowStart looks for a window's last start this far back at a time. */
const SEARCH_STEP = DAY;

/** The start of the schedule's window covering `at` (last firing within `durationMs`), if any. */
export function openWindowStart(schedule: CronSchedule, durationMs: number, at: Date): Date | undefined {
  // (at - durationMs, at], searched backwards a day at a time: a long window stops at its last start.
  const lo = at.getTime() - durationMs + 1;
  for (let hi = at.getTime() + 1; hi > lo; hi -= SEARCH_STEP) {
    const found = schedule.firings(Math.max(lo, hi - SEARCH_STEP), hi);
    if (found.length > 0) return new Date(found[found.length - 1]!);
  }
  return undefined;
}
