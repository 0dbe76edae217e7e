/**
 * `alertgate serve` as a process answers SIGTERM, SIGINT and SIGHUP at every stage, not only
 * while serving (cli/serve-signals.ts). Before, with no handler installed yet or any more:
 * SIGHUP (the documented reload, sent to every pod) killed a replica that was shutting down or
 * still starting, and SIGTERM during a start waiting for another replica's migration was
 * ignored by a container's PID 1 (or killed the process outside one) without a word.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_KEY } from '../src/store/postgres/migrations.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { gatewayEnv, startFakes, WEBHOOK_TOKEN, type Fakes } from './support/gateway.js';
import { spawnGateway, spawnStartingGateway, type GatewayProcess } from './support/gateway-process.js';
import { webhook } from './support/payloads.js';

const admin = await requirePostgres();

let fakes: Fakes;
let dir: string;
const procs: Omit<GatewayProcess, 'url'>[] = [];

beforeEach(async () => {
  fakes = await startFakes();
  dir = await mkdtemp(join(tmpdir(), 'alertgate-signals-'));
});
afterEach(async () => {
  for (const p of procs.splice(0)) await p.kill('SIGKILL');
  await fakes.close();
  await rm(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return gatewayEnv(fakes, { DATABASE_URL: `sqlite:${join(dir, 'alertgate.db')}`, NODE_EXTRA_CA_CERTS: fakes.tls.certPath, LOG_LEVEL: 'info', ...extra });
}

const msgs = (p: Omit<GatewayProcess, 'url'>) => p.lines.map((l) => l.msg);

describe('signals while shutting down', () => {
  it('SIGHUP and a second SIGTERM during the drain are logged and ignored: the drain ends as it would have, exit 0', async () => {
    const gw = await spawnGateway(env({ SHUTDOWN_GRACE_MS: '5000' }));
    procs.push(gw);
    // A Slack call that never answers keeps the drain going until the grace is over.
    fakes.slack.respondWith([{ hang: true }]);
    const body = webhook('{}:{alertname="Signals"}', [{ labels: { alertname: 'Signals', namespace: 'prisoner-offender-search-prod', severity: 'critical' } }]);
    const res = await fetch(`${gw.url}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` }, body: JSON.stringify(body) });
    expect(res.status).toBe(202);
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 20_000);

    gw.child.kill('SIGTERM');
    await gw.waitForLog((l) => l.msg === 'shutting down: draining deliveries');
    gw.child.kill('SIGHUP');
    await gw.waitForLog((l) => l.msg === 'SIGHUP ignored: shutting down');
    gw.child.kill('SIGTERM');
    await gw.waitForLog((l) => l.msg === 'SIGTERM ignored: already shutting down (SIGKILL stops at once)');

    expect(await gw.exited()).toBe(0);
    // The delivery in flight was handed back, as the drain does; nothing was reloaded.
    expect(msgs(gw)).toContain('delivery cut short by shutdown; handed back untried');
    expect(msgs(gw).at(-1)).toBe('shutdown complete');
    expect(msgs(gw).filter((m) => m === 'configuration loaded')).toHaveLength(1);
  }, 60_000);
});

describe.skipIf(!admin)('signals while starting (PostgreSQL: waiting for another replica’s migration)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(admin!)));
  afterAll(() => db?.drop());

  /** Another replica migrating: the migration lock held in an open transaction until released. */
  async function migrationLockHeld(): Promise<{ release(): Promise<void> }> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    return {
      release: async () => {
        await client.query('COMMIT');
        await client.end();
      },
    };
  }

  const waiting = (l: Record<string, unknown>) => l.msg === 'another replica is migrating the database schema; waiting for it before starting';

  it('SIGTERM ends the start, exit 0, saying so; nothing was served', async () => {
    const lock = await migrationLockHeld();
    try {
      const gw = spawnStartingGateway(env({ DATABASE_URL: db.url }));
      procs.push(gw);
      await gw.waitForLog(waiting);
      gw.child.kill('SIGTERM');
      expect(await gw.exited()).toBe(0);
      expect(msgs(gw)).toContain('SIGTERM while starting: exiting before serving anything (a schema migration step in progress is rolled back and applied again at the next start)');
      expect(msgs(gw)).not.toContain('alertgate listening');
    } finally {
      await lock.release();
    }
  }, 60_000);

  it('SIGHUP does not end the start: the replica listens once the migration is done, then reads its configuration again', async () => {
    const lock = await migrationLockHeld();
    let released = false;
    try {
      const gw = spawnStartingGateway(env({ DATABASE_URL: db.url }));
      procs.push(gw);
      await gw.waitForLog(waiting);
      gw.child.kill('SIGHUP');
      await gw.waitForLog((l) => l.msg === 'SIGHUP while starting: the configuration is read again once alertgate listens');
      await lock.release();
      released = true;
      await gw.waitForLog((l) => l.msg === 'alertgate listening', 30_000);
      const listening = msgs(gw).indexOf('alertgate listening');
      await gw.waitForLog((l) => l.msg === 'configuration loaded' && gw.lines.indexOf(l) > listening);

      gw.child.kill('SIGTERM');
      expect(await gw.exited()).toBe(0);
      expect(msgs(gw).at(-1)).toBe('shutdown complete');
    } finally {
      if (!released) await lock.release();
    }
  }, 60_000);
});
