/**
 * `alertgate uptime` against the store of a gateway one or more releases behind it (a rolling
 * upgrade not done yet, an engineer's CLI ahead of production): it reads only the maintenance
 * windows, so it reads them from any schema whose groups table (where they are kept) has the
 * shape this release reads, and excuses them, without migrating or writing anything. A schema
 * older than that, or newer than this release knows, is refused (exit 1), naming both versions.
 * Real SQLite files and a real PostgreSQL database migrated only up to an older version, the
 * window's row written as that gateway kept it; the real CLI process; a fake Thanos with no samples.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredWindow } from '../src/maintenance/state.js';
import { migrate as migratePostgres, MIGRATIONS as PG_MIGRATIONS, OLDEST_READ_ONLY_VERSION as PG_OLDEST } from '../src/store/postgres/migrations.js';
import { migrate as migrateSqlite, MIGRATIONS as SQLITE_MIGRATIONS, OLDEST_READ_ONLY_VERSION as SQLITE_OLDEST } from '../src/store/sqlite/migrations.js';
import { insertPostgresGroupRow, insertSqliteGroupRow, maintenanceStateRow } from '../src/testing/maintenance-rows.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { noSeries, startFakeThanos, type FakeThanos } from '../src/uptime/fake-thanos.case.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { runCli } from './support/cli-process.js';
import { writeConfigDirWithWindow } from './support/prometheus-uptime-fixture.js';

const admin = await requirePostgres();
const MONTH = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 7);
/** In routes/payments.yaml. */
const CONFIG = { start: `${MONTH}-12T00:00:00Z`, end: `${MONTH}-12T00:45:00Z`, reason: 'clock change' };
/** Made through the API of the older gateway, for every service of payments. */
const API_WINDOW: StoredWindow = {
  id: 'w-older-gateway',
  team: 'payments',
  matchers: [],
  start: `${MONTH}-20T10:00:00Z`,
  end: `${MONTH}-20T11:30:00Z`,
  reason: 'failover drill',
  createdAt: `${MONTH}-19T09:00:00Z`,
};
const ALL_EXCUSED = { checkout: [CONFIG.reason, API_WINDOW.reason], basket: [CONFIG.reason, API_WINDOW.reason], search: [CONFIG.reason, API_WINDOW.reason] };

let thanos: FakeThanos;
let dir: string;
let configDir: string;
beforeAll(async () => {
  thanos = await startFakeThanos((_, path) => ({ status: 200, body: noSeries(path) }));
  dir = await mkdtemp(join(tmpdir(), 'alertgate-cli-older-schema-'));
  configDir = join(dir, 'config');
  await writeConfigDirWithWindow(configDir, CONFIG);
});
afterAll(async () => {
  await thanos?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `alertgate uptime` for payments' month as JSON, a real process in `cwd` (default: the temp dir). */
function uptime(env: Record<string, string>, cwd = dir) {
  return runCli(['uptime', '--team', 'payments', '--month', MONTH, '--format', 'json'], { ALERTGATE_CONFIG_DIR: configDir, THANOS_URL: thanos.url, ...env }, { cwd });
}

const excused = (report: UptimeReport) => Object.fromEntries(report.services.map((s) => [s.service, s.maintenance.map((m) => m.reason)]));

/** A SQLite file migrated up to `version` only, holding API_WINDOW as that gateway wrote it. */
async function sqliteAt(file: string, version: number): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const db = new Database(file);
  try {
    migrateSqlite(db, SQLITE_MIGRATIONS.slice(0, version));
    if (version >= SQLITE_OLDEST) insertSqliteGroupRow(db, maintenanceStateRow('payments', [API_WINDOW]));
  } finally {
    db.close();
  }
}

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

describe('alertgate uptime on a SQLite store of an older schema', () => {
  const LATEST = SQLITE_MIGRATIONS.length;

  it(`reads the windows of the oldest schema it reads (${SQLITE_OLDEST}), named by DATABASE_URL, and leaves the file as it was`, async () => {
    const file = join(dir, 'oldest', 'alertgate.db');
    await sqliteAt(file, SQLITE_OLDEST);
    const before = await sha256(file);
    const r = await uptime({ DATABASE_URL: `sqlite:${file}` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(excused(JSON.parse(r.stdout) as UptimeReport)).toEqual(ALL_EXCUSED);
    expect(await sha256(file)).toBe(before);
  });

  it(`reads the windows of a data/alertgate.db one migration behind (${LATEST - 1}) found in the working directory, with no note`, async () => {
    const cwd = join(dir, 'checkout');
    await sqliteAt(join(cwd, 'data', 'alertgate.db'), LATEST - 1);
    const r = await uptime({}, cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(excused(JSON.parse(r.stdout) as UptimeReport)).toEqual(ALL_EXCUSED);
  });

  it(`refuses a schema older than that (${SQLITE_OLDEST - 1}), naming the versions and what to do: exit 1, no report`, async () => {
    const file = join(dir, 'too-old', 'alertgate.db');
    await sqliteAt(file, SQLITE_OLDEST - 1);
    const before = await sha256(file);
    const r = await uptime({ DATABASE_URL: `sqlite:${file}` });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      `uptime: cannot open SQLite store at ${file} (DATABASE_URL): database schema version ${SQLITE_OLDEST - 1} is older than this alertgate reads (${SQLITE_OLDEST} to ${LATEST}), ` +
        'and a read-only open does not migrate: run the alertgate release that wrote it, or upgrade the gateway (alertgate serve migrates at start) first',
    );
    expect(await sha256(file)).toBe(before);
  });

  it('refuses a schema newer than this release knows, naming both versions: exit 1, no report', async () => {
    const file = join(dir, 'newer', 'alertgate.db');
    await sqliteAt(file, LATEST);
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(LATEST + 1, new Date().toISOString());
    db.close();
    const r = await uptime({ DATABASE_URL: `sqlite:${file}` });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      `uptime: cannot open SQLite store at ${file} (DATABASE_URL): database schema version ${LATEST + 1} is newer than this alertgate supports (${LATEST}); upgrade alertgate`,
    );
  });
});

it('README names the oldest schema versions the CLI reads, as the code has them', async () => {
  const readme = (await readFile(new URL('../README.md', import.meta.url), 'utf8')).replace(/\s+/g, ' ');
  expect(readme).toContain(`schema version ${SQLITE_OLDEST} or later on SQLite, ${PG_OLDEST} or later on PostgreSQL`);
});

describe.skipIf(!admin)('alertgate uptime on a PostgreSQL store of an older schema', () => {
  let db: TestDatabase;
  afterAll(async () => {
    await db?.drop();
  });

  it(`reads the windows of the oldest schema it reads (${PG_OLDEST}), and neither migrates nor writes`, async () => {
    db = await createTestDatabase(admin!);
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    // What a migration or a write would change: the versions recorded and the rows of groups.
    const state = async () => ({
      versions: (await pool.query('SELECT version FROM schema_migrations ORDER BY version')).rows,
      groups: (await pool.query('SELECT id, common_annotations, updated_at FROM groups ORDER BY id')).rows,
    });
    try {
      await migratePostgres(pool, PG_MIGRATIONS.slice(0, PG_OLDEST));
      await insertPostgresGroupRow(pool, maintenanceStateRow('payments', [API_WINDOW]));
      const before = await state();

      const r = await uptime({ DATABASE_URL: db.url });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(excused(JSON.parse(r.stdout) as UptimeReport)).toEqual(ALL_EXCUSED);

      expect(await state()).toEqual(before);
      expect(before.versions).toHaveLength(PG_OLDEST);
    } finally {
      await pool.end();
    }
  });
});
