/**
 * A day of another length than 24 hours (clocks going forward in the report's zone, or a range
 * clipped mid-day) sampled throughout is measured whole, also by a probe whose interval divides
 * 24 hours but not that day (real Prometheus). Such a day holds either of two sample counts as the
 * probe's phase falls; whether the interval divides a 24-hour day used to decide the rule, so a
 * 16- or 45-minute probe on a 23-hour day showed up to one interval as no data.
 */
import { describe, expect, it } from 'vitest';
import type { UptimeSpec } from '../src/generate/model.js';
import { requireBinary } from '../src/testing/binaries.js';
import { usePlansUptime } from './support/plans-uptime.js';
import type { ProbePlan } from './support/probe-plans-prometheus.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const MIN = 60_000;

// Australia/Sydney moves to daylight time on 2026-10-04 (02:00 → 03:00): that day is 23 hours,
// 2026-10-03T14:00Z to 2026-10-04T13:00Z, 82 800 s.
// Every 16 minutes from 10-01 00:00 UTC: 86.25 to the day, and it holds 86 (the first at 14:08Z,
// the last at 12:48Z): 86 × 960 s is 240 s short of the day.
// Every 45 minutes from 10-01 00:16:40 UTC: 30.67 to the day, and it holds 30 (the first at
// 14:31:40Z, the last at 12:43:20Z): 30 × 2 700 s is 1 800 s short of the day.
const PLANS: ProbePlan[] = [
  { job: 'sixteen', instance: 'x', from: '2026-10-01T00:00:00Z', to: '2026-10-10T00:00:00Z', intervalMs: 16 * MIN, offsetMs: 0 },
  { job: 'forty-five', instance: 'x', from: '2026-10-01T00:00:00Z', to: '2026-10-10T00:00:00Z', intervalMs: 45 * MIN, offsetMs: 1_000_000 },
];

const SPECS: UptimeSpec[] = [
  { service: 'sixteen', up: 'probe_success{job="sixteen"}', objective: 99 },
  { service: 'sixteen-configured', up: 'probe_success{job="sixteen"}', objective: 99, interval: '16m' },
  { service: 'forty-five', up: 'probe_success{job="forty-five"}', objective: 99 },
  { service: 'forty-five-configured', up: 'probe_success{job="forty-five"}', objective: 99, interval: '45m' },
];

const { service } = usePlansUptime({ promtool, prometheus }, PLANS, SPECS);

const sydney = async (from: string, to: string) => (await service().report({ team: 'payments', from, to, tz: 'Australia/Sydney' })).services;

describe.skipIf(!promtool || !prometheus)('a probe sampling throughout a 23-hour day (real Prometheus)', () => {
  it('every 16 and every 45 minutes: the day clocks go forward is measured whole, as the days around it', async () => {
    const services = await sydney('2026-10-03', '2026-10-06');
    const seen = services.map((s) => ({ service: s.service, interval: s.intervalSeconds, noData: s.noDataSeconds, days: s.daily.map((d) => [d.date, d.noDataSeconds]) }));
    const days = [
      ['2026-10-03', 0],
      ['2026-10-04', 0],
      ['2026-10-05', 0],
    ];
    expect(seen).toEqual([
      { service: 'sixteen', interval: 960, noData: 0, days },
      { service: 'sixteen-configured', interval: 960, noData: 0, days },
      { service: 'forty-five', interval: 2700, noData: 0, days },
      { service: 'forty-five-configured', interval: 2700, noData: 0, days },
    ]);
    expect(services.map((s) => s.measuredSeconds)).toEqual(Array(4).fill(2 * 86_400 + 82_800));
  });

  it('a range cut mid-day: 21 hours of a 16-minute probe are measured whole', async () => {
    // 2026-10-07T00:01Z–21:01Z, 78.75 intervals. 10-07 starts 8 640 min (540 × 16) after the first
    // sample, so samples are at 00:00 + 16k min: k = 1…78 here (00:16 to 20:48), 78 of them, the
    // one at 00:00 covering the range's first 15 minutes: 78 × 960 s is 720 s short of it.
    const [s] = (await service().report({ team: 'payments', from: '2026-10-07T00:01:00Z', to: '2026-10-07T21:01:00Z' })).services;
    expect({ interval: s!.intervalSeconds, noData: s!.noDataSeconds, measured: s!.measuredSeconds }).toEqual({ interval: 960, noData: 0, measured: 75_600 });
  });
});
