/**
 * `alertgate uptime` and the gateway report a period alike: the CLI, given the gateway's store
 * (DATABASE_URL, or the default data/alertgate.db in its working directory), excuses the ad-hoc
 * windows made with POST /v1/maintenance, current and archived, as GET /v1/uptime does, so a
 * manager's table or CSV says what the page says. It opens that store read-only; without one it
 * says on stderr that those windows are left out. A real gateway on a SQLite file and on
 * PostgreSQL, and a fake Thanos on loopback with no samples: the report lists what it excuses.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { migrate, MIGRATIONS, OLDEST_READ_ONLY_VERSION } from '../src/store/sqlite/migrations.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { noSeries, startFakeThanos, type FakeThanos } from '../src/uptime/fake-thanos.case.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { alertgateArgs } from './support/alertgate-command.js';
import { ADMIN_TOKEN, startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { writeConfigDirWithWindow } from './support/prometheus-uptime-fixture.js';

const admin = await requirePostgres();
const DAY = 86_400_000;
/** A month whose windows all ended over a week ago, so the next window created archives them. */
const MONTH = new Date(Date.now() - 60 * DAY).toISOString().slice(0, 7);
const ARCHIVED = { start: `${MONTH}-05T22:00:00Z`, end: `${MONTH}-06T01:00:00Z`, reason: 'datacentre move' };
const CURRENT = { start: `${MONTH}-20T10:00:00Z`, end: `${MONTH}-20T11:30:00Z`, reason: 'failover drill' };
const CONFIG = { start: `${MONTH}-12T00:00:00Z`, end: `${MONTH}-12T00:45:00Z`, reason: 'clock change' };

let fakes: Fakes;
let thanos: FakeThanos;
let dir: string;
let configDir: string;
beforeAll(async () => {
  fakes = await startFakes();
  thanos = await startFakeThanos((_, path) => ({ status: 200, body: noSeries(path) }));
  dir = await mkdtemp(join(tmpdir(), 'alertgate-cli-windows-'));
  configDir = join(dir, 'config');
  await writeConfigDirWithWindow(configDir, CONFIG);
});
afterAll(async () => {
  await thanos?.close();
  await fakes?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function uptimeCli(args: string[], env: Record<string, string>, cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { ALERTGATE_CONFIG_DIR: configDir, THANOS_URL: thanos.url, ...env }, cwd };
  const code = await main(['uptime', ...args], io);
  return { code, out: out.join(''), err: err.join('') };
}

async function createWindow(t: TestGateway, w: { start: string; end: string; reason: string }, matchers: string[] = []): Promise<void> {
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const res = await fetch(`${t.gw.url}/v1/maintenance`, { method: 'POST', headers, body: JSON.stringify({ team: 'payments', matchers, ...w }) });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function apiReport(t: TestGateway, path: string): Promise<string> {
  const res = await fetch(`${t.gw.url}${path}`);
  const body = await res.text();
  expect(res.status, body).toBe(200);
  return body;
}

/** A gateway on `databaseUrl` holding an archived and a current API window for payments. */
function withGateway(databaseUrl: () => Promise<string>, cases: (t: () => TestGateway, url: () => string) => void): void {
  let t: TestGateway;
  let url: string;
  beforeAll(async () => {
    url = await databaseUrl();
    t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir, THANOS_URL: thanos.url, DATABASE_URL: url });
    await createWindow(t, ARCHIVED);
    // Creating it moves ARCHIVED, which ended over a week ago, from the team's state to the archive.
    await createWindow(t, CURRENT, ['service="checkout"']);
    const listed = (await (await fetch(`${t.gw.url}/v1/maintenance?team=payments`)).json()) as { items: { reason: string }[] };
    expect(listed.items.map((w) => w.reason)).toEqual([CURRENT.reason]);
  });
  afterAll(async () => {
    await t?.close();
  });
  cases(() => t, () => url);
}

/** What the report excuses for each service. */
const excused = (report: UptimeReport) => Object.fromEntries(report.services.map((s) => [s.service, s.maintenance.map((m) => m.reason)]));

function sameAsTheApi(t: () => TestGateway, env: () => Record<string, string>, cwd: () => string): void {
  it('the CLI\'s JSON and CSV equal the API\'s for the period: API windows, current and archived, excused as config ones', async () => {
    const api = JSON.parse(await apiReport(t(), `/v1/uptime?team=payments&month=${MONTH}`)) as UptimeReport;
    expect(excused(api)).toEqual({ checkout: [ARCHIVED.reason, CONFIG.reason, CURRENT.reason], basket: [ARCHIVED.reason, CONFIG.reason], search: [ARCHIVED.reason, CONFIG.reason] });

    const json = await uptimeCli(['--team', 'payments', '--month', MONTH, '--format', 'json'], env(), cwd());
    expect(json.code, json.err).toBe(0);
    expect(json.err).toBe('');
    expect(JSON.parse(json.out)).toEqual(api);

    const csv = await uptimeCli(['--team', 'payments', '--month', MONTH, '--format', 'csv'], env(), cwd());
    expect(csv.code, csv.err).toBe(0);
    expect(csv.out).toBe(await apiReport(t(), `/v1/uptime.csv?team=payments&month=${MONTH}`));
  });
}

describe('alertgate uptime with the gateway\'s SQLite store', () => {
  const file = () => join(dir, 'data', 'alertgate.db');
  withGateway(
    async () => `sqlite:${file()}`,
    (t) => {
      describe('named by DATABASE_URL', () => sameAsTheApi(t, () => ({ DATABASE_URL: `sqlite:${file()}` }), () => tmpdir()));
      describe('found as data/alertgate.db in the working directory, as the gateway would', () => sameAsTheApi(t, () => ({}), () => dir));

      it('without a store, the config\'s windows only, and a note on stderr saying so and how to include the others', async () => {
        const r = await uptimeCli(['--team', 'payments', '--month', MONTH, '--format', 'json'], {}, configDir);
        expect(r.code, r.err).toBe(0);
        expect(excused(JSON.parse(r.out) as UptimeReport)).toEqual({ checkout: [CONFIG.reason], basket: [CONFIG.reason], search: [CONFIG.reason] });
        expect(r.err).toBe(
          'uptime: note: maintenance windows created through the API (POST /v1/maintenance) are not included: no store (DATABASE_URL is unset and there is no data/alertgate.db here); set DATABASE_URL to the gateway\'s database to include them',
        );
      });
    },
  );

  it('refuses a store older than the windows\' shape it reads, changing nothing, and prints no report', async () => {
    const older = join(dir, 'older.db');
    const tooOld = OLDEST_READ_ONLY_VERSION - 1;
    const db = new Database(older);
    migrate(db, MIGRATIONS.slice(0, tooOld));
    db.close();
    const r = await uptimeCli(['--team', 'payments', '--month', MONTH], { DATABASE_URL: `sqlite:${older}` }, dir);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(`uptime: cannot open SQLite store at ${older} (DATABASE_URL): database schema version ${tooOld} is older than this alertgate reads (${OLDEST_READ_ONLY_VERSION} to ${MIGRATIONS.length})`);
    const after = new Database(older, { readonly: true });
    expect(after.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: tooOld });
    after.close();
  });

  it('refuses a DATABASE_URL naming a file that is not there, without creating it', async () => {
    const missing = join(dir, 'typo', 'alertgate.db');
    const r = await uptimeCli(['--team', 'payments', '--month', MONTH], { DATABASE_URL: `sqlite:${missing}` }, dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`uptime: cannot open SQLite store at ${missing} (DATABASE_URL): no such file`);
    await expect(mkdir(join(dir, 'typo'))).resolves.toBeUndefined();
  });
});

describe.skipIf(!admin)('alertgate uptime with the gateway\'s PostgreSQL store', () => {
  let db: TestDatabase;
  afterAll(async () => {
    await db?.drop();
  });
  withGateway(
    async () => (db = await createTestDatabase(admin!)).url,
    (t, url) => {
      sameAsTheApi(t, () => ({ DATABASE_URL: url() }), () => dir);

      it('a real process prints the same report and exits: its connections are closed', async () => {
        const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ALERTGATE_CONFIG_DIR: configDir, THANOS_URL: thanos.url, DATABASE_URL: url() };
        const root = fileURLToPath(new URL('..', import.meta.url));
        const args = [...alertgateArgs(), 'uptime', '--team', 'payments', '--month', MONTH, '--format', 'json'];
        // Rejects on a non-zero exit, and kills a process still running at the timeout.
        const r = await promisify(execFile)(process.execPath, args, { cwd: root, env, timeout: 20_000 });
        expect(r.stderr).toBe('');
        expect(JSON.parse(r.stdout)).toEqual(JSON.parse(await apiReport(t(), `/v1/uptime?team=payments&month=${MONTH}`)));
      });
    },
  );
});
