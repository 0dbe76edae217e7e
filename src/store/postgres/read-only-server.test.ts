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
import { SLACK, group, notification } from '../contract/fixtures.case.js';
import { StoreNotWritableError } from '../store.js';
import { openPostgresStore } from './postgres-store.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('postgres: connections to a server that turned read-only', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(admin!);
  });
  afterAll(() => db?.drop());

  it('readiness says read-only, and once the server takes writes again the next write and ping go through', async () => {
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

      // The new primary: connections opened from now on write.
      await adminQuery(admin!, `ALTER DATABASE ${db.name} RESET default_transaction_read_only`);
      await expect(store.ping()).resolves.toBeUndefined();
      expect((await write()).map((n) => n.kind)).toEqual(['new']);
    } finally {
      await store.close();
    }
  });
});
