/**
 * @module uptime/incidents
 * Contiguous down periods, found at fine resolution only for the days that had downtime. An
 * incident runs from its first down sample to the first sample after it that is up (or, if
 * samples stop, the last down sample plus one interval); periods of several series are united,
 * and periods that touch across midnight are one incident.
 *
 * A plain selector is read as raw samples (a range-vector instant query), so start and end are
 * the samples' own timestamps; any other expression is evaluated every interval (`query_range`).
 */
import { isPlainSelector } from './promql-window.js';
import type { ReportDay } from './range.js';
import { chooseResolution, type ResolutionPolicy } from './resolution.js';
import type { Sample, ThanosClient } from './thanos-client.js';

/** Half-open [start, end) in epoch ms. */
export interface Period {
  start: number;
  end: number;
}

/** A sample is down when the service was not fully up (0 for a probe; < 1 for a downsampled average). */
const isDown = (v: number) => Number.isFinite(v) && v < 1;

/**
 * Down periods of one series' samples (sorted by time). A down sample lasts until the next
 * sample if that comes within 1.5 intervals (scrape jitter), else for one interval: a gap in the
 * data is no-data time, not downtime.
 */
export function downPeriods(samples: Sample[], intervalMs: number, within: Period): Period[] {
  const out: Period[] = [];
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (s.t < within.start || s.t >= within.end || !isDown(s.v)) continue;
    const next = samples[i + 1];
    const end = next && next.t - s.t <= intervalMs * 1.5 ? next.t : s.t + intervalMs;
    out.push({ start: s.t, end });
  }
  return out;
}

/** Union of periods: overlapping or touching periods become one. */
export function mergePeriods(periods: Period[]): Period[] {
  const sorted = [...periods].sort((a, b) => a.start - b.start);
  const out: Period[] = [];
  for (const p of sorted) {
    const last = out.at(-1);
    if (last && p.start <= last.end) last.end = Math.max(last.end, p.end);
    else out.push({ ...p });
  }
  return out;
}

/** Down periods of `expr` on the given days (each `[start, end)`), not yet merged. */
export async function fetchDownPeriods(
  client: ThanosClient,
  expr: string,
  days: ReportDay[],
  opts: { intervalMs: number; now: number; policy: ResolutionPolicy },
): Promise<{ periods: Period[]; warnings: string[] }> {
  const plain = isPlainSelector(expr);
  // Read a little into the next day: the first sample after a down sample ends its period.
  const lookahead = 2 * opts.intervalMs;
  const warnings = new Set<string>();
  const perDay = await Promise.all(
    days.map(async (day) => {
      const resolution = chooseResolution(day.start, opts.now, opts.policy);
      const until = day.end + lookahead;
      const result = plain
        ? await client.instant(`${expr.trim()}[${until - day.start - 1}ms]`, until - 1, resolution)
        : await client.range(expr, day.start, until - 1, opts.intervalMs, resolution);
      for (const w of result.warnings) warnings.add(w);
      return result.series.flatMap((s) => downPeriods(s.samples, opts.intervalMs, day));
    }),
  );
  return { periods: perDay.flat(), warnings: [...warnings] };
}
