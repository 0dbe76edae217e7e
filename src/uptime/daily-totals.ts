/**
 * @module uptime/daily-totals
 * Per calendar day: the sum and the count of the `up` samples of every series, from
 * `sum_over_time` and `count_over_time` evaluated at each day's end. Consecutive days of one
 * length (and one source resolution) are a single `query_range` whose step is that length, so a
 * 90-day UTC report is one request; a daylight-saving day (23 or 25 hours) or a clipped first or
 * last day gets its own instant query.
 */
import type { ReportDay } from './range.js';
import { chooseResolution, type ResolutionPolicy, type SourceResolution } from './resolution.js';
import { AGG_LABEL, sumAndCountQuery } from './promql-window.js';
import type { ThanosClient } from './thanos-client.js';

export interface DayTotals {
  /** Sum of all samples of all series (up samples when values are 0/1). */
  sum: number;
  /** Number of samples of all series; 0 when the day has none. */
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

export async function fetchDailyTotals(
  client: ThanosClient,
  expr: string,
  days: ReportDay[],
  opts: { now: number; policy: ResolutionPolicy; subqueryStepMs: number },
): Promise<DailyTotalsResult> {
  const totals: DayTotals[] = days.map(() => ({ sum: 0, count: 0, series: 0 }));
  const dayByEvalTime = new Map(days.map((d, i) => [d.end - 1, i]));
  const warnings = new Set<string>();

  await Promise.all(
    runsOf(days, opts.now, opts.policy).map(async (run) => {
      const query = sumAndCountQuery(expr, run.lengthMs - 1, opts.subqueryStepMs);
      const firstEval = days[run.first]!.end - 1;
      const lastEval = days[run.last]!.end - 1;
      const result =
        run.first === run.last
          ? await client.instant(query, firstEval, run.resolution)
          : await client.range(query, firstEval, lastEval, run.lengthMs, run.resolution);
      for (const w of result.warnings) warnings.add(w);
      // Per underlying series and day: its sum and count, to count series and bound the interval.
      const perSeries = new Map<string, { sum?: number; count?: number; day: number }>();
      for (const s of result.series) {
        const { [AGG_LABEL]: agg, ...labels } = s.labels;
        const key = JSON.stringify(Object.entries(labels).sort());
        for (const { t, v } of s.samples) {
          // An instant query answers at its evaluation time; the range steps land on the day ends.
          const day = dayByEvalTime.get(t);
          if (day === undefined || !Number.isFinite(v)) continue;
          const slot = perSeries.get(`${key}@${day}`) ?? perSeries.set(`${key}@${day}`, { day }).get(`${key}@${day}`)!;
          if (agg === 'sum') slot.sum = v;
          else if (agg === 'count') slot.count = v;
        }
      }
      for (const slot of perSeries.values()) {
        if (!slot.count) continue;
        const t = totals[slot.day]!;
        t.sum += slot.sum ?? 0;
        t.count += slot.count;
        t.series += 1;
        t.minSeriesCount = Math.min(t.minSeriesCount ?? Infinity, slot.count);
        const d = days[slot.day]!;
        if (slot.count >= 2) {
          const spacing = (d.end - d.start) / slot.count;
          t.spacingMs = Math.min(t.spacingMs ?? Infinity, spacing);
        }
      }
    }),
  );
  return { totals, warnings: [...warnings] };
}
