/**
 * @module store/sqlite/connection
 * Opens a better-sqlite3 connection with the pragmas alertgate's durability promise needs.
 */
import Database from 'better-sqlite3';

/** How long a writer waits for another connection's write lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Open (creating if needed) a database file, or `:memory:`, with:
 * - WAL journal: readers never block the writer, and a crash leaves a consistent database;
 * - `synchronous=FULL`: with WAL, NORMAL may lose the last commits on power loss. The webhook
 *   answers 202 only after the alert is stored, so every commit must reach the disk first
 *   (the contract: accepted alerts survive SIGKILL and power loss);
 * - `foreign_keys=ON`: alerts, notifications and Slack refs always belong to a stored group;
 * - `busy_timeout`: another connection (a CLI run, a second process) briefly holding the write
 *   lock makes us wait instead of failing.
 */
export function openDatabase(filename: string): Database.Database {
  const db = new Database(filename);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
