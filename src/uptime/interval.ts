/**
 * @module uptime/interval
 * The sample interval a service's time figures are cut by: configured (`interval:`), else, for
 * a plain selector, inferred from its samples; any other expression is evaluated only at its
 * subquery steps, so its interval is that step.
 *
 * Inference reads one day, the densest of the range, hour by hour: each series' median count
 * per hour, over the hours strictly between its first and last hour of the day, is 3 600 s ÷ its
 * interval; the fastest series sets the interval. A range shorter than three hours is read the
 * same way in sixths of its longest day, cut to whole minutes (a 30-minute range of a 30 s probe
 * fell back to one minute, doubling its downtime and every gap's edge; a 29.5-minute range of a
 * 1-minute probe, in sixths of 295 s, read 59 s). Interior hours are whole hours of the series'
 * life, so a series that starts or stops mid-day (a pod restart renames the probe's `instance`)
 * is not taken for a slower one, and the median shrugs off an hour cut by a gap or a sample that
 * jitter moved across the hour's edge. Counts are exact only for an interval that divides the
 * window: a 7-minute probe holds 8 or 9 samples an hour (mostly 9: 400 s), so when a series'
 * interior windows disagree its interval is read from the raw samples' median spacing, some 32 of
 * the series that set it. Downsampled blocks keep counts, not sample times: the day is read from
 * raw data when the range has a day of it, else the counts' ratio over a run of hours tells the
 * interval (uptime/interval-counts.ts), and where it cannot tell it to the second the report
 * says so and asks for `interval:`. Without such hours (short ranges, short-lived series),
 * the day's length over the samples of one series bounds the interval (daily-totals.ts), from
 * days under an hour too when the range has no longer one.
 */
import { parsePromDuration } from '../config/rules-duration.js';
import type { UptimeSpec } from '../generate/model.js';
import type { DayTotals } from './daily-totals.js';
import { intervalFromCounts } from './interval-counts.js';
import { isPlainSelector, oneSeriesSelector } from './promql-window.js';
import type { ReportDay } from './range.js';
import { chooseResolution, resolutionStepMs, type ResolutionPolicy, type SourceResolution } from './resolution.js';
import { alignUp, offsetClause } from './step-align.js';
import type { ThanosClient } from './thanos-client.js';

export const DEFAULT_INTERVAL_MS = 60_000;

const HOUR = 3_600_000;

/** Scrape jitter aside, intervals are whole seconds. */
function roundSpacing(ms: number): number {
  return ms >= 1000 ? Math.round(ms / 1000) * 1000 : Math.max(1, Math.round(ms));
}

/**
 * The interval from the daily totals alone: the smallest day length ÷ samples of one series over
 * days of an hour or more, else (a range shorter than an hour) from the longest day that has
 * two samples of a series (a 90-second clipped day with two samples of a 1-minute probe would
 * say 45 s); else one minute.
 */
export function intervalFromTotals(days: ReportDay[], totals: DayTotals[]): number {
  const measured = totals.map((t, i) => ({ spacing: t.spacingMs, length: days[i]!.end - days[i]!.start })).filter((x) => x.spacing !== undefined);
  const long = measured.filter((x) => x.length >= HOUR);
  const longest = measured.reduce<typeof measured>((best, x) => (best.length === 0 || x.length > best[0]!.length ? [x] : best), []);
  const spacing = Math.min(...(long.length > 0 ? long : longest).map((x) => x.spacing!));
  return Number.isFinite(spacing) ? roundSpacing(spacing) : DEFAULT_INTERVAL_MS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** What the window counts tell: the smallest interval, and the series that set it and its interior span. */
interface WindowReading {
  intervalMs: number;
  /** That series' labels (without `__name__`, as `count_over_time` leaves them). */
  labels: Record<string, string>;
  /** That series' interior windows held different counts (or a gap): its interval may not divide the window. */
  uneven: boolean;
  /** Its interior windows, [from, to). */
  from: number;
  to: number;
  /** Its count in each interior window, in order (undefined: none). */
  counts: Array<number | undefined>;
}

/**
 * The smallest interval of any series, from its interior windows of `windowMs` on `day`
 * (windows strictly between the series' first and last one); undefined without any.
 */
async function intervalFromWindows(client: ThanosClient, sel: string, day: ReportDay, windowMs: number, resolution: SourceResolution, warnings: Set<string>): Promise<WindowReading | undefined> {
  const windows = Math.floor((day.end - day.start) / windowMs);
  if (windows < 3) return undefined;
  // Each window's end − 1 ms, asked at the next multiple of the window and read back by the
  // offset, so a query-frontend leaves the times alone (uptime/step-align.ts). Window w is
  // [day.start + w × windowMs, day.start + (w + 1) × windowMs).
  const { at, offsetMs } = alignUp(day.start + windowMs - 1, windowMs);
  const query = `count_over_time(${sel}[${windowMs - 1}ms]${offsetClause(offsetMs)})`;
  const result = await client.range(query, at, at + (windows - 1) * windowMs, windowMs, resolution);
  for (const w of result.warnings) warnings.add(w);
  let best: WindowReading | undefined;
  for (const s of result.series) {
    const counts = new Map(s.samples.filter((x) => x.v > 0).map((x) => [(x.t - at) / windowMs, x.v]));
    const seen = [...counts.keys()];
    const [lo, hi] = [Math.min(...seen), Math.max(...seen)];
    const interior = [...counts].filter(([w]) => w > lo && w < hi).map(([, v]) => v);
    if (interior.length === 0) continue;
    const perWindow = median(interior);
    if (perWindow < 2) continue;
    const intervalMs = windowMs / perWindow;
    if (best && best.intervalMs <= intervalMs) continue;
    const uneven = interior.length < hi - lo - 1 || interior.some((v) => v !== perWindow);
    const inOrder = Array.from({ length: hi - lo - 1 }, (_, k) => counts.get(lo + 1 + k));
    best = { intervalMs, labels: s.labels, uneven, from: day.start + (lo + 1) * windowMs, to: day.start + hi * windowMs, counts: inOrder };
  }
  return best && { ...best, intervalMs: roundSpacing(best.intervalMs) };
}

/** A series' labels but its name, as one key. */
const labelKey = ({ __name__: _name, ...rest }: Record<string, string>) => JSON.stringify(Object.entries(rest).sort());

/**
 * The interval as the raw samples of one series, the one with `labels`, space it: their median
 * time apart over `span` (a gap is one long spacing among many); undefined without three samples
 * there. Only that series is read (a selector may match thousands, and another's spacing is not
 * this interval); a series with more labels that the narrowed selector also matches is left out.
 */
async function intervalFromSpacing(client: ThanosClient, sel: string, labels: Record<string, string>, span: { from: number; to: number }, warnings: Set<string>): Promise<number | undefined> {
  const result = await client.instant(`${oneSeriesSelector(sel, labels)}[${span.to - span.from - 1}ms]`, span.to - 1, '0s');
  for (const w of result.warnings) warnings.add(w);
  const series = result.series.find((s) => labelKey(s.labels) === labelKey(labels));
  const times = (series?.samples ?? []).map((x) => x.t).sort((a, b) => a - b);
  return times.length < 3 ? undefined : roundSpacing(median(times.slice(1).map((t, i) => t - times[i]!)));
}

/** Samples of the fastest series the raw spacing is read over: enough for a median, few enough to stay small. */
const SPACING_SAMPLES = 32;

/** A warning that the counts of downsampled `day` tell the interval only to within `lowMs`–`highMs`. */
function approximateWarning(service: string, day: ReportDay, resolution: SourceResolution, intervalMs: number, span: { lowMs: number; highMs: number }): string {
  const s = (ms: number) => `${Math.round(ms / 1000)} s`;
  return (
    // Not "does not divide the hour": counts a dividing probe that missed samples gives are
    // warned of too (interval-counts.ts). Not "no raw data": a raw day under 3 hours is not read.
    `uptime check "${service}": its probe interval cannot be told to the second from the sample counts of Thanos' ${resolution} buckets (they keep no sample times), and the range has no day of raw data of 3 hours or more to read it from: ` +
    `read from the counts of ${day.date} as ${s(intervalMs)}, which they tell only to within ${s(span.lowMs)}–${s(span.highMs)}, so its no-data time and incident ends may be off by that much; set \`interval:\` in its check`
  );
}

/**
 * A warning that the counts of downsampled `day` could not be read for the interval (windows that
 * are not whole buckets, or too few samples a window): the median count's reading stands.
 */
function unreadCountsWarning(service: string, day: ReportDay, resolution: SourceResolution, intervalMs: number, windowMs: number): string {
  const whole = windowMs % resolutionStepMs(resolution) === 0;
  return (
    `uptime check "${service}": its probe interval cannot be told from the sample counts of Thanos' ${resolution} buckets (they keep no sample times) over ${day.date}` +
    `${whole ? ', whose windows hold too few samples' : ` in windows of ${Math.round(windowMs / 1000)} s, not whole buckets (a range under 3 hours is read in sixths)`}, and the range has no day of raw data of 3 hours or more: ` +
    `read as ${Math.round(intervalMs / 1000)} s from the median count per window, which may be off, and its no-data time and incident ends with it; set \`interval:\` in its check`
  );
}

/**
 * The interval from `windowMs` windows of `day`. Counts per window give it exactly when it divides
 * the window (every interior window holds the same number); one that does not (a 7-minute probe:
 * 8 or 9 samples an hour, mostly 9, read as 400 s) is read from the raw samples' spacing, over
 * some 32 samples of the series that set it. Downsampled data keeps no raw times: there the
 * ratio of its counts to their windows tells it (interval-counts.ts), with a warning where it
 * cannot tell it to the second.
 */
async function intervalOfDay(client: ThanosClient, sel: string, day: ReportDay, windowMs: number, opts: { now: number; policy: ResolutionPolicy; service: string }, warnings: Set<string>): Promise<number | undefined> {
  const resolution = chooseResolution(day.start, opts.now, opts.policy);
  const reading = await intervalFromWindows(client, sel, day, windowMs, resolution, warnings);
  if (!reading || !reading.uneven) return reading?.intervalMs;
  if (resolution !== '0s') {
    // Windows of whole buckets only: another window's count depends on where the buckets fall.
    // Either way the median may be off (README promises a warning where the counts cannot tell).
    const fromCounts = windowMs % resolutionStepMs(resolution) === 0 ? intervalFromCounts(reading.counts, windowMs) : undefined;
    if (!fromCounts) {
      warnings.add(unreadCountsWarning(opts.service, day, resolution, reading.intervalMs, windowMs));
      return reading.intervalMs;
    }
    if (fromCounts.approximate) warnings.add(approximateWarning(opts.service, day, resolution, fromCounts.intervalMs, fromCounts.approximate));
    return roundSpacing(fromCounts.intervalMs);
  }
  // No floor of a window: an hour of a 1 s probe is 3 600 samples where 32 tell the spacing.
  const to = Math.min(reading.to, reading.from + SPACING_SAMPLES * reading.intervalMs);
  return (await intervalFromSpacing(client, sel, reading.labels, { from: reading.from, to }, warnings)) ?? reading.intervalMs;
}

/**
 * The day to infer from and its window: the densest day of three hours or more, read hour by
 * hour, of raw data where the range has such a day (`raw`: only there are sample times kept, which
 * an interval that does not divide the hour is read from); in a shorter range, its longest day in
 * sixths (whole seconds).
 */
function inferenceWindow(days: ReportDay[], totals: DayTotals[], raw: (day: ReportDay) => boolean): { day: ReportDay; windowMs: number } | undefined {
  const sampled = days.map((day, i) => ({ day, length: day.end - day.start, count: totals[i]!.count })).filter((x) => x.count >= 2);
  const anyLong = sampled.filter((x) => x.length >= 3 * HOUR);
  const rawLong = anyLong.filter((x) => raw(x.day));
  const long = rawLong.length > 0 ? rawLong : anyLong;
  if (long.length > 0) {
    const densest = long.reduce((a, b) => (b.count / b.length > a.count / a.length ? b : a));
    return { day: densest.day, windowMs: HOUR };
  }
  if (sampled.length === 0) return undefined;
  const longest = sampled.reduce((a, b) => (b.length > a.length ? b : a));
  // Whole minutes where a sixth is a minute or more: probes run every so many seconds dividing a
  // minute, or every so many minutes, so a window of whole minutes holds a whole number of their
  // samples (a 295 s sixth held 4 or 5 of a 1-minute probe, mostly 5, and read as 59 s).
  const sixth = longest.length / 6;
  const unit = sixth >= 60_000 ? 60_000 : 1000;
  const windowMs = Math.floor(sixth / unit) * unit;
  return windowMs > 0 ? { day: longest.day, windowMs } : undefined;
}

export async function sampleInterval(
  client: ThanosClient,
  spec: UptimeSpec,
  days: ReportDay[],
  totals: DayTotals[],
  opts: { now: number; policy: ResolutionPolicy },
): Promise<{ intervalMs: number; warnings: string[] }> {
  const configured = spec.interval === undefined ? undefined : parsePromDuration(spec.interval);
  if (configured) return { intervalMs: configured, warnings: [] };
  if (!isPlainSelector(spec.up)) return { intervalMs: DEFAULT_INTERVAL_MS, warnings: [] };
  const at = inferenceWindow(days, totals, (day) => chooseResolution(day.start, opts.now, opts.policy) === '0s');
  const warnings = new Set<string>();
  const fromWindows = at && (await intervalOfDay(client, spec.up.trim(), at.day, at.windowMs, { ...opts, service: spec.service }, warnings));
  return { intervalMs: fromWindows ?? intervalFromTotals(days, totals), warnings: [...warnings] };
}
