/**
 * @module store/sqlite/schema-v8
 * Migration 8: `groups.last_notification_at`, when (Unix ms, the store's clock) the newest
 * notification of the group was written; NULL for a group written without one since this
 * migration. History retention (retention.ts) deletes a group only once every notification of
 * it is gone, and with no index of notifications by group (schema-v4.ts: it would cost every
 * webhook's write) this column is how it knows: older than the cut, they were all pruned
 * before it. It rides on the group's upsert, which every write with a notification makes
 * anyway. Adding a nullable column rewrites no row.
 */
export const SCHEMA_V8 = `
ALTER TABLE groups ADD COLUMN last_notification_at INTEGER;
`;
