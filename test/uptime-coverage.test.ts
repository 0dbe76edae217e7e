/**
 * Measured and no-data time when the `up` expression's series do not each cover the whole day,
 * against a real Prometheus: a pod restart that gives the probe a new `instance` label at noon,
 * two probes of one service at different intervals. Up + down + no data is the range, and the
 * down time agrees with the sample-weighted uptime.
 */
import { describe, expect, it } from 'vitest';
import type { UptimeSpec } from '../src/generate/model.js';
import { requireBinary } from '../src/testing/binaries.js';
import type { ServiceUptime } from '../src/uptime/report-types.js';
import { usePlansUptime } from './support/plans-uptime.js';
import type { ProbePlan } from './support/probe-plans-prometheus.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const MIN = 60_000;

const PLANS: ProbePlan[] = [
  // The restart at noon on 10-05 gives the probe a new instance label; b is down 13:00–14:00.
  { job: 'churn', instance: 'a', from: '2026-10-01T00:00:00Z', to: '2026-10-05T12:00:00Z', intervalMs: MIN, offsetMs: 0 },
  { job: 'churn', instance: 'b', from: '2026-10-05T12:00:00Z', to: '2026-10-10T00:00:00Z', intervalMs: MIN, offsetMs: 0, down: [['2026-10-05T13:00:00Z', '2026-10-05T14:00:00Z']] },
  // Two probes of one service, every 15 s and every 60 s, never down.
  { job: 'mixed', instance: 'fast', from: '2026-10-01T00:00:00Z', to: '2026-10-10T00:00:00Z', intervalMs: 15_000, offsetMs: 1_000 },
  { job: 'mixed', instance: 'slow', from: '2026-10-01T00:00:00Z', to: '2026-10-10T00:00:00Z', intervalMs: MIN, offsetMs: 2_000 },
  // A 30 s probe down 10:10–10:15 on 10-05, then silent until 10:20.
  { job: 'short', instance: 'x', from: '2026-10-01T00:00:00Z', to: '2026-10-10T00:00:00Z', intervalMs: 30_000, offsetMs: 3_000, down: [['2026-10-05T10:10:00Z', '2026-10-05T10:15:00Z']], gaps: [['2026-10-05T10:15:00Z', '2026-10-05T10:20:00Z']] },
];

const SPECS: UptimeSpec[] = [
  { service: 'churn', up: 'probe_success{job="churn"}', objective: 99.9, interval: '1m' },
  { service: 'churn-inferred', up: 'probe_success{job="churn"}', objective: 99.9 },
  { service: 'churn-expr', up: 'max by (job) (probe_success{job="churn"})', objective: 99.9, interval: '1m' },
  { service: 'mixed', up: 'probe_success{job="mixed"}', objective: 99.9 },
  { service: 'short', up: 'probe_success{job="short"}', objective: 99.9 },
  // A slip: the sum of two probes is 2 while both are up, 1 while one is down.
  { service: 'churn-sum', up: 'sum(probe_success{job="mixed"}) + sum(probe_success{job="churn"})', objective: 99.9, interval: '1m' },
];

const { report, service } = usePlansUptime({ promtool, prometheus }, PLANS, SPECS);

/** Up + down + no data is the whole range, and down time is the sample-weighted down share of the measured time. */
function expectConsistent(s: ServiceUptime, rangeSeconds: number): void {
  expect(s.measuredSeconds + s.noDataSeconds).toBeCloseTo(rangeSeconds, 3);
  expect(s.downSeconds).toBeCloseTo(s.measuredSeconds * (1 - s.uptimePercent! / 100), 3);
}

describe.skipIf(!promtool || !prometheus)('uptime when series come and go within a day (real Prometheus)', () => {
  it('a new instance label at noon: the day is measured whole and down for the hour', async () => {
    for (const name of ['churn', 'churn-inferred', 'churn-expr']) {
      const s = await report('2026-10-05', '2026-10-06', name);
      expect({ name, noData: s.noDataSeconds, down: s.downSeconds, interval: s.intervalSeconds }).toEqual({ name, noData: 0, down: 3600, interval: 60 });
      expect(s.uptimePercent).toBeCloseTo((1380 / 1440) * 100, 9);
      expect(s.incidents).toEqual([{ start: '2026-10-05T13:00:00Z', end: '2026-10-05T14:00:00Z', seconds: 3600 }]);
      expectConsistent(s, 86_400);
    }
    const week = await report('2026-10-01', '2026-10-10', 'churn-inferred');
    expect(week.noDataSeconds).toBe(0);
    expect(week.downSeconds).toBe(3600);
    expect(week.daily[4]).toMatchObject({ date: '2026-10-05', noDataSeconds: 0, downSeconds: 3600 });
  });

  it('two probes at 15 s and 60 s: no time without data, the interval is the faster one', async () => {
    const s = await report('2026-10-03', '2026-10-04', 'mixed');
    expect({ noData: s.noDataSeconds, down: s.downSeconds, up: s.uptimePercent, interval: s.intervalSeconds }).toEqual({ noData: 0, down: 0, up: 100, interval: 15 });
    expectConsistent(s, 86_400);
  });

  it('a 30-minute range of a 30 s probe without a configured interval: the interval is inferred, not one minute', async () => {
    const s = await report('2026-10-05T10:00:00Z', '2026-10-05T10:30:00Z', 'short');
    expect(s.intervalSeconds).toBe(30);
    expect({ down: s.downSeconds, noData: s.noDataSeconds }).toEqual({ down: 300, noData: 300 });
    // Samples stop after the last down one (10:14:33): the incident ends one 30 s interval later.
    expect(s.incidents).toEqual([{ start: '2026-10-05T10:10:03Z', end: '2026-10-05T10:15:03Z', seconds: 300 }]);
    expect(s.errorBudgetRemainingPercent).toBeCloseTo((1 - 300 / (0.001 * 1500)) * 100, 6);
    expectConsistent(s, 1800);
  });

  it('a short range whose sixths are no whole number of intervals: a 1-minute probe is read as 1 minute, not 59 s', async () => {
    // 29.5 minutes: sixths of 295 s hold 4 or 5 samples of a 1-minute probe, mostly 5; 295 s ÷ 5
    // read as a 59 s interval, so 29 samples measured 28 min 31 s and 59 s of a gapless probe was no data.
    const s = await report('2026-10-06T10:00:30Z', '2026-10-06T10:30:00Z', 'churn-inferred');
    expect(s.intervalSeconds).toBe(60);
    // Samples at 10:01 … 10:29, and the range's first 30 s are the one at 10:00's: 29.5 intervals
    // hold 29 or 30 samples as the phase falls, and either is the range sampled throughout (as a
    // 7-minute probe's 205 or 206 a day, uptime-odd-interval.test.ts). This read 30 s of no data
    // while the rule asked whether the interval divides 24 hours, not the range.
    expect({ measured: s.measuredSeconds, noData: s.noDataSeconds, down: s.downSeconds }).toEqual({ measured: 1770, noData: 0, down: 0 });
    expectConsistent(s, 1770);
  });

  it('an up expression giving values above 1 (a sum of probes) is not read as 100 % in silence: the report warns, naming the check', async () => {
    // On 10-05 the sum is 3, while churn's b is down (13:00–14:00) 2, and for the 5 minutes after
    // noon, while PromQL's lookback still sees a beside b, 4: (1375 × 3 + 60 × 2 + 5 × 4) / 1440 =
    // 2.9618. Every sample is above 1, so none reads as down, whatever the probes did.
    const r = await service().report({ team: 'payments', from: '2026-10-05', to: '2026-10-06' });
    const s = r.services.find((x) => x.service === 'churn-sum')!;
    expect(s.uptimePercent).toBe(100);
    expect(r.warnings).toContain(
      'uptime check "churn-sum": its up expression gave values above 1 (on 2026-10-05 an average of 2.962), but uptime reads 1 as up and 0 as down, so the downtime of those days is not counted: make it 0 or 1 (min or max by …, or … >= bool 1)',
    );
    // The other checks' reports are not touched by it.
    expect(r.warnings.filter((w) => !w.includes('"churn-sum"'))).toEqual([]);
  });
});
