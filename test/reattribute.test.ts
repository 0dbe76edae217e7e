/**
 * Ownership moving while an alert fires (routes change and are reloaded): the team that was
 * paged hears the end of its episode (its PagerDuty incident resolved, its Slack message
 * updated), and the team that owns the alert now hears of it at once, not at Alertmanager's next
 * resend; the alert's later resolution reaches the new owner only. Alerts moving into a group the
 * new owner already has join its alerts there, which keep firing. A handover undone pages the
 * first owner again.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ADMIN_TOKEN, ESTATE_DIR, startFakes, startTestGateway, waitUntil, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
let dir: string;
beforeEach(async () => {
  fakes = await startFakes();
  dir = await mkdtemp(join(tmpdir(), 'alertgate-reattribute-'));
  await cp(ESTATE_DIR, dir, { recursive: true });
  t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: dir });
});
afterEach(async () => {
  await t.close();
  await fakes.close();
  await rm(dir, { recursive: true, force: true });
});

const body = (status: 'firing' | 'resolved') =>
  webhook('{}:{alertname="DiskFull"}', [{ labels: { alertname: 'DiskFull', namespace: 'payments-staging', severity: 'critical' }, status, fingerprint: 'c000000000000001' }]);

/** payments-staging handed over from payments to prisons. */
async function handOver(): Promise<void> {
  await edit('payments.yaml', '[payments-prod, payments-staging]', '[payments-prod]');
  await edit('prisons.yaml', '[prisoner-offender-search-prod]', '[prisoner-offender-search-prod, payments-staging]');
  await reload();
}

/** The handover undone: the routes as shipped again. */
async function handBack(): Promise<void> {
  await cp(join(ESTATE_DIR, 'routes'), join(dir, 'routes'), { recursive: true });
  await reload();
}

async function edit(file: string, from: string, to: string): Promise<void> {
  const path = join(dir, 'routes', file);
  const text = await readFile(path, 'utf8');
  expect(text).toContain(from);
  await writeFile(path, text.replace(from, to));
}

async function reload(): Promise<void> {
  const r = await fetch(`${t.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(r.status).toBe(200);
}

/** A channel's top-level messages, oldest first. */
function messagesIn(channel: string) {
  const id = fakes.slack.channelIds.get(channel.replace(/^#/, ''));
  return [...fakes.slack.messages.values()].filter((m) => m.channel === id);
}

/** The /v1/alerts list, as [team, status] pairs. */
async function alertList(query = ''): Promise<[string, string][]> {
  const r = await fetch(`${t.gw.url}/v1/alerts${query}`);
  return ((await r.json()) as { items: { team: string; status: string }[] }).items.map((a) => [a.team, a.status]);
}

it('resolves the old owner’s episode and tells the new owner at once when ownership moves', async () => {
  expect((await t.post(body('firing'))).status).toBe(202);
  await t.idle();
  expect([...fakes.pagerduty.incidents.values()].map((i) => i.status)).toEqual(['triggered']);
  await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === '#payments-alerts');

  await handOver();
  // No webhook: the reload alone moves the firing alert.
  await fakes.pagerduty.waitFor((e) => (e.body as { event_action?: string }).event_action === 'resolve');
  const prisonsPost = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === '#prisons-alerts');
  expect(String(prisonsPost.body.text)).toContain('DiskFull');
  await fakes.slack.waitFor((r) => r.method === 'chat.update');
  await t.idle();
  const paymentsChannel = fakes.slack.channelIds.get('payments-alerts');
  const paymentsMessages = [...fakes.slack.messages.values()].filter((m) => m.channel === paymentsChannel);
  expect(paymentsMessages.map((m) => [m.edits, m.text.includes('RESOLVED')])).toEqual([[1, true]]);
  expect([...fakes.pagerduty.incidents.values()].map((i) => i.status)).toEqual(['resolved']);
  const byTeam = async (team: string) =>
    ((await (await fetch(`${t.gw.url}/v1/alerts?team=${team}`)).json()) as { items: { status: string }[] }).items.map((a) => a.status);
  expect(await byTeam('payments')).toEqual(['resolved']);
  expect(await byTeam('prisons')).toEqual(['firing']);

  // The resolution reaches the new owner; nothing more is sent to the old one.
  const pdEvents = fakes.pagerduty.events.length;
  expect((await t.post(body('resolved'))).status).toBe(202);
  await t.idle();
  expect(await byTeam('prisons')).toEqual(['resolved']);
  expect(fakes.pagerduty.events).toHaveLength(pdEvents);
  expect(t.logs.some((l) => l.includes('firing alerts moved') && l.includes('payments → prisons'))).toBe(true);
});

it('moves nothing on a reload that changes no ownership', async () => {
  expect((await t.post(body('firing'))).status).toBe(202);
  await t.idle();
  const calls = fakes.slack.requests.length;
  const r = await fetch(`${t.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(r.status).toBe(200);
  // A webhook after the reload is decided after the pass (both are writes, in order).
  expect((await t.post(webhook('{}:{alertname="Other"}', [{ labels: { alertname: 'Other', namespace: 'payments-prod' } }]))).status).toBe(202);
  await t.idle();
  expect(fakes.slack.requests.slice(calls).map((q) => q.body.channel)).toEqual(['#payments-alerts']);
  expect([...fakes.pagerduty.incidents.values()].map((i) => i.status)).toEqual(['triggered']);
  expect(t.logs.filter((l) => l.includes('firing alerts moved'))).toEqual([]);
});

it('keeps the new owner’s own alerts of a group firing when alerts of the group move to it', async () => {
  // One Alertmanager group (grouped by alertname) spanning payments-prod and a namespace nobody owns yet (the fallback team's).
  const crashLooping = webhook('{}:{alertname="KubePodCrashLooping"}', [
    { labels: { alertname: 'KubePodCrashLooping', namespace: 'payments-prod', pod: 'checkout-1' }, fingerprint: 'c000000000000002' },
    { labels: { alertname: 'KubePodCrashLooping', namespace: 'payments-preprod', pod: 'checkout-2' }, fingerprint: 'c000000000000003' },
  ]);
  expect((await t.post(crashLooping)).status).toBe(202);
  await t.idle();
  const [paymentsMessage] = messagesIn('#payments-alerts');
  const [platformMessage] = messagesIn('#platform-alerts');
  expect([paymentsMessage?.text, platformMessage?.text]).toEqual([expect.stringContaining('1 firing'), expect.stringContaining('1 firing')]);

  // payments onboards payments-preprod.
  await edit('payments.yaml', '[payments-prod, payments-staging]', '[payments-prod, payments-staging, payments-preprod]');
  await reload();
  await waitUntil(() => platformMessage!.text.includes('RESOLVED'), 10_000, 'platform’s message to say RESOLVED');
  await t.idle();
  expect(messagesIn('#payments-alerts')).toHaveLength(1);
  expect(paymentsMessage!.text).toMatch(/^FIRING: KubePodCrashLooping \(team payments, 2 firing\)/);
  expect(paymentsMessage!.replies.map((r) => r.text)).toEqual([expect.stringMatching(/^:red_circle: 1 new alert: .*checkout-2.*\nNow 2 firing\.$/)]);
  expect(await alertList('?team=payments&status=firing')).toEqual([
    ['payments', 'firing'],
    ['payments', 'firing'],
  ]);
});

it('pages the first owner again when a handover is undone while the alert still fires', async () => {
  expect((await t.post(body('firing'))).status).toBe(202);
  await t.idle();
  await handOver();
  await fakes.pagerduty.waitFor((e) => (e.body as { event_action?: string }).event_action === 'resolve');
  await t.idle();
  const prisonsMessage = messagesIn('#prisons-alerts')[0]!;
  expect(prisonsMessage.text).toContain('FIRING');

  await handBack();
  // The pass moves the alert back: prisons' message says it ended, and payments hears of it again.
  await waitUntil(() => prisonsMessage.text.includes('RESOLVED'), 10_000, 'prisons’ message to say RESOLVED');
  await t.idle();
  expect([...fakes.pagerduty.incidents.values()].map((i) => [i.status, i.events.map((e) => e['event_action'])])).toEqual([
    ['triggered', ['trigger', 'resolve', 'trigger']],
  ]);
  // The first episode's message stays as it ended; the alert firing again is a new one.
  expect(messagesIn('#payments-alerts').map((m) => m.text.replace(/ \(.*/, ''))).toEqual(['RESOLVED: DiskFull', 'FIRING: DiskFull']);
  expect(await alertList('?status=firing')).toEqual([['payments', 'firing']]);

  // Alertmanager's next notification of the still-firing alert is a duplicate, not a stale copy.
  const slackCalls = fakes.slack.requests.length;
  const pdEvents = fakes.pagerduty.events.length;
  expect((await t.post(body('firing'))).status).toBe(202);
  await t.idle();
  expect(fakes.slack.requests.length).toBe(slackCalls);
  expect(fakes.pagerduty.events.length).toBe(pdEvents);
  expect(await alertList('?status=firing')).toEqual([['payments', 'firing']]);
  // Its resolution reaches payments.
  expect((await t.post(body('resolved'))).status).toBe(202);
  await t.idle();
  expect([...fakes.pagerduty.incidents.values()].map((i) => i.status)).toEqual(['resolved']);
  expect(await alertList('?status=firing')).toEqual([]);
});
