/**
 * A Slack post that may have been made, whose notification then went dead: Alertmanager's resend
 * of the unchanged group is a new notification to that target (the group owes it), and it looks
 * for the dead one's message before posting and adopts it, instead of posting a second message
 * beside it (the first never edited again, FIRING for ever). Through the real HTTP app, real
 * SQLite and the outbox, fake Slack (which records the hung post before not answering it) and
 * PagerDuty on loopback.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { MAY_HAVE_POSTED } from '../src/model/post-notes.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;

beforeEach(async () => {
  fakes = await startFakes();
  // Two attempts: the post that hangs, then a read Slack rate-limits; a short client timeout.
  t = await startTestGateway(fakes, { DELIVERY_MAX_ATTEMPTS: '2', DELIVERY_TIMEOUT_MS: '300' });
});
afterEach(async () => {
  await t?.close();
  await fakes?.close();
});

const labels = { alertname: 'CheckoutDown', namespace: 'payments-prod', severity: 'critical' };
const key = '{}:{alertname="CheckoutDown"}';
const firing = webhook(key, [{ labels }]);
const resolved = webhook(key, [{ labels, status: 'resolved' }]);

interface Item {
  id: number;
  receiver: string;
  status: string;
  kind: string;
  lastError: string | null;
}
const items = async (): Promise<Item[]> => ((await fetch(`${t.gw.url}/v1/notifications?team=payments`).then((r) => r.json())) as { items: Item[] }).items;
const methods = (from: number) => fakes.slack.requests.slice(from).map((r) => r.method);
/** The group's top-level messages (the channel also holds the one that told alertgate its id). */
const checkoutMessages = () => [...fakes.slack.messages.values()].filter((m) => m.threadTs === undefined && m.text.includes('CheckoutDown'));
const lookups = async (result: string) => {
  const text = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith(`alertgate_slack_post_lookups_total{result="${result}"}`));
  return Number(line?.split(' ')[1]);
};

it("a resend after the post's notification went dead adopts the message Slack recorded; the resolution edits it", async () => {
  // Another group's message tells alertgate the channel's id (the route names it by name; Slack reads take ids).
  await t.post(webhook('{}:{alertname="CheckoutSlow"}', [{ labels: { ...labels, alertname: 'CheckoutSlow' } }]));
  await t.idle();
  expect(fakes.slack.messages.size).toBe(1);

  // The post is made but never answered; the retry's read is rate-limited: dead, noting the post may be there.
  let from = fakes.slack.requests.length;
  fakes.slack.respondWith([{ applyThen: 'hang' }, { status: 429, headers: { 'retry-after': '1' } }]);
  await t.post(firing);
  await t.idle();
  expect(methods(from)).toEqual(['chat.postMessage', 'conversations.history']);
  const dead = (await items()).find((n) => n.receiver === 'slack' && n.status === 'dead');
  expect(dead?.lastError).toContain(MAY_HAVE_POSTED);
  expect(checkoutMessages()).toHaveLength(1);

  // Slack is fine again; Alertmanager resends the unchanged group. Its first read is rate-limited
  // too (the note naming the dead one is kept), the second finds the dead one's message.
  from = fakes.slack.requests.length;
  fakes.slack.respondWith([{ status: 429, headers: { 'retry-after': '1' } }]);
  await t.post(firing);
  await t.idle();
  expect(methods(from)).toEqual(['conversations.history', 'conversations.history']);
  const resent = (await items()).find((n) => n.receiver === 'slack' && n.id > dead!.id);
  expect(resent).toMatchObject({ kind: 'repeat', status: 'sent' });
  // The rate-limited read's error kept the name of the dead one's post.
  expect(resent?.lastError).toContain(`whose post is looked for too: ${dead!.id} queued`);
  expect(checkoutMessages()).toHaveLength(1);
  expect(await lookups('found')).toBe(1);

  // The resolution edits that message (it is the group's now) and replies in its thread.
  from = fakes.slack.requests.length;
  await t.post(resolved);
  await t.idle();
  expect(methods(from)).toEqual(['chat.update', 'chat.postMessage']);
  const [message] = checkoutMessages();
  expect(checkoutMessages()).toHaveLength(1);
  expect(message!.edits).toBe(1);
  expect(message!.text).toContain('RESOLVED');
  expect(message!.replies).toHaveLength(1);
});
