/**
 * @module store/postgres/schema-v12
 * Migration 12: a partial index over the sent notifications, by (group, target) queue, as
 * SQLite's `notifications_sent_by_queue` (its schema-v13.ts). The Slack message a notification
 * edits is its episode's only if the newest sent item of its queue before it was no resolution
 * (queries.ts SELECT_EPISODE_SLACK_MESSAGE, read as each non-`new` Slack item is delivered). That
 * is one seek here, keyed by `-id` so that the newest comes first and the query's `ORDER BY -id`
 * can be given by this index alone (queries.ts says why). Without it the planner had two ways,
 * both bad for a long-lived
 * group: `notifications_by_group` reads every notification of the group (100 random heap reads,
 * 27 ms cold, for a group of 100), and for a group common in the statistics it walked the primary
 * key backwards and threw away rows of every other group (519 ms over 3,000,000 rows). Built
 * CONCURRENTLY (migrations.ts `indexes`): replicas of the version before keep writing meanwhile.
 * Each delivered notification adds an entry (its status changes to `sent`), as on SQLite.
 */
import type { OnlineIndex } from './migrations.js';

export const SCHEMA_V12: readonly OnlineIndex[] = [{ name: 'notifications_sent_by_queue', on: `notifications (group_id, target_key, (-id)) WHERE status = 'sent'` }];
