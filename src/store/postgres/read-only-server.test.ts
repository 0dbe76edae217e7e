/**
 * A server that refuses writes on the connections the pool holds, while a new connection would
 * write: a failover behind a name (DNS, a cloud endpoint) whose old primary came back as a
 * read-only replica and still holds the pool's connections. A write refused for being read-only
 * must cost its connection, or the pool hands the same one out again and every webhook answers
 * 503 for as long as the replica lives; /readyz says what is wrong meanwhile. Here the database's
 * `default_transaction_read_only` plays the replica: it applies to connections opened while set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createTestDatabase, requirePostgres, type TestDatabase } from '../../testing/postgres.js';
import { startPostgresProxy, throughProxy } from '../../testing/postgres-proxy.js';
import { SLACK, group, notification } from '../contract/fixtures.case.js';
import { StoreNotWritableError } from '../store.js';
import { READ_ONLY_KEEP_MS } from './pool.js';
import { openPostgresStore } from './postgres-store.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('postgres: connections to a server that turned read-only', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(admin!);
  });
  afterAll(() => db?.drop());

  // The failover test's window, or default_transaction_read_only left on: every webhook refused
  // and every /readyz probe cost a new connection (connect and auth on the server) when each
  // refusal closed its connection.
  it('a database that stays read-only does not cost a new connection per refused write or ping', async () => {
    const proxy = await startPostgresProxy(db.url);
    const store = await openPostgresStore(throughProxy(db.url, proxy), { max: 3 });
    try {
      await adminQuery(admin!, `ALTER DATABASE ${db.name} SET default_transaction_read_only = on`);
      await adminQuery(db.url, `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'alertgate'`, [db.name]);
      const g = group('payments-stays-readonly');
      const before = proxy.accepted;
      const started = performance.now();
      for (let i = 0; i < 20; i++) {
        await expect(store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, SLACK)] }])).rejects.toThrow(/read-only transaction/);
        await expect(store.ping()).rejects.toThrow(StoreNotWritableError);
      }
      const elapsedS = (performance.now() - started) / 1000;
      // One connection at a time here: a new one at first, then at most one a second.
      expect(proxy.accepted - before).toBeLessThanOrEqual(1 + Math.ceil(elapsedS));
    } finally {
      await store.close();
      await proxy.stop();
      await adminQuery(admin!, `ALTER DATABASE ${db.name} RESET default_transaction_read_only`);
    }
  });

  it('readiness says read-only, and once the server takes writes again a repeated probe says ready within a second and the next write goes through', async () => {
    // Migrated while writable, as the replicas were before the failover.
    const store = await openPostgresStore(db.url, { max: 3 });
    try {
      // The failover: the pool's connections end (the server waits for their backends to exit,
      // so the pool has read their goodbye before the call returns), and the ones it opens next
      // reach the old primary, now read-only.
      await adminQuery(admin!, `ALTER DATABASE ${db.name} SET default_transaction_read_only = on`);
      await adminQuery(db.url, `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'alertgate'`, [db.name]);

      const g = group('payments-readonly');
      const write = () => store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, SLACK)] }]);
      await expect(write()).rejects.toThrow(/read-only transaction/);
      const ping = store.ping();
      await expect(ping).rejects.toThrow(StoreNotWritableError);
      await expect(ping).rejects.toThrow('store is read-only: the PostgreSQL session is read-only (default_transaction_read_only is on for this database or user)');

      // The new primary: connections opened from now on write. The pool's connection, opened
      // while read-only, stays so; it goes once it is READ_ONLY_KEEP_MS old, at its next refusal:
      // a probe repeated as Kubernetes does says ready then, and the next write goes through.
      await adminQuery(admin!, `ALTER DATABASE ${db.name} RESET default_transaction_read_only`);
      const deadline = performance.now() + READ_ONLY_KEEP_MS + 10_000;
      let refused = 0;
      while (!(await store.ping().then(() => true, (err: unknown) => (expect(err).toBeInstanceOf(StoreNotWritableError), false)))) {
        expect(performance.now(), 'still read-only long after READ_ONLY_KEEP_MS').toBeLessThan(deadline);
        refused += 1;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(refused).toBeLessThanOrEqual(Math.ceil(READ_ONLY_KEEP_MS / 50) + 1);
      expect((await write()).map((n) => n.kind)).toEqual(['new']);
    } finally {
      await store.close();
    }
  });
});
