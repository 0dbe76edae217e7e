/**
 * History retention in a running gateway: with HISTORY_RETENTION set, passes run on their tick,
 * show in /metrics, and delete nothing younger than the retention (what they delete is the
 * store contract's, store/contract/retention.case.ts, and the pass's, retention/).
 */
import { expect, it } from 'vitest';
import { waitUntil, type TestGateway } from './support/gateway.js';
import { withFakesPerTest } from './support/gateway-hooks.js';
import { webhook } from './support/payloads.js';

let t: TestGateway | undefined;
const startGateway = withFakesPerTest();

const metric = async (gw: TestGateway, line: RegExp): Promise<number | undefined> => {
  const text = await (await fetch(`${gw.gw.url}/metrics`)).text();
  const m = text.split('\n').find((l) => line.test(l));
  return m === undefined ? undefined : Number(m.split(' ').at(-1));
};

it('runs retention passes that keep recent history, and reports them in /metrics', async () => {
  t = await startGateway({ HISTORY_RETENTION: '1d', HISTORY_PRUNE_TICK_MS: '100' });
  const gw = t;
  const alerts = [{ labels: { alertname: 'KubePodCrashLooping', namespace: 'payments-prod', severity: 'warning', pod: 'api-1' } }];
  expect((await gw.post(webhook('{}:{alertname="KubePodCrashLooping"}', alerts))).status).toBe(202);
  const resolved = alerts.map((a) => ({ ...a, status: 'resolved' as const }));
  expect((await gw.post(webhook('{}:{alertname="KubePodCrashLooping"}', resolved))).status).toBe(202);
  await gw.idle();
  const startedAt = Date.now() / 1000;
  // A pass that completed after the deliveries.
  await waitUntil(async () => ((await metric(gw, /^alertgate_history_prune_last_pass_timestamp_seconds /)) ?? 0) > startedAt, 5000, 'a retention pass');
  const listed = (await (await fetch(`${gw.gw.url}/v1/notifications`)).json()) as { items: { status: string }[] };
  expect(listed.items.map((n) => n.status)).toEqual(['sent', 'sent']);
  const alertsListed = (await (await fetch(`${gw.gw.url}/v1/alerts`)).json()) as { items: unknown[] };
  expect(alertsListed.items).toHaveLength(1);
  expect(await metric(gw, /^alertgate_history_pruned_total\{kind="group"\} /)).toBeUndefined();
  expect(gw.logs.some((l) => l.includes('history pruned'))).toBe(true);
  expect(gw.logs.filter((l) => l.includes('history pruner failed'))).toEqual([]);
});

it('runs no pass without HISTORY_RETENTION', async () => {
  t = await startGateway({ HISTORY_PRUNE_TICK_MS: '10' });
  const alerts = [{ labels: { alertname: 'KubePodCrashLooping', namespace: 'payments-prod', severity: 'warning', pod: 'api-1' } }];
  // Long enough for several ticks, had a pruner been started.
  expect((await t.post(webhook('{}:{alertname="KubePodCrashLooping"}', alerts))).status).toBe(202);
  await t.idle();
  expect(await metric(t, /^alertgate_history_prune_last_pass_timestamp_seconds /)).toBe(0);
  expect(t.logs.filter((l) => l.includes('history pruned'))).toEqual([]);
});
