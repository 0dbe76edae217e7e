/**
 * A resend of an unchanged group after its notification to a target went dead: Alertmanager
 * records a send in its notification log only once it succeeded, so its repeat would re-send;
 * alertgate notifies the resend to that target (and only to it) instead of suppressing it for
 * the dedup window. Through the real HTTP app, real SQLite and the outbox, fake Slack and PagerDuty.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;

beforeEach(async () => {
  fakes = await startFakes();
  // Two attempts: a notification goes dead after two refusals.
  t = await startTestGateway(fakes, { DELIVERY_MAX_ATTEMPTS: '2' });
});
afterEach(async () => {
  await t?.close();
  await fakes?.close();
});

const key = '{}:{alertname="CheckoutDown"}';
const group = webhook(key, [{ labels: { alertname: 'CheckoutDown', namespace: 'payments-prod', severity: 'critical' } }]);
const allPosts = () => fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.thread_ts === undefined);
/** Posts made after the two Slack refused (`slackNotificationDead`). */
let refused = 0;
beforeEach(() => (refused = 0));
const posts = () => allPosts().slice(refused);
const triggers = () => fakes.pagerduty.events.filter((e) => (e.body as { event_action?: string }).event_action === 'trigger');

interface Item {
  id: number;
  receiver: string;
  status: string;
  reason: string | null;
}
const items = async (): Promise<Item[]> => ((await fetch(`${t.gw.url}/v1/notifications?team=payments`).then((r) => r.json())) as { items: Item[] }).items;

/** Slack refuses twice (503): the group's Slack notification is dead; PagerDuty got its trigger. */
async function slackNotificationDead(): Promise<number> {
  fakes.slack.respondWith([{ status: 503 }, { status: 503 }]);
  await t.post(group);
  await t.idle();
  const dead = (await items()).filter((n) => n.status === 'dead');
  expect(dead.map((n) => n.receiver)).toEqual(['slack']);
  expect(fakes.slack.messages.size).toBe(0);
  expect(triggers()).toHaveLength(1);
  // From here on, the posts Slack takes.
  refused = allPosts().length;
  return dead[0]!.id;
}

describe('a resend after a dead notification', () => {
  it('is notified to the target whose notification went dead, once, and not to the healthy one', async () => {
    await slackNotificationDead();
    // Slack is back; Alertmanager resends the unchanged group (repeat_interval, or an HA peer).
    await t.post(group);
    await t.idle();
    expect(posts()).toHaveLength(1);
    expect(fakes.slack.messages.size).toBe(1);
    expect(JSON.stringify(posts()[0]!.body)).toContain('CheckoutDown');
    expect(triggers()).toHaveLength(1);
    const second = (await items()).slice(0, 2);
    expect(second.map((n) => [n.receiver, n.status, n.reason])).toEqual(
      expect.arrayContaining([
        ['slack', 'sent', null],
        ['pagerduty', 'suppressed', 'duplicate within dedup window 4h'],
      ]),
    );
    const metrics = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/alertgate_dedup_renotified_after_dead_total\{team="payments"\} 1/);

    // The next resend is a duplicate for both again.
    await t.post(group);
    await t.idle();
    expect(posts()).toHaveLength(1);
    expect(triggers()).toHaveLength(1);
    expect((await items()).slice(0, 2).map((n) => n.status)).toEqual(['suppressed', 'suppressed']);
  });

  it('once the dead one was retried by hand, is suppressed: no second message', async () => {
    const id = await slackNotificationDead();
    const retried = await fetch(`${t.gw.url}/v1/notifications/${id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(retried.status).toBe(202);
    await t.idle();
    expect(posts()).toHaveLength(1);
    await t.post(group);
    await t.idle();
    expect(posts()).toHaveLength(1);
    expect(triggers()).toHaveLength(1);
    expect((await items()).slice(0, 2).map((n) => n.status)).toEqual(['suppressed', 'suppressed']);
  });

  it('makes the dead one superseded: a retry of it afterwards is refused, nothing is posted twice', async () => {
    const id = await slackNotificationDead();
    await t.post(group);
    await t.idle();
    const retried = await fetch(`${t.gw.url}/v1/notifications/${id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(retried.status).toBe(409);
    await t.idle();
    expect(posts()).toHaveLength(1);
  });
});
