/**
 * @module store/sqlite/schema-v13
 * Migration 13: two partial indexes, for reads that walked far more rows than they needed.
 *
 * `notifications_sent_by_queue`: the sent notifications, by (group, target) queue. Whether a
 * dead notification is still the newest item of its queue that is not suppressed
 * (queries.ts SELECT_OWED_TARGETS, read for each decision of a group that has a dead one, and
 * SELECT_NEWER_THAN_DEAD, an admin retry's check) was a walk of `notifications_by_team` from the
 * dead item on: every notification of the team since, and a dead item is kept until retried.
 * With 300,000 notifications of the team after it that took 80-160 ms of the event loop per
 * webhook of the group. Now it is three seeks, one in each index by queue: the undelivered
 * items' (`notifications_queue`), the dead ones' (`notifications_dead`, schema-v11.ts) and
 * this one; with the suppressed ones, which the check skips, they are every status there is.
 * It holds sent rows only, so a new notification (pending or suppressed) costs no entry when it
 * is inserted; its entry is written when it is marked sent, on the delivery path, and deleted
 * with it by history retention.
 *
 * `groups_storm_digests`: the groups a storm digest gathered (schema-v6.ts), by team and id,
 * for the storm ticker's batches of the gathered groups (queries.ts SELECT_STORM_GROUP_IDS),
 * which walked the id index over every team's groups (200,000 groups: 120-240 ms a batch).
 * Groups without digests, nearly all, have no entry.
 *
 * Building them reads each table once; no row is rewritten.
 */
export const SCHEMA_V13 = `
CREATE INDEX notifications_sent_by_queue ON notifications (group_seq, target_key, id) WHERE status = 'sent';
CREATE INDEX groups_storm_digests ON groups (team, id) WHERE storm_digests IS NOT NULL;
`;
