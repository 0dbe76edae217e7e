/**
 * @module store/sqlite/schema-v1
 * Migration 1: the initial schema. JSON columns hold model objects verbatim; machine times
 * the store compares (alert change time, outbox times, leases) are integer Unix milliseconds,
 * exposed by the API as RFC3339; group times are the RFC3339 strings the pipeline decided.
 */

export const SCHEMA_V1 = `
-- One Alertmanager group (groupKey) per team: the state dedup decides against.
CREATE TABLE groups (
  id                 TEXT PRIMARY KEY,
  team               TEXT NOT NULL,
  group_key          TEXT NOT NULL,
  receiver           TEXT NOT NULL,
  external_url       TEXT NOT NULL,
  group_labels       TEXT NOT NULL,  -- JSON object
  common_labels      TEXT NOT NULL,  -- JSON object
  common_annotations TEXT NOT NULL,  -- JSON object
  status             TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
  notified_hash      TEXT,
  notified_at        TEXT,           -- RFC3339
  targets            TEXT NOT NULL,  -- JSON array of Target
  created_at         TEXT NOT NULL,  -- RFC3339, never changed after insert
  updated_at         TEXT NOT NULL   -- RFC3339
) STRICT;

-- The latest snapshot of each group's alerts; alerts that leave a group's snapshot are deleted.
CREATE TABLE alerts (
  group_id      TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  fingerprint   TEXT NOT NULL,
  position      INTEGER NOT NULL,  -- order within the group's snapshot
  team          TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
  labels        TEXT NOT NULL,     -- JSON object, keys sorted
  annotations   TEXT NOT NULL,     -- JSON object, keys sorted
  starts_at     TEXT NOT NULL,
  ends_at       TEXT,
  generator_url TEXT NOT NULL,
  updated_at    INTEGER NOT NULL,  -- Unix ms of the group write that last changed this alert
  PRIMARY KEY (group_id, fingerprint)
) STRICT, WITHOUT ROWID;
CREATE INDEX alerts_by_updated        ON alerts (updated_at, group_id, fingerprint);
CREATE INDEX alerts_by_team_updated   ON alerts (team, updated_at, group_id, fingerprint);
CREATE INDEX alerts_by_status_updated ON alerts (status, updated_at, group_id, fingerprint);

-- Outbox and delivery log in one: pending/failed rows are the queue, the rest is history.
CREATE TABLE notifications (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: ids are API handles
  group_id        TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  team            TEXT NOT NULL,
  target          TEXT NOT NULL,   -- JSON Target
  target_key      TEXT NOT NULL,   -- targetKey(target): one ordered queue per group and target
  kind            TEXT NOT NULL,   -- ChangeKind
  status          TEXT NOT NULL CHECK (status IN ('pending', 'failed', 'sent', 'suppressed', 'dead')),
  reason          TEXT,
  attempts        INTEGER NOT NULL DEFAULT 0,  -- claims since enqueue (or since retryDead)
  last_error      TEXT,
  created_at      INTEGER NOT NULL,  -- Unix ms
  next_attempt_at INTEGER,           -- Unix ms; null once final
  sent_at         INTEGER,           -- Unix ms
  lease_owner     TEXT,              -- worker holding the claim
  lease_until     INTEGER,           -- Unix ms; an expired lease is claimable again
  snapshot        TEXT NOT NULL      -- JSON GroupSnapshot, frozen when decided
) STRICT;
-- Listing newest first (id order) by team or status; by_status also finds the queue
-- (pending/failed: few rows among many sent ones) for claiming and outbox depth.
CREATE INDEX notifications_by_team   ON notifications (team, id);
CREATE INDEX notifications_by_status ON notifications (status, id);
-- Claiming: is an older item of the same (group, target) queue still undelivered?
CREATE INDEX notifications_queue ON notifications (group_id, target_key, id) WHERE status IN ('pending', 'failed');

-- The Slack message of a group in a target channel, so later changes edit it.
CREATE TABLE slack_messages (
  group_id    TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  channel     TEXT NOT NULL,  -- the target's channel as configured (e.g. "#payments-alerts")
  ref_channel TEXT NOT NULL,  -- the channel as Slack answered it (an id such as C0123): chat.update needs it
  ts          TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (group_id, channel)
) STRICT, WITHOUT ROWID;
`;
