/**
 * @module testing/both-stores
 * Run one set of cases on SQLite (in memory) and on PostgreSQL (a schema per store, in a test
 * database of the file's own), for module tests whose behaviour goes through the store. The
 * PostgreSQL block follows testing/postgres.ts: skipped loudly when unreachable, failed with CI=true.
 *
 * @example
 * await onBothStores('storms in dropped channels', (newStore) => { beforeEach(async () => (store = await newStore())); … });
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createTestDatabase, createTestSchema, requirePostgres, type TestDatabase } from './postgres.js';

export async function onBothStores(title: string, cases: (newStore: () => Promise<Store>) => void): Promise<void> {
  describe(`${title}: sqlite`, () => {
    cases(async () => openSqliteStore(':memory:'));
  });
  const admin = await requirePostgres();
  describe.skipIf(!admin)(`${title}: postgres`, () => {
    let db: TestDatabase;
    let schemas = 0;
    beforeAll(async () => {
      db = await createTestDatabase(admin!);
    });
    afterAll(async () => {
      await db?.drop();
    });
    cases(async () => openPostgresStore(await createTestSchema(db.url, `t${++schemas}`)));
  });
}
