/**
 * alertgate_outbox_oldest_age_seconds as an operator scrapes it: while Slack refuses a message
 * (5xx, retried with backoff) the oldest waiting notification's age is on /metrics and grows
 * with time; once Slack takes it, the gauge is back at 0. Time moves on the clock /metrics
 * measures with (the gateway's `metricsNow`), not by sleeping.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
let clockOffsetMs = 0;

beforeEach(async () => {
  fakes = await startFakes();
  clockOffsetMs = 0;
  // Enough attempts that the message is still retried, not dead, however long the test takes.
  t = await startTestGateway(fakes, { DELIVERY_MAX_ATTEMPTS: '100000' }, { metricsNow: () => new Date(Date.now() + clockOffsetMs) });
});
afterEach(async () => {
  await t?.close();
  await fakes?.close();
});

async function scrape(): Promise<{ age: number; depth: number; up: number }> {
  const text = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
  const value = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (!m) throw new Error(`/metrics has no ${name}`);
    return Number(m[1]);
  };
  return { age: value('alertgate_outbox_oldest_age_seconds'), depth: value('alertgate_outbox_depth'), up: value('alertgate_store_up') };
}

it('shows the oldest undelivered notification\'s age growing while Slack answers 503, and 0 once it is delivered', async () => {
  expect(await scrape()).toEqual({ age: 0, depth: 0, up: 1 });
  fakes.slack.respondWith(Array.from({ length: 100_000 }, () => ({ status: 503 })));
  const accepted = await t.post(webhook('{}:{alertname="SlackDown"}', [{ labels: { alertname: 'SlackDown', namespace: 'prisoner-offender-search-prod' } }]));
  expect(accepted.status).toBe(202);
  // Refused twice: the message is waiting for a retry.
  await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && fakes.slack.requests.length >= 2, 10_000);

  const first = await scrape();
  expect(first).toMatchObject({ depth: 1, up: 1 });
  // Waiting since before the first refusal: already on the gauge, not 0 (which says none waits).
  expect(first.age).toBeGreaterThan(0);
  clockOffsetMs += 5 * 60_000;
  const fiveMinutesOn = await scrape();
  expect(fiveMinutesOn.age).toBeGreaterThanOrEqual(first.age + 300);
  clockOffsetMs += 15 * 60_000;
  const twentyMinutesOn = await scrape();
  expect(twentyMinutesOn).toMatchObject({ depth: 1, up: 1 });
  expect(twentyMinutesOn.age).toBeGreaterThanOrEqual(fiveMinutesOn.age + 900);

  // Slack answers again: the next retry delivers it.
  fakes.slack.respondWith([]);
  await t.idle();
  expect(fakes.slack.messages.size).toBe(1);
  expect(await scrape()).toEqual({ age: 0, depth: 0, up: 1 });
});
