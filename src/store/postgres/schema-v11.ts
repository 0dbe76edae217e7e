/**
 * @module store/postgres/schema-v11
 * Migration 11: a partial index over the groups a storm digest gathered, by team and id, as
 * SQLite's migration 13 (see there). The storm ticker reads the gathered groups of a team in
 * batches, in id order from a cursor (queries.ts SELECT_STORM_GROUP_IDS); without it every batch
 * was a scan of the whole table and a sort (200,000 groups: 150 ms a batch, 2,507 buffers). `id`
 * is `COLLATE "C"` (schema-v1.ts), so the index's order is the query's `ORDER BY id COLLATE "C"`
 * and a batch reads the team's range from the cursor on, in order. Groups without digests, nearly
 * all, have no entry, and a write that leaves `team`, `id` and `storm_digests` as they were stays
 * a HOT update. Built CONCURRENTLY (migrations.ts `indexes`): replicas of the version before keep
 * writing groups meanwhile, and neither read it nor mind it.
 *
 * SQLite's other index of that migration (sent notifications by queue) is not needed for the
 * owed-target read here (queries.ts SELECT_GROUPS_WITH_ALERTS_FOR_UPDATE finds a queue's newer
 * items through `notifications_by_group`, schema-v5.ts, the group's notifications, not the
 * team's); migration 12 adds one for another read (schema-v12.ts).
 */
import type { OnlineIndex } from './migrations.js';

export const SCHEMA_V11: readonly OnlineIndex[] = [{ name: 'groups_storm_digests', on: `groups (team, id COLLATE "C") WHERE storm_digests IS NOT NULL` }];
