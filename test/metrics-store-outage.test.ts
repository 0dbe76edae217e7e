/**
 * /metrics during a store outage: a gateway on PostgreSQL reached through a loopback proxy that
 * is then stopped. Webhooks get 503 and /metrics must still answer with them (README tells
 * operators to alert on the 5xx counter), with alertgate_store_up 0 and one log line, not one
 * per scrape; the read and admin endpoints answer 503, an outage to retry, not 500.
 */
import { describe, expect, it } from 'vitest';
import { requirePostgres } from '../src/testing/postgres.js';
import { useProxiedPostgresGateway } from './support/proxied-gateway.js';
import { webhook } from './support/payloads.js';
import { ADMIN_TOKEN } from './support/gateway.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('/metrics while the store is unreachable', () => {
  const g = useProxiedPostgresGateway(admin!);

  it('answers 200 with the webhook counters, alertgate_store_up 0, and logs the failure once', async () => {
    const up = await fetch(`${g.t.gw.url}/metrics`).then((r) => r.text());
    expect(up).toMatch(/^alertgate_store_up 1$/m);

    await g.proxy.stop();
    expect((await g.t.post(webhook('{}:{alertname="MetricsOutage"}', [{ labels: { alertname: 'MetricsOutage', team: 'payments' } }]))).status).toBe(503);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${g.t.gw.url}/metrics`);
      const text = await res.text();
      expect(res.status, text.slice(0, 300)).toBe(200);
      expect(text).toMatch(/^alertgate_webhook_requests_total\{code="503"\} 1$/m);
      expect(text).toMatch(/^alertgate_store_up 0$/m);
      // The store-backed gauges keep their last values (nothing waited), never a hole or a 500.
      expect(text).toMatch(/^alertgate_outbox_depth 0$/m);
      expect(text).toMatch(/^alertgate_outbox_oldest_age_seconds 0$/m);
    }
    expect(g.t.logs.filter((l) => l.includes('metrics: cannot read the store'))).toHaveLength(1);
  });

  it('answers 503 "store unavailable", not 500, on the read and admin endpoints', async () => {
    await g.proxy.stop();
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const window = JSON.stringify({ team: 'payments', start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z', reason: 'x' });
    const calls: [string, string, string?][] = [
      ['GET', '/v1/alerts'],
      ['GET', '/v1/notifications'],
      ['GET', '/v1/maintenance'],
      ['POST', '/v1/maintenance', window],
      ['DELETE', '/v1/maintenance/payments.abcdef'],
      ['POST', '/v1/notifications/1/retry'],
    ];
    for (const [method, path, body] of calls) {
      const res = await fetch(`${g.t.gw.url}${path}`, { method, headers: admin, ...(body ? { body } : {}) });
      expect([`${method} ${path}`, res.status, await res.json()]).toEqual([`${method} ${path}`, 503, { error: 'store unavailable; retry later' }]);
    }
    expect(g.t.logs.some((l) => l.includes('unhandled error'))).toBe(false);
  });
});
