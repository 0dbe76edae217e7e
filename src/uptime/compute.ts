/**
 * @module uptime/compute
 * One service's uptime over a range. Per day (contract): the sum and the count of the `up`
 * samples of all its series; the day's down share is 1 − Σ sums / Σ counts. A day's measured time
 * is the time covered by samples of at least one series (uptime/coverage.ts), the rest is no-data
 * time, neither up nor down; its downtime is the measured time × its down share, so up + down + no
 * data is the day. Down samples inside maintenance windows (told apart series by series when the
 * day's down periods are read: uptime/incidents.ts) are not downtime: they count as up.
 *
 * Uptime has one definition, for a day and for a range alike, the contract's: the samples of all
 * series together, 1 − Σ down samples / Σ samples (sum of sums over sum of counts), with the down
 * samples a maintenance window excuses counted as up, whether or not a window touches the range.
 * The error budget is spent from the same down share (remaining = 1 − down share / (1 −
 * objective), negative when overspent), so an objective is missed exactly when the budget is
 * overspent. `downSeconds` is time: the days' measured time × their down share, summed; over days
 * of different sample densities (a replica more on one day) it is not the range's measured time ×
 * its sample-weighted down share.
 */
import { parsePromDuration } from '../config/rules-duration.js';
import type { UptimeSpec } from '../generate/model.js';
import { fetchCoverage } from './coverage.js';
import { fetchDailyTotals, type DayTotals } from './daily-totals.js';
import { UptimeError } from './errors.js';
import { fetchDownPeriods, mergePeriods, type Period } from './incidents.js';
import type { ReportDay, ReportRange } from './range.js';
import { DEFAULT_INTERVAL_MS, sampleInterval } from './interval.js';
import { rfc3339, type DailyUptime, type Incident, type ServiceUptime } from './report-types.js';
import type { ResolutionPolicy } from './resolution.js';
import type { ThanosClient } from './thanos-client.js';
import type { MaintenanceInterval } from '../maintenance/intervals.js';

export interface ComputeOptions {
  now: number;
  policy: ResolutionPolicy;
  /** Maintenance windows covering the service in the range (merged): their downtime is excluded. */
  maintenance?: MaintenanceInterval[];
}

/** Total overlap of two lists of half-open intervals (each merged and sorted). */
function overlapMs(a: readonly Period[], b: readonly Period[]): number {
  let total = 0;
  for (const x of a) for (const y of b) total += Math.max(0, Math.min(x.end, y.end) - Math.max(x.start, y.start));
  return total;
}

/** Seconds rounded to milliseconds, so JSON shows 1320, not 1319.9999999998. */
const secs = (ms: number) => Math.round(ms) / 1000;

interface DayFigures {
  day: ReportDay;
  totals: DayTotals;
  /** Down samples (count − sum) less those inside maintenance windows. */
  downSamples: number;
  downMs: number;
  measuredMs: number;
  maintenanceMs: number;
}

/** Uptime in percent from the samples: 1 − down samples / samples. Null without samples. */
function uptimeOf(downSamples: number, count: number): number | null {
  if (count <= 0) return null;
  return (1 - Math.min(1, Math.max(0, downSamples) / count)) * 100;
}

/** A day's downtime: its measured time × the down share of its samples. */
const downTime = (measuredMs: number, downSamples: number, count: number) => (count > 0 ? measuredMs * Math.min(1, Math.max(0, downSamples) / count) : 0);

function dayFigures(day: ReportDay, totals: DayTotals, coveredMs: number): DayFigures {
  // A day without samples is all no data, whatever an expression's lookback may have covered.
  if (totals.count <= 0) return { day, totals, downSamples: 0, downMs: 0, measuredMs: 0, maintenanceMs: 0 };
  const downSamples = Math.max(0, totals.count - totals.sum);
  return { day, totals, downSamples, downMs: downTime(coveredMs, downSamples, totals.count), measuredMs: coveredMs, maintenanceMs: 0 };
}

/**
 * Every series of the day has samples for all of it, one interval short at most (scrape jitter at
 * the day's edges): then each sample stands for one interval of every series' shared time.
 */
function coversWholeDay(day: ReportDay, totals: DayTotals, intervalMs: number): boolean {
  return totals.count > 0 && (totals.minSeriesCount ?? 0) * intervalMs >= day.end - day.start - intervalMs;
}

/**
 * Measured time of a day every series covered: its samples' share of one series' time. An
 * interval that does not divide the day (7 minutes: 205.7 to 24 hours; 16 minutes: 86.25 to a
 * 23-hour day in a zone moving its clocks, or to a range cut mid-day) gives a series sampled
 * throughout 205 samples on some days and 206 on others, as its phase falls; 205 × 420 s read
 * 300 s of such a day as no data. So a series is short only by the samples it has below the fewest
 * the day, at its own length, can hold (a sample missing on a day of 206 is then within its
 * interval, as slots are); where the interval divides the day, that is samples × interval.
 */
function wholeDayMs(day: ReportDay, totals: DayTotals, intervalMs: number): number {
  const length = day.end - day.start;
  const perSeries = totals.count / totals.series;
  return Math.max(0, Math.min(length, length - (Math.floor(length / intervalMs) - perSeries) * intervalMs));
}

const hadDowntime = (t: DayTotals) => t.count > 0 && t.count - t.sum > 1e-9 * t.count;

/**
 * A warning when the `up` expression gave values above 1 (a `sum` or `count` of probes where
 * `min`/`max` was meant): uptime reads each sample as 1 up, 0 down, so such a day's surplus hid
 * its down samples and it read as 100 % up, however long the service was down.
 */
function aboveOneWarning(service: string, figures: DayFigures[]): string[] {
  const over = figures.find((f) => f.totals.count > 0 && f.totals.sum - f.totals.count > 1e-9 * f.totals.count);
  if (!over) return [];
  const mean = over.totals.sum / over.totals.count;
  return [
    `uptime check "${service}": its up expression gave values above 1 (on ${over.day.date} an average of ${mean.toFixed(3)}), but uptime reads 1 as up and 0 as down, so the downtime of those days is not counted: make it 0 or 1 (min or max by …, or … >= bool 1)`,
  ];
}

/** Prefixes errors with the service, keeping their kind (so HTTP and CLI still map them right). */
async function about<T>(team: string, service: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof UptimeError) throw new UptimeError(err.kind, `uptime check "${service}" of team "${team}": ${err.message}`, err.param);
    throw err;
  }
}

/**
 * The incidents (sorted, disjoint) that hold a down period of the range's own (`own`, sorted,
 * disjoint): each of those lies inside one incident, so one walk over both lists tells which
 * (an incident × period search was quadratic for a flapping month).
 */
function withOwnDowntime(incidents: Period[], own: Period[]): Period[] {
  const out: Period[] = [];
  let k = 0;
  for (const p of incidents) {
    while (k < own.length && own[k]!.end <= p.start) k++;
    if (k < own.length && own[k]!.start < p.end) out.push(p);
  }
  return out;
}

export async function computeServiceUptime(
  client: ThanosClient,
  team: string,
  spec: UptimeSpec,
  range: ReportRange,
  days: ReportDay[],
  opts: ComputeOptions,
): Promise<{ uptime: ServiceUptime; warnings: string[] }> {
  return about(team, spec.service, async () => {
    const configured = spec.interval === undefined ? undefined : parsePromDuration(spec.interval);
    const daily = await fetchDailyTotals(client, spec.up, days, {
      now: opts.now,
      policy: opts.policy,
      subqueryStepMs: configured ?? DEFAULT_INTERVAL_MS,
    });
    const interval = await sampleInterval(client, spec, days, daily.totals, opts);
    const intervalMs = interval.intervalMs;
    // Only a day some series did not sample throughout needs the coverage query (it doubled the
    // report's time when run for every day); on the others each series covers the whole day.
    const whole = days.map((d, i) => coversWholeDay(d, daily.totals[i]!, intervalMs));
    const coverage = await fetchCoverage(client, spec.up, days, { now: opts.now, policy: opts.policy, intervalMs }, whole.map((w, i) => !w && daily.totals[i]!.count > 0));
    const figures = days.map((d, i) => dayFigures(d, daily.totals[i]!, whole[i] ? wholeDayMs(d, daily.totals[i]!, intervalMs) : coverage.measuredMs[i]!));

    const maintenance = mergePeriods((opts.maintenance ?? []).map((m) => ({ start: m.start.getTime(), end: m.end.getTime() })));
    const downFigures = figures.filter((f) => hadDowntime(f.totals));
    const downDays = downFigures.map((f) => ({ ...f.day, samples: f.totals.count, series: f.totals.series, measuredMs: f.measuredMs }));
    const down = downDays.length
      ? await fetchDownPeriods(client, spec.up, downDays, { intervalMs, now: opts.now, policy: opts.policy, maintenance, range: { start: range.from, end: range.to } })
      : { periods: [] as Period[], excused: [] as number[], outside: [] as Period[], warnings: [] as string[] };

    // Downtime inside a maintenance window is not downtime: the down samples inside the windows
    // (each series' own, from the fine-grained reading) are taken off the day's down samples, so
    // one replica down inside a window cannot excuse another's downtime outside it.
    downFigures.forEach((f, k) => {
      f.downSamples = Math.max(0, f.downSamples - (down.excused[k] ?? 0));
      f.downMs = downTime(f.measuredMs, f.downSamples, f.totals.count);
    });
    for (const f of figures) f.maintenanceMs = overlapMs([{ start: f.day.start, end: f.day.end }], maintenance);

    const downSamples = figures.reduce((a, f) => a + f.downSamples, 0);
    const count = figures.reduce((a, f) => a + f.totals.count, 0);
    const downMs = figures.reduce((a, f) => a + f.downMs, 0);
    const measuredMs = figures.reduce((a, f) => a + f.measuredMs, 0);
    const maintenanceMs = figures.reduce((a, f) => a + f.maintenanceMs, 0);
    const lengthMs = range.to - range.from;
    const downShare = count > 0 ? Math.min(1, downSamples / count) : 0;
    const allowed = 1 - spec.objective / 100;
    const budgetLeft = count <= 0 ? null : allowed > 0 ? (1 - downShare / allowed) * 100 : downShare > 0 ? null : 100;

    // The range cuts an incident joined to downtime outside it (down.outside): start, end and
    // seconds are the range's part, and the incident says it was cut, so 23:30 to 00:00 on the
    // month's last day is not read as a 30-minute outage, nor 00:00 on the 1st as its start.
    // Only an incident with a down sample of the range's own is one: a probe 20 s off the minute
    // whose last down sample (23:59:20) lasts until 00:00:20 gave the next month an incident of
    // 20 s with nothing down. For the same reason it goes on after the range only if a down
    // sample after the range (the next report's own) joins it, or the range ends now and its
    // last sample was down (nothing after it yet).
    const outside = mergePeriods(down.outside);
    const endsNow = range.to >= opts.now;
    const incidents = withOwnDowntime(mergePeriods([...down.periods, ...outside]), mergePeriods(down.periods))
      .map((p) => ({
        start: Math.max(p.start, range.from),
        end: Math.min(p.end, range.to),
        before: outside.some((o) => o.start < range.from && o.start >= p.start && o.end <= p.end),
        after: outside.some((o) => o.start >= range.to && o.start >= p.start && o.end <= p.end) || (endsNow && p.end > range.to),
      }))
      .filter((p) => p.end > p.start)
      .map((p): Incident => {
        const inMaintenance = overlapMs([p], maintenance);
        return {
          start: rfc3339(p.start),
          end: rfc3339(p.end),
          seconds: secs(p.end - p.start),
          ...(inMaintenance > 0 ? { maintenanceSeconds: secs(inMaintenance) } : {}),
          ...(p.before ? { startedBeforeRange: true as const } : {}),
          ...(p.after ? { continuesAfterRange: true as const } : {}),
        };
      });

    const dailyOut: DailyUptime[] = figures.map((f) => ({
      date: f.day.date,
      uptimePercent: uptimeOf(f.downSamples, f.totals.count),
      downSeconds: secs(f.downMs),
      noDataSeconds: secs(f.day.end - f.day.start - f.measuredMs),
      maintenanceSeconds: secs(f.maintenanceMs),
    }));
    return {
      uptime: {
        service: spec.service,
        objective: spec.objective,
        uptimePercent: uptimeOf(downSamples, count),
        downSeconds: secs(downMs),
        noDataSeconds: secs(lengthMs - measuredMs),
        errorBudgetRemainingPercent: budgetLeft,
        incidents,
        daily: dailyOut,
        intervalSeconds: intervalMs / 1000,
        measuredSeconds: secs(measuredMs),
        maintenanceSeconds: secs(maintenanceMs),
        maintenance: (opts.maintenance ?? []).map((m) => ({ start: rfc3339(m.start.getTime()), end: rfc3339(m.end.getTime()), reason: m.reason })),
      },
      warnings: [...new Set([...aboveOneWarning(spec.service, figures), ...daily.warnings, ...interval.warnings, ...coverage.warnings, ...down.warnings])],
    };
  });
}
