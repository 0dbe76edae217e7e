/**
 * @module store/sqlite/connection
 * Opens a better-sqlite3 connection with the pragmas alertgate's durability promise needs.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

/** How long a writer waits for another connection's write lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Page cache of a connection that only reads (the event loop's, the delivery thread's), KiB.
 * better-sqlite3 builds SQLite with a 16 MB default per connection, and a big cache buys a
 * reader little here: in WAL mode every commit of another connection (the writer thread's, many
 * a second) makes SQLite drop the reader's whole cache at its next read. At 10,000 open groups
 * the default cost ~15 MB of RSS per reader, filled by list pages and thrown away.
 */
export const READER_CACHE_KIB = 2_048;

/**
 * Page cache of the writer thread's connection, KiB. Its cache stays valid between commits (no
 * other connection writes) and holds the B-tree pages webhooks insert into; 8 MB measured the
 * same ingest rates as the 16 MB default, with 10–18 MB less RSS (docs/performance.md).
 */
export const WRITER_CACHE_KIB = 8_192;

/**
 * Open (creating if needed) a database file, or `:memory:`, with:
 * - WAL journal: readers never block the writer, and a crash leaves a consistent database;
 * - `synchronous=FULL`: with WAL, NORMAL may lose the last commits on power loss. The webhook
 *   answers 202 only after the alert is stored, so every commit must reach the disk first
 *   (the contract: accepted alerts survive SIGKILL and power loss);
 * - `foreign_keys=ON`: alerts, notifications and Slack refs always belong to a stored group;
 * - `busy_timeout`: another connection (a CLI run, a second process) briefly holding the write
 *   lock makes us wait instead of failing;
 * - `cache_size`: `cacheKiB` when given (see READER_CACHE_KIB, WRITER_CACHE_KIB).
 */
export function openDatabase(filename: string, o: { cacheKiB?: number } = {}): Database.Database {
  const db = new Database(filename);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (o.cacheKiB !== undefined) db.pragma(`cache_size = -${Math.floor(o.cacheKiB)}`);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Open an existing database file to read only: not created, no pragma that writes (the journal
 * mode is the file's own), and SQLite refuses any write on the connection. It still waits for a
 * running gateway's write lock as its readers do. SQLite may create the `-wal`/`-shm` files
 * beside it, which hold no data of their own.
 */
export function openReadOnlyDatabase(filename: string): Database.Database {
  // better-sqlite3 says only "unable to open database file".
  if (!existsSync(filename)) throw new Error('no such file (a read-only open does not create one)');
  const db = new Database(filename, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
