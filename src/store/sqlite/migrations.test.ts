/** Versioned migrations: applied once, in order, atomically; newer databases refused. */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, type Migration } from './migrations.js';

const V2: Migration = { version: 2, name: 'maintenance windows', sql: 'CREATE TABLE maintenance (id INTEGER PRIMARY KEY) STRICT;' };

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
});
afterEach(() => {
  db.close();
});

const versions = () => db.prepare<[], { version: number }>('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => r.version);
const tables = () =>
  db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all().map((r) => r.name);

describe('migrate', () => {
  it('creates the schema on an empty database and records its version', () => {
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(versions()).toEqual([1]);
    expect(tables()).toEqual(expect.arrayContaining(['alerts', 'groups', 'notifications', 'schema_migrations', 'slack_messages']));
  });

  it('is idempotent: a second run applies nothing', () => {
    migrate(db);
    expect(migrate(db)).toEqual([]);
    expect(versions()).toEqual([1]);
  });

  it('applies only the migrations a database lacks, in order', () => {
    migrate(db);
    expect(migrate(db, [...MIGRATIONS, V2])).toEqual([2]);
    expect(versions()).toEqual([1, 2]);
    expect(tables()).toContain('maintenance');
  });

  it('rolls back every migration of a run when one fails', () => {
    const broken: Migration = { version: 2, name: 'broken', sql: 'CREATE TABLE half (id INTEGER); SELECT * FROM no_such_table;' };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(/no_such_table/);
    expect(tables()).not.toContain('half');
    expect(tables()).not.toContain('groups');
  });

  it('refuses a database written by a newer alertgate', () => {
    migrate(db, [...MIGRATIONS, V2]);
    expect(() => migrate(db)).toThrow('database schema version 2 is newer than this alertgate supports (1); upgrade alertgate');
  });

  it('rejects a migration list with gaps or out of order', () => {
    expect(() => migrate(db, [{ ...V2, version: 3 }])).toThrow(/expected 1/);
    expect(tables()).toEqual([]);
  });
});
