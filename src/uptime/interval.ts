/**
 * @module uptime/interval
 * The sample interval a service's time figures are cut by: configured (`interval:`), else, for
 * a plain selector, inferred from its samples; any other expression is evaluated only at its
 * subquery steps, so its interval is that step.
 *
 * Inference reads one day, the densest of the range, hour by hour: each series' median count
 * per hour, over the hours strictly between its first and last hour of the day, is 3 600 s ÷ its
 * interval; the fastest series sets the interval. Interior hours are whole hours of the series'
 * life, so a series that starts or stops mid-day (a pod restart renames the probe's `instance`)
 * is not taken for a slower one, and the median shrugs off an hour cut by a gap or a sample that
 * jitter moved across the hour's edge. Without such hours (short ranges, short-lived series),
 * the day's length over the samples of one series bounds the interval (daily-totals.ts).
 */
import { parsePromDuration } from '../config/rules-duration.js';
import type { UptimeSpec } from '../generate/model.js';
import type { DayTotals } from './daily-totals.js';
import { isPlainSelector } from './promql-window.js';
import type { ReportDay } from './range.js';
import { chooseResolution, type ResolutionPolicy } from './resolution.js';
import type { ThanosClient } from './thanos-client.js';

export const DEFAULT_INTERVAL_MS = 60_000;

const HOUR = 3_600_000;

/** Scrape jitter aside, intervals are whole seconds. */
function roundSpacing(ms: number): number {
  return ms >= 1000 ? Math.round(ms / 1000) * 1000 : Math.max(1, Math.round(ms));
}

/** The interval from the daily totals alone: the smallest day length ÷ samples of one series, else one minute. */
export function intervalFromTotals(totals: DayTotals[]): number {
  const spacing = Math.min(...totals.map((t) => t.spacingMs ?? Infinity));
  return Number.isFinite(spacing) ? roundSpacing(spacing) : DEFAULT_INTERVAL_MS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** The smallest interval of any series, from its interior hours on `day`; undefined without any. */
async function intervalFromHours(client: ThanosClient, sel: string, day: ReportDay, opts: { now: number; policy: ResolutionPolicy }, warnings: Set<string>): Promise<number | undefined> {
  const hours = Math.floor((day.end - day.start) / HOUR);
  const first = day.start + HOUR - 1;
  const result = await client.range(`count_over_time(${sel}[${HOUR - 1}ms])`, first, first + (hours - 1) * HOUR, HOUR, chooseResolution(day.start, opts.now, opts.policy));
  for (const w of result.warnings) warnings.add(w);
  let best = Infinity;
  for (const s of result.series) {
    const counts = new Map(s.samples.filter((x) => x.v > 0).map((x) => [Math.round((x.t - first) / HOUR), x.v]));
    const seen = [...counts.keys()];
    const [lo, hi] = [Math.min(...seen), Math.max(...seen)];
    const interior = [...counts].filter(([h]) => h > lo && h < hi).map(([, v]) => v);
    if (interior.length === 0) continue;
    const perHour = median(interior);
    if (perHour >= 2) best = Math.min(best, HOUR / perHour);
  }
  return Number.isFinite(best) ? roundSpacing(best) : undefined;
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
  // The densest day of at least three hours (an interior hour needs one on either side).
  let densest: number | undefined;
  days.forEach((d, i) => {
    const rate = totals[i]!.count / (d.end - d.start);
    if (d.end - d.start >= 3 * HOUR && totals[i]!.count >= 2 && (densest === undefined || rate > totals[densest]!.count / (days[densest]!.end - days[densest]!.start))) densest = i;
  });
  const warnings = new Set<string>();
  const fromHours = densest === undefined ? undefined : await intervalFromHours(client, spec.up.trim(), days[densest]!, opts, warnings);
  return { intervalMs: fromHours ?? intervalFromTotals(totals), warnings: [...warnings] };
}
