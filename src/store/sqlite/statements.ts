/**
 * @module store/sqlite/statements
 * The store's fixed statements, prepared once per connection: all at open for the gateway's
 * store (a statement its schema cannot take fails the open, not a webhook), each at its first
 * use for a read-only one (`alertgate uptime`), which may read an older schema
 * (migrations.ts OLDEST_READ_ONLY_VERSION) whose tables lack columns the writes name.
 */
import type Database from 'better-sqlite3';
import * as q from './queries.js';
import { prepareRetentionStatements } from './retention.js';
import type { AlertRow, GroupRow, NotificationRow } from './rows.js';
import type { SupersedingStatus } from '../store.js';

type Db = Database.Database;

export type Statements = { [K in keyof typeof STATEMENTS]: ReturnType<(typeof STATEMENTS)[K]> };

/** Every statement, prepared now. */
export function prepareStatements(db: Database.Database): Statements {
  const s: Partial<Record<keyof Statements, unknown>> = {};
  for (const name of Object.keys(STATEMENTS) as (keyof Statements)[]) s[name] = STATEMENTS[name](db);
  return s as Statements;
}

/** Each statement prepared when first used, then kept. */
export function prepareStatementsOnUse(db: Database.Database): Statements {
  const s = {};
  for (const name of Object.keys(STATEMENTS) as (keyof Statements)[]) {
    Object.defineProperty(s, name, {
      enumerable: true,
      get() {
        const prepared = STATEMENTS[name](db);
        Object.defineProperty(s, name, { value: prepared, enumerable: true });
        return prepared;
      },
      configurable: true,
    });
  }
  return s as Statements;
}

/** How each statement is prepared, by name. */
const STATEMENTS = {
  selectGroups: (db: Db) => db.prepare<{ ids: string }, GroupRow>(q.SELECT_GROUPS),
  selectGroupsNotingDead: (db: Db) => db.prepare<{ ids: string }, GroupRow & { has_dead: 0 | 1 }>(q.SELECT_GROUPS_NOTING_DEAD),
  selectGroupAlerts: (db: Db) => db.prepare<{ ids: string }, AlertRow>(q.SELECT_GROUP_ALERTS),
  upsertGroup: (db: Db) => db.prepare<GroupParams, { seq: number }>(q.UPSERT_GROUP),
  upsertAlert: (db: Db) => db.prepare<[number, string, string, number, string, string, string, string, string, string | null, string, number, number]>(q.UPSERT_ALERT),
  deleteStaleAlerts: (db: Db) => db.prepare<{ group_seq: number; fingerprints: string }>(q.DELETE_STALE_ALERTS),
  insertNotification: (db: Db) => db.prepare<NewNotificationRow & { group_seq: number }, { id: number }>(q.INSERT_NOTIFICATION),
  insertSnapshot: (db: Db) => db.prepare<{ id: number; snapshot: string }>(q.INSERT_SNAPSHOT),
  supersedePending: (db: Db) => db.prepare<{ group_seq: number; target_key: string; now: number }>(q.SUPERSEDE_PENDING),
  selectNotification: (db: Db) => db.prepare<[number], NotificationRow>(q.SELECT_NOTIFICATION),
  selectClaimableOf: (db: Db) => db.prepare<{ now: number; limit: number; exclude: string; receiver: string }, ClaimCandidate>(q.SELECT_CLAIMABLE_OF),
  claim: (db: Db) => db.prepare<{ id: number; owner: string; lease_until: number }>(q.CLAIM),
  leaseInserted: (db: Db) => db.prepare<{ id: number; owner: string; lease_until: number }>(q.LEASE_INSERTED),
  markSent: (db: Db) => db.prepare<{ id: number; owner: string; claim: number; sent_at: number }, { group_seq: number; target: string }>(q.MARK_SENT),
  markFailed: (db: Db) => db.prepare<{ id: number; owner: string; claim: number; error: string; next_attempt_at: number | null }>(q.MARK_FAILED),
  selectOwedTargets: (db: Db) => db.prepare<{ ids: string }, { group_id: string; target_key: string; id: number; created_at: number; last_error: string | null }>(q.SELECT_OWED_TARGETS),
  selectSnapshotText: (db: Db) => db.prepare<{ id: number }, string>(q.SELECT_SNAPSHOT_TEXT).pluck(),
  selectNewerThanDead: (db: Db) => db.prepare<{ id: number }, { id: number; status: SupersedingStatus }>(q.SELECT_NEWER_THAN_DEAD),
  defer: (db: Db) => db.prepare<{ id: number; owner: string; claim: number; next_attempt_at: number; last_error: string | null }>(q.DEFER),
  retryDead: (db: Db) => db.prepare<{ id: number; now: number }>(q.RETRY_DEAD),
  touchGroupOfNotification: (db: Db) => db.prepare<{ id: number; now: number }>(q.TOUCH_GROUP_OF_NOTIFICATION),
  releaseLeases: (db: Db) => db.prepare<{ owner: string }>(q.RELEASE_LEASES),
  upsertSlackMessage: (db: Db) => db.prepare<{ group_seq: number; channel: string; ref_channel: string; ts: string; now: number }>(
    q.UPSERT_SLACK_MESSAGE,
  ),
  selectSlackMessage: (db: Db) => db.prepare<{ group_id: string; channel: string }, { ref_channel: string; ts: string }>(
    q.SELECT_SLACK_MESSAGE,
  ),
  selectEpisodeSlackMessage: (db: Db) =>
    db.prepare<{ group_id: string; channel: string; target_key: string; id: number; kind: string }, { ref_channel: string; ts: string }>(q.SELECT_EPISODE_SLACK_MESSAGE),
  selectSlackChannelId: (db: Db) => db.prepare<{ channel: string }, string>(q.SELECT_SLACK_CHANNEL_ID).pluck(),
  countOutbox: (db: Db) => db.prepare<[], { n: number }>(q.COUNT_OUTBOX),
  oldestWaitingCreatedAt: (db: Db) => db.prepare<[], number | null>(q.OLDEST_WAITING_CREATED_AT).pluck(),
  countHeldGroups: (db: Db) => db.prepare<[], { team: string; n: number }>(q.COUNT_HELD_GROUPS),
  selectHeldGroupIds: (db: Db) => db.prepare<{ team: string; due: number }, string>(q.SELECT_HELD_GROUP_IDS).pluck(),
  selectActiveStormIds: (db: Db) => db.prepare<[], string>(q.SELECT_ACTIVE_STORM_IDS).pluck(),
  selectStormGroupIds: (db: Db) => db.prepare<{ team: string; channel: string; storm: number; after: string | null; limit: number }, string>(q.SELECT_STORM_GROUP_IDS).pluck(),
  retention: (db: Db) => prepareRetentionStatements(db),
};

/**
 * What a group's upsert binds: its row, the time of the write's notifications if it has any
 * (schema-v8.ts), and how many it has (their last id, schema-v10.ts: queries.ts UPSERT_GROUP).
 */
export type GroupParams = GroupRow & { last_notification_at: number | null; new_notifications: number };

/** A due item a claim may take, in claim order. */
export interface ClaimCandidate {
  id: number;
  next_attempt_at: number;
}

/** The columns a new notification is inserted with (the rest take their defaults; its snapshot goes to its own table). */
export type NewNotificationRow = Pick<
  NotificationRow,
  'group_id' | 'team' | 'target' | 'target_key' | 'kind' | 'status' | 'reason' | 'last_error' | 'created_at' | 'next_attempt_at'
>;
