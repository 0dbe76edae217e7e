/**
 * /metrics during a store outage: a gateway on PostgreSQL reached through a loopback proxy that
 * is then stopped. Webhooks get 503 and /metrics must still answer with them (README tells
 * operators to alert on the 5xx counter), with alertgate_store_up 0 and one log line, not one
 * per scrape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { startPostgresProxy, throughProxy, type PostgresProxy } from '../src/testing/postgres-proxy.js';
import { webhook } from './support/payloads.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('/metrics while the store is unreachable', () => {
  let db: TestDatabase;
  let fakes: Fakes;
  let proxy: PostgresProxy;
  let t: TestGateway;
  beforeAll(async () => {
    db = await createTestDatabase(admin!);
    fakes = await startFakes();
    proxy = await startPostgresProxy();
    t = await startTestGateway(fakes, { DATABASE_URL: throughProxy(db.url, proxy) });
  });
  afterAll(async () => {
    await proxy?.stop();
    await t?.close().catch(() => undefined);
    await fakes?.close();
    await db?.drop();
  });

  it('answers 200 with the webhook counters, alertgate_store_up 0, and logs the failure once', async () => {
    const up = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
    expect(up).toMatch(/^alertgate_store_up 1$/m);

    await proxy.stop();
    expect((await t.post(webhook('{}:{alertname="MetricsOutage"}', [{ labels: { alertname: 'MetricsOutage', team: 'payments' } }]))).status).toBe(503);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${t.gw.url}/metrics`);
      const text = await res.text();
      expect(res.status, text.slice(0, 300)).toBe(200);
      expect(text).toMatch(/^alertgate_webhook_requests_total\{code="503"\} 1$/m);
      expect(text).toMatch(/^alertgate_store_up 0$/m);
    }
    expect(t.logs.filter((l) => l.includes('metrics: cannot read the store'))).toHaveLength(1);
  });
});
