/**
 * @module store/postgres/schema-v4
 * Migration 4: `groups.held_until`, the end (Unix ms) of the maintenance window holding a group,
 * NULL for a group no window holds, and a partial index over the held ones for the release pass,
 * as SQLite's migration 7. The column is added without rewriting the table; building the index
 * reads the table once (under the migration's lock; it holds no rows yet). Replicas of the
 * version before keep working during a rollout: their upserts leave the column as it is.
 */
export const SCHEMA_V4 = `
ALTER TABLE groups ADD COLUMN held_until bigint;
CREATE INDEX groups_held ON groups (team, held_until) WHERE held_until IS NOT NULL;
`;
