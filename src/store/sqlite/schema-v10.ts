/**
 * @module store/sqlite/schema-v10
 * Migration 10: `groups.last_notification_id`, the highest id among the group's notifications
 * (NULL for a group without any). History retention (retention.ts) deletes a group only once
 * every notification of it is gone, and knows it without an index of notifications by group:
 * the step's walk deletes every old delivered and suppressed notification below an id bound it
 * finds by bisection over creation times, and a group whose notifications all lie below that
 * bound, all older than the cut (`last_notification_at`, from now on the newest of their stamps),
 * none undelivered and none dead (dead ones are kept for an operator to retry: schema-v11.ts),
 * has none left. Times alone, as before, were not enough: a clock that stepped back (NTP) stamps
 * a newer notification (higher id) before an older one, the bisection's bound then falls short
 * of old rows, and a group was deleted with a notification of it still there.
 *
 * The migration fills both columns from the notifications stored (one pass over the table, and
 * a rewrite of each notified group's row), and first deletes the delivered, suppressed and dead
 * notifications such steps left without their group: they were history past the retention, and
 * the reference check every migration ends with would refuse them.
 */
const ORPHAN = `NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = notifications.group_id AND g.seq = notifications.group_seq)
  AND status IN ('sent', 'suppressed', 'dead')`;

export const SCHEMA_V10 = `
DELETE FROM notification_snapshots WHERE id IN (SELECT id FROM notifications WHERE ${ORPHAN});
DELETE FROM notifications WHERE ${ORPHAN};
ALTER TABLE groups ADD COLUMN last_notification_id INTEGER;
UPDATE groups SET last_notification_id = m.id, last_notification_at = max(coalesce(groups.last_notification_at, 0), m.at)
  FROM (SELECT group_seq, max(id) AS id, max(created_at) AS at FROM notifications GROUP BY group_seq) AS m
  WHERE groups.seq = m.group_seq;
`;
