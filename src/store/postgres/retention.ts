/**
 * @module store/postgres/retention
 * History retention (`Store.pruneHistory`): one step deletes old delivered notifications, or, once
 * none is left, walks the next groups in id order and deletes the resolved, quiet ones.
 *
 * Both must stay cheap on tables of millions of rows of which few go: notifications are found
 * by walking the ranges of the deleted statuses in the status index from their low end up to an
 * id bound found by a binary search (no index by time: it would cost every webhook's write), so
 * the rows kept (dead, pending, failed) are never read; groups by walking their primary key
 * from the cursor. The cursor is the id of the last group looked at ('' before the first: ids are
 * non-empty hashes, and every id sorts after '').
 *
 * Replicas write groups meanwhile: `updateGroups` holds a group's row lock from its load to its
 * commit, so a step locks its candidates with `SKIP LOCKED` (a group being written is simply
 * kept this pass) and checks them again once locked, in a new statement (READ COMMITTED: a new
 * snapshot), which sees any item a write committed before the lock. A write that loads a group
 * the step holds waits for the step's commit and then finds the group gone: it starts afresh.
 * Inserting an item locks its group's row too (the foreign key), and so does the one change that
 * makes a final item undelivered again (`retryDead`, queries.ts RETRY_DEAD): neither can slip an
 * undelivered item under a group being deleted, whose cascade would take it along.
 *
 * Dead notifications are not history yet: an operator retries them once their cause is fixed
 * (README, Operations), so they do not go for their age, and their group stays with them. One
 * goes with the newer sent notification of its (group, target) queue when that one is deleted:
 * that one is what makes retrying it wrong (RETRY_DEAD refuses it as superseded), and without it
 * a retry would be accepted and put the older state after the newer one.
 */
import type pg from 'pg';
import { PSEUDO_GROUP_KEYS } from '../../model/group-id.js';
import type { PruneResult, PruneStep } from '../store.js';
import { withTransaction, type Queryable } from './pool.js';

/** The cursor of a pass that has not looked at any group yet. */
const START = '';

export async function pruneHistory(pool: pg.Pool, step: PruneStep): Promise<PruneResult> {
  const limit = Math.max(1, Math.floor(step.limit) || 1);
  const cursor = step.cursor ?? START;
  return withTransaction(pool, async (c) => {
    const { walked, deleted: notifications } = await pruneNotifications(c, step.before, limit);
    // Groups only once their old history is gone: fewer rows to cascade while groups are locked.
    if (walked === limit) return { notifications, groups: 0, cursor };
    const groups = await pruneGroups(c, step.before, cursor, limit);
    return { notifications, ...groups };
  });
}

/** `walked`: old delivered and suppressed notifications found (at most `limit`); `deleted`: those and the dead ones they superseded. */
async function pruneNotifications(c: Queryable, before: Date, limit: number): Promise<{ walked: number; deleted: number }> {
  const { rows } = await c.query<{ bound: string | null }>(NOTIFICATION_ID_BOUND, [before]);
  const bound = rows[0]?.bound ?? null;
  if (bound === null) return { walked: 0, deleted: 0 }; // no notification at all
  const done = await c.query<{ walked: number; deleted: number }>(DELETE_OLD_NOTIFICATIONS, [bound, before, limit]);
  return done.rows[0] ?? { walked: 0, deleted: 0 };
}

async function pruneGroups(c: Queryable, updatedBefore: Date, cursor: string, limit: number): Promise<Omit<PruneResult, 'notifications'>> {
  const own = [PSEUDO_GROUP_KEYS.maintenance, PSEUDO_GROUP_KEYS.stormPrefix, PSEUDO_GROUP_KEYS.messagePrefix];
  const { rows } = await c.query<{ id: string; updated_at: string | null }>(LOCK_PRUNABLE_GROUPS, [cursor, ...own, limit]);
  // updated_at is RFC3339 text, parsed as the group write parsed it (groups.ts), not by the server.
  const old = rows.filter((r) => r.updated_at !== null && Date.parse(r.updated_at) < updatedBefore.getTime()).map((r) => r.id);
  const last = rows.at(-1)?.id ?? null;
  const deleted = old.length === 0 ? 0 : ((await c.query(DELETE_PRUNABLE_GROUPS, [old, ...own, cursor, last])).rowCount ?? 0);
  return { groups: deleted, cursor: rows.length < limit ? null : last };
}

/**
 * The first notification id (among those that exist) created at or after $1, or max(id) + 1,
 * by a binary search over the primary key, server-side in one statement: about log2(ids) point
 * lookups (18 over 200,000 ids), twice that at worst. Ids grow with time, though not strictly (replicas' clocks, commit order), so the
 * bound only limits the walk of DELETE_OLD_NOTIFICATIONS, which still checks each row's time:
 * an old row just above the bound goes in a later pass, with a later `before`.
 * Each round probes the first row in the upper half [mid, hi): one that is old moves `lo` past
 * it, a young one becomes `hi`, and an empty upper half is dropped. NULL on an empty table.
 */
const NOTIFICATION_ID_BOUND = `
  WITH RECURSIVE search (lo, hi) AS (
    SELECT min(id), max(id) + 1 FROM notifications
    UNION ALL
    SELECT CASE WHEN p.id IS NOT NULL AND p.created_at < $1 THEN p.id + 1 ELSE s.lo END,
           CASE WHEN p.id IS NULL THEN s.lo + (s.hi - s.lo) / 2 WHEN p.created_at < $1 THEN s.hi ELSE p.id END
    FROM search s LEFT JOIN LATERAL (
      SELECT n.id, n.created_at FROM notifications n
      WHERE n.id >= s.lo + (s.hi - s.lo) / 2 AND n.id < s.hi
      ORDER BY n.id LIMIT 1
    ) p ON true
    WHERE s.lo < s.hi
  )
  SELECT min(hi) AS bound FROM search`;

/**
 * Up to $3 delivered and suppressed notifications created before $2 and below the bound $1: the
 * sent range of notifications_by_status (status, id), then the suppressed one, each oldest
 * (lowest id) first. `ORDER BY status, id` is that index's own order (an IN list on its first
 * column keeps it), so nothing is sorted and no row of another status is read. Kept dead rows
 * (and pending or failed ones) lie at low ids for as long as they wait: with `ORDER BY id` the
 * planner walked the primary key and read them all again in every step (even with one status
 * only: it assumes the rows it wants are spread evenly over the ids). The snapshot is a column:
 * it goes with the row. They are locked with `SKIP LOCKED`; and with each sent one go the dead
 * ones of its queue before it, which it superseded (found by notifications_dead, schema-v7.ts).
 * Those are waited for, not skipped, in id order (no two steps wait on each other in a cycle),
 * and their status is checked again once locked: an admin's `retryDead` may be looking at one
 * right now, and it must not find the sent one gone and requeue it. The counts of the walk
 * (`walked`) and of all rows deleted.
 */
export const DELETE_OLD_NOTIFICATIONS = `
  WITH doomed AS (
    SELECT id, group_id, target_key, status FROM notifications
    WHERE status IN ('sent', 'suppressed') AND id < $1 AND created_at < $2
    ORDER BY status, id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
  ), superseded AS (
    SELECT d.id FROM doomed s JOIN notifications d
      ON d.group_id = s.group_id AND d.target_key = s.target_key AND d.id < s.id
    WHERE s.status = 'sent' AND d.status = 'dead'
    ORDER BY d.id
    FOR UPDATE OF d
  ), gone AS (
    DELETE FROM notifications n WHERE n.id IN (SELECT id FROM doomed UNION SELECT id FROM superseded)
    RETURNING n.id
  )
  SELECT (SELECT count(*) FROM doomed)::integer AS walked, (SELECT count(*) FROM gone)::integer AS deleted`;

/**
 * What makes group `g` prunable, but its age: resolved, not held, not alertgate's own record
 * ($2 the maintenance key, $3 and $4 the storm and message key prefixes: PSEUDO_GROUP_KEYS),
 * and no notification of it left (notifications_by_group). Step 1 deletes the delivered and
 * suppressed ones once older than the cut; any other keeps its group, whatever the group's own
 * update time says: one younger than the cut, one undelivered, and a dead one, kept until it is
 * retried and delivered or a newer sent one of its queue goes (see above).
 */
const PRUNABLE = `g.status = 'resolved' AND g.held_until IS NULL
    AND g.group_key <> $2 AND NOT starts_with(g.group_key, $3) AND NOT starts_with(g.group_key, $4)
    AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.group_id = g.id)`;

/**
 * The next $5 groups after the cursor $1, in id order, each with its `updated_at` when it is
 * prunable but for its age and now locked by this transaction (NULL otherwise: not prunable, or
 * being written by a replica right now). The candidates are read by the same range of the
 * primary key as the groups looked at, so that the planner walks it rather than every group.
 */
export const LOCK_PRUNABLE_GROUPS = `
  WITH looked AS (
    SELECT id FROM groups WHERE id > $1 ORDER BY id LIMIT $5
  ), locked AS (
    SELECT g.id, g.updated_at FROM groups g
    WHERE g.id > $1 AND g.id <= (SELECT max(id) FROM looked) AND ${PRUNABLE}
    FOR UPDATE OF g SKIP LOCKED
  )
  SELECT looked.id, locked.updated_at FROM looked LEFT JOIN locked USING (id) ORDER BY looked.id`;

/**
 * Delete the locked groups $1 that are still prunable, seen by a snapshot taken after the lock;
 * their alerts and Slack message refs go with them (ON DELETE CASCADE; the notifications'
 * foreign key finds none left through notifications_by_group, schema-v5.ts). $5 and $6 bound them in the primary key (the step's range),
 * so that it is walked even when the planner guesses the list to be a large part of the table.
 */
const DELETE_PRUNABLE_GROUPS = `
  DELETE FROM groups g WHERE g.id > $5 AND g.id <= $6 AND g.id = ANY($1::text[]) AND ${PRUNABLE}`;
