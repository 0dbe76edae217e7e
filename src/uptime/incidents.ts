/**
 * @module uptime/incidents
 * Contiguous down periods, found at fine resolution only for the days that had downtime. An
 * incident runs from its first down sample to the first sample after it that is up (or, if
 * samples stop, the last down sample plus one interval: the probe's, or on downsampled data the
 * 5m or 1h bucket each sample stands for); periods of several series are united, and periods
 * that touch across midnight are one incident. Down periods of samples outside the report's range
 * (read a little before its start and past its end) are kept apart (`outside`): they are never
 * downtime, only how the report knows that its range cut an incident (uptime/compute.ts).
 *
 * A plain selector is read as raw samples (a range-vector instant query), so start and end are
 * the samples' own timestamps, and only for the hours that had downtime (found first with an
 * hourly count − sum); any other expression is evaluated every interval (`query_range`). On
 * downsampled data a plain selector answers one sample per bucket, which Thanos stamps at the
 * bucket's end − 1 ms (its `currentWindow`; the last bucket of a chunk at its last raw sample):
 * each such sample stands for its bucket [floor(t / res) × res, + res), not for the time after
 * its stamp, which put incidents one bucket late. A bucket that midnight cuts (a half-hour zone on
 * 1h data) belongs to both its days, as the daily totals share it (uptime/bucket-edges.ts).
 *
 * The same reading tells how much of a day's downtime fell inside maintenance windows, in down
 * samples (as the daily count − sum counts them): each down sample's 1 − value, for the share
 * of its period inside a window. A downsampled sample averages its bucket, so it stands for the
 * raw samples a bucket of that day holds on average; a window over part of a bucket excuses
 * that part's share of the bucket's downtime (the data cannot tell where in the bucket it was).
 * So one replica down inside a window excuses its own samples, never another's downtime outside
 * the window.
 */
import { isPlainSelector } from './promql-window.js';
import type { ReportDay } from './range.js';
import { chooseResolution, resolutionStepMs, type ResolutionPolicy, type SourceResolution } from './resolution.js';
import { alignUp, offsetClause } from './step-align.js';
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
  eachDownSample(samples, intervalMs, within, (start, end) => out.push({ start, end }));
  return out;
}

/**
 * Calls `visit` with the period (as downPeriods gives it) and the value of every down sample in
 * `within`; with `overlapping`, of every one whose period overlaps it (a downsampled bucket that
 * midnight cuts belongs to both its days, as their totals share it: bucket-edges.ts).
 */
function eachDownSample(samples: Sample[], intervalMs: number, within: Period, visit: (start: number, end: number, value: number) => void, overlapping = false): void {
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const next = samples[i + 1];
    const end = next && next.t - s.t <= intervalMs * 1.5 ? next.t : s.t + intervalMs;
    if ((overlapping ? end <= within.start : s.t < within.start) || s.t >= within.end || !isDown(s.v)) continue;
    visit(s.t, end, s.v);
  }
}

/**
 * The share of [start, end) inside `windows` (merged, sorted half-open periods), 0 to 1.
 */
export function shareInside(windows: readonly Period[], start: number, end: number): number {
  if (end <= start || windows.length === 0) return 0;
  // The first window that ends after `start`.
  let lo = 0;
  let hi = windows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (windows[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  let inside = 0;
  for (let i = lo; i < windows.length && windows[i]!.start < end; i++) inside += Math.min(end, windows[i]!.end) - Math.max(start, windows[i]!.start);
  return inside / (end - start);
}

/**
 * How many raw samples one downsampled sample of `spacingMs` stands for on `day`: the day's
 * samples per series and measured time, else the probe's interval into the bucket.
 */
function samplesPerBucket(day: DownDay, spacingMs: number, intervalMs: number): number {
  if (day.series && day.measuredMs && day.measuredMs > 0) return (day.samples * spacingMs) / (day.series * day.measuredMs);
  return spacingMs / intervalMs;
}

/** Downsampled samples placed at the start of the bucket of `bucketMs` each stands for. */
export function bucketStarts(samples: readonly Sample[], bucketMs: number): Sample[] {
  return samples.map((s) => ({ t: s.t - (((s.t % bucketMs) + bucketMs) % bucketMs), v: s.v }));
}

/**
 * How far apart a series' samples stand. Data asked for at 5m or 1h resolution has one sample
 * per bucket on Thanos, so each down sample stands for its bucket (with the probe's interval a
 * 30-minute outage read at 5m became six 30-second incidents); Prometheus ignores the resolution
 * and answers raw samples. So the median gap between samples is taken, between the probe's
 * interval and the bucket.
 */
export function sampleSpacingMs(samples: readonly Sample[], intervalMs: number, bucketMs: number): number {
  if (bucketMs <= intervalMs || samples.length < 2) return intervalMs;
  const gaps = samples.slice(1).map((s, i) => s.t - samples[i]!.t);
  gaps.sort((a, b) => a - b);
  const median = gaps[gaps.length >> 1]!;
  return Math.min(bucketMs, Math.max(intervalMs, median));
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

const HOUR = 3_600_000;

/** A day with downtime and how many samples it has (from the daily totals). */
export interface DownDay extends ReportDay {
  samples: number;
  /** Series with samples and the day's measured time: how many raw samples a bucket holds on average. */
  series?: number;
  measuredMs?: number;
}

/** A window to read raw samples from; down samples count only inside [start, end). */
interface Window extends Period {
  resolution: SourceResolution;
}

/** Above this many samples in a day, find its down hours first instead of reading it whole. */
export const WHOLE_DAY_MAX_SAMPLES = 20_000;

/**
 * The hours of a densely sampled `day` that had downtime, merged into runs: one cheap query (24
 * points) so that only those hours' raw samples are read. A day of at most
 * WHOLE_DAY_MAX_SAMPLES samples (a 1-minute probe has 1 440) is read whole: one request is
 * cheaper than two. So are days that are not whole hours and 1-hour downsampled data.
 */
async function downHours(client: ThanosClient, sel: string, day: DownDay, resolution: SourceResolution, warnings: Set<string>): Promise<Window[]> {
  const length = day.end - day.start;
  if (day.samples <= WHOLE_DAY_MAX_SAMPLES || resolution === '1h' || length % HOUR !== 0) return [{ start: day.start, end: day.end, resolution }];
  // Each hour asked at the next multiple of an hour after its end − 1 ms, read back by the offset
  // (uptime/step-align.ts): 1 ms, or 30 or 45 minutes more in zones off the hour.
  const { at, offsetMs } = alignUp(day.start + HOUR - 1, HOUR);
  const rv = `${sel}[${HOUR - 1}ms]${offsetClause(offsetMs)}`;
  // Hours whose sum is below their count, or not finite (a NaN or ±Inf sample hides the others).
  const query = `count_over_time(${rv}) unless (sum_over_time(${rv}) >= count_over_time(${rv}) < +Inf)`;
  const result = await client.range(query, at, day.end - 1 + offsetMs, HOUR, resolution);
  for (const w of result.warnings) warnings.add(w);
  const hours = [...new Set(result.series.flatMap((s) => s.samples.map((x) => x.t - offsetMs + 1 - HOUR)))].sort((a, b) => a - b);
  return mergePeriods(hours.map((h) => ({ start: h, end: h + HOUR }))).map((p) => ({ ...p, resolution }));
}

export interface DownPeriodsResult {
  /** Down periods, not yet merged. */
  periods: Period[];
  /** Per day given: its down samples inside the maintenance windows (see the module comment). */
  excused: number[];
  /**
   * Down periods known to lie outside `opts.range` (empty without it): those of raw samples
   * taken before or after it, whole (a probe 20 s off the minute has its last sample before the
   * range down until 00:00:20, so an incident under way is down from the range's start, not from
   * its first sample in it), and downsampled buckets wholly before or after it (a bucket the
   * range's edge cuts cannot tell on which side its downtime was). An incident joined to one of
   * them was under way when the range started, or still going on when it ended; one made of them
   * alone is none of the range's (uptime/compute.ts). A sample in the range whose period reaches
   * past its end is not one: the next range has no down sample of it.
   */
  outside: Period[];
  warnings: string[];
}

/** Down periods of `expr` on the given days (each `[start, end)`), and their downtime inside `maintenance`. */
export async function fetchDownPeriods(
  client: ThanosClient,
  expr: string,
  days: DownDay[],
  opts: {
    intervalMs: number;
    now: number;
    policy: ResolutionPolicy;
    /** Merged and sorted. */ maintenance?: readonly Period[];
    /**
     * The report's range: a window at its start is read from a little before it (one at its end
     * is read a little past it anyway), for the downtime outside it (`outside`), which never
     * counts, but tells the report that the range cut an incident (uptime/compute.ts).
     */
    range?: Period;
  },
): Promise<DownPeriodsResult> {
  const plain = isPlainSelector(expr);
  const sel = expr.trim();
  const maintenance = opts.maintenance ?? [];
  const warnings = new Set<string>();
  const range = opts.range;
  const outside: Period[] = [];
  /** A down period known to lie outside the range (see DownPeriodsResult.outside). */
  const keepOutside = (start: number, end: number, bucketed: boolean): void => {
    if (!range) return;
    if ((bucketed ? end <= range.start : start < range.start) || start >= range.end) outside.push({ start, end });
  };
  const perDay = await Promise.all(
    days.map(async (day) => {
      const resolution = chooseResolution(day.start, opts.now, opts.policy);
      const windows = plain ? await downHours(client, sel, day, resolution, warnings) : [{ start: day.start, end: day.end, resolution }];
      let excused = 0;
      const periods = await Promise.all(
        windows.map(async (w) => {
          // Read a little past each window: the first sample after a down sample ends its period.
          const stepMs = resolutionStepMs(w.resolution);
          const lead = 2 * Math.max(opts.intervalMs, stepMs);
          const until = w.end + lead;
          const atRangeStart = range !== undefined && w.start <= range.start;
          const atRangeEnd = range !== undefined && w.end >= range.end;
          const readFrom = atRangeStart ? w.start - lead : w.start;
          // An expression is evaluated at multiples of the interval, as its daily sums' subquery
          // steps are (and as a query-frontend would move any other times: uptime/step-align.ts).
          const result = plain
            ? await client.instant(`${sel}[${until - readFrom - 1}ms]`, until - 1, w.resolution)
            : await client.range(expr, alignUp(readFrom, opts.intervalMs).at, until - 1, opts.intervalMs, w.resolution);
          for (const x of result.warnings) warnings.add(x);
          const out: Period[] = [];
          for (const s of result.series) {
            const spacing = sampleSpacingMs(s.samples, opts.intervalMs, stepMs);
            // One sample per bucket (Thanos' downsampled data, not Prometheus ignoring the resolution).
            const bucketed = plain && stepMs > 0 && spacing >= stepMs;
            const each = bucketed ? samplesPerBucket(day, spacing, opts.intervalMs) : 1;
            const visit = (start: number, end: number, value: number) => {
              out.push({ start, end });
              keepOutside(start, end, bucketed);
              if (maintenance.length === 0) return;
              // A bucket cut by midnight excuses on this day only its part of the day.
              const [from, to] = bucketed ? [Math.max(start, w.start), Math.min(end, w.end)] : [start, end];
              excused += (1 - value) * each * shareInside(maintenance, from, to) * ((to - from) / (end - start));
            };
            const samples = bucketed ? bucketStarts(s.samples, stepMs) : s.samples;
            eachDownSample(samples, spacing, w, visit, bucketed);
            // Just outside the range: whether an incident reaches past it, never downtime.
            const beyond = (start: number, end: number) => keepOutside(start, end, bucketed);
            if (atRangeStart) eachDownSample(samples, spacing, { start: readFrom, end: w.start }, beyond, bucketed);
            if (atRangeEnd) eachDownSample(samples, spacing, { start: w.end, end: until }, beyond, bucketed);
          }
          return out;
        }),
      );
      return { periods: periods.flat(), excused };
    }),
  );
  return { periods: perDay.flatMap((d) => d.periods), excused: perDay.map((d) => d.excused), outside, warnings: [...warnings] };
}
