/**
 * Reports behind a Thanos query-frontend, which by default rounds every query_range's start and
 * end down to a multiple of the step (`--query-range.align-range-with-step=true`). Alertgate used
 * to ask for day ends − 1 ms with a one-day step, got every sample back a day early, dropped them
 * all, and answered 200 with "no data" everywhere. A real Prometheus is asked directly and through
 * an aligning proxy: the reports must be the same, in UTC, in Europe/London over October 2026
 * (clocks go back on the 25th: a 25-hour day between two runs of 24-hour days) and in a zone off
 * the hour, at raw and at
 * downsampled resolutions (Prometheus ignores the resolution; alertgate's queries differ).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UptimeSpec } from '../src/generate/model.js';
import { requireBinary } from '../src/testing/binaries.js';
import { calendarDays, resolveRange } from '../src/uptime/range.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { DEFAULT_RESOLUTION_POLICY, type ResolutionPolicy } from '../src/uptime/resolution.js';
import { createUptimeService } from '../src/uptime/service.js';
import { createThanosClient } from '../src/uptime/thanos-client.js';
import { startAligningFrontend, type AligningFrontend } from './support/aligning-frontend.js';
import { serveSeries, type ServedSeries } from './support/prometheus-server.js';
import type { GeneratedSeries } from './support/prometheus-tsdb.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const at = (iso: string) => Date.parse(iso);
const within = (t: number, a: string, b: string) => t >= at(a) && t < at(b);
const DAY = 86_400_000;

/** Samples every `stepMs` in [from, to); v(t) undefined: no sample. */
function series(job: string, stepMs: number, from: string, to: string, v: (t: number) => number | undefined): GeneratedSeries {
  const times: number[] = [];
  const values: number[] = [];
  for (let t = at(from); t < at(to); t += stepMs) {
    const x = v(t);
    if (x === undefined) continue;
    times.push(t);
    values.push(x);
  }
  return { metric: 'probe_success', labels: { job, instance: `https://${job}.example` }, times, values };
}

const OUTAGES: Array<[string, string]> = [
  ['2026-10-03T10:00:00Z', '2026-10-03T10:30:00Z'],
  ['2026-10-05T18:05:00Z', '2026-10-05T18:15:00Z'], // up to Kathmandu's midnight, inside a UTC hour
  ['2026-10-10T22:50:00Z', '2026-10-10T23:20:00Z'], // across London's midnight (BST)
  ['2026-10-25T00:40:00Z', '2026-10-25T01:10:00Z'], // London's repeated hour
  ['2026-10-25T23:50:00Z', '2026-10-26T00:20:00Z'], // across midnight, GMT again
];

const SERIES: GeneratedSeries[] = [
  // Every minute; no samples 12:00–13:00 on two days running (their time is measured by the
  // coverage query, one range query for both); a NaN on 10-14 (that day is read again).
  series('web', 60_000, '2026-09-30T00:00:00Z', '2026-11-02T00:00:00Z', (t) => {
    if (within(t, '2026-10-12T12:00:00Z', '2026-10-12T13:00:00Z') || within(t, '2026-10-13T12:00:00Z', '2026-10-13T13:00:00Z')) return undefined;
    if (t === at('2026-10-14T12:00:00Z')) return NaN;
    return OUTAGES.some(([a, b]) => within(t, a, b)) ? 0 : 1;
  }),
  // Every 4 s on one UTC day (over 20 000 samples a day: its down hours are found first).
  series('dense', 4_000, '2026-10-20T00:00:00Z', '2026-10-21T00:00:00Z', (t) => (within(t, '2026-10-20T13:10:00Z', '2026-10-20T13:20:00Z') ? 0 : 1)),
];

/** Uptime in percent of a series' finite samples in [from, to). */
function truth(s: GeneratedSeries, from: number, to: number): number {
  const xs = s.values.filter((v, i) => s.times[i]! >= from && s.times[i]! < to && Number.isFinite(v));
  return (xs.reduce((a, v) => a + v, 0) / xs.length) * 100;
}

const SPECS: UptimeSpec[] = [
  { service: 'web', up: 'probe_success{job="web"}', objective: 99.9, interval: '1m' },
  // The interval inferred from the samples, hour by hour.
  { service: 'web-inferred', up: 'probe_success{job="web"}', objective: 99.9 },
  // An expression: subqueries, and incidents from a range query every interval.
  { service: 'web-expr', up: 'max by (job) (probe_success{job="web"})', objective: 99.9, interval: '1m' },
  { service: 'dense', up: 'probe_success{job="dense"}', objective: 99.9, interval: '4s' },
];

const NOW = at('2026-11-05T00:00:00Z');
const POLICIES: Record<string, ResolutionPolicy> = {
  // Raw from 10-06, 5m before.
  default: DEFAULT_RESOLUTION_POLICY,
  // 5m from 10-16, 1h before.
  downsampled: { rawRetentionMs: 0, fiveMinuteRetentionMs: 20 * DAY },
};

let served: ServedSeries | undefined;
let frontend: AligningFrontend | undefined;

beforeAll(async () => {
  if (!promtool || !prometheus) return;
  served = await serveSeries({ promtool, prometheus }, 'alertgate-uptime-frontend-', SERIES);
  frontend = await startAligningFrontend(served.prometheus.url);
}, 120_000);
afterAll(async () => {
  await frontend?.close();
  await served?.stop();
});

function report(url: string, tz: string, policy: ResolutionPolicy): Promise<UptimeReport> {
  const svc = createUptimeService({ client: createThanosClient({ url }), checks: async () => new Map([['payments', SPECS]]), now: () => NOW, policy });
  return svc.report({ team: 'payments', from: '2026-10-01', to: '2026-11-01', tz }, NOW);
}

describe.skipIf(!promtool || !prometheus)('uptime behind a step-aligning query-frontend (real Prometheus)', () => {
  // Kathmandu (UTC+5:45): day and hour ends a quarter of an hour off any UTC hour.
  for (const tz of ['UTC', 'Europe/London', 'Asia/Kathmandu']) {
    for (const [name, policy] of Object.entries(POLICIES)) {
      it(`${tz}, ${name} resolution: the same report as Prometheus directly`, async () => {
        const direct = await report(served!.prometheus.url, tz, policy);
        const [queried, moved] = [frontend!.rangeQueries, frontend!.moved.length];
        const behind = await report(frontend!.url, tz, policy);
        expect(frontend!.rangeQueries, 'range queries went through the frontend').toBeGreaterThan(queried);

        // The figures are the samples' (so the comparison is not of two empty reports).
        const web = direct.services.find((s) => s.service === 'web')!;
        // The NaN's minute is no data, except at 1h, where its hour's bucket is measured whole.
        expect(web).toMatchObject({ downSeconds: 4 * 1800 + 600, noDataSeconds: 2 * 3600 + (name === 'default' ? 60 : 0) });
        expect(web.incidents.map((i) => [i.start, i.end])).toEqual(OUTAGES);
        // Prometheus answers raw samples at any resolution: every day is exact, also where
        // midnight falls inside an hour (nothing of a bucket is shared, and nothing to warn of).
        const days = calendarDays(resolveRange({ from: '2026-10-01', to: '2026-11-01', tz }, NOW));
        web.daily.forEach((d, i) => expect(d.uptimePercent, d.date).toBeCloseTo(truth(SERIES[0]!, days[i]!.start, days[i]!.end), 9));
        expect(direct.warnings).toEqual([]);
        const dense = direct.services.find((s) => s.service === 'dense')!;
        expect(dense).toMatchObject({ downSeconds: 600, intervalSeconds: 4 });
        expect(dense.incidents.map((i) => [i.start, i.end])).toEqual([['2026-10-20T13:10:00Z', '2026-10-20T13:20:00Z']]);
        expect(direct.services.find((s) => s.service === 'web-inferred')!.intervalSeconds).toBe(60);
        expect(direct.services.find((s) => s.service === 'web-expr')!.incidents).toHaveLength(OUTAGES.length);

        // Uptime, downtime, no data, incidents, every day, and the warnings.
        expect(behind).toEqual(direct);
        // Every range query was asked at multiples of its step: the frontend had nothing to move.
        expect(frontend!.moved.slice(moved)).toEqual([]);
      });
    }
  }
});
