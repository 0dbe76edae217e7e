/**
 * The report's figures against a real Prometheus, where they used to disagree with each other or
 * with the samples: maintenance with several replicas of a probe, non-finite samples, and the
 * headline uptime over days of different sample densities (with and without maintenance windows,
 * against downSeconds and the error budget).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UptimeSpec } from '../src/generate/model.js';
import type { MaintenanceInterval } from '../src/maintenance/intervals.js';
import { requireBinary } from '../src/testing/binaries.js';
import type { ServiceUptime } from '../src/uptime/report-types.js';
import { createUptimeService, type UptimeService } from '../src/uptime/service.js';
import { createThanosClient } from '../src/uptime/thanos-client.js';
import { serveSeries, type ServedSeries } from './support/prometheus-server.js';
import type { GeneratedSeries } from './support/prometheus-tsdb.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);
const FROM = at('2026-10-01T00:00:00Z');
const TO = at('2026-10-10T00:00:00Z');

/** `probe_success{job, instance}` every minute on the minute in [from, to); v(t) undefined: no sample. */
function series(job: string, instance: string, v: (t: number) => number | undefined, from = FROM, to = TO): GeneratedSeries {
  const times: number[] = [];
  const values: number[] = [];
  for (let t = from; t < to; t += MIN) {
    const x = v(t);
    if (x === undefined) continue;
    times.push(t);
    values.push(x);
  }
  return { metric: 'probe_success', labels: { job, instance }, times, values };
}
const within = (t: number, a: string, b: string) => t >= at(a) && t < at(b);

const SERIES: GeneratedSeries[] = [
  // Two replicas of one probe: a down 10:00–11:00 on 10-05 (the maintenance window), both down
  // 14:00–14:30 (outside it).
  series('maint', 'a', (t) => (within(t, '2026-10-05T10:00:00Z', '2026-10-05T11:00:00Z') || within(t, '2026-10-05T14:00:00Z', '2026-10-05T14:30:00Z') ? 0 : 1)),
  series('maint', 'b', (t) => (within(t, '2026-10-05T14:00:00Z', '2026-10-05T14:30:00Z') ? 0 : 1)),
  // Always up; one NaN sample (a 0/0 recording rule) on 10-05, +Inf on 10-06, -Inf on 10-07.
  series('nan', 'x', (t) => (t === at('2026-10-05T12:00:00Z') ? NaN : t === at('2026-10-06T12:00:00Z') ? Infinity : t === at('2026-10-07T12:00:00Z') ? -Infinity : 1)),
  // A NaN at 12:00 and an outage 13:00–13:10 on 10-05.
  series('nan-down', 'x', (t) => (t === at('2026-10-05T12:00:00Z') ? NaN : within(t, '2026-10-05T13:00:00Z', '2026-10-05T13:10:00Z') ? 0 : 1)),
  // A NaN at 12:00 and no samples 15:00–16:00 on 10-05 (the day's time is measured by coverage).
  series('nan-gap', 'x', (t) => (t === at('2026-10-05T12:00:00Z') ? NaN : within(t, '2026-10-05T15:00:00Z', '2026-10-05T16:00:00Z') ? undefined : 1)),
  // 10-06: two replicas, both up. 10-07: only replica a, down from 12:00.
  series('weight', 'a', (t) => (within(t, '2026-10-07T12:00:00Z', '2026-10-08T00:00:00Z') ? 0 : 1), at('2026-10-06T00:00:00Z'), at('2026-10-08T00:00:00Z')),
  series('weight', 'b', () => 1, at('2026-10-06T00:00:00Z'), at('2026-10-07T00:00:00Z')),
];

/** Every 4 s on 10-05 (21 600 samples: incidents are found hour by hour), a NaN at 13:00, down 13:10–13:20. */
function dense(): GeneratedSeries {
  const times: number[] = [];
  const values: number[] = [];
  for (let t = at('2026-10-05T00:00:00Z'); t < at('2026-10-06T00:00:00Z'); t += 4_000) {
    times.push(t);
    values.push(t === at('2026-10-05T13:00:00Z') ? NaN : within(t, '2026-10-05T13:10:00Z', '2026-10-05T13:20:00Z') ? 0 : 1);
  }
  return { metric: 'probe_success', labels: { job: 'nan-dense', instance: 'x' }, times, values };
}
SERIES.push(dense());

const SPECS: UptimeSpec[] = [
  { service: 'maint', up: 'probe_success{job="maint"}', objective: 99.9, interval: '1m' },
  { service: 'nan', up: 'probe_success{job="nan"}', objective: 99.9, interval: '1m' },
  { service: 'nan-inferred', up: 'probe_success{job="nan"}', objective: 99.9 },
  { service: 'nan-expr', up: 'max by (job) (probe_success{job="nan"})', objective: 99.9, interval: '1m' },
  { service: 'nan-down', up: 'probe_success{job="nan-down"}', objective: 99.9, interval: '1m' },
  { service: 'nan-gap', up: 'probe_success{job="nan-gap"}', objective: 99.9, interval: '1m' },
  { service: 'nan-gap-expr', up: 'max by (job) (probe_success{job="nan-gap"})', objective: 99.9, interval: '1m' },
  { service: 'nan-dense', up: 'probe_success{job="nan-dense"}', objective: 99.9, interval: '4s' },
  { service: 'weight', up: 'probe_success{job="weight"}', objective: 99.9, interval: '1m' },
  { service: 'weight80', up: 'probe_success{job="weight"}', objective: 80, interval: '1m' },
];

let served: ServedSeries | undefined;
let windows: Record<string, MaintenanceInterval[]> = {};
let svc: UptimeService;

beforeAll(async () => {
  if (!promtool || !prometheus) return;
  served = await serveSeries({ promtool, prometheus }, 'alertgate-uptime-figures-', SERIES);
  svc = createUptimeService({
    client: createThanosClient({ url: served.prometheus.url }),
    checks: async () => new Map([['payments', SPECS]]),
    now: () => TO,
    maintenance: async (_team, service) => windows[service] ?? [],
  });
}, 120_000);
afterAll(async () => served?.stop());

async function report(from: string, to: string, name: string, maintenance: MaintenanceInterval[] = []): Promise<ServiceUptime> {
  windows = { [name]: maintenance };
  try {
    return (await svc.report({ team: 'payments', from, to })).services.find((s) => s.service === name)!;
  } finally {
    windows = {};
  }
}

const window = (start: string, end: string, reason = 'patching'): MaintenanceInterval => ({ start: new Date(start), end: new Date(end), reason });

/**
 * One definition: the budget is spent from the uptime's own down share (so the objective is
 * missed exactly when it is overspent), and downSeconds is the days' downtime summed.
 */
function expectConsistent(s: ServiceUptime): void {
  expect(s.downSeconds).toBeCloseTo(s.daily.reduce((a, d) => a + d.downSeconds, 0), 3);
  expect(s.errorBudgetRemainingPercent).toBeCloseTo((1 - (1 - s.uptimePercent! / 100) / (1 - s.objective / 100)) * 100, 6);
  expect(s.uptimePercent! >= s.objective).toBe(s.errorBudgetRemainingPercent! >= 0);
}

/** A report of one day (one sample density): its downtime is its measured time × its down share. */
function expectOneDayConsistent(s: ServiceUptime): void {
  expect(s.downSeconds).toBeCloseTo(s.measuredSeconds * (1 - s.uptimePercent! / 100), 3);
  expectConsistent(s);
}

describe.skipIf(!promtool || !prometheus)('uptime figures (real Prometheus)', () => {
  it('maintenance excuses only the down samples inside the window, replica by replica', async () => {
    const none = await report('2026-10-05', '2026-10-06', 'maint');
    // 120 of 2 880 samples down: a's hour (60) and both replicas' half hour (30 + 30).
    expect(none.downSeconds).toBe(3600);
    const s = await report('2026-10-05', '2026-10-06', 'maint', [window('2026-10-05T10:00:00Z', '2026-10-05T11:00:00Z')]);
    // a's hour is excused; the half hour both replicas were down, outside the window, is not.
    expect(s.downSeconds).toBe(1800);
    expect(s.daily[0]).toMatchObject({ downSeconds: 1800, maintenanceSeconds: 3600 });
    expect(s.uptimePercent).toBeCloseTo((1 - 1800 / 86_400) * 100, 9);
    expect(s.incidents).toEqual([
      { start: '2026-10-05T10:00:00Z', end: '2026-10-05T11:00:00Z', seconds: 3600, maintenanceSeconds: 3600 },
      { start: '2026-10-05T14:00:00Z', end: '2026-10-05T14:30:00Z', seconds: 1800 },
    ]);
    expectOneDayConsistent(s);

    // A window over the half hour both were down excuses it, and nothing of a's hour.
    const other = await report('2026-10-05', '2026-10-06', 'maint', [window('2026-10-05T14:00:00Z', '2026-10-05T14:30:00Z')]);
    expect(other.downSeconds).toBe(1800);
    // Half a window over both replicas' outage: half of it.
    const half = await report('2026-10-05', '2026-10-06', 'maint', [window('2026-10-05T14:15:00Z', '2026-10-05T15:00:00Z')]);
    expect(half.downSeconds).toBe(1800 + 900);
    // Windows over all of it: nothing is down.
    const all = await report('2026-10-05', '2026-10-06', 'maint', [window('2026-10-05T09:00:00Z', '2026-10-05T11:00:00Z'), window('2026-10-05T14:00:00Z', '2026-10-05T15:00:00Z')]);
    expect(all).toMatchObject({ downSeconds: 0, uptimePercent: 100, errorBudgetRemainingPercent: 100 });
  });

  it('NaN and ±Inf samples count neither up nor down (no data), as Thanos downsampling drops NaN', async () => {
    for (const name of ['nan', 'nan-inferred', 'nan-expr']) {
      const day = await report('2026-10-05', '2026-10-06', name);
      expect({ name, up: day.uptimePercent, down: day.downSeconds, incidents: day.incidents.length }).toEqual({ name, up: 100, down: 0, incidents: 0 });
      expect(day.noDataSeconds, name).toBeLessThanOrEqual(60);
      const nine = await report('2026-10-01', '2026-10-10', name);
      expect({ name, up: nine.uptimePercent, down: nine.downSeconds, budget: nine.errorBudgetRemainingPercent }).toEqual({ name, up: 100, down: 0, budget: 100 });
      expect(nine.daily.map((d) => d.uptimePercent)).toEqual(Array(9).fill(100));
      expect(nine.intervalSeconds, name).toBe(60);
    }
    // The plain selector's NaN minute is no data, whichever way the day's time is measured.
    expect((await report('2026-10-05', '2026-10-06', 'nan')).noDataSeconds).toBe(60);
    const gap = await report('2026-10-05', '2026-10-06', 'nan-gap');
    expect({ up: gap.uptimePercent, down: gap.downSeconds, noData: gap.noDataSeconds }).toEqual({ up: 100, down: 0, noData: 3600 + 60 });
    // An expression is evaluated with its 5-minute lookback: it carries its value into the gap.
    const gapExpr = await report('2026-10-05', '2026-10-06', 'nan-gap-expr');
    expect({ up: gapExpr.uptimePercent, down: gapExpr.downSeconds, noData: gapExpr.noDataSeconds }).toEqual({ up: 100, down: 0, noData: 3600 - 5 * 60 + 60 });

    // A NaN beside an outage: the outage is down to the second, over the finite samples.
    const down = await report('2026-10-05', '2026-10-06', 'nan-down');
    expect(down).toMatchObject({ downSeconds: 600, noDataSeconds: 60 });
    expect(down.uptimePercent).toBeCloseTo((1429 / 1439) * 100, 9);
    expect(down.incidents).toEqual([{ start: '2026-10-05T13:00:00Z', end: '2026-10-05T13:10:00Z', seconds: 600 }]);
    expectOneDayConsistent(down);

    // A densely sampled day, whose down hours are found first: the NaN's hour is still read.
    const busy = await report('2026-10-05', '2026-10-06', 'nan-dense');
    expect(busy).toMatchObject({ downSeconds: 600, noDataSeconds: 4, intervalSeconds: 4 });
    expect(busy.incidents).toEqual([{ start: '2026-10-05T13:10:00Z', end: '2026-10-05T13:20:00Z', seconds: 600 }]);
  });

  it('one definition of uptime: a window on a day without downtime changes nothing', async () => {
    const plain = await report('2026-10-06', '2026-10-08', 'weight');
    // 10-06 up all day (two replicas), 10-07 down half the day (one replica): 12 of 48 hours down,
    // and 720 of 4,320 samples (the contract's sum of sums over sum of counts).
    expect(plain).toMatchObject({ downSeconds: 43_200, measuredSeconds: 172_800, noDataSeconds: 0 });
    expect(plain.uptimePercent).toBeCloseTo((1 - 720 / 4320) * 100, 9);
    expect(plain.daily.map((d) => d.uptimePercent)).toEqual([100, 50]);
    expectConsistent(plain);

    const withWindow = await report('2026-10-06', '2026-10-08', 'weight', [window('2026-10-06T03:00:00Z', '2026-10-06T03:01:00Z', 'noop')]);
    expect(withWindow.uptimePercent).toBe(plain.uptimePercent);
    expect(withWindow.downSeconds).toBe(plain.downSeconds);
    expect(withWindow.errorBudgetRemainingPercent).toBe(plain.errorBudgetRemainingPercent);
    expect(withWindow.maintenanceSeconds).toBe(60);
    expectConsistent(withWindow);
  });

  it('one definition of uptime: the objective is missed exactly when the budget is overspent', async () => {
    // 83.3 % against 80 %: met, and a sixth of the 20 % allowed left (the budget used to be
    // spent from downSeconds and said -25 %, exhausted, beside a met objective).
    const s = await report('2026-10-06', '2026-10-08', 'weight80');
    expect(s.uptimePercent).toBeCloseTo((1 - 720 / 4320) * 100, 9);
    expect(s.errorBudgetRemainingPercent).toBeCloseTo((1 - 720 / 4320 / 0.2) * 100, 9);
    expectConsistent(s);
  });
});
