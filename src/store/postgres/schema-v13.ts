/**
 * @module store/postgres/schema-v13
 * Migration 13: a partial index over the suppressed notifications of kind `new` or `resolved`, by
 * (group, target) queue, as SQLite's `notifications_suppressed_edges` (its schema-v14.ts). Such
 * an item is an edge of an episode that did not reach the channel (a `new` a storm digest
 * gathered or a maintenance window held, a resolution a digest told of); the Slack message a
 * notification edits is its episode's only if none lies between the newest sent item of its
 * queue and it (queries.ts SELECT_EPISODE_SLACK_MESSAGE, read as each non-`new` Slack item is
 * delivered). A range of this index, as the dead items' (`notifications_dead`, schema-v7.ts);
 * without it, `notifications_by_group` read every notification of the group. The suppressed items
 * of other kinds (duplicates, folded and superseded edits), most of them, get no entry. Built
 * CONCURRENTLY (migrations.ts `indexes`): replicas of the version before keep writing meanwhile.
 */
import type { OnlineIndex } from './migrations.js';

export const SCHEMA_V13: readonly OnlineIndex[] = [
  { name: 'notifications_suppressed_edges', on: `notifications (group_id, target_key, id) WHERE status = 'suppressed' AND kind IN ('new', 'resolved')` },
];
