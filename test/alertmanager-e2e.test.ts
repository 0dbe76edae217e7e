/**
 * Real Alertmanager end to end: `prometheus-alertmanager` processes post their webhooks (bearer
 * token from a credentials_file) to the gateway, which delivers to fake Slack / PagerDuty.
 * A two-peer HA cluster, both peers receiving the alerts, still yields one message per group.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAlertmanager, startAlertmanagerCluster, type AlertmanagerCluster, type AlertmanagerProcess, type PostableAlert } from '../src/testing/alertmanager.js';
import { requireBinary } from '../src/testing/binaries.js';
import { startFakes, startTestGateway, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';

const binary = requireBinary('prometheus-alertmanager');

let fakes: Fakes;
let t: TestGateway;
let running: (AlertmanagerProcess | AlertmanagerCluster)[] = [];

beforeEach(async () => {
  fakes = await startFakes();
  t = await startTestGateway(fakes);
});
afterEach(async () => {
  await Promise.all(running.map((am) => am.stop()));
  running = [];
  await t?.close();
  await fakes?.close();
});

const alert = (name: string, extra: Record<string, string> = {}) => ({
  labels: { alertname: name, namespace: 'payments-prod', severity: 'critical', job: 'checkout', ...extra },
  annotations: { summary: `${name}: checkout is down`, runbook_url: 'https://runbooks.example/checkout' },
});
const topLevelPosts = () => fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.thread_ts === undefined);
const pdEvents = (action: string) => fakes.pagerduty.events.filter((e) => (e.body as { event_action: string }).event_action === action);
const accepted = () => t.logs.filter((l) => l.includes('"webhook accepted"')).length;
const isThreadReply = (r: { method: string; body: Record<string, unknown> }) => r.method === 'chat.postMessage' && r.body.thread_ts !== undefined;

describe.skipIf(binary === undefined)('real Alertmanager → alertgate', () => {
  it('delivers a firing group to Slack and edits it to RESOLVED when Alertmanager resolves it', async () => {
    const am = await startAlertmanager({ webhookUrl: `${t.gw.url}/webhooks/alertmanager`, bearerToken: WEBHOOK_TOKEN, groupWait: '200ms', groupInterval: '1s' });
    running.push(am);
    await am.postAlerts([alert('E2ECheckoutDown')]);
    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 20_000);
    expect(post.body.channel).toBe('#payments-alerts');
    expect(String(post.body.text)).toContain('E2ECheckoutDown');
    await fakes.pagerduty.waitFor((e) => (e.body as { event_action: string }).event_action === 'trigger', 20_000);

    await am.resolveAlerts([alert('E2ECheckoutDown')]);
    const update = await fakes.slack.waitFor((r) => r.method === 'chat.update', 20_000);
    const original = [...fakes.slack.messages.values()][0]!;
    expect(update.body.ts).toBe(original.ts);
    expect(JSON.stringify(update.body)).toContain('RESOLVED');
    await fakes.pagerduty.waitFor((e) => (e.body as { event_action: string }).event_action === 'resolve', 20_000);
    await t.idle();
    expect(topLevelPosts()).toHaveLength(1);
  });

  it('an HA pair of clustered Alertmanagers, both posting, yields one Slack message and one PagerDuty trigger per group', async (ctx) => {
    const cluster = await startAlertmanagerCluster(2, {
      webhookUrl: `${t.gw.url}/webhooks/alertmanager`,
      bearerToken: WEBHOOK_TOKEN,
      groupWait: '200ms',
      groupInterval: '1s',
      // No wait for the other peer's gossip: both peers send every notification, the worst case
      // of an HA pair (slow or partitioned gossip), which the gateway must absorb.
      peerTimeout: '0s',
    });
    running.push(cluster);
    await cluster.postAlerts([alert('E2EHaOne'), alert('E2EHaTwo')]);
    await fakes.slack.waitFor(() => topLevelPosts().length >= 2, 20_000);
    await fakes.pagerduty.waitFor(() => pdEvents('trigger').length >= 2, 20_000);

    // Resolving proves ordering: each peer sends a group's firing notification before its resolved one,
    // so once both groups are resolved every firing copy from either peer has reached the gateway.
    await cluster.resolveAlerts([alert('E2EHaOne'), alert('E2EHaTwo')]);
    await fakes.pagerduty.waitFor(() => pdEvents('resolve').length >= 2, 20_000);
    await fakes.slack.waitFor(() => fakes.slack.requests.filter((r) => r.method === 'chat.update').length >= 2, 20_000);
    await t.idle();

    ctx.annotate(`gateway accepted ${accepted()} webhooks from the 2-peer cluster`);
    // Both peers posted: more webhooks than the 2 firing + 2 resolved notifications of one peer.
    expect(accepted()).toBeGreaterThan(4);
    expect(topLevelPosts()).toHaveLength(2);
    expect(pdEvents('trigger')).toHaveLength(2);
    expect(pdEvents('resolve')).toHaveLength(2);
    const texts = topLevelPosts().map((p) => String(p.body.text)).sort();
    expect(texts[0]).toContain('E2EHaOne');
    expect(texts[1]).toContain('E2EHaTwo');
  }, 60_000);

  it('an alert Alertmanager resolved when its endsAt passed (Prometheus could not reach it) fires again when Prometheus sends it again with its original startsAt', async () => {
    const am = await startAlertmanager({ webhookUrl: `${t.gw.url}/webhooks/alertmanager`, bearerToken: WEBHOOK_TOKEN, groupWait: '200ms', groupInterval: '1s' });
    running.push(am);
    // Prometheus sends a firing alert with endsAt a few evaluation intervals ahead; while it cannot
    // reach Alertmanager that end passes (here: an hour ago), and Alertmanager resolves the alert.
    const startsAt = new Date(Date.now() - 2 * 3_600_000);
    const expired = { ...alert('E2EExpiredCheckout'), startsAt };
    await am.postAlerts([{ ...expired, endsAt: new Date(Date.now() + 3_600_000) }]);
    await fakes.pagerduty.waitFor((e) => (e.body as { event_action: string }).event_action === 'trigger', 20_000);
    await am.postAlerts([{ ...expired, endsAt: new Date(Date.now() - 3_600_000) }]);
    await fakes.pagerduty.waitFor((e) => (e.body as { event_action: string }).event_action === 'resolve', 20_000);

    // Prometheus reaches Alertmanager again: the same alert instance, still firing. Alertmanager
    // takes it as a new alert (its old copy ended before) and notifies it firing, same startsAt.
    await am.postAlerts([{ ...expired, endsAt: new Date(Date.now() + 3_600_000) }]);
    await fakes.pagerduty.waitFor(() => pdEvents('trigger').length === 2, 20_000);
    await fakes.slack.waitFor(() => topLevelPosts().length === 2, 20_000);
    await t.idle();
    expect([...fakes.slack.messages.values()].map((m) => m.text.split(':')[0])).toEqual(['RESOLVED', 'FIRING']);
    const alerts = (await (await fetch(`${t.gw.url}/v1/alerts?team=payments`)).json()) as { items: { status: string }[] };
    expect(alerts.items.map((a) => a.status)).toEqual(['firing']);
  });

  it('alerts no team owns (no team label, a team label naming no team, an unowned namespace) reach the fallback team, beside the owned alert of their Alertmanager group, and resolve there', async () => {
    const am = await startAlertmanager({ webhookUrl: `${t.gw.url}/webhooks/alertmanager`, bearerToken: WEBHOOK_TOKEN, groupWait: '200ms', groupInterval: '1s' });
    running.push(am);
    const orphans: PostableAlert[] = [
      { labels: { alertname: 'E2EOrphan', instance: 'bare' } },
      { labels: { alertname: 'E2EOrphan', instance: 'unknown-team', team: 'no-such-team', namespace: 'nobody-owns-this' } },
    ];
    const owned = alert('E2EOrphan', { instance: 'owned' });
    await am.postAlerts([...orphans, owned]);
    await fakes.slack.waitFor(() => topLevelPosts().length === 2, 20_000);
    const channels = Object.fromEntries(topLevelPosts().map((p) => [String(p.body.channel), String(p.body.text)]));
    expect(Object.keys(channels).sort()).toEqual(['#payments-alerts', '#platform-alerts']);
    expect(channels['#platform-alerts']).toContain('team platform');
    expect(channels['#platform-alerts']).toContain('2 firing');

    await am.resolveAlerts([...orphans, owned]);
    await fakes.slack.waitFor(() => fakes.slack.requests.filter((r) => r.method === 'chat.update' && String(r.body.text).startsWith('RESOLVED')).length === 2, 20_000);
    await t.idle();
    expect([...fakes.slack.messages.values()].map((m) => m.text.split(':')[0])).toEqual(['RESOLVED', 'RESOLVED']);
  });

  it('group_by: [] (groupLabels {}, groupKey "{}:{}") and group_by: [\'...\'] (every label a group label, one group per alert) each give one message per team group', async () => {
    const grouped = await startAlertmanager({ webhookUrl: `${t.gw.url}/webhooks/alertmanager`, bearerToken: WEBHOOK_TOKEN, groupWait: '200ms', groupInterval: '1s', groupBy: [] });
    running.push(grouped);
    await grouped.postAlerts([alert('E2EGroupAllA'), alert('E2EGroupAllB')]);
    await fakes.slack.waitFor(() => topLevelPosts().length === 1, 20_000);
    expect(String(topLevelPosts()[0]!.body.text)).toContain('2 firing');

    const byAll = await startAlertmanager({ webhookUrl: `${t.gw.url}/webhooks/alertmanager`, bearerToken: WEBHOOK_TOKEN, groupWait: '200ms', groupInterval: '1s', groupBy: ['...'] });
    running.push(byAll);
    await byAll.postAlerts([alert('E2EGroupEachA'), alert('E2EGroupEachB')]);
    await fakes.slack.waitFor(() => topLevelPosts().length === 3, 20_000);
    await t.idle();
    expect(topLevelPosts().slice(1).map((p) => String(p.body.text).split(' ')[1]).sort()).toEqual(['E2EGroupEachA', 'E2EGroupEachB']);
    expect(pdEvents('trigger')).toHaveLength(3);
  });

  it('an alert silenced in Alertmanager drops out of the group: the resolution names it, not its fingerprint', async () => {
    const am = await startAlertmanager({ webhookUrl: `${t.gw.url}/webhooks/alertmanager`, bearerToken: WEBHOOK_TOKEN, groupWait: '200ms', groupInterval: '1s' });
    running.push(am);
    const [i1, i2] = ['i1', 'i2'].map((instance) => alert('E2ESilencedCheckout', { instance }));
    await am.postAlerts([i1!, i2!]);
    await fakes.slack.waitFor(() => topLevelPosts().length === 1, 20_000);
    const silence = await fetch(`${am.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'instance', value: 'i2', isRegex: false, isEqual: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'alertgate tests',
        comment: 'i2 is being worked on',
      }),
    });
    expect(silence.status).toBe(200);

    // Alertmanager leaves the silenced i2 out of its notifications: the last one shows i1 resolved only.
    await am.resolveAlerts([i1!]);
    const reply = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && String(r.body.text).includes('RESOLVED'), 20_000);
    expect(String(reply.body.text)).toContain('instance=i2');
    expect(String(reply.body.text)).not.toMatch(/\b[0-9a-f]{16}\b/);
    const edit = await fakes.slack.waitFor((r) => r.method === 'chat.update' && String(r.body.text).startsWith('RESOLVED'), 20_000);
    expect(String(edit.body.text)).toContain('0 firing, 2 resolved');
  });

  // Alertmanager sends the first max_alerts alerts of a group, sorted by labels (job, instance,
  // then the rest; not by status), and the count of the others as truncatedAlerts.
  describe('with max_alerts: 2 on the webhook receiver', () => {
    it('a firing alert left out of the notification is not reported resolved; the all-resolved truncated notification resolves the group', async () => {
      const am = await startAlertmanager({ webhookUrl: `${t.gw.url}/webhooks/alertmanager`, bearerToken: WEBHOOK_TOKEN, groupWait: '200ms', groupInterval: '1s', maxAlerts: 2 });
      running.push(am);
      const [i1, i3, i4] = ['i1', 'i3', 'i4'].map((instance) => alert('E2ETruncated', { instance }));
      await am.postAlerts([i3!, i4!]);
      await fakes.slack.waitFor(() => topLevelPosts().length === 1, 20_000);
      await fakes.pagerduty.waitFor(() => pdEvents('trigger').length === 1, 20_000);

      // i1 sorts first: Alertmanager now shows i1 and i3 and leaves i4 out (truncatedAlerts 1).
      await am.postAlerts([i1!]);
      const reply = await fakes.slack.waitFor(isThreadReply, 20_000);
      expect(String(reply.body.text)).toContain('1 new alert');
      expect(String(reply.body.text)).not.toContain('resolved');
      const edit = await fakes.slack.waitFor((r) => r.method === 'chat.update', 20_000);
      expect(JSON.stringify(edit.body.blocks)).toContain('Alertmanager left 1 alert of this group out of its notification');
      expect(JSON.stringify(edit.body.blocks)).toContain('3 firing');
      expect(t.logs.some((l) => l.includes('max_alerts on its webhook_config') && l.includes('"truncatedAlerts":1'))).toBe(true);

      // Its last notification shows i1 and i3 resolved and leaves i4 (resolved too) out: status resolved.
      await am.resolveAlerts([i1!, i3!, i4!]);
      await fakes.pagerduty.waitFor((e) => (e.body as { event_action: string }).event_action === 'resolve', 20_000);
      const resolved = await fakes.slack.waitFor((r) => r.method === 'chat.update' && String(r.body.text).startsWith('RESOLVED'), 20_000);
      expect(String(resolved.body.text)).toContain('0 firing, 3 resolved');
      await t.idle();
      expect(topLevelPosts()).toHaveLength(1);
      expect(pdEvents('resolve')).toHaveLength(1);
    });

    it('a team whose shown alerts resolved keeps its PagerDuty incident open while its left-out alert fires (another team\'s alerts keep the webhook firing), and resolves with a last notification that shows none of its alerts', async () => {
      const am = await startAlertmanager({ webhookUrl: `${t.gw.url}/webhooks/alertmanager`, bearerToken: WEBHOOK_TOKEN, groupWait: '200ms', groupInterval: '1s', maxAlerts: 2 });
      running.push(am);
      const p2 = alert('E2ETruncatedTeams', { instance: 'i2' });
      const p3 = alert('E2ETruncatedTeams', { instance: 'i3' });
      const platform = alert('E2ETruncatedTeams', { instance: 'i1', namespace: 'monitoring' });
      await am.postAlerts([p2, p3]);
      await fakes.pagerduty.waitFor(() => pdEvents('trigger').length === 1, 20_000);

      // One change: the platform alert (sorted first) fires and p2 resolves. Shown: platform and
      // p2 (resolved); p3, still firing, is left out.
      await am.postAlerts([platform, { ...p2, endsAt: new Date() }]);
      // The group's only thread so far is the payments one (the platform group's message is new).
      const reply = await fakes.slack.waitFor((r) => isThreadReply(r) && String(r.body.text).includes('resolved'), 20_000);
      expect(String(reply.body.text)).toContain('1 alert resolved');
      expect(String(reply.body.text)).toContain('Now 1 firing, 1 resolved.');
      await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === '#platform-alerts', 20_000);
      await t.idle();
      expect(pdEvents('resolve')).toHaveLength(0);

      // A second platform alert sorts first too: the webhook shows only platform alerts now, and
      // its last one (all resolved, p3 left out) has no payments share; payments resolves with it.
      const platform0 = alert('E2ETruncatedTeams', { instance: 'i0', namespace: 'monitoring' });
      await am.postAlerts([platform0]);
      await fakes.slack.waitFor((r) => isThreadReply(r) && String(r.body.text).includes('1 new alert'), 20_000);
      await am.resolveAlerts([platform0, platform, p3]);
      await fakes.pagerduty.waitFor((e) => (e.body as { event_action: string }).event_action === 'resolve', 20_000);
      await t.idle();
      expect(pdEvents('resolve')).toHaveLength(1);
      const resolvedPosts = fakes.slack.requests.filter((r) => r.method === 'chat.update' && String(r.body.text).startsWith('RESOLVED'));
      expect(resolvedPosts.map((r) => /team (\w+)/.exec(String(r.body.text))?.[1]).sort()).toEqual(['payments', 'platform']);
    });
  });
});