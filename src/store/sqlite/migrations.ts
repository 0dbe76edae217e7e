/**
 * @module store/sqlite/migrations
 * Versioned schema migrations. Each migration runs once, in order; `schema_migrations` records
 * which ones a database has. Never edit a released migration: append a new one.
 */
import type Database from 'better-sqlite3';
import { checkReadableSchemaVersion, checkSchemaVersion } from '../schema-version.js';
import { SCHEMA_V1 } from './schema-v1.js';
import { SCHEMA_V2 } from './schema-v2.js';
import { SCHEMA_V3 } from './schema-v3.js';
import { SCHEMA_V4 } from './schema-v4.js';
import { SCHEMA_V5 } from './schema-v5.js';
import { SCHEMA_V6 } from './schema-v6.js';
import { SCHEMA_V7 } from './schema-v7.js';
import { SCHEMA_V8 } from './schema-v8.js';
import { SCHEMA_V9 } from './schema-v9.js';
import { SCHEMA_V10 } from './schema-v10.js';
import { SCHEMA_V11 } from './schema-v11.js';
import { SCHEMA_V12 } from './schema-v12.js';
import { SCHEMA_V13 } from './schema-v13.js';
import { SCHEMA_V14 } from './schema-v14.js';
import { SCHEMA_V15 } from './schema-v15.js';

export interface Migration {
  /** Strictly increasing, starting at 1. */
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: SCHEMA_V1 },
  { version: 2, name: 'outbox claim index; alerts as a rowid table', sql: SCHEMA_V2 },
  { version: 3, name: 'notification snapshots in their own table; narrow alert indexes', sql: SCHEMA_V3 },
  { version: 4, name: 'groups keyed by an append-ordered seq in the tables that reference them', sql: SCHEMA_V4 },
  { version: 5, name: 'outbox claim index keyed by receiver', sql: SCHEMA_V5 },
  { version: 6, name: 'storm digest membership on the group row', sql: SCHEMA_V6 },
  { version: 7, name: 'maintenance holds on the group row', sql: SCHEMA_V7 },
  { version: 8, name: 'time of a group\'s newest notification, for history retention', sql: SCHEMA_V8 },
  { version: 9, name: 'storms going on, for the storm ticker', sql: SCHEMA_V9 },
  { version: 10, name: 'id of a group\'s newest notification, for history retention', sql: SCHEMA_V10 },
  { version: 11, name: 'dead notifications by queue, kept by history retention', sql: SCHEMA_V11 },
  { version: 12, name: 'alerts listed by when they were first stored, not by their last change', sql: SCHEMA_V12 },
  { version: 13, name: 'sent notifications by queue; groups gathered by a storm digest by team', sql: SCHEMA_V13 },
  { version: 14, name: 'suppressed episode edges (new, resolved) by queue, for the Slack message of an episode', sql: SCHEMA_V14 },
  { version: 15, name: 'claim numbers, so that an outcome written for an ended claim changes nothing', sql: SCHEMA_V15 },
];

/**
 * Apply the migrations a database lacks, all in one IMMEDIATE transaction (so two processes
 * opening the same file at once cannot both migrate). Refuses a database written by a newer
 * alertgate, whose schema this code does not know. Returns the versions applied now.
 *
 * Foreign keys are off while migrations run (SQLite's way to rebuild a table others reference:
 * with them on, dropping the old table would cascade-delete its children), and every reference
 * is checked before the commit: a migration that leaves one dangling fails and changes nothing.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, now: Date = new Date()): number[] {
  assertOrdered(migrations);
  const run = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      applied_at TEXT NOT NULL
    ) STRICT`);
    const row = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations').get();
    const current = row?.v ?? 0;
    const latest = migrations.at(-1)?.version ?? 0;
    checkSchemaVersion(current, latest);
    const record = db.prepare<[number, string]>('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      record.run(m.version, now.toISOString());
      applied.push(m.version);
    }
    // Only after a migration ran: the check reads every referencing table (seconds at millions of rows).
    const dangling = applied.length > 0 ? (db.pragma('foreign_key_check') as { table: string; parent: string }[]) : [];
    if (dangling.length > 0) {
      const first = dangling[0]!;
      throw new Error(`migration left ${dangling.length} row(s) whose reference is missing (first: ${first.table} → ${first.parent}); nothing was changed`);
    }
    return applied;
  });
  // PRAGMA foreign_keys is a no-op inside a transaction: switch it around the transaction.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    return run.immediate();
  } finally {
    if (foreignKeys) db.pragma('foreign_keys = ON');
  }
}

/**
 * The oldest schema a read-only open (`alertgate uptime`) reads. It reads groups only
 * (`getGroup`: the maintenance windows are pseudo-groups, maintenance/state.ts and archive.ts):
 * the columns of store/rows.ts `GroupRow`, the last of which (`held_until`) migration 7 added,
 * and the group's alert rows, joined by `group_seq` (migration 4). Migrations 8-15 added columns
 * and indexes that read does not use. A migration that changes what it reads moves this up.
 */
export const OLDEST_READ_ONLY_VERSION = 7;

/**
 * For a connection that must not write (`openSqliteStore` read-only): throws unless the
 * database's schema is one a read-only open reads (OLDEST_READ_ONLY_VERSION to this release's),
 * which it finds out without creating or changing anything.
 */
export function requireReadableSchema(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): void {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  const current = table ? (db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations').get()?.v ?? 0) : 0;
  checkReadableSchemaVersion(current, { oldest: OLDEST_READ_ONLY_VERSION, latest: migrations.at(-1)?.version ?? 0 });
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
}
