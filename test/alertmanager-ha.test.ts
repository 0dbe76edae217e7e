/**
 * A real Alertmanager HA pair (two `prometheus-alertmanager` processes gossiping on 127.0.0.1)
 * whose peers both send every notification to the gateway: their receivers are named differently
 * (a config rollout halfway), so Alertmanager's notification log never lets one peer skip what the
 * other sent. Webhooks go through forwarders that can hold them back: to release both peers'
 * copies of a notification at the same moment, or one peer's late, as a slow path or a retried
 * attempt would deliver it, after newer ones of the other peer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAlertmanagerCluster, type AlertmanagerCluster, type PostableAlert } from '../src/testing/alertmanager.js';
import { requireBinary } from '../src/testing/binaries.js';
import { startFakes, startTestGateway, waitUntil, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';
import { startWebhookHold, type WebhookHold } from './support/webhook-hold.js';

const binary = requireBinary('prometheus-alertmanager');

let fakes: Fakes;
let t: TestGateway;
let hold: WebhookHold;
let cluster: AlertmanagerCluster | undefined;

beforeEach(async () => {
  fakes = await startFakes();
  t = await startTestGateway(fakes);
  hold = await startWebhookHold(`${t.gw.url}/webhooks/alertmanager`);
});
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
  await hold?.close();
  await t?.close();
  await fakes?.close();
});

async function startPair(timing: { repeatInterval?: string; maxAlerts?: number } = {}): Promise<AlertmanagerCluster> {
  cluster = await startAlertmanagerCluster(2, {
    webhookUrl: `${t.gw.url}/webhooks/alertmanager`,
    bearerToken: WEBHOOK_TOKEN,
    groupWait: '200ms',
    groupInterval: '1s',
    ...timing,
    memberOptions: [{}, { webhookUrl: hold.url, receiverName: 'alertgate-renamed' }],
  });
  return cluster;
}

const checkoutDown = (startsAt: Date): PostableAlert => ({
  labels: { alertname: 'HaCheckoutDown', namespace: 'payments-prod', severity: 'critical', job: 'checkout' },
  annotations: { summary: 'checkout is down' },
  startsAt,
});
const topLevelPosts = () => fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.thread_ts === undefined);
const isThreadReply = (r: { method: string; body: Record<string, unknown> }) => r.method === 'chat.postMessage' && r.body.thread_ts !== undefined;

/**
 * Releases the held peer's notifications: each is answered 202 and nothing more reaches Slack
 * after its first `slackCalls` calls. Platform's alerts as listed then (`instance:status`).
 */
async function releasedSendsNothing(slackCalls: number): Promise<string[]> {
  expect((await hold.release()).every((s) => s === 202)).toBe(true);
  await t.idle();
  expect(fakes.slack.requests.slice(slackCalls).map((r) => `${r.method} ${String(r.body.text).split('\n')[0]}`)).toEqual([]);
  const listed = ((await (await fetch(`${t.gw.url}/v1/alerts?team=platform`)).json()) as { items: { status: string; labels: Record<string, string> }[] }).items;
  return listed.map((a) => `${a.labels.instance}:${a.status}`).sort();
}
const pdEvents = (action: string) => fakes.pagerduty.events.filter((e) => (e.body as { event_action: string }).event_action === action);
/** Alertmanager writes times with nanoseconds; the alert's start to the second is enough to tell episodes apart. */
const startsAtSecond = (d: Date) => d.toISOString().slice(0, 19);

// Each test (60 s) starts a gossiping pair (its settling alone may take seconds) and waits on
// Alertmanager's own timers (group_interval, repeat_interval): the first takes 12 s on an idle
// machine, so the default 30 s left too little for a loaded one.
describe.skipIf(binary === undefined)('real Alertmanager HA pair, both peers sending at the same moment', () => {
  it('one Slack message, one PagerDuty trigger and one resolution per group, through repeat_interval resends and an alert resolving before the other', async () => {
    const hold0 = await startWebhookHold(`${t.gw.url}/webhooks/alertmanager`);
    try {
      cluster = await startAlertmanagerCluster(2, {
        webhookUrl: hold0.url,
        bearerToken: WEBHOOK_TOKEN,
        groupWait: '200ms',
        groupInterval: '1s',
        repeatInterval: '2s',
        memberOptions: [{}, { webhookUrl: hold.url, receiverName: 'alertgate-renamed' }],
      });
      const holds = [hold0, hold];
      // Each step's webhook of both peers is held until both have it, then both go at once.
      const together = async (pick: (b: { status: string; alerts: { status: string }[] }) => boolean, step: () => Promise<void>) => {
        for (const h of holds) h.hold(pick);
        await step();
        await waitUntil(() => holds.every((h) => h.held >= 1), 20_000, 'both peers to send');
        expect((await Promise.all(holds.map((h) => h.release()))).flat().every((s) => s === 202)).toBe(true);
      };
      const start = new Date();
      const [i1, i2] = ['i1', 'i2'].map((instance) => ({ ...checkoutDown(start), labels: { ...checkoutDown(start).labels, instance } }));

      await together((b) => b.status === 'firing', () => cluster!.postAlerts([i1!, i2!]));
      // repeat_interval: both peers send the unchanged group again.
      const firstRepeats = holds.map((h) => h.forwarded.length + 1);
      await waitUntil(() => holds.every((h, i) => h.forwarded.length > firstRepeats[i]!), 20_000, 'repeat_interval resends of both peers');
      await together((b) => b.alerts.some((a) => a.status === 'resolved'), () => cluster!.resolveAlerts([i1!]));
      await together((b) => b.status === 'resolved', () => cluster!.resolveAlerts([i2!]));
      await t.idle();

      expect(topLevelPosts()).toHaveLength(1);
      expect(pdEvents('trigger')).toHaveLength(2); // the group's first notification and its change (i1 resolved)
      expect(pdEvents('resolve')).toHaveLength(1);
      const replies = fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.thread_ts !== undefined).map((r) => String(r.body.text).split('\n')[0]);
      expect(replies).toEqual([expect.stringContaining('1 alert resolved'), expect.stringContaining('RESOLVED: all alerts resolved')]);
      expect([...fakes.slack.messages.values()].map((m) => m.text.split(':')[0])).toEqual(['RESOLVED']);
    } finally {
      await cluster?.stop();
      cluster = undefined;
      await hold0.close();
    }
  }, 60_000);
});

describe.skipIf(binary === undefined)('real Alertmanager HA pair, both peers sending, one of them late', () => {
  it("a peer's late resolved notification of the previous episode does not resolve the alert that fired again", async () => {
    const pair = await startPair();
    const firstStart = new Date(Date.now() - 60_000);
    await pair.postAlerts([checkoutDown(firstStart)]);
    await fakes.pagerduty.waitFor((e) => (e.body as { event_action: string }).event_action === 'trigger', 20_000);
    await hold.waitForwarded((b) => b.status === 'firing');

    // Peer 1's resolved notification is held back; peer 0's resolves the group.
    hold.hold((b) => b.status === 'resolved');
    await pair.resolveAlerts([checkoutDown(firstStart)]);
    await fakes.pagerduty.waitFor((e) => (e.body as { event_action: string }).event_action === 'resolve', 20_000);
    await waitUntil(() => hold.held === 1, 20_000, "peer 1's resolved notification");

    // The alert fires again: a new episode, paged again.
    const secondStart = new Date();
    await pair.postAlerts([checkoutDown(secondStart)]);
    await fakes.pagerduty.waitFor(() => pdEvents('trigger').length === 2, 20_000);

    // Peer 1's resolved notification of the first episode arrives now; then its own of the second.
    expect(await hold.release()).toEqual([202]);
    await hold.waitForwarded((b) => b.status === 'firing' && b.alerts[0]!.startsAt.startsWith(startsAtSecond(secondStart)));
    await t.idle();

    expect(pdEvents('trigger')).toHaveLength(2);
    expect(pdEvents('resolve')).toHaveLength(1);
    expect(topLevelPosts()).toHaveLength(2);
    expect([...fakes.slack.messages.values()].map((m) => m.text.split(':')[0])).toEqual(['RESOLVED', 'FIRING']);
    const alerts = (await (await fetch(`${t.gw.url}/v1/alerts?team=payments`)).json()) as { items: { status: string; startsAt: string }[] };
    expect(alerts.items.map((a) => [a.status, a.startsAt.slice(0, 19)])).toEqual([['firing', startsAtSecond(secondStart)]]);
  }, 60_000);

  it("a peer's late notification from before a change (one alert resolved, another started) neither resolves the alert that started nor posts anything", async () => {
    // What a pair does with the default peer_timeout: peer 1 takes its snapshot at its flush,
    // waits its turn (15 s), and peer 0 notifies a change meanwhile; peer 1 then finds the
    // notification log differs from its snapshot and sends that older snapshot.
    const pair = await startPair();
    const start = new Date(Date.now() - 60_000);
    const [i1, i2, i3] = ['i1', 'i2', 'i3'].map((instance) => ({ ...checkoutDown(start), labels: { ...checkoutDown(start).labels, instance } }));
    hold.hold((b) => b.alerts.some((a) => a.labels.instance === 'i1' && a.status === 'firing'));
    await pair.postAlerts([i1!, i2!]);
    await waitUntil(() => hold.held >= 1, 20_000, "peer 1's notification with i1 firing");
    await fakes.slack.waitFor(() => topLevelPosts().length === 1, 20_000);

    // One change: i1 resolves and i3 starts.
    const i3Start = { ...i3!, startsAt: new Date() };
    await pair.postAlerts([{ ...i1!, endsAt: new Date() }, i3Start]);
    const reply = await fakes.slack.waitFor((r) => isThreadReply(r) && String(r.body.text).includes('instance=i3'), 20_000);
    expect(String(reply.body.text)).toContain('1 new alert');
    await t.idle();
    const slackCalls = fakes.slack.requests.length;
    const pages = fakes.pagerduty.events.length;

    // Peer 1's snapshot from before the change: i1 and i2 firing, no i3.
    expect((await hold.release()).every((s) => s === 202)).toBe(true);
    await t.idle();

    expect(fakes.slack.requests.slice(slackCalls).map((r) => `${r.method} ${String(r.body.text).split('\n')[0]}`)).toEqual([]);
    expect(fakes.pagerduty.events).toHaveLength(pages);
    const listed = ((await (await fetch(`${t.gw.url}/v1/alerts?team=payments`)).json()) as { items: { status: string; labels: Record<string, string> }[] }).items;
    expect(listed.map((a) => `${a.labels.instance}:${a.status}`).sort()).toEqual(['i1:resolved', 'i2:firing', 'i3:firing']);
  }, 60_000);

  it("the same, when the stale copy is one team's and the alert that started another team's, in one Alertmanager group", async () => {
    const pair = await startPair();
    const start = new Date(Date.now() - 60_000);
    const i1 = { ...checkoutDown(start), labels: { ...checkoutDown(start).labels, instance: 'i1' } };
    const platform = (instance: string, startsAt: Date): PostableAlert => ({ ...checkoutDown(startsAt), labels: { ...checkoutDown(startsAt).labels, namespace: 'monitoring', instance } });
    hold.hold((b) => b.alerts.some((a) => a.labels.instance === 'i1' && a.status === 'firing'));
    await pair.postAlerts([i1, platform('m1', start)]);
    await waitUntil(() => hold.held >= 1, 20_000, "peer 1's notification with i1 firing");
    await fakes.slack.waitFor(() => topLevelPosts().length === 2, 20_000);

    // One change: payments' i1 resolves and platform's m2 starts.
    await pair.postAlerts([{ ...i1, endsAt: new Date() }, platform('m2', new Date())]);
    await fakes.slack.waitFor((r) => isThreadReply(r) && String(r.body.text).includes('instance=m2'), 20_000);
    await fakes.slack.waitFor((r) => isThreadReply(r) && String(r.body.text).includes('instance=i1'), 20_000);
    await t.idle();
    const slackCalls = fakes.slack.requests.length;

    // Peer 1's snapshot from before the change: i1 and m1 firing, no m2.
    expect(await releasedSendsNothing(slackCalls)).toEqual(['m1:firing', 'm2:firing']);
  }, 60_000);

  it("a peer's late firing notification does not fire again an alert that resolved and was since dropped from the group", async () => {
    // repeat_interval: peer 0 resends the group soon after i1 resolved, leaving i1 out.
    const pair = await startPair({ repeatInterval: '2s' });
    const start = new Date(Date.now() - 60_000);
    const [i1, i2] = ['i1', 'i2'].map((instance) => ({ ...checkoutDown(start), labels: { ...checkoutDown(start).labels, instance } }));
    // Peer 1's notifications showing i1 firing are held back (a slow path, retried attempts).
    hold.hold((b) => b.alerts.some((a) => a.labels.instance === 'i1' && a.status === 'firing'));
    await pair.postAlerts([i1!, i2!]);
    await waitUntil(() => hold.held >= 1, 20_000, "peer 1's notification with i1 firing");
    await fakes.pagerduty.waitFor(() => pdEvents('trigger').length === 1, 20_000);

    // i1 resolves (a page for the change), and peer 0's next resend shows i2 alone: the group drops i1.
    await pair.resolveAlerts([i1!]);
    await fakes.pagerduty.waitFor(() => pdEvents('trigger').length === 2, 20_000);
    const listed = async () => ((await (await fetch(`${t.gw.url}/v1/alerts?team=payments`)).json()) as { items: { status: string; labels: Record<string, string> }[] }).items.map((a) => `${a.labels.instance}:${a.status}`);
    await waitUntil(async () => (await listed()).join() === 'i2:firing', 20_000, 'the group to drop the resolved i1');
    await t.idle();
    const slackCalls = fakes.slack.requests.length;

    // Peer 1's copies from before the end arrive now.
    expect((await hold.release()).every((s) => s === 202)).toBe(true);
    await t.idle();

    expect(pdEvents('trigger')).toHaveLength(2);
    expect(fakes.slack.requests).toHaveLength(slackCalls);
    expect(await listed()).toEqual(['i2:firing']);
    const metrics = await (await fetch(`${t.gw.url}/metrics`)).text();
    expect(Number(/^alertgate_dedup_stale_copies_total\{kind="stale_firing_dropped"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it("with max_alerts, a peer's late copy of a truncated all-resolved notification does not resolve the left-out alerts another team's group has fired since", async () => {
    // The walk with a real pair (default peer_timeout): peer 0 notified p1 and p2 resolved with
    // m3 and m4 left out (truncatedAlerts 2), then m3 and m4 firing (platform's first message);
    // peer 1's copy of the resolved one came after it, and resolved platform's group, which
    // fired again as a new message at the next resend.
    const pair = await startPair({ repeatInterval: '2s', maxAlerts: 2 });
    const start = new Date(Date.now() - 60_000);
    const payments = ['i1', 'i2'].map((instance) => ({ ...checkoutDown(start), labels: { ...checkoutDown(start).labels, instance } }));
    const platform = ['i3', 'i4'].map((instance) => ({ ...checkoutDown(start), labels: { ...checkoutDown(start).labels, namespace: 'monitoring', instance } }));
    await pair.postAlerts([...payments, ...platform]);
    await fakes.slack.waitFor(() => topLevelPosts().length === 1, 20_000);

    // Peer 1's notification of the resolution is held back; peer 0's resolves payments' group.
    hold.hold((b) => b.status === 'resolved');
    await pair.resolveAlerts(payments);
    await fakes.slack.waitFor((r) => r.method === 'chat.update' && String(r.body.text).startsWith('RESOLVED'), 20_000);
    await waitUntil(() => hold.held >= 1, 20_000, "peer 1's resolved notification");
    // Peer 0's next notification shows m3 and m4 firing: platform's group posts.
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === '#platform-alerts' && r.body.thread_ts === undefined, 20_000);
    await t.idle();
    const slackCalls = fakes.slack.requests.length;

    expect(await releasedSendsNothing(slackCalls)).toEqual(['i3:firing', 'i4:firing']);
  }, 60_000);
});
