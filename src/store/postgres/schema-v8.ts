/**
 * @module store/postgres/schema-v8
 * Migrations 8-10: the alert list ordered by when each alert was first stored, as SQLite's
 * migration 12 (see there for why: a walk along the cursors missed alerts that changed during it).
 *
 * 8 adds `alerts.created_at`, nullable and without a default: no rewrite of the table, whose
 * lock is held only for a moment, and replicas of the previous release, whose inserts leave it
 * NULL, keep writing. The list key is `coalesce(created_at, updated_at)` (ALERT_LIST_KEY): a NULL
 * row stands where its last change put it, and the first write of this release that touches it
 * freezes it there (queries.ts WRITE_GROUPS sets created_at to the updated_at it had). No
 * backfill: an UPDATE of every alert in the migration's transaction, behind the ALTER's lock,
 * would stop every webhook and list of the replicas of the previous release until it committed.
 * 9 builds the list indexes on that key CONCURRENTLY (migrations.ts `indexes`), and 10 drops the
 * ones on updated_at, once the new ones serve, so each alert write keeps four B-tree entries; also
 * CONCURRENTLY (`dropIndexes`), so that no webhook's write waits behind the drop.
 */
import type { OnlineIndex } from './migrations.js';

/** The lists' order key (`prefix`: a table alias and its dot), the same in the indexes and the queries, so that the planner uses them. */
export const ALERT_LIST_KEY = (prefix = '') => `coalesce(${prefix}created_at, ${prefix}updated_at)`;

export const SCHEMA_V8 = `
ALTER TABLE alerts ADD COLUMN created_at timestamptz;
`;

export const SCHEMA_V9: readonly OnlineIndex[] = [
  { name: 'alerts_by_created', on: `alerts ((${ALERT_LIST_KEY()}), group_id, fingerprint)` },
  { name: 'alerts_by_team_created', on: `alerts (team, (${ALERT_LIST_KEY()}), group_id, fingerprint)` },
  { name: 'alerts_by_status_created', on: `alerts (status, (${ALERT_LIST_KEY()}), group_id, fingerprint)` },
];

export const SCHEMA_V10: readonly string[] = ['alerts_by_updated', 'alerts_by_team_updated', 'alerts_by_status_updated'];
