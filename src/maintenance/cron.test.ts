import { describe, expect, it } from 'vitest';
import { openWindowStart, parseCron } from './cron.js';

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
