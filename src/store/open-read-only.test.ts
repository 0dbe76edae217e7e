/**
 * openStore with `readOnly` (what `alertgate uptime` reads the gateway's windows through), on a
 * SQLite file and on PostgreSQL: it reads what the gateway stored, writes nothing (its writes are
 * refused and the database is left as it was). It reads the windows of a schema older than this
 * release's (a gateway not yet upgraded) from the migration that last changed what it reads,
 * without migrating it, and refuses an older one, and a newer one (which may have changed them).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { maintenanceRecord, maintenanceStateId, readMaintenanceState } from '../maintenance/state.js';
import { insertPostgresGroupRow, insertSqliteGroupRow, maintenanceStateRow } from '../testing/maintenance-rows.js';
import { createTestDatabase, createTestSchema, requirePostgres, type TestDatabase } from '../testing/postgres.js';
import { openStore } from './open-store.js';
import { migrate as migratePostgres, MIGRATIONS as PG_MIGRATIONS, OLDEST_READ_ONLY_VERSION as PG_OLDEST } from './postgres/migrations.js';
import { migrate as migrateSqlite, MIGRATIONS as SQLITE_MIGRATIONS, OLDEST_READ_ONLY_VERSION as SQLITE_OLDEST } from './sqlite/migrations.js';
import type { GroupRow } from './rows.js';
import type { Store } from './store.js';

const admin = await requirePostgres();
const TEAM = 'payments';
const window = { id: 'w-1', team: TEAM, matchers: [], start: '2026-10-01T00:00:00Z', end: '2026-10-01T01:00:00Z', reason: 'upgrade', createdAt: '2026-09-30T00:00:00Z' };

async function writeWindow(store: Store): Promise<void> {
  await store.updateGroups([maintenanceStateId(TEAM)], (current) => {
    const prev = current.get(maintenanceStateId(TEAM));
    return [{ group: maintenanceRecord(TEAM, { ...readMaintenanceState(prev), windows: [window] }, prev, new Date()), notifications: [] }];
  });
}

/** What a read-only open must leave as it was, and how to make the schema older or newer. */
interface Backend {
  url: string;
  fingerprint(): Promise<string>;
  schemaVersion(): Promise<number>;
  /** A database migrated up to `version` only. */
  migrateTo(version: number): Promise<void>;
  recordVersion(version: number): Promise<void>;
  /** A group row written straight into the tables (a gateway of the schema migrated to wrote it). */
  insertRow(row: GroupRow): Promise<void>;
}

/** Opened read-only, the store at `url` reads TEAM's window and refuses to write one. */
async function expectWindowReadOnly(url: string): Promise<void> {
  const store = await openStore(url, { readOnly: true });
  try {
    expect(readMaintenanceState(await store.getGroup(maintenanceStateId(TEAM))).windows).toEqual([window]);
    await expect(writeWindow(store)).rejects.toThrow(/read-only/);
  } finally {
    await store.close();
  }
}

function cases(backend: () => Backend, latest: number, oldest: number): void {
  it('reads what the gateway stored; refuses writes and changes nothing', async () => {
    const b = backend();
    const writer = await openStore(b.url);
    await writeWindow(writer);
    await writer.close();
    const before = await b.fingerprint();
    await expectWindowReadOnly(b.url);
    expect(await b.fingerprint()).toBe(before);
  });

  for (let version = oldest; version < latest; version++) {
    it(`reads the windows of an older schema (${version}: its groups as this release reads them), changing nothing`, async () => {
      const b = backend();
      await b.migrateTo(version);
      await b.insertRow(maintenanceStateRow(TEAM, [window]));
      const before = await b.fingerprint();
      await expectWindowReadOnly(b.url);
      expect(await b.schemaVersion()).toBe(version);
      expect(await b.fingerprint()).toBe(before);
    });
  }

  it('refuses a schema older than the groups it reads, naming the versions and what to do, and does not migrate it', async () => {
    const b = backend();
    await b.migrateTo(oldest - 1);
    // The column `oldest` added is one this release reads: a gateway of oldest - 1 could not have written the row.
    await expect(b.insertRow(maintenanceStateRow(TEAM, [window]))).rejects.toThrow(/held_until/);
    await expect(openStore(b.url, { readOnly: true })).rejects.toThrow(
      `database schema version ${oldest - 1} is older than this alertgate reads (${oldest} to ${latest}), and a read-only open does not migrate: ` +
        'run the alertgate release that wrote it, or upgrade the gateway (alertgate serve migrates at start) first',
    );
    expect(await b.schemaVersion()).toBe(oldest - 1);
  });

  it('refuses a newer schema', async () => {
    const b = backend();
    await b.migrateTo(latest);
    await b.recordVersion(latest + 1);
    await expect(openStore(b.url, { readOnly: true })).rejects.toThrow(`database schema version ${latest + 1} is newer than this alertgate supports (${latest}); upgrade alertgate`);
  });
}

describe('openStore read-only: SQLite', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'alertgate-readonly-'));
    file = join(dir, 'alertgate.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const withDb = <T>(use: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return use(db);
    } finally {
      db.close();
    }
  };
  cases(
    () => ({
      url: `sqlite:${file}`,
      // The gateway closed it, so everything is in the main file.
      fingerprint: async () => createHash('sha256').update(readFileSync(file)).digest('hex'),
      schemaVersion: async () => withDb((db) => (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v),
      migrateTo: async (version) => void withDb((db) => migrateSqlite(db, SQLITE_MIGRATIONS.slice(0, version))),
      recordVersion: async (version) => void withDb((db) => db.prepare("INSERT INTO schema_migrations VALUES (?, '2030-01-01')").run(version)),
      insertRow: async (row) => withDb((db) => insertSqliteGroupRow(db, row)),
    }),
    SQLITE_MIGRATIONS.length,
    SQLITE_OLDEST,
  );

  it('refuses a file that is not there, without creating it, and an in-memory database', async () => {
    await expect(openStore(`sqlite:${file}`, { readOnly: true })).rejects.toThrow(`cannot open SQLite store at ${file} (DATABASE_URL): no such file`);
    expect(existsSync(file)).toBe(false);
    await expect(openStore('sqlite::memory:', { readOnly: true })).rejects.toThrow(/in-memory database lives only in the process that made it/);
  });

  it('resolves a relative path against the cwd given', async () => {
    await (await openStore(`sqlite:${file}`)).close();
    const store = await openStore('sqlite:alertgate.db', { readOnly: true, cwd: dir });
    await store.close();
  });
});

describe.skipIf(!admin)('openStore read-only: PostgreSQL', () => {
  let db: TestDatabase;
  let schemas = 0;
  let url: string;
  beforeAll(async () => {
    db = await createTestDatabase(admin!);
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    url = await createTestSchema(db.url, `r${++schemas}`);
  });
  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      return (await pool.query<R>(sql, params)).rows;
    } finally {
      await pool.end();
    }
  };
  const withPool = async (use: (pool: pg.Pool) => Promise<unknown>) => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      await use(pool);
    } finally {
      await pool.end();
    }
  };
  cases(
    () => ({
      url,
      fingerprint: async () => JSON.stringify(await query('SELECT id, updated_at::text, common_annotations::text FROM groups ORDER BY id')) + JSON.stringify(await query('SELECT version FROM schema_migrations ORDER BY version')),
      schemaVersion: async () => (await query<{ v: number }>('SELECT max(version) AS v FROM schema_migrations'))[0]!.v,
      migrateTo: (version) => withPool((pool) => migratePostgres(pool, PG_MIGRATIONS.slice(0, version))),
      recordVersion: (version) => withPool((pool) => pool.query("INSERT INTO schema_migrations VALUES ($1, 'future', now())", [version])),
      insertRow: (row) => withPool((pool) => insertPostgresGroupRow(pool, row)),
    }),
    PG_MIGRATIONS.length,
    PG_OLDEST,
  );

  it('refuses a database without alertgate\'s schema, creating nothing', async () => {
    await expect(openStore(url, { readOnly: true })).rejects.toThrow(/holds no alertgate schema/);
    expect(await query("SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = current_schema()")).toEqual([]);
  });
});
