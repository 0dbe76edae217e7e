/**
 * @module store/postgres/schema-v3
 * Migration 3: `groups.storm_digests`, the storm digests that gathered a group (JSON text, by
 * Slack channel; NULL for a group no digest gathered), as SQLite's migration 6. A nullable column
 * without a default is added without rewriting the table, and replicas of the version before it
 * keep working during a rollout: their upserts leave the column as it is.
 */
export const SCHEMA_V3 = `
ALTER TABLE groups ADD COLUMN storm_digests text;
`;
