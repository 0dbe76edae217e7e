/**
 * PagerDuty's Events API limits events per routing key and answers 429 with no Retry-After.
 * Against both stores and a fake PagerDuty: after a 429 for one team, that team's other pages wait,
 * untried, as long as the limited page's backoff (before, they kept calling, met 429s and spent
 * attempts), while another team's page goes at once. The 429 is counted for that team
 * (alertgate_rate_limited_total, scope routing_key): the hold was seen only in debug logs.
 *
 * The worker and its pacer read a clock the test moves (`clock`): it stands still until the test
 * ends the hold, so no stall of a loaded machine can end it early or make another team's page
 * come after it. Before, the test compared real arrival times with the 1 s backoff.
 */
import { expect, it } from 'vitest';
import { createPagerDutyNotifier } from '../delivery/pagerduty/notifier.js';
import { createRoutingKeyResolver } from '../delivery/pagerduty/routing-key.js';
import type { Target } from '../model/target.js';
import { enqueue, group, notification } from '../store/contract/fixtures.case.js';
import type { NotificationRecord } from '../store/store.js';
import { onBothStores } from '../testing/both-stores.js';
import { startFakePagerDuty, type FakePagerDuty, type FakePagerDutyEvent } from '../testing/fake-pagerduty.js';
import { createMetrics } from '../metrics/metrics.js';
import { ChannelPacer } from './channel-pacer.js';
import { notificationReaching, startTestWorker, unusedNotifier, WorkerTestRig } from './test-worker.case.js';

/** The limited page's backoff: its first retry after 1 s (`random` at its top). */
const BACKOFF_MS = 1_000;
const KEYS: Record<string, string> = { payments: 'R0UT1NGKEYPAYMENTS0123456789abcd', checkout: 'R0UT1NGKEYCHECKOUT0123456789abcd' };
const resolveRoutingKey = createRoutingKeyResolver((team) => ({ routingKeyEnv: `PAGERDUTY_${team.toUpperCase()}_KEY` }), {
  env: { PAGERDUTY_PAYMENTS_KEY: KEYS.payments, PAGERDUTY_CHECKOUT_KEY: KEYS.checkout },
});
const pagesOf = (team: string): Target => ({ type: 'pagerduty', team });

/**
 * The worker's and the pacer's clock: it moves only when the test moves it. It starts an hour
 * ahead of the real clock, so what the store enqueues now is due at once.
 */
const clock = { ms: 0 };

/** rig.fake: the fake PagerDuty. */
const rig = new WorkerTestRig<FakePagerDuty>(startFakePagerDuty);

async function page(id: string, team: string): Promise<NotificationRecord> {
  const g = group(id, { team });
  const [n] = await enqueue(rig.store, g, [notification(g, pagesOf(team))]);
  return n!;
}

await onBothStores('a PagerDuty 429', (newStore) => {
  rig.openEach(newStore);

  it("holds that team's pages for the limited page's backoff, untried; another team's page goes at once", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    clock.ms = Date.now() + 3_600_000;
    rig.worker = startTestWorker({
      metrics,
      store: rig.store,
      notifiers: { slack: unusedNotifier('slack'), pagerduty: createPagerDutyNotifier({ eventsUrl: rig.fake.url, resolveRoutingKey }) },
      pacer: new ChannelPacer({ ratePerSecond: 1_000, burst: 1_000, now: () => clock.ms }),
      // One delivery at a time, oldest first.
      concurrency: 1,
      receiverConcurrency: 1,
      policy: { baseDelayMs: BACKOFF_MS, maxDelayMs: 60_000, maxRetryAfterMs: 60_000, maxAttempts: 3 },
      random: () => 1,
      now: () => new Date(clock.ms),
      pollMs: 20,
    });
    rig.fake.respondWith([{ status: 429, body: { status: 'throttle event', message: 'Requests for this service are arriving too quickly' } }]);
    const limitedPage = await page('pd-1', 'payments');
    await rig.fake.waitFor(() => true);
    const samePage = await page('pd-2', 'payments');
    const otherPage = await page('pd-3', 'checkout');

    const keyOf = (e: FakePagerDutyEvent) => (e.body as { routing_key?: string }).routing_key;
    const paymentsEvents = () => rig.fake.events.filter((e) => keyOf(e) === KEYS.payments);
    // The clock stands still: the hold cannot end. Checkout's page, enqueued after payments'
    // second (one delivery at a time, oldest first), goes; payments' second has not been tried.
    await rig.fake.waitFor((e) => keyOf(e) === KEYS.checkout);
    expect(paymentsEvents()).toHaveLength(1);
    expect(await notificationReaching(rig.store, otherPage.id, 'sent')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await rig.store.getNotification(samePage.id)).toMatchObject({ status: 'pending', attempts: 0 });
    // A millisecond before the backoff ends it still holds: a later checkout page goes, payments' older one not.
    clock.ms += BACKOFF_MS - 1;
    const laterPage = await page('pd-4', 'checkout');
    expect(await notificationReaching(rig.store, laterPage.id, 'sent')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(paymentsEvents()).toHaveLength(1);

    // The hold ends: payments' pages go, the limited one on its second attempt.
    const sentDuringHold = rig.fake.events.length;
    clock.ms += 1;
    expect(await notificationReaching(rig.store, samePage.id, 'sent')).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(await notificationReaching(rig.store, limitedPage.id, 'sent')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(rig.fake.events.slice(sentDuringHold).map(keyOf)).toEqual([KEYS.payments, KEYS.payments]);
    expect(paymentsEvents().map((e) => e.status)).toEqual([429, 202, 202]);
    const exposition = await metrics.registry.metrics();
    expect(exposition).toContain('alertgate_rate_limited_total{team="payments",receiver="pagerduty",scope="routing_key"} 1');
    expect(exposition).not.toContain('team="checkout",receiver="pagerduty",scope');
  });
});
