/**
 * @module testing/maintenance-rows
 * A team's ad-hoc maintenance windows written straight into a database whose schema is older
 * than this release's (migrated only up to some version), as the gateway of that release kept
 * them: the team's maintenance state row in `groups`. The store of this release cannot write
 * there (it migrates first), and a read-only open must read what the older gateway wrote.
 *
 * Every column of store/rows.ts `GroupRow` is inserted, the columns this release reads: a
 * version that lacks one fails the insert, so a test stays honest about the oldest schema a
 * read-only open may read.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { maintenanceRecord, readMaintenanceState, type StoredWindow } from '../maintenance/state.js';
import { groupParams, type GroupRow } from '../store/sqlite/rows.js';

/** The row of `team`'s maintenance state holding `windows`, as the gateway writes it. */
export function maintenanceStateRow(team: string, windows: StoredWindow[], now: Date = new Date()): GroupRow {
  // GroupRow is the same for both backends (store/rows.ts); SQLite's module maps a record to it.
  return groupParams(maintenanceRecord(team, { ...readMaintenanceState(undefined), windows }, undefined, now));
}

export function insertSqliteGroupRow(db: Database.Database, row: GroupRow): void {
  const columns = Object.keys(row);
  db.prepare(`INSERT INTO groups (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`).run(row);
}

export async function insertPostgresGroupRow(c: pg.Pool | pg.Client, row: GroupRow): Promise<void> {
  const columns = Object.keys(row);
  await c.query(
    `INSERT INTO groups (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
    Object.values(row),
  );
}
