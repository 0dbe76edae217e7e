/**
 * @module uptime/resolution
 * Which Thanos `max_source_resolution` to ask for. Thanos keeps raw samples for a while, then
 * only 5-minute and later 1-hour downsampled blocks; a query restricted to raw data over a range
 * where raw blocks were deleted returns nothing. So: raw where raw data still exists, `5m` beyond
 * the raw retention, `1h` beyond the 5m retention. Sums and counts stay exact on downsampled
 * data (Thanos keeps per-bucket sum and count aggregates), which is why uptime is computed from
 * `sum_over_time`/`count_over_time`. Plain Prometheus ignores the parameter.
 */

export type SourceResolution = '0s' | '5m' | '1h';

export interface ResolutionPolicy {
  /** How long raw samples are kept (ms). Default 30 days. */
  rawRetentionMs: number;
  /** How long 5-minute downsampled data is kept (ms). Default 180 days. */
  fiveMinuteRetentionMs: number;
}

export const DEFAULT_RESOLUTION_POLICY: ResolutionPolicy = {
  rawRetentionMs: 30 * 86_400_000,
  fiveMinuteRetentionMs: 180 * 86_400_000,
};

/** Time between two samples of data read at `resolution` (0 for raw: the samples' own spacing). */
export function resolutionStepMs(resolution: SourceResolution): number {
  return resolution === '5m' ? 300_000 : resolution === '1h' ? 3_600_000 : 0;
}

/** The finest resolution that still covers a window starting at `start` (epoch ms). */
export function chooseResolution(start: number, now: number, policy: ResolutionPolicy = DEFAULT_RESOLUTION_POLICY): SourceResolution {
  const age = now - start;
  if (age <= policy.rawRetentionMs) return '0s';
  if (age <= policy.fiveMinuteRetentionMs) return '5m';
  return '1h';
}
