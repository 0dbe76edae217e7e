/**
 * @module store/postgres/outbox-retry
 * An admin's requeue of a dead notification (`Store.retryDead`), refused while a newer item of
 * its (group, target) queue is not suppressed (store.ts `RetryDeadResult`).
 *
 * The check and the requeue are one statement (queries.ts RETRY_DEAD), in a transaction holding
 * the group's advisory lock, as a write of the group does (`updateGroups`): a replica's webhook
 * inserting a newer item of the queue commits before the statement's snapshot or waits for this
 * commit, and is then queued behind nothing stale. Without the lock, an insert committed while
 * the statement runs is not in its snapshot, and both would be queued. The outbox's changes of
 * a newer item's status need no lock: pending or failed to sent or dead, or dead to pending (its
 * own retry), refuse the retry before and after alike. Only a group write suppresses an item
 * (a newer edit coalescing it), under the lock.
 */
import type pg from 'pg';
import type { RetryDeadResult, SupersedingStatus } from '../store.js';
import { groupLockKeys } from './groups.js';
import { withTransaction } from './pool.js';
import * as q from './queries.js';
import { toNotificationRecord, type NotificationRow } from './rows.js';
import type { WriteGate } from './write-gate.js';

export async function retryDead(pool: pg.Pool, gate: WriteGate, id: number, now: Date): Promise<RetryDeadResult> {
  const { rows: dead } = await pool.query<{ group_id: string }>(q.SELECT_GROUP_OF_DEAD, [id]);
  if (!dead[0]) return { outcome: 'not-dead' };
  // A group write: it takes its turn at this replica's gate, before taking a connection.
  const keys = groupLockKeys([dead[0].group_id]);
  const leave = await gate.enter(keys);
  try {
    return await withTransaction(
      pool,
      async (c) => {
        const { rows } = await c.query<NotificationRow>(q.RETRY_DEAD, [id, now]);
        if (rows[0]) return { outcome: 'requeued', notification: toNotificationRecord(rows[0]) };
        // Only when it changed nothing is the reason looked up, for the answer.
        const newer = await c.query<{ id: string; status: SupersedingStatus }>(q.SELECT_NEWER_THAN_DEAD, [id]);
        const by = newer.rows[0];
        return by ? { outcome: 'superseded', supersededBy: Number(by.id), supersededByStatus: by.status } : { outcome: 'not-dead' };
      },
      q.beginAndLockGroups(keys),
    );
  } finally {
    leave();
  }
}
