/**
 * Schema migrations during a rolling update: the replicas of the previous release keep serving
 * while a new one migrates the shared database, so a step that adds or drops an index must not stop their
 * writes (webhooks) for the whole build; and a build cut short must not leave the step broken.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createTestDatabase, createTestSchema, requirePostgres, type TestDatabase } from '../../testing/postgres.js';
import { startPostgresProxy, throughProxy } from '../../testing/postgres-proxy.js';
import { SLACK, alert, enqueue, group, notification } from '../contract/fixtures.case.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { createPool } from './pool.js';
import { PostgresStore } from './postgres-store.js';
import { WriteGate } from './write-gate.js';

const admin = await requirePostgres();

/**
 * The step these tests follow: 9, the alert list's indexes, built online. The store of this
 * release, which needs the column step 8 adds, stands in for a replica of the release before:
 * what the tests ask of it, that its webhooks' writes go on during the build, is the same for both.
 */
const STEP = 9;
/** The schema before it, and the steps a new replica applies from it. */
const previous = MIGRATIONS.slice(0, STEP - 1);
const fromStep = MIGRATIONS.slice(STEP - 1).map((m) => m.version);
/** How PostgreSQL shows the key of the alert list's index (schema-v8.ts). */
const LIST_KEY_DEF = '(COALESCE(created_at, updated_at), group_id, fingerprint)';
/**
 * How long a webhook's write may take while a step waits: one that queued behind the step would
 * wait until the test ends the blocker, so any bound tells them apart; 10 s, not 3, for a loaded
 * machine's PostgreSQL (a new pooled connection, a busy server creating other tests' databases).
 */
const WRITE_WAIT_MS = 10_000;

describe.skipIf(!admin)('postgres migrations during a rolling update', () => {
  let db: TestDatabase;
  let schemas = 0;
  const cleanups: (() => Promise<unknown>)[] = [];
  /** A fresh schema migrated as the previous release left it (`steps`: default, up to STEP). */
  async function previousRelease(steps = previous): Promise<string> {
    const url = await createTestSchema(db.url, `r${++schemas}`);
    const pool = createPool(url);
    try {
      await migrate(pool, steps);
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
  /**
   * The online step is made to last: it cannot record itself while this open transaction holds
   * schema_migrations, as if the build took minutes over a big table. ROLLBACK lets it go on.
   */
  async function holdMigrationsTable(url: string): Promise<pg.Client> {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('BEGIN; LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
    return holder;
  }

  /** The migration's error once it fails; undefined if it succeeds. */
  const failureOf = (migrating: Promise<unknown>): Promise<unknown> =>
    migrating.then(
      () => undefined,
      (err: unknown) => err,
    );

  /** Until a query of the database (`where`, on pg_stat_activity) waits for a lock; throws if the migration ends first. */
  async function untilWaitingFor(url: string, where: string, failed: Promise<unknown>): Promise<void> {
    for (;;) {
      const { rows } = await adminQuery(url, `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND ${where}`);
      if (rows.length > 0) return;
      const err = await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 20, 'pending'))]);
      if (err !== 'pending') throw new Error(`the migration ended before it waited: ${String(err)}`);
    }
  }

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

    const holder = await holdMigrationsTable(url);
    const newPool = createPool(url);
    cleanups.push(() => newPool.end());
    const migrating = migrate(newPool, MIGRATIONS);
    const failed = failureOf(migrating);
    await untilWaitingFor(url, `query LIKE 'INSERT INTO schema_migrations%'`, failed);

    // A webhook's write on the old replica meanwhile: it must not wait for the whole step.
    const g = group('during');
    const written = enqueue(oldReplica, g, [notification(g, SLACK)]);
    const outcome = await Promise.race([written.then(() => 'written'), new Promise((resolve) => setTimeout(resolve, WRITE_WAIT_MS, `still waiting after ${WRITE_WAIT_MS} ms`))]);
    await holder.query('ROLLBACK');
    await written;
    expect(outcome).toBe('written');

    expect(await migrating).toEqual(fromStep);
    expect(await versions(url)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await indexes(url, 'alerts_by_created')).toEqual([{ valid: true, def: expect.stringContaining(LIST_KEY_DEF) }]);
  });

  it("step 10 drops the old list indexes without queueing webhooks' writes behind a long query on alerts", async () => {
    const url = await previousRelease(MIGRATIONS.slice(0, 9));
    const pool = createPool(url);
    cleanups.push(() => pool.end());
    const replica = new PostgresStore(pool, () => new Date(), new WriteGate(8, 30_000));
    // A long query (a report, a pg_dump) that read alerts and is still open.
    const reader = new pg.Client({ connectionString: url });
    await reader.connect();
    cleanups.push(() => reader.end());
    await reader.query('BEGIN; SELECT count(*) FROM alerts');
    const migrating = migrate(pool, MIGRATIONS.slice(0, 10));
    // The drop waits for the reader (a plain DROP INDEX in the lock queue; CONCURRENTLY for it to end).
    await untilWaitingFor(url, `query LIKE '%DROP INDEX%'`, failureOf(migrating));

    const g = group('during', { alerts: [alert('during')] });
    const written = enqueue(replica, g, [notification(g, SLACK)]);
    const outcome = await Promise.race([written.then(() => 'written'), new Promise((resolve) => setTimeout(resolve, WRITE_WAIT_MS, `still waiting after ${WRITE_WAIT_MS} ms`))]);
    await reader.query('COMMIT');
    await written;
    expect(outcome).toBe('written');

    expect(await migrating).toEqual([10]);
    expect(await versions(url)).toEqual(MIGRATIONS.slice(0, 10).map((m) => m.version));
    for (const name of ['alerts_by_updated', 'alerts_by_team_updated', 'alerts_by_status_updated']) expect(await indexes(url, name)).toEqual([]);
  });

  it('step 11 indexes the groups a storm digest gathered, by team and id in byte order, on a database of the release before', async () => {
    const url = await previousRelease(MIGRATIONS.slice(0, 10));
    const pool = createPool(url);
    cleanups.push(() => pool.end());
    const store = new PostgresStore(pool, () => new Date(), new WriteGate(8, 30_000));
    await enqueue(store, group('gathered', { stormDigests: { '#payments-alerts': { storm: 1, status: 'firing' } } }), []);
    await enqueue(store, group('quiet'), []);
    expect(await migrate(pool, MIGRATIONS.slice(0, 11))).toEqual([11]);
    expect((await adminQuery(url, 'SELECT max(version) AS v FROM schema_migrations')).rows).toEqual([{ v: 11 }]);
    expect(await indexes(url, 'groups_storm_digests')).toEqual([
      { valid: true, def: expect.stringMatching(/ON \S*groups USING btree \(team, id\) WHERE \(storm_digests IS NOT NULL\)$/) },
    ]);
    // The id key in byte order, as the query compares and sorts (PostgreSQL leaves out of the
    // definition a collation that is the column's own).
    const collation = await adminQuery(url, `SELECT c.collname FROM pg_index i JOIN pg_collation c ON c.oid = i.indcollation[1] WHERE i.indexrelid = 'groups_storm_digests'::regclass`);
    expect(collation.rows).toEqual([{ collname: 'C' }]);
    expect(await store.stormGroupIds('payments', '#payments-alerts', 1, undefined, 10)).toEqual(['gathered']);
  });

  it("step 12 indexes the sent notifications by queue, newest first, on a database of the release before", async () => {
    const url = await previousRelease(MIGRATIONS.slice(0, 11));
    const pool = createPool(url);
    cleanups.push(() => pool.end());
    const store = new PostgresStore(pool, () => new Date(), new WriteGate(8, 30_000));
    await enqueue(store, group('posted'));
    expect(await migrate(pool, MIGRATIONS.slice(0, 12))).toEqual([12]);
    expect((await adminQuery(url, 'SELECT max(version) AS v FROM schema_migrations')).rows).toEqual([{ v: 12 }]);
    expect(await indexes(url, 'notifications_sent_by_queue')).toEqual([
      { valid: true, def: expect.stringMatching(/ON \S*notifications USING btree \(group_id, target_key, \(\(- id\)\)\) WHERE \(status = 'sent'::text\)$/) },
    ]);
  });

  it('step 13 indexes the suppressed new and resolved notifications by queue on a database of the release before', async () => {
    const url = await previousRelease(MIGRATIONS.slice(0, 12));
    const pool = createPool(url);
    cleanups.push(() => pool.end());
    const store = new PostgresStore(pool, () => new Date(), new WriteGate(8, 30_000));
    const g = group('gathered');
    await enqueue(store, g, [
      notification(g, SLACK, { status: 'suppressed', reason: 'storm: gathered into the channel digest' }),
      notification(g, SLACK, { kind: 'repeat', status: 'suppressed', reason: 'duplicate within dedup window 5m' }),
    ]);
    expect(await migrate(pool, MIGRATIONS.slice(0, 13))).toEqual([13]);
    expect((await adminQuery(url, 'SELECT max(version) AS v FROM schema_migrations')).rows).toEqual([{ v: 13 }]);
    expect(await indexes(url, 'notifications_suppressed_edges')).toEqual([
      {
        valid: true,
        def: expect.stringMatching(/ON \S*notifications USING btree \(group_id, target_key, id\) WHERE \(\(status = 'suppressed'::text\) AND \(kind = ANY \(ARRAY\['new'::text, 'resolved'::text\]\)\)\)$/),
      },
    ]);
  });

  it('step 14 numbers the claims of each notification, from 0 on the rows it finds', async () => {
    const url = await previousRelease(MIGRATIONS.slice(0, 13));
    const pool = createPool(url);
    cleanups.push(() => pool.end());
    const store = new PostgresStore(pool, () => new Date(), new WriteGate(8, 30_000));
    const [item] = await enqueue(store, group('g'));
    expect(await migrate(pool, MIGRATIONS.slice(0, 14))).toEqual([14]);
    expect((await adminQuery(url, 'SELECT claims FROM notifications WHERE id = $1', [item!.id])).rows).toEqual([{ claims: 0 }]);
    const [claimed] = await store.claimDue({ owner: 'w', now: new Date(Date.now() + 1_000), limit: 1, leaseMs: 60_000 });
    expect(claimed).toMatchObject({ id: item!.id, attempts: 1, claim: 1 });
  });

  it('builds again an index whose build was cut short (left invalid), and records a finished one it finds', async () => {
    const url = await previousRelease();
    const pool = createPool(url);
    cleanups.push(() => pool.end());
    // Two alerts of one team: a unique build over their team fails, leaving the index invalid,
    // as a build cut short by a killed replica or a server restart does.
    await enqueue(new PostgresStore(pool, () => new Date(), new WriteGate(8, 30_000)), group('two', { alerts: [alert('x'), alert('y')] }));
    await expect(adminQuery(url, `CREATE UNIQUE INDEX CONCURRENTLY alerts_by_created ON alerts (team)`)).rejects.toThrow(/could not create unique index/);
    expect(await indexes(url, 'alerts_by_created')).toEqual([{ valid: false, def: expect.stringContaining('UNIQUE') }]);

    expect(await migrate(pool, MIGRATIONS)).toEqual(fromStep);
    expect(await indexes(url, 'alerts_by_created')).toEqual([{ valid: true, def: expect.stringContaining(LIST_KEY_DEF) }]);

    // A build that finished without its step being recorded (its replica died in between).
    const again = await previousRelease();
    await adminQuery(again, `CREATE INDEX alerts_by_created ON alerts ((coalesce(created_at, updated_at)), group_id, fingerprint)`);
    const pool2 = createPool(again);
    cleanups.push(() => pool2.end());
    expect(await migrate(pool2, MIGRATIONS)).toEqual(fromStep);
    expect(await versions(again)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await indexes(again, 'alerts_by_created')).toHaveLength(1);
  });

  it('an alert the previous release stored keeps its place in the list once this release changes it, and a walk lists it once', async () => {
    const url = await previousRelease();
    const pool = createPool(url);
    cleanups.push(() => pool.end());
    const store = new PostgresStore(pool, () => new Date(), new WriteGate(8, 30_000));
    const at = (hour: number) => `2026-10-01T${hour}:00:00.000Z`;
    for (const [id, hour] of [['g1', 10], ['g2', 11], ['g3', 12]] as const) await enqueue(store, group(id, { alerts: [alert(id)], updatedAt: at(hour) }), []);
    // As the previous release left them: it wrote no created_at.
    await adminQuery(url, 'UPDATE alerts SET created_at = NULL');
    expect(await migrate(pool, MIGRATIONS)).toEqual(fromStep);
    const listed = async () => (await store.listAlerts({ limit: 10 })).items.map((a) => a.fingerprint);
    expect(await listed()).toEqual(['g3', 'g2', 'g1']);

    const first = await store.listAlerts({ limit: 1 });
    await enqueue(store, group('g1', { alerts: [alert('g1', 'resolved')], updatedAt: at(13) }), []);
    const rest = await store.listAlerts({ limit: 10, cursor: first.nextCursor! });
    expect([...first.items, ...rest.items].map((a) => a.fingerprint)).toEqual(['g3', 'g2', 'g1']);
    // Its place is kept for good: changed again, it stays.
    await enqueue(store, group('g1', { alerts: [alert('g1')], updatedAt: at(14) }), []);
    expect(await listed()).toEqual(['g3', 'g2', 'g1']);
  });

  it('a connection lost during an online step fails the migration (serve exits naming the store), instead of crashing the process', async () => {
    const url = await previousRelease();
    // The step waits to record itself, as in the first test, on a connection through a proxy
    // that then goes away: the server restarting or failing over while a new replica migrates.
    const holder = await holdMigrationsTable(url);
    const proxy = await startPostgresProxy(url);
    const pool = createPool(throughProxy(url, proxy));
    cleanups.push(() => pool.end());
    const failed = failureOf(migrate(pool, MIGRATIONS));
    await untilWaitingFor(url, `query LIKE 'INSERT INTO schema_migrations%'`, failed);

    // Without a listener on the step's own connection, its 'error' event was unhandled: the
    // process died with a stack trace instead of `serve` logging which store it could not open.
    await proxy.stop();
    expect(await failed).toBeInstanceOf(Error);
    // (The server's session goes on with the step until it notices the client gone, and may
    // record it: the next start then finds it done, as after a replica killed there.)
    await holder.query('ROLLBACK');
  });
});
