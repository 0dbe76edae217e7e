/**
 * @module store/postgres/schema-v1
 * Migration 1 of the PostgreSQL store: the same tables as the SQLite store, so both answer the
 * contract alike. JSON columns are `text` holding model objects verbatim (exact round trip;
 * jsonb would reorder keys). Group times are the RFC3339 strings the pipeline decided; machine
 * times the store compares (alert change time, outbox times, leases) are `timestamptz`.
 * Ids and keys use the "C" collation: byte order, the same on every server, and what the
 * cursors of the listings compare by.
 */

export const SCHEMA_V1 = `
-- One Alertmanager group (groupKey) per team: the state dedup decides against.
CREATE TABLE groups (
  id                 text COLLATE "C" PRIMARY KEY,
  team               text NOT NULL,
  group_key          text NOT NULL,
  receiver           text NOT NULL,
  external_url       text NOT NULL,
  group_labels       text NOT NULL,  -- JSON object, keys sorted
  common_labels      text NOT NULL,  -- JSON object, keys sorted
  common_annotations text NOT NULL,  -- JSON object, keys sorted
  status             text NOT NULL CHECK (status IN ('firing', 'resolved')),
  notified_hash      text,
  notified_at        text,           -- RFC3339
  targets            text NOT NULL,  -- JSON array of Target
  created_at         text NOT NULL,  -- RFC3339, never changed after insert
  updated_at         text NOT NULL   -- RFC3339
);

-- The latest snapshot of each group's alerts; alerts that leave a group's snapshot are deleted.
CREATE TABLE alerts (
  group_id      text COLLATE "C" NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  fingerprint   text COLLATE "C" NOT NULL,
  position      integer NOT NULL,
  team          text NOT NULL,
  status        text NOT NULL CHECK (status IN ('firing', 'resolved')),
  labels        text NOT NULL,     -- JSON object, keys sorted
  annotations   text NOT NULL,     -- JSON object, keys sorted
  starts_at     text NOT NULL,
  ends_at       text,
  generator_url text NOT NULL,
  updated_at    timestamptz NOT NULL,  -- the group write that last changed this alert
  PRIMARY KEY (group_id, fingerprint)
);
CREATE INDEX alerts_by_updated        ON alerts (updated_at, group_id, fingerprint);
CREATE INDEX alerts_by_team_updated   ON alerts (team, updated_at, group_id, fingerprint);
CREATE INDEX alerts_by_status_updated ON alerts (status, updated_at, group_id, fingerprint);

-- Outbox and delivery log in one: pending/failed rows are the queue, the rest is history.
CREATE TABLE notifications (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- never reused: ids are API handles
  group_id        text COLLATE "C" NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  team            text NOT NULL,
  target          text NOT NULL,   -- JSON Target
  target_key      text COLLATE "C" NOT NULL,  -- targetKey(target): one ordered queue per group and target
  kind            text NOT NULL,   -- ChangeKind
  status          text NOT NULL CHECK (status IN ('pending', 'failed', 'sent', 'suppressed', 'dead')),
  reason          text,
  attempts        integer NOT NULL DEFAULT 0,  -- claims since enqueue (or since retryDead)
  last_error      text,
  created_at      timestamptz NOT NULL,
  next_attempt_at timestamptz,     -- null once final
  sent_at         timestamptz,
  lease_owner     text,            -- worker (replica) holding the claim
  lease_until     timestamptz,     -- an expired lease is claimable again, by any replica
  snapshot        text NOT NULL    -- JSON GroupSnapshot, frozen when decided
);
-- Listing newest first (id order) by team or status.
CREATE INDEX notifications_by_team   ON notifications (team, id);
CREATE INDEX notifications_by_status ON notifications (status, id);
-- Claiming: the due queue (few rows among many sent ones), in claim order…
CREATE INDEX notifications_due ON notifications (next_attempt_at, id) WHERE status IN ('pending', 'failed');
-- …and whether an older item of the same (group, target) queue is still undelivered.
CREATE INDEX notifications_queue ON notifications (group_id, target_key, id) WHERE status IN ('pending', 'failed');

-- The Slack message of a group in a target channel, so any replica's later change edits it.
CREATE TABLE slack_messages (
  group_id    text COLLATE "C" NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  channel     text NOT NULL,  -- the target's channel as configured (e.g. "#payments-alerts")
  ref_channel text NOT NULL,  -- the channel as Slack answered it (an id such as C0123): chat.update needs it
  ts          text NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (group_id, channel)
);
`;
