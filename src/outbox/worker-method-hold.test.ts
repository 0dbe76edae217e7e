/**
 * Slack's chat.update limit is the app's in the whole workspace (Tier 3), chat.postMessage's a
 * channel's. Against both stores and a fake Slack: after a 429 on an edit in one channel, an edit
 * in another channel waits for the Retry-After untried (before, it called chat.update at once,
 * which Slack answers 429 too, and spent an attempt each time), while a new post in a third
 * channel goes at once. The 429 is counted as a workspace-wide limit
 * (alertgate_rate_limited_total, scope workspace): the hold was seen only in debug logs. When
 * the hold ends, the edits it held go one at a time at a pace, not all in the same instant (into
 * the next 429), and each arrives without an attempt spent on waiting.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createSlackNotifier } from '../delivery/slack/notifier.js';
import type { Notifier } from '../delivery/notifier.js';
import type { Target } from '../model/target.js';
import { enqueue, group, notification, snapshot } from '../store/contract/fixtures.case.js';
import type { GroupRecord, NotificationRecord, Store } from '../store/store.js';
import { onBothStores } from '../testing/both-stores.js';
import { startFakeSlack, type FakeSlack, type FakeSlackRequest } from '../testing/fake-slack.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { ChannelPacer } from './channel-pacer.js';
import { notificationReaching, startTestWorker } from './test-worker.case.js';
import type { OutboxWorker } from './worker.js';

const RETRY_AFTER_S = 2;
/**
 * Longer than Slack's pace (outbox/method-hold), so that of four edits released together the last
 * one's slot is beyond the longest a claimed item waits (MAX_PACED_WAIT_MS): it is handed back.
 */
const RELEASE_SPACING_MS = 1_700;
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

/** Channel pacing out of the way, the release after a hold on chat.update at RELEASE_SPACING_MS; Retry-After honoured as Slack asks. */
function startWorker(metrics: Metrics, concurrency: number): OutboxWorker {
  return startTestWorker({
    metrics,
    store,
    notifiers: { slack: createSlackNotifier({ token: 'xoxb-test', apiUrl: slack.url }), pagerduty: unused },
    pacer: new ChannelPacer({ ratePerSecond: 1_000, burst: 1_000, methodReleaseSpacingMs: RELEASE_SPACING_MS }),
    concurrency,
    receiverConcurrency: concurrency,
    policy: { baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 60_000, maxAttempts: 3 },
    pollMs: 20,
  });
}

await onBothStores('a 429 on chat.update', (newStore) => {
  beforeEach(async () => {
    store = await newStore();
    slack = await startFakeSlack();
  });

  it('holds chat.update in every channel for its Retry-After, untried; a post in another channel goes at once', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    // One delivery at a time, oldest first.
    worker = startWorker(metrics, 1);
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

  it('releases the edits it held one at a time at a pace, untried, so they do not meet the next 429 together', async () => {
    worker = startWorker(createMetrics({ defaultMetrics: false }), 8);
    const channels = ['#edits-a', '#edits-b', '#edits-c', '#edits-d'];
    const groups = channels.map((_, i) => group(`release-${i}`));
    const posts = await Promise.all(groups.map(async (g, i) => (await enqueue(store, g, [notification(g, slackIn(channels[i]!))]))[0]!));
    for (const post of posts) expect((await notificationReaching(store, post.id, 'sent'))?.status).toBe('sent');

    slack.respondWith([{ status: 429, headers: { 'retry-after': '1' } }]);
    const first = await resolve(groups[0]!, slackIn(channels[0]!));
    const limited = await slack.waitFor((r) => r.method === 'chat.update');
    const held = await Promise.all(groups.slice(1).map((g, i) => resolve(g, slackIn(channels[i + 1]!))));

    // Every edit arrives, the last after it was handed back for its slot; those held never called
    // (one attempt, no error), the limited one once more.
    for (const edit of held) expect(await notificationReaching(store, edit.id, 'sent')).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(await notificationReaching(store, first.id, 'sent')).toMatchObject({ status: 'sent', attempts: 2 });
    // All four came due when the hold ended; before, they went in the same instant.
    const released = slack.requests.filter((r) => r.method === 'chat.update' && r !== limited).map((r) => r.at);
    expect(released).toHaveLength(4);
    expect(released[0]).toBeGreaterThanOrEqual(limited.at + 1000);
    const gaps = released.slice(1).map((at, i) => at - released[i]!);
    // Less than the spacing: a request's arrival may lag its timer by some ms, not by half a spacing.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(RELEASE_SPACING_MS / 2);
  });
});
