/**
 * SQLite history retention beyond the contract: the foreign keys it turns off come back on, it
 * leaves no row pointing at a pruned group, and its reads walk only the ranges of the statuses it
 * deletes, so a step costs what it deletes, not the size of the history or of what it keeps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SLACK, alert, enqueue, group, later, notification } from '../contract/fixtures.case.js';
import { prepareRetentionStatements } from './retention.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alertgate-retention-'));
  store = openSqliteStore(join(dir, 'r.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('prunes groups with foreign keys off but leaves them on, and no row refers to a pruned group', async () => {
  for (const id of ['a', 'b', 'c']) {
    const g = group(id, { status: 'resolved', alerts: [alert(`${id}-1`, 'resolved'), alert(`${id}-2`, 'resolved')] });
    await enqueue(store, g, [notification(g, SLACK, { status: 'suppressed', reason: 'duplicate' })]);
  }
  expect(await store.pruneHistory({ before: later(), limit: 100 })).toEqual({ notifications: 3, groups: 3, cursor: null });
  await store.close();
  const db = new Database(join(dir, 'r.db'));
  try {
    expect(db.pragma('foreign_key_check')).toEqual([]);
    for (const table of ['groups', 'alerts', 'notifications', 'notification_snapshots', 'slack_messages']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get(), table).toEqual({ n: 0 });
    }
  } finally {
    db.close();
  }
  store = openSqliteStore(join(dir, 'r.db'));
});

it('turns foreign keys back on after pruning groups: a notification deleted later takes its snapshot along', async () => {
  await enqueue(store, group('gone', { status: 'resolved', alerts: [alert('x', 'resolved')] }), []);
  expect(await store.pruneHistory({ before: later(), limit: 100 })).toMatchObject({ groups: 1 });
  const live = group('live');
  await enqueue(store, live, [notification(live, SLACK, { status: 'suppressed', reason: 'duplicate' })]);
  expect(await store.pruneHistory({ before: later(), limit: 100 })).toMatchObject({ notifications: 1, groups: 0 });
  await store.close();
  const db = new Database(join(dir, 'r.db'), { readonly: true });
  try {
    expect(db.prepare('SELECT count(*) AS n FROM notification_snapshots').get()).toEqual({ n: 0 });
  } finally {
    db.close();
  }
  store = openSqliteStore(join(dir, 'r.db'));
});

it('reads old history through the status index, the sent range then the suppressed one, in index order: no kept dead, pending or failed row is read', () => {
  const db = new Database(join(dir, 'r.db'));
  try {
    // The statement a step runs, as prepared for the writer.
    const { oldHistory } = prepareRetentionStatements(db);
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${oldHistory.source}`).all({ below: 10, before: 5, limit: 3 }) as { detail: string }[];
    const details = plan.map((p) => p.detail);
    // A walk of the primary key (rowid<?) reads every row below the bound, whatever its status.
    expect(details).toEqual(['SEARCH notifications USING INDEX notifications_by_status (status=? AND id<?)']);
  } finally {
    db.close();
  }
});

it('finds the dead notifications of a group, or of a queue, through their own index', () => {
  const db = new Database(join(dir, 'r.db'), { readonly: true });
  try {
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((p) => p.detail).join(' | ');
    expect(plan(`SELECT 1 FROM groups g WHERE seq = 1 AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.group_seq = g.seq AND n.status = 'dead')`)).toMatch(
      /SEARCH n USING (COVERING )?INDEX notifications_dead \(group_seq=\?\)/,
    );
    expect(plan(`SELECT id FROM notifications WHERE group_seq = 1 AND target_key = 'slack:#x' AND status = 'dead' AND id < 9`)).toMatch(
      /SEARCH notifications USING (COVERING )?INDEX notifications_dead \(group_seq=\? AND target_key=\? AND id<\?\)/,
    );
  } finally {
    db.close();
  }
});

it('a step that cannot write (another process holds the lock past the busy timeout) deletes nothing, then a later one everything', async () => {
  const old = group('g', { status: 'resolved', alerts: [alert('a1', 'resolved')] });
  await enqueue(store, old, [notification(old, SLACK, { status: 'suppressed', reason: 'duplicate' })]);
  const locker = new Database(join(dir, 'r.db'));
  locker.prepare('BEGIN IMMEDIATE').run();
  await expect(store.pruneHistory({ before: later(), limit: 100 })).rejects.toThrow(/locked|busy/i);
  locker.prepare('COMMIT').run();
  locker.close();
  // A write queued behind the failed step lands, and the database is whole.
  await enqueue(store, group('other'), []);
  expect(await store.getGroup('g')).toBeDefined();
  expect((await store.listNotifications({ limit: 10 })).items).toHaveLength(1);
  expect(await store.pruneHistory({ before: later(), limit: 100 })).toEqual({ notifications: 1, groups: 1, cursor: null });
  await store.close();
  const db = new Database(join(dir, 'r.db'), { readonly: true });
  try {
    expect(db.pragma('foreign_key_check')).toEqual([]);
  } finally {
    db.close();
  }
  store = openSqliteStore(join(dir, 'r.db'));
}, 20_000);
