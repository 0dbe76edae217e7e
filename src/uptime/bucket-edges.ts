/**
 * @module uptime/bucket-edges
 * Downsampled buckets that a day boundary cuts in two. Thanos stamps a 5m or 1h bucket's sum and
 * count at the bucket's end − 1 ms, so a plain selector's day [start, end) adds up the buckets
 * that end in (start, end]: when midnight falls inside a bucket (a zone off the whole hour, such
 * as Asia/Kolkata, on 1h data; a range starting or ending off the bucket grid) that bucket went
 * wholly to the day after it, or out of the range, and a bucket of downtime could land on a day
 * the outage was not on.
 *
 * The aggregates cannot tell where in the bucket its samples were, so such a bucket is shared
 * between its two days in proportion to time: each day gives back the part of the bucket before
 * its start and takes the part before its end. Incidents read the same buckets the same way
 * (incidents.ts), and the report warns that those days are accurate only to within a bucket.
 */
import { AGG_LABEL, seriesKey, sumAndCountQuery } from './promql-window.js';
import type { SourceResolution } from './resolution.js';
import { alignUp, instantAsked, unaskedTimeError } from './step-align.js';
import type { QueryResult, ThanosClient } from './thanos-client.js';

/** One series' sum and count. */
export interface SumCount {
  sum: number;
  count: number;
}

export interface BucketEdge {
  /** The day boundary (epoch ms). */
  at: number;
  /** The part of the bucket before `at`: 0 when `at` is on the bucket grid (nothing to share). */
  before: number;
  /**
   * Per underlying series (seriesKey), the bucket's finite sum and count when it is one
   * downsampled aggregate stamped after `at`; a series with samples before `at` in the bucket
   * (raw data), or a non-finite sum, is left out: nothing of it to share.
   */
  bucket: Map<string, SumCount>;
}

/** The part of the bucket of `bucketMs` holding `at` that lies before it, 0 to 1. */
export function partBefore(at: number, bucketMs: number): number {
  return (((at % bucketMs) + bucketMs) % bucketMs) / bucketMs;
}

const stampOf = (at: number, bucketMs: number) => Math.floor(at / bucketMs) * bucketMs + bucketMs - 1;

/**
 * The bucket's sum and count (at its stamp, over the bucket), and how many samples are stamped in
 * it before the boundary `cutMs` into it: none on downsampled data, whose one aggregate is stamped
 * at the bucket's end; some on raw data (Prometheus ignores the resolution), whose days are exact
 * already and must not be shared.
 */
function edgeQuery(sel: string, bucketMs: number, cutMs: number, offsetMs: number): string {
  const before = `count_over_time(${sel}[${cutMs - 1}ms] offset ${offsetMs + bucketMs - cutMs}ms)`;
  return `${sumAndCountQuery(sel, bucketMs - 1, bucketMs, offsetMs)} or label_replace(${before}, "${AGG_LABEL}", "before", "", "")`;
}

/**
 * The buckets holding `boundaries` (ascending), with their sums and counts; none is asked for
 * when every boundary is on the bucket grid. Evenly spaced boundaries (a run of days of one
 * length) are one range query; others an instant query each.
 */
export async function fetchBucketEdges(client: ThanosClient, sel: string, boundaries: number[], bucketMs: number, resolution: SourceResolution): Promise<{ edges: BucketEdge[]; warnings: string[] }> {
  const edges = boundaries.map((at) => ({ at, before: partBefore(at, bucketMs), bucket: new Map<string, SumCount>() }));
  // A cut of 1 ms leaves no window to look for samples before it in; its share is nothing anyway.
  const cut = edges.filter((e) => e.before * bucketMs > 1);
  if (cut.length === 0) return { edges, warnings: [] };
  const stamps = cut.map((e) => stampOf(e.at, bucketMs));
  const cutMs = (e: BucketEdge) => Math.round(e.before * bucketMs);
  const gap = stamps.length > 1 ? stamps[1]! - stamps[0]! : 0;
  const even = gap > 0 && stamps.every((t, i) => i === 0 || t - stamps[i - 1]! === gap) && cut.every((e) => cutMs(e) === cutMs(cut[0]!));
  const results: Array<{ result: QueryResult; edgeOf: (t: number) => BucketEdge }> = [];
  if (even) {
    const { at, offsetMs } = alignUp(stamps[0]!, gap);
    const result = await client.range(edgeQuery(sel, bucketMs, cutMs(cut[0]!), offsetMs), at, at + (stamps.length - 1) * gap, gap, resolution);
    results.push({ result, edgeOf: (t) => cut[(t - at) / gap]! });
  } else {
    const asked = await Promise.all(cut.map((e, i) => client.instant(edgeQuery(sel, bucketMs, cutMs(e), 0), stamps[i]!, resolution)));
    asked.forEach((result, i) =>
      results.push({
        result,
        edgeOf: (t) => {
          if (t !== stamps[i]) throw unaskedTimeError(client.displayUrl, '/api/v1/query', t, instantAsked(stamps[i]!));
          return cut[i]!;
        },
      }),
    );
  }
  for (const { result, edgeOf } of results) {
    const parts = new Map<BucketEdge, Map<string, Partial<SumCount> & { before?: number }>>();
    for (const s of result.series) {
      const { agg, key } = seriesKey(s.labels);
      for (const { t, v } of s.samples) {
        const edge = edgeOf(t);
        const bySeries = parts.get(edge) ?? parts.set(edge, new Map()).get(edge)!;
        const part = bySeries.get(key) ?? bySeries.set(key, {}).get(key)!;
        if (agg === 'sum') part.sum = v;
        else if (agg === 'count') part.count = v;
        else if (agg === 'before') part.before = v;
      }
    }
    for (const [edge, bySeries] of parts) {
      for (const [key, { sum, count, before }] of bySeries) {
        if (before || sum === undefined || count === undefined || !Number.isFinite(sum) || !Number.isFinite(count)) continue;
        edge.bucket.set(key, { sum, count });
      }
    }
  }
  return { edges, warnings: [...new Set(results.flatMap((r) => r.result.warnings))] };
}

/** The report's warning when days were cut inside buckets of `resolution`. */
export function sharedBucketWarning(resolution: SourceResolution): string {
  return (
    `Some day boundaries of this report fall inside the ${resolution} buckets of Thanos' downsampled data (a time zone off the whole hour, or a range off the bucket grid): ` +
    `each such bucket is shared between its two days in proportion to time, so those days' uptime, downtime and incidents are exact only to within one ${resolution} bucket.`
  );
}
