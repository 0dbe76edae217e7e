/**
 * @module store/postgres/migrations
 * Versioned schema migrations of the PostgreSQL store. Each runs once, in order;
 * `schema_migrations` records which ones a database has. Never edit a released migration:
 * append a new one.
 *
 * Several replicas start at once during a rollout: each takes the same transaction-scoped
 * advisory lock before looking at the schema, so exactly one migrates and the others then find
 * nothing left to do. DDL is transactional in PostgreSQL, so a failed run leaves no trace.
 */
import type pg from 'pg';
import { withTransaction, type Queryable } from './pool.js';
import { SCHEMA_V1 } from './schema-v1.js';
import { SCHEMA_V2 } from './schema-v2.js';
import { SCHEMA_V3 } from './schema-v3.js';
import { SCHEMA_V4 } from './schema-v4.js';
import { SCHEMA_V5 } from './schema-v5.js';
import { SCHEMA_V6 } from './schema-v6.js';

export interface Migration {
  /** Strictly increasing, starting at 1. */
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: SCHEMA_V1 },
  { version: 2, name: 'outbox due index keyed by receiver', sql: SCHEMA_V2 },
  { version: 3, name: 'storm digest membership on the group row', sql: SCHEMA_V3 },
  { version: 4, name: 'maintenance holds on the group row', sql: SCHEMA_V4 },
  { version: 5, name: 'notifications by group, for pruning groups', sql: SCHEMA_V5 },
  { version: 6, name: 'storms going on, for the storm ticker', sql: SCHEMA_V6 },
];

/**
 * Key of the migration lock (the ASCII bytes of "alertgat" as a bigint). Advisory
 * locks are database-wide, so this is shared by every schema of the database: migrations of
 * two alertgate schemas in one database simply take turns.
 */
export const MIGRATION_LOCK_KEY = 0x616c657274676174n;

/**
 * Apply the migrations the database (the first schema of `search_path`) lacks, in one
 * transaction under the migration lock. Refuses a database written by a newer alertgate.
 * Returns the versions applied now.
 */
export async function migrate(pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS, now: Date = new Date()): Promise<number[]> {
  assertOrdered(migrations);
  return withTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL
    )`);
    const current = await currentVersion(c);
    const latest = migrations.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new Error(`database schema version ${current} is newer than this alertgate supports (${latest}); upgrade alertgate`);
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now]);
      applied.push(m.version);
    }
    return applied;
  });
}

async function currentVersion(c: Queryable): Promise<number> {
  const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return rows[0]?.v ?? 0;
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
}
