/**
 * @module uptime/coverage
 * Measured time per day: the time covered by samples of at least one series of the `up`
 * expression, however many series it has and whenever they start or stop. Counting samples ×
 * interval ÷ series was wrong as soon as the series did not all cover the whole day: a pod
 * restart gives a probe a new `instance` label at noon (two half-day series read as half a day),
 * two probes of one service at 15 s and 60 s read as a day of 15-second samples cut short.
 *
 * The day is cut into slots of the sample interval (on downsampled data, of as many whole buckets
 * as cover the interval: a 5m-resolution series has one sample per bucket); a slot is measured when any series
 * has a sample in it (promql-window.ts coverageQuery). A day's measured time is its length less
 * its empty slots, so a day sampled throughout is measured whole even when its edges are not
 * slot-aligned, and a gap costs its length to within one slot.
 *
 * A run of days is one range query at multiples of its step (day ends moved forward, read back by
 * an offset: uptime/step-align.ts), which a Thanos query-frontend leaves alone.
 */
import { isPlainSelector, coverageQuery } from './promql-window.js';
import type { ReportDay } from './range.js';
import { resolutionStepMs, type ResolutionPolicy } from './resolution.js';
import { runsOf, type Run } from './daily-totals.js';
import { alignUp, instantAsked, unaskedTimeError } from './step-align.js';
import type { ThanosClient } from './thanos-client.js';

/** How many multiples of `step` lie in [lo, hi]: the slots Prometheus aligns subquery steps to. */
export function alignedSteps(lo: number, hi: number, step: number): number {
  return Math.max(0, Math.floor(hi / step) - Math.ceil(lo / step) + 1);
}

/** The parts of a run made of consecutive needed days. */
function neededParts(run: Run, needed: readonly boolean[]): Run[] {
  const parts: Run[] = [];
  for (let i = run.first; i <= run.last; i++) {
    if (!needed[i]) continue;
    const prev = parts.at(-1);
    if (prev && prev.last === i - 1) prev.last = i;
    else parts.push({ ...run, first: i, last: i });
  }
  return parts;
}

export interface CoverageResult {
  /** Per day: time covered by samples (ms), at most the day. */
  measuredMs: number[];
  warnings: string[];
}

export async function fetchCoverage(
  client: ThanosClient,
  expr: string,
  days: ReportDay[],
  opts: { now: number; policy: ResolutionPolicy; intervalMs: number },
  /** The days to measure (the others answer 0): a query per run of consecutive ones. */
  needed: readonly boolean[] = days.map(() => true),
): Promise<CoverageResult> {
  const plain = isPlainSelector(expr);
  const measuredMs = days.map(() => 0);
  const warnings = new Set<string>();

  await Promise.all(
    runsOf(days, opts.now, opts.policy).flatMap((run) => neededParts(run, needed)).map(async (run) => {
      // On 5m/1h data a series is seen only at its buckets' stamps, so a slot is whole buckets: a
      // 420 s slot of a 7-minute probe held one 5-minute stamp or two, and the one bucket could be
      // empty (its sample in the next), reading a sampled stretch as no data; 600 s holds one.
      const bucketMs = resolutionStepMs(run.resolution);
      const slotMs = bucketMs > 0 ? Math.ceil(opts.intervalMs / bucketMs) * bucketMs : Math.max(2, opts.intervalMs);
      const first = days[run.first]!.end;
      const last = days[run.last]!.end;
      const single = run.first === run.last;
      const { at, offsetMs } = single ? { at: first, offsetMs: 0 } : alignUp(first, run.lengthMs);
      const query = coverageQuery(expr, run.lengthMs - 1, slotMs, offsetMs);
      const result = single ? await client.instant(query, first, run.resolution) : await client.range(query, at, last + offsetMs, run.lengthMs, run.resolution);
      for (const w of result.warnings) warnings.add(w);
      // Keyed by the day's end; the client refuses a range answer at a time it did not ask for.
      const present = new Map<number, number>();
      for (const s of result.series) {
        for (const { t, v } of s.samples) {
          if (single && t !== first) throw unaskedTimeError(client.displayUrl, '/api/v1/query', t, instantAsked(first));
          if (Number.isFinite(v)) present.set(t - offsetMs, v);
        }
      }
      for (let i = run.first; i <= run.last; i++) {
        const d = days[i]!;
        const length = d.end - d.start;
        // The steps asked for: (start, end] for a plain selector, [start, end) otherwise.
        const slots = plain ? alignedSteps(d.start + 1, d.end, slotMs) : alignedSteps(d.start, d.end - 1, slotMs);
        const covered = Math.min(slots, present.get(d.end) ?? 0);
        measuredMs[i] = Math.max(0, Math.min(length, length - (slots - covered) * slotMs));
      }
    }),
  );
  return { measuredMs, warnings: [...warnings] };
}
