/**
 * SHUTDOWN_GRACE_MS bounds the whole shutdown, HTTP requests in flight included: a /v1/uptime
 * waiting on a Thanos that never answers is cut off at the deadline (it used to hold shutdown
 * for the whole Thanos timeout and retries, past Kubernetes' SIGKILL). And a webhook in flight on
 * a kept-alive connection at shutdown is answered 503 with `Connection: close`, so Alertmanager
 * sends its retry, and its next notification, on a new connection.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakes, startTestGateway, waitUntil, type Fakes } from './support/gateway.js';
import { webhook } from './support/payloads.js';
import { keptAlive, webhookHead } from './support/raw-http.js';
import { writeConfigDir } from './support/prometheus-uptime-fixture.js';

/** A Thanos stand-in that accepts queries and never answers them. */
async function silentThanos(): Promise<{ url: string; queries: () => number; close(): Promise<void> }> {
  let queries = 0;
  const server = http.createServer(() => void queries++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries: () => queries,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('shutdown with an HTTP request in flight', () => {
  let dir: string;
  let fakes: Fakes;
  let thanos: Awaited<ReturnType<typeof silentThanos>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertgate-shutdown-'));
    await writeConfigDir(dir);
    fakes = await startFakes();
    thanos = await silentThanos();
  });
  afterAll(async () => {
    await thanos?.close();
    await fakes?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a /v1/uptime waiting on a hanging Thanos does not hold shutdown past SHUTDOWN_GRACE_MS', async () => {
    const graceMs = 500;
    const t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: dir, THANOS_URL: thanos.url, THANOS_TIMEOUT_MS: '60000', SHUTDOWN_GRACE_MS: String(graceMs) });
    const answer = fetch(`${t.gw.url}/v1/uptime?team=payments&month=2026-10`).then(
      (r) => r.status,
      (e: Error) => e.message,
    );
    await waitUntil(() => thanos.queries() > 0, 5_000, 'the uptime request to reach Thanos');

    const started = Date.now();
    await t.close();
    const tookMs = Date.now() - started;
    // The request is answered 503 or its connection is closed; either way it no longer waits.
    expect([503, 'fetch failed']).toContain(await answer);
    // Far below the 60 s Thanos timeout it would otherwise wait for (and its retries); the margin
    // over the grace is for closing the rest on a loaded machine: 2.7 s was seen under a load
    // average of 10, and CI has shown more than tenfold slowdowns, so 20 s, a third of the 60 s.
    expect(tookMs).toBeLessThan(graceMs + 20_000);
    expect(t.logs.some((l) => l.includes('cut off'))).toBe(true);
  }, 60_000);
});

describe('shutdown with a webhook in flight on a kept-alive connection', () => {
  let fakes: Fakes;
  beforeAll(async () => (fakes = await startFakes()));
  afterAll(() => fakes?.close());

  it('answers it 503 with Connection: close, and closes the connection', async () => {
    const t = await startTestGateway(fakes, { SHUTDOWN_GRACE_MS: '5000' });
    const body = JSON.stringify(webhook('{}:{alertname="KeptAlive"}', [{ labels: { alertname: 'KeptAlive', namespace: 'prisoner-offender-search-prod', severity: 'critical' } }]));
    const conn = await keptAlive(t.gw.url);
    conn.socket.write(webhookHead(body) + body);
    const first = await conn.response();
    expect([first.status, first.headers.connection]).toEqual([202, 'keep-alive']);

    // The next webhook on the same connection is half sent when shutdown begins: its headers
    // taken (the server's 100 Continue says so), its body still on its way.
    conn.socket.write(webhookHead(body, { Expect: '100-continue' }) + body.slice(0, 20));
    expect((await conn.response()).status).toBe(100);
    const closing = t.close();
    conn.socket.write(body.slice(20));
    const second = await conn.response();
    expect(second.status).toBe(503);
    expect(JSON.parse(second.body)).toEqual({ error: 'shutting down; retry on another replica' });
    expect(second.headers.connection).toBe('close');
    await conn.closed;
    await closing;
  }, 30_000);

  it('a webhook whose body is still arriving at the deadline is cut off and logged as abandoned, not as an unhandled error', async () => {
    const t = await startTestGateway(fakes, { SHUTDOWN_GRACE_MS: '300' });
    const body = JSON.stringify(webhook('{}:{alertname="CutOff"}', [{ labels: { alertname: 'CutOff', namespace: 'prisoner-offender-search-prod', severity: 'critical' } }]));
    const conn = await keptAlive(t.gw.url);
    conn.socket.write(webhookHead(body, { Expect: '100-continue' }) + body.slice(0, 20));
    expect((await conn.response()).status).toBe(100);
    await t.close();
    await conn.closed;
    await t.waitForLog((l) => l.msg === 'request abandoned: the connection closed before its body arrived; nothing stored');
    expect(t.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  }, 30_000);
});
