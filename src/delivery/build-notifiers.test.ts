/**
 * The PagerDuty notifier the outbox gets: pages go to the log sink only while nothing is
 * configured for PagerDuty (no key resolves for any team, pages not live), which is asked at every
 * send; the first key to resolve sends pages for real, and from then on a team without a key
 * fails naming its variable instead of being logged as sent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger.js';
import { startFakePagerDuty, type FakePagerDuty } from '../testing/fake-pagerduty.js';
import { createTestTls, type TestTls } from '../testing/tls.js';
import { buildNotifiers, type PagesMode } from './build-notifiers.js';
import { LOG_SINK_MESSAGE } from './log-sink.js';
import { makeDelivery } from './notifier.case.js';
import { createRoutingKeyResolver } from './pagerduty/routing-key.js';

const PAYMENTS_KEY = 'pd-key-payments-0123456789abcdef';
const PRISONS_KEY = 'pd-key-prisons-0123456789abcdef';
const payments = { type: 'pagerduty', team: 'payments' } as const;
const prisons = { type: 'pagerduty', team: 'prisons' } as const;

let tls: TestTls;
let fake: FakePagerDuty;
beforeAll(async () => {
  tls = await createTestTls();
});
afterAll(async () => {
  await tls.cleanup();
});
afterEach(async () => {
  await fake?.close();
});

/** payments and prisons page, each with its own variable; `env` is read at every send. */
async function setup(o: { live?: boolean; env?: Record<string, string | undefined> } = {}) {
  fake = await startFakePagerDuty({ tls });
  const env: Record<string, string | undefined> = { ...o.env };
  const lines: string[] = [];
  let live = o.live ?? false;
  let wentLive = 0;
  const pages: PagesMode = {
    live: () => live,
    teams: () => ['payments', 'prisons'],
    wentLive: () => {
      live = true;
      wentLive += 1;
    },
  };
  const resolveRoutingKey = createRoutingKeyResolver(
    (team) => ({ payments: { routingKeyEnv: 'PD_PAYMENTS_KEY' }, prisons: { routingKeyEnv: 'PD_PRISONS_KEY' } })[team],
    { env },
  );
  const { pagerduty } = buildNotifiers({
    settings: { slackApiUrl: 'https://slack.invalid/api/', deliveryTimeoutMs: 2_000, pagerDutyEventsUrl: fake.url },
    resolveRoutingKey,
    pages,
    logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    pagerDutyCa: tls.cert,
  });
  return {
    pagerduty,
    env,
    sinked: () => lines.filter((l) => l.includes(LOG_SINK_MESSAGE)).length,
    wentLive: () => wentLive,
  };
}
const routingKeys = () => fake.events.map((e) => (e.body as { routing_key?: string }).routing_key);

describe('PagerDuty notifier: real pages or the log sink, asked at each send', () => {
  it('no key resolves for any team: the page is logged (the offline dry run), not sent', async () => {
    const s = await setup();
    expect(await s.pagerduty.notify(makeDelivery(payments))).toEqual({ ok: true });
    expect(s.sinked()).toBe(1);
    expect(fake.events).toEqual([]);
    expect(s.wentLive()).toBe(0);
  });

  it('a key that appears after the first page sends the next one for real, and pages stay live', async () => {
    const s = await setup();
    await s.pagerduty.notify(makeDelivery(payments, { id: 1 }));
    s.env.PD_PAYMENTS_KEY = PAYMENTS_KEY;
    expect(await s.pagerduty.notify(makeDelivery(payments, { id: 2 }))).toMatchObject({ ok: true });
    expect(routingKeys()).toEqual([PAYMENTS_KEY]);
    expect(s.wentLive()).toBe(1);

    // The key goes away again: a failure naming the variable, never back to the log sink.
    delete s.env.PD_PAYMENTS_KEY;
    const gone = await s.pagerduty.notify(makeDelivery(payments, { id: 3 }));
    expect(gone).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('PD_PAYMENTS_KEY') });
    expect(s.sinked()).toBe(1);
    expect(s.wentLive()).toBe(1);
  });

  it('another team\'s key resolving is enough: a team without one fails naming its variable', async () => {
    const s = await setup({ env: { PD_PRISONS_KEY: PRISONS_KEY } });
    const result = await s.pagerduty.notify(makeDelivery(payments));
    expect(result).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('environment variable PD_PAYMENTS_KEY is not set') });
    expect(s.sinked()).toBe(0);
    expect(s.wentLive()).toBe(1);
    expect(await s.pagerduty.notify(makeDelivery(prisons))).toMatchObject({ ok: true });
    expect(routingKeys()).toEqual([PRISONS_KEY]);
  });

  it('pages live from the start (PAGERDUTY_EVENTS_URL set, or a key at start): no key fails, nothing is logged as sent', async () => {
    const s = await setup({ live: true });
    expect(await s.pagerduty.notify(makeDelivery(payments))).toMatchObject({ ok: false, error: expect.stringContaining('PD_PAYMENTS_KEY') });
    expect(s.sinked()).toBe(0);
    expect(s.wentLive()).toBe(0);
  });
});
