/**
 * Slack's chat.update limit is the app's in the whole workspace (Tier 3), chat.postMessage's a
 * channel's. Against both stores and a fake Slack: after a 429 on an edit in one channel, an edit
 * in another channel waits for the Retry-After untried (before, it called chat.update at once,
 * which Slack answers 429 too, and spent an attempt each time), while a new post in a third
 * channel goes at once. The 429 is counted as a workspace-wide limit
 * (alertgate_rate_limited_total, scope workspace): the hold was seen only in debug logs.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createSlackNotifier } from '../delivery/slack/notifier.js';
import type { Notifier } from '../delivery/notifier.js';
import type { Target } from '../model/target.js';
import { enqueue, group, notification, snapshot } from '../store/contract/fixtures.case.js';
import type { GroupRecord, NotificationRecord, Store } from '../store/store.js';
import { onBothStores } from '../testing/both-stores.js';
import { startFakeSlack, type FakeSlack, type FakeSlackRequest } from '../testing/fake-slack.js';
import { createMetrics } from '../metrics/metrics.js';
import { ChannelPacer } from './channel-pacer.js';
import { notificationReaching, startTestWorker } from './test-worker.case.js';
import type { OutboxWorker } from './worker.js';

const RETRY_AFTER_S = 2;
const unused: Notifier = { type: 'pagerduty', notify: () => Promise.resolve({ ok: true }) };
const slackIn = (channel: string): Target => ({ type: 'slack', channel });

let slack: FakeSlack;
let store: Store;
let worker: OutboxWorker | undefined;

afterEach(async () => {
  await worker?.stop(1_000);
  worker = undefined;
  await store?.close();
  await slack?.close();
});

/** A group resolved: the edit of its message (and a thread reply). */
async function resolve(g: GroupRecord, target: Target): Promise<NotificationRecord> {
  const resolved = { ...g, status: 'resolved' as const };
  const [n] = await enqueue(store, resolved, [notification(resolved, target, { kind: 'resolved', snapshot: snapshot(resolved, 'resolved') })]);
  return n!;
}

await onBothStores('a 429 on chat.update', (newStore) => {
  beforeEach(async () => {
    store = await newStore();
    slack = await startFakeSlack();
  });

  it('holds chat.update in every channel for its Retry-After, untried; a post in another channel goes at once', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    worker = startTestWorker({
      metrics,
      store,
      notifiers: { slack: createSlackNotifier({ token: 'xoxb-test', apiUrl: slack.url }), pagerduty: unused },
      // Pacing out of the way; one delivery at a time, oldest first.
      pacer: new ChannelPacer({ ratePerSecond: 1_000, burst: 1_000 }),
      concurrency: 1,
      receiverConcurrency: 1,
      // Retry-After honoured as Slack asks.
      policy: { baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 60_000, maxAttempts: 3 },
      pollMs: 20,
    });
    const gx = group('hold-x');
    const gy = group('hold-y');
    const [postX] = await enqueue(store, gx, [notification(gx, slackIn('#alerts-x'))]);
    const [postY] = await enqueue(store, gy, [notification(gy, slackIn('#alerts-y'))]);
    expect((await notificationReaching(store, postX!.id, 'sent'))?.status).toBe('sent');
    expect((await notificationReaching(store, postY!.id, 'sent'))?.status).toBe('sent');

    // The next call, the edit in #alerts-x, is refused for the workspace's chat.update limit.
    slack.respondWith([{ status: 429, headers: { 'retry-after': String(RETRY_AFTER_S) } }]);
    const editX = await resolve(gx, slackIn('#alerts-x'));
    const limited = await slack.waitFor((r) => r.method === 'chat.update');
    const editY = await resolve(gy, slackIn('#alerts-y'));
    const gz = group('hold-z');
    const [postZ] = await enqueue(store, gz, [notification(gz, slackIn('#alerts-z'))]);

    const channel = (name: string) => slack.channelIds.get(name);
    const isPostZ = (r: FakeSlackRequest) => r.method === 'chat.postMessage' && r.body['channel'] === '#alerts-z';
    const isEditY = (r: FakeSlackRequest) => r.method === 'chat.update' && r.body['channel'] === channel('alerts-y');
    const holdEnds = limited.at + RETRY_AFTER_S * 1000;
    expect((await slack.waitFor(isPostZ)).at).toBeLessThan(holdEnds);
    expect((await slack.waitFor(isEditY, 10_000)).at).toBeGreaterThanOrEqual(holdEnds);

    expect(await notificationReaching(store, editY.id, 'sent')).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(await notificationReaching(store, editX.id, 'sent')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await notificationReaching(store, postZ!.id, 'sent')).toMatchObject({ status: 'sent', attempts: 1 });
    // Every chat.update in #alerts-y came after the hold.
    expect(slack.requests.filter(isEditY).every((r) => r.at >= holdEnds)).toBe(true);
    const exposition = await metrics.registry.metrics();
    expect(exposition).toContain('alertgate_rate_limited_total{team="payments",receiver="slack",scope="workspace"} 1');
    expect(exposition).not.toContain('scope="channel"');
  });
});
