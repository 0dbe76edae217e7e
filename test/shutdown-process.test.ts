/**
 * SIGTERM as Kubernetes sends it, to `alertgate serve` as a separate process: what the stopping
 * replica still does during its grace, and that nothing outlives it.
 * - It starts no new delivery: a retry coming due while a slow client holds the HTTP drain open
 *   used to be claimed, sent, and cut short at the deadline (a call the next process repeats).
 * - A scheduled uptime report querying Thanos at SIGTERM is abandoned at the deadline: its query
 *   used to go on after "shutdown complete", keeping the process alive for THANOS_TIMEOUT_MS and
 *   its retries, past Kubernetes' SIGKILL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatewayEnv, startFakes, WEBHOOK_TOKEN, type Fakes } from './support/gateway.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';
import { webhook } from './support/payloads.js';
import { stalledWebhook } from './support/raw-http.js';
import { writeConfigDir } from './support/prometheus-uptime-fixture.js';

let fakes: Fakes;
let dir: string;
const procs: GatewayProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  fakes = await startFakes();
  dir = await mkdtemp(join(tmpdir(), 'alertgate-shutdown-process-'));
});
afterEach(async () => {
  for (const p of procs.splice(0)) await p.kill('SIGKILL');
  for (const c of cleanups.splice(0)) await c();
  await fakes.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(extra: Record<string, string>): Promise<GatewayProcess> {
  const gw = await spawnGateway(gatewayEnv(fakes, { DATABASE_URL: `sqlite:${join(dir, 'alertgate.db')}`, NODE_EXTRA_CA_CERTS: fakes.tls.certPath, LOG_LEVEL: 'info', ...extra }));
  procs.push(gw);
  return gw;
}

describe('SIGTERM: the stopping process', () => {
  it('starts no delivery after SIGTERM, not even one coming due while a slow client holds the HTTP drain open', async () => {
    // The order that matters is made by events, not by timing: Slack holds the first call until
    // the process has begun its shutdown, then refuses it (500), so the retry comes due a second
    // later, while a stalled client holds the drain open for the whole grace. A process that
    // still claimed work would make that retry during the drain.
    const gw = await start({ SHUTDOWN_GRACE_MS: '6000', DELIVERY_BACKOFF_BASE_MS: '1000', DELIVERY_BACKOFF_MAX_MS: '1000' });
    let shuttingDown!: () => void;
    fakes.slack.respondWith([{ status: 500, after: new Promise<void>((resolve) => (shuttingDown = resolve)) }, { hang: true }]);
    const body = JSON.stringify(webhook('{}:{alertname="DrainRetry"}', [{ labels: { alertname: 'DrainRetry', namespace: 'prisoner-offender-search-prod', severity: 'critical' } }]));
    const res = await fetch(`${gw.url}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` }, body });
    expect(res.status).toBe(202);
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 20_000);
    const stalled = await stalledWebhook(gw.url, body);
    cleanups.push(() => void stalled.socket.destroy());

    gw.child.kill('SIGTERM');
    await gw.waitForLog((l) => l.msg === 'shutting down: draining deliveries');
    shuttingDown();
    // The call in flight at SIGTERM is let finish: refused, it is stored for a retry.
    await gw.waitForLog((l) => l.msg === 'notification failed; will retry');
    expect(await gw.exited()).toBe(0);
    // The stalled client held the drain for the whole grace, long past the retry's due time.
    expect(gw.lines.map((l) => l.msg)).toContain('shutdown: HTTP requests still in flight after the grace period were cut off');
    // No Slack call but the one in flight at SIGTERM, and none cut short.
    expect(fakes.slack.requests).toHaveLength(1);
    expect(gw.lines.filter((l) => l.msg === 'delivery cut short by shutdown; handed back untried')).toEqual([]);

    // The next process delivers it: one message.
    fakes.slack.respondWith([]);
    const again = await start({});
    await again.waitForLog((l) => l.msg === 'notification sent');
    expect([...fakes.slack.messages.values()].map((m) => m.text).filter((t) => t.includes('DrainRetry'))).toHaveLength(1);
  }, 120_000);

  it('does not stay alive after "shutdown complete" for a scheduled uptime report still querying a silent Thanos', async () => {
    let queried!: () => void;
    const firstQuery = new Promise<void>((resolve) => (queried = resolve));
    const thanos = http.createServer(() => queried());
    await new Promise<void>((resolve) => thanos.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      thanos.closeAllConnections();
      return new Promise<void>((resolve) => thanos.close(() => resolve()));
    });
    await writeConfigDir(dir);
    // THANOS_TIMEOUT_MS: a query not aborted would hold the process 10 minutes per attempt. A
    // grace longer than the 5 s the scheduler used to wait for its runs on its own, as in the
    // manifests (20 s): the query outlived that wait.
    const env = { ALERTGATE_CONFIG_DIR: dir, THANOS_URL: `http://127.0.0.1:${(thanos.address() as AddressInfo).port}`, THANOS_TIMEOUT_MS: '600000', SHUTDOWN_GRACE_MS: '6000' };
    // A first start records since when payments' monthly report is scheduled; dated back a
    // year, the next start catches up the months since and queries Thanos at once.
    const first = await start(env);
    await first.waitForLog((l) => l.msg === 'uptime report scheduled for the first time: earlier runs are not caught up');
    await first.kill('SIGTERM');
    const db = new Database(join(dir, 'alertgate.db'));
    db.prepare("UPDATE groups SET created_at = '2025-01-01T00:00:00.000Z' WHERE group_key LIKE 'message:report-schedule:%'").run();
    db.close();
    const gw = await start(env);
    await gw.waitForLog((l) => l.msg === 'uptime report was not posted at its scheduled time: catching it up');
    await firstQuery;

    gw.child.kill('SIGTERM');
    expect(await gw.exited()).toBe(0);
    const msgs = gw.lines.map((l) => l.msg);
    expect(msgs).toContain('uptime report not posted yet: stopped while retrying; it is caught up at the next start');
    expect(msgs.at(-1)).toBe('shutdown complete');
  }, 120_000);
});
