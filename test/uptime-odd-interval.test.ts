/**
 * A probe whose interval divides neither an hour nor a day (every 7 minutes), its interval not
 * configured, against a real Prometheus: the interval is inferred as 420 s, and the figures are
 * those of its samples. Hours hold 8 or 9 of its samples (60 / 7 = 8.57), mostly 9, and the
 * median per hour read it as 400 s: a day of 205 samples × 400 s left 4 400 s of "no data".
 * Probes every 5 minutes and every hour, which do divide the hour, are read as before.
 */
import { describe, expect, it } from 'vitest';
import type { UptimeSpec } from '../src/generate/model.js';
import { requireBinary } from '../src/testing/binaries.js';
import { usePlansUptime } from './support/plans-uptime.js';
import type { ProbePlan } from './support/probe-plans-prometheus.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const MIN = 60_000;

// Every 7 minutes from 10-01 00:00 UTC. 10-07 starts 8 640 minutes later, 5 minutes after a
// sample (8 640 = 7 × 1 234 + 2), so its samples are at 00:05 + 7k min: k = 0…204, 205 samples
// (the last at 23:53). Down 10:00–11:10 on 10-07: the samples at 10:00, 10:07, … 11:03, ten.
// 10-08 starts on a sample (10 080 = 7 × 1 440): 00:00 + 7k min, k = 0…205, 206 samples, of which
// the gap 06:00–08:00 takes the 17 at 06:04 (k = 52) … 07:56 (k = 68).
const PLANS: ProbePlan[] = [
  {
    job: 'seven',
    instance: 'x',
    from: '2026-10-01T00:00:00Z',
    to: '2026-10-10T00:00:00Z',
    intervalMs: 7 * MIN,
    offsetMs: 0,
    down: [['2026-10-07T10:00:00Z', '2026-10-07T11:10:00Z']],
    gaps: [['2026-10-08T06:00:00Z', '2026-10-08T08:00:00Z']],
  },
  { job: 'five', instance: 'x', from: '2026-10-01T00:00:00Z', to: '2026-10-10T00:00:00Z', intervalMs: 5 * MIN, offsetMs: 7_000, down: [['2026-10-07T10:00:00Z', '2026-10-07T11:00:00Z']] },
  { job: 'hourly', instance: 'x', from: '2026-10-01T00:00:00Z', to: '2026-10-10T00:00:00Z', intervalMs: 60 * MIN, offsetMs: 90_000, down: [['2026-10-07T10:00:00Z', '2026-10-07T12:00:00Z']] },
];

const SPECS: UptimeSpec[] = [
  { service: 'seven', up: 'probe_success{job="seven"}', objective: 99 },
  // The same probe with its interval configured: the figures must not depend on the inference.
  { service: 'seven-configured', up: 'probe_success{job="seven"}', objective: 99, interval: '7m' },
  { service: 'five', up: 'probe_success{job="five"}', objective: 99 },
  { service: 'hourly', up: 'probe_success{job="hourly"}', objective: 99 },
];

const { report } = usePlansUptime({ promtool, prometheus }, PLANS, SPECS);

describe.skipIf(!promtool || !prometheus)('a probe every 7 minutes, interval not configured (real Prometheus)', () => {
  it('21 hours of it (180 samples, 10 down): the interval is 420 s, 4 200 s down, no time without data', async () => {
    // 21 h = 75 600 s = 180 × 420 s: the samples at 00:05 + 7k min, k = 0…179. Down share 10/180,
    // so 75 600 × 10 / 180 = 4 200 s down: the 70 minutes of the outage.
    for (const name of ['seven', 'seven-configured']) {
      const s = await report('2026-10-07T00:00:00Z', '2026-10-07T21:00:00Z', name);
      expect({ name, interval: s.intervalSeconds, down: s.downSeconds, noData: s.noDataSeconds, measured: s.measuredSeconds }).toEqual({ name, interval: 420, down: 4200, noData: 0, measured: 75_600 });
      expect(s.uptimePercent).toBeCloseTo((170 / 180) * 100, 9);
      // From the first down sample (10:00) to the next, up, one (11:10).
      expect(s.incidents).toEqual([{ start: '2026-10-07T10:00:00Z', end: '2026-10-07T11:10:00Z', seconds: 4200 }]);
    }
  });

  it('whole days: one sampled throughout is measured whole, a 2-hour gap is no data to the sample', async () => {
    for (const name of ['seven', 'seven-configured']) {
      const s = await report('2026-10-07', '2026-10-09', name);
      expect(s.intervalSeconds, name).toBe(420);
      const [d7, d8] = s.daily;
      // 10-07: 205 samples from 00:05 to 23:53, the one before at 23:58 on 10-06: sampled
      // throughout (a day of 86 400 s holds 205 or 206 samples of a 7-minute probe, as its
      // phase falls). Down 10 of 205: 86 400 × 10 / 205 = 4 214.634 s.
      expect({ name, ...d7 }).toMatchObject({ name, date: '2026-10-07', noDataSeconds: 0, downSeconds: 4214.634 });
      expect(d7!.uptimePercent).toBeCloseTo((195 / 205) * 100, 9);
      // 10-08: no samples from 06:04 (k = 52) to 07:56 (k = 68); the sample at 05:57 covers up to
      // 06:04 and the next one is at 08:03, so 06:04–08:03 is without data: 17 × 420 = 7 140 s.
      expect({ name, ...d8 }).toMatchObject({ name, date: '2026-10-08', noDataSeconds: 7140, downSeconds: 0, uptimePercent: 100 });
      expect(s.noDataSeconds).toBe(7140);
      expect(s.downSeconds).toBe(4214.634);
      // 10 of the 205 + 189 samples.
      expect(s.uptimePercent).toBeCloseTo((1 - 10 / 394) * 100, 9);
    }
  });
});

describe.skipIf(!promtool || !prometheus)('probes whose interval divides the hour, interval not configured (real Prometheus)', () => {
  it('every 5 minutes: 300 s; an hour down is 3 600 s', async () => {
    const s = await report('2026-10-07', '2026-10-09', 'five');
    expect({ interval: s.intervalSeconds, down: s.downSeconds, noData: s.noDataSeconds }).toEqual({ interval: 300, down: 3600, noData: 0 });
  });

  it('every hour: 3 600 s; two hours down are 7 200 s', async () => {
    const s = await report('2026-10-07', '2026-10-09', 'hourly');
    expect({ interval: s.intervalSeconds, down: s.downSeconds, noData: s.noDataSeconds }).toEqual({ interval: 3600, down: 7200, noData: 0 });
  });
});
