/**
 * @module store/sqlite/schema-v11
 * Migration 11: a partial index over the dead notifications, by (group, target) queue. History
 * retention (retention.ts) keeps a dead notification, and its group, until it is retried and
 * delivered, or until a newer notification of its queue that was sent (which makes retrying it
 * wrong: `Store.retryDead` refuses it as superseded) is deleted; then it goes with that one. This
 * index answers both questions, "is a dead one left in this group?" and "which dead ones does
 * this sent one supersede?", without an index of all notifications by group (schema-v4.ts says
 * why there is none). It holds only dead rows, few by nature; building it reads the table once.
 */
export const SCHEMA_V11 = `
CREATE INDEX notifications_dead ON notifications (group_seq, target_key, id) WHERE status = 'dead';
`;
