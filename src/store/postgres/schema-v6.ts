/**
 * @module store/postgres/schema-v6
 * Migration 6: a partial index over the storm states whose storm goes on, as SQLite's migration 9
 * (see there): the storm ticker finds every storm to end, also in a channel a reload dropped from
 * the config. Building it reads the table once (under the migration's lock); it holds a row per
 * channel in a storm. Replicas of the version before keep working during a rollout.
 */
export const SCHEMA_V6 = `
CREATE INDEX groups_storms ON groups (id) WHERE status = 'firing' AND group_key LIKE 'storm:%';
`;
