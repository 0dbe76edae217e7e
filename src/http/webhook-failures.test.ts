/**
 * What the webhook logs and answers when its handling fails other than by the store: a bug that
 * throws for a payload (here the decision's clock, read under the store's lock, throwing while the
 * test says so) is logged at error for every request, naming its group, and answered 503
 * (Alertmanager retries); it is not an outage, so no streak, no reminder and no "recovered" line.
 * And a failure after the webhook was stored (the outbox wake-up here) answers 202, with an error
 * line: refusing it would have Alertmanager send a stored group again. The routes run with a real
 * SQLite store, config, metrics and logger.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadRoutingConfig } from '../config/load-routes.js';
import type { RoutingConfig } from '../config/types.js';
import { createLogger } from '../log/logger.js';
import { createMetrics } from '../metrics/metrics.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { webhookRoutes } from './webhook.js';

const ESTATE_DIR = fileURLToPath(new URL('../../test/fixtures/estate', import.meta.url));
type Line = Record<string, unknown>;

let store: Store;
let config: RoutingConfig;
beforeEach(async () => {
  store = openSqliteStore(':memory:');
  config = (await loadRoutingConfig(ESTATE_DIR, { TEST_PD_PAYMENTS_KEY: 'k' })).config!;
});
afterEach(async () => {
  await store.close();
});

function gateway(o: { onAccepted?: () => void } = {}) {
  const lines: Line[] = [];
  const state = { poisoned: false };
  const app = webhookRoutes({
    store,
    routing: () => config,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l) as Line) }),
    maxBodyBytes: 1 << 20,
    accepting: () => true,
    now: () => {
      if (state.poisoned) throw new TypeError("Cannot read properties of undefined (reading 'labels')");
      return new Date('2026-11-20T09:00:00Z');
    },
    outageLogNow: () => 0,
    ...o,
  });
  const post = (name: string) =>
    app.request('/webhooks/alertmanager', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        receiver: 'alertgate',
        status: 'firing',
        groupKey: `{}:{alertname="${name}"}`,
        groupLabels: { alertname: name },
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://am:9093',
        truncatedAlerts: 0,
        alerts: [{ status: 'firing', labels: { alertname: name, team: 'payments' }, annotations: {}, startsAt: '2026-11-20T08:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: `fp-${name}` }],
      }),
    });
  return { post, lines, state };
}

it('logs a failure that is not the store at error for every request, with its group, answers 503, and starts no outage streak', async () => {
  const g = gateway();
  g.state.poisoned = true;
  for (const name of ['Poison', 'Poison', 'Poison']) {
    const res = await g.post(name);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'could not process the webhook; retry later' });
  }
  g.state.poisoned = false;
  expect((await g.post('Fine')).status).toBe(202);
  const failed = g.lines.filter((l) => l.level !== 'debug' && l.msg !== 'webhook accepted');
  expect(failed.map((l) => [l.level, l.msg, l.groupKey, (l.err as { message?: string } | undefined)?.message])).toEqual(
    Array.from({ length: 3 }, () => ['error', 'webhook processing failed (not the store); answering 503 so Alertmanager retries', '{}:{alertname="Poison"}', "Cannot read properties of undefined (reading 'labels')"]),
  );
});

it('answers 202 for a webhook stored when what follows the write fails, with an error line', async () => {
  const g = gateway({
    onAccepted: () => {
      throw new Error('wake-up failed');
    },
  });
  const res = await g.post('Stored');
  expect(res.status).toBe(202);
  expect(await res.json()).toEqual({ accepted: 1 });
  expect(g.lines.filter((l) => l.level === 'error')).toMatchObject([
    { msg: 'webhook stored, but what follows its write failed (metrics, log, outbox wake-up); answering 202', groupKey: '{}:{alertname="Stored"}', err: { message: 'wake-up failed' } },
  ]);
  expect(g.lines.some((l) => typeof l.msg === 'string' && /could not store webhook|recovered/.test(l.msg))).toBe(false);
});
