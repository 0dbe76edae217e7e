/** Versioned migrations: applied once, in order, atomically; newer databases refused. */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, type Migration } from './migrations.js';

const LATEST = MIGRATIONS.length;
const ALL = MIGRATIONS.map((m) => m.version);
/** A migration one newer than this release ships. */
const NEXT: Migration = { version: LATEST + 1, name: 'maintenance windows', sql: 'CREATE TABLE maintenance (id INTEGER PRIMARY KEY) STRICT;' };

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
});
afterEach(() => {
  db.close();
});

const versions = () => db.prepare<[], { version: number }>('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => r.version);
/** A bare group row (the columns every schema version has), for rows that reference it. */
const insertGroup = (id: string) =>
  db
    .prepare(
      `INSERT INTO groups (id, team, group_key, receiver, external_url, group_labels, common_labels, common_annotations,
         status, notified_hash, notified_at, targets, created_at, updated_at)
       VALUES (?, 'payments', '{}:{}', 'r', '', '{}', '{}', '{}', 'firing', NULL, NULL, '[]', 't', 't')`,
    )
    .run(id);
/** The migrations up to 3: the tests of 2 and 3 check the tables as those left them. */
const UP_TO_V3 = MIGRATIONS.slice(0, 3);
const tables = () =>
  db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all().map((r) => r.name);

describe('migrate', () => {
  it('creates the schema on an empty database and records its version', () => {
    expect(migrate(db)).toEqual(ALL);
    expect(versions()).toEqual(ALL);
    expect(tables()).toEqual(expect.arrayContaining(['alerts', 'groups', 'notifications', 'schema_migrations', 'slack_messages']));
  });

  it('is idempotent: a second run applies nothing', () => {
    migrate(db);
    expect(migrate(db)).toEqual([]);
    expect(versions()).toEqual(ALL);
  });

  it('applies only the migrations a database lacks, in order', () => {
    migrate(db);
    expect(migrate(db, [...MIGRATIONS, NEXT])).toEqual([LATEST + 1]);
    expect(versions()).toEqual([...ALL, LATEST + 1]);
    expect(tables()).toContain('maintenance');
  });

  it('rolls back every migration of a run when one fails', () => {
    const broken: Migration = { version: LATEST + 1, name: 'broken', sql: 'CREATE TABLE half (id INTEGER); SELECT * FROM no_such_table;' };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(/no_such_table/);
    expect(tables()).not.toContain('half');
    expect(tables()).not.toContain('groups');
  });

  it('refuses a database written by a newer alertgate', () => {
    migrate(db, [...MIGRATIONS, NEXT]);
    expect(() => migrate(db)).toThrow(
      `database schema version ${LATEST + 1} is newer than this alertgate supports (${LATEST}); upgrade alertgate`,
    );
  });

  it('keeps every alert when migration 2 rebuilds the alerts table', () => {
    migrate(db, MIGRATIONS.slice(0, 1));
    insertGroup('g1');
    const insert = db.prepare(
      `INSERT INTO alerts (group_id, fingerprint, position, team, status, labels, annotations, starts_at, ends_at, generator_url, updated_at)
       VALUES ('g1', ?, ?, 'payments', 'firing', ?, '{}', '2026-10-01T10:00:00Z', NULL, '', ?)`,
    );
    insert.run('f2', 0, '{"alertname":"B"}', 2);
    insert.run('f1', 1, '{"alertname":"A"}', 1);
    expect(migrate(db, UP_TO_V3)).toEqual([2, 3]);
    const rows = db.prepare('SELECT fingerprint, position, labels, updated_at FROM alerts ORDER BY position').all();
    expect(rows).toEqual([
      { fingerprint: 'f2', position: 0, labels: '{"alertname":"B"}', updated_at: 2 },
      { fingerprint: 'f1', position: 1, labels: '{"alertname":"A"}', updated_at: 1 },
    ]);
    // Still one row per (group, fingerprint), and still removed with its group.
    expect(() => insert.run('f1', 2, '{}', 3)).toThrow(/UNIQUE/);
    db.pragma('foreign_keys = ON');
    db.prepare("DELETE FROM groups WHERE id = 'g1'").run();
    expect(db.prepare('SELECT count(*) AS n FROM alerts').get()).toEqual({ n: 0 });
  });

  it('keeps every notification with its snapshot when migration 3 moves snapshots to their own table', () => {
    migrate(db, MIGRATIONS.slice(0, 2));
    insertGroup('g1');
    const insert = db.prepare(
      `INSERT INTO notifications (group_id, team, target, target_key, kind, status, attempts, created_at, next_attempt_at, snapshot)
       VALUES ('g1', 'payments', '{}', 'k', 'new', ?, 1, 1, NULL, ?)`,
    );
    insert.run('sent', '{"status":"firing","n":1}');
    insert.run('dead', '{"status":"resolved","n":2}');
    expect(migrate(db, UP_TO_V3)).toEqual([3]);
    const rows = db
      .prepare('SELECT n.id, n.status, s.snapshot FROM notifications n JOIN notification_snapshots s ON s.id = n.id ORDER BY n.id')
      .all();
    expect(rows).toEqual([
      { id: 1, status: 'sent', snapshot: '{"status":"firing","n":1}' },
      { id: 2, status: 'dead', snapshot: '{"status":"resolved","n":2}' },
    ]);
    const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('notifications')").all().map((c) => c.name);
    expect(columns).not.toContain('snapshot');
    // Snapshots go with their notifications (and those with their group).
    db.pragma('foreign_keys = ON');
    db.prepare("DELETE FROM groups WHERE id = 'g1'").run();
    expect(db.prepare('SELECT count(*) AS n FROM notification_snapshots').get()).toEqual({ n: 0 });
  });

  it('keeps every group, alert, queued notification and Slack ref when migration 4 keys them by an append-ordered seq', () => {
    migrate(db, UP_TO_V3);
    // Inserted out of id order: seq follows the order groups were stored in, not their ids.
    insertGroup('g2');
    insertGroup('g1');
    db.prepare(
      `INSERT INTO alerts (group_id, fingerprint, position, team, status, labels, annotations, starts_at, ends_at, generator_url, updated_at)
       VALUES (?, ?, 0, 'payments', 'firing', '{}', '{}', '2026-10-01T10:00:00Z', NULL, '', 5)`,
    ).run('g1', 'f1');
    const notify = db.prepare(
      `INSERT INTO notifications (group_id, team, target, target_key, kind, status, attempts, created_at, next_attempt_at)
       VALUES (?, 'payments', '{}', 'k', 'new', ?, 0, 1, ?)`,
    );
    notify.run('g1', 'sent', null);
    notify.run('g1', 'pending', 1);
    notify.run('g2', 'pending', 1);
    db.prepare(`INSERT INTO slack_messages (group_id, channel, ref_channel, ts, created_at, updated_at) VALUES ('g1', '#c', 'C1', '1.2', 1, 1)`).run();
    db.pragma('foreign_keys = ON');

    expect(migrate(db, MIGRATIONS.slice(0, 4))).toEqual([4]);
    expect(db.prepare('SELECT seq, id FROM groups ORDER BY seq').all()).toEqual([
      { seq: 1, id: 'g2' },
      { seq: 2, id: 'g1' },
    ]);
    expect(db.prepare('SELECT group_seq, group_id, fingerprint, updated_at FROM alerts').all()).toEqual([
      { group_seq: 2, group_id: 'g1', fingerprint: 'f1', updated_at: 5 },
    ]);
    expect(db.prepare('SELECT id, group_id, group_seq, status FROM notifications ORDER BY id').all()).toEqual([
      { id: 1, group_id: 'g1', group_seq: 2, status: 'sent' },
      { id: 2, group_id: 'g1', group_seq: 2, status: 'pending' },
      { id: 3, group_id: 'g2', group_seq: 1, status: 'pending' },
    ]);
    expect(db.prepare('SELECT group_seq, channel, ref_channel, ts FROM slack_messages').all()).toEqual([
      { group_seq: 2, channel: '#c', ref_channel: 'C1', ts: '1.2' },
    ]);
    // Foreign keys are on again, and the rebuilt tables still go with their group.
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() =>
      db.prepare(`INSERT INTO alerts (group_seq, group_id, fingerprint, position, team, status, labels, annotations, starts_at, ends_at, generator_url, updated_at)
        VALUES (2, 'g1', 'f1', 1, 'payments', 'firing', '{}', '{}', 't', NULL, '', 6)`).run(),
    ).toThrow(/UNIQUE/);
    db.prepare("DELETE FROM groups WHERE id = 'g1'").run();
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT count(*) AS n FROM alerts')).toBe(0);
    expect(count('SELECT count(*) AS n FROM slack_messages')).toBe(0);
    expect(db.prepare('SELECT id FROM notifications').pluck().all()).toEqual([3]);
  });

  it('6 adds the groups\' storm digests, empty for the groups already stored', () => {
    migrate(db, MIGRATIONS.slice(0, 5));
    insertGroup('g1');
    expect(migrate(db, MIGRATIONS.slice(0, 6))).toEqual([6]);
    expect(db.prepare('SELECT id, storm_digests FROM groups').all()).toEqual([{ id: 'g1', storm_digests: null }]);
  });

  it('7 adds the groups\' maintenance holds, none for the groups already stored, and the index the release pass reads', () => {
    migrate(db, MIGRATIONS.slice(0, 6));
    insertGroup('g1');
    expect(migrate(db, MIGRATIONS.slice(0, 7))).toEqual([7]);
    expect(db.prepare('SELECT id, held_until FROM groups').all()).toEqual([{ id: 'g1', held_until: null }]);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM groups WHERE team = 'payments' AND held_until IS NOT NULL AND held_until <= 5").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join('; ')).toMatch(/USING (COVERING )?INDEX groups_held/);
  });

  it('10 fills in each group\'s highest notification id and newest stamp, and deletes the final notifications a prune left without their group', () => {
    migrate(db, MIGRATIONS.slice(0, 9));
    insertGroup('g1');
    insertGroup('g2');
    insertGroup('quiet');
    const seq = (id: string) => db.prepare('SELECT seq FROM groups WHERE id = ?').pluck().get(id) as number;
    const notify = db.prepare(
      `INSERT INTO notifications (group_id, group_seq, team, target, target_key, kind, status, attempts, created_at, next_attempt_at)
       VALUES (?, ?, 'payments', '{}', 'k', 'new', ?, 0, ?, NULL) RETURNING id`,
    );
    const add = (group: string, groupSeq: number, status: string, createdAt: number) => {
      const { id } = notify.get(group, groupSeq, status, createdAt) as { id: number };
      db.prepare('INSERT INTO notification_snapshots (id, snapshot) VALUES (?, ?)').run(id, '{}');
      return id;
    };
    db.pragma('foreign_keys = OFF');
    add('g1', seq('g1'), 'sent', 100);
    const stampedBefore = add('g1', seq('g1'), 'suppressed', 50); // the clock stepped back
    const waiting = add('g2', seq('g2'), 'pending', 70);
    // Left by a prune: one whose group is gone, one whose group was deleted and came back (new seq).
    const orphan = add('gone', 99, 'sent', 10);
    const stale = add('g2', 98, 'dead', 20);
    db.prepare("UPDATE groups SET last_notification_at = 50 WHERE id = 'g1'").run();
    db.pragma('foreign_keys = ON');

    expect(migrate(db, MIGRATIONS.slice(0, 10))).toEqual([10]);
    expect(db.prepare('SELECT id, last_notification_id, last_notification_at FROM groups ORDER BY seq').all()).toEqual([
      { id: 'g1', last_notification_id: stampedBefore, last_notification_at: 100 },
      { id: 'g2', last_notification_id: waiting, last_notification_at: 70 },
      { id: 'quiet', last_notification_id: null, last_notification_at: null },
    ]);
    for (const table of ['notifications', 'notification_snapshots']) {
      expect(db.prepare(`SELECT id FROM ${table} WHERE id IN (?, ?)`).pluck().all(orphan, stale), table).toEqual([]);
    }
    expect(db.prepare('SELECT count(*) FROM notifications').pluck().get()).toBe(3);
  });

  it('12 stamps each stored alert as first stored at its last change (the list keeps its order), and keys the list indexes on it', () => {
    migrate(db, MIGRATIONS.slice(0, 11));
    insertGroup('g1');
    const insert = db.prepare(
      `INSERT INTO alerts (group_seq, group_id, fingerprint, position, team, status, labels, annotations, starts_at, ends_at, generator_url, updated_at)
       VALUES (1, 'g1', ?, 0, 'payments', ?, '{}', '{}', 's', NULL, '', ?)`,
    );
    insert.run('f1', 'firing', 20);
    insert.run('f2', 'resolved', 10);
    expect(migrate(db, MIGRATIONS.slice(0, 12))).toEqual([12]);
    expect(db.prepare('SELECT fingerprint, created_at, updated_at FROM alerts ORDER BY created_at DESC').all()).toEqual([
      { fingerprint: 'f1', created_at: 20, updated_at: 20 },
      { fingerprint: 'f2', created_at: 10, updated_at: 10 },
    ]);
    const indexes = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'alerts' AND sql IS NOT NULL ORDER BY name").all();
    expect(indexes).toEqual([
      { name: 'alerts_by_created', sql: expect.stringContaining('(created_at)') },
      { name: 'alerts_by_status_created', sql: expect.stringContaining('(status, created_at)') },
      { name: 'alerts_by_team_created', sql: expect.stringContaining('(team, created_at)') },
    ]);
  });

  it('13 indexes the sent notifications by queue and the groups a storm digest gathered by team, holding only those rows', () => {
    migrate(db, MIGRATIONS.slice(0, 12));
    insertGroup('quiet');
    insertGroup('gathered');
    db.prepare(`UPDATE groups SET storm_digests = '{"#c":{"storm":1,"status":"firing"}}' WHERE id = 'gathered'`).run();
    const notify = db.prepare(
      `INSERT INTO notifications (group_id, group_seq, team, target, target_key, kind, status, attempts, created_at, next_attempt_at)
       VALUES ('quiet', 1, 'payments', '{}', 'slack:#c', 'new', ?, 0, 1, NULL) RETURNING id`,
    );
    const ids = ['sent', 'dead', 'pending', 'sent', 'suppressed'].map((status) => (notify.get(status) as { id: number }).id);
    expect(migrate(db, MIGRATIONS.slice(0, 13))).toEqual([13]);
    expect(versions()).toEqual(ALL.slice(0, 13));
    expect(db.prepare(`SELECT id FROM notifications INDEXED BY notifications_sent_by_queue WHERE group_seq = 1 AND target_key = 'slack:#c' AND status = 'sent' ORDER BY id`).pluck().all()).toEqual([ids[0], ids[3]]);
    expect(db.prepare(`SELECT id FROM groups INDEXED BY groups_storm_digests WHERE team = 'payments' AND storm_digests IS NOT NULL`).pluck().all()).toEqual(['gathered']);
    // Partial: a pending notification or a group no digest gathered has no entry.
    const sql = (name: string) => db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get(name);
    expect(sql('notifications_sent_by_queue')).toMatch(/\(group_seq, target_key, id\) WHERE status = 'sent'$/);
    expect(sql('groups_storm_digests')).toMatch(/\(team, id\) WHERE storm_digests IS NOT NULL$/);
  });

  it('14 indexes the suppressed new and resolved notifications by queue, holding only those rows', () => {
    migrate(db, MIGRATIONS.slice(0, 13));
    insertGroup('quiet');
    const notify = db.prepare(
      `INSERT INTO notifications (group_id, group_seq, team, target, target_key, kind, status, attempts, created_at, next_attempt_at)
       VALUES ('quiet', 1, 'payments', '{}', 'slack:#c', ?, ?, 0, 1, NULL) RETURNING id`,
    );
    const ids = [
      ['new', 'suppressed'],
      ['repeat', 'suppressed'],
      ['changed', 'suppressed'],
      ['resolved', 'suppressed'],
      ['new', 'sent'],
      ['resolved', 'dead'],
    ].map(([kind, status]) => (notify.get(kind, status) as { id: number }).id);
    expect(migrate(db, MIGRATIONS.slice(0, 14))).toEqual([14]);
    expect(versions()).toEqual(ALL.slice(0, 14));
    const edges = db.prepare(
      `SELECT id FROM notifications INDEXED BY notifications_suppressed_edges
       WHERE group_seq = 1 AND target_key = 'slack:#c' AND status = 'suppressed' AND kind IN ('new', 'resolved') ORDER BY id`,
    );
    expect(edges.pluck().all()).toEqual([ids[0], ids[3]]);
    // Partial: a duplicate, a folded or superseded edit, a delivered or dead item has no entry.
    expect(db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get('notifications_suppressed_edges')).toMatch(
      /\(group_seq, target_key, id\) WHERE status = 'suppressed' AND kind IN \('new', 'resolved'\)$/,
    );
  });

  it('15 numbers the claims of each notification, from 0 on the rows it finds', () => {
    migrate(db, MIGRATIONS.slice(0, 14));
    insertGroup('quiet');
    const id = db
      .prepare(
        `INSERT INTO notifications (group_id, group_seq, team, target, target_key, kind, status, attempts, created_at, next_attempt_at)
         VALUES ('quiet', 1, 'payments', '{}', 'slack:#c', 'new', 'failed', 3, 1, 1) RETURNING id`,
      )
      .pluck()
      .get();
    expect(migrate(db, MIGRATIONS.slice(0, 15))).toEqual([15]);
    expect(versions()).toEqual(ALL.slice(0, 15));
    expect(db.prepare('SELECT attempts, claims FROM notifications WHERE id = ?').get(id)).toEqual({ attempts: 3, claims: 0 });
  });

  it('changes nothing when a migration leaves a reference dangling', () => {
    migrate(db, UP_TO_V3);
    // A notification whose group is gone (written with foreign keys off).
    db.pragma('foreign_keys = OFF');
    db.prepare(
      `INSERT INTO notifications (group_id, team, target, target_key, kind, status, attempts, created_at, next_attempt_at)
       VALUES ('gone', 'payments', '{}', 'k', 'new', 'pending', 0, 1, 1)`,
    ).run();
    expect(() => migrate(db)).toThrow(/1 row\(s\) whose reference is missing \(first: notifications → groups\); nothing was changed/);
    expect(versions()).toEqual([1, 2, 3]);
    const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('groups')").all().map((c) => c.name);
    expect(columns).not.toContain('seq');
  });

  it('does not read every reference again when there is nothing to migrate (a fast start)', () => {
    migrate(db);
    db.pragma('foreign_keys = OFF');
    db.prepare(
      `INSERT INTO notifications (group_id, group_seq, team, target, target_key, kind, status, attempts, created_at, next_attempt_at)
       VALUES ('gone', 99, 'payments', '{}', 'k', 'new', 'pending', 0, 1, 1)`,
    ).run();
    expect(migrate(db)).toEqual([]);
  });

  it('rejects a migration list with gaps or out of order', () => {
    expect(() => migrate(db, [{ ...NEXT, version: 3 }])).toThrow(/expected 1/);
    expect(tables()).toEqual([]);
  });
});
