/**
 * @module maintenance/cron
 * Just enough of cron to know whether a scheduled maintenance window is open: does a 5-field
 * expression (minute hour day-of-month month day-of-week; `*`, lists, ranges, steps, names) fire
 * at a given minute in a given IANA timezone. Day-of-month and day-of-week combine as in cron
 * (either matches when both are restricted).
 */

import { zonedFormatter } from '../model/zoned-formatter.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Field {
  values: Set<number>;
  any: boolean;
}

function parseField(text: string, min: number, max: number, names: string[] = [], nameBase = 0): Field {
  const values = new Set<number>();
  const num = (s: string): number => {
    const idx = names.indexOf(s.toLowerCase());
    const n = idx >= 0 ? idx + nameBase : Number(s);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`cron: "${s}" is not in ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron: bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [lo, hi] = [num(a), num(b)];
    } else {
      lo = num(range);
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, any: text === '*' };
}

export interface CronSchedule {
  matches(at: Date): boolean;
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  return zonedFormatter('cron-fields', 'en-GB', timeZone, {
    hourCycle: 'h23',
    minute: 'numeric',
    hour: 'numeric',
    day: 'numeric',
    month: 'numeric',
    weekday: 'short',
  });
}

function localFields(at: Date, timeZone: string) {
  const parts = formatter(timeZone).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    minute: Number(get('minute')),
    hour: Number(get('hour')),
    day: Number(get('day')),
    month: Number(get('month')),
    weekday: DAYS.indexOf(get('weekday').toLowerCase().slice(0, 3)),
  };
}

export function parseCron(expr: string, timeZone = 'UTC'): CronSchedule {
  let fields = expr.trim().split(/\s+/);
  // node-cron's optional leading seconds field: windows are minute-grained, so it is ignored.
  if (fields.length === 6) fields = fields.slice(1);
  if (fields.length !== 5) throw new Error(`cron: expected 5 fields (minute hour day month weekday), got ${fields.length} in "${expr}"`);
  const [mi, ho, dom, mon, dow] = fields as [string, string, string, string, string];
  const minute = parseField(mi, 0, 59);
  const hour = parseField(ho, 0, 23);
  const day = parseField(dom, 1, 31);
  const month = parseField(mon, 1, 12, MONTHS, 1);
  const weekdayRaw = parseField(dow, 0, 7, DAYS, 0);
  const weekday = { any: weekdayRaw.any, values: new Set([...weekdayRaw.values].map((d) => d % 7)) };
  formatter(timeZone); // throws RangeError for an unknown zone
  return {
    matches(at) {
      const f = localFields(at, timeZone);
      if (!minute.values.has(f.minute) || !hour.values.has(f.hour) || !month.values.has(f.month)) return false;
      const domOk = day.values.has(f.day);
      const dowOk = weekday.values.has(f.weekday);
      if (day.any || weekday.any) return (day.any || domOk) && (weekday.any || dowOk);
      return domOk || dowOk;
    },
  };
}

/** The start of the schedule's window covering `at` (last firing within `durationMs`), if any. */
export function openWindowStart(schedule: CronSchedule, durationMs: number, at: Date): Date | undefined {
  const minute = 60_000;
  const now = Math.floor(at.getTime() / minute) * minute;
  for (let t = now; t > at.getTime() - durationMs; t -= minute) {
    if (schedule.matches(new Date(t))) return new Date(t);
  }
  return undefined;
}
