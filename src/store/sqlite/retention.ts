/**
 * @module store/sqlite/retention
 * History retention for the SQLite store (`Store.pruneHistory`): which rows a step removes is
 * read on the store's own thread; the writer deletes them, checking each again, since a write
 * queued before the step's (a dead item requeued, a group changed) may have changed it.
 *
 * Groups are deleted with foreign keys off. `notifications.group_id` references `groups (id)`
 * with no index of its own (schema-v4.ts: one entry per notification in a B-tree keyed by a
 * hash would cost every webhook's write a random page), so with foreign keys on SQLite would
 * scan the whole notifications table for every group deleted. Off, nothing cascades, and the
 * step deletes the group's rows itself: its alerts and Slack refs by `group_seq`. Its
 * notifications are gone by then: a group goes only when its newest notification is older than
 * the cut (`last_notification_at`, schema-v8.ts) and none is pending or failed (the queue's own
 * index), so each was final and older than the cut, and a step looks at groups only once no such
 * notification is left.
 */
import type Database from 'better-sqlite3';
import { PSEUDO_GROUP_KEYS } from '../../model/group-id.js';
import type { PruneStep } from '../store.js';

const FINAL = `('sent', 'suppressed', 'dead')`;

/** Not one of alertgate's own records (pseudo-group.ts), which hold state and must stay. */
const OWN_RECORD = `(group_key = '${PSEUDO_GROUP_KEYS.maintenance}'
  OR substr(group_key, 1, ${PSEUDO_GROUP_KEYS.stormPrefix.length}) = '${PSEUDO_GROUP_KEYS.stormPrefix}'
  OR substr(group_key, 1, ${PSEUDO_GROUP_KEYS.messagePrefix.length}) = '${PSEUDO_GROUP_KEYS.messagePrefix}')`;

/**
 * A group written before migration 8 has no `last_notification_at`: its notifications were
 * stamped with its updates, up to a clock's difference (the decision's and the store's), so it
 * waits this much longer. So does a group never notified, which loses nothing by it.
 */
const UNKNOWN_LAST_NOTIFICATION_MARGIN_MS = 60 * 60 * 1000;

const PRUNABLE_GROUP = `status = 'resolved' AND held_until IS NULL AND NOT ${OWN_RECORD}
  AND CASE WHEN last_notification_at IS NULL THEN updated_at < @unknown_before
    ELSE updated_at < @updated_before AND last_notification_at < @before END`;

const SQL = {
  maxNotificationId: `SELECT max(id) FROM notifications`,
  firstNotificationFrom: `SELECT id, created_at FROM notifications WHERE id >= ? ORDER BY id LIMIT 1`,
  // `+status`: walk the primary key (oldest first, stopping after `limit`), not the status index,
  // whose three ranges SQLite would merge by sorting every final item below the bound.
  oldFinalNotifications: `
    SELECT id FROM notifications
    WHERE id < @below AND +status IN ${FINAL} AND created_at < @before
    ORDER BY id LIMIT @limit`,
  deleteFinalNotification: `DELETE FROM notifications WHERE id = ? AND status IN ${FINAL}`,
  groupsAfter: `
    SELECT seq, id, (${PRUNABLE_GROUP}) AS prunable FROM groups
    WHERE seq > @after ORDER BY seq LIMIT @limit`,
  // The queue index (partial, pending and failed only) answers "anything undelivered?".
  stillPrunable: `
    SELECT 1 FROM groups g WHERE seq = @seq AND ${PRUNABLE_GROUP}
      AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.group_seq = g.seq AND n.status IN ('pending', 'failed'))`,
  deleteAlerts: `DELETE FROM alerts WHERE group_seq = ?`,
  deleteSlackMessages: `DELETE FROM slack_messages WHERE group_seq = ?`,
  deleteGroup: `DELETE FROM groups WHERE seq = ?`,
} as const;

export type RetentionStatements = ReturnType<typeof prepareRetentionStatements>;

export function prepareRetentionStatements(db: Database.Database) {
  return {
    db,
    maxNotificationId: db.prepare<[], number | null>(SQL.maxNotificationId).pluck(),
    firstNotificationFrom: db.prepare<[number], { id: number; created_at: number }>(SQL.firstNotificationFrom),
    oldFinalNotifications: db.prepare<{ below: number; before: number; limit: number }, number>(SQL.oldFinalNotifications).pluck(),
    deleteFinalNotification: db.prepare<[number]>(SQL.deleteFinalNotification),
    groupsAfter: db.prepare<{ after: number; limit: number } & GroupCut, { seq: number; id: string; prunable: number }>(SQL.groupsAfter),
    stillPrunable: db.prepare<{ seq: number } & GroupCut, 1>(SQL.stillPrunable).pluck(),
    deleteAlerts: db.prepare<[number]>(SQL.deleteAlerts),
    deleteSlackMessages: db.prepare<[number]>(SQL.deleteSlackMessages),
    deleteGroup: db.prepare<[number]>(SQL.deleteGroup),
  };
}

/** The cut as the group conditions bind it. */
export interface GroupCut {
  /** Unix ms (notification times). */
  before: number;
  /** ISO (group update times). */
  updated_before: string;
  unknown_before: string;
}

function groupCut(before: Date): GroupCut {
  const ms = before.getTime();
  return { before: ms, updated_before: before.toISOString(), unknown_before: new Date(ms - UNKNOWN_LAST_NOTIFICATION_MARGIN_MS).toISOString() };
}

/** What a step's writes are to remove, as read on the store's thread. */
export interface PrunePlan {
  notificationIds: number[];
  /** Groups to remove if still prunable (seq and id), or none when notifications filled the step. */
  groups: { seq: number; id: string }[];
  cut: GroupCut;
  /** Where the next step starts; null when this one looked at the last group. */
  cursor: string | null;
}

/**
 * Read what one step removes. `busy`: groups with a write in flight, which are left for the next
 * pass (what they will be once written is not known here).
 */
export function planPruneStep(r: RetentionStatements, step: PruneStep, busy: (id: string) => boolean): PrunePlan {
  const beforeMs = step.before.getTime();
  const cut = groupCut(step.before);
  const after = step.cursor === undefined ? 0 : Number(step.cursor);
  const below = firstNotificationAtOrAfter(r, beforeMs);
  const notificationIds = r.oldFinalNotifications.all({ below, before: beforeMs, limit: step.limit });
  if (notificationIds.length === step.limit) return { notificationIds, groups: [], cut, cursor: String(after) };
  const rows = r.groupsAfter.all({ after, limit: step.limit, ...cut });
  return {
    notificationIds,
    groups: rows.filter((g) => g.prunable === 1 && !busy(g.id)).map(({ seq, id }) => ({ seq, id })),
    cut,
    cursor: rows.length < step.limit ? null : String(rows.at(-1)!.seq),
  };
}

/**
 * The id of the oldest notification created at or after `ms`, by bisection over the primary key
 * (ids follow creation; a few dozen lookups even for millions of rows); past the last id when
 * every notification is older.
 */
function firstNotificationAtOrAfter(r: RetentionStatements, ms: number): number {
  let lo = 0;
  let hi = (r.maxNotificationId.get() ?? 0) + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = r.firstNotificationFrom.get(mid);
    if (row === undefined || row.created_at >= ms) hi = mid;
    else lo = row.id + 1;
  }
  return lo;
}

/** Delete the final notifications among `ids` (their snapshots cascade); answers how many went. */
export function deleteFinalNotifications(r: RetentionStatements, ids: number[]): number {
  let deleted = 0;
  for (const id of ids) deleted += r.deleteFinalNotification.run(id).changes;
  return deleted;
}

/** Delete the groups that are still prunable, with foreign keys off (see the module comment). */
export function pruneGroups(r: RetentionStatements, seqs: number[], cut: GroupCut): number {
  const { db } = r;
  db.pragma('foreign_keys = OFF');
  try {
    return db.transaction(() => {
      let deleted = 0;
      for (const seq of seqs) {
        if (r.stillPrunable.get({ seq, ...cut }) === undefined) continue;
        r.deleteAlerts.run(seq);
        r.deleteSlackMessages.run(seq);
        deleted += r.deleteGroup.run(seq).changes;
      }
      return deleted;
    }).immediate();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}
