/**
 * The outbox worker on its own thread (OUTBOX_THREAD=true, SQLite file stores): deliveries, their
 * logs and metrics reach the gateway as before; a thread that dies mid-delivery is replaced and
 * what it held is delivered at once (not after its lease). By default the worker is in-process.
 */
import { describe, expect, it } from 'vitest';
import { readSettings } from '../src/config/env.js';
import { DeliveryThread } from '../src/outbox/delivery-thread-host.js';
import { OutboxWorker } from '../src/outbox/worker.js';
import { PD_PAYMENTS_KEY, SLACK_TOKEN, waitUntil, type Fakes, type TestGateway } from './support/gateway.js';
import { withFakesPerTest } from './support/gateway-hooks.js';
import { webhook } from './support/payloads.js';
import { assertNoSecrets } from './support/secrets.js';

let fakes: Fakes;
let t: TestGateway | undefined;
const startGateway = withFakesPerTest((started) => (fakes = started));

const firing = (name: string) => webhook(`{}:{alertname="${name}"}`, [{ labels: { alertname: name, namespace: 'payments-prod' } }]);
const posted = (name: string) => fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && JSON.stringify(r.body).includes(name));

describe('delivery thread', () => {
  it('delivers from its own thread; its logs and metrics reach the gateway', async () => {
    t = await startGateway({ OUTBOX_THREAD: 'true' });
    expect(t.gw.worker).toBeInstanceOf(DeliveryThread);
    expect((await t.post(firing('Threaded'))).status).toBe(202);
    await t.idle();
    expect(posted('Threaded')).toHaveLength(1);
    // The thread's log lines and metric updates cross to the event loop in messages of their own,
    // which may still be on their way when the outcome is already committed (the outbox empty).
    const gateway = t;
    const sentLine = () => gateway.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'notification sent');
    await waitUntil(() => sentLine() !== undefined, 5_000, 'the "notification sent" line from the delivery thread');
    expect(sentLine()).toMatchObject({ component: 'outbox', receiver: 'slack', team: 'payments' });
    let metrics = '';
    const sentCounted = /alertgate_notifications_total\{team="payments",receiver="slack",outcome="sent"\} 1/;
    await waitUntil(async () => sentCounted.test((metrics = await fetch(`${gateway.gw.url}/metrics`).then((r) => r.text()))), 5_000, 'the sent notification counted');
    expect(metrics).toMatch(/alertgate_delivery_latency_seconds_count\{receiver="slack"\} 1/);
  });

  it('is replaced when it dies mid-delivery, and the replacement delivers what it held at once', async () => {
    // A lease far beyond the test: the redelivery must come from the release, not from the lease ending.
    t = await startGateway({ OUTBOX_THREAD: 'true', OUTBOX_LEASE_MS: '120000' });
    const host = t.gw.worker as DeliveryThread;
    fakes.slack.respondWith([{ hang: true }]);
    expect((await t.post(firing('Orphaned'))).status).toBe(202);
    // A fresh thread loads tsx and the modules before its first call (0.85 s after the post,
    // idle), and so does the replacement, after a 1 s restart delay (1.7 s after the crash, idle):
    // 20 s each for a loaded machine, still far below the 120 s lease, so the redelivery can only
    // come from the release.
    await fakes.slack.waitFor((r) => JSON.stringify(r.body).includes('Orphaned'), 20_000);
    await host.crash();
    await waitUntil(() => posted('Orphaned').length >= 2, 20_000, 'the replacement thread to deliver again');
    await t.idle();
    const lines = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.msg?.toString().startsWith('delivery thread exited; restarting it'))).toBe(true);
    expect(lines.some((l) => l.msg?.toString().startsWith('delivery thread restarted: released') && l.released === 1)).toBe(true);
  }, 60_000);

  it('a replacement for a thread that paged posts to Slack with the Slack token, never the PagerDuty routing key', async () => {
    t = await startGateway({ OUTBOX_THREAD: 'true' });
    const host = t.gw.worker as DeliveryThread;
    const page = webhook('{}:{alertname="Paged"}', [{ labels: { alertname: 'Paged', namespace: 'payments-prod', severity: 'critical' } }]);
    expect((await t.post(page)).status).toBe(202);
    await fakes.pagerduty.waitFor((e) => (e.body as { routing_key: string }).routing_key === PD_PAYMENTS_KEY, 20_000);
    await t.idle(20_000);
    // The thread reports the key it paged with before this line: the host has heard of it.
    await t.waitForLog((l) => l.msg === 'pagerduty event accepted');

    await host.crash();
    await t.waitForLog((l) => String(l.msg).startsWith('delivery thread exited; restarting it'));
    expect((await t.post(firing('AfterRestart'))).status).toBe(202);
    await t.idle(20_000);

    expect(posted('AfterRestart').map((r) => r.headers.authorization)).toEqual([`Bearer ${SLACK_TOKEN}`]);
    const sentToSlack = fakes.slack.requests.map((r) => JSON.stringify(r.headers)).join('\n');
    expect(sentToSlack).not.toContain(PD_PAYMENTS_KEY);
    assertNoSecrets(t.logs, { PD_PAYMENTS_KEY, SLACK_TOKEN });
  }, 60_000);

  it('stays in-process by default', async () => {
    t = await startGateway();
    expect(t.gw.worker).toBeInstanceOf(OutboxWorker);
    expect((await t.post(firing('InProcess'))).status).toBe(202);
    await t.idle();
    expect(posted('InProcess')).toHaveLength(1);
  });

  it('says at start when OUTBOX_THREAD=true cannot apply (no SQLite file), and delivers in-process', async () => {
    t = await startGateway({ OUTBOX_THREAD: 'true', DATABASE_URL: 'sqlite::memory:' });
    expect(t.gw.worker).toBeInstanceOf(OutboxWorker);
    const warning = await t.waitForLog((l) => l.level === 'warn' && String(l.msg).startsWith('OUTBOX_THREAD=true has no effect'));
    expect(warning.msg).toBe('OUTBOX_THREAD=true has no effect with this store (sqlite::memory:): deliveries run on the event loop; the thread needs a SQLite file store');
    expect((await t.post(firing('NoThread'))).status).toBe(202);
    await t.idle();
    expect(posted('NoThread')).toHaveLength(1);
  });

  it('reads OUTBOX_THREAD as true/false (1/0, yes/no) and names a bad value', () => {
    expect(readSettings({}, '/srv').outboxThread).toBe(false);
    expect(readSettings({ OUTBOX_THREAD: 'yes' }, '/srv').outboxThread).toBe(true);
    expect(readSettings({ OUTBOX_THREAD: '0' }, '/srv').outboxThread).toBe(false);
    expect(() => readSettings({ OUTBOX_THREAD: 'sometimes' }, '/srv')).toThrow('OUTBOX_THREAD must be true or false, got "sometimes"');
  });
});
