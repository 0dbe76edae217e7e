/**
 * @module store/postgres/schema-v14
 * Migration 14: `notifications.claims`, how many times the item was claimed (or leased with its
 * write), never given back, as SQLite's migration 15 (its schema-v15.ts says why). The claim's
 * number is what its outcome write (sent, failed, handed back) must still find (queries.ts
 * MARK_SENT, MARK_FAILED, DEFER): the owner alone let a write of one claim, landing after the
 * same replica claimed the item again, clear the new claim's lease or finish the item for it.
 *
 * A column with a constant default is added without rewriting the table (PostgreSQL 11 on), so
 * the ALTER's lock is held only for a moment, as migration 8's (schema-v8.ts). Replicas of the
 * previous release keep working meanwhile: their inserts take the default, their claims leave
 * the number as it is and their outcome writes check the owner only, as before. A claim of theirs
 * is told from this release's by its owner, which is each replica's own.
 */
export const SCHEMA_V14 = `
ALTER TABLE notifications ADD COLUMN claims integer NOT NULL DEFAULT 0;
`;
