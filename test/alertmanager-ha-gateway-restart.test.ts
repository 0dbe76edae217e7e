/**
 * A real Alertmanager HA pair (both peers sending every notification) and the gateway as a real
 * process, restarted (SIGTERM, then a new process on the same port and SQLite file) while the
 * alerts change: what Alertmanager could not deliver meanwhile it retries (its notification log
 * records a send only once it succeeded), and the new process delivers each change once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAlertmanagerCluster, type AlertmanagerCluster, type PostableAlert } from '../src/testing/alertmanager.js';
import { requireBinary } from '../src/testing/binaries.js';
import { gatewayEnv, startFakes, waitUntil, WEBHOOK_TOKEN, type Fakes } from './support/gateway.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';

const binary = requireBinary('prometheus-alertmanager');

let fakes: Fakes;
let dir: string;
let gw: GatewayProcess | undefined;
let cluster: AlertmanagerCluster | undefined;

beforeEach(async () => {
  fakes = await startFakes();
  dir = await mkdtemp(join(tmpdir(), 'alertgate-ha-restart-'));
});
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
  await gw?.kill('SIGTERM');
  gw = undefined;
  await fakes?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (port: string) => gatewayEnv(fakes, { PORT: port, DATABASE_URL: `sqlite:${join(dir, 'alertgate.db')}`, NODE_EXTRA_CA_CERTS: fakes.tls.certPath, LOG_LEVEL: 'info' });
const checkout = (instance: string): PostableAlert => ({
  labels: { alertname: 'HaRestartCheckout', namespace: 'payments-prod', severity: 'critical', instance },
  annotations: { summary: `checkout ${instance} is down` },
});
const basketDown: PostableAlert = { labels: { alertname: 'HaRestartBasket', namespace: 'payments-prod', severity: 'critical' } };
const topLevelPosts = () => fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.thread_ts === undefined);
const threadReplies = () => fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.thread_ts !== undefined);
const pdActions = () => fakes.pagerduty.events.map((e) => (e.body as { event_action: string }).event_action);
const accepted = (p: GatewayProcess) => p.lines.filter((l) => l.msg === 'webhook accepted').length;

async function outboxDrained(url: string): Promise<void> {
  await waitUntil(async () => {
    for (const status of ['pending', 'failed']) {
      const page = (await (await fetch(`${url}/v1/notifications?status=${status}`)).json()) as { items: unknown[] };
      if (page.items.length > 0) return false;
    }
    return true;
  }, 20_000, 'the outbox to drain');
}

// Two gateway starts (seconds each on a loaded machine, START_TIMEOUT_MS) and a gossiping pair.
describe.skipIf(binary === undefined)('real Alertmanager HA pair, the gateway restarted while alerts change', () => {
  it("delivers the changes Alertmanager retried once the new process listens: one reply, one new message, one page each, nothing twice", async () => {
    gw = await spawnGateway(env('0'));
    const port = new URL(gw.url).port;
    cluster = await startAlertmanagerCluster(2, {
      webhookUrl: `${gw.url}/webhooks/alertmanager`,
      bearerToken: WEBHOOK_TOKEN,
      groupWait: '200ms',
      groupInterval: '1s',
      // Both peers send every notification: their receivers are named differently.
      memberOptions: [{}, { receiverName: 'alertgate-renamed' }],
    });
    await cluster.postAlerts([checkout('i1'), checkout('i2')]);
    await fakes.slack.waitFor(() => topLevelPosts().length === 1, 20_000);
    await waitUntil(() => accepted(gw!) === 2, 20_000, "both peers' first notification");
    await outboxDrained(gw.url);
    expect(await gw.kill('SIGTERM')).toBe(0);

    // While no gateway listens: i2 resolves, and another group starts.
    await cluster.resolveAlerts([checkout('i2')]);
    await cluster.postAlerts([basketDown]);
    await waitUntil(() => (cluster!.logs().match(/connection refused/g) ?? []).length >= 2, 30_000, 'Alertmanager to fail to deliver');

    gw = await spawnGateway(env(port));
    const reply = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.thread_ts !== undefined, 60_000);
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && String(r.body.text).includes('HaRestartBasket'), 60_000);
    await waitUntil(() => accepted(gw!) === 4, 60_000, "both peers' notifications of both groups");
    await outboxDrained(gw.url);

    expect(String(reply.body.text)).toBe(':large_green_circle: 1 alert resolved: HaRestartCheckout (instance=i2)\nNow 1 firing, 1 resolved.');
    expect(threadReplies()).toHaveLength(1);
    expect(topLevelPosts().map((p) => String(p.body.text).split(' (')[0])).toEqual(['FIRING: HaRestartCheckout', 'FIRING: HaRestartBasket']);
    // The checkout group's first page and its change; the basket group's page.
    expect(pdActions()).toEqual(['trigger', 'trigger', 'trigger']);
    const alerts = (await (await fetch(`${gw.url}/v1/alerts?team=payments`)).json()) as { items: { status: string; labels: Record<string, string> }[] };
    expect(alerts.items.map((a) => `${a.labels.alertname}/${a.labels.instance ?? '-'}:${a.status}`).sort()).toEqual([
      'HaRestartBasket/-:firing',
      'HaRestartCheckout/i1:firing',
      'HaRestartCheckout/i2:resolved',
    ]);
  }, 120_000);
});
