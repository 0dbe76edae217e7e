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

/** Config window `index` of `team` (`m`), when it is open at `now`. */
export function configWindowOpen(team: string, m: MaintenanceConfig, index: number, now: Date): OpenWindow | undefined {
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

/** Of the windows whose matchers (all of them) match these labels, the one ending last; a window without matchers covers all. */
function latestCovering(windows: readonly OpenWindow[], labels: Labels): OpenWindow | undefined {
  let latest: OpenWindow | undefined;
  for (const w of windows) {
    if (w.matchers.every((m) => m.matches(labels)) && (!latest || w.end > latest.end)) latest = w;
  }
  return latest;
}

/**
 * The window holding a group: every firing alert must be covered by an open window. The group is
 * held until the first alert is no longer covered, so the window returned is the one whose end
 * frees the group (its `end` is when the release pass must look again): of each alert's windows
 * the one ending last, and of those the one ending first.
 */
export function holdingWindow(windows: readonly OpenWindow[], alerts: readonly Alert[]): OpenWindow | undefined {
  if (windows.length === 0) return undefined;
  let freeing: OpenWindow | undefined;
  for (const a of alerts) {
    if (a.status !== 'firing') continue;
    const w = latestCovering(windows, a.labels);
    if (!w) return undefined;
    if (!freeing || w.end < freeing.end) freeing = w;
  }
  return freeing;
}
