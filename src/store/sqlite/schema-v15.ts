/**
 * @module store/sqlite/schema-v15
 * Migration 15: `notifications.claims`, how many times the item was claimed (or leased with its
 * write), never given back. The claim's number is what its outcome write (sent, failed, handed
 * back) must still find (queries.ts MARK_SENT, MARK_FAILED, DEFER): the lease's owner alone is
 * not enough, as one process claims an item again under the same owner (a retry after its own
 * lease ran out, a restarted delivery thread), and a write of the earlier claim landing after
 * that cleared the new claim's lease or finished the item for it. `attempts` is no such number: a
 * hand-back gives its attempt back and an admin's retry starts it again at 0.
 *
 * A column with a constant default: no row is rewritten. Rows of earlier claims start at 0; a
 * claim in flight at the upgrade cannot be (the one process on the file releases every lease at
 * open, sqlite-store.ts).
 */
export const SCHEMA_V15 = `
ALTER TABLE notifications ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;
`;
