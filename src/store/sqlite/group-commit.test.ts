/**
 * Group commit: the write calls of one event-loop turn share one transaction, each call is
 * isolated by its savepoint, and nothing resolves before the shared COMMIT.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK, group, notification } from '../contract/fixtures.case.js';
import { openDatabase } from './connection.js';
import { GroupCommit, MAX_BATCH } from './group-commit.js';
import { openSqliteStore } from './sqlite-store.js';

let dir: string;
let db: Database.Database;
let reader: Database.Database;
let commit: GroupCommit;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alertgate-group-commit-'));
  db = openDatabase(join(dir, 'gc.db'));
  db.exec('CREATE TABLE t (v TEXT NOT NULL UNIQUE)');
  // A second connection sees only what has been committed.
  reader = new Database(join(dir, 'gc.db'), { readonly: true });
  commit = new GroupCommit(db);
});
afterEach(() => {
  reader.close();
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v).changes;
const committed = (): string[] => reader.prepare<[], { v: string }>('SELECT v FROM t ORDER BY v').all().map((r) => r.v);

describe('GroupCommit', () => {
  it('runs a call alone outside any transaction, after the calls queued before it and before those after', async () => {
    const order: string[] = [];
    const before = commit.run(() => (order.push('before'), insert('a')()));
    const alone = commit.runAlone(() => {
      // What was queued before it has committed; it may change connection settings now.
      order.push(`alone: in transaction ${db.inTransaction}, sees ${committed().join(',')}`);
      return 'done';
    });
    const after = commit.run(() => (order.push('after'), insert('b')()));
    await expect(Promise.all([before, alone, after])).resolves.toEqual([1, 'done', 1]);
    expect(order).toEqual(['before', 'alone: in transaction false, sees a', 'after']);
    await expect(commit.runAlone(() => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(committed()).toEqual(['a', 'b']);
  });

  it('runs the calls of one turn in one transaction and resolves each only after it committed', async () => {
    const seenByOthers: string[][] = [];
    const first = commit.run(insert('a'));
    const second = commit.run(() => {
      // The first call's row is written but not committed yet: both calls share a transaction.
      seenByOthers.push(committed());
      return insert('b')();
    });
    const atFirstResolve = first.then(() => committed());
    await expect(Promise.all([first, second])).resolves.toEqual([1, 1]);
    expect(seenByOthers).toEqual([[]]);
    expect(await atFirstResolve).toEqual(['a', 'b']);
  });

  it('rolls back only the call that throws; the others commit', async () => {
    const results = await Promise.allSettled([
      commit.run(insert('a')),
      commit.run(() => {
        insert('b')();
        throw new Error('decide failed');
      }),
      commit.run(insert('a')), // UNIQUE violation: an SQLite error confined to its savepoint
      commit.run(insert('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'decide failed' });
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect(committed()).toEqual(['a', 'c']);
  });

  it('runs calls in the order they were made, each seeing the writes before it', async () => {
    const counts = await Promise.all(
      Array.from({ length: MAX_BATCH + 10 }, (_, i) =>
        commit.run(() => {
          insert(`v${String(i).padStart(4, '0')}`)();
          return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM t').get()!.n;
        }),
      ),
    );
    // Beyond MAX_BATCH the rest waits for the next transaction, still in order.
    expect(counts).toEqual(Array.from({ length: MAX_BATCH + 10 }, (_, i) => i + 1));
    expect(committed()).toHaveLength(MAX_BATCH + 10);
  });

  it('rejects every call of a batch whose transaction cannot start, and recovers after', async () => {
    db.pragma('busy_timeout = 0');
    const other = new Database(join(dir, 'gc.db'));
    other.exec('BEGIN IMMEDIATE');
    const results = await Promise.allSettled([commit.run(insert('a')), commit.run(insert('b'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_BUSY' });
    other.exec('ROLLBACK');
    other.close();
    await expect(commit.run(insert('c'))).resolves.toBe(1);
    expect(committed()).toEqual(['c']);
  });

  it('commits what is queued when closed, and refuses calls after that', async () => {
    const queued = commit.run(insert('a'));
    commit.close();
    expect(committed()).toEqual(['a']);
    await expect(queued).resolves.toBe(1);
    await expect(commit.run(insert('b'))).rejects.toThrow(/closed/);
  });
});

describe('SqliteStore with group commit', () => {
  it('decides concurrent updates of one group one after another, so only one enqueues', async () => {
    const store = openSqliteStore(join(dir, 'store.db'));
    try {
      const g = group('g1');
      // Two copies of one webhook (HA peers) in the same turn: the second sees the first's write.
      const decideOnce = () =>
        store.updateGroups([g.id], (current) => (current.has(g.id) ? [] : [{ group: g, notifications: [notification(g, SLACK)] }]));
      const [a, b] = await Promise.all([decideOnce(), decideOnce()]);
      expect([a.length, b.length]).toEqual([1, 0]);
      expect(await store.outboxDepth()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('keeps a write queued just before close', async () => {
    const file = join(dir, 'close.db');
    const store = openSqliteStore(file);
    const g = group('g1');
    const written = store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, SLACK)] }]);
    await store.close();
    await expect(written).resolves.toHaveLength(1);
    const again = openSqliteStore(file);
    try {
      expect(await again.getGroup('g1')).toEqual(g);
    } finally {
      await again.close();
    }
  });
});
