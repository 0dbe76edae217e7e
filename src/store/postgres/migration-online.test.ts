/**
 * Schema migrations during a rolling update: the replicas of the previous release keep serving
 * while a new one migrates the shared database, so a step that adds an index must not stop their
 * writes (webhooks) for the whole build; and a build cut short must not leave the step broken.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createTestDatabase, createTestSchema, requirePostgres, type TestDatabase } from '../../testing/postgres.js';
import { SLACK, enqueue, group, notification } from '../contract/fixtures.case.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { createPool } from './pool.js';
import { PostgresStore } from './postgres-store.js';
import { WriteGate } from './write-gate.js';

const admin = await requirePostgres();

const latest = MIGRATIONS.at(-1)!.version;
/** The schema of the previous release: every step but the last (an index over notifications). */
const previous = MIGRATIONS.slice(0, -1);

describe.skipIf(!admin)('postgres migrations during a rolling update', () => {
  let db: TestDatabase;
  let schemas = 0;
  const cleanups: (() => Promise<unknown>)[] = [];
  /** A fresh schema migrated as the previous release left it. */
  async function previousRelease(): Promise<string> {
    const url = await createTestSchema(db.url, `r${++schemas}`);
    const pool = createPool(url);
    try {
      await migrate(pool, previous);
    } finally {
      await pool.end();
    }
    return url;
  }
  const indexes = async (url: string, name: string) =>
    (
      await adminQuery(
        url,
        `SELECT i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE c.relname = $1 AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`,
        [name],
      )
    ).rows as { valid: boolean; def: string }[];
  const versions = async (url: string) =>
    (await adminQuery(url, 'SELECT version FROM schema_migrations ORDER BY version')).rows.map((r: { version: number }) => r.version);

  beforeAll(async () => {
    db = await createTestDatabase(admin!);
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("a replica of the previous release keeps writing webhooks' notifications while a new one adds an index", async () => {
    const url = await previousRelease();
    // The replica of the previous release: its store, without the migration the new one runs.
    const oldPool = createPool(url);
    cleanups.push(() => oldPool.end());
    const oldReplica = new PostgresStore(oldPool, () => new Date(), new WriteGate(8, 30_000));
    await enqueue(oldReplica, group('before'));

    // The index step is made to last: the step cannot record itself until this lock goes, as if
    // the build took minutes over a big table.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('BEGIN; LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
    const newPool = createPool(url);
    cleanups.push(() => newPool.end());
    const migrating = migrate(newPool, MIGRATIONS);
    const failed = migrating.then(
      () => undefined,
      (err: unknown) => err,
    );
    for (;;) {
      const { rows } = await adminQuery(
        url,
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO schema_migrations%'`,
      );
      if (rows.length > 0) break;
      const err = await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 20, 'pending'))]);
      if (err !== 'pending') throw new Error(`the migration ended before recording its step: ${String(err)}`);
    }

    // A webhook's write on the old replica meanwhile: it must not wait for the whole step.
    const g = group('during');
    const written = enqueue(oldReplica, g, [notification(g, SLACK)]);
    const outcome = await Promise.race([written.then(() => 'written'), new Promise((resolve) => setTimeout(resolve, 3_000, 'still waiting after 3 s'))]);
    await holder.query('ROLLBACK');
    await written;
    expect(outcome).toBe('written');

    expect(await migrating).toEqual([latest]);
    expect(await versions(url)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await indexes(url, 'notifications_dead')).toEqual([{ valid: true, def: expect.stringContaining('(group_id, target_key, id) WHERE (status = ') }]);
  });

  it('builds again an index whose build was cut short (left invalid), and records a finished one it finds', async () => {
    const url = await previousRelease();
    const pool = createPool(url);
    cleanups.push(() => pool.end());
    // Two dead notifications of one group: a unique build over them fails, leaving the index invalid,
    // as a build cut short by a killed replica or a server restart does.
    const g = group('dead-twice');
    const dead = await enqueue(new PostgresStore(pool, () => new Date(), new WriteGate(8, 30_000)), g, [notification(g, SLACK), notification(g, SLACK)]);
    await adminQuery(url, `UPDATE notifications SET status = 'dead', next_attempt_at = NULL WHERE id = ANY($1::bigint[])`, [dead.map((n) => n.id)]);
    await expect(adminQuery(url, `CREATE UNIQUE INDEX CONCURRENTLY notifications_dead ON notifications (group_id) WHERE status = 'dead'`)).rejects.toThrow(
      /could not create unique index/,
    );
    expect(await indexes(url, 'notifications_dead')).toEqual([{ valid: false, def: expect.stringContaining('UNIQUE') }]);

    expect(await migrate(pool, MIGRATIONS)).toEqual([latest]);
    expect(await indexes(url, 'notifications_dead')).toEqual([{ valid: true, def: expect.stringContaining('(group_id, target_key, id) WHERE (status = ') }]);

    // A build that finished without its step being recorded (its replica died in between).
    const again = await previousRelease();
    await adminQuery(again, `CREATE INDEX notifications_dead ON notifications (group_id, target_key, id) WHERE status = 'dead'`);
    const pool2 = createPool(again);
    cleanups.push(() => pool2.end());
    expect(await migrate(pool2, MIGRATIONS)).toEqual([latest]);
    expect(await versions(again)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await indexes(again, 'notifications_dead')).toHaveLength(1);
  });
});
