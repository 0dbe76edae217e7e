/**
 * A Slack post that may have posted is not posted twice, against both stores. Slack has no
 * idempotency key: a chat.postMessage whose answer never came (the client's timeout) or whose
 * connection dropped after the request was sent may have posted. Before, the retry posted
 * again: two messages, the first never edited. Now the failure says so in the stored error,
 * every post carries metadata naming its notification, and the retry reads the channel
 * (conversations.history) first and adopts the message it finds. A read that fails posts again
 * (counted: alertgate_slack_post_lookups_total); a refused connection, which cannot have
 * posted, is retried without a read.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { captureLogger } from '../delivery/notifier.case.js';
import type { Notifier } from '../delivery/notifier.js';
import { createSlackNotifier } from '../delivery/slack/notifier.js';
import type { PostLookupResult } from '../delivery/slack/post-lookup.js';
import { MAY_HAVE_POSTED } from '../model/post-notes.js';
import { createMetrics } from '../metrics/metrics.js';
import type { Target } from '../model/target.js';
import { group, notification, snapshot } from '../store/contract/fixtures.case.js';
import type { Store } from '../store/store.js';
import { onBothStores } from '../testing/both-stores.js';
import { startFakeSlack, type FakeSlack } from '../testing/fake-slack.js';
import { freeTcpPort } from '../testing/free-port.js';
import { ChannelPacer } from './channel-pacer.js';
import { notificationReaching, startTestWorker } from './test-worker.case.js';
import type { OutboxWorker, OutboxWorkerOptions } from './worker.js';

const TOKEN = 'xoxb-1111111111-posted-secret';
/** The client's timeout: the fake answers a `hang` never, so each such attempt waits this long. */
const TIMEOUT_MS = 300;
const CHANNEL_ID = 'C0PAYMENTS';
/** Routed by id: conversations.history takes ids only. */
const TARGET: Target = { type: 'slack', channel: CHANNEL_ID };
const unused: Notifier = { type: 'pagerduty', notify: () => Promise.resolve({ ok: true }) };

let slack: FakeSlack;
let store: Store;
let workers: OutboxWorker[] = [];
let metrics: ReturnType<typeof createMetrics>;
let logs: ReturnType<typeof captureLogger>;

afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop(5_000)));
  workers = [];
  await store?.close();
  await slack?.close();
});

/** A worker (a process, a replica) with its own Slack client; fast retries. */
function worker(apiUrl = slack.url, maxAttempts = 3, more: Partial<OutboxWorkerOptions> = {}): OutboxWorker {
  const onPostLookup = (result: PostLookupResult) => metrics.slackPostLookups.inc({ result });
  const w = startTestWorker({
    store,
    notifiers: { slack: createSlackNotifier({ token: TOKEN, apiUrl, timeoutMs: TIMEOUT_MS, logger: logs.logger, onPostLookup }), pagerduty: unused },
    policy: { baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 10, maxAttempts },
    metrics,
    pollMs: 20,
    ...more,
  });
  workers.push(w);
  return w;
}

async function enqueueNew(id: string, target: Target = TARGET): Promise<number> {
  const g = group(id);
  const [n] = await store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, target)] }]);
  return n!.id;
}

async function enqueueResolved(id: string): Promise<number> {
  const g = group(id, { status: 'resolved', alerts: [{ ...group(id).alerts[0]!, status: 'resolved', endsAt: '2026-10-01T10:05:00.000Z' }] });
  const [n] = await store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, TARGET, { kind: 'resolved', snapshot: snapshot(g, 'resolved') })] }]);
  return n!.id;
}

const topLevel = () => [...slack.messages.values()].filter((m) => m.threadTs === undefined);
/** The top-level messages notification `id` posted. */
const postsOf = (id: number) => topLevel().filter((m) => (m.metadata as { event_payload?: { notification_id?: string } } | undefined)?.event_payload?.notification_id === String(id));
const lookups = async (result: string) => {
  const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`alertgate_slack_post_lookups_total{result="${result}"}`));
  return Number(line?.split(' ')[1]);
};

await onBothStores('a Slack post that may have posted', (newStore) => {
  beforeEach(async () => {
    store = await newStore();
    slack = await startFakeSlack({ token: TOKEN, channels: { 'payments-alerts': CHANNEL_ID } });
    metrics = createMetrics({ defaultMetrics: false });
    logs = captureLogger();
  });

  it.each([
    ['answered only after the client gave up', 'hang'],
    ['whose connection dropped after the request was read', 'reset'],
  ] as const)('a post %s is found on the retry, not posted again; the resolve edits that message', async (_what, applyThen) => {
    slack.respondWith([{ applyThen }]);
    const first = await enqueueNew('posted-g1');
    const w = worker();
    const sent = await notificationReaching(store, first, 'sent');
    expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
    expect(topLevel()).toHaveLength(1);
    expect(slack.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'conversations.history']);
    expect(slack.requests[1]!.body).toMatchObject({ channel: CHANNEL_ID, include_all_metadata: 'true', inclusive: 'true' });
    expect(slack.requests[1]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent!.lastError).toContain(MAY_HAVE_POSTED);
    expect(await lookups('found')).toBe(1);

    const resolved = await enqueueResolved('posted-g1');
    w.wake();
    expect((await notificationReaching(store, resolved, 'sent'))?.status).toBe('sent');
    const [message] = topLevel();
    expect(topLevel()).toHaveLength(1);
    expect(message!.edits).toBe(1);
    expect(message!.text).toContain('RESOLVED');
    expect(message!.replies).toHaveLength(1);
  });

  it('survives a restart: another worker, with a fresh client, finds the post a dead notification made before its requeue', async () => {
    slack.respondWith([{ applyThen: 'hang' }]);
    const id = await enqueueNew('posted-g2');
    const first = worker(slack.url, 1);
    const dead = await notificationReaching(store, id, 'dead');
    await first.stop(5_000);
    expect((await store.retryDead(id, new Date())).outcome).toBe('requeued');
    worker().wake();
    expect((await notificationReaching(store, id, 'sent'))?.status).toBe('sent');
    expect(topLevel()).toHaveLength(1);
    expect(dead?.lastError).toContain(MAY_HAVE_POSTED);
    expect(slack.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'conversations.history']);
  });

  it("a channel routed by name is read by the id the store recorded from another group's message there, in a process that never posted there", async () => {
    const byName: Target = { type: 'slack', channel: '#payments-alerts' };
    const earlier = await enqueueNew('posted-g0', byName);
    const first = worker(slack.url, 1);
    expect((await notificationReaching(store, earlier, 'sent'))?.status).toBe('sent');
    slack.respondWith([{ applyThen: 'hang' }]);
    const id = await enqueueNew('posted-g5', byName);
    first.wake();
    expect((await notificationReaching(store, id, 'dead'))?.status).toBe('dead');
    await first.stop(5_000);
    expect((await store.retryDead(id, new Date())).outcome).toBe('requeued');
    worker().wake();
    expect((await notificationReaching(store, id, 'sent'))?.status).toBe('sent');
    expect(topLevel()).toHaveLength(2);
    expect(slack.requests.at(-1)).toMatchObject({ method: 'conversations.history', body: { channel: CHANNEL_ID } });
    expect(await lookups('found')).toBe(1);
  });

  it('a read Slack refuses (missing_scope) posts again, and says so in a line and the metric', async () => {
    slack.respondWith([{ applyThen: 'hang' }, { slackError: 'missing_scope' }]);
    const id = await enqueueNew('posted-g3');
    worker();
    expect((await notificationReaching(store, id, 'sent'))?.status).toBe('sent');
    expect(slack.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'conversations.history', 'chat.postMessage']);
    // The duplicate this cannot prevent without the scope.
    expect(topLevel()).toHaveLength(2);
    expect(await lookups('failed')).toBe(1);
    expect(await lookups('found')).toBe(0);
    const line = logs.lines.find((l) => (l.obj as { result?: string }).result === 'failed');
    expect(line).toMatchObject({ level: 'warn', obj: { deliveryId: id, channel: CHANNEL_ID, slackError: 'missing_scope' } });
    expect(logs.text()).not.toContain(TOKEN);
  });

  it('a post cut by shutdown after its request was sent is handed back saying it may have posted: the next replica finds it', async () => {
    slack.respondWith([{ applyThen: 'hang' }]);
    const id = await enqueueNew('posted-g6');
    const first = worker();
    await slack.waitFor((r) => r.method === 'chat.postMessage');
    // The shutdown's deadline passes while the post waits for its answer.
    await first.stop(0);
    const handedBack = await store.getNotification(id);
    // Handed back untried (the attempt given back), but no longer silent about the post.
    expect(handedBack).toMatchObject({ status: 'pending', attempts: 0 });
    expect(handedBack?.lastError).toContain(MAY_HAVE_POSTED);
    worker().wake();
    expect((await notificationReaching(store, id, 'sent'))?.status).toBe('sent');
    expect(topLevel()).toHaveLength(1);
    expect(slack.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'conversations.history']);
    expect(await lookups('found')).toBe(1);
  });

  /** A post that may have posted: the item dead after it (one attempt), then `before` is run and the item requeued. */
  async function requeuedAfterUnansweredPost(groupId: string, before: () => Promise<unknown> = () => Promise.resolve()): Promise<number> {
    slack.respondWith([{ applyThen: 'hang' }]);
    const id = await enqueueNew(groupId);
    const first = worker(slack.url, 1);
    expect((await notificationReaching(store, id, 'dead'))?.lastError).toContain(MAY_HAVE_POSTED);
    await first.stop(5_000);
    await before();
    expect((await store.retryDead(id, new Date())).outcome).toBe('requeued');
    return id;
  }

  /** Then the item, requeued, is delivered by a worker that reads first and finds the post: still one message. */
  async function foundByTheNextWorker(id: number): Promise<void> {
    expect((await store.retryDead(id, new Date())).outcome).toBe('requeued');
    worker().wake();
    expect((await notificationReaching(store, id, 'sent'))?.status).toBe('sent');
    expect(postsOf(id)).toHaveLength(1);
    expect(slack.requests.at(-1)?.method).toBe('conversations.history');
    expect(await lookups('found')).toBe(1);
  }

  it('an attempt that crashed before any call keeps the note that the earlier post may have been made', async () => {
    const id = await requeuedAfterUnansweredPost('posted-g7');
    const crashing: Notifier = { type: 'slack', notify: () => Promise.reject(new Error('renderer exploded')) };
    const second = startTestWorker({ store, notifiers: { slack: crashing, pagerduty: unused }, policy: { baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 10, maxAttempts: 1 } });
    workers.push(second);
    second.wake();
    const crashed = await notificationReaching(store, id, 'dead');
    expect(crashed?.lastError).toMatch(/^delivery crashed: renderer exploded/);
    expect(crashed?.lastError).toContain(MAY_HAVE_POSTED);
    await second.stop(5_000);
    await foundByTheNextWorker(id);
  });

  it('an attempt cut by its lease before its first call keeps the note that the earlier post may have been made', async () => {
    // Another group's post to the channel, due before the requeued item, claimed with it: it takes
    // the channel's one token and, the pacer's clock standing still, the item's slot is 2 s away,
    // past its 1 s lease, so that delivery is cut before any call.
    // Which of the two is claimed first varies: when it is the requeued item, it has the token
    // but too little of its lease left to read before posting, and is cut before any call too.
    const id = await requeuedAfterUnansweredPost('posted-g8', () => enqueueNew('posted-g9'));
    const at = Date.now();
    const pacer = new ChannelPacer({ ratePerSecond: 0.5, burst: 1, now: () => at });
    const cutting = worker(slack.url, 1, { pacer, leaseMs: 1_000, concurrency: 2, receiverConcurrency: 2 });
    cutting.wake();
    const cut = await notificationReaching(store, id, 'dead');
    expect(cut?.lastError).toMatch(/cut before its first call \(nothing was sent\)|conversations\.history: not read: \d+ ms of the delivery's lease left/);
    expect(cut?.lastError).toContain(MAY_HAVE_POSTED);
    await cutting.stop(5_000);
    await foundByTheNextWorker(id);
  });

  it('a read Slack rate-limits (HTTP 429) is not followed by a post: the attempt fails keeping the note, and the next one finds the message', async () => {
    slack.respondWith([{ applyThen: 'hang' }, { status: 429, headers: { 'retry-after': '1' } }]);
    const id = await enqueueNew('posted-g10');
    worker();
    const sent = await notificationReaching(store, id, 'sent');
    expect(sent).toMatchObject({ status: 'sent', attempts: 3 });
    expect(slack.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'conversations.history', 'conversations.history']);
    expect(postsOf(id)).toHaveLength(1);
    expect(await lookups('deferred')).toBe(1);
    expect(await lookups('found')).toBe(1);
    expect(sent?.lastError).toMatch(/^slack conversations\.history: rate limited \(HTTP 429\)/);
    expect(sent?.lastError).toContain(MAY_HAVE_POSTED);
  });

  it("gives the notifier its lease's deadline: a lookup with no room left for the post before it is not made, and nothing is posted", async () => {
    // A 1.5 s lease leaves the 300 ms post its room, not a read and a post (2 × 300 ms + 1 s).
    slack.respondWith([{ applyThen: 'hang' }]);
    const id = await enqueueNew('posted-g11');
    worker(slack.url, 2, { leaseMs: 1_500 });
    const dead = await notificationReaching(store, id, 'dead');
    expect(dead?.lastError).toMatch(/^slack conversations\.history: not read: \d+ ms of the delivery's lease left/);
    expect(dead?.lastError).toContain(MAY_HAVE_POSTED);
    expect(slack.requests.map((r) => r.method)).toEqual(['chat.postMessage']);
    expect(await lookups('deferred')).toBe(1);
  });

  it('a refused connection cannot have posted: the retry posts without a read', async () => {
    const id = await enqueueNew('posted-g4');
    // Nothing listens there: the first attempt is refused.
    const refusing = worker(`http://127.0.0.1:${await freeTcpPort()}/api/`, 1);
    const dead = await notificationReaching(store, id, 'dead');
    expect(dead?.lastError).toMatch(/ECONNREFUSED/);
    expect(dead?.lastError).not.toContain(MAY_HAVE_POSTED);
    await refusing.stop(5_000);
    expect((await store.retryDead(id, new Date())).outcome).toBe('requeued');
    worker().wake();
    expect((await notificationReaching(store, id, 'sent'))?.status).toBe('sent');
    expect(slack.requests.map((r) => r.method)).toEqual(['chat.postMessage']);
    expect(topLevel()).toHaveLength(1);
    for (const result of ['found', 'not_found', 'failed', 'channel_unresolved']) expect(await lookups(result)).toBe(0);
  });
});
