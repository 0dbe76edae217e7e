/**
 * Notification ids and commit order with several replicas on one PostgreSQL database: an id is
 * drawn when a write inserts, and writes of different groups commit in another order. What a
 * reader of `GET /v1/notifications` sees of that: a newest-first list and its cursor walk lose
 * nothing, but a notification can show up below one listed earlier (README, HTTP API: a list is
 * not a change feed).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, createTestSchema, requirePostgres, type TestDatabase } from '../../testing/postgres.js';
import { enqueue, group } from '../contract/fixtures.case.js';
import { openPostgresStore, type PostgresStore } from './postgres-store.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('postgres notification ids and commit order', () => {
  let db: TestDatabase;
  let store: PostgresStore;
  let replicaMidWrite: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase(admin!);
    const url = await createTestSchema(db.url, 'ids');
    store = await openPostgresStore(url);
    replicaMidWrite = new pg.Client({ connectionString: url });
    await replicaMidWrite.connect();
  });
  afterAll(async () => {
    await replicaMidWrite?.end();
    await store?.close();
    await db?.drop();
  });

  it('a notification committed late below a listed id is in the cursor walk and in the next read from the top, not above the highest id seen', async () => {
    const [first] = await enqueue(store, group('first'));
    // Another replica's write of another group: its id is drawn, its commit comes later.
    await replicaMidWrite.query('BEGIN');
    const late = await replicaMidWrite.query<{ id: string }>(
      `INSERT INTO notifications (group_id, team, target, target_key, kind, status, attempts, created_at, next_attempt_at, snapshot)
       SELECT group_id, team, target, target_key, kind, status, 0, created_at, next_attempt_at, snapshot FROM notifications WHERE id = $1
       RETURNING id`,
      [first!.id],
    );
    const lateId = Number(late.rows[0]!.id);
    const [newest] = await enqueue(store, group('newest'));
    expect(lateId).toBeGreaterThan(first!.id);
    expect(newest!.id).toBeGreaterThan(lateId);

    // A client polling the first page sees the newest one, not the write still in progress.
    const before = await store.listNotifications({ limit: 1 });
    expect(before.items.map((n) => n.id)).toEqual([newest!.id]);
    await replicaMidWrite.query('COMMIT');

    // The walk it started goes on below its cursor, where the late one now is.
    const rest = await store.listNotifications({ limit: 100, cursor: before.nextCursor! });
    expect(rest.items.map((n) => n.id)).toEqual([lateId, first!.id]);
    // So does the next read from the top; but the late one is below the highest id seen.
    const again = await store.listNotifications({ limit: 100 });
    expect(again.items.map((n) => n.id)).toEqual([newest!.id, lateId, first!.id]);
    expect(again.items.filter((n) => n.id > newest!.id)).toEqual([]);
  });
});
