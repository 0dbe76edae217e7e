/**
 * When a probe's hourly sample counts disagree (an interval that does not divide the hour, or a
 * gap), its interval is read from the raw samples' spacing. That read is of the one series that
 * set the interval, over some 32 of its samples (real Prometheus): it used to ask for every series
 * the selector matched over an hour at least, 240 samples of each for a 15 s probe, and another
 * series' spacing could set the interval.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { UptimeSpec } from '../src/generate/model.js';
import { requireBinary } from '../src/testing/binaries.js';
import { usePlansUptime } from './support/plans-uptime.js';
import type { ProbePlan } from './support/probe-plans-prometheus.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const MIN = 60_000;
const HOUR = 60 * MIN;

// A label value PromQL must have escaped to select the series by it.
const ODD_INSTANCE = 'probe "a" \\ 1';

/** No samples but in the first 4 minutes of every hour of [from, to). */
function burstGaps(from: string, to: string): Array<[string, string]> {
  const gaps: Array<[string, string]> = [];
  for (let t = Date.parse(from); t < Date.parse(to); t += HOUR) gaps.push([new Date(t + 4 * MIN).toISOString(), new Date(t + HOUR).toISOString()]);
  return gaps;
}

const PLANS: ProbePlan[] = [
  // job "pair": a 7-minute probe (9 or 8 samples an hour: it sets the interval) and a probe that
  // samples each minute for the first 4 minutes of every hour (4 an hour, 900 s by count, but 60 s
  // apart): its spacing is not the check's interval.
  { job: 'pair', instance: ODD_INSTANCE, from: '2026-10-06T00:00:00Z', to: '2026-10-08T00:00:00Z', intervalMs: 7 * MIN, offsetMs: 0 },
  { job: 'pair', instance: 'burst', from: '2026-10-06T00:00:00Z', to: '2026-10-08T00:00:00Z', intervalMs: MIN, offsetMs: 0, gaps: burstGaps('2026-10-06T00:00:00Z', '2026-10-08T00:00:00Z') },
  // job "many": twelve 7-minute probes.
  ...Array.from({ length: 12 }, (_, i): ProbePlan => ({ job: 'many', instance: `m${i}`, from: '2026-10-06T00:00:00Z', to: '2026-10-08T00:00:00Z', intervalMs: 7 * MIN, offsetMs: i * 10_000 })),
  // job "fast": two 15 s probes with a 10-minute gap (its hour holds fewer samples: counts disagree).
  ...['f0', 'f1'].map((instance): ProbePlan => ({ job: 'fast', instance, from: '2026-10-07T00:00:00Z', to: '2026-10-08T00:00:00Z', intervalMs: 15_000, offsetMs: 0, gaps: [['2026-10-07T05:10:00Z', '2026-10-07T05:20:00Z']] })),
];

const SPECS: UptimeSpec[] = [
  { service: 'pair', up: 'probe_success{job="pair"}', objective: 99 },
  { service: 'many', up: 'probe_success{job="many"}', objective: 99 },
  { service: 'fast', up: 'probe_success{job="fast"}', objective: 99 },
];

/** The raw samples Prometheus returned to range-vector queries (the spacing reads), by query. */
const rawReads: Array<{ query: string; series: Array<{ labels: Record<string, string>; samples: number }> }> = [];
const recording: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const url = new URL(String(input));
  if (url.pathname.endsWith('/api/v1/query')) {
    const body = (await res.clone().json()) as { data?: { resultType?: string; result?: Array<{ metric: Record<string, string>; values: unknown[] }> } };
    if (body.data?.resultType === 'matrix') rawReads.push({ query: url.searchParams.get('query')!, series: body.data.result!.map((s) => ({ labels: s.metric, samples: s.values.length })) });
  }
  return res;
};

const { report } = usePlansUptime({ promtool, prometheus }, PLANS, SPECS, { fetch: recording });
const readsOf = (job: string) => rawReads.filter((r) => r.query.includes(`job="${job}"`));

describe.skipIf(!promtool || !prometheus)('the raw spacing read when hourly counts disagree (real Prometheus)', () => {
  beforeEach(() => {
    rawReads.length = 0;
  });

  it('reads only the series that set the interval: the other series of the selector do not change it', async () => {
    const s = await report('2026-10-07', '2026-10-08', 'pair');
    // The burst probe's samples are 60 s apart: read with the 7-minute probe's, it made the interval 60 s.
    expect({ interval: s.intervalSeconds, noData: s.noDataSeconds }).toEqual({ interval: 420, noData: 0 });
    const reads = readsOf('pair');
    expect(reads.map((r) => r.series.map((x) => x.labels))).toEqual([[{ __name__: 'probe_success', job: 'pair', instance: ODD_INSTANCE }]]);
    expect(reads[0]!.series[0]!.samples).toBeLessThanOrEqual(33);
  });

  it('of twelve 7-minute probes, one is read, some 32 samples of it', async () => {
    const s = await report('2026-10-07', '2026-10-08', 'many');
    expect({ interval: s.intervalSeconds, noData: s.noDataSeconds }).toEqual({ interval: 420, noData: 0 });
    const reads = readsOf('many');
    expect(reads.map((r) => r.series.length)).toEqual([1]);
    expect(reads[0]!.series[0]!.samples).toBeLessThanOrEqual(33);
  });

  it('a 15 s probe after a gap: some 32 samples of one series, not an hour (240) of each', async () => {
    const s = await report('2026-10-07', '2026-10-08', 'fast');
    expect({ interval: s.intervalSeconds, noData: s.noDataSeconds }).toEqual({ interval: 15, noData: 600 });
    const reads = readsOf('fast');
    expect(reads.map((r) => r.series.length)).toEqual([1]);
    expect(reads[0]!.series[0]!.samples).toBeLessThanOrEqual(33);
  });
});
