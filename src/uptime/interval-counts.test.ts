import { describe, expect, it } from 'vitest';
import { intervalFromCounts } from './interval-counts.js';

const HOUR = 3_600_000;
const MIN = 60_000;

/** Samples per hour of a probe every `intervalMs` from `phaseMs`, over `hours` hours, less those in `missing` (hour, count). */
function hourlyCounts(intervalMs: number, hours: number, phaseMs = 0, missing: Record<number, number> = {}): Array<number | undefined> {
  const counts: number[] = Array.from({ length: hours }, () => 0);
  for (let t = phaseMs; t < hours * HOUR; t += intervalMs) counts[Math.floor(t / HOUR)]! += 1;
  return counts.map((c, h) => c - (missing[h] ?? 0)).map((c) => (c > 0 ? c : undefined));
}

describe('the interval from counts per hour (downsampled data keeps no sample times)', () => {
  it('an interval that divides the hour is the hour over its count, as before', () => {
    for (const ms of [15_000, 30_000, MIN, 5 * MIN, 20 * MIN]) expect(intervalFromCounts(hourlyCounts(ms, 22, 7_000), HOUR)).toEqual({ intervalMs: ms });
  });

  it('a probe every minute that missed a few samples stays 60 s: a gap only takes samples away', () => {
    expect(intervalFromCounts(hourlyCounts(MIN, 22, 7_000, { 3: 1, 10: 2, 15: 1 }), HOUR)).toEqual({ intervalMs: MIN });
    // A sample jitter moved across an hour's edge: one hour holds 61, the next 59.
    const jitter = hourlyCounts(MIN, 22, 7_000);
    jitter[4] = 61;
    jitter[5] = 59;
    expect(intervalFromCounts(jitter, HOUR)).toEqual({ intervalMs: MIN });
  });

  it('whole minutes that do not divide the hour are read exactly over a day, whatever the phase, also after a gap', () => {
    for (const minutes of [7, 8, 9, 11, 13, 14, 16, 17, 18, 19, 21, 22, 23, 25, 26, 27, 28, 29]) {
      for (const phase of [0, 2 * MIN + 10_000, 5 * MIN]) {
        expect(intervalFromCounts(hourlyCounts(minutes * MIN, 22, phase), HOUR), `${minutes} min, phase ${phase}`).toEqual({ intervalMs: minutes * MIN });
      }
    }
    // Two hours without samples in the middle: the longer run of hours tells it.
    const gap = hourlyCounts(11 * MIN, 22, 4 * MIN);
    gap[6] = gap[7] = undefined;
    expect(intervalFromCounts(gap, HOUR)).toEqual({ intervalMs: 11 * MIN });
  });

  it('whole seconds that do not divide the hour: exact where one second gives these counts, else approximate with its span', () => {
    expect(intervalFromCounts(hourlyCounts(70_000, 22), HOUR)).toEqual({ intervalMs: 70_000 });
    expect(intervalFromCounts(hourlyCounts(430_000, 22, 3_000), HOUR)).toEqual({ intervalMs: 430_000 });
    // Five hours tell less: 8 whole seconds from 424 s to 431 s give 9, 8, 9, 8, 8 (no whole minute does).
    const short = intervalFromCounts(hourlyCounts(430_000, 5, 3_000), HOUR)!;
    expect(short.approximate).toEqual({ lowMs: 424_000, highMs: 431_000 });
    expect(short.intervalMs).toBe(429_000);
    // Three or four hours (9, 8, 9) are also what a 7-minute probe gives, and whole minutes are
    // believed first: the shape README warns of.
    expect(intervalFromCounts(hourlyCounts(430_000, 3, 3_000), HOUR)).toEqual({ intervalMs: 420_000 });
  });

  it('a probe dividing the hour that missed samples is not read as one that does not', () => {
    // 263 samples in 22 hours: what a 301 s probe gives too, in this very pattern.
    expect(intervalFromCounts(hourlyCounts(5 * MIN, 22, 7_000, { 9: 1 }), HOUR)).toEqual({ intervalMs: 5 * MIN });
    expect(intervalFromCounts(hourlyCounts(15_000, 22, 7_000, { 2: 1, 9: 2 }), HOUR)).toEqual({ intervalMs: 15_000 });
    // 63 samples in 22 hours is also about what a 21-minute probe gives (62.9), but not in this pattern.
    expect(intervalFromCounts(hourlyCounts(20 * MIN, 22, 4 * MIN, { 3: 1, 10: 1, 15: 1 }), HOUR)).toEqual({ intervalMs: 20 * MIN });
  });

  it('a probe dividing the hour that missed a sample in a quarter of the hours or more: its interval, never an odd one read as exact', () => {
    // One sample fewer in 6 of 22 hours (every 4 hours: regular, as a flaky probe's misses need not be).
    const missing = { 1: 1, 4: 1, 8: 1, 12: 1, 16: 1, 20: 1 };
    // No whole second gives these counts: a probe that missed samples does, without a warning.
    for (const ms of [15_000, 30_000, MIN]) expect(intervalFromCounts(hourlyCounts(ms, 22, 7_000, missing), HOUR), `${ms} ms`).toEqual({ intervalMs: ms });
    // 627 s (and 1317 s) give them exactly, as a 10-minute (20-minute) probe that missed samples
    // does: the whole minute dividing the hour, and a warning with the span the counts allow.
    expect(intervalFromCounts(hourlyCounts(10 * MIN, 22, 7_000, missing), HOUR)).toEqual({ intervalMs: 10 * MIN, approximate: { lowMs: 10 * MIN, highMs: 627_000 } });
    expect(intervalFromCounts(hourlyCounts(20 * MIN, 22, 7_000, missing), HOUR)).toEqual({ intervalMs: 20 * MIN, approximate: { lowMs: 20 * MIN, highMs: 1_317_000 } });
    const five = intervalFromCounts(hourlyCounts(5 * MIN, 22, 7_000, missing), HOUR)!;
    expect(five.intervalMs).toBe(5 * MIN);
  });

  it('fewer than two samples a window tell nothing', () => {
    expect(intervalFromCounts(hourlyCounts(45 * MIN, 22), HOUR)).toBeUndefined();
    expect(intervalFromCounts([undefined, undefined], HOUR)).toBeUndefined();
  });
});
