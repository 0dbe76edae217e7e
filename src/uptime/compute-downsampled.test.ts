/**
 * Incidents on Thanos-downsampled data. A plain selector read at `max_source_resolution=5m`
 * comes back as one sample per 5-minute bucket (its average), so a down sample stands for its
 * bucket, not for one probe interval. The fake Thanos below answers as a Querier does over 5m
 * blocks: the day's sum and count of the raw samples (the aggregates Thanos keeps), and a range
 * selector as one averaged sample per bucket, stamped with the bucket's last raw sample. The
 * second fake stamps each bucket as Thanos does, at its end − 1 ms, which put incidents one
 * bucket late (and an outage in the range's last bucket became a 1 ms incident).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { computeServiceUptime } from './compute.js';
import { closeAllFakeThanos, startFakeThanos } from './fake-thanos.case.js';
import { calendarDays } from './range.js';
import { DEFAULT_RESOLUTION_POLICY } from './resolution.js';
import { createThanosClient } from './thanos-client.js';

const MIN = 60_000;
const DAY = 1440 * MIN;
const dayStart = Date.UTC(2026, 7, 1); // 61 days before `now`: past raw retention, read at 5m
const now = Date.UTC(2026, 9, 1, 12);
const outage = { start: dayStart + 600 * MIN, end: dayStart + 630 * MIN }; // 10:00–10:30 UTC
const labels = { __name__: 'probe_success', job: 'blackbox' };
const raw: { t: number; v: number }[] = [];
for (let t = dayStart + 15_000; t < dayStart + DAY + 10 * MIN; t += 30_000) raw.push({ t, v: t >= outage.start && t < outage.end ? 0 : 1 });

function answer(params: URLSearchParams) {
  expect(params.get('max_source_resolution')).toBe('5m');
  const query = params.get('query') ?? '';
  const at = Number(params.get('time')) * 1000;
  if (query.startsWith('label_replace')) {
    const inDay = raw.filter((s) => s.t > at - DAY && s.t <= at);
    const sum = inDay.reduce((a, s) => a + s.v, 0);
    const result = [
      { metric: { ...labels, alertgate_agg: 'sum' }, value: [at / 1000, String(sum)] },
      { metric: { ...labels, alertgate_agg: 'count' }, value: [at / 1000, String(inDay.length)] },
    ];
    return { status: 200, body: { status: 'success', data: { resultType: 'vector', result } } };
  }
  if (query.startsWith('count_over_time(group(')) {
    // Coverage in 5-minute slots [t − 5m, t) for the aligned t in (at − day, at]: a bucket's
    // sample is stamped inside its bucket, so a slot is covered when its bucket has raw samples.
    let slots = 0;
    for (let t = Math.floor(at / (5 * MIN)) * 5 * MIN; t > at - DAY; t -= 5 * MIN) if (raw.some((s) => s.t >= t - 5 * MIN && s.t < t)) slots++;
    return { status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [at / 1000, String(slots)] }] } } };
  }
  const from = at - Number(/\[(\d+)ms\]$/.exec(query)![1]);
  const values: [number, string][] = [];
  for (let bucket = Math.floor(from / (5 * MIN)) * 5 * MIN; bucket <= at; bucket += 5 * MIN) {
    const xs = raw.filter((s) => s.t >= bucket && s.t < bucket + 5 * MIN && s.t >= from && s.t <= at);
    if (xs.length) values.push([xs.at(-1)!.t / 1000, String(xs.reduce((a, s) => a + s.v, 0) / xs.length)]);
  }
  return { status: 200, body: { status: 'success', data: { resultType: 'matrix', result: [{ metric: labels, values }] } } };
}

describe('incidents on 5m-downsampled data', () => {
  afterEach(closeAllFakeThanos);

  it('a 30-minute outage is one 30-minute incident, as long as its downtime', async () => {
    const thanos = await startFakeThanos((params) => answer(params));
    const range = { from: dayStart, to: dayStart + DAY, tz: 'UTC' };
    const spec = { service: 'checkout', up: 'probe_success{job="blackbox"}', objective: 99.9, interval: '30s' };
    const { uptime } = await computeServiceUptime(createThanosClient({ url: thanos.url }), 'payments', spec, range, calendarDays(range), { now, policy: DEFAULT_RESOLUTION_POLICY });
    expect(uptime.downSeconds).toBe(1800);
    expect(uptime.incidents).toHaveLength(1);
    const [incident] = uptime.incidents;
    expect(incident!.seconds).toBe(1800);
    // The buckets' samples are stamped with their last raw sample (hh:04:45), so the incident's
    // edges sit within one bucket of the outage's.
    expect(Math.abs(Date.parse(incident!.start) - outage.start)).toBeLessThan(5 * MIN);
  });
});

/**
 * A fake Querier answering as Thanos does over downsampled blocks of `series` (raw samples per
 * series): a bucket's aggregates are its raw samples' sum and count (NaN dropped, as Thanos'
 * downsampling drops it; ±Inf kept), stamped at the bucket's end − 1 ms (Thanos'
 * `currentWindow`); `sum_over_time`/`count_over_time` add them up (also the interval's hourly
 * counts), a range selector answers their averages, and the coverage query counts the buckets
 * whose average is finite.
 */
function thanosLike(series: Record<string, { t: number; v: number }[]>, bucketMs: number, resolution: string) {
  const finite = Object.fromEntries(Object.entries(series).map(([k, xs]) => [k, xs.filter((s) => !Number.isNaN(s.v))]));
  const metric = (instance: string) => ({ __name__: 'probe_success', job: 'blackbox', instance });
  const text = (v: number) => (v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));
  const inWindow = (raw: { t: number; v: number }[], from: number, at: number) => raw.filter((s) => s.t - (s.t % bucketMs) + bucketMs - 1 >= from && s.t - (s.t % bucketMs) + bucketMs - 1 <= at);
  return (params: URLSearchParams, path: string) => {
    expect(params.get('max_source_resolution')).toBe(resolution);
    const query = params.get('query') ?? '';
    if (query.startsWith('label_replace')) {
      const windowMs = Number(/\[(\d+)ms\]/.exec(query)![1]);
      // A range query is asked at multiples of its step and reads back by an offset.
      const back = Number(/\] offset (\d+)ms/.exec(query)?.[1] ?? 0);
      const times: number[] = [];
      if (path.endsWith('query_range')) for (let t = Number(params.get('start')) * 1000; t <= Number(params.get('end')) * 1000; t += Number(params.get('step')) * 1000) times.push(t);
      else times.push(Number(params.get('time')) * 1000);
      const result = Object.entries(finite).flatMap(([instance, raw]): object[] => {
        const points = times.map((at) => ({ at, xs: inWindow(raw, at - back - windowMs, at - back) })).filter((p) => p.xs.length > 0);
        const sums = points.map((p) => [p.at / 1000, text(p.xs.reduce((a, s) => a + s.v, 0))]);
        const counts = points.map((p) => [p.at / 1000, String(p.xs.length)]);
        if (!path.endsWith('query_range'))
          return points.length ? [{ metric: { ...metric(instance), alertgate_agg: 'sum' }, value: sums[0] }, { metric: { ...metric(instance), alertgate_agg: 'count' }, value: counts[0] }] : [];
        return [
          { metric: { ...metric(instance), alertgate_agg: 'sum' }, values: sums },
          { metric: { ...metric(instance), alertgate_agg: 'count' }, values: counts },
        ];
      });
      return { status: 200, body: { status: 'success', data: { resultType: path.endsWith('query_range') ? 'matrix' : 'vector', result } } };
    }
    const windowCount = /^count_over_time\(probe_success\{[^}]*\}\[(\d+)ms\](?: offset (\d+)ms)?\)$/.exec(query);
    if (windowCount && path.endsWith('query_range')) {
      // The interval's hourly counts: the buckets' counts whose stamps fall in each window.
      const [windowMs, back] = [Number(windowCount[1]), Number(windowCount[2] ?? 0)];
      const times: number[] = [];
      for (let t = Number(params.get('start')) * 1000; t <= Number(params.get('end')) * 1000; t += Number(params.get('step')) * 1000) times.push(t);
      const result = Object.entries(finite).map(([instance, raw]) => ({
        metric: { job: 'blackbox', instance },
        values: times.map((t) => [t / 1000, String(inWindow(raw, t - back - windowMs, t - back).length)]).filter(([, n]) => n !== '0'),
      }));
      return { status: 200, body: { status: 'success', data: { resultType: 'matrix', result } } };
    }
    const at = Number(params.get('time')) * 1000;
    if (query.startsWith('count_over_time(group(')) {
      // Steps at the multiples t of the slot in (at − range, at], each covered when a bucket
      // stamped in [t − slot, t − 1 ms] has a finite average.
      const [rangeMs, slotMs] = /\[(\d+)ms:(\d+)ms\]/.exec(query)!.slice(1).map(Number) as [number, number];
      const sums = Object.values(finite).map((raw) => {
        const bySum = new Map<number, number>();
        for (const s of raw) bySum.set(s.t - (s.t % bucketMs), (bySum.get(s.t - (s.t % bucketMs)) ?? 0) + s.v);
        return bySum;
      });
      let slots = 0;
      for (let t = Math.floor(at / slotMs) * slotMs; t > at - rangeMs; t -= slotMs) {
        const stamped = (b: number) => b + bucketMs - 1 >= t - slotMs && b + bucketMs - 1 <= t - 1;
        if (sums.some((bySum) => [...bySum].some(([b, sum]) => stamped(b) && Number.isFinite(sum)))) slots++;
      }
      return { status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [at / 1000, String(slots)] }] } } };
    }
    const from = at - Number(/\[(\d+)ms\]$/.exec(query)![1]);
    const result = Object.entries(finite).map(([instance, raw]) => {
      const values: [number, string][] = [];
      for (let bucket = Math.floor(from / bucketMs) * bucketMs; bucket <= at; bucket += bucketMs) {
        const stamp = bucket + bucketMs - 1;
        if (stamp < from || stamp > at) continue;
        const xs = raw.filter((s) => s.t >= bucket && s.t < bucket + bucketMs);
        if (xs.length) values.push([stamp / 1000, text(xs.reduce((a, s) => a + s.v, 0) / xs.length)]);
      }
      return { metric: metric(instance), values };
    });
    return { status: 200, body: { status: 'success', data: { resultType: 'matrix', result } } };
  };
}

/** A 30 s probe from `dayStart` to two hours into the next day, down in the given minutes of the day; `odd` values at given times. */
function probe(dayStart: number, down: Array<[number, number]>, odd: Record<number, number> = {}): { t: number; v: number }[] {
  const out: { t: number; v: number }[] = [];
  for (let t = dayStart + 15_000; t < dayStart + DAY + 120 * MIN; t += 30_000) out.push({ t, v: odd[t] ?? (down.some(([a, b]) => t >= dayStart + a * MIN && t < dayStart + b * MIN) ? 0 : 1) });
  return out;
}

describe('downsampled buckets as Thanos stamps them (at the bucket end − 1 ms)', () => {
  afterEach(closeAllFakeThanos);
  const spec = { service: 'checkout', up: 'probe_success{job="blackbox"}', objective: 99.9, interval: '30s' };
  const fiveMinuteDay = Date.UTC(2026, 7, 1); // 61 days before `now`: read at 5m
  const hourDay = Date.UTC(2026, 2, 10); // 205 days before `now`: read at 1h
  const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

  async function run(dayStart: number, series: Record<string, { t: number; v: number }[]>, bucketMs: number, resolution: string, windows: Array<[number, number]> = []) {
    const thanos = await startFakeThanos(thanosLike(series, bucketMs, resolution));
    const range = { from: dayStart, to: dayStart + DAY, tz: 'UTC' };
    const maintenance = windows.map(([a, b]) => ({ start: new Date(dayStart + a * MIN), end: new Date(dayStart + b * MIN), reason: 'patching' }));
    const { uptime } = await computeServiceUptime(createThanosClient({ url: thanos.url }), 'payments', spec, range, calendarDays(range), { now, policy: DEFAULT_RESOLUTION_POLICY, maintenance });
    return uptime;
  }

  it('1h: an incident is the bucket it happened in, also the last one of the range', async () => {
    const uptime = await run(hourDay, { a: probe(hourDay, [[610, 620], [1390, 1400]]) }, 60 * MIN, '1h');
    expect(uptime.downSeconds).toBe(1200);
    expect(uptime.incidents).toEqual([
      { start: iso(hourDay + 600 * MIN), end: iso(hourDay + 660 * MIN), seconds: 3600 },
      { start: iso(hourDay + 1380 * MIN), end: iso(hourDay + DAY), seconds: 3600 },
    ]);
  });

  it('5m: an outage that ended before the window began stays downtime', async () => {
    const uptime = await run(fiveMinuteDay, { a: probe(fiveMinuteDay, [[606, 608]]) }, 5 * MIN, '5m', [[610, 620]]);
    expect(uptime.downSeconds).toBe(120);
    expect(uptime.incidents).toEqual([{ start: iso(fiveMinuteDay + 605 * MIN), end: iso(fiveMinuteDay + 610 * MIN), seconds: 300 }]);
  });

  it('1h: an outage in the hour before the window stays downtime', async () => {
    const uptime = await run(hourDay, { a: probe(hourDay, [[610, 620]]) }, 60 * MIN, '1h', [[660, 720]]);
    expect(uptime.downSeconds).toBe(600);
    expect(uptime.incidents).toEqual([{ start: iso(hourDay + 600 * MIN), end: iso(hourDay + 660 * MIN), seconds: 3600 }]);
  });

  it('1h: a window over the whole bucket excuses its downtime; over part of it, the bucket\'s down share of that part', async () => {
    const down = { a: probe(hourDay, [[610, 620]]) };
    expect((await run(hourDay, down, 60 * MIN, '1h', [[600, 660]])).downSeconds).toBe(0);
    // Down 10 of the bucket's 60 minutes; the window covers 30 of them: 5 minutes are excused.
    expect((await run(hourDay, down, 60 * MIN, '1h', [[600, 630]])).downSeconds).toBe(300);
  });

  it('5m, two replicas: only the down share inside the window is excused', async () => {
    // a down 10:00–10:30 (the window); both down 14:00–14:30.
    const uptime = await run(fiveMinuteDay, { a: probe(fiveMinuteDay, [[600, 630], [840, 870]]), b: probe(fiveMinuteDay, [[840, 870]]) }, 5 * MIN, '5m', [[600, 630]]);
    // 180 of 5 760 samples down, 60 of them (a's) inside the window: 120 / 5 760 of the day.
    expect(uptime.downSeconds).toBe(1800);
    expect(uptime.incidents.map((i) => [i.start, i.end, i.maintenanceSeconds])).toEqual([
      [iso(fiveMinuteDay + 600 * MIN), iso(fiveMinuteDay + 630 * MIN), 1800],
      [iso(fiveMinuteDay + 840 * MIN), iso(fiveMinuteDay + 870 * MIN), undefined],
    ]);
  });

  it('5m, a probe every 7 minutes: a slot holds a whole number of buckets, so a gapless stretch is never no data', async () => {
    // Samples at 00:05:10 + 7k min; none 10:00–11:00. Slots of 420 s held one 5-minute bucket
    // stamp or two: [00:00, 00:07) only the 00:00 bucket's, empty (its sample is at 00:05:10), so
    // a gapless probe had minutes of no data. Slots of 600 s are two whole buckets, one of which
    // holds each sample: only the six slots 10:00–11:00 are empty, 6 × 600 = 3 600 s.
    const raw: { t: number; v: number }[] = [];
    for (let t = fiveMinuteDay + 310_000; t < fiveMinuteDay + DAY + 120 * MIN; t += 7 * MIN) if (t < fiveMinuteDay + 600 * MIN || t >= fiveMinuteDay + 660 * MIN) raw.push({ t, v: 1 });
    const thanos = await startFakeThanos(thanosLike({ a: raw }, 5 * MIN, '5m'));
    const range = { from: fiveMinuteDay, to: fiveMinuteDay + DAY, tz: 'UTC' };
    const seven = { ...spec, interval: '7m' };
    const { uptime } = await computeServiceUptime(createThanosClient({ url: thanos.url }), 'payments', seven, range, calendarDays(range), { now, policy: DEFAULT_RESOLUTION_POLICY });
    expect({ noData: uptime.noDataSeconds, down: uptime.downSeconds }).toEqual({ noData: 3600, down: 0 });
  });

  it('interval not configured, a probe every 7 or 11 minutes: read from the hourly counts (420 s, 660 s), a 2-hour gap is no data', async () => {
    // The median count per hour read 400 s and 720 s; at 720 s a day of 121 samples was whole.
    const every = (dayStart: number, intervalMs: number, gap: [number, number]) => {
      const raw: { t: number; v: number }[] = [];
      for (let t = dayStart - DAY + 130_000; t < dayStart + DAY + 120 * MIN; t += intervalMs) if (t < dayStart + gap[0] * MIN || t >= dayStart + gap[1] * MIN) raw.push({ t, v: 1 });
      return raw;
    };
    const inferred = { ...spec, interval: undefined };
    for (const [dayStart, bucketMs, resolution] of [[fiveMinuteDay, 5 * MIN, '5m'], [hourDay, 60 * MIN, '1h']] as const) {
      for (const [minutes, noData] of [[7, 7200], [11, 7200]] as const) {
        const thanos = await startFakeThanos(thanosLike({ a: every(dayStart, minutes * MIN, [360, 480]) }, bucketMs, resolution));
        const range = { from: dayStart, to: dayStart + DAY, tz: 'UTC' };
        const { uptime, warnings } = await computeServiceUptime(createThanosClient({ url: thanos.url }), 'payments', inferred, range, calendarDays(range), { now, policy: DEFAULT_RESOLUTION_POLICY });
        // Slots of whole buckets (600 s or 900 s on 5m, 3 600 s on 1h) hold the gap's edges whole.
        expect({ resolution, minutes, interval: uptime.intervalSeconds, noData: uptime.noDataSeconds, warnings }).toEqual({ resolution, minutes, interval: minutes * 60, noData, warnings: [] });
        await thanos.close();
      }
    }
  });

  it('5m: a NaN sample is dropped (as Thanos drops it); a bucket with an ±Inf sample is left out whole, as no data', async () => {
    const odd = { [fiveMinuteDay + 600 * MIN + 15_000]: NaN, [fiveMinuteDay + 720 * MIN + 15_000]: Infinity };
    const uptime = await run(fiveMinuteDay, { a: probe(fiveMinuteDay, [[840, 850]], odd) }, 5 * MIN, '5m');
    // 20 of the 2 869 samples left (the NaN dropped, the 12:00 bucket's 10 left out) are down.
    // The 12:00 bucket is no data; the NaN's 30 s are not (its bucket has other samples), so
    // the measured 86 100 s hold 2 869 samples: down 600 s to within the bucket's precision.
    expect(uptime.noDataSeconds).toBe(300);
    expect(uptime.uptimePercent).toBeCloseTo((1 - 20 / 2869) * 100, 9);
    expect(uptime.downSeconds).toBeCloseTo((86_100 * 20) / 2869, 3);
    expect(uptime.incidents.map((i) => [i.start, i.end])).toEqual([[iso(fiveMinuteDay + 840 * MIN), iso(fiveMinuteDay + 850 * MIN)]]);
  });
});
