/**
 * @module store/postgres/migrations
 * Versioned schema migrations of the PostgreSQL store. Each runs once, in order;
 * `schema_migrations` records which ones a database has. Never change what a released migration
 * makes: append a new one. (Steps 5-7 changed only how they build their indexes: CONCURRENTLY.)
 *
 * Each migration is applied in a transaction of its own, together with its `schema_migrations`
 * row, under a transaction-scoped advisory lock, after reading the version under that lock: a
 * step that fails leaves no trace, the steps before it stay applied, and replicas starting at
 * once during a rollout apply each step exactly once (whoever holds the lock applies the next
 * step; the others find it recorded). A replica that finds the lock taken waits for it, however
 * long the other's step takes, saying so through `onEvent`.
 *
 * A step may run for long (an index build over a big table): the pool's statement timeout is
 * lifted for the migration's own statements, so a slow step is not cancelled half way and
 * retried from scratch by every restart.
 *
 * A step that only adds indexes builds them with CREATE INDEX CONCURRENTLY instead (`indexes`),
 * which cannot run in a transaction: a plain CREATE INDEX holds a lock that stops every insert
 * and update of its table for the whole build, and the replicas of the previous release, which
 * keep serving during a rollout, then answered webhooks 503 and delivered nothing until it was
 * done. Such a step runs under a session-level hold of the same lock; a build cut short leaves an
 * invalid index, which the next try drops and builds again.
 *
 * Dropping an index is no better in a transaction: a plain DROP INDEX queues for an ACCESS
 * EXCLUSIVE lock on its table behind any long query that read it, and every insert and list of
 * that table queues behind the DROP, on every replica, for as long. A step that only drops indexes
 * (`dropIndexes`) runs as an `indexes` step does, with DROP INDEX CONCURRENTLY IF EXISTS: it waits
 * for such queries without holding up the others, and one cut short (or a replica that died before
 * recording the step) is finished by the next try.
 */
import type pg from 'pg';
import { checkReadableSchemaVersion, checkSchemaVersion } from '../schema-version.js';
import { UNBOUNDED_QUERY_TIMEOUT_MS, withTransaction, type Queryable } from './pool.js';
import { SCHEMA_V1 } from './schema-v1.js';
import { SCHEMA_V2 } from './schema-v2.js';
import { SCHEMA_V3 } from './schema-v3.js';
import { SCHEMA_V4 } from './schema-v4.js';
import { SCHEMA_V5 } from './schema-v5.js';
import { SCHEMA_V6 } from './schema-v6.js';
import { SCHEMA_V7 } from './schema-v7.js';
import { SCHEMA_V8, SCHEMA_V9, SCHEMA_V10 } from './schema-v8.js';
import { SCHEMA_V11 } from './schema-v11.js';
import { SCHEMA_V12 } from './schema-v12.js';
import { SCHEMA_V13 } from './schema-v13.js';
import { SCHEMA_V14 } from './schema-v14.js';

/**
 * One step: SQL applied in one transaction with its `schema_migrations` row, or indexes built
 * or dropped online (see the module comment). Released steps keep their version and the schema they make.
 */
export type Migration = {
  /** Strictly increasing, starting at 1. */
  version: number;
  name: string;
} & (
  | { sql: string; indexes?: never; dropIndexes?: never }
  | { indexes: readonly OnlineIndex[]; sql?: never; dropIndexes?: never }
  /** Index names, dropped with `DROP INDEX CONCURRENTLY IF EXISTS`. */
  | { dropIndexes: readonly string[]; sql?: never; indexes?: never }
);

/** An index built with `CREATE INDEX CONCURRENTLY <name> ON <on>`. */
export interface OnlineIndex {
  name: string;
  /** What follows `ON`: the table, the key and any predicate. */
  on: string;
}

/** A step run outside a transaction (`applyOnline`). */
type OnlineMigration = Exclude<Migration, { sql: string }>;
type Applied = { version: number; name: string; ms: number };

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: SCHEMA_V1 },
  { version: 2, name: 'outbox due index keyed by receiver', sql: SCHEMA_V2 },
  { version: 3, name: 'storm digest membership on the group row', sql: SCHEMA_V3 },
  { version: 4, name: 'maintenance holds on the group row', sql: SCHEMA_V4 },
  { version: 5, name: 'notifications by group, for pruning groups', indexes: SCHEMA_V5 },
  { version: 6, name: 'storms going on, for the storm ticker', indexes: SCHEMA_V6 },
  { version: 7, name: 'dead notifications by queue, for history retention', indexes: SCHEMA_V7 },
  { version: 8, name: 'time each alert was first stored', sql: SCHEMA_V8 },
  { version: 9, name: 'alerts listed by when they were first stored', indexes: SCHEMA_V9 },
  { version: 10, name: 'alert list indexes by last change dropped', dropIndexes: SCHEMA_V10 },
  { version: 11, name: 'groups gathered by a storm digest by team', indexes: SCHEMA_V11 },
  { version: 12, name: 'sent notifications by queue, for the Slack message of an episode', indexes: SCHEMA_V12 },
  { version: 13, name: 'suppressed episode edges (new, resolved) by queue, for the Slack message of an episode', indexes: SCHEMA_V13 },
  { version: 14, name: 'claim numbers, so that an outcome written for an ended claim changes nothing', sql: SCHEMA_V14 },
];

/**
 * Key of the migration lock (the ASCII bytes of "alertgat" as a bigint). Advisory
 * locks are database-wide, so this is shared by every schema of the database: migrations of
 * two alertgate schemas in one database simply take turns.
 */
export const MIGRATION_LOCK_KEY = 0x616c657274676174n;

/** Progress of `migrate`, for the log. */
export type MigrationEvent =
  /** Another connection (replica) holds the migration lock: sent when the wait starts, then every `waitLogMs`. */
  | { event: 'waiting'; waitedMs: number }
  | { event: 'applying'; version: number; name: string }
  | { event: 'applied'; version: number; name: string; ms: number };

export interface MigrateOptions {
  /** Stamps `applied_at`. */
  now?: Date;
  /** How often a replica that found the migration lock taken tries again; default 250 ms. */
  lockPollMs?: number;
  /** How often a replica still waiting for the lock says so again; default 30 s. */
  waitLogMs?: number;
  onEvent?: (event: MigrationEvent) => void;
}

/**
 * Apply the migrations the database (the first schema of `search_path`) lacks, each in a
 * transaction of its own (steps of indexes, built or dropped: online) under the migration lock, waiting for the lock as long as another
 * replica holds it. Refuses a database written by a newer alertgate. Returns the versions
 * applied by this call.
 */
export async function migrate(pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS, opts: MigrateOptions = {}): Promise<number[]> {
  assertOrdered(migrations);
  const pollMs = opts.lockPollMs ?? 250;
  const waitLogMs = opts.waitLogMs ?? 30_000;
  const applied: number[] = [];
  let waitingSince: number | undefined;
  let toldAt = -Infinity;
  for (;;) {
    const next = await withTransaction(pool, (c) => applyNext(c, migrations, opts));
    const step = typeof next === 'object' && 'online' in next ? await applyOnline(pool, next.online, opts) : next;
    if (step === 'done') return applied;
    if (step === 'recorded elsewhere') continue;
    if (step !== 'locked') {
      // Committed: only now is the step told as applied.
      opts.onEvent?.({ event: 'applied', ...step });
      applied.push(step.version);
      waitingSince = undefined;
      continue;
    }
    // Polled rather than waited for in the server: each try is a short statement, so the pool's
    // timeouts still tell a dead server from a long migration, and the wait is logged.
    const t = Date.now();
    waitingSince ??= t;
    if (t - toldAt >= waitLogMs) {
      toldAt = t;
      opts.onEvent?.({ event: 'waiting', waitedMs: t - waitingSince });
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * One transaction of `migrate`: take the lock (or answer 'locked' at once), then apply the first
 * missing migration and record it, or answer 'done' when none is missing. A missing step of
 * indexes is only named (`online`): it is run outside a transaction, by `applyOnline`.
 */
async function applyNext(c: Queryable, migrations: readonly Migration[], opts: MigrateOptions): Promise<Applied | { online: OnlineMigration } | 'locked' | 'done'> {
  const { rows } = await c.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [MIGRATION_LOCK_KEY.toString()]);
  if (!rows[0]?.locked) return 'locked';
  // For this transaction only: a step takes as long as it takes (the pool's 30 s would cancel an
  // index build on a big table), and a lock its DDL needs is waited for (replicas of the version
  // before hold row locks only for a moment; idle_in_transaction_session_timeout ends a stuck one).
  await c.query('SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0');
  await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL
  )`);
  const current = await currentVersion(c);
  const latest = migrations.at(-1)?.version ?? 0;
  checkSchemaVersion(current, latest);
  const next = migrations.find((m) => m.version > current);
  if (!next) return 'done';
  if (next.sql === undefined) return { online: next };
  opts.onEvent?.({ event: 'applying', version: next.version, name: next.name });
  const started = Date.now();
  // The server no longer bounds the statement; neither does the client (its timeout would
  // abandon the connection and leave the step running on the server).
  await c.query({ text: next.sql, query_timeout: UNBOUNDED_QUERY_TIMEOUT_MS } as pg.QueryConfig);
  await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [next.version, next.name, opts.now ?? new Date()]);
  return { version: next.version, name: next.name, ms: Date.now() - started };
}

/**
 * Build or drop a step's indexes online and record the step, on a connection of its own holding the
 * migration lock for its session (… INDEX CONCURRENTLY cannot run in a transaction, nor
 * then under a transaction-scoped lock). 'locked' when another replica holds it; 'recorded
 * elsewhere' when another replica applied the step since `applyNext` looked. The connection is
 * closed afterwards, not pooled: its session's timeouts are lifted.
 */
async function applyOnline(pool: pg.Pool, step: OnlineMigration, opts: MigrateOptions): Promise<Applied | 'locked' | 'recorded elsewhere'> {
  const c = await pool.connect();
  // A checked-out client has no listener of the pool's (as in withTransaction): the server going
  // away during a build would otherwise be an unhandled 'error' event that kills the process with
  // a stack trace. The query it cut short rejects, which is what `migrate`'s caller sees.
  const ignoreError = () => undefined;
  c.on('error', ignoreError);
  let locked = false;
  let failed = false;
  try {
    const { rows } = await c.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK_KEY.toString()]);
    locked = rows[0]?.locked === true;
    if (!locked) return 'locked';
    if ((await currentVersion(c)) >= step.version) return 'recorded elsewhere';
    await c.query('SET statement_timeout = 0; SET lock_timeout = 0');
    opts.onEvent?.({ event: 'applying', version: step.version, name: step.name });
    const started = Date.now();
    for (const index of step.indexes ?? []) await buildIndex(c, index);
    // One index per statement: CONCURRENTLY drops no more. The server no longer bounds it; neither does the client (see applyNext).
    for (const name of step.dropIndexes ?? []) await c.query({ text: `DROP INDEX CONCURRENTLY IF EXISTS ${name}`, query_timeout: UNBOUNDED_QUERY_TIMEOUT_MS } as pg.QueryConfig);
    await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [step.version, step.name, opts.now ?? new Date()]);
    return { version: step.version, name: step.name, ms: Date.now() - started };
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // Given back at once, so that the next step (this replica's or another's) need not wait for
    // the connection's end; should that fail, the session ending releases it.
    if (locked) await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => undefined);
    c.off('error', ignoreError);
    c.release(locked || failed ? true : undefined);
  }
}

/**
 * Build one index unless a valid one of that name is there (its build finished, but the replica
 * died before recording the step: the server goes on with a build whose client is gone). An
 * invalid one is what a build cut short leaves (cancelled, the server restarted): it takes
 * writes' time without serving reads, and is dropped and built again. Looked up in the schema
 * the tables are in (the first of search_path).
 */
async function buildIndex(c: Queryable, index: OnlineIndex): Promise<void> {
  const { rows } = await c.query<{ valid: boolean }>(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
     WHERE x.relname = $1 AND x.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`,
    [index.name],
  );
  const valid = rows[0]?.valid;
  if (valid === true) return;
  // The server no longer bounds these statements; neither does the client (see applyNext).
  if (valid === false) await c.query({ text: `DROP INDEX CONCURRENTLY ${index.name}`, query_timeout: UNBOUNDED_QUERY_TIMEOUT_MS } as pg.QueryConfig);
  await c.query({ text: `CREATE INDEX CONCURRENTLY ${index.name} ON ${index.on}`, query_timeout: UNBOUNDED_QUERY_TIMEOUT_MS } as pg.QueryConfig);
}

async function currentVersion(c: Queryable): Promise<number> {
  const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return rows[0]?.v ?? 0;
}

/**
 * The oldest schema a read-only open (`alertgate uptime`) reads. It reads groups only
 * (`getGroup`: the maintenance windows are pseudo-groups, maintenance/state.ts and archive.ts):
 * the columns of store/rows.ts `GroupRow`, the last of which (`held_until`) migration 4 added,
 * and the group's alert rows, whose columns it reads are migration 1's. Migrations 5-13 added
 * indexes and a column (`alerts.created_at`) that read does not use. A migration that changes
 * what it reads moves this up.
 */
export const OLDEST_READ_ONLY_VERSION = 4;

/**
 * For a pool that must not write (`openPostgresStore` read-only): throws unless the database's
 * schema (the first schema of `search_path`) is one a read-only open reads
 * (OLDEST_READ_ONLY_VERSION to this release's); creates nothing.
 */
export async function requireReadableSchema(c: Queryable, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  const { rows } = await c.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  const current = rows[0]?.present ? await currentVersion(c) : 0;
  checkReadableSchemaVersion(current, { oldest: OLDEST_READ_ONLY_VERSION, latest: migrations.at(-1)?.version ?? 0 });
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
}
