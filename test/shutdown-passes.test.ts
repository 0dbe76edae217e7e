/**
 * SIGTERM to `alertgate serve` (PostgreSQL) while its background passes (ending quiet storms,
 * releasing maintenance holds, history pruning) are in the middle of their store work. The
 * passes used to be left running: the store closed under them, and their next query failed
 * ("storm ticker failed" / "maintenance release failed": Cannot use a pool after calling end on
 * the pool), logged as errors of a clean shutdown; a pruning pass cut short said "history pruned"
 * as a finished one does. The passes are held in the server by the test's lock on `groups`.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SELECT_ACTIVE_STORM_IDS, SELECT_GROUPS } from '../src/store/postgres/queries.js';
import { LOCK_PRUNABLE_GROUPS } from '../src/store/postgres/retention.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { gatewayEnv, startFakes, waitUntil, WEBHOOK_TOKEN, type Fakes } from './support/gateway.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';
import { webhook } from './support/payloads.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('SIGTERM with background passes in flight', () => {
  let fakes: Fakes;
  let db: TestDatabase;
  const procs: GatewayProcess[] = [];
  const locks: pg.Client[] = [];

  beforeEach(async () => {
    fakes = await startFakes();
    db = await createTestDatabase(admin!);
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.kill('SIGKILL');
    for (const c of locks.splice(0)) await c.end().catch(() => undefined);
    await fakes.close();
    await db.drop();
  });

  /** A gateway whose three passes run every 10 ms (the first pruning pass too). */
  async function start(graceMs: number): Promise<GatewayProcess> {
    const gw = await spawnGateway(
      gatewayEnv(fakes, {
        DATABASE_URL: db.url,
        NODE_EXTRA_CA_CERTS: fakes.tls.certPath,
        LOG_LEVEL: 'info',
        STORM_TICK_MS: '10',
        MAINTENANCE_TICK_MS: '10',
        HISTORY_RETENTION: '1d',
        HISTORY_PRUNE_TICK_MS: '10',
        SHUTDOWN_GRACE_MS: String(graceMs),
      }),
    );
    procs.push(gw);
    return gw;
  }

  /**
   * The gateway's connections: all of them, and the queries of those waiting in the server for
   * a lock.
   */
  async function connections(): Promise<{ all: number; waiting: string[] }> {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      const { rows } = await c.query<{ query: string; wait_event_type: string | null }>(
        `SELECT query, wait_event_type FROM pg_stat_activity WHERE datname = $1 AND application_name = 'alertgate'`,
        [db.name],
      );
      return { all: rows.length, waiting: rows.filter((r) => r.wait_event_type === 'Lock').map((r) => r.query) };
    } finally {
      await c.end();
    }
  }

  /**
   * Every read of `groups` waits from now until `release`. Taken before the gateway starts, so
   * each pass waits at its first one: the storm pass in `activeStormIds`, the maintenance pass
   * in its first team's `getGroup`, the pruning pass in its first step's groups half.
   */
  async function lockGroups(): Promise<{ release(): Promise<void> }> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    locks.push(client);
    await client.query('BEGIN');
    await client.query('LOCK TABLE groups IN ACCESS EXCLUSIVE MODE');
    return { release: async () => void (await client.query('COMMIT')) };
  }

  /** Resolves once the three passes wait for the lock, and the gateway holds an idle connection too (the outbox worker's: it goes once the store closes). */
  async function passesWaiting(): Promise<void> {
    let last: Awaited<ReturnType<typeof connections>> | undefined;
    await waitUntil(
      async () => {
        const c = (last = await connections());
        return [SELECT_ACTIVE_STORM_IDS, SELECT_GROUPS, LOCK_PRUNABLE_GROUPS].every((q) => c.waiting.includes(q)) && c.all > c.waiting.length;
      },
      10_000,
      'the storm, maintenance and pruning passes to wait for the lock',
    ).catch((err: Error) => {
      throw new Error(`${err.message}; connections ${JSON.stringify(last)}`);
    });
  }

  /**
   * More alert groups than a pruning step looks at (STEP_LIMIT, 100), so a pass takes two steps.
   * A first run writes one (a resolved alert) and delivers its message; its row is copied 120
   * times under other ids, with nothing to deliver (a delivery waiting for the test's lock would
   * hold a pooled connection).
   */
  async function manyGroups(): Promise<void> {
    const first = await start(20_000);
    const alerts = [{ labels: { alertname: 'ShutdownPasses', namespace: 'payments-prod', severity: 'warning' }, status: 'resolved' as const }];
    const res = await fetch(`${first.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
      body: JSON.stringify(webhook('{}:{alertname="ShutdownPasses"}', alerts)),
    });
    expect(res.status).toBe(202);
    await first.waitForLog((l) => l.msg === 'notification sent');
    expect(await first.kill('SIGTERM')).toBe(0);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const copied = await c.query(
        `INSERT INTO groups SELECT (jsonb_populate_record(g, jsonb_build_object('id', g.id || '-copy-' || n))).*
         FROM groups g, generate_series(1, 120) n WHERE g.group_key = $1`,
        ['{}:{alertname="ShutdownPasses"}'],
      );
      expect(copied.rowCount).toBe(120);
    } finally {
      await c.end();
    }
  }

  const errors = (gw: GatewayProcess) => gw.lines.filter((l) => l.level === 'error' || l.level === 'fatal');
  const msgs = (gw: GatewayProcess) => gw.lines.map((l) => l.msg);

  it('passes in flight at SIGTERM end before the store closes: no error, the pruning pass says it was stopped, exit 0', async () => {
    await manyGroups();
    const held = await lockGroups();
    const gw = await start(20_000);
    await passesWaiting();
    gw.child.kill('SIGTERM');
    await gw.waitForLog((l) => l.msg === 'shutting down: draining deliveries');
    await held.release();

    expect(await gw.exited()).toBe(0);
    expect(errors(gw)).toEqual([]);
    const all = msgs(gw);
    const stopped = all.indexOf('history pruning stopped at shutdown');
    expect(stopped).toBeGreaterThan(all.indexOf('shutting down: draining deliveries'));
    expect(gw.lines[stopped]).toMatchObject({ component: 'retention', steps: 1, groups: 0 });
    // The pass cut short is not reported as a finished one.
    expect(all.slice(all.indexOf('shutting down: draining deliveries'))).not.toContain('history pruned');
    expect(all.at(-1)).toBe('shutdown complete');
  }, 120_000);

  it('passes still held when the grace is over stop at their next step once the store closes: no error, exit 0', async () => {
    await manyGroups();
    const held = await lockGroups();
    const gw = await start(1_000);
    await passesWaiting();
    gw.child.kill('SIGTERM');
    await gw.waitForLog((l) => l.msg === 'shutting down: draining deliveries');
    // The store is closing (its pool ended): of the gateway's connections, only the held passes' are left.
    await waitUntil(async () => {
      const c = await connections();
      return c.all === c.waiting.length;
    }, 15_000, 'the gateway to close its idle store connections');
    await held.release();

    expect(await gw.exited()).toBe(0);
    expect(errors(gw)).toEqual([]);
    expect(msgs(gw)).toContain('shutdown: background passes (config check, storms, maintenance, history pruning, re-attribution) still running after the grace period; the store is closed under them');
    expect(msgs(gw)).toContain('shutdown complete');
  }, 120_000);
});
