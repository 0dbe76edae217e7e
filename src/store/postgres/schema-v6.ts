/**
 * @module store/postgres/schema-v6
 * Migration 6: a partial index over the storm states whose storm goes on, as SQLite's migration 9
 * (see there): the storm ticker finds every storm to end, also in a channel a reload dropped from
 * the config. Building it reads the table once, CONCURRENTLY (migrations.ts `indexes`: once a
 * `CREATE INDEX` that made group writes wait for the build); it holds a row per channel in a
 * storm. Replicas of the version before keep working during a rollout.
 */
import type { OnlineIndex } from './migrations.js';

export const SCHEMA_V6: readonly OnlineIndex[] = [{ name: 'groups_storms', on: `groups (id) WHERE status = 'firing' AND group_key LIKE 'storm:%'` }];
