/**
 * The pool's session setup (DateStyle, read-only) runs on each new connection before the pool
 * hands it out: no query of ours is ever queued behind it on the same connection, which pg 8
 * warns about ("Calling client.query() when the client is already executing a query") and pg 9
 * will refuse. Its own file: the warning is given once per process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createTestDatabase, requirePostgres, type TestDatabase } from '../../testing/postgres.js';
import { createPool } from './pool.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('postgres pool', () => {
  let db: TestDatabase;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);

  beforeAll(async () => {
    db = await createTestDatabase(admin!);
    // A DBA's setting node-postgres cannot parse: each connection must set ISO before its first query.
    await adminQuery(db.url, `ALTER DATABASE ${db.name} SET DateStyle = 'German'`);
    process.on('warning', onWarning);
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await db?.drop();
  });

  for (const readOnly of [false, true]) {
    it(`${readOnly ? 'read-only' : 'read-write'}: every new connection's first query sees its setup done, and nothing warns`, async () => {
      const pool = createPool(db.url, { max: 6, readOnly });
      try {
        const rows = await Promise.all(
          Array.from({ length: 6 }, () => pool.query<{ style: string; ro: string }>("SELECT current_setting('DateStyle') AS style, current_setting('default_transaction_read_only') AS ro")),
        );
        expect(rows.map((r) => r.rows[0])).toEqual(Array(6).fill({ style: 'ISO, DMY', ro: readOnly ? 'on' : 'off' }));
        expect(pool.totalCount).toBe(6);
        // process.emitWarning delivers on the next tick.
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings).toEqual([]);
      } finally {
        await pool.end();
      }
    });
  }
});
