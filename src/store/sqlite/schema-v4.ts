/**
 * @module store/sqlite/schema-v4
 * Migration 4, for write speed: a new group's rows go to the ends of the B-trees, not to random
 * places in them. Nothing stored or returned changes (ids, list order and cursors included).
 *
 * A group's id is a hash (model/group-id.ts), so every B-tree keyed by it took each new group at
 * a random leaf: the groups' own id index, the alerts' (group, fingerprint) key, the outbox's
 * queue index and the Slack message refs. Each commit wrote one 4 KiB page per new group in each
 * of them. Read off the WAL of a 1-alert closed-loop run (docs/performance.md, 2026-12-05): 91
 * pages per commit of ~10 webhooks and ~5 deliveries, 49 of them in those four B-trees; 57
 * pages with this migration (135 → 90 at 10 alerts per webhook).
 *
 * Groups now get `seq`, an INTEGER PRIMARY KEY (SQLite hands out the next rowid, so new groups
 * append; being declared, VACUUM cannot renumber it), and the tables keyed by group use it:
 * - alerts: UNIQUE (group_seq, fingerprint), and the foreign key (cascade) on group_seq;
 *   group_id stays beside it, for the lists and their cursors;
 * - notifications: the queue index on (group_seq, target_key, id); group_id keeps its foreign key;
 * - slack_messages: keyed (group_seq, channel).
 * Only the groups' id index still takes a random leaf per new group: webhooks find their group
 * by id.
 *
 * Rebuilding `groups`, a parent table, needs foreign keys off (`migrate` turns them off around
 * its transaction and checks every reference before it commits): dropping it with them on
 * would cascade-delete every alert and notification.
 */

const GROUP_COLUMNS =
  'id, team, group_key, receiver, external_url, group_labels, common_labels, common_annotations, status, notified_hash, notified_at, targets, created_at, updated_at';

const ALERT_COLUMNS = 'fingerprint, position, team, status, labels, annotations, starts_at, ends_at, generator_url, updated_at';

export const SCHEMA_V4 = `
CREATE TABLE groups_v4 (
  seq                INTEGER PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,
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
INSERT INTO groups_v4 (seq, ${GROUP_COLUMNS}) SELECT rowid, ${GROUP_COLUMNS} FROM groups ORDER BY rowid;
DROP TABLE groups;
ALTER TABLE groups_v4 RENAME TO groups;

CREATE TABLE alerts_v4 (
  group_seq     INTEGER NOT NULL REFERENCES groups (seq) ON DELETE CASCADE,
  group_id      TEXT NOT NULL,     -- the group's id, for the lists (their order and cursors)
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
  UNIQUE (group_seq, fingerprint)
) STRICT;
INSERT INTO alerts_v4 (group_seq, group_id, ${ALERT_COLUMNS})
  SELECT g.seq, a.group_id, ${ALERT_COLUMNS.split(', ')
    .map((c) => `a.${c}`)
    .join(', ')}
  FROM alerts a JOIN groups g ON g.id = a.group_id ORDER BY a.rowid;
DROP TABLE alerts;
ALTER TABLE alerts_v4 RENAME TO alerts;
CREATE INDEX alerts_by_updated        ON alerts (updated_at);
CREATE INDEX alerts_by_team_updated   ON alerts (team, updated_at);
CREATE INDEX alerts_by_status_updated ON alerts (status, updated_at);

ALTER TABLE notifications ADD COLUMN group_seq INTEGER;
UPDATE notifications SET group_seq = (SELECT g.seq FROM groups g WHERE g.id = notifications.group_id);
DROP INDEX notifications_queue;
CREATE INDEX notifications_queue ON notifications (group_seq, target_key, id) WHERE status IN ('pending', 'failed');

CREATE TABLE slack_messages_v4 (
  group_seq   INTEGER NOT NULL REFERENCES groups (seq) ON DELETE CASCADE,
  channel     TEXT NOT NULL,  -- the target's channel as configured (e.g. "#payments-alerts")
  ref_channel TEXT NOT NULL,  -- the channel as Slack answered it (an id such as C0123): chat.update needs it
  ts          TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (group_seq, channel)
) STRICT, WITHOUT ROWID;
INSERT INTO slack_messages_v4 (group_seq, channel, ref_channel, ts, created_at, updated_at)
  SELECT g.seq, m.channel, m.ref_channel, m.ts, m.created_at, m.updated_at
  FROM slack_messages m JOIN groups g ON g.id = m.group_id ORDER BY g.seq, m.channel;
DROP TABLE slack_messages;
ALTER TABLE slack_messages_v4 RENAME TO slack_messages;
`;
