/**
 * PagerDuty's Events API limits events per routing key and answers 429 with no Retry-After.
 * Against both stores and a fake PagerDuty: after a 429 for one team, that team's other pages wait,
 * untried, as long as the limited page's backoff (before, they kept calling, met 429s and spent
 * attempts), while another team's page goes at once. The 429 is counted for that team
 * (alertgate_rate_limited_total, scope routing_key): the hold was seen only in debug logs.
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
    rig.worker = startTestWorker({
      metrics,
      store: rig.store,
      notifiers: { slack: unusedNotifier('slack'), pagerduty: createPagerDutyNotifier({ eventsUrl: rig.fake.url, resolveRoutingKey }) },
      pacer: new ChannelPacer({ ratePerSecond: 1_000, burst: 1_000 }),
      // One delivery at a time, oldest first.
      concurrency: 1,
      receiverConcurrency: 1,
      policy: { baseDelayMs: BACKOFF_MS, maxDelayMs: 60_000, maxRetryAfterMs: 60_000, maxAttempts: 3 },
      random: () => 1,
      pollMs: 20,
    });
    rig.fake.respondWith([{ status: 429, body: { status: 'throttle event', message: 'Requests for this service are arriving too quickly' } }]);
    const limitedPage = await page('pd-1', 'payments');
    const limited = await rig.fake.waitFor(() => true);
    const samePage = await page('pd-2', 'payments');
    const otherPage = await page('pd-3', 'checkout');

    const keyOf = (e: FakePagerDutyEvent) => (e.body as { routing_key?: string }).routing_key;
    const holdEnds = limited.at + BACKOFF_MS;
    expect((await rig.fake.waitFor((e) => keyOf(e) === KEYS.checkout)).at).toBeLessThan(holdEnds);
    expect(await notificationReaching(rig.store, samePage.id, 'sent')).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(await notificationReaching(rig.store, limitedPage.id, 'sent')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await notificationReaching(rig.store, otherPage.id, 'sent')).toMatchObject({ status: 'sent', attempts: 1 });
    // Nothing more went out for payments until its hold ended.
    const payments = rig.fake.events.filter((e) => keyOf(e) === KEYS.payments);
    expect(payments.slice(1).every((e) => e.at >= holdEnds)).toBe(true);
    expect(payments.map((e) => e.status)).toEqual([429, 202, 202]);
    const exposition = await metrics.registry.metrics();
    expect(exposition).toContain('alertgate_rate_limited_total{team="payments",receiver="pagerduty",scope="routing_key"} 1');
    expect(exposition).not.toContain('team="checkout",receiver="pagerduty",scope');
  });
});
