import { describe, expect, it } from 'vitest';
import { REPORT_PERIODS } from '../config/routes-schema.js';
import { SPELLINGS_MAX, ZONES_MAX, zonedFormatterCacheSize } from '../model/zoned-formatter.js';
import { UptimeError } from './errors.js';
import { formatLocalTime } from './format.js';
import { calendarDays, periodRange, REPORT_PERIOD_NAMES, resolveRange } from './range.js';
import { addMonths, localDate, tzOffsetMs, zonedMidnight } from './time-zone.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-27T17:42:00Z'); // a Friday

function invalid(fn: () => unknown): UptimeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UptimeError) return err;
    throw err;
  }
  throw new Error('expected an UptimeError');
}

/** The message of the UptimeError resolving `req` at `now` throws. */
function message(req: Parameters<typeof resolveRange>[0], now = NOW): string {
  return invalid(() => resolveRange(req, now)).message;
}

describe('calendar days in a time zone', () => {
  it('a London October has 31 days, the last Sunday 25 hours long', () => {
    const r = resolveRange({ month: '2026-10', tz: 'Europe/London' }, NOW);
    expect(new Date(r.from).toISOString()).toBe('2026-09-30T23:00:00.000Z');
    const days = calendarDays(r);
    expect(days).toHaveLength(31);
    const lengths = days.map((d) => (d.end - d.start) / HOUR);
    expect(lengths.filter((h) => h !== 24)).toEqual([25]);
    expect(days[24]).toMatchObject({ date: '2026-10-25', start: Date.parse('2026-10-24T23:00:00Z'), end: Date.parse('2026-10-26T00:00:00Z') });
  });

  it('a London March has a 23-hour day', () => {
    const days = calendarDays(resolveRange({ month: '2026-03', tz: 'Europe/London' }, NOW));
    expect(days.find((d) => d.end - d.start === 23 * HOUR)?.date).toBe('2026-03-29');
  });

  it('where midnight does not exist, the day starts at the first local time that does', () => {
    // Cuba springs forward at 00:00 on 8 March 2026: the day starts at 01:00 CDT.
    const start = zonedMidnight('2026-03-08', 'America/Havana');
    expect(new Date(start).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(localDate(start - 1, 'America/Havana')).toBe('2026-03-07');
  });

  it('clips the first and last day to the range', () => {
    const days = calendarDays({ from: Date.parse('2026-10-01T12:00:00Z'), to: Date.parse('2026-10-03T06:00:00Z'), tz: 'UTC' });
    expect(days.map((d) => [d.date, (d.end - d.start) / HOUR])).toEqual([
      ['2026-10-01', 12],
      ['2026-10-02', 24],
      ['2026-10-03', 6],
    ]);
  });
});

describe('resolveRange', () => {
  it('takes an RFC3339 offset whose + a URL decoded to a space', () => {
    const r = resolveRange({ from: '2026-10-01T00:00:00 01:00', to: '2026-10-02 00:00:00 01:00' }, NOW);
    expect([new Date(r.from).toISOString(), new Date(r.to).toISOString()]).toEqual(['2026-09-30T23:00:00.000Z', '2026-10-01T23:00:00.000Z']);
    expect(resolveRange({ from: '2026-10-01T00:00:00.5 05:30', to: '2026-10-02T00:00:00-04:00' }, NOW).from).toBe(Date.parse('2026-09-30T18:30:00.500Z'));
    expect(invalid(() => resolveRange({ from: '2026-10-01T00:00:00 0100' }, NOW)).param).toBe('from');
  });

  it('takes any spelling of a zone without keeping a formatter per spelling (tz= is unauthenticated input)', () => {
    // Every case variant used to be a new Intl.DateTimeFormat cached for good: 50,000 of them, 1.3 GB.
    const name = 'America/Argentina/ComodRivadavia';
    const variant = (n: number) => {
      let bit = 0; // bit b of n flips the case of the b-th letter
      return [...name].map((c) => (/[a-z]/i.test(c) && (n >> bit++) & 1 ? (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) : c)).join('');
    };
    const expected = resolveRange({ month: '2026-10', tz: name }, NOW);
    for (let n = 0; n < 3000; n++) expect(resolveRange({ month: '2026-10', tz: variant(n) }, NOW).from).toBe(expected.from);
    expect(new Set(Array.from({ length: 3000 }, (_, n) => variant(n))).size).toBe(3000);
    const size = zonedFormatterCacheSize();
    expect(size.spellings).toBeLessThanOrEqual(SPELLINGS_MAX);
    expect(size.zones).toBeLessThanOrEqual(ZONES_MAX);
  });

  it('names the zone as the tz database spells it, not as typed: the report is computed in that zone', () => {
    const tz = (given: string) => resolveRange({ month: '2026-10', tz: given }, NOW).tz;
    expect([tz('europe/london'), tz('EUROPE/LONDON'), tz('Europe/London'), tz('utc'), tz('')]).toEqual(['Europe/London', 'Europe/London', 'Europe/London', 'UTC', 'UTC']);
    // The current IANA name, never the older one this runtime's ICU resolves it to (Asia/Calcutta).
    expect([tz('asia/kolkata'), tz('Asia/Kolkata'), tz('europe/kyiv'), tz('etc/gmt+5')]).toEqual(['Asia/Kolkata', 'Asia/Kolkata', 'Europe/Kyiv', 'Etc/GMT+5']);
    expect(resolveRange({ month: '2026-10', tz: 'europe/london' }, NOW).from).toBe(Date.parse('2026-09-30T23:00:00Z'));
  });

  it('refuses an RFC3339 timestamp whose date or time does not exist, instead of moving it on', () => {
    // Date.parse takes 2026-02-30 as 2 March and 24:00 as the next day; the date-only form was already refused.
    const cases: Array<[Parameters<typeof resolveRange>[0], string, string]> = [
      [{ from: '2026-02-30T00:00:00Z', to: '2026-03-31T00:00:00Z' }, 'from', '2026-02-30'],
      [{ from: '2026-02-29T00:00:00Z' }, 'from', '2026-02-29'],
      [{ from: '2026-04-01T00:00:00Z', to: '2026-04-31T12:00:00+01:00' }, 'to', '2026-04-31'],
      [{ from: '2026-04-01 00:00:00 01:00', to: '2026-06-31 00:00:00 01:00' }, 'to', '2026-06-31'],
      [{ from: '2026-10-01T24:00:00Z' }, 'from', 'no such time'],
      [{ from: '2026-10-01T00:00:00+24:00' }, 'from', 'no such time'],
    ];
    for (const [req, param, text] of cases) {
      const err = invalid(() => resolveRange(req, NOW));
      expect(err.param, JSON.stringify(req)).toBe(param);
      expect(err.message, JSON.stringify(req)).toContain(`${param}: `);
      expect(err.message, JSON.stringify(req)).toContain(text);
    }
    // Real dates still pass: a leap day, the last of a 30-day month, 23:59:59.
    expect(resolveRange({ from: '2024-02-29T00:00:00Z', to: '2024-03-01T00:00:00Z' }, NOW).from).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(resolveRange({ from: '2026-04-30T23:59:59-01:00', to: '2026-05-02T00:00:00Z' }, NOW).from).toBe(Date.parse('2026-05-01T00:59:59Z'));
  });

  it('a date that does not exist says why, in either form, not "neither an RFC3339 timestamp nor a date"', () => {
    expect(message({ from: '2026-09-01', to: '2026-09-31' })).toBe('to: "2026-09-31" is not a date: September has 30 days');
    expect(message({ from: '2026-02-29' })).toBe('from: "2026-02-29" is not a date: February 2026 has 28 days');
    expect(message({ from: '2026-13-01' })).toBe('from: "2026-13-01" is not a date: there is no month 13 (months go from 01 to 12)');
    expect(message({ from: '2026-10-00' })).toBe('from: "2026-10-00" is not a date: days start at 01');
    expect(message({ from: '2026-09-31T00:00:00Z' })).toBe('from: "2026-09-31T00:00:00Z" has no such date: September has 30 days');
    // Still named alongside the others, in order.
    expect(message({ to: '2026-04-31', from: 'x' })).toBe('from: "x" is neither an RFC3339 timestamp (2026-10-01T00:00:00Z) nor a date (2026-10-01); to: "2026-04-31" is not a date: April has 30 days');
    expect(resolveRange({ from: '2024-02-29', to: '2024-03-01' }, NOW).from).toBe(Date.parse('2024-02-29T00:00:00Z'));
  });

  it('a month that does not exist says why (months run 01 to 12); a value of another form is shown the form', () => {
    expect(message({ month: '2026-13' })).toBe('month: "2026-13" is not a month: months run 01 to 12');
    expect(message({ month: '2026-00' })).toBe('month: "2026-00" is not a month: months run 01 to 12');
    expect(message({ month: '2026-1' })).toBe('month: "2026-1" is not a month such as 2026-10');
    expect(message({ month: 'october' })).toBe('month: "october" is not a month such as 2026-10');
    expect(resolveRange({ month: '2026-01' }, NOW).from).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(resolveRange({ month: '2025-12' }, NOW).from).toBe(Date.parse('2025-12-01T00:00:00Z'));
  });

  it('a year 0000 says why, as other months and dates do; years 0001 to 0099 are years like any other', () => {
    // It said "is not a month such as 2026-10", as if the form were wrong, and a date of it
    // "neither an RFC3339 timestamp nor a date" (or February 0000 "has 29 days").
    expect(message({ month: '0000-01' })).toBe('month: "0000-01" is not a month: years start at 0001');
    expect(message({ from: '0000-01-01' })).toBe('from: "0000-01-01" is not a date: years start at 0001');
    expect(message({ to: '0000-02-30' })).toBe('to: "0000-02-30" is not a date: years start at 0001');
    expect(message({ from: '0000-01-01T00:00:00Z' })).toBe('from: "0000-01-01T00:00:00Z" has no such date: years start at 0001');
    // Date.UTC reads years 0-99 as 1900-1999: such a month was refused as no month, unlike 0100.
    const early = resolveRange({ month: '0050-02' }, NOW);
    expect([new Date(early.from).toISOString(), new Date(early.to).toISOString()]).toEqual(['0050-02-01T00:00:00.000Z', '0050-03-01T00:00:00.000Z']);
    expect(calendarDays(early)).toHaveLength(28);
    expect(new Date(resolveRange({ from: '0099-12-31', to: '0100-01-02', tz: 'Europe/London' }, NOW).from).toISOString()).toBe('0099-12-31T00:01:15.000Z');
    // Shown as written, as the JSON's dates are: the page's range line said "50-02-01".
    expect(formatLocalTime(new Date(early.from).toISOString(), 'UTC')).toBe('0050-02-01 00:00:00 UTC');
  });

  it('an instant before 0001-01-01T00:00Z, or in the year 0000 in the zone, says years start at 0001, for every form', () => {
    // 0001-01-01 00:30 at +01:00 is 23:30 UTC on the last day of 1 BC: it was taken, and shown as 0001-12-31.
    expect(message({ from: '0001-01-01T00:30:00+01:00', to: '0001-01-02' })).toBe('from: "0001-01-01T00:30:00+01:00" is 0000-12-31T23:30:00Z: years start at 0001');
    expect(message({ from: '0001-01-01T00:30:00 01:00', to: '0001-01-02' })).toBe('from: "0001-01-01T00:30:00 01:00" is 0000-12-31T23:30:00Z: years start at 0001');
    expect(message({ from: '0001-01-01', to: '0001-01-01T00:00:00+00:01' })).toBe('to: "0001-01-01T00:00:00+00:01" is 0000-12-31T23:59:00Z: years start at 0001');
    // A date's midnight east of UTC (Tokyo's local mean time was +9:18:59) is in 1 BC too.
    expect(message({ from: '0001-01-01', tz: 'Asia/Tokyo' })).toBe('from: "0001-01-01" is 0000-12-31T14:41:01Z (midnight in Asia/Tokyo): years start at 0001');
    expect(message({ month: '0001-01', tz: 'Asia/Tokyo' })).toBe('month: "0001-01" starts at 0000-12-31T14:41:01Z (midnight in Asia/Tokyo): years start at 0001');
    // West of UTC, the first instant of the year 0001 is still 1 BC on the zone's clock, where the report's days are counted.
    expect(message({ from: '0001-01-01T00:00:00Z', tz: 'America/New_York' })).toBe('from: "0001-01-01T00:00:00Z" is 0000-12-31 19:03:58 GMT-4:56:02 in America/New_York: years start at 0001');
    // The first instant of the year 0001 itself, and its first midnight west of UTC, are taken.
    expect(resolveRange({ from: '0001-01-01T00:00:00Z', to: '0001-01-02' }, NOW).from).toBe(Date.parse('0001-01-01T00:00:00Z'));
    const west = resolveRange({ month: '0001-01', tz: 'America/New_York' }, NOW);
    expect(new Date(west.from).toISOString()).toBe('0001-01-01T04:56:02.000Z');
    expect(calendarDays(west)[0]!.date).toBe('0001-01-01');
    // 1 BC is shown as the year 0000 (Intl names it 1, of the era BC), and its offsets are a day's, not a year's.
    expect(formatLocalTime('0000-12-31T23:30:00Z', 'UTC')).toBe('0000-12-31 23:30:00 UTC');
    expect(tzOffsetMs(Date.parse('0000-12-31T23:30:00Z'), 'UTC')).toBe(0);
    expect(localDate(Date.parse('0000-12-31T23:30:00Z'), 'UTC')).toBe('0000-12-31');
  });

  it('a start derived near the year 0001 (30 days before to, a period\'s first day) says years start at 0001; past 9999 is the future', () => {
    // to alone reports the 30 days before it: within 30 days of the year 0001 they began in 1 BC,
    // and zonedMidnight threw a plain Error ("not a date: 0000-12-16"), a 500 and a CLI crash.
    expect(message({ to: '0001-01-15' })).toBe('to: "0001-01-15" alone reports the 30 days before it, from 0000-12-16T00:00:00Z (midnight in UTC): years start at 0001; give from as well');
    expect(message({ to: '0001-01-02', tz: 'Asia/Tokyo' })).toBe('to: "0001-01-02" alone reports the 30 days before it, from 0000-12-02T14:41:01Z (midnight in Asia/Tokyo): years start at 0001; give from as well');
    // The 30th day before is 0001-01-01, whose midnight in Tokyo is still 1 BC in UTC.
    expect(message({ to: '0001-01-31', tz: 'Asia/Tokyo' })).toBe('to: "0001-01-31" alone reports the 30 days before it, from 0000-12-31T14:41:01Z (midnight in Asia/Tokyo): years start at 0001; give from as well');
    expect(invalid(() => resolveRange({ to: '0001-01-15' }, NOW)).naming((p) => `--${p}`)).toBe('--to: "0001-01-15" alone reports the 30 days before it, from 0000-12-16T00:00:00Z (midnight in UTC): years start at 0001; give --from as well');
    // 30 days after the first day, the start is the first midnight of the year 0001.
    expect(new Date(resolveRange({ to: '0001-01-31' }, NOW).from).toISOString()).toBe('0001-01-01T00:00:00.000Z');
    // A period or the default range, relative to a now early in the year 0001 (only a test's now).
    const early = Date.parse('0001-01-05T12:00:00Z');
    expect(message({ period: 'previous-week' }, early)).toBe('period: "previous-week" starts at 0000-12-25T00:00:00Z (midnight in UTC): years start at 0001');
    expect(message({ period: 'previous-month' }, early)).toBe('period: "previous-month" starts at 0000-12-01T00:00:00Z (midnight in UTC): years start at 0001');
    expect(message({}, early)).toBe('from: not given, the report covers the 30 days before today, from 0000-12-06T00:00:00Z (midnight in UTC): years start at 0001');
    // A day after the year 9999 in the zone (to alone, a month's end): the future, not a plain Error ("not a date: 10000-01-01").
    const future = 'the report would start now or in the future: there is nothing to report yet';
    expect(message({ to: '9999-12-31T23:59:59-12:00' })).toBe(`from: ${future}`);
    expect(message({ to: '9999-12-31T12:00:00Z', tz: 'Pacific/Kiritimati' })).toBe(`from: ${future}`);
    expect(message({ month: '9999-12' })).toBe(`month: ${future}`);
  });

  it('period and month mixed with other range options: every problem in one message, in the order from, to, tz, period, month', () => {
    const err = (req: Parameters<typeof resolveRange>[0]) => invalid(() => resolveRange(req, NOW));
    const neither = (v: string) => `"${v}" is neither an RFC3339 timestamp (2026-10-01T00:00:00Z) nor a date (2026-10-01)`;
    // A combination alone was named first and alone: the bad from and tz beside it were left for the next try.
    expect(err({ period: 'quarter', from: 'x', tz: 'Mars/Olympus' })).toMatchObject({
      param: 'from',
      message: `from: ${neither('x')}; tz: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/London); period: cannot be combined with from`,
    });
    // A bad period value and its combination: one entry for the parameter.
    expect(err({ period: 'fortnight', to: '2026-10-01' }).message).toBe(`period: "fortnight" is not one of ${REPORT_PERIOD_NAMES.join(', ')}, and cannot be combined with to`);
    // Both period and month: the combination is named once, on the first; a bad month value still named.
    expect(err({ period: 'quarter', month: '2026-13' }).message).toBe('period: cannot be combined with month; month: "2026-13" is not a month: months run 01 to 12');
    expect(err({ month: '2026-13', tz: 'Mars/Olympus' })).toMatchObject({ param: 'tz', message: 'tz: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/London); month: "2026-13" is not a month: months run 01 to 12' });
    // One problem alone reads as before.
    expect(err({ month: '2026-10', from: '2026-10-01', to: '2026-10-05' })).toMatchObject({ param: 'month', message: 'month: cannot be combined with from, to' });
  });

  it('defaults to the last 30 full days in the zone', () => {
    const r = resolveRange({ tz: 'Europe/London' }, NOW);
    expect(new Date(r.from).toISOString()).toBe('2026-10-28T00:00:00.000Z');
    expect(new Date(r.to).toISOString()).toBe('2026-11-27T00:00:00.000Z');
    expect(calendarDays(r)).toHaveLength(30);
  });

  it('takes dates as midnight in tz and RFC3339 as given', () => {
    const r = resolveRange({ from: '2026-10-01', to: '2026-10-02T06:30:00+02:00', tz: 'Europe/London' }, NOW);
    expect(new Date(r.from).toISOString()).toBe('2026-09-30T23:00:00.000Z');
    expect(new Date(r.to).toISOString()).toBe('2026-10-02T04:30:00.000Z');
  });

  it('named periods are relative to now, in the zone', () => {
    const iso = (p: (typeof REPORT_PERIOD_NAMES)[number], tz = 'UTC') => {
      const r = periodRange(p, NOW, tz);
      return [new Date(r.from).toISOString(), new Date(r.to).toISOString()];
    };
    expect(iso('previous-day')).toEqual(['2026-11-26T00:00:00.000Z', '2026-11-27T00:00:00.000Z']);
    expect(iso('previous-week')).toEqual(['2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z']);
    expect(iso('previous-month', 'Europe/London')).toEqual(['2026-09-30T23:00:00.000Z', '2026-11-01T00:00:00.000Z']);
    expect(iso('month-to-date')).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-27T17:42:00.000Z']);
    expect(iso('quarter')).toEqual(['2026-10-01T00:00:00.000Z', '2026-11-27T17:42:00.000Z']);
    expect(iso('previous-quarter')).toEqual(['2026-07-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z']);
    // January: the previous month and quarter are in the year before.
    const jan = Date.parse('2027-01-01T09:00:00Z');
    expect(new Date(periodRange('previous-month', jan, 'UTC').from).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(new Date(periodRange('previous-quarter', jan, 'UTC').from).toISOString()).toBe('2026-10-01T00:00:00.000Z');
  });

  it('clips the end to now', () => {
    expect(resolveRange({ from: '2026-11-01', to: '2027-01-01' }, NOW).to).toBe(NOW);
  });

  it('names the parameter at fault', () => {
    expect(invalid(() => resolveRange({ tz: 'Mars/Olympus' }, NOW))).toMatchObject({ kind: 'invalid', param: 'tz' });
    expect(invalid(() => resolveRange({ from: 'yesterday' }, NOW))).toMatchObject({ param: 'from' });
    expect(invalid(() => resolveRange({ from: '2026-02-30' }, NOW))).toMatchObject({ param: 'from' });
    expect(invalid(() => resolveRange({ to: '2026-10-01T00:00' }, NOW))).toMatchObject({ param: 'to' });
    expect(invalid(() => resolveRange({ from: '2026-10-02', to: '2026-10-01' }, NOW)).message).toMatch(/before to/);
    expect(invalid(() => resolveRange({ month: '2026-13' }, NOW))).toMatchObject({ param: 'month' });
    expect(invalid(() => resolveRange({ period: 'fortnight' }, NOW))).toMatchObject({ param: 'period' });
    expect(invalid(() => resolveRange({ period: 'previous-month', from: '2026-10-01' }, NOW))).toMatchObject({ param: 'period' });
    expect(invalid(() => resolveRange({ from: '2020-01-01' }, NOW)).message).toMatch(/longer than/);
    expect(invalid(() => resolveRange({ from: '2027-01-01' }, NOW)).message).toMatch(/future/);
  });

  it('the routes schema accepts exactly the periods reports understand', () => {
    expect([...REPORT_PERIODS]).toEqual([...REPORT_PERIOD_NAMES]);
  });

  it('addMonths crosses year ends', () => {
    expect(addMonths('2026-11-30', 2)).toBe('2027-01-01');
    expect(addMonths('2026-01-31', -1)).toBe('2025-12-01');
  });
});
