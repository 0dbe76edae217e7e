/**
 * @module uptime/daily-totals
 * Per calendar day: the sum and the count of the `up` samples of every series, from
 * `sum_over_time` and `count_over_time` evaluated at each day's end. Consecutive days of one
 * length (and one source resolution) are a single `query_range` whose step is that length, so a
 * 90-day UTC report is one request; a daylight-saving day (23 or 25 hours) or a clipped first or
 * last day gets its own instant query.
 *
 * Samples that are not finite numbers (NaN from a 0/0 recording rule, ±Inf) are neither up nor
 * down: they are left out of both sums and counts, so their time is no data (Thanos drops NaN
 * when it downsamples, so raw and downsampled data agree). An expression's subquery filters them
 * in PromQL (promql-window.ts). A plain selector's `sum_over_time` cannot leave one out without a
 * subquery, which would lose its exactness, so a day whose sum comes back NaN or ±Inf (rare) is
 * read again: its raw samples, summed and counted here without the non-finite ones; on 5m/1h data
 * per bucket, a bucket whose sum is not finite left out whole (one aggregate holds it).
 *
 * A range query is evaluated at multiples of its step, its windows read back by an offset
 * (uptime/step-align.ts): a Thanos query-frontend moves any other evaluation time. A downsampled
 * bucket that a day boundary cuts (midnight in a half-hour zone on 1h data) is shared between its
 * two days in proportion to time (uptime/bucket-edges.ts).
 */
import type { ReportDay } from './range.js';
import { chooseResolution, resolutionStepMs, type ResolutionPolicy, type SourceResolution } from './resolution.js';
import { isPlainSelector, seriesKey, sumAndCountQuery } from './promql-window.js';
import { alignUp, instantAsked, rangeAsked, unaskedTimeError } from './step-align.js';
import { fetchBucketEdges, sharedBucketWarning } from './bucket-edges.js';
import type { QueryResult, ThanosClient } from './thanos-client.js';

export interface DayTotals {
  /** Sum of all finite samples of all series (up samples when values are 0/1). */
  sum: number;
  /** Number of finite samples of all series; 0 when the day has none. */
  count: number;
  /** Series that had at least one sample. */
  series: number;
  /** Fewest samples any of those series had: with the interval, whether every series covered the whole day. */
  minSeriesCount?: number;
  /** Smallest day length / sample count of any one series with two samples or more: an upper bound on its sample interval (ms). */
  spacingMs?: number;
}

export interface DailyTotalsResult {
  totals: DayTotals[];
  warnings: string[];
}

export interface Run {
  first: number;
  last: number;
  lengthMs: number;
  resolution: SourceResolution;
}

/** Maximal runs of consecutive days of equal length and resolution: one query each. */
export function runsOf(days: ReportDay[], now: number, policy: ResolutionPolicy): Run[] {
  const runs: Run[] = [];
  days.forEach((d, i) => {
    const lengthMs = d.end - d.start;
    const resolution = chooseResolution(d.start, now, policy);
    const prev = runs.at(-1);
    if (prev && prev.lengthMs === lengthMs && prev.resolution === resolution) prev.last = i;
    else runs.push({ first: i, last: i, lengthMs, resolution });
  });
  return runs;
}

/** One series' sum and count on one day. */
interface SeriesDay {
  sum: number;
  count: number;
}

/** Adds a day's per-series sums and counts to its totals. */
function addSeries(totals: DayTotals, day: ReportDay, slots: Iterable<SeriesDay>): void {
  for (const slot of slots) {
    // A share of a bucket cut by midnight (bucket-edges.ts) can leave a rounding error, not a series.
    if (!(slot.count > 1e-9)) continue;
    totals.sum += slot.sum;
    totals.count += slot.count;
    totals.series += 1;
    totals.minSeriesCount = Math.min(totals.minSeriesCount ?? Infinity, slot.count);
    if (slot.count >= 2) totals.spacingMs = Math.min(totals.spacingMs ?? Infinity, (day.end - day.start) / slot.count);
  }
}

/**
 * A plain selector's per-series sums and counts of the finite samples of `day` (see the module
 * comment): raw samples read whole; on 5m/1h data the buckets' sums and counts, at each bucket's
 * end − 1 ms, where Thanos stamps them (asked at the bucket's end, 1 ms back).
 */
async function finiteSeriesDays(client: ThanosClient, sel: string, day: ReportDay, resolution: SourceResolution): Promise<{ slots: SeriesDay[]; warnings: string[] }> {
  const perSeries = new Map<string, SeriesDay>();
  const slot = (key: string) => perSeries.get(key) ?? perSeries.set(key, { sum: 0, count: 0 }).get(key)!;
  const bucketMs = resolutionStepMs(resolution);
  let result: QueryResult;
  if (bucketMs === 0) {
    result = await client.instant(`${sel}[${day.end - day.start - 1}ms]`, day.end - 1, resolution);
    for (const s of result.series) {
      const into = slot(seriesKey(s.labels).key);
      for (const { v } of s.samples) {
        if (!Number.isFinite(v)) continue;
        into.sum += v;
        into.count += 1;
      }
    }
  } else {
    // Every bucket the day overlaps, by its stamp; one cut by midnight counts for its part of the
    // day (uptime/bucket-edges.ts).
    const first = Math.floor(day.start / bucketMs) * bucketMs + bucketMs - 1;
    const last = Math.floor((day.end - 1) / bucketMs) * bucketMs + bucketMs - 1;
    if (first > last) return { slots: [], warnings: [] };
    const { at, offsetMs } = alignUp(first, bucketMs);
    result = await client.range(sumAndCountQuery(sel, bucketMs - 1, bucketMs, offsetMs), at, last + offsetMs, bucketMs, resolution);
    const buckets = new Map<string, { sum?: number; count?: number }>();
    for (const s of result.series) {
      const { agg, key } = seriesKey(s.labels);
      for (const { t, v } of s.samples) {
        const b = buckets.get(`${key}@${t}`) ?? buckets.set(`${key}@${t}`, {}).get(`${key}@${t}`)!;
        if (agg === 'sum') b.sum = v;
        else if (agg === 'count') b.count = v;
      }
    }
    for (const [k, b] of buckets) {
      if (b.sum === undefined || b.count === undefined || !Number.isFinite(b.sum) || !Number.isFinite(b.count)) continue;
      const at = k.lastIndexOf('@');
      const bucketStart = Number(k.slice(at + 1)) - offsetMs + 1 - bucketMs;
      const part = (Math.min(bucketStart + bucketMs, day.end) - Math.max(bucketStart, day.start)) / bucketMs;
      const into = slot(k.slice(0, at));
      into.sum += part * b.sum;
      into.count += part * b.count;
    }
  }
  return { slots: [...perSeries.values()], warnings: result.warnings };
}

export async function fetchDailyTotals(
  client: ThanosClient,
  expr: string,
  days: ReportDay[],
  opts: { now: number; policy: ResolutionPolicy; subqueryStepMs: number },
): Promise<DailyTotalsResult> {
  const totals: DayTotals[] = days.map(() => ({ sum: 0, count: 0, series: 0 }));
  const dayByEvalTime = new Map(days.map((d, i) => [d.end - 1, i]));
  const warnings = new Set<string>();
  const plain = isPlainSelector(expr);
  /** Days a series' sum came back NaN or ±Inf for, with their resolution: read again. */
  const nonFinite = new Map<number, SourceResolution>();

  await Promise.all(
    runsOf(days, opts.now, opts.policy).map(async (run) => {
      const firstEval = days[run.first]!.end - 1;
      const lastEval = days[run.last]!.end - 1;
      // A range query asks at the next multiple of the step, reading back by the offset.
      const { at, offsetMs } = run.first === run.last ? { at: firstEval, offsetMs: 0 } : alignUp(firstEval, run.lengthMs);
      const query = sumAndCountQuery(expr, run.lengthMs - 1, opts.subqueryStepMs, offsetMs);
      // A plain selector's downsampled buckets cut by the days' boundaries, asked alongside.
      const bucketMs = resolutionStepMs(run.resolution);
      const boundaries = [...days.slice(run.first, run.last + 1).map((d) => d.start), days[run.last]!.end];
      const [result, cut] = await Promise.all([
        run.first === run.last ? client.instant(query, firstEval, run.resolution) : client.range(query, at, lastEval + offsetMs, run.lengthMs, run.resolution),
        plain && bucketMs > 0 ? fetchBucketEdges(client, expr.trim(), boundaries, bucketMs, run.resolution) : undefined,
      ]);
      for (const w of [...result.warnings, ...(cut?.warnings ?? [])]) warnings.add(w);
      // Per underlying series and day: its sum and count, to count series and bound the interval.
      const perSeries = new Map<string, { sum?: number; count?: number; day: number; nonFinite?: boolean }>();
      const slotOf = (key: string, day: number) => perSeries.get(`${key}@${day}`) ?? perSeries.set(`${key}@${day}`, { day }).get(`${key}@${day}`)!;
      for (const s of result.series) {
        const { agg, key } = seriesKey(s.labels);
        for (const { t, v } of s.samples) {
          // An instant query answers at its evaluation time; a range query's steps are the days'
          // ends − 1 ms plus the offset. Any other time answers another question (the client
          // checks range answers already): an error, never a sample dropped silently.
          const day = dayByEvalTime.get(t - offsetMs);
          if (day === undefined || day < run.first || day > run.last) {
            throw run.first === run.last
              ? unaskedTimeError(client.displayUrl, '/api/v1/query', t, instantAsked(at))
              : unaskedTimeError(client.displayUrl, '/api/v1/query_range', t, rangeAsked(at, lastEval + offsetMs, run.lengthMs));
          }
          const slot = slotOf(key, day);
          if (!Number.isFinite(v)) {
            slot.nonFinite = true;
            if (plain) nonFinite.set(day, run.resolution);
          } else if (agg === 'sum') slot.sum = v;
          else if (agg === 'count') slot.count = v;
        }
      }
      // Thanos put a bucket cut by a boundary wholly on the day after it: each day gives back the
      // part of the bucket before its start, and takes the part before its end.
      cut?.edges.forEach((edge, k) => {
        if (edge.before === 0 || edge.bucket.size === 0) return;
        warnings.add(sharedBucketWarning(run.resolution));
        for (const [key, bucket] of edge.bucket) {
          for (const [day, sign] of [[run.first + k, -1], [run.first + k - 1, 1]] as const) {
            if (day < run.first || day > run.last) continue;
            const slot = slotOf(key, day);
            slot.sum = (slot.sum ?? 0) + sign * edge.before * bucket.sum;
            slot.count = (slot.count ?? 0) + sign * edge.before * bucket.count;
          }
        }
      });
      for (const slot of perSeries.values()) {
        // A plain selector's day is read again below, every series; an expression's subquery
        // filters non-finite values, so one left is a series to leave out, not a 0.
        if (slot.nonFinite || nonFinite.has(slot.day)) continue;
        addSeries(totals[slot.day]!, days[slot.day]!, [{ sum: slot.sum ?? 0, count: slot.count ?? 0 }]);
      }
    }),
  );
  if (nonFinite.size > 0) {
    await Promise.all(
      [...nonFinite].map(async ([i, resolution]) => {
        const again = await finiteSeriesDays(client, expr.trim(), days[i]!, resolution);
        for (const w of again.warnings) warnings.add(w);
        totals[i] = { sum: 0, count: 0, series: 0 };
        addSeries(totals[i]!, days[i]!, again.slots);
      }),
    );
  }
  return { totals, warnings: [...warnings] };
}
