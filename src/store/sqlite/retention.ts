/**
 * @module store/sqlite/retention
 * History retention for the SQLite store (`Store.pruneHistory`). The store's thread reads which
 * groups a step looks at (and marks them, see sqlite-store.ts); the step itself is one write on
 * the writer, run alone, in one transaction: it deletes the old delivered and suppressed
 * notifications (with the dead ones they superseded, below), and then, if they were fewer than
 * the step's limit, the groups still prunable. One transaction, so no delivery outcome or
 * requeue can land between the two halves.
 *
 * It runs with foreign keys off. `notifications.group_id` references `groups (id)` with no index
 * of its own (schema-v4.ts: one entry per notification in a B-tree keyed by a hash would cost
 * every webhook's write a random page), so with foreign keys on SQLite would scan the whole
 * notifications table for every group deleted. Off, nothing cascades, and the step deletes the
 * rows itself: a notification's snapshot by id, a group's alerts and Slack refs by `group_seq`.
 * Its notifications are gone by then: a group goes only when its newest notification stamp
 * (`last_notification_at`, schema-v8.ts; a requeue counts as one) is older than the cut, its
 * highest notification id (`last_notification_id`, schema-v10.ts) lies below the id bound of the
 * first half's walk, and none is pending, failed (the queue's own index) or dead (below): so each
 * was delivered or suppressed, older than the cut and below the bound, and the first half's walk
 * over those two statuses has just deleted every such one. The id bound matters when the clock
 * stepped back: stamps then do not follow ids, the bisection's bound can fall short of old rows,
 * and times alone deleted groups whose rows lay beyond it.
 *
 * Dead notifications are not history yet: an operator retries them once their cause is fixed
 * (README, Operations), so neither they nor their group go for their age. One goes with the
 * newer sent notification of its (group, target) queue when that one is deleted: that one is
 * what makes retrying it wrong (`Store.retryDead` refuses it as superseded), and without it a
 * retry would be accepted and put the older state after the newer one. The dead ones' partial
 * index (schema-v11.ts) answers both questions.
 */
import type Database from 'better-sqlite3';
import { PSEUDO_GROUP_KEYS } from '../../model/group-id.js';
import type { PruneStep } from '../store.js';

/** Final and history: dead ones are final too, but wait for an operator (see above). */
const HISTORY = `('sent', 'suppressed')`;

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
  // The sent range of notifications_by_status below the bound, then the suppressed one, each
  // oldest first (ORDER BY status, id: the index's own order, so no sort), stopping after
  // `limit`; no row of another status is read. Kept dead rows (and pending or failed ones) lie at
  // low ids for as long as they wait: a walk of the primary key, in plain id order, read them all
  // again in every step (an immediate transaction, which commits of webhooks wait behind). Only
  // rows stamped after the cut though below the bound (a clock stepped back) are read and left.
  oldHistory: `
    SELECT id, group_seq, target_key, status FROM notifications
    WHERE status IN ${HISTORY} AND id < @below AND created_at < @before
    ORDER BY status, id LIMIT @limit`,
  // notifications_dead (schema-v11.ts), whose condition the status test repeats.
  deadSupersededBy: `
    SELECT id FROM notifications
    WHERE group_seq = @group_seq AND target_key = @target_key AND status = 'dead' AND id < @id`,
  deleteNotification: `DELETE FROM notifications WHERE id = ?`,
  deleteSnapshot: `DELETE FROM notification_snapshots WHERE id = ?`,
  groupsAfter: `
    SELECT seq, id, (${PRUNABLE_GROUP}) AS prunable FROM groups
    WHERE seq > @after ORDER BY seq LIMIT @limit`,
  // The queue index (partial, pending and failed only) answers "anything undelivered?", and
  // notifications_dead "anything dead?"; the walk went over every sent and suppressed id below @below.
  stillPrunable: `
    SELECT 1 FROM groups g WHERE seq = @seq AND ${PRUNABLE_GROUP}
      AND (last_notification_id IS NULL OR last_notification_id < @below)
      AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.group_seq = g.seq AND n.status IN ('pending', 'failed'))
      AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.group_seq = g.seq AND n.status = 'dead')`,
  deleteAlerts: `DELETE FROM alerts WHERE group_seq = ?`,
  deleteSlackMessages: `DELETE FROM slack_messages WHERE group_seq = ?`,
  deleteGroup: `DELETE FROM groups WHERE seq = ?`,
} as const;

export type RetentionStatements = ReturnType<typeof prepareRetentionStatements>;

/** An old delivered or suppressed notification the walk found. */
interface HistoryRow {
  id: number;
  group_seq: number;
  target_key: string;
  status: 'sent' | 'suppressed';
}

/** What a step deleted; `full`: its walk found `limit` old notifications, so more may be left. */
export interface PruneStepResult {
  notifications: number;
  groups: number;
  full: boolean;
}

export function prepareRetentionStatements(db: Database.Database) {
  return {
    db,
    maxNotificationId: db.prepare<[], number | null>(SQL.maxNotificationId).pluck(),
    firstNotificationFrom: db.prepare<[number], { id: number; created_at: number }>(SQL.firstNotificationFrom),
    oldHistory: db.prepare<{ below: number; before: number; limit: number }, HistoryRow>(SQL.oldHistory),
    deadSupersededBy: db.prepare<{ group_seq: number; target_key: string; id: number }, number>(SQL.deadSupersededBy).pluck(),
    deleteNotification: db.prepare<[number]>(SQL.deleteNotification),
    deleteSnapshot: db.prepare<[number]>(SQL.deleteSnapshot),
    groupsAfter: db.prepare<{ after: number; limit: number } & GroupCut, { seq: number; id: string; prunable: number }>(SQL.groupsAfter),
    stillPrunable: db.prepare<{ seq: number; below: number } & GroupCut, 1>(SQL.stillPrunable).pluck(),
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

/** The groups a step looks at, as read on the store's thread. */
export interface PrunePlan {
  /** Those to delete if still prunable when the step runs (seq and id). */
  groups: { seq: number; id: string }[];
  cut: GroupCut;
  /** The last group looked at (seq), and whether it was the last one there is. */
  lastSeq: number;
  end: boolean;
}

/**
 * Read which groups one step looks at. `busy`: groups with a write in flight, which are left for
 * the next pass (what they will be once written is not known here).
 */
export function planPruneStep(r: RetentionStatements, step: PruneStep, busy: (id: string) => boolean): PrunePlan {
  const cut = groupCut(step.before);
  const after = pruneCursor(step);
  const rows = r.groupsAfter.all({ after, limit: step.limit, ...cut });
  return {
    groups: rows.filter((g) => g.prunable === 1 && !busy(g.id)).map(({ seq, id }) => ({ seq, id })),
    cut,
    lastSeq: rows.at(-1)?.seq ?? after,
    end: rows.length < step.limit,
  };
}

/** The seq a step's walk over the groups goes on after. */
export function pruneCursor(step: PruneStep): number {
  return step.cursor === undefined ? 0 : Number(step.cursor);
}

/**
 * The id of the oldest notification created at or after `ms`, by bisection over the primary key
 * (ids follow creation, unless the clock stepped back; a few dozen lookups even for millions of
 * rows); `Number.MAX_SAFE_INTEGER` when every notification there is is older: then every id,
 * those of rows deleted before included, is below the bound.
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
  return r.firstNotificationFrom.get(lo) === undefined ? Number.MAX_SAFE_INTEGER : lo;
}

/**
 * One step, on the writer, alone (foreign keys cannot change inside a transaction): up to `limit`
 * old delivered and suppressed notifications (with the dead ones each sent one superseded), then,
 * if fewer, the groups of `seqs` still prunable.
 */
export function pruneStep(r: RetentionStatements, seqs: number[], cut: GroupCut, limit: number): PruneStepResult {
  const { db } = r;
  const remove = (id: number) => {
    r.deleteSnapshot.run(id);
    r.deleteNotification.run(id);
  };
  db.pragma('foreign_keys = OFF');
  try {
    return db.transaction(() => {
      const below = firstNotificationAtOrAfter(r, cut.before);
      const rows = r.oldHistory.all({ below, before: cut.before, limit });
      let notifications = rows.length;
      for (const row of rows) {
        remove(row.id);
        if (row.status !== 'sent') continue;
        for (const dead of r.deadSupersededBy.all({ group_seq: row.group_seq, target_key: row.target_key, id: row.id })) {
          remove(dead);
          notifications++;
        }
      }
      if (rows.length === limit) return { notifications, groups: 0, full: true };
      let groups = 0;
      for (const seq of seqs) {
        if (r.stillPrunable.get({ seq, below, ...cut }) === undefined) continue;
        r.deleteAlerts.run(seq);
        r.deleteSlackMessages.run(seq);
        groups += r.deleteGroup.run(seq).changes;
      }
      return { notifications, groups, full: false };
    }).immediate();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}
