/**
 * @module maintenance/intervals
 * Maintenance windows as time intervals over a report range, for uptime: time inside a window
 * that covers a service is maintenance, neither downtime nor budget spend. A window covers an
 * uptime check when its matchers match the labels `{team, service}` (a window without matchers
 * covers every service of the team).
 */
import { parseDuration } from '../config/duration.js';
import { parseMatchers } from '../config/matchers.js';
import type { MatcherSet, TeamConfig } from '../config/types.js';
import { parseCron } from './cron.js';
import type { StoredWindow } from './state.js';

export interface MaintenanceInterval {
  start: Date;
  end: Date;
  reason: string;
}

interface WindowSpec {
  reason: string;
  matchers: MatcherSet[];
  intervals(from: Date, to: Date): { start: number; end: number }[];
}

function specs(team: TeamConfig | undefined, stored: readonly StoredWindow[]): WindowSpec[] {
  const out: WindowSpec[] = [];
  for (const m of team?.maintenance ?? []) {
    if (m.start && m.end) {
      const [s, e] = [Date.parse(m.start), Date.parse(m.end)];
      out.push({ reason: m.reason, matchers: m.matchers, intervals: () => [{ start: s, end: e }] });
    } else if (m.schedule && m.duration) {
      const cron = parseCron(m.schedule, m.timezone ?? 'UTC');
      const duration = parseDuration(m.duration);
      out.push({
        reason: m.reason,
        matchers: m.matchers,
        // Firings as the window's own opening uses them (daylight saving included: cron.ts).
        intervals: (from, to) => cron.firings(from.getTime() - duration, to.getTime()).map((t) => ({ start: t, end: t + duration })),
      });
    }
  }
  for (const w of stored) {
    const [s, e] = [Date.parse(w.start), Date.parse(w.end)];
    out.push({ reason: w.reason, matchers: w.matchers.map((x) => parseMatchers(x)), intervals: () => [{ start: s, end: e }] });
  }
  return out;
}

/** One report's maintenance: the merged, clipped intervals covering a service in its range. */
export type ServiceMaintenance = (service: string) => MaintenanceInterval[];

/**
 * The windows of a team over [from, to), prepared once for every service of a report: the
 * stored windows' matchers are parsed, and each window's intervals (a schedule's firings)
 * worked out, once per report, not once per service.
 */
export function maintenanceCoverage(team: TeamConfig | undefined, stored: readonly StoredWindow[], from: Date, to: Date): ServiceMaintenance {
  const windows = specs(team, stored).map((w) => {
    let clipped: { start: number; end: number; reason: string }[] | undefined;
    const intervals = () =>
      (clipped ??= w
        .intervals(from, to)
        .map((i) => ({ start: Math.max(i.start, from.getTime()), end: Math.min(i.end, to.getTime()), reason: w.reason }))
        .filter((i) => i.end > i.start));
    return { matchers: w.matchers, intervals };
  });
  return (service) => {
    const labels = { team: team?.team ?? '', service };
    const raw = windows
      .filter((w) => w.matchers.every((m) => m.matches(labels)))
      .flatMap((w) => w.intervals())
      .sort((a, b) => a.start - b.start);
    const merged: { start: number; end: number; reason: string }[] = [];
    for (const i of raw) {
      const last = merged[merged.length - 1];
      if (last && i.start <= last.end) {
        last.end = Math.max(last.end, i.end);
        if (!last.reason.split('; ').includes(i.reason)) last.reason = `${last.reason}; ${i.reason}`;
      } else merged.push({ ...i });
    }
    return merged.map((i) => ({ start: new Date(i.start), end: new Date(i.end), reason: i.reason }));
  };
}

/** Merged, clipped maintenance intervals covering a service in [from, to). */
export function maintenanceIntervals(
  team: TeamConfig | undefined,
  stored: readonly StoredWindow[],
  service: string,
  from: Date,
  to: Date,
): MaintenanceInterval[] {
  return maintenanceCoverage(team, stored, from, to)(service);
}
