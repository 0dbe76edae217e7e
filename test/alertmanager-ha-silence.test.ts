/**
 * A real Alertmanager HA pair (two `prometheus-alertmanager` processes gossiping on 127.0.0.1,
 * both sent every alert, as Prometheus does) and a silence created on one of them: gossiped to
 * the other, it takes the silenced alert out of both peers' notifications. alertgate ends that
 * alert with the notification that leaves it out (README, Delivery behaviour: Dedup), and the
 * Slack message and thread reply still tell the alerts apart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAlertmanagerCluster, type AlertmanagerCluster, type PostableAlert } from '../src/testing/alertmanager.js';
import { requireBinary } from '../src/testing/binaries.js';
import { startFakes, startTestGateway, waitUntil, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';

const binary = requireBinary('prometheus-alertmanager');

let fakes: Fakes;
let t: TestGateway;
let cluster: AlertmanagerCluster | undefined;

beforeEach(async () => {
  fakes = await startFakes();
  t = await startTestGateway(fakes);
});
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
  await t?.close();
  await fakes?.close();
});

const checkout = (instance: string): PostableAlert => ({
  labels: { alertname: 'HaSilencedCheckout', namespace: 'payments-prod', severity: 'critical', instance },
  annotations: { summary: `checkout ${instance} is down` },
});
const topLevelPosts = () => fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.thread_ts === undefined);
const threadReplies = () => fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.thread_ts !== undefined);
const accepted = () => t.logs.filter((l) => l.includes('"webhook accepted"')).length;
const listed = async () =>
  ((await (await fetch(`${t.gw.url}/v1/alerts?team=payments`)).json()) as { items: { status: string; labels: Record<string, string> }[] }).items
    .map((a) => `${a.labels.instance}:${a.status}`)
    .sort();
const blockTexts = (blocks: unknown) => JSON.stringify(blocks);

async function silenceOn(url: string, instance: string): Promise<void> {
  const response = await fetch(`${url}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers: [{ name: 'instance', value: instance, isRegex: false, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'alertgate tests',
      comment: `${instance} is being worked on`,
    }),
  });
  expect(response.status).toBe(200);
}

// A gossiping pair settles in seconds and the steps wait on Alertmanager's timers: 60 s, as the
// other HA tests.
describe.skipIf(binary === undefined)('real Alertmanager HA pair, a silence created on one peer', () => {
  it('the notification that leaves the silenced alert out names the alert that started (its instance) and the silenced one resolved, once, however many peers send it; the silence expired on the other peer fires it again', async () => {
    cluster = await startAlertmanagerCluster(2, {
      webhookUrl: `${t.gw.url}/webhooks/alertmanager`,
      bearerToken: WEBHOOK_TOKEN,
      groupWait: '200ms',
      groupInterval: '1s',
      // Both peers send every notification, the worst case for duplicates: their receivers are
      // named differently (a config rollout halfway), so neither's notification log skips what
      // the other sent.
      memberOptions: [{}, { receiverName: 'alertgate-renamed' }],
    });
    const [peer0, peer1] = cluster.members;
    await cluster.postAlerts([checkout('i1')]);
    await fakes.slack.waitFor(() => topLevelPosts().length === 1, 20_000);
    await waitUntil(() => accepted() === 2, 20_000, "both peers' first notification");

    await silenceOn(peer0!.url, 'i1');
    await waitUntil(async () => ((await (await fetch(`${peer1!.url}/api/v2/silences`)).json()) as unknown[]).length === 1, 20_000, 'the silence to gossip to peer 1');
    // i3 starts: both peers notify the group with i3 alone (i1 silenced), so Alertmanager's
    // commonLabels hold instance=i3.
    await cluster.postAlerts([checkout('i1'), checkout('i3')]);
    const reply = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.thread_ts !== undefined, 20_000);
    const edit = await fakes.slack.waitFor((r) => r.method === 'chat.update', 20_000);
    await waitUntil(() => accepted() === 4, 20_000, "both peers' notifications of the change");
    await t.idle();

    expect(String(reply.body.text)).toBe(
      ':red_circle: 1 new alert: HaSilencedCheckout (instance=i3)\n:large_green_circle: 1 alert resolved: HaSilencedCheckout (instance=i1)\nNow 1 firing, 1 resolved.',
    );
    // The message lists each alert by its instance, and shows neither instance=i3 as a label of
    // the whole group (i1 is in it too) nor i3's summary as the group's: as a notification that
    // showed i1 resolved beside i3 would.
    expect(String(edit.body.text)).toBe('FIRING: HaSilencedCheckout (team payments, severity critical, 1 firing, 1 resolved)');
    const blocks = blockTexts(edit.body.blocks);
    expect(blocks).toContain('FIRING *HaSilencedCheckout (instance=i3)*');
    expect(blocks).toContain('RESOLVED *HaSilencedCheckout (instance=i1)*');
    expect(blocks).not.toContain('`instance=i3`');
    expect(topLevelPosts()).toHaveLength(1);
    expect(threadReplies()).toHaveLength(1);
    expect(fakes.slack.requests.filter((r) => r.method === 'chat.update')).toHaveLength(1);
    // The silenced alert is not kept (README, Dedup): the API lists i3 alone.
    expect(await listed()).toEqual(['i3:firing']);

    // The silence is expired on the other peer (gossiped back): i1, still firing, fires again.
    const [silence] = (await (await fetch(`${peer1!.url}/api/v2/silences`)).json()) as { id: string }[];
    expect((await fetch(`${peer1!.url}/api/v2/silence/${silence!.id}`, { method: 'DELETE' })).status).toBe(200);
    const back = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && String(r.body.text).startsWith(':red_circle: 1 new alert: HaSilencedCheckout (instance=i1)'), 20_000);
    await waitUntil(() => accepted() === 6, 20_000, "both peers' notifications of i1 firing again");
    await t.idle();
    expect(String(back.body.text)).toBe(':red_circle: 1 new alert: HaSilencedCheckout (instance=i1)\nNow 2 firing.');
    expect(topLevelPosts()).toHaveLength(1);
    expect(threadReplies()).toHaveLength(2);
    expect(await listed()).toEqual(['i1:firing', 'i3:firing']);
    // One page per change, all on the group's incident: i1, i3 started (i1 silenced), i1 back.
    const events = fakes.pagerduty.events.map((e) => e.body as { event_action: string; dedup_key: string });
    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'trigger', 'trigger']);
    expect(new Set(events.map((e) => e.dedup_key)).size).toBe(1);
  }, 60_000);
});
