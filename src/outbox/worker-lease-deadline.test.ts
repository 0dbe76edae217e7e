/**
 * A delivery never outlives its outbox lease, against both stores: two workers (replicas) share
 * one outbox and a fake Slack; one delivery needs a call it did not plan for (a compact resend
 * after Slack refused the message as too long) and its channel's next pacing slot is past the
 * lease. Before, the worker waited for that slot holding an expired lease: the other worker
 * claimed the item and posted it, then the first posted it too (two messages for one alert). Now
 * the delivery is cut before its lease ends, marked failed saying why, and retried once; the cut
 * is counted (alertgate_delivery_lease_cuts_total), not only logged.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { silentLogger } from '../log/logger.js';
import { createSlackNotifier } from '../delivery/slack/notifier.js';
import type { Notifier } from '../delivery/notifier.js';
import { enqueue, group } from '../store/contract/fixtures.case.js';
import type { Store } from '../store/store.js';
import { onBothStores } from '../testing/both-stores.js';
import { startFakeSlack, type FakeSlack } from '../testing/fake-slack.js';
import { createMetrics } from '../metrics/metrics.js';
import { ChannelPacer } from './channel-pacer.js';
import { notificationReaching, startTestWorker } from './test-worker.case.js';
import type { OutboxWorker } from './worker.js';

/** Short, as a test's; what matters is that the channel's next slot comes after it. */
const LEASE_MS = 1_500;
const unused: Notifier = { type: 'pagerduty', notify: () => Promise.resolve({ ok: true }) };

let slack: FakeSlack;
let store: Store;
let workers: OutboxWorker[] = [];
/** Both replicas' counts, on one registry. */
let metrics: ReturnType<typeof createMetrics>;

afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop(10_000)));
  workers = [];
  await store?.close();
  await slack?.close();
});

/** A replica's worker: its own pacer (one call every 2 s per channel, no burst beyond one). */
function replica(owner: string): OutboxWorker {
  const worker = startTestWorker({
    store,
    notifiers: { slack: createSlackNotifier({ token: 'xoxb-test', apiUrl: slack.url }), pagerduty: unused },
    pacer: new ChannelPacer({ ratePerSecond: 0.5, burst: 1 }),
    owner,
    metrics,
    leaseMs: LEASE_MS,
    pollMs: 20,
  });
  workers.push(worker);
  return worker;
}

await onBothStores('a delivery past its lease', (newStore) => {
  beforeEach(async () => {
    store = await newStore();
    slack = await startFakeSlack();
    metrics = createMetrics({ defaultMetrics: false });
  });

  it('is cut before its lease ends and retried once, never sent by two workers at once', async () => {
    // Refused as too long: the compact resend is a call the delivery had no slot for.
    slack.respondWith([{ slackError: 'msg_too_long' }]);
    const [item] = await enqueue(store, group('lease-g1'));
    replica('replica-a');
    replica('replica-b');
    expect((await notificationReaching(store, item!.id, 'sent'))?.status).toBe('sent');
    // Whatever was still in flight ends (stop waits for it) before anything is counted.
    await Promise.all(workers.map((w) => w.stop(10_000)));

    const posts = [...slack.messages.values()].filter((m) => !m.threadTs);
    expect(posts).toHaveLength(1);
    const delivered = await store.getNotification(item!.id);
    expect(delivered).toMatchObject({ status: 'sent', attempts: 2 });
    expect(delivered!.lastError).toMatch(/^delivery cut after \d+ ms of its 1500 ms lease \(OUTBOX_LEASE_MS\), so that no other worker takes it over while it is still sending: slack chat\.postMessage: request aborted/);
    const exposition = await metrics.registry.metrics();
    expect(exposition).toContain('alertgate_delivery_lease_cuts_total{receiver="slack"} 1');
    expect(exposition).toContain('alertgate_delivery_lease_cuts_total{receiver="pagerduty"} 0');
  });
});
