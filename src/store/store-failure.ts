/**
 * @module store/store-failure
 * Whether an error is the store failing (unreachable, refusing, full, busy, its writer gone)
 * rather than a bug in the code around it. The webhook's outage log throttles the first kind as
 * one streak and logs the second per request: a payload that makes our code throw for one group
 * is not an outage, and its line must not be hidden among an outage's reminders nor end in a
 * false "recovered".
 *
 * /readyz and alertgate_store_up need no such test: the only thing they call is the store (a
 * ping, counting reads), so whatever they catch is its failure. A webhook's write also runs our
 * decisions (dedup, storm, maintenance) under the store's lock, so its errors are told apart by
 * what they are:
 * - a `code` the store's drivers and the system give: a Node system error (ECONNREFUSED,
 *   ECONNRESET, ETIMEDOUT, ENOSPC …; not Node's own ERR_* codes, which are bugs), SQLite's
 *   SQLITE_* (better-sqlite3, and the SQLite writer thread's errors, which keep theirs), a
 *   PostgreSQL SQLSTATE (five characters: 40001, 57P01, 53300 …);
 * - node-postgres's and pg-pool's errors that carry no code (a connection that ended, a
 *   connect or read timeout, a client no longer queryable);
 * - the store's own: its write gate's timeout (GroupWriteBusyError), the SQLite writer thread
 *   failing, exiting or gone, a store already closed.
 */

const SYSTEM_CODE = /^E[A-Z0-9_]+$/;
const SQLITE_CODE = /^SQLITE_[A-Z_]+$/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Messages of node-postgres / pg-pool errors with no code, and of our stores' own unavailable errors. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/, // 'Connection terminated', '… unexpectedly', '… due to connection timeout'
  /^timeout exceeded when trying to connect$/,
  /^Query read timeout$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^SQLite writer thread (failed|exited|is gone)/,
  /^the SQLite store is closed$/,
];

const STORE_ERROR_NAMES = new Set(['GroupWriteBusyError', 'SqliteError']);

export function isStoreFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && !code.startsWith('ERR_') && (SYSTEM_CODE.test(code) || SQLITE_CODE.test(code) || SQLSTATE.test(code))) return true;
  if (STORE_ERROR_NAMES.has(err.name)) return true;
  return UNAVAILABLE_MESSAGES.some((m) => m.test(err.message));
}
