/**
 * Delivery behaviour end to end through the real HTTP app, real SQLite and the outbox, against
 * fake Slack and fake PagerDuty (HTTPS) servers.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, PD_PAYMENTS_KEY, SLACK_TOKEN, startFakes, startTestGateway, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';
import { MAY_HAVE_POSTED } from '../src/model/post-notes.js';
import { assertNoSecrets } from './support/secrets.js';

let fakes: Fakes;
let t: TestGateway;
/** Every log line of every test's gateway (debug level, and without the logger's secret scrubbing). */
const logLines: string[] = [];

beforeEach(async () => {
  fakes = await startFakes();
  t = await startTestGateway(fakes);
});
afterEach(async () => {
  logLines.push(...(t?.logs ?? []));
  await t?.close();
  await fakes?.close();
});
afterAll(() => {
  const checked = assertNoSecrets(logLines, { WEBHOOK_TOKEN, ADMIN_TOKEN, SLACK_TOKEN, PD_PAYMENTS_KEY });
  expect(checked).toBeGreaterThan(50);
});

const posts = () => fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.thread_ts === undefined);
const postsTo = (channel: string) => posts().filter((r) => r.body.channel === channel);
const triggers = () => fakes.pagerduty.events.filter((e) => (e.body as { event_action?: string }).event_action === 'trigger');

const mixedGroup = webhook('{}:{alertname="KubePodCrashLooping"}', [
  { labels: { alertname: 'KubePodCrashLooping', namespace: 'payments-prod', severity: 'critical', pod: 'api-1' } },
  { labels: { alertname: 'KubePodCrashLooping', namespace: 'prisoner-offender-search-prod', severity: 'warning', pod: 'search-1' } },
  { labels: { alertname: 'KubePodCrashLooping', namespace: 'nobody-owns-this', severity: 'warning', pod: 'orphan-1' } },
]);

describe('routing a group that spans teams', () => {
  it('sends one Slack message per team channel, PagerDuty only where routed, and unowned alerts to the fallback team', async () => {
    expect((await t.post(mixedGroup)).status).toBe(202);
    await t.idle();
    expect(postsTo('#payments-alerts')).toHaveLength(1);
    expect(postsTo('#prisons-alerts')).toHaveLength(1);
    expect(postsTo('#platform-alerts')).toHaveLength(1);
    expect(posts()).toHaveLength(3);
    expect(triggers()).toHaveLength(1);
    const event = triggers()[0]!.body as { routing_key: string; dedup_key: string; payload: { severity: string } };
    expect(event.routing_key).toBe(PD_PAYMENTS_KEY);
    expect(event.payload.severity).toBe('critical');
    // The orphan alert is in the fallback team's message, not silently dropped.
    expect(JSON.stringify(postsTo('#platform-alerts')[0]!.body)).toContain('orphan-1');
  });
});

describe('deduplication', () => {
  it('three concurrent copies of one webhook → one Slack message and one PagerDuty event per team group', async () => {
    const responses = await Promise.all([t.post(mixedGroup), t.post(mixedGroup), t.post(mixedGroup)]);
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202]);
    await t.idle();
    expect(posts()).toHaveLength(3);
    expect(triggers()).toHaveLength(1);
    const suppressed = (await fetch(`${t.gw.url}/v1/notifications?status=suppressed`).then((r) => r.json())) as { items: { reason: string }[] };
    // 2 redeliveries × 4 targets (3 Slack channels + 1 PagerDuty service).
    expect(suppressed.items).toHaveLength(8);
    expect(suppressed.items[0]!.reason).toBe('duplicate within dedup window 4h');
    const metrics = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/alertgate_notifications_total\{team="payments",receiver="slack",outcome="suppressed"\} 2/);
    expect(metrics).toMatch(/alertgate_notifications_total\{team="payments",receiver="pagerduty",outcome="sent"\} 1/);
  });
});

describe('resolution', () => {
  it('edits the original message to RESOLVED, replies in its thread, and resolves the PagerDuty incident', async () => {
    const firing = webhook('{}:{alertname="TargetDown"}', [
      { labels: { alertname: 'TargetDown', namespace: 'payments-prod', severity: 'critical', job: 'checkout' }, fingerprint: 'aa00000000000001' },
    ]);
    await t.post(firing);
    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage');
    await fakes.pagerduty.waitFor((e) => (e.body as { event_action: string }).event_action === 'trigger');
    await t.idle();
    const original = [...fakes.slack.messages.values()][0]!;

    const resolved = webhook('{}:{alertname="TargetDown"}', [
      { labels: { alertname: 'TargetDown', namespace: 'payments-prod', severity: 'critical', job: 'checkout' }, fingerprint: 'aa00000000000001', status: 'resolved' },
    ]);
    expect((await t.post(resolved)).status).toBe(202);
    const update = await fakes.slack.waitFor((r) => r.method === 'chat.update');
    const reply = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.thread_ts !== undefined);
    const resolve = await fakes.pagerduty.waitFor((e) => (e.body as { event_action: string }).event_action === 'resolve');

    expect(update.body.ts).toBe(original.ts);
    expect(update.body.channel).toBe(original.channel);
    expect(JSON.stringify(update.body)).toContain('RESOLVED');
    expect(reply.body.thread_ts).toBe(original.ts);
    expect((resolve.body as { dedup_key: string }).dedup_key).toBe((triggers()[0]!.body as { dedup_key: string }).dedup_key);
    expect(fakes.slack.messages.size).toBe(1);
    expect(post.body.channel).toBe('#payments-alerts');
  });
});

describe('retries', () => {
  it('500, 500, then 429 Retry-After: 1, then 200 → delivered once, after at least 1 s, nothing dead', async () => {
    fakes.slack.respondWith([{ status: 500 }, { status: 500 }, { status: 429, headers: { 'retry-after': '1' } }, 'ok']);
    await t.post(webhook('{}:{alertname="Flaky"}', [{ labels: { alertname: 'Flaky', namespace: 'prisoner-offender-search-prod' } }]));
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && fakes.slack.messages.size === 1, 15_000);
    await t.idle();
    expect(fakes.slack.requests.filter((r) => r.method === 'chat.postMessage')).toHaveLength(4);
    expect(fakes.slack.messages.size).toBe(1);
    const log = (await fetch(`${t.gw.url}/v1/notifications?team=prisons`).then((r) => r.json())) as {
      items: { status: string; attempts: number; createdAt: string; sentAt: string }[];
    };
    expect(log.items).toHaveLength(1);
    const n = log.items[0]!;
    expect(n.status).toBe('sent');
    expect(n.attempts).toBe(4);
    expect(Date.parse(n.sentAt) - Date.parse(n.createdAt)).toBeGreaterThanOrEqual(1000);
    const dead = (await fetch(`${t.gw.url}/v1/notifications?status=dead`).then((r) => r.json())) as { items: unknown[] };
    expect(dead.items).toHaveLength(0);
  });

  it.each([
    [{ slackError: 'not_in_channel' }, 'slack chat.postMessage: not_in_channel — the Slack app is not a member of the channel: invite it'],
    [{ slackError: 'is_archived' }, 'slack chat.postMessage: is_archived — the channel is archived: unarchive it'],
    [{ slackError: 'token_revoked' }, 'install the app again and put its new token in SLACK_TOKEN or SLACK_TOKEN_FILE'],
    [{ status: 200, body: { ok: false, error: 'missing_scope', needed: 'chat:write', provided: 'channels:read' } }, "add it under the app's OAuth & Permissions and reinstall the app (needed: chat:write; the token has: channels:read)"],
  ])("a dead Slack notification's lastError says what to fix (%j)", async (step, says) => {
    fakes.slack.respondWith([step]);
    await t.post(webhook('{}:{alertname="Lost"}', [{ labels: { alertname: 'Lost', namespace: 'prisoner-offender-search-prod' } }]));
    await t.idle();
    const dead = (await fetch(`${t.gw.url}/v1/notifications?status=dead`).then((r) => r.json())) as { items: { lastError: string }[] };
    expect(dead.items.map((n) => n.lastError)).toEqual([expect.stringContaining(says)]);
    const logged = await t.waitForLog((l) => l.msg === 'notification dead: retry budget spent or failure not retryable');
    expect(logged.error).toContain(says);
  });

  it('team_added_to_org (a workspace migrating into an Enterprise org) passes: retried, then delivered', async () => {
    fakes.slack.respondWith([{ slackError: 'team_added_to_org' }]);
    await t.post(webhook('{}:{alertname="Migrating"}', [{ labels: { alertname: 'Migrating', namespace: 'prisoner-offender-search-prod' } }]));
    await t.idle();
    expect(fakes.slack.messages.size).toBe(1);
    const log = (await fetch(`${t.gw.url}/v1/notifications?team=prisons`).then((r) => r.json())) as { items: { status: string; attempts: number }[] };
    expect(log.items).toEqual([expect.objectContaining({ status: 'sent', attempts: 2 })]);
  });

  it("a proxy's HTML error page is retried and the error says what the page says (its title and text), not its markup", async () => {
    // As Squid answers when it cannot reach the upstream: the title comes after ~300 characters of head.
    const squid = `<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html><head>
<meta type="copyright" content="Copyright (C) 1996-2015 The Squid Software Foundation and contributors">
<meta http-equiv="Content-Type" CONTENT="text/html; charset=utf-8">
<title>ERROR: The requested URL could not be retrieved</title>
<style type="text/css"><!-- body { font-family: verdana, sans-serif; } pre { font-family:sans-serif; } --></style>
<script>var x = "<b>not text</b>";</script>
</head><body id=ERR_CONNECT_FAIL>
<div id="content"><p>The system returned: <i>(111) Connection refused</i></p></div>
</body></html>`;
    const cloudflare = `<!DOCTYPE html>\n<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->\n<head>\n<meta name="viewport" content="width=device-width,initial-scale=1">\n<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/cf.errors.css">\n<title>slack.com | 504: Gateway time-out</title>\n</head><body><h1>Gateway time-out</h1> <span>Error code 504</span> &amp; more</body></html>`;
    fakes.slack.respondWith([{ status: 503, body: squid, headers: { 'content-type': 'text/html' } }]);
    fakes.pagerduty.respondWith([{ status: 504, body: cloudflare, headers: { 'content-type': 'text/html' } }]);
    await t.post(webhook('{}:{alertname="Proxied"}', [{ labels: { alertname: 'Proxied', namespace: 'payments-prod', severity: 'critical' } }]));
    await t.idle();
    const retried = t.logs.map((l) => JSON.parse(l) as { msg?: string; error?: string; receiver?: string }).filter((l) => l.msg === 'notification failed; will retry');
    expect(retried.map((l) => [l.receiver, l.error]).sort()).toEqual([
      ['pagerduty', 'pagerduty enqueue: HTTP 504: HTML page: slack.com | 504: Gateway time-out — Gateway time-out Error code 504 & more'],
      // A proxy's 5xx does not say whether Slack got the post: the retry looks for it first.
      ['slack', `slack chat.postMessage: HTTP 503: HTML page: ERROR: The requested URL could not be retrieved — The system returned: (111) Connection refused — ${MAY_HAVE_POSTED}`],
    ]);
    expect(fakes.slack.messages.size).toBe(1);
    expect([...fakes.pagerduty.incidents.values()].map((i) => i.status)).toEqual(['triggered']);
  });

  it('a final error makes the notification dead; an admin retry delivers it', async () => {
    fakes.slack.respondWith([{ slackError: 'channel_not_found' }]);
    await t.post(webhook('{}:{alertname="Lost"}', [{ labels: { alertname: 'Lost', namespace: 'prisoner-offender-search-prod' } }]));
    await t.idle();
    const dead = (await fetch(`${t.gw.url}/v1/notifications?status=dead`).then((r) => r.json())) as { items: { id: number; lastError: string }[] };
    expect(dead.items).toHaveLength(1);
    expect(dead.items[0]!.lastError).toContain('channel_not_found');
    const metrics = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/alertgate_notifications_total\{team="prisons",receiver="slack",outcome="dead"\} 1/);

    const id = dead.items[0]!.id;
    const unauthorised = await fetch(`${t.gw.url}/v1/notifications/${id}/retry`, { method: 'POST' });
    expect(unauthorised.status).toBe(401);
    const retried = await fetch(`${t.gw.url}/v1/notifications/${id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(retried.status).toBe(202);
    await fakes.slack.waitFor(() => fakes.slack.messages.size === 1);
    await t.idle();
    const after = (await fetch(`${t.gw.url}/v1/notifications?team=prisons`).then((r) => r.json())) as { items: { status: string }[] };
    expect(after.items.map((i) => i.status)).toEqual(['sent']);
  });

  it('a dead trigger is not retried once its group\'s resolve was sent: 409, and the incident stays resolved', async () => {
    await t.close();
    t = await startTestGateway(fakes, { DELIVERY_MAX_ATTEMPTS: '2' });
    const labels = { alertname: 'CheckoutDown', namespace: 'payments-prod', severity: 'critical' };
    const key = '{}:{alertname="CheckoutDown"}';
    // PagerDuty is down past the retry budget: the trigger goes dead.
    fakes.pagerduty.respondWith([{ status: 503 }, { status: 503 }]);
    await t.post(webhook(key, [{ labels }]));
    await t.idle();
    const dead = (await fetch(`${t.gw.url}/v1/notifications?status=dead`).then((r) => r.json())) as { items: { id: number; receiver: string }[] };
    expect(dead.items.map((n) => n.receiver)).toEqual(['pagerduty']);
    const id = dead.items[0]!.id;
    // PagerDuty is back; the group resolves and its resolve is delivered.
    await t.post(webhook(key, [{ labels, status: 'resolved' }]));
    await t.idle();
    const sent = (await fetch(`${t.gw.url}/v1/notifications?status=sent&team=payments`).then((r) => r.json())) as { items: { id: number; receiver: string; kind: string }[] };
    const resolve = sent.items.find((n) => n.receiver === 'pagerduty')!;
    expect(resolve.kind).toBe('resolved');

    const retried = await fetch(`${t.gw.url}/v1/notifications/${id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(retried.status).toBe(409);
    expect(await retried.json()).toEqual({
      error: `notification ${id} is superseded: notification ${resolve.id} for the same group and target was sent after it`,
      supersededBy: resolve.id,
      supersededByStatus: 'sent',
    });
    await t.idle();
    expect([...fakes.pagerduty.incidents.values()].map((i) => i.status)).toEqual(['resolved']);
    const after = (await fetch(`${t.gw.url}/v1/notifications?status=dead`).then((r) => r.json())) as { items: { id: number }[] };
    expect(after.items.map((n) => n.id)).toEqual([id]);
  });

  it('a dead trigger is not retried while its group\'s resolve is being delivered: 409 naming it, and PagerDuty gets no trigger after the resolve', async () => {
    await t.close();
    t = await startTestGateway(fakes, { DELIVERY_MAX_ATTEMPTS: '2' });
    const labels = { alertname: 'LedgerDown', namespace: 'payments-prod', severity: 'critical' };
    const key = '{}:{alertname="LedgerDown"}';
    fakes.pagerduty.respondWith([{ status: 503 }, { status: 503 }]);
    await t.post(webhook(key, [{ labels }]));
    await t.idle();
    const dead = (await fetch(`${t.gw.url}/v1/notifications?status=dead`).then((r) => r.json())) as { items: { id: number }[] };
    const id = dead.items[0]!.id;
    // PagerDuty is back but slow: the resolve is held in flight while the operator retries the trigger.
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    fakes.pagerduty.respondWith([{ status: 202, body: { status: 'success', message: 'Event processed' }, after: held }]);
    await t.post(webhook(key, [{ labels, status: 'resolved' }]));
    await fakes.pagerduty.waitFor((e) => (e.body as { event_action: string }).event_action === 'resolve');
    const pending = (await fetch(`${t.gw.url}/v1/notifications?status=pending&team=payments`).then((r) => r.json())) as { items: { id: number; receiver: string }[] };
    const resolve = pending.items.find((n) => n.receiver === 'pagerduty')!;

    const retried = await fetch(`${t.gw.url}/v1/notifications/${id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(retried.status).toBe(409);
    expect(await retried.json()).toEqual({
      error: `notification ${id} is superseded: notification ${resolve.id} for the same group and target is newer and not delivered yet (pending): the older content of ${id} would be sent after it or just before it`,
      supersededBy: resolve.id,
      supersededByStatus: 'pending',
    });
    answer();
    await t.idle();
    const actions = fakes.pagerduty.events.map((e) => (e.body as { event_action: string }).event_action);
    expect(actions).toEqual(['trigger', 'trigger', 'resolve']);
    const after = (await fetch(`${t.gw.url}/v1/notifications?status=dead`).then((r) => r.json())) as { items: { id: number }[] };
    expect(after.items.map((n) => n.id)).toEqual([id]);
  });

  it('of two dead notifications of a group and target only the newest is retried: 409 for the older names it', async () => {
    fakes.slack.respondWith([{ slackError: 'channel_not_found' }, { slackError: 'channel_not_found' }]);
    const labels = { alertname: 'Moved', namespace: 'prisoner-offender-search-prod' };
    const key = '{}:{alertname="Moved"}';
    await t.post(webhook(key, [{ labels, fingerprint: 'bb00000000000001' }]));
    await t.idle();
    await t.post(webhook(key, [{ labels, fingerprint: 'bb00000000000001' }, { labels: { ...labels, pod: 'search-2' }, fingerprint: 'bb00000000000002' }]));
    await t.idle();
    // (A resend of the group now would be notified, the channel being owed its state:
    // gateway-dead-dedup.test.ts. Newer suppressed items not counting is the store contract's.)
    const dead = (await fetch(`${t.gw.url}/v1/notifications?status=dead`).then((r) => r.json())) as { items: { id: number; kind: string }[] };
    const [newest, older] = dead.items;
    expect(dead.items.map((n) => n.kind)).toEqual(['changed', 'new']);
    const retry = (n: number) => fetch(`${t.gw.url}/v1/notifications/${n}/retry`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const refused = await retry(older!.id);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      error: `notification ${older!.id} is superseded: notification ${newest!.id} for the same group and target is newer and dead too; retry notification ${newest!.id}, which carries the group's latest state`,
      supersededBy: newest!.id,
      supersededByStatus: 'dead',
    });
    expect((await retry(newest!.id)).status).toBe(202);
    await t.idle();
    // One message, with both pods: the newest state, posted afresh (the first post never went out).
    const messages = [...fakes.slack.messages.values()];
    expect(messages).toHaveLength(1);
    expect(JSON.stringify(messages[0])).toContain('search-2');
    expect((await retry(older!.id)).status).toBe(409);
  });

  it('a team whose routing key variable is unset gets a PagerDuty notification retried, then dead naming it; other teams are unaffected', async () => {
    await t.close();
    t = await startTestGateway(fakes, { TEST_PD_PAYMENTS_KEY: '', DELIVERY_MAX_ATTEMPTS: '4' });
    await t.post(mixedGroup);
    await t.idle();
    const dead = (await fetch(`${t.gw.url}/v1/notifications?status=dead`).then((r) => r.json())) as {
      items: { team: string; receiver: string; lastError: string; attempts: number }[];
    };
    expect(dead.items).toHaveLength(1);
    // Retried with backoff (a secret synced after start would have been sent), then dead.
    expect(dead.items[0]).toMatchObject({ team: 'payments', receiver: 'pagerduty', attempts: 4 });
    expect(dead.items[0]!.lastError).toContain('TEST_PD_PAYMENTS_KEY');
    expect(posts()).toHaveLength(3);
  });
});

describe('PAGERDUTY_EVENTS_URL', () => {
  it("given as the full enqueue URL (as PagerDuty's docs and Alertmanager's pagerduty_url write it), pages still reach PagerDuty", async () => {
    await t.close();
    t = await startTestGateway(fakes, { PAGERDUTY_EVENTS_URL: `${fakes.pagerduty.url}/v2/enqueue/` });
    await t.post(webhook('{}:{alertname="FullUrl"}', [{ labels: { alertname: 'FullUrl', namespace: 'payments-prod', severity: 'critical' } }]));
    await t.idle();
    expect(fakes.pagerduty.events.map((e) => [e.path, e.status])).toEqual([['/v2/enqueue', 202]]);
    expect((await t.gw.store.listNotifications({ status: 'dead', limit: 10 })).items).toEqual([]);
  });
});

describe('escaping', () => {
  it('label and annotation text cannot mention @channel or inject links', async () => {
    const evil = '<!channel> <https://evil.example|click>';
    await t.post(
      webhook('{}:{alertname="Evil"}', [
        { labels: { alertname: 'Evil', namespace: 'prisoner-offender-search-prod', pod: evil }, annotations: { summary: evil, description: evil } },
      ]),
    );
    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage');
    const sent = JSON.stringify(post.body);
    expect(sent).not.toContain('<!channel>');
    // A URL written in an annotation is linked as itself at most, never under the alert's label.
    expect(sent).not.toMatch(/<https:\/\/evil\.example[^>]*\|click>/);
    expect(sent).toContain('&lt;!channel&gt; &lt;https://evil.example|click&gt;');
    expect(sent).toContain('&lt;!channel&gt; &lt;<https://evil.example%7Cclick>&gt;');
  });
});
