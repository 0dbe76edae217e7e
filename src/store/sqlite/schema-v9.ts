/**
 * @module store/sqlite/schema-v9
 * Migration 9: a partial index over the storm states whose storm goes on: the pseudo-groups keyed
 * `storm:<channel>` (model/group-id.ts), stored as firing while their storm lasts
 * (storm/channel-state.ts). The storm ticker reads it to end every storm after its quiet minute,
 * also in a channel a reload has dropped from the config, which no config names any more. It holds
 * a row per channel in a storm, so keeping it costs a webhook's group upserts next to nothing;
 * building it reads the table once. `substr`, not `LIKE`: SQLite's LIKE ignores case, and an alert
 * group keyed `STORM:…` (a webhook may send it) is not a storm state.
 */
export const SCHEMA_V9 = `
CREATE INDEX groups_storms ON groups (id) WHERE status = 'firing' AND substr(group_key, 1, 6) = 'storm:';
`;
