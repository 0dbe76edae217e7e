/**
 * Midnight inside a 1h bucket (Asia/Kolkata, UTC+05:30, on 1h-downsampled data). Thanos stamps a
 * bucket's aggregates at its end − 1 ms, so the bucket across local midnight went wholly to the
 * day after it, and its downtime never became an incident (incidents took a bucket by its start).
 * Now the bucket is shared between its two days in proportion to time, incidents take it on both,
 * and the report warns. The fake Querier answers as Thanos does over 1h blocks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllFakeThanos, startFakeThanos } from './fake-thanos.case.js';
import { partBefore } from './bucket-edges.js';
import { createUptimeService } from './service.js';
import { createThanosClient } from './thanos-client.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const labels = { __name__: 'probe_success', job: 'blackbox' };

/** A 30 s probe over 2026-03-08..12 UTC, down in [down[0], down[1]), as 1h aggregates keyed by stamp. */
function buckets(down: [number, number]): Map<number, { sum: number; count: number }> {
  const out = new Map<number, { sum: number; count: number }>();
  for (let t = Date.UTC(2026, 2, 8) + 15_000; t < Date.UTC(2026, 2, 12); t += 30_000) {
    const stamp = t - (t % HOUR) + HOUR - 1;
    const b = out.get(stamp) ?? out.set(stamp, { sum: 0, count: 0 }).get(stamp)!;
    b.sum += t >= down[0] && t < down[1] ? 0 : 1;
    b.count += 1;
  }
  return out;
}

/** Thanos over 1h blocks: `*_over_time` add the aggregates stamped in the window; a range selector answers each bucket's average. */
function thanos1h(aggs: Map<number, { sum: number; count: number }>) {
  const inWindow = (lo: number, hi: number) => [...aggs].filter(([stamp]) => stamp >= lo && stamp <= hi);
  return (params: URLSearchParams, path: string) => {
    expect(params.get('max_source_resolution')).toBe('1h');
    const query = params.get('query')!;
    const range = path.endsWith('query_range');
    const times: number[] = [];
    if (range) for (let t = Number(params.get('start')) * 1000; t <= Number(params.get('end')) * 1000; t += Number(params.get('step')) * 1000) times.push(t);
    else times.push(Number(params.get('time')) * 1000);
    if (query.startsWith('label_replace')) {
      const parts = [...query.matchAll(/label_replace\((sum|count)_over_time\([^[]*\[(\d+)ms\](?: offset (\d+)ms)?\), "alertgate_agg", "(\w+)"/g)];
      expect(parts.length).toBeGreaterThanOrEqual(2);
      const result = parts.flatMap(([, fn, windowMs, offsetMs, agg]) => {
        const points = times
          .map((at) => ({ at, xs: inWindow(at - Number(offsetMs ?? 0) - Number(windowMs), at - Number(offsetMs ?? 0)) }))
          .filter((p) => p.xs.length > 0)
          .map((p) => [p.at / 1000, String(p.xs.reduce((a, [, b]) => a + (fn === 'sum' ? b.sum : b.count), 0))]);
        if (points.length === 0) return [];
        const metric = { ...labels, alertgate_agg: agg };
        return [range ? { metric, values: points } : { metric, value: points[0] }];
      });
      return { status: 200, body: { status: 'success', data: { resultType: range ? 'matrix' : 'vector', result } } };
    }
    // A raw range selector (incidents), asked as an instant query.
    const match = /^probe_success\{[^}]*\}\[(\d+)ms\]$/.exec(query);
    if (!match || range) throw new Error(`the fake does not know ${query}`);
    const at = times[0]!;
    const values = inWindow(at - Number(match[1]), at).map(([stamp, b]) => [stamp / 1000, String(b.sum / b.count)]);
    return { status: 200, body: { status: 'success', data: { resultType: 'matrix', result: [{ metric: labels, values }] } } };
  };
}

async function report(down: [number, number], maintenance: Array<[number, number]> = []) {
  const thanos = await startFakeThanos(thanos1h(buckets(down)));
  const svc = createUptimeService({
    client: createThanosClient({ url: thanos.url }),
    checks: async () => new Map([['payments', [{ service: 'checkout', up: 'probe_success{job="blackbox"}', objective: 99.9, interval: '30s' }]]]),
    now: () => Date.UTC(2026, 9, 1, 12), // 205 days on: read at 1h
    maintenance: async () => maintenance.map(([start, end]) => ({ start: new Date(start), end: new Date(end), reason: 'patching' })),
  });
  // Local 2026-03-10 and 03-11: [03-09 18:30Z, 03-11 18:30Z).
  return svc.report({ team: 'payments', from: '2026-03-10', to: '2026-03-12', tz: 'Asia/Kolkata' });
}

afterEach(closeAllFakeThanos);

describe('a 1h bucket across local midnight', () => {
  // 18:00–18:25Z on 03-10 is 23:30–23:55 local, inside the bucket 18:00–19:00Z that midnight cuts.
  const outage: [number, number] = [Date.UTC(2026, 2, 10, 18), Date.UTC(2026, 2, 10, 18, 25)];

  it('is shared between its two days in proportion to time, and its downtime is an incident', async () => {
    const r = await report(outage);
    const s = r.services[0]!;
    // The range holds the whole bucket: its downtime is exact; each day has half of it.
    expect(s.downSeconds).toBe(1500);
    expect(s.daily.map((d) => [d.date, d.downSeconds])).toEqual([
      ['2026-03-10', 750],
      ['2026-03-11', 750],
    ]);
    expect(s.daily.map((d) => d.noDataSeconds)).toEqual([0, 0]);
    expect(s.incidents).toEqual([{ start: '2026-03-10T18:00:00Z', end: '2026-03-10T19:00:00Z', seconds: 3600 }]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/day boundaries .* inside the 1h buckets .* shared between its two days in proportion to time/);
  });

  it('a maintenance window over the outage excuses the same share of the bucket as if midnight were not in it', async () => {
    const r = await report(outage, [outage]);
    // The window covers 25 of the bucket's 60 minutes: 25/60 of its 50 down samples are excused,
    // once (each day excuses only within its own part of the bucket).
    expect(r.services[0]!.downSeconds).toBeCloseTo((50 - (50 * 25) / 60) * 30, 6);
  });

  it('the first day gives back the part of its first bucket before the range', async () => {
    // 18:35–18:55Z on 03-09 is 00:05–00:25 local on 03-10, in the range's first, cut, bucket.
    const r = await report([Date.UTC(2026, 2, 9, 18, 35), Date.UTC(2026, 2, 9, 18, 55)]);
    const s = r.services[0]!;
    // Half the bucket is in the range: half its 40 down samples.
    expect(s.downSeconds).toBe(600);
    // Nor can it tell whether that downtime was before the range: the incident is not marked as cut.
    expect(s.incidents).toEqual([{ start: '2026-03-09T18:30:00Z', end: '2026-03-09T19:00:00Z', seconds: 1800 }]);
  });

  it('an incident joined to a down bucket wholly outside the range is marked as cut by it', async () => {
    // 17:20Z on 03-09 to 19:40Z on 03-11 would be the whole range; two outages each cross one edge.
    const before = await report([Date.UTC(2026, 2, 9, 17, 20), Date.UTC(2026, 2, 9, 18, 55)]);
    expect(before.services[0]!.incidents).toEqual([{ start: '2026-03-09T18:30:00Z', end: '2026-03-09T19:00:00Z', seconds: 1800, startedBeforeRange: true }]);
    const after = await report([Date.UTC(2026, 2, 11, 18, 5), Date.UTC(2026, 2, 11, 19, 40)]);
    expect(after.services[0]!.incidents).toEqual([{ start: '2026-03-11T18:00:00Z', end: '2026-03-11T18:30:00Z', seconds: 1800, continuesAfterRange: true }]);
  });
});

describe('partBefore', () => {
  it('is the part of the bucket before a boundary, 0 on the grid', () => {
    expect(partBefore(Date.UTC(2026, 2, 9, 18, 30), HOUR)).toBe(0.5);
    expect(partBefore(Date.UTC(2026, 2, 9, 18, 15), HOUR)).toBe(0.25);
    expect(partBefore(Date.UTC(2026, 2, 9, 18), HOUR)).toBe(0);
  });
});
