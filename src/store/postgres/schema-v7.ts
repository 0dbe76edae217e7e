/**
 * @module store/postgres/schema-v7
 * Migration 7: a partial index over the dead notifications, by (group, target) queue, as SQLite's
 * migration 11 (see there). History retention (retention.ts) deletes a dead notification with
 * the newer sent one of its queue that superseded it, and finds them, for each sent one a step
 * deletes, by this index. Without it the planner has `notifications_by_group`, which reads every
 * notification of the group for each sent row (thousands for a long-lived group; 2,182 pages
 * against 200 with this index for a step of 100 in postgres-store.test.ts), or
 * `notifications_by_status`, which reads every dead row kept in each step. It holds only dead
 * rows, few by nature; building it reads the table once, CONCURRENTLY (migrations.ts `indexes`:
 * once a `CREATE INDEX` that made writes of notifications wait for the build). Replicas of the
 * version before keep working during a rollout.
 */
import type { OnlineIndex } from './migrations.js';

export const SCHEMA_V7: readonly OnlineIndex[] = [{ name: 'notifications_dead', on: `notifications (group_id, target_key, id) WHERE status = 'dead'` }];
