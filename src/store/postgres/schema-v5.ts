/**
 * @module store/postgres/schema-v5
 * Migration 5: an index of notifications by group, for history retention (retention.ts).
 * A group is pruned only when no notification of it is left, and deleting it runs its
 * notifications' foreign-key check (schema-v1.ts: ON DELETE CASCADE) as one
 * `DELETE … WHERE group_id = $1` per deleted group: without an index led by
 * `group_id` each of those scans the whole notifications table. (`alerts` and `slack_messages`
 * are keyed by group_id first already; `notifications_queue` holds only undelivered rows.)
 * Pruning 377 groups of a 200,000-row table (150 MB) took 13-15 s of cascade without it, 6-16 ms
 * with it.
 * The price is one more B-tree entry per notification written. Building it reads the table once
 * (0.2 s for those 200,000 rows), CONCURRENTLY (migrations.ts `indexes`): writes of notifications
 * by the replicas of the version before go on meanwhile. Once `CREATE INDEX` in the migration's
 * transaction, which made them wait for the whole build; the index made is the same.
 */
import type { OnlineIndex } from './migrations.js';

export const SCHEMA_V5: readonly OnlineIndex[] = [{ name: 'notifications_by_group', on: 'notifications (group_id)' }];
