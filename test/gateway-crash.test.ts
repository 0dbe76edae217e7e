/**
 * Nothing accepted is lost: the gateway is SIGKILLed after answering 202 while Slack is down;
 * restarted with Slack up, it delivers every accepted notification, none twice.
 * Also: SIGTERM drains in-flight deliveries and exits cleanly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatewayEnv, startFakes, WEBHOOK_TOKEN, type Fakes, waitUntil } from './support/gateway.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let dir: string;
const procs: GatewayProcess[] = [];

beforeEach(async () => {
  fakes = await startFakes();
  dir = await mkdtemp(join(tmpdir(), 'alertgate-crash-'));
});
afterEach(async () => {
  for (const p of procs.splice(0)) await p.kill('SIGKILL');
  await fakes.close();
  await rm(dir, { recursive: true, force: true });
});

function env() {
  return gatewayEnv(fakes, { DATABASE_URL: `sqlite:${join(dir, 'alertgate.db')}`, NODE_EXTRA_CA_CERTS: fakes.tls.certPath, DELIVERY_BACKOFF_BASE_MS: '100', LOG_LEVEL: 'info' });
}

async function post(url: string, body: unknown): Promise<number> {
  const res = await fetch(`${url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
    body: JSON.stringify(body),
  });
  return res.status;
}

const groups = ['A', 'B', 'C', 'D', 'E'].map((g, i) =>
  webhook(`{}:{alertname="Crash${g}"}`, [
    { labels: { alertname: `Crash${g}`, namespace: i % 2 ? 'payments-prod' : 'prisoner-offender-search-prod', severity: 'critical' } },
  ]),
);

describe('crash safety', () => {
  it('SIGKILL after 202 while Slack is down loses nothing and repeats nothing after restart', async () => {
    fakes.slack.setDown(true);
    const first = await spawnGateway(env());
    procs.push(first);
    for (const g of groups) expect(await post(first.url, g)).toBe(202);
    // Slack is failing: wait until the outbox has tried and scheduled a retry, then kill hard.
    await first.waitForLog((l) => l.msg === 'notification failed; will retry' && l.receiver === 'slack');
    // PagerDuty is up: let its two triggers be recorded as sent first, so the kill interrupts
    // only Slack work (a call in flight at a kill may legitimately repeat: at-least-once).
    await waitUntil(() => first.lines.filter((l) => l.msg === 'notification sent' && l.receiver === 'pagerduty').length === 2, 10_000, 'PagerDuty sends');
    expect(await first.kill('SIGKILL')).toBeNull();

    fakes.slack.setDown(false);
    const second = await spawnGateway(env());
    procs.push(second);
    await waitUntil(() => fakes.slack.messages.size >= groups.length, 20_000, 'all Slack messages');
    await waitUntil(
      async () => {
        const text = await fetch(`${second.url}/metrics`).then((r) => r.text());
        return /^alertgate_outbox_depth 0$/m.test(text);
      },
      10_000,
      'the outbox to drain',
    );
    // Messages that Slack actually holds (attempts while it was down never reached it).
    const perGroup = new Map<string, number>();
    for (const m of fakes.slack.messages.values()) {
      const name = /Crash[A-E]/.exec(m.text)?.[0] ?? '?';
      perGroup.set(name, (perGroup.get(name) ?? 0) + 1);
    }
    expect(Object.fromEntries(perGroup)).toEqual({ CrashA: 1, CrashB: 1, CrashC: 1, CrashD: 1, CrashE: 1 });
    // PagerDuty was up throughout: exactly one trigger per payments group (B and D).
    const triggers = fakes.pagerduty.events.filter((e) => (e.body as { event_action: string }).event_action === 'trigger' && e.status === 202);
    expect(triggers).toHaveLength(2);
    const sent = (await fetch(`${second.url}/v1/notifications?status=sent`).then((r) => r.json())) as { items: unknown[] };
    expect(sent.items).toHaveLength(7);
  });

  it('SIGTERM drains within the grace period, exits 0, and the unfinished delivery is sent after restart', async () => {
    const gw = await spawnGateway({ ...env(), SHUTDOWN_GRACE_MS: '500' });
    procs.push(gw);
    // Slack never answers: the delivery is still in flight when SIGTERM arrives.
    fakes.slack.respondWith([{ hang: true }]);
    expect(await post(gw.url, groups[0])).toBe(202);
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage');
    expect(await gw.kill('SIGTERM')).toBe(0);
    expect(gw.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: draining deliveries', 'shutdown complete']));

    const again = await spawnGateway(env());
    procs.push(again);
    await waitUntil(() => fakes.slack.messages.size === 1, 10_000, 'the message to be delivered after restart');
    expect(fakes.slack.requests.filter((r) => r.method === 'chat.postMessage')).toHaveLength(2);
    expect([...fakes.slack.messages.values()][0]!.text).toContain('CrashA');
  });
});
