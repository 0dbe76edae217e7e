/**
 * @module maintenance/windows
 * Which maintenance windows are open at a moment, from the team's config (one-off start/end, or
 * a cron schedule with a duration in the window's timezone) and the ad-hoc ones of the API.
 */
import { parseDuration } from '../config/duration.js';
import { parseMatchers } from '../config/matchers.js';
import type { MaintenanceConfig, MatcherSet, TeamConfig } from '../config/types.js';
import type { Alert, Labels } from '../model/alert.js';
import { openWindowStart, parseCron } from './cron.js';
import type { StoredWindow } from './state.js';

export interface OpenWindow {
  id: string;
  reason: string;
  matchers: MatcherSet[];
  start: Date;
  end: Date;
  source: 'config' | 'api';
}

function configWindowOpen(team: string, m: MaintenanceConfig, index: number, now: Date): OpenWindow | undefined {
  const base = { id: `${team}.config-${index}`, reason: m.reason, matchers: m.matchers, source: 'config' as const };
  if (m.start && m.end) {
    const start = new Date(m.start);
    const end = new Date(m.end);
    return start <= now && now < end ? { ...base, start, end } : undefined;
  }
  if (m.schedule && m.duration) {
    const duration = parseDuration(m.duration);
    const start = openWindowStart(parseCron(m.schedule, m.timezone ?? 'UTC'), duration, now);
    return start ? { ...base, start, end: new Date(start.getTime() + duration) } : undefined;
  }
  return undefined;
}

export function storedWindowOpen(w: StoredWindow, now: Date): OpenWindow | undefined {
  const start = new Date(w.start);
  const end = new Date(w.end);
  if (!(start <= now && now < end)) return undefined;
  return { id: w.id, reason: w.reason, matchers: w.matchers.map((s) => parseMatchers(s)), start, end, source: 'api' };
}

export function openWindows(team: TeamConfig | undefined, stored: readonly StoredWindow[], now: Date): OpenWindow[] {
  const fromConfig = (team?.maintenance ?? []).flatMap((m, i) => configWindowOpen(team!.team, m, i, now) ?? []);
  return [...fromConfig, ...stored.flatMap((w) => storedWindowOpen(w, now) ?? [])];
}

/** A window whose matchers (all of them) match these labels; a window without matchers covers all. */
export function windowFor(windows: readonly OpenWindow[], labels: Labels): OpenWindow | undefined {
  return windows.find((w) => w.matchers.every((m) => m.matches(labels)));
}

/** The window holding a group: every firing alert must be covered by an open window. */
export function holdingWindow(windows: readonly OpenWindow[], alerts: readonly Alert[]): OpenWindow | undefined {
  const firing = alerts.filter((a) => a.status === 'firing');
  if (firing.length === 0 || windows.length === 0) return undefined;
  let first: OpenWindow | undefined;
  for (const a of firing) {
    const w = windowFor(windows, a.labels);
    if (!w) return undefined;
    first ??= w;
  }
  return first;
}
