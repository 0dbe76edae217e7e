/**
 * `alertgate uptime` without DATABASE_URL reads the default data/alertgate.db when there is one;
 * a file there it cannot use (older than the maintenance windows' shape this release reads, or newer,
 * after a git pull; not a database) is
 * no reason to print no report: it reports with routes/' windows only and says why on stderr,
 * leaving the file as it was. DATABASE_URL set to the same file is still refused (exit 1): the
 * user asked for that store. Real SQLite files, a fake Thanos on loopback with no samples.
 */
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { migrate, MIGRATIONS, OLDEST_READ_ONLY_VERSION } from '../src/store/sqlite/migrations.js';
import { noSeries, startFakeThanos, type FakeThanos } from '../src/uptime/fake-thanos.case.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { writeConfigDir } from './support/prometheus-uptime-fixture.js';

const MONTH = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 7);
const WINDOW = { start: `${MONTH}-12T00:00:00Z`, end: `${MONTH}-12T00:45:00Z`, reason: 'clock change' };
const LATEST = MIGRATIONS.length;
/** The newest schema this release does not read: its groups (the windows) lack a column this release reads. */
const TOO_OLD = OLDEST_READ_ONLY_VERSION - 1;
const NOTE_START = 'uptime: note: maintenance windows created through the API (POST /v1/maintenance) are not included: DATABASE_URL is unset and data/alertgate.db here cannot be read: ';
const NOTE_END = '; set DATABASE_URL to the gateway\'s database to include them';

let thanos: FakeThanos;
let dir: string;
let configDir: string;
beforeAll(async () => {
  thanos = await startFakeThanos((_, path) => ({ status: 200, body: noSeries(path) }));
  dir = await mkdtemp(join(tmpdir(), 'alertgate-cli-default-store-'));
  configDir = join(dir, 'config');
  await writeConfigDir(configDir);
  const window = ['maintenance:', `  - reason: "${WINDOW.reason}"`, `    start: "${WINDOW.start}"`, `    end: "${WINDOW.end}"`, ''];
  await appendFile(join(configDir, 'routes', 'payments.yaml'), window.join('\n'));
});
afterAll(async () => {
  await thanos?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function uptimeCli(cwd: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { ALERTGATE_CONFIG_DIR: configDir, THANOS_URL: thanos.url, ...env }, cwd };
  const code = await main(['uptime', '--team', 'payments', '--month', MONTH, '--format', 'json'], io);
  return { code, out: out.join(''), err: err.join('') };
}

/** A working directory whose data/alertgate.db is made by `make`; returns the dir and the file. */
async function checkout(name: string, make: (file: string) => Promise<void> | void): Promise<{ cwd: string; file: string }> {
  const cwd = join(dir, name);
  await mkdir(join(cwd, 'data'), { recursive: true });
  const file = join(cwd, 'data', 'alertgate.db');
  await make(file);
  return { cwd, file };
}

function sqliteAt(file: string, migrations: typeof MIGRATIONS): void {
  const db = new Database(file);
  migrate(db, migrations);
  db.close();
}

const excused = (report: UptimeReport) => Object.fromEntries(report.services.map((s) => [s.service, s.maintenance.map((m) => m.reason)]));

describe('alertgate uptime with an unusable data/alertgate.db and no DATABASE_URL', () => {
  const cases: Array<[string, (file: string) => Promise<void> | void, string]> = [
    ['older than the windows this release reads', (f) => sqliteAt(f, MIGRATIONS.slice(0, TOO_OLD)), `database schema version ${TOO_OLD} is older than this alertgate reads (${OLDEST_READ_ONLY_VERSION} to ${LATEST})`],
    [
      'one migration newer',
      (f) => {
        sqliteAt(f, MIGRATIONS);
        const db = new Database(f);
        db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(LATEST + 1, new Date().toISOString());
        db.close();
      },
      `database schema version ${LATEST + 1} is newer than this alertgate supports (${LATEST})`,
    ],
    ['not a database', (f) => writeFile(f, 'not sqlite at all, but long enough to be read as a header of one '.repeat(20)), 'file is not a database'],
  ];
  for (const [name, make, reason] of cases) {
    it(`${name}: reports with routes/' windows, says why on stderr, and leaves the file as it was`, async () => {
      const { cwd, file } = await checkout(name.replaceAll(' ', '-'), make);
      const before = await readFile(file);
      const r = await uptimeCli(cwd);
      expect(r.code, r.err).toBe(0);
      expect(excused(JSON.parse(r.out) as UptimeReport)).toEqual({ checkout: [WINDOW.reason], basket: [WINDOW.reason], search: [WINDOW.reason] });
      expect(r.err.startsWith(NOTE_START), r.err).toBe(true);
      expect(r.err).toContain(reason);
      expect(r.err.endsWith(NOTE_END), r.err).toBe(true);
      expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
      expect((await readFile(file)).equals(before)).toBe(true);
    });
  }

  it('the same older file named by DATABASE_URL is refused: exit 1, no report', async () => {
    const { cwd, file } = await checkout('explicit', (f) => sqliteAt(f, MIGRATIONS.slice(0, TOO_OLD)));
    const r = await uptimeCli(cwd, { DATABASE_URL: `sqlite:${file}` });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(`uptime: cannot open SQLite store at ${file} (DATABASE_URL): database schema version ${TOO_OLD} is older than this alertgate reads`);
  });
});
