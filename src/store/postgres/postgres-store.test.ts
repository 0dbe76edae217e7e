/**
 * The PostgreSQL store: the shared contract (each test in a fresh schema of a database of this
 * file's own), plus what only a shared server shows — several replicas (stores) on one
 * database, leases surviving a reopen, and a server going away without crashing anyone.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminQuery, createTestDatabase, createTestSchema, requirePostgres, type TestDatabase } from '../../testing/postgres.js';
import { startPostgresProxy, throughProxy } from '../../testing/postgres-proxy.js';
import { PAGERDUTY, SLACK, alert, enqueue, group, later, notification, only } from '../contract/fixtures.case.js';
import { runStoreContract } from '../store.case.js';
import { MIGRATIONS, migrate, type Migration, type MigrationEvent } from './migrations.js';
import { createPool } from './pool.js';
import { beginLocked, writeGroups } from './groups.js';
import { alertListQuery } from './lists.js';
import { leaseInserted } from './outbox.js';
import { OLDEST_WAITING_CREATED_AT, RETRY_DEAD, SELECT_EPISODE_SLACK_MESSAGE, SELECT_STORM_GROUP_IDS } from './queries.js';
import { DELETE_OLD_NOTIFICATIONS } from './retention.js';
import type { GroupRecord, GroupWrite, Store } from '../store.js';
import { openSqliteStore } from '../sqlite/sqlite-store.js';
import { openPostgresStore, type PostgresStore } from './postgres-store.js';

const admin = await requirePostgres();

/** A node of an `EXPLAIN (FORMAT JSON)` plan, with what these tests read of it. */
interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  /** Per loop, as are the row counts of EXPLAIN ANALYZE. */
  'Rows Removed by Filter'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

const planNodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(planNodes)];

describe.skipIf(!admin)('postgres store', () => {
  let db: TestDatabase;
  let schemas = 0;
  /** A URL on an empty schema of this file's database. */
  const freshUrl = () => createTestSchema(db.url, `t${++schemas}`);

  beforeAll(async () => {
    db = await createTestDatabase(admin!);
  });
  afterAll(async () => {
    await db?.drop();
  });

  runStoreContract('postgres', async ({ now }) => openPostgresStore(await freshUrl(), { now }));

  it('reads and writes times whatever DateStyle the database is set to (a DBA\'s ALTER DATABASE)', async () => {
    const other = await createTestDatabase(admin!);
    try {
      for (const style of ['SQL, DMY', 'German', 'Postgres, MDY']) {
        await adminQuery(other.url, `ALTER DATABASE ${other.name} SET DateStyle = '${style}'`);
        const store = await openPostgresStore(await createTestSchema(other.url, `s${style.replace(/\W/g, '').toLowerCase()}`), {
          now: () => new Date('2030-05-01T12:00:00.123Z'),
        });
        try {
          const [n] = await enqueue(store, group('dated'));
          expect((await store.getNotification(n!.id))?.createdAt, style).toBe('2030-05-01T12:00:00.123Z');
          expect(await store.claimDue({ owner: 'w', now: new Date('2030-05-01T12:00:01Z'), limit: 5, leaseMs: 60_000 }), style).toHaveLength(1);
        } finally {
          await store.close();
        }
      }
    } finally {
      await other.drop();
    }
  });

  describe('replicas on one database', () => {
    let url: string;
    const stores: PostgresStore[] = [];
    const open = async () => {
      const s = await openPostgresStore(url);
      stores.push(s);
      return s;
    };
    beforeEach(async () => {
      url = await freshUrl();
    });
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
    });

    it('migrates once when several replicas start at once', async () => {
      const first = await Promise.all([open(), open(), open(), open()]);
      expect(first).toHaveLength(4);
      const { rows } = await adminQuery(url, 'SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r: { version: number }) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    });

    it('lets exactly one replica enqueue a brand-new group that all of them receive at once', async () => {
      const [a, b, c] = [await open(), await open(), await open()];
      const incoming = group('race', { targets: [SLACK] });
      const decide = (current: Map<string, GroupRecord>): GroupWrite[] => {
        const known = current.get('race');
        if (known?.notifiedHash === 'h') return [{ group: known, notifications: [notification(known, SLACK, { status: 'suppressed', reason: 'duplicate' })] }];
        const next = { ...incoming, notifiedHash: 'h', notifiedAt: incoming.updatedAt };
        return [{ group: next, notifications: [notification(next, SLACK)] }];
      };
      const results = await Promise.all([a, b, c, a, b, c].map((s) => s.updateGroups(['race'], decide)));
      expect(results.flat().map((n) => n.status).sort()).toEqual(['pending', ...Array(5).fill('suppressed')]);
    });

    it('lets exactly one replica pay a target its dead notification owes when all of them receive the resend at once', async () => {
      const [a, b, c] = [await open(), await open(), await open()];
      const g = group('owed', { targets: [SLACK] });
      const [post] = await enqueue(a, g, [notification(g, SLACK)]);
      const claimed = only(await a.claimDue({ owner: 'w1', now: later(), limit: 10, leaseMs: 30_000 }));
      await a.markFailed(post?.id ?? -1, { claim: claimed.claim, owner: 'w1', error: 'slack: 503', nextAttemptAt: null });
      // As dedup/decide.ts does: the duplicate is notified to an owed target, suppressed otherwise.
      const decide = (current: Map<string, GroupRecord>): GroupWrite[] => {
        const known = current.get('owed')!;
        const owed = known.owedTargets?.includes('slack:#payments-alerts') === true;
        return [{ group: known, notifications: [notification(known, SLACK, owed ? { kind: 'repeat' } : { kind: 'repeat', status: 'suppressed', reason: 'duplicate' })] }];
      };
      const results = await Promise.all([a, b, c, a, b, c].map((s) => s.updateGroups(['owed'], decide)));
      expect(results.flat().map((n) => n.status).sort()).toEqual(['pending', ...Array(5).fill('suppressed')]);
    });

    it('a lease offered with a write does not take an item another replica claimed and handed back meanwhile', async () => {
      const [a, b] = [await open(), await open()];
      const later = new Date(Date.now() + 600_000);
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      try {
        for (const handBack of ['defer', 'markFailed'] as const) {
          const g = group(`handed-back-${handBack}`);
          const [written] = await a.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, SLACK)] }]);
          // Replica B claims the new item between A's commit and A's lease, then hands it back for later.
          const [claimed] = await b.claimDue({ owner: 'replica-b', now: new Date(Date.now() + 1000), limit: 1, leaseMs: 60_000 });
          expect(claimed?.id).toBe(written!.id);
          if (handBack === 'defer') await b.defer(claimed!.id, { claim: claimed!.claim, owner: 'replica-b', nextAttemptAt: later });
          else await b.markFailed(claimed!.id, { claim: claimed!.claim, owner: 'replica-b', error: 'slack 500', nextAttemptAt: later });
          // A's lease, as updateGroups runs it right after its commit.
          const [offered] = await leaseInserted(pool, [written!], { owner: 'replica-a', leaseMs: 60_000, max: 5 }, new Date());
          expect(offered!.leasedTo).toBeUndefined();
          expect(await a.getNotification(written!.id)).toMatchObject({ nextAttemptAt: later.toISOString() });
        }
      } finally {
        await pool.end();
      }
    });

    it('never deadlocks when replicas write overlapping sets of groups in different orders', async () => {
      const [a, b] = [await open(), await open()];
      const ids = Array.from({ length: 8 }, (_, i) => `overlap${i}`);
      const write = (order: string[]) => () => order.map((id) => ({ group: group(id), notifications: [] }));
      const calls = Array.from({ length: 12 }, (_, i) => {
        const order = i % 2 ? [...ids].reverse() : [...ids];
        return (i % 2 ? a : b).updateGroups(order, write(order));
      });
      await expect(Promise.all(calls)).resolves.toHaveLength(12);
    });

    describe('group locks held by another replica', () => {
      /** Connections of this test's database waiting in the server for an advisory lock, once there are at least `n`. */
      const lockWaiters = async (n: number): Promise<number> => {
        for (;;) {
          const { rows } = await adminQuery(
            url,
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          );
          if (rows[0].n >= n) return rows[0].n;
          await new Promise((resolve) => setTimeout(resolve, 10)); // polled: the server tells no one when a wait begins
        }
      };
      /** Another replica, frozen mid-write while holding the locks of these groups. */
      const holdLocks = async (ids: string[]) => {
        const other = new pg.Client({ connectionString: url });
        await other.connect();
        await other.query(beginLocked(ids));
        return other;
      };
      /** What /readyz, another team's webhook and the outbox worker need meanwhile. */
      const othersGoOn = async (store: PostgresStore, due: number, writeAnotherTeam: boolean) => {
        const g = group('another-team');
        const [pinged, written, claimed] = await Promise.all([
          store.ping(),
          writeAnotherTeam ? store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, SLACK)] }]) : [],
          store.claimDue({ owner: 'worker', now: later(), limit: 10, leaseMs: 60_000 }),
        ]);
        expect(pinged).toBeUndefined();
        if (writeAnotherTeam) expect(written).toHaveLength(1);
        expect(claimed.map((n) => n.id)).toContain(due);
      };

      it("queues a team's writes here behind its lock, taking one connection: ping, other teams' writes and claims go on", async () => {
        const b = await open(); // a pool of 10
        const [due] = await enqueue(b, group('due-before'));
        const other = await holdLocks(['storm-state-payments']);
        try {
          // More of the team's webhooks than the pool has connections: each locks the team's storm state.
          const hot = Array.from({ length: 14 }, (_, i) => {
            const g = group(`payments-${i}`);
            return b.updateGroups([g.id, 'storm-state-payments'], () => [{ group: g, notifications: [notification(g, SLACK)] }]);
          });
          await lockWaiters(1); // one of them waits in the server for the other replica's lock
          await othersGoOn(b, due!.id, true);
          expect(await lockWaiters(1)).toBe(1); // and only one: the rest wait here, holding no connection
          await other.query('ROLLBACK');
          // Every one of them commits once the lock is free: nothing was lost or refused.
          expect((await Promise.all(hot)).map((n) => n.length)).toEqual(Array(14).fill(1));
          expect(await b.outboxDepth()).toBe(14 + 2); // + the other team's and the claimed one
        } finally {
          await other.end();
        }
      });

      it("leaves connections for ping and claims while as many teams' locks as the pool has connections are held elsewhere", async () => {
        const b = await open();
        const [due] = await enqueue(b, group('due-before'));
        const teams = Array.from({ length: 10 }, (_, i) => `storm-state-team${i}`);
        const other = await holdLocks(teams);
        try {
          const hot = teams.map((id) => b.updateGroups([id], () => []));
          await lockWaiters(1);
          // Another team's write may wait for one of them to finish: the cap keeps the rest of the pool.
          await othersGoOn(b, due!.id, false);
          await other.query('ROLLBACK');
          await expect(Promise.all(hot)).resolves.toHaveLength(10);
        } finally {
          await other.end();
        }
      });

      it("decides an admin's retry after a write of the group holding its lock: the newer item it commits refuses the retry", async () => {
        const b = await open();
        const g = group('retried-while-written');
        const [trigger] = await enqueue(b, g, [notification(g, PAGERDUTY)]);
        const claimed = only(await b.claimDue({ owner: 'w', now: later(), limit: 10, leaseMs: 60_000 }));
        await b.markFailed(trigger!.id, { claim: claimed.claim, owner: 'w', error: 'pagerduty: 503', nextAttemptAt: null });
        // Another replica's webhook, mid-write: the group's lock held, its resolve inserted but not committed.
        const other = await holdLocks([g.id]);
        try {
          const [resolve] = await writeGroups(other, [{ group: g, notifications: [notification(g, PAGERDUTY, { kind: 'resolved' })] }], new Date());
          const retry = b.retryDead(trigger!.id, later());
          // Answered now, the retry would not see the resolve, and both would be queued.
          expect(await Promise.race([retry.then(() => 'answered'), lockWaiters(1).then(() => 'waiting')])).toBe('waiting');
          await other.query('COMMIT');
          expect(await retry).toEqual({ outcome: 'superseded', supersededBy: resolve!.id, supersededByStatus: 'pending' });
          expect((await b.getNotification(trigger!.id))?.status).toBe('dead');
        } finally {
          await other.end();
        }
      });
    });

    it('keeps a live replica lease across another replica starting (nothing is released at open)', async () => {
      const a = await open();
      const [item] = await enqueue(a, group('leased'));
      const t = later();
      only(await a.claimDue({ owner: 'replica-a', now: t, limit: 10, leaseMs: 60_000 }));
      const b = await open();
      expect(await b.claimDue({ owner: 'replica-b', now: t, limit: 10, leaseMs: 60_000 })).toEqual([]);
      // Once the lease has expired, the other replica takes the item over.
      const rescued = only(await b.claimDue({ owner: 'replica-b', now: new Date(t.getTime() + 60_000), limit: 10, leaseMs: 60_000 }));
      expect(rescued).toMatchObject({ id: item?.id, attempts: 2 });
    });

    it('hands every due item to exactly one of many replicas claiming at once', async () => {
      const replicas = [await open(), await open(), await open()];
      for (let i = 0; i < 30; i++) await enqueue(replicas[i % 3]!, group(`spread${i}`));
      const t = later();
      const claims = await Promise.all(
        Array.from({ length: 9 }, (_, i) => replicas[i % 3]!.claimDue({ owner: `w${i}`, now: t, limit: 4, leaseMs: 60_000 })),
      );
      const ids = claims.flat().map((n) => n.id);
      expect(new Set(ids).size).toBe(ids.length);
      const rest = await replicas[0]!.claimDue({ owner: 'late', now: t, limit: 100, leaseMs: 60_000 });
      expect(ids.length + rest.length).toBeGreaterThanOrEqual(30);
      expect(new Set([...ids, ...rest.map((n) => n.id)]).size).toBe(ids.length + rest.length);
    });

    it('prunes past what another replica is writing or requeuing, without waiting, and never an item requeued meanwhile', async () => {
      const a = await open();
      const quiet = (id: string) => group(id, { status: 'resolved', alerts: [alert(`${id}-1`, 'resolved')] });
      const [busy, retried] = [quiet('busy'), quiet('retried')];
      await enqueue(a, busy, []);
      const [dead] = await enqueue(a, retried, [notification(retried, SLACK)]);
      const claimed = only(await a.claimDue({ owner: 'w', now: later(), limit: 10, leaseMs: 60_000 }));
      await a.markFailed(dead!.id, { claim: claimed.claim, owner: 'w', error: 'channel_not_found', nextAttemptAt: null });
      // Another replica, mid-transaction: a group write's load, and an admin's retryDead.
      const other = new pg.Client({ connectionString: url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query("SELECT 1 FROM groups WHERE id = 'busy' FOR UPDATE");
        expect((await other.query(RETRY_DEAD, [dead!.id, new Date()])).rowCount).toBe(1);
        const waited = new Promise((_, reject) => setTimeout(() => reject(new Error('the step waited for the other replica')), 5_000).unref());
        expect(await Promise.race([a.pruneHistory({ before: later(), limit: 10 }), waited])).toEqual({ notifications: 0, groups: 0, cursor: null });
        await other.query('COMMIT');
        expect(await a.pruneHistory({ before: later(), limit: 10 })).toEqual({ notifications: 0, groups: 1, cursor: null });
        expect(await a.getGroup('busy')).toBeUndefined();
        expect((await a.getNotification(dead!.id))?.status).toBe('pending');
      } finally {
        await other.end();
      }
    });

    it('lets any replica edit the Slack message another replica posted', async () => {
      const [a, b] = [await open(), await open()];
      const g = group('shared-ref');
      const [post, edit] = await enqueue(a, g, [notification(g, SLACK), notification(g, SLACK, { kind: 'resolved' })]);
      const claimed = only(await a.claimDue({ owner: 'a', now: later(), limit: 10, leaseMs: 60_000 }));
      await a.markSent(post!.id, { claim: claimed.claim, owner: 'a', sentAt: later(), slackRef: { channel: 'C0PAY', ts: '1.5' } });
      const next = only(await b.claimDue({ owner: 'b', now: later(), limit: 10, leaseMs: 60_000 }));
      expect(next.id).toBe(edit?.id);
      expect(await b.getSlackRef('shared-ref', SLACK.channel)).toEqual({ channel: 'C0PAY', ts: '1.5' });
    });
  });

  describe('same behaviour as the SQLite store', () => {
    it('coalesces edits inside one write as successive inserts would', async () => {
      const statuses = async (store: Store) => {
        try {
          const g = group('coalesce');
          const first = await enqueue(store, g, [
            notification(g, SLACK),
            notification(g, SLACK, { kind: 'changed' }),
            notification(g, SLACK, { kind: 'changed', supersedesPending: true }),
            notification(g, PAGERDUTY, { kind: 'changed' }),
            notification(g, SLACK, { kind: 'resolved', supersedesPending: true }),
          ]);
          return await Promise.all(first.map(async (n) => [(await store.getNotification(n.id))?.status, n.status, n.reason]));
        } finally {
          await store.close();
        }
      };
      const sqlite = await statuses(openSqliteStore(':memory:'));
      expect(await statuses(await openPostgresStore(await freshUrl()))).toEqual(sqlite);
      expect(sqlite.map(([now]) => now)).toEqual(['pending', 'suppressed', 'suppressed', 'pending', 'pending']);
    });

    it("leaves a tombstone's row as it is when a later write of its group carries it unchanged (no dead tuple per webhook)", async () => {
      const url = await freshUrl();
      const store = await openPostgresStore(url);
      try {
        // xmin: the transaction that wrote the row's current version; an update, even to the same values, moves it.
        const versions = async () =>
          Object.fromEntries((await adminQuery(url, 'SELECT fingerprint, xmin::text AS x FROM alerts')).rows.map((r: { fingerprint: string; x: string }) => [r.fingerprint, r.x]));
        const dropped = alert('t', 'resolved');
        await enqueue(store, group('churn', { alerts: [alert('a')], tombstones: [dropped] }), []);
        const before = await versions();
        await enqueue(store, group('churn', { alerts: [alert('a', 'resolved')], tombstones: [dropped] }), []);
        const after = await versions();
        expect(after['t']).toBe(before['t']);
        expect(after['a']).not.toBe(before['a']);
        // A changed tombstone is written.
        await enqueue(store, group('churn', { alerts: [alert('a', 'resolved')], tombstones: [{ ...dropped, endsAt: '2026-10-01T12:00:00Z' }] }), []);
        expect((await versions())['t']).not.toBe(after['t']);
      } finally {
        await store.close();
      }
    });
    it('leaves a live alert carried unchanged by a later write as it is, and writes the changed, moved and previous-release ones', async () => {
      const url = await freshUrl();
      const store = await openPostgresStore(url);
      try {
        const versions = async () =>
          Object.fromEntries((await adminQuery(url, 'SELECT fingerprint, xmin::text AS x FROM alerts')).rows.map((r: { fingerprint: string; x: string }) => [r.fingerprint, r.x]));
        await enqueue(store, group('steady', { alerts: [alert('a'), alert('b'), alert('c'), alert('d')] }), []);
        // What a previous release leaves: a row it inserted has no created_at.
        await adminQuery(url, `UPDATE alerts SET created_at = NULL WHERE fingerprint = 'd'`);
        const before = await versions();
        // b changes, c and a swap places, d is as it was.
        await enqueue(store, group('steady', { alerts: [alert('c'), alert('b', 'resolved'), alert('a'), alert('d')] }), []);
        const after = await versions();
        expect(after['b']).not.toBe(before['b']);
        expect(after['a']).not.toBe(before['a']);
        expect(after['c']).not.toBe(before['c']);
        expect(after['d']).not.toBe(before['d']);
        expect((await adminQuery(url, `SELECT count(*)::int AS n FROM alerts WHERE created_at IS NULL`)).rows[0].n).toBe(0);
        // The same snapshot again: no row is rewritten.
        await enqueue(store, group('steady', { alerts: [alert('c'), alert('b', 'resolved'), alert('a'), alert('d')] }), []);
        expect(await versions()).toEqual(after);
        expect((await store.getGroup('steady'))?.alerts.map((x) => [x.fingerprint, x.status])).toEqual([
          ['c', 'firing'],
          ['b', 'resolved'],
          ['a', 'firing'],
          ['d', 'firing'],
        ]);
      } finally {
        await store.close();
      }
    });
  });

  describe('schema', () => {
    it('refuses a database migrated by a newer alertgate, naming both versions', async () => {
      const url = await freshUrl();
      await (await openPostgresStore(url)).close();
      const latest = MIGRATIONS.at(-1)!.version;
      await adminQuery(url, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${latest + 1}, 'future', now())`);
      await expect(openPostgresStore(url)).rejects.toThrow(`database schema version ${latest + 1} is newer than this alertgate supports (${latest}); upgrade alertgate`);
    });

    describe('migrations', () => {
      const latest = MIGRATIONS.at(-1)!.version;
      const versions = async (url: string) =>
        (await adminQuery(url, 'SELECT version FROM schema_migrations ORDER BY version')).rows.map((r: { version: number }) => r.version);
      const upTo = (v: number) => Array.from({ length: v }, (_, i) => i + 1);

      it('applies a step that outlasts the statement timeout, and a second starter waits for it instead of failing', async () => {
        const url = await freshUrl();
        // Both timeouts of the pool far below the step: the server's and the client's.
        const [a, b] = [createPool(url, { statementTimeoutMs: 100, queryTimeoutMs: 300 }), createPool(url, { statementTimeoutMs: 100, queryTimeoutMs: 300 })];
        try {
          const slow: Migration[] = [...MIGRATIONS, { version: latest + 1, name: 'slow step', sql: 'SELECT pg_sleep(1)' }];
          let slowStarted!: () => void;
          const started = new Promise<void>((resolve) => (slowStarted = resolve));
          const first = migrate(a, slow, { onEvent: (e) => e.event === 'applying' && e.version === latest + 1 && slowStarted() });
          await started; // replica A holds the migration lock for the next second
          const told: MigrationEvent[] = [];
          const second = migrate(b, slow, { lockPollMs: 20, onEvent: (e) => told.push(e) });
          expect(await Promise.all([first, second])).toEqual([upTo(latest + 1), []]);
          // Told once that it waits (then every 30 s), and it applied nothing itself.
          expect(told).toEqual([{ event: 'waiting', waitedMs: 0 }]);
          expect(await versions(url)).toEqual(upTo(latest + 1));
        } finally {
          await Promise.all([a.end(), b.end()]);
        }
      });

      it('keeps the steps applied before one that fails, and applies the rest on the next start', async () => {
        const url = await freshUrl();
        const pool = createPool(url);
        try {
          const steps: Migration[] = [
            ...MIGRATIONS,
            { version: latest + 1, name: 'fine', sql: 'CREATE TABLE fine_step (x integer)' },
            { version: latest + 2, name: 'broken', sql: 'CREATE INDEX broken_step ON no_such_table (x)' },
          ];
          await expect(migrate(pool, steps)).rejects.toThrow(/no_such_table/);
          expect(await versions(url)).toEqual(upTo(latest + 1));
          const fixed = [...steps.slice(0, -1), { version: latest + 2, name: 'fixed', sql: 'CREATE INDEX fixed_step ON fine_step (x)' }];
          expect(await migrate(pool, fixed)).toEqual([latest + 2]);
          expect(await versions(url)).toEqual(upTo(latest + 2));
        } finally {
          await pool.end();
        }
      });

      it('upgrades an old database once when several replicas start at once, step by step, keeping its data', async () => {
        const url = await freshUrl();
        const pool = createPool(url);
        try {
          expect(await migrate(pool, MIGRATIONS.slice(0, 1))).toEqual([1]);
        } finally {
          await pool.end();
        }
        await adminQuery(url, `INSERT INTO groups VALUES ('kept', 'payments', '{}', 'r', '', '{}', '{}', '{}', 'resolved', NULL, NULL, '[]',
          '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`);
        const applied: number[] = [];
        const onMigration = (e: MigrationEvent) => e.event === 'applied' && applied.push(e.version);
        const stores = await Promise.all([1, 2, 3, 4].map(() => openPostgresStore(url, { onMigration, migrationLockPollMs: 10 })));
        try {
          // Whichever replica held the lock applied the next step; none was applied twice. Sorted:
          // a replica reports its step once its transaction ended, and the next replica can apply
          // and report the following step first (seen on a loaded machine: 3, 4, 2, 5, …); the
          // order they were applied in is the versions table's, checked below.
          expect([...applied].sort((x, y) => x - y)).toEqual(upTo(latest).slice(1));
          expect(await versions(url)).toEqual(upTo(latest));
          expect(await stores[3]!.getGroup('kept')).toMatchObject({ id: 'kept', status: 'resolved' });
        } finally {
          await Promise.all(stores.map((s) => s.close()));
        }
      });
    });

    it('finds the oldest waiting notification in a few index pages, not by walking the sent history before it', async () => {
      const url = await freshUrl();
      const store = await openPostgresStore(url);
      try {
        const g = group('history');
        await enqueue(store, g);
        const [sent] = await store.claimDue({ owner: 'w', now: later(), limit: 1, leaseMs: 60_000 });
        await store.markSent(sent!.id, { claim: sent!.claim, owner: 'w', sentAt: later() });
        // 20,000 sent rows, then the waiting ones: the history `ORDER BY id LIMIT 1` would walk.
        await adminQuery(
          url,
          `INSERT INTO notifications (group_id, team, target, target_key, kind, status, attempts, created_at, sent_at, snapshot)
           SELECT group_id, team, target, target_key, kind, status, attempts, created_at, sent_at, snapshot FROM notifications, generate_series(1, 20000)`,
        );
        const waiting = group('waiting');
        const [oldest] = await enqueue(store, waiting, [notification(waiting, SLACK), notification(waiting, PAGERDUTY)]);
        await adminQuery(url, 'ANALYZE notifications');
        expect((await store.oldestWaitingCreatedAt())?.toISOString()).toBe(oldest?.createdAt);
        const { rows } = await adminQuery(url, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${OLDEST_WAITING_CREATED_AT}`);
        const plan = (rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan;
        const nodes = planNodes(plan);
        expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
        expect(nodes.filter((n) => n['Index Name'] === 'notifications_by_status')).toHaveLength(2);
        // A walk past the history reads hundreds of pages; two seeks and two lookups, a handful.
        expect(plan['Shared Hit Blocks'] + plan['Shared Read Blocks']).toBeLessThan(40);
      } finally {
        await store.close();
      }
    });

    it('reads a page of alerts from the list index at its cursor, whatever the filter, not by sorting every alert', async () => {
      const url = await freshUrl();
      const store = await openPostgresStore(url);
      try {
        await enqueue(store, group('many', { alerts: [alert('a')] }), []);
        // 20,000 more alerts, half of them as the previous release stored them (created_at NULL).
        await adminQuery(
          url,
          `INSERT INTO alerts (group_id, fingerprint, position, team, status, labels, annotations, starts_at, ends_at, generator_url, updated_at, created_at)
           SELECT group_id, fingerprint || i, position, team, CASE WHEN i % 3 = 0 THEN 'resolved' ELSE status END, labels, annotations,
             starts_at, ends_at, generator_url, updated_at + i * interval '1 ms', CASE WHEN i % 2 = 0 THEN created_at + i * interval '1 ms' END
           FROM alerts, generate_series(1, 20000) AS i`,
        );
        await adminQuery(url, 'ANALYZE alerts');
        for (const filter of [{}, { team: 'payments' }, { status: 'firing' as const }]) {
          const first = await store.listAlerts({ ...filter, limit: 100 });
          for (const cursor of [undefined, first.nextCursor!]) {
            const q = alertListQuery({ ...filter, limit: 100, ...(cursor ? { cursor } : {}) });
            const { rows } = await adminQuery(url, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.text}`, q.values);
            const plan = (rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan;
            const nodes = planNodes(plan);
            expect(nodes.filter((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Seq Scan'), JSON.stringify(filter)).toEqual([]);
            expect(nodes.some((n) => n['Index Name']?.endsWith('_created')), JSON.stringify(filter)).toBe(true);
          }
        }
      } finally {
        await store.close();
      }
    });

    it('a retention step reads what it deletes, not the dead rows kept at low ids nor the rest of a long-lived group', async () => {
      const url = await freshUrl();
      const store = await openPostgresStore(url);
      try {
        const claim = async () => only(await store.claimDue({ owner: 'w', now: later(), limit: 1, leaseMs: 60_000 }));
        // A dead notification and a sent one, each copied into 1,000 groups, 20 a group: dead
        // ones, kept until an operator retries them (a day of Slack outage leaves thousands), at
        // the low end of the ids where every step's walk starts; then the old sent history.
        await enqueue(store, group('stuck'));
        await claim().then((held) => store.markFailed(held.id, { claim: held.claim, owner: 'w', error: 'channel_not_found', nextAttemptAt: null }));
        await enqueue(store, group('history'));
        await claim().then((held) => store.markSent(held.id, { claim: held.claim, owner: 'w', sentAt: later() }));
        for (const [from, status] of [['stuck', 'dead'], ['history', 'sent']] as const) {
          await adminQuery(
            url,
            `INSERT INTO groups SELECT (jsonb_populate_record(g, jsonb_build_object('id', g.id || '-' || i))).*
               FROM groups g, generate_series(1, 1000) i WHERE g.id = '${from}';
             INSERT INTO notifications (group_id, team, target, target_key, kind, status, attempts, created_at, sent_at, snapshot)
               SELECT g.id, n.team, n.target, n.target_key, n.kind, n.status, n.attempts, n.created_at, n.sent_at, n.snapshot
               FROM notifications n, groups g, generate_series(1, 20)
               WHERE n.status = '${status}' AND n.group_id = '${from}' AND g.id LIKE '${from}-%'`,
          );
        }
        await adminQuery(url, 'ANALYZE notifications');
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query('BEGIN');
          const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${DELETE_OLD_NOTIFICATIONS}`, [Number.MAX_SAFE_INTEGER, later(), 100]);
          await client.query('ROLLBACK');
          const plan = (rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan;
          const nodes = planNodes(plan);
          // The walk reads the sent range of the status index; a walk of the primary key read (and
          // filtered out) every dead row first, and a look-up by group every other row of it.
          const removed = nodes.reduce((n, node) => n + (node['Rows Removed by Filter'] ?? 0) * (node['Actual Loops'] ?? 1), 0);
          expect(removed).toBeLessThan(100);
          // Each sent row deleted looks up the dead ones of its queue in their own index, not
          // every notification of its group, nor every dead one.
          expect(nodes.some((n) => n['Index Name'] === 'notifications_dead')).toBe(true);
          expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan' || n['Index Name'] === 'notifications_by_group')).toEqual([]);
          expect(plan['Shared Hit Blocks'] + plan['Shared Read Blocks']).toBeLessThan(2_000);
        } finally {
          await client.end();
        }
        // The step itself deletes 100 sent rows and keeps every dead one.
        expect(await store.pruneHistory({ before: later(), limit: 100 })).toMatchObject({ notifications: 100, groups: 0 });
        expect((await adminQuery(url, `SELECT count(*)::integer AS n FROM notifications WHERE status = 'dead'`)).rows[0]).toEqual({ n: 20_001 });
      } finally {
        await store.close();
      }
    });

    it("finds the newest sent item of a Slack queue by a seek in the sent items' index, not by walking the group's or the table's history", async () => {
      const url = await freshUrl();
      const store = await openPostgresStore(url);
      try {
        const claim = async () => only(await store.claimDue({ owner: 'w', now: later(), limit: 1, leaseMs: 60_000 }));
        // A busy group's post (its message stored), then 20,000 more of its sent items and 20,000
        // suppressed duplicates after them, then 200,000 of 2,000 other groups: the group is
        // common in the statistics, its newest sent item lies far behind the table's newest ids,
        // and the suppressed items between it and the change are no episode's edge.
        await enqueue(store, group('busy'));
        await claim().then((held) => store.markSent(held.id, { claim: held.claim, owner: 'w', sentAt: later(), slackRef: { channel: 'C0PAY', ts: '1700000000.000100' } }));
        await enqueue(store, group('other'));
        await claim().then((held) => store.markSent(held.id, { claim: held.claim, owner: 'w', sentAt: later() }));
        await adminQuery(
          url,
          `INSERT INTO notifications (group_id, team, target, target_key, kind, status, attempts, created_at, sent_at, snapshot)
             SELECT n.group_id, n.team, n.target, n.target_key, 'repeat', n.status, n.attempts, n.created_at, n.sent_at, n.snapshot
             FROM notifications n, generate_series(1, 20000) WHERE n.group_id = 'busy';
           INSERT INTO notifications (group_id, team, target, target_key, kind, status, reason, attempts, created_at, snapshot)
             SELECT n.group_id, n.team, n.target, n.target_key, 'repeat', 'suppressed', 'duplicate within dedup window 5m', 0, n.created_at, n.snapshot
             FROM notifications n, generate_series(1, 20000) WHERE n.group_id = 'busy' AND n.kind = 'new';
           INSERT INTO groups SELECT (jsonb_populate_record(g, jsonb_build_object('id', g.id || '-' || i))).*
             FROM groups g, generate_series(1, 2000) i WHERE g.id = 'other';
           INSERT INTO notifications (group_id, team, target, target_key, kind, status, attempts, created_at, sent_at, snapshot)
             SELECT g.id, n.team, n.target, n.target_key, n.kind, n.status, n.attempts, n.created_at, n.sent_at, n.snapshot
             FROM notifications n, groups g, generate_series(1, 100) WHERE n.group_id = 'other' AND g.id LIKE 'other-%';
           ANALYZE notifications`,
        );
        const [change] = await enqueue(store, group('busy'), [notification(group('busy'), SLACK, { kind: 'changed' })]);
        expect(await store.getSlackRef('busy', SLACK.channel, { id: change!.id, kind: 'changed' })).toEqual({ channel: 'C0PAY', ts: '1700000000.000100' });
        const { rows } = await adminQuery(url, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${SELECT_EPISODE_SLACK_MESSAGE}`, ['busy', SLACK.channel, 'slack:#payments-alerts', change!.id, 'changed']);
        const plan = (rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan;
        const nodes = planNodes(plan);
        expect(nodes.some((n) => n['Index Name'] === 'notifications_sent_by_queue')).toBe(true);
        expect(nodes.some((n) => n['Index Name'] === 'notifications_suppressed_edges')).toBe(true);
        expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan' || n['Index Name'] === 'notifications_by_group' || n['Index Name'] === 'notifications_pkey')).toEqual([]);
        // A few pages of four indexes, not the group's 40,000 rows nor the 200,000 after them.
        expect(plan['Shared Hit Blocks'] + plan['Shared Read Blocks']).toBeLessThan(40);
      } finally {
        await store.close();
      }
    });

    it("reads a storm's gathered groups from the team's range of the gathered groups' index, not by scanning every group", async () => {
      const url = await freshUrl();
      const store = await openPostgresStore(url);
      try {
        const storm = Date.parse('2026-10-01T10:00:00.000Z');
        await enqueue(store, group('gathered', { stormDigests: { '#payments-alerts': { storm, status: 'firing' } } }), []);
        await enqueue(store, group('quiet'), []);
        // 20,000 groups of 20 teams no digest gathered, and 200 of this team's storm.
        await adminQuery(
          url,
          `INSERT INTO groups SELECT (jsonb_populate_record(g, jsonb_build_object('id', g.id || '-' || i, 'team', 'team-' || (i % 20)))).*
             FROM groups g, generate_series(1, 20000) i WHERE g.id = 'quiet';
           INSERT INTO groups SELECT (jsonb_populate_record(g, jsonb_build_object('id', g.id || '-' || i))).*
             FROM groups g, generate_series(1, 200) i WHERE g.id = 'gathered';
           ANALYZE groups`,
        );
        expect(await store.stormGroupIds('payments', '#payments-alerts', storm, 'gathered-50', 3)).toEqual(['gathered-51', 'gathered-52', 'gathered-53']);
        for (const after of [null, 'gathered-50']) {
          const { rows } = await adminQuery(url, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${SELECT_STORM_GROUP_IDS}`, ['payments', '#payments-alerts', storm, after, 101]);
          const plan = (rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan;
          const nodes = planNodes(plan);
          expect(nodes.filter((n) => n['Node Type'].includes('Seq Scan')), String(after)).toEqual([]);
          expect(nodes.some((n) => n['Index Name'] === 'groups_storm_digests'), String(after)).toBe(true);
          // The team's 201 gathered rows (a few pages), not the 20,000 others' (hundreds).
          expect(plan['Shared Hit Blocks'] + plan['Shared Read Blocks'], String(after)).toBeLessThan(60);
        }
      } finally {
        await store.close();
      }
    });

    it('round-trips times and JSON exactly as given', async () => {
      const store = await openPostgresStore(await freshUrl(), { now: () => new Date('2030-05-01T12:00:00.123Z') });
      try {
        const g = group('exact', {
          alerts: [alert('x', 'firing', { zeta: '1', alpha: 'ünïcødé <&>' })],
          targets: [PAGERDUTY],
          notifiedAt: '2026-10-01T10:00:05+02:00',
        });
        const [n] = await enqueue(store, g);
        expect(await store.getGroup('exact')).toEqual(g);
        expect(n).toMatchObject({ createdAt: '2030-05-01T12:00:00.123Z', nextAttemptAt: '2030-05-01T12:00:00.123Z' });
        expect(JSON.stringify(n?.snapshot)).toBe(JSON.stringify(notification(g, SLACK).snapshot));
      } finally {
        await store.close();
      }
    });
  });

  describe('server unreachable', () => {
    it('rejects every call (never crashes) while the server is gone, and recovers', async () => {
      const url = await freshUrl();
      const store = await openPostgresStore(url);
      try {
        await enqueue(store, group('before'));
        // Kill every connection of this store's pool, as a server restart would.
        await adminQuery(admin!, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'alertgate'", [db.name]);
        // The first calls may meet a dead pooled connection: they reject, the pool replaces it.
        for (let i = 0; i < 3; i++) await store.ping().catch(() => undefined);
        await expect(store.ping()).resolves.toBeUndefined();
        expect(await store.outboxDepth()).toBe(1);
      } finally {
        await store.close();
      }
    });

    it('rejects calls within the query timeout when the server stops answering without closing the connection (failover, partition)', async () => {
      const proxy = await startPostgresProxy();
      const store = await openPostgresStore(throughProxy(await freshUrl(), proxy), { queryTimeoutMs: 1_000 });
      try {
        await store.ping(); // a pooled connection, through the proxy
        proxy.freeze();
        const g = group('unanswered');
        const outcomes = await Promise.all([
          store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, SLACK)] }]).then(() => 'stored', (e: Error) => e.message),
          store.outboxDepth().then(() => 'answered', (e: Error) => e.message),
        ]);
        // Without a client-side timeout both stayed pending (the server never saw the queries).
        expect(outcomes.every((o) => /timeout/i.test(o))).toBe(true);
      } finally {
        await proxy.stop();
        await store.close().catch(() => undefined);
      }
    });

    it('rejects opening a store on a port nobody listens on, without leaking the password', async () => {
      const err = await openPostgresStore('postgres://app:hunter2@127.0.0.1:1/alertgate').catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect(String((err as Error).message)).not.toContain('hunter2');
    });
  });
});
