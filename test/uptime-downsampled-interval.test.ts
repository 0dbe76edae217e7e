/**
 * The inferred interval of a probe on days read as downsampled (5m or 1h), against a real
 * Prometheus told to be read so by the resolution policy (it ignores `max_source_resolution`: its
 * counts over whole hours are those of Thanos' buckets, which keep per-bucket counts and sums, not
 * sample times). A probe whose interval does not divide the hour holds two counts an hour: the
 * median count per hour read a 7-minute probe as 400 s and an 11-minute one as 720 s, which
 * measured a day with a 2-hour gap whole (121 samples × 720 s is a day). The raw spacing read
 * that fixes it on raw days cannot run there: the interval comes from the days' raw data when the
 * range has some, else from the ratio of hours to samples, and where that cannot tell the
 * interval to the second the report says so.
 */
import { describe, expect, it } from 'vitest';
import type { UptimeSpec } from '../src/generate/model.js';
import { requireBinary } from '../src/testing/binaries.js';
import { usePlansUptime } from './support/plans-uptime.js';
import type { ProbePlan } from './support/probe-plans-prometheus.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const MIN = 60_000;
const DAY = 1440 * MIN;

// "Now" is 10-10 00:00 UTC: raw from 10-08, 5m data 10-04 to 10-07, 1h data before.
const POLICY = { rawRetentionMs: 2 * DAY, fiveMinuteRetentionMs: 6 * DAY };

/** [hh:20, hh:50) every four hours (from 00:20) of the days in [from, to). */
function everyFourHours(from: string, to: string): Array<[string, string]> {
  const gaps: Array<[string, string]> = [];
  for (let t = Date.parse(from); t < Date.parse(to); t += 240 * MIN) gaps.push([new Date(t + 20 * MIN).toISOString(), new Date(t + 50 * MIN).toISOString()]);
  return gaps;
}

const plan = (job: string, intervalMs: number, extra: Partial<ProbePlan> = {}): ProbePlan => ({ job, instance: 'x', from: '2026-09-28T00:00:00Z', to: '2026-10-10T00:00:00Z', intervalMs, offsetMs: 0, ...extra });

const PLANS: ProbePlan[] = [
  plan('seven', 7 * MIN),
  // Every 11 minutes from 09-28 00:00: on 10-05 (10 080 minutes later, 4 past a sample) at
  // 00:07 + 11k min. Without samples 06:00–08:00 on 10-05 and 10-02; down 12:00–13:00 on 10-05.
  plan('eleven', 11 * MIN, {
    gaps: [
      ['2026-10-05T06:00:00Z', '2026-10-05T08:00:00Z'],
      ['2026-10-02T06:00:00Z', '2026-10-02T08:00:00Z'],
    ],
    down: [['2026-10-05T12:00:00Z', '2026-10-05T13:00:00Z']],
  }),
  // Every 430 s (8 or 9 samples an hour, mostly 8): whole seconds, not minutes.
  plan('odd', 430_000),
  // The same, but on the 5m days without samples for half an hour every four hours: no run of
  // whole hours long enough to tell the interval to the second. The raw days, 10-08 and 10-09,
  // lack 8 hours each: the 5m days are the range's densest.
  plan('gappy', 430_000, {
    gaps: [
      ...everyFourHours('2026-10-04', '2026-10-08'),
      ['2026-10-08T04:00:00Z', '2026-10-08T12:00:00Z'],
      ['2026-10-09T04:00:00Z', '2026-10-09T12:00:00Z'],
    ],
  }),
  // Every minute, one sample missing on 10-05 (its hour holds 59): the interval divides the hour.
  plan('sixty', MIN, { offsetMs: 7_000, gaps: [['2026-10-05T10:30:00Z', '2026-10-05T10:31:00Z']] }),
];

const spec = (service: string): UptimeSpec => ({ service, up: `probe_success{job="${service}"}`, objective: 99 });
const SPECS = PLANS.map((p) => spec(p.job));

const { report, warnings } = usePlansUptime({ promtool, prometheus }, PLANS, SPECS, { policy: POLICY });

describe.skipIf(!promtool || !prometheus)('the interval of a probe on downsampled days (real Prometheus read as 5m/1h)', () => {
  it('5m days: a probe every 7 minutes is 420 s', async () => {
    const seven = await report('2026-10-04', '2026-10-08', 'seven');
    expect({ interval: seven.intervalSeconds, noData: seven.noDataSeconds }).toEqual({ interval: 420, noData: 0 });
    expect(await warnings('2026-10-04', '2026-10-08')).not.toContainEqual(expect.stringContaining('"seven"'));
  });

  it('5m days: a probe every 11 minutes is 660 s, so a 2-hour gap is no data and the downtime is of the measured time', async () => {
    const eleven = await report('2026-10-05', '2026-10-06', 'eleven');
    // Samples at 05:59 and 08:00, none between: in 900 s slots (three 5m buckets, the fewest that
    // hold 660 s), the eight of 06:00–08:00 are empty. Read as 720 s, the day's 121 samples made
    // a whole day (121 × 720 s) and the gap was measured.
    expect({ interval: eleven.intervalSeconds, noData: eleven.noDataSeconds }).toEqual({ interval: 660, noData: 7200 });
    // 121 samples (131 less the 10 of the gap), 6 down (12:02 … 12:57): 79 200 × 6 / 121.
    expect(eleven.downSeconds).toBe(3927.273);
  });

  it('1h days: 7 minutes is 420 s, 11 minutes 660 s, and a 2-hour gap is no data', async () => {
    const eleven = await report('2026-10-02', '2026-10-03', 'eleven');
    expect({ interval: eleven.intervalSeconds, noData: eleven.noDataSeconds }).toEqual({ interval: 660, noData: 7200 });
    const seven = await report('2026-09-29', '2026-10-04', 'seven');
    expect(seven.intervalSeconds).toBe(420);
  });

  it('a probe every minute that missed a sample stays 60 s, without a warning', async () => {
    const sixty = await report('2026-10-04', '2026-10-08', 'sixty');
    expect({ interval: sixty.intervalSeconds, noData: sixty.noDataSeconds }).toEqual({ interval: 60, noData: 60 });
    expect(await warnings('2026-10-04', '2026-10-08')).not.toContainEqual(expect.stringContaining('"sixty"'));
  });

  it('430 s on 5m days: the ratio of hours to samples allows a few whole seconds, and only one gives these counts', async () => {
    const odd = await report('2026-10-04', '2026-10-08', 'odd');
    expect(odd.intervalSeconds).toBe(430);
    expect(await warnings('2026-10-04', '2026-10-08')).not.toContainEqual(expect.stringContaining('"odd"'));
  });

  it('430 s on 5m days with a gap every four hours: read to within a few seconds, and the report says to set interval:', async () => {
    const gappy = await report('2026-10-04', '2026-10-08', 'gappy');
    expect(Math.abs(gappy.intervalSeconds - 430)).toBeLessThanOrEqual(30);
    const said = (await warnings('2026-10-04', '2026-10-08')).filter((w) => w.includes('"gappy"'));
    expect(said).toHaveLength(1);
    // Neither "does not divide the hour" (counts a 10-minute probe that missed samples gives warn
    // too) nor "no raw data left" (a raw day under 3 hours is not read): what is known.
    expect(said[0]).toMatch(/cannot be told to the second from the sample counts of Thanos' 5m buckets.*no day of raw data of 3 hours or more.*within \d+ s–\d+ s.*set `interval:`/);
    expect(said[0]).not.toMatch(/does not divide|no raw data left/);
  });

  it('a short range on 5m days, its sixths no whole buckets (100 minutes: 16-minute windows): the median count, and a warning, never silence', async () => {
    const [from, to] = ['2026-10-05T00:00:00Z', '2026-10-05T01:40:00Z'];
    const seven = await report(from, to, 'seven');
    // 2 or 3 samples of 7 minutes in 16: the counts of buckets that straddle a window's edge
    // fall on either side, so they cannot tell it; 480 s is the median count's reading.
    expect(seven.intervalSeconds).toBe(480);
    const said = (await warnings(from, to)).filter((w) => w.includes('"seven"'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/cannot be told from the sample counts of Thanos' 5m buckets.*not whole buckets.*480 s.*set `interval:`/);
  });

  it('the same probe over 5m and raw days: read exactly from the raw days, sparser as they are, no warning', async () => {
    const gappy = await report('2026-10-06', '2026-10-10', 'gappy');
    expect(gappy.intervalSeconds).toBe(430);
    expect(await warnings('2026-10-06', '2026-10-10')).not.toContainEqual(expect.stringContaining('"gappy"'));
  });
});
