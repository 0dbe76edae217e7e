/**
 * @module maintenance/archive
 * Ad-hoc windows that ended a while ago, kept for uptime reports only. The team's maintenance
 * state (state.ts) forgets a window a week after it ended, to stay small: it is read by every
 * webhook that notifies. Dropped from reports with it, that planned work became downtime again,
 * and a past month's report changed (a monthly post caught up late said something else than the
 * page had). The archive is a record of its own, read by reports, never by a webhook.
 *
 * It is a pseudo-group under the message prefix, as the report scheduler's own records are, so
 * history retention keeps it and no list shows it.
 */
import { PSEUDO_GROUP_KEYS, stateGroupId } from '../model/group-id.js';
import { pseudoGroupRecord } from '../store/pseudo-group.js';
import type { GroupRecord } from '../store/store.js';
import type { StoredWindow } from './state.js';

/** Kept this long after they ended: a year of monthly and quarterly reports, and more. */
export const ARCHIVE_KEEP_MS = 400 * 86_400_000;
/** At most this many per team (the ones that ended last): a bound on one record's size. */
export const ARCHIVE_MAX_WINDOWS = 2_000;

const ARCHIVE_KEY = 'alertgate.maintenance.archive';
const GROUP_KEY = `${PSEUDO_GROUP_KEYS.messagePrefix}maintenance-archive`;

export function maintenanceArchiveId(team: string): string {
  return stateGroupId(team, GROUP_KEY);
}

export function readArchivedWindows(record: GroupRecord | undefined): StoredWindow[] {
  const raw = record?.commonAnnotations[ARCHIVE_KEY];
  return raw ? (JSON.parse(raw) as StoredWindow[]) : [];
}

/** The archive with `ended` added (once each), less what is past keeping, at `now`. */
export function archiveRecord(team: string, archived: StoredWindow[], ended: StoredWindow[], prev: GroupRecord | undefined, now: Date): GroupRecord {
  const byId = new Map([...archived, ...ended].map((w) => [w.id, w]));
  const kept = [...byId.values()]
    .filter((w) => Date.parse(w.end) > now.getTime() - ARCHIVE_KEEP_MS)
    .sort((a, b) => Date.parse(b.end) - Date.parse(a.end))
    .slice(0, ARCHIVE_MAX_WINDOWS);
  return pseudoGroupRecord(
    { id: maintenanceArchiveId(team), team, groupKey: GROUP_KEY, status: 'resolved', annotations: { [ARCHIVE_KEY]: JSON.stringify(kept) } },
    prev,
    now,
  );
}
