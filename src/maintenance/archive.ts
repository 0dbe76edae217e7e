/**
 * @module maintenance/archive
 * Ad-hoc windows that ended a while ago, kept for uptime reports only. The team's maintenance
 * state (state.ts) forgets a window a week after it ended, to stay small: it is read by every
 * webhook that notifies. Dropped from reports with it, that planned work became downtime again,
 * and a past month's report changed (a monthly post caught up late said something else than the
 * page had). The archive is a record of its own, read by reports, never by a webhook.
 *
 * It is kept for good, one record per team and calendar month (UTC) holding the windows that
 * overlap that month (a window across a month's end is in both), so that no record grows with
 * the years or with a team's pace of windows, and a report reads only the months it covers. One
 * record per team lists the months there are (for DELETE, which knows a window by its id only).
 * A version before kept one record per team, trimmed to 400 days and 2,000 windows: a report of
 * a month over a year ago, or of last quarter after a busy team's 2,000 later windows, lost its
 * windows. That record is still read by every report, and no longer trimmed; it now takes only
 * the rare window longer than a year, which month records would copy a dozen times and more.
 *
 * The records are pseudo-groups under the message prefix, as the report scheduler's own records
 * are, so history retention keeps them and no list shows them.
 */
import { PSEUDO_GROUP_KEYS, stateGroupId, teamGroupId } from '../model/group-id.js';
import { pseudoGroupRecord } from '../store/pseudo-group.js';
import type { GroupRecord, GroupWrite } from '../store/store.js';
import type { StoredWindow } from './state.js';

/** The annotation holding a record's windows (the one-record archive's too). */
const ARCHIVE_KEY = 'alertgate.maintenance.archive';
/** The annotation of the months record. */
const MONTHS_KEY = 'alertgate.maintenance.archive.months';

const LEGACY_GROUP_KEY = `${PSEUDO_GROUP_KEYS.messagePrefix}maintenance-archive`;
const MONTHS_GROUP_KEY = `${PSEUDO_GROUP_KEYS.messagePrefix}maintenance-archive-months`;
const monthGroupKey = (month: string) => `${PSEUDO_GROUP_KEYS.messagePrefix}maintenance-archive:${month}`;

/** The one record per team a version before archived into (read, and written only by DELETE). */
export function legacyArchiveId(team: string): string {
  return stateGroupId(team, LEGACY_GROUP_KEY);
}

/** The record listing the months the team's archive has. */
export function archiveMonthsId(team: string): string {
  return stateGroupId(team, MONTHS_GROUP_KEY);
}

/** The record of the team's archived windows that overlap `month` (`YYYY-MM`, UTC). */
export function archiveMonthId(team: string, month: string): string {
  // Not stateGroupId: its cache is for the few records every webhook asks for.
  return teamGroupId(team, monthGroupKey(month));
}

export function readArchivedWindows(record: GroupRecord | undefined): StoredWindow[] {
  const raw = record?.commonAnnotations[ARCHIVE_KEY];
  return raw ? (JSON.parse(raw) as StoredWindow[]) : [];
}

export function readArchiveMonths(record: GroupRecord | undefined): string[] {
  const raw = record?.commonAnnotations[MONTHS_KEY];
  return raw ? (JSON.parse(raw) as string[]) : [];
}

/** A window overlapping more months than this goes to the one-record archive (see above). */
const MAX_WINDOW_MONTHS = 13;

/** The UTC months (`YYYY-MM`) that [from, to) overlaps, in order. */
export function monthsOverlapping(from: Date, to: Date): string[] {
  const months: string[] = [];
  const month = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth()));
  while (month.getTime() < to.getTime()) {
    months.push(month.toISOString().slice(0, 7));
    month.setUTCMonth(month.getUTCMonth() + 1);
  }
  return months;
}

/** The months a window is archived under (those it overlaps), or none for a window longer than a year. */
export function windowMonths(w: Pick<StoredWindow, 'start' | 'end'>): string[] {
  const months = monthsOverlapping(new Date(w.start), new Date(w.end));
  return months.length > MAX_WINDOW_MONTHS ? [] : months;
}

/** The archive records a report of [from, to) reads. */
export function archiveIdsFor(team: string, from: Date, to: Date): string[] {
  return [legacyArchiveId(team), ...monthsOverlapping(from, to).map((m) => archiveMonthId(team, m))];
}

/** A month's record with these windows. */
function monthRecord(team: string, month: string, windows: StoredWindow[], prev: GroupRecord | undefined, now: Date): GroupRecord {
  const id = archiveMonthId(team, month);
  return pseudoGroupRecord({ id, team, groupKey: monthGroupKey(month), status: 'resolved', annotations: { [ARCHIVE_KEY]: JSON.stringify(windows) } }, prev, now);
}

function legacyRecord(team: string, windows: StoredWindow[], prev: GroupRecord | undefined, now: Date): GroupRecord {
  const id = legacyArchiveId(team);
  return pseudoGroupRecord({ id, team, groupKey: LEGACY_GROUP_KEY, status: 'resolved', annotations: { [ARCHIVE_KEY]: JSON.stringify(windows) } }, prev, now);
}

function monthsRecord(team: string, months: string[], prev: GroupRecord | undefined, now: Date): GroupRecord {
  const id = archiveMonthsId(team);
  return pseudoGroupRecord({ id, team, groupKey: MONTHS_GROUP_KEY, status: 'resolved', annotations: { [MONTHS_KEY]: JSON.stringify(months) } }, prev, now);
}

/** The records `archiveWindows` needs loaded to archive `ended`, and the months among them. */
export function archiveIdsToLock(team: string, ended: readonly StoredWindow[]): { ids: string[]; months: string[] } {
  const months = [...new Set(ended.flatMap(windowMonths))];
  return { ids: [archiveMonthsId(team), legacyArchiveId(team), ...months.map((m) => archiveMonthId(team, m))], months };
}

/**
 * The writes that archive `ended` (once each), inside an `updateGroups` that loaded `current`
 * with the records `archiveIdsToLock` named for `locked` months. A window whose months are not
 * all locked (it ended after the caller looked) is left out: `archived` says which went in, and
 * the caller keeps the others where they are, for a later write.
 */
export function archiveWindows(
  team: string,
  ended: readonly StoredWindow[],
  current: ReadonlyMap<string, GroupRecord>,
  locked: ReadonlySet<string>,
  now: Date,
): { writes: GroupWrite[]; archived: StoredWindow[] } {
  const archived = ended.filter((w) => windowMonths(w).every((m) => locked.has(m)));
  const byMonth = new Map<string, StoredWindow[]>();
  const long: StoredWindow[] = [];
  for (const w of archived) {
    const months = windowMonths(w);
    if (months.length === 0) long.push(w);
    for (const m of months) byMonth.set(m, [...(byMonth.get(m) ?? []), w]);
  }
  const writes: GroupWrite[] = [];
  if (long.length > 0) {
    const prev = current.get(legacyArchiveId(team));
    const windows = new Map([...readArchivedWindows(prev), ...long].map((w) => [w.id, w]));
    writes.push({ group: legacyRecord(team, [...windows.values()], prev, now), notifications: [] });
  }
  for (const [month, added] of byMonth) {
    const prev = current.get(archiveMonthId(team, month));
    const windows = new Map([...readArchivedWindows(prev), ...added].map((w) => [w.id, w]));
    writes.push({ group: monthRecord(team, month, [...windows.values()], prev, now), notifications: [] });
  }
  const monthsPrev = current.get(archiveMonthsId(team));
  const months = readArchiveMonths(monthsPrev);
  const more = [...byMonth.keys()].filter((m) => !months.includes(m));
  if (more.length > 0) writes.push({ group: monthsRecord(team, [...months, ...more].sort(), monthsPrev, now), notifications: [] });
  return { writes, archived };
}

/**
 * The writes that delete window `id` from the archive, inside an `updateGroups` that loaded
 * `current` with the legacy record and the records of the months listed; none when it is in
 * none of them.
 */
export function unarchiveWindow(team: string, id: string, current: ReadonlyMap<string, GroupRecord>, months: readonly string[], now: Date): GroupWrite[] {
  const writes: GroupWrite[] = [];
  const legacy = current.get(legacyArchiveId(team));
  const legacyWindows = readArchivedWindows(legacy);
  if (legacyWindows.some((w) => w.id === id)) writes.push({ group: legacyRecord(team, legacyWindows.filter((w) => w.id !== id), legacy, now), notifications: [] });
  for (const month of months) {
    const prev = current.get(archiveMonthId(team, month));
    const windows = readArchivedWindows(prev);
    if (windows.some((w) => w.id === id)) writes.push({ group: monthRecord(team, month, windows.filter((w) => w.id !== id), prev, now), notifications: [] });
  }
  return writes;
}
