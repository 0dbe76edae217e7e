import { describe, expect, it } from 'vitest';
import { lastFiring, nextFiring, openWindowStart, parseCron } from './cron.js';

describe('parseCron', () => {
  it.each([
    ['0 22 * * 2', '2026-11-24T22:00:00Z', true],
    ['0 22 * * 2', '2026-11-24T22:01:00Z', false],
    ['0 22 * * tue', '2026-11-24T22:00:00Z', true],
    ['*/15 9-17 * * mon-fri', '2026-11-27T09:45:00Z', true],
    ['*/15 9-17 * * mon-fri', '2026-11-28T09:45:00Z', false],
    ['0 0 1 jan,jul *', '2026-07-01T00:00:00Z', true],
    ['0 9 1 * 1', '2026-06-01T09:00:00Z', true], // a Monday (and the 1st)
    ['0 9 1 * 1', '2026-06-08T09:00:00Z', true], // a Monday: dom OR dow
    ['0 9 1 * 1', '2026-06-09T09:00:00Z', false],
    ['0 0 * * 7', '2026-11-29T00:00:00Z', true], // 7 = Sunday
  ])('%s at %s → %s', (expr, at, expected) => {
    expect(parseCron(expr).matches(new Date(at))).toBe(expected);
  });

  it('evaluates in the given timezone, across daylight saving', () => {
    const london = parseCron('0 22 * * *', 'Europe/London');
    expect(london.matches(new Date('2026-07-01T21:00:00Z'))).toBe(true); // BST
    expect(london.matches(new Date('2026-12-01T22:00:00Z'))).toBe(true); // GMT
  });

  it('rejects bad expressions with a reason', () => {
    expect(() => parseCron('0 25 * * *')).toThrow(/not in 0-23/);
    expect(() => parseCron('0 22 * *')).toThrow(/5 fields/);
    expect(() => parseCron('0 22 * * *', 'Mars/Olympus')).toThrow();
    // A leading seconds field (node-cron's) names one second, or it would fire more than once a minute.
    expect(parseCron('0 0 9 1 * *').matches(new Date('2026-06-01T09:00:00Z'))).toBe(true);
    expect(() => parseCron('*/10 * * * * *')).toThrow('cron: the seconds field must be one second (schedules run at most once a minute), got "*/10"');
    expect(() => parseCron('61 0 9 1 * *')).toThrow(/not in 0-59/);
  });

  it('takes decimal numbers only: an empty, hexadecimal, exponent or signed number is refused, not read as 0 or 30', () => {
    expect(() => parseCron('0,,30 9 * * *')).toThrow('cron: a number is missing in "0,,30"');
    expect(() => parseCron('5- 9 * * *')).toThrow('cron: a number is missing in "5-"');
    expect(() => parseCron('-5 9 * * *')).toThrow('cron: a number is missing in "-5"');
    expect(() => parseCron('0x1e 9 * * *')).toThrow('cron: "0x1e" is not a number');
    expect(() => parseCron('1e1 9 * * *')).toThrow('cron: "1e1" is not a number');
    expect(() => parseCron('*/0x2 9 * * *')).toThrow('cron: bad step in "*/0x2"');
    expect(() => parseCron('*/ 9 * * *')).toThrow('cron: bad step in "*/"');
    expect(parseCron('05 09 * * *').matches(new Date('2026-06-01T09:05:00Z'))).toBe(true);
  });

  it('refuses a schedule that can never fire: a backwards range, a day no month it names has', () => {
    expect(() => parseCron('0 22 * * fri-mon')).toThrow('cron: the range "fri-mon" runs backwards (nothing would match it)');
    expect(() => parseCron('30-5 * * * *')).toThrow('runs backwards');
    expect(() => parseCron('0 0 30 2 *')).toThrow('cron: "0 0 30 2 *" never fires (no month it names has day 30)');
    expect(() => parseCron('0 0 31 4,6,9,11 *')).toThrow('never fires');
    // Possible somewhere: 31 in one of the months, 29 February, or any Monday (day fields OR-ed).
    expect(() => parseCron('0 0 31 4,5 *')).not.toThrow();
    expect(() => parseCron('0 0 29 2 *')).not.toThrow();
    expect(parseCron('0 0 30 2 1').matches(new Date('2026-02-02T00:00:00Z'))).toBe(true);
  });

  it('combines the day fields as cronie does: a field starting with * (a step too) makes both required', () => {
    // 2 June 2026 is a Tuesday (an even day); 1 June a Monday (odd).
    const everyOtherDayOnMondays = parseCron('0 9 */2 * mon');
    expect(everyOtherDayOnMondays.matches(new Date('2026-06-01T09:00:00Z'))).toBe(true); // day 1, Monday
    expect(everyOtherDayOnMondays.matches(new Date('2026-06-03T09:00:00Z'))).toBe(false); // day 3, Wednesday
    expect(everyOtherDayOnMondays.matches(new Date('2026-06-08T09:00:00Z'))).toBe(false); // Monday, day 8
    const theFirstOrMondays = parseCron('0 9 1 * mon');
    expect(theFirstOrMondays.matches(new Date('2026-06-08T09:00:00Z'))).toBe(true);
  });
});

describe('openWindowStart', () => {
  it('finds the open window of a schedule and duration', () => {
    const tuesdayNight = parseCron('0 22 * * 2');
    expect(openWindowStart(tuesdayNight, 2 * 3_600_000, new Date('2026-11-24T23:30:00Z'))?.toISOString()).toBe('2026-11-24T22:00:00.000Z');
    expect(openWindowStart(tuesdayNight, 2 * 3_600_000, new Date('2026-11-25T00:00:00Z'))).toBeUndefined();
    expect(openWindowStart(tuesdayNight, 2 * 3_600_000, new Date('2026-11-24T21:59:00Z'))).toBeUndefined();
  });
});

/**
 * Daylight saving, as cronie (Vixie cron 4.1's cron.c) handles it: a fixed-time schedule whose
 * local time is skipped fires when the clocks change, and once only when its local time happens
 * twice; a schedule with `*` at the start of its minute or hour field follows the clock as it runs.
 */
describe('openWindowStart across daylight saving', () => {
  const HOUR = 3_600_000;
  const start = (s: ReturnType<typeof parseCron>, duration: number, at: string) => openWindowStart(s, duration, new Date(at))?.toISOString();

  it('Europe/London spring-forward: 01:30 does not exist, the window opens when the clocks change (02:00 BST)', () => {
    const sunday = parseCron('30 1 * * 0', 'Europe/London');
    expect(start(sunday, 2 * HOUR, '2026-03-22T02:00:00Z')).toBe('2026-03-22T01:30:00.000Z'); // an ordinary Sunday (GMT)
    expect(start(sunday, 2 * HOUR, '2026-03-29T00:59:00Z')).toBeUndefined(); // 00:59 GMT
    expect(start(sunday, 2 * HOUR, '2026-03-29T01:00:00Z')).toBe('2026-03-29T01:00:00.000Z'); // 02:00 BST
    expect(start(sunday, 2 * HOUR, '2026-03-29T02:59:00Z')).toBe('2026-03-29T01:00:00.000Z');
    expect(start(sunday, 2 * HOUR, '2026-03-29T03:00:00Z')).toBeUndefined(); // 2h later
    expect(start(sunday, 2 * HOUR, '2026-04-05T01:00:00Z')).toBe('2026-04-05T00:30:00.000Z'); // the next Sunday (BST)
  });

  it('Europe/London fall-back: 01:30 happens twice, the window opens once, at the first (01:30 BST)', () => {
    const sunday = parseCron('30 1 * * 0', 'Europe/London');
    expect(start(sunday, 2 * HOUR, '2026-10-25T00:30:00Z')).toBe('2026-10-25T00:30:00.000Z'); // 01:30 BST
    expect(start(sunday, 2 * HOUR, '2026-10-25T01:45:00Z')).toBe('2026-10-25T00:30:00.000Z'); // 01:45 GMT: not reopened at 01:30 GMT
    expect(start(sunday, 2 * HOUR, '2026-10-25T02:30:00Z')).toBeUndefined(); // 2h after the first 01:30
    expect(start(sunday, 2 * HOUR, '2026-11-01T02:00:00Z')).toBe('2026-11-01T01:30:00.000Z'); // the next Sunday (GMT)
  });

  it('Australia/Lord_Howe (a 30-minute change, southern hemisphere): skipped 02:15 fires at 02:30, repeated 01:45 once', () => {
    // Spring-forward on Sunday 2026-10-04: 02:00 +10:30 (15:30Z) becomes 02:30 +11:00.
    const quarterPastTwo = parseCron('15 2 * * *', 'Australia/Lord_Howe');
    expect(start(quarterPastTwo, HOUR, '2026-10-02T16:00:00Z')).toBe('2026-10-02T15:45:00.000Z'); // the day before, +10:30
    expect(start(quarterPastTwo, HOUR, '2026-10-03T15:30:00Z')).toBe('2026-10-03T15:30:00.000Z'); // 02:30 +11:00
    expect(start(quarterPastTwo, HOUR, '2026-10-03T16:29:00Z')).toBe('2026-10-03T15:30:00.000Z');
    expect(start(quarterPastTwo, HOUR, '2026-10-03T16:30:00Z')).toBeUndefined();
    expect(start(quarterPastTwo, HOUR, '2026-10-04T15:15:00Z')).toBe('2026-10-04T15:15:00.000Z'); // the day after, +11:00
    // Fall-back on Sunday 2026-04-05: 02:00 +11:00 (15:00Z) becomes 01:30 +10:30, so 01:45 is at 14:45Z and 15:15Z.
    const quarterToTwo = parseCron('45 1 * * *', 'Australia/Lord_Howe');
    expect(start(quarterToTwo, HOUR, '2026-04-04T14:45:00Z')).toBe('2026-04-04T14:45:00.000Z');
    expect(start(quarterToTwo, HOUR, '2026-04-04T15:20:00Z')).toBe('2026-04-04T14:45:00.000Z');
    expect(start(quarterToTwo, HOUR, '2026-04-04T15:50:00Z')).toBeUndefined();
  });

  it('a window longer than a day finds its last start, not an earlier one', () => {
    const daily = parseCron('0 22 * * *', 'Europe/London');
    expect(start(daily, 3 * 24 * HOUR, '2026-11-26T10:00:00Z')).toBe('2026-11-25T22:00:00.000Z');
    expect(start(parseCron('0 22 1 * *'), 40 * 24 * HOUR, '2026-12-31T10:00:00Z')).toBe('2026-12-01T22:00:00.000Z');
  });
});

describe('matches across daylight saving', () => {
  const london = (expr: string) => parseCron(expr, 'Europe/London');

  it('a fixed time in the skipped hour matches the first minute after it; a wildcard minute or hour is not caught up', () => {
    expect(london('0 1 * * *').matches(new Date('2026-03-29T01:00:00Z'))).toBe(true); // 02:00 BST
    expect(london('59 1 * * *').matches(new Date('2026-03-29T01:00:00Z'))).toBe(true);
    expect(london('0 2 * * *').matches(new Date('2026-03-29T01:00:00Z'))).toBe(true); // 02:00 exists
    expect(london('0 1 * * *').matches(new Date('2026-03-29T01:01:00Z'))).toBe(false);
    expect(london('*/15 1 * * *').matches(new Date('2026-03-29T01:00:00Z'))).toBe(false);
    expect(london('0 * * * *').matches(new Date('2026-03-29T00:00:00Z'))).toBe(true); // 00:00 GMT
    expect(london('0 * * * *').matches(new Date('2026-03-29T01:00:00Z'))).toBe(true); // 02:00 BST
  });

  it('a fixed time in the repeated hour matches its first occurrence only; a wildcard minute or hour matches both', () => {
    expect(london('0 1 * * *').matches(new Date('2026-10-25T00:00:00Z'))).toBe(true); // 01:00 BST
    expect(london('0 1 * * *').matches(new Date('2026-10-25T01:00:00Z'))).toBe(false); // 01:00 GMT
    expect(london('0 * * * *').matches(new Date('2026-10-25T00:00:00Z'))).toBe(true);
    expect(london('0 * * * *').matches(new Date('2026-10-25T01:00:00Z'))).toBe(true);
    expect(london('*/30 1 * * *').matches(new Date('2026-10-25T01:30:00Z'))).toBe(true);
  });
});

describe('nextFiring and lastFiring (the report scheduler)', () => {
  const DAY = 86_400_000;
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const next = (expr: string, tz: string, after: string, horizonDays = 3660) => iso(nextFiring(parseCron(expr, tz), Date.parse(after), horizonDays * DAY));
  const last = (expr: string, tz: string, before: string, backDays = 400) => iso(lastFiring(parseCron(expr, tz), Date.parse(before), Date.parse(before) - backDays * DAY));

  it('finds the next firing strictly after a time, across daylight saving as cronie', () => {
    expect(next('* * * * *', 'UTC', '2026-11-02T10:00:00Z')).toBe('2026-11-02T10:01:00.000Z');
    expect(next('30 1 * * 0', 'Europe/London', '2026-03-28T12:00:00Z')).toBe('2026-03-29T01:00:00.000Z'); // 02:00 BST
    expect(next('30 2 * * *', 'Europe/Berlin', '2026-03-28T01:30:00Z')).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    expect(next('30 1 * * *', 'Europe/London', '2026-10-25T00:30:00Z')).toBe('2026-10-26T01:30:00.000Z'); // not 01:30 GMT again
    expect(next('0 9 1 * *', 'Europe/London', '2026-11-01T09:00:00Z')).toBe('2026-12-01T09:00:00.000Z');
    expect(next('0 0 29 2 *', 'UTC', '2028-03-01T00:00:00Z')).toBe('2032-02-29T00:00:00.000Z');
  });

  it('gives up after the horizon (a schedule that never fires)', () => {
    expect(next('0 0 29 2 *', 'UTC', '2028-03-01T00:00:00Z', 1000)).toBeUndefined(); // the next is in 2032
    expect(next('0 9 1 1 *', 'UTC', '2026-06-01T00:00:00Z', 100)).toBeUndefined();
  });

  it('finds the last firing before a time (exclusive), not before the bound', () => {
    expect(last('0 9 1 * *', 'Europe/London', '2026-11-01T09:00:00Z')).toBe('2026-10-01T08:00:00.000Z'); // 09:00 BST
    expect(last('0 9 1 * *', 'Europe/London', '2026-11-01T09:00:01Z')).toBe('2026-11-01T09:00:00.000Z');
    expect(last('30 1 * * 0', 'Europe/London', '2026-03-29T12:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
    expect(last('* * * * *', 'UTC', '2026-11-02T10:00:30Z')).toBe('2026-11-02T10:00:00.000Z');
    expect(last('0 9 1 * *', 'UTC', '2026-11-01T09:00:00Z', 20)).toBeUndefined();
  });
});
