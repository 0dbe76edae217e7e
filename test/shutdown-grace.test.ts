/**
 * SHUTDOWN_GRACE_MS bounds the whole shutdown, HTTP requests in flight included: a /v1/uptime
 * waiting on a Thanos that never answers is cut off at the deadline (it used to hold shutdown
 * for the whole Thanos timeout and retries, past Kubernetes' SIGKILL).
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakes, startTestGateway, waitUntil, type Fakes } from './support/gateway.js';
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
