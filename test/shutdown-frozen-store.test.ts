/**
 * SIGTERM to `alertgate serve` on a PostgreSQL that stopped answering (a partition dropping
 * packets, a failover that moved the address): the queries in flight then wait for the client's
 * query timeout (35 s), far past SHUTDOWN_GRACE_MS and Kubernetes' terminationGracePeriodSeconds.
 * The shutdown used to wait for the outbox claim in flight with no limit (and for the store's
 * pool to end, which waits for every query in flight), so the pod was SIGKILLed: no "shutdown
 * complete", nothing said about what was given up. Now it exits within its grace, saying what
 * it gave up on, and nothing accepted is lost: the delivery it held is made by the next start.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { startPostgresProxy, throughProxy, type PostgresProxy } from '../src/testing/postgres-proxy.js';
import { gatewayEnv, startFakes, WEBHOOK_TOKEN, type Fakes } from './support/gateway.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';
import { webhook } from './support/payloads.js';

const admin = await requirePostgres();

/**
 * What the shutdown may take beyond SHUTDOWN_GRACE_MS: the HTTP drain's last words, the hand-back
 * wait (1 s), cutting the pool (0.5 s), exiting; with room for a loaded machine (the test failed
 * once beside nine other test files at a load average of ~10; its message was not kept, and it
 * passed in four runs after). The code before took 36–44 s.
 */
const MARGIN_MS = 5_000;

describe.skipIf(!admin)('SIGTERM with the database frozen', () => {
  let db: TestDatabase;
  let proxy: PostgresProxy;
  let fakes: Fakes;
  const procs: GatewayProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(admin!);
    proxy = await startPostgresProxy(db.url);
    fakes = await startFakes();
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.kill('SIGKILL');
  });
  afterAll(async () => {
    await proxy?.stop();
    await fakes?.close();
    await db?.drop();
  });

  const start = async (databaseUrl: string, extra: Record<string, string> = {}) => {
    // A short lease, so the delivery given up at shutdown is made again within the test.
    const env = gatewayEnv(fakes, { DATABASE_URL: databaseUrl, NODE_EXTRA_CA_CERTS: fakes.tls.certPath, LOG_LEVEL: 'info', DELIVERY_TIMEOUT_MS: '4000', OUTBOX_LEASE_MS: '14500', ...extra });
    const gw = await spawnGateway(env);
    procs.push(gw);
    return gw;
  };

  it('exits within SHUTDOWN_GRACE_MS with a claim and a delivery hanging on the store, says what it gave up, and loses nothing', async () => {
    const graceMs = 1_500;
    const gw = await start(throughProxy(db.url, proxy), { SHUTDOWN_GRACE_MS: String(graceMs) });

    // A delivery in flight at SIGTERM: Slack holds the call past the grace.
    fakes.slack.respondWith([{ hang: true }]);
    const body = JSON.stringify(webhook('{}:{alertname="FrozenStore"}', [{ labels: { alertname: 'FrozenStore', namespace: 'prisoner-offender-search-prod', severity: 'critical' } }]));
    const res = await fetch(`${gw.url}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` }, body });
    expect(res.status).toBe(202);
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 20_000);

    // The database stops answering; the worker's next poll sends its claim into the void.
    proxy.freeze();
    await proxy.withheld('due_slack');

    const started = Date.now();
    gw.child.kill('SIGTERM');
    const code = await gw.exited();
    const tookMs = Date.now() - started;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(graceMs + MARGIN_MS);

    const warned = gw.lines.filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warned).toContain('shutdown: the outbox claim still waiting on the store at the deadline was given up; what it claims is not delivered here (its lease expires and it is delivered again)');
    expect(warned).toContain('shutdown: deliveries still handing back or recording their outcome after the deadline were given up; their leases expire and they are delivered again');
    expect(warned).toContain('shutdown: the store did not close in time; its queries still in flight were cut (PostgreSQL rolls back their transactions)');
    // Nothing given up speaks after the end (a claim or hand-back failing as the store is cut).
    const last = gw.lines.at(-1)!;
    expect(gw.lines.slice(gw.lines.findIndex((l) => l.msg === 'shutdown complete'))).toEqual([last]);
    expect(last.msg).toBe('shutdown complete');
    expect(last.gaveUp).toEqual(expect.arrayContaining(['outbox claim', 'deliveries', 'store queries']));

    // At-least-once: the webhook was committed before the freeze, and the next start delivers
    // its notification once the stopped process's lease has expired.
    fakes.slack.respondWith([]);
    const next = await start(db.url);
    await next.waitForLog((l) => l.msg === 'notification sent', 30_000);
    expect([...fakes.slack.messages.values()].map((m) => m.text).filter((t) => t.includes('FrozenStore'))).toHaveLength(1);
  }, 120_000);
});
