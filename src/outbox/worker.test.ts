/**
 * The outbox worker against a real (in-memory) SQLite store: a notifier that throws is treated as
 * a retryable failure with backoff, and the notification goes dead when the budget is spent —
 * never a silent loop.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { Notifier } from '../delivery/notifier.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { LeaseOffer, Store } from '../store/store.js';
import { PAGERDUTY, SLACK, SLACK_LOW, group, notification } from '../store/contract/fixtures.case.js';
import type { ReceiverType, Target } from '../model/target.js';
import { enqueueMessage } from '../pipeline/enqueue-message.js';
import { readSettings } from '../config/env.js';
import { targetKey } from '../model/target.js';
import { createMetrics } from '../metrics/metrics.js';
import { ChannelPacer } from './channel-pacer.js';
import { deliveryBudgetMs } from './delivery-deadline.js';
import type { OutboxMetrics, OutboxWorker } from './worker.js';
import { notificationReaching, startTestWorker, TEST_RETRY_POLICY } from './test-worker.case.js';

let store: Store;
let worker: OutboxWorker;
afterEach(async () => {
  await worker?.stop(1000);
  await store?.close();
});

const crashing: Notifier = {
  type: 'slack',
  notify: () => Promise.reject(new Error('renderer exploded')),
};
const unused: Notifier = { type: 'pagerduty', notify: () => Promise.resolve({ ok: true }) };

/** One Slack notification of a new group per name, enqueued in `store`: their ids, in order. */
async function enqueueSlackPosts(names: readonly string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const name of names) {
    const g = group(name);
    const [n] = await store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, SLACK)] }]);
    ids.push(n!.id);
  }
  return ids;
}

/** A Slack notifier that posts at once, recording each delivery's id in `delivered`. */
function recordingSlack(delivered: number[]): Notifier {
  return {
    type: 'slack',
    notify: (d) => {
      delivered.push(d.id);
      return Promise.resolve({ ok: true, slackRef: { channel: 'C1', ts: `${d.id}.0` } });
    },
  };
}

describe('OutboxWorker', () => {
  it('a crashing notifier is retried with backoff, then the notification is dead with the reason', async () => {
    store = openSqliteStore(':memory:');
    await enqueueMessage(store, { team: 'payments', channel: '#payments-alerts', key: 'k1', message: { text: 'hello' } });
    worker = startTestWorker({
      store,
      notifiers: { slack: crashing, pagerduty: unused },
      owner: 'test',
      pollMs: 5,
    });
    const deadline = Date.now() + 5000;
    let status: string | undefined;
    while (Date.now() < deadline) {
      const page = await store.listNotifications({ limit: 10 });
      status = page.items[0]?.status;
      if (status === 'dead') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const [n] = (await store.listNotifications({ limit: 10 })).items;
    expect(n).toMatchObject({ status: 'dead', attempts: 3 });
    expect(n!.lastError).toBe('delivery crashed: renderer exploded');
  });

  it("a crashed delivery is counted before its outcome is stored, as every other outcome: who sees it stored sees the count", async () => {
    store = openSqliteStore(':memory:');
    const [id] = await enqueueSlackPosts(['crash-counted']);
    const metrics = createMetrics({ defaultMetrics: false });
    // The stored status at the moment each outcome is counted (the store reads at the call).
    const storedWhenCounted: (string | undefined)[] = [];
    const counting: OutboxMetrics = {
      ...metrics,
      notifications: {
        inc: (labels) => {
          void store.getNotification(id!).then((n) => storedWhenCounted.push(n?.status));
          metrics.notifications.inc(labels);
        },
      },
    };
    worker = startTestWorker({ store, metrics: counting, notifiers: { slack: crashing, pagerduty: unused }, policy: { ...TEST_RETRY_POLICY, maxAttempts: 1 } });
    expect((await notificationReaching(store, id!, 'dead'))?.status).toBe('dead');
    // Before: counted only once markFailed had answered, after the API (or a test) could see it dead.
    expect(storedWhenCounted).toEqual(['pending']);
    expect(await metrics.registry.metrics()).toContain('alertgate_notifications_total{team="payments",receiver="slack",outcome="dead"} 1');
  });
});

describe('OutboxWorker hand-off', () => {
  /** A Slack notifier that records what it delivers and can be held until released. */
  function recordingSlack() {
    const delivered: number[] = [];
    let hold: Promise<void> = Promise.resolve();
    let release = () => {};
    const notifier: Notifier = {
      type: 'slack',
      notify: async (d) => {
        await hold;
        delivered.push(d.id);
        return { ok: true, slackRef: { channel: 'C1', ts: `${d.id}.0` } };
      },
    };
    return {
      notifier,
      delivered,
      holdAll: () => (hold = new Promise<void>((r) => (release = r))),
      release: () => release(),
    };
  }

  function startWorker(slack: Notifier, concurrency = 8): OutboxWorker {
    // startTestWorker's poll is far beyond the test: only a hand-off or a wake-up starts a delivery.
    // Every slot may go to Slack: these tests count slots, not receivers' shares.
    worker = startTestWorker({
      store,
      notifiers: { slack, pagerduty: unused },
      concurrency,
      receiverConcurrency: concurrency,
    });
    return worker;
  }

  async function write(id: string, offer?: LeaseOffer) {
    const g = group(id);
    return store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, SLACK)] }], offer ? { lease: offer } : {});
  }

  async function statusOf(id: number): Promise<string | undefined> {
    for (let i = 0; i < 500; i++) {
      const n = await store.getNotification(id);
      if (n?.status === 'sent') return n.status;
      await new Promise((r) => setImmediate(r));
    }
    return (await store.getNotification(id))?.status;
  }

  it('delivers what a write leased to it without a claim or a wake-up; an item written without an offer waits for one', async () => {
    store = openSqliteStore(':memory:');
    const slack = recordingSlack();
    const w = startWorker(slack.notifier);
    const offer = w.offer();
    expect(offer).toMatchObject({ owner: 'local', max: 1 });
    const [handed] = await write('g1', offer);
    w.settle(offer!, [handed!]);
    expect(await statusOf(handed!.id)).toBe('sent');
    const [waiting] = await write('g2');
    expect(await statusOf(waiting!.id)).toBe('pending');
    w.wake();
    expect(await statusOf(waiting!.id)).toBe('sent');
    expect(slack.delivered).toEqual([handed!.id, waiting!.id]);
  });

  it('offers only free slots: reserved and busy slots count against its concurrency', async () => {
    store = openSqliteStore(':memory:');
    const slack = recordingSlack();
    const w = startWorker(slack.notifier, 2);
    slack.holdAll();
    const first = w.offer()!;
    const second = w.offer()!;
    expect(w.offer()).toBeUndefined();
    const [a] = await write('g1', first);
    w.settle(first, [a!]);
    // The second write failed: its slot comes back unused.
    w.settle(second, []);
    const third = w.offer();
    expect(third).toBeDefined();
    w.settle(third!, []);
    slack.release();
    expect(await statusOf(a!.id)).toBe('sent');
  });

  it("measures a hand-off's deadline from the lease's start, not from when its write answered", async () => {
    // The lease's clock starts when the write begins; under load (PostgreSQL waiting for a pooled
    // connection, SQLite for its group commit) the write answers long after. Before, the deadline
    // ran from the answer and could end after the lease: another replica claimed the item while
    // this one was still sending it.
    store = openSqliteStore(':memory:');
    // The deadline the notifier is given is checked, not when its cut landed: a timer a loaded
    // machine fires late made the cut's time race the lease's end (a 300 ms margin), while the
    // deadline is exact. The old deadline, counted from the answer, ends 1.2 s past the lease.
    const LEASE_MS = 3_000;
    const WRITE_ANSWERS_AFTER_MS = 1_200;
    let deadlineAt: number | undefined;
    const hanging: Notifier = {
      type: 'slack',
      notify: (d, signal) => {
        deadlineAt = d.deadlineAt;
        return new Promise((resolve) => signal?.addEventListener('abort', () => resolve({ ok: false, retryable: true, error: 'aborted' })));
      },
    };
    worker = startTestWorker({ store, notifiers: { slack: hanging, pagerduty: unused }, leaseMs: LEASE_MS });
    const offer = worker.offer()!;
    // The lease starts at the offer (the write begins with it): no later than now.
    const offeredBy = Date.now();
    const [handed] = await write('g1', offer);
    // The write's answer comes late (a slow store): the lease has been running meanwhile.
    await new Promise((r) => setTimeout(r, WRITE_ANSWERS_AFTER_MS));
    worker.settle(offer, [handed!]);
    const failed = await notificationReaching(store, handed!.id, 'failed');
    expect(failed?.lastError).toMatch(new RegExp(`^delivery cut after \\d+ ms of its ${LEASE_MS} ms lease`));
    // Counted from the lease's start, a margin before its end (before: about 1.2 s after it).
    expect(deadlineAt! - offeredBy).toBeLessThanOrEqual(deliveryBudgetMs(LEASE_MS));
  });

  it('stop waits for a write holding an offer and delivers what it leased', async () => {
    store = openSqliteStore(':memory:');
    const slack = recordingSlack();
    const w = startWorker(slack.notifier);
    const offer = w.offer()!;
    const stopped = w.stop(5_000);
    const [handed] = await write('g1', offer);
    w.settle(offer, [handed!]);
    await stopped;
    expect(slack.delivered).toEqual([handed!.id]);
    expect((await store.getNotification(handed!.id))?.status).toBe('sent');
  });
});

describe('OutboxWorker per-receiver concurrency', () => {
  /** PagerDuty whose calls hang until aborted (a receiver timing out); `calls` counts them. */
  function hangingPagerDuty() {
    const counter = { calls: 0 };
    const notifier: Notifier = {
      type: 'pagerduty',
      notify: (_d, signal) => {
        counter.calls++;
        return new Promise((resolve) => signal?.addEventListener('abort', () => resolve({ ok: false, retryable: true, error: 'aborted' })));
      },
    };
    return { notifier, counter };
  }

  /** Slack answering at once; `onCall` sees each delivery first. */
  const answeringSlack = (onCall: () => void = () => {}): Notifier => ({
    type: 'slack',
    notify: (d) => {
      onCall();
      return Promise.resolve({ ok: true, slackRef: { channel: 'C2', ts: `${d.id}.0` } });
    },
  });

  /** A new group with one notification to `target`, written without an offer (it waits for a claim). */
  async function writeTo(id: string, target: Target) {
    const g = group(id);
    const [n] = await store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, target)] }]);
    return n!;
  }

  /** Four slots, default shares, no poll within a test: only claims started by events deliver. */
  function startFourSlots(notifiers: Record<ReceiverType, Notifier>): OutboxWorker {
    worker = startTestWorker({
      store,
      notifiers,
      concurrency: 4,
    });
    return worker;
  }

  async function untilSent(id: number): Promise<string | undefined> {
    for (let i = 0; i < 500 && (await store.getNotification(id))?.status !== 'sent'; i++) await new Promise((r) => setImmediate(r));
    return (await store.getNotification(id))?.status;
  }

  it('reads OUTBOX_RECEIVER_CONCURRENCY: half of OUTBOX_CONCURRENCY by default, never above it', () => {
    expect(readSettings({}, '/srv')).toMatchObject({ outboxConcurrency: 8, outboxReceiverConcurrency: 4 });
    expect([1, 2, 3, 4, 5, 32].map((n) => readSettings({ OUTBOX_CONCURRENCY: String(n) }, '/srv').outboxReceiverConcurrency)).toEqual([1, 1, 2, 2, 3, 16]);
    expect(readSettings({ OUTBOX_CONCURRENCY: '32', OUTBOX_RECEIVER_CONCURRENCY: '32' }, '/srv').outboxReceiverConcurrency).toBe(32);
    expect(() => readSettings({ OUTBOX_RECEIVER_CONCURRENCY: '9' }, '/srv')).toThrow('OUTBOX_RECEIVER_CONCURRENCY (9) must not exceed OUTBOX_CONCURRENCY (8)');
    expect(() => readSettings({ OUTBOX_RECEIVER_CONCURRENCY: '0' }, '/srv')).toThrow('OUTBOX_RECEIVER_CONCURRENCY must be an integer >= 1');
  });

  it('a receiver at its share keeps every slot of it busy: each ended delivery starts the next one', async () => {
    // A file database: claims go to the writer thread, so deliveries end while a claim is out.
    const dir = await mkdtemp(path.join(tmpdir(), 'alertgate-worker-'));
    store = openSqliteStore(path.join(dir, 'outbox.db'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    let inFlight = 0;
    let most = 0;
    const slack: Notifier = {
      type: 'slack',
      notify: async (d) => {
        most = Math.max(most, ++inFlight);
        // Uneven call times, as a real receiver's: deliveries end one by one.
        await new Promise((r) => setTimeout(r, 1 + (d.id % 4)));
        inFlight--;
        return { ok: true, slackRef: { channel: 'C1', ts: `${d.id}.0` } };
      },
    };
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) ids.push((await writeTo(`g${i}`, SLACK)).id);
    startFourSlots({ slack, pagerduty: unused });
    const sent = async () => (await Promise.all(ids.map((id) => store.getNotification(id)))).filter((n) => n?.status === 'sent').length;
    for (let i = 0; i < 400 && (await sent()) < ids.length; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await sent()).toBe(ids.length);
    // PagerDuty has nothing due: Slack may use all four slots but one.
    expect(most).toBe(3);
  });

  it('a receiver that hangs holds at most its share of the slots; the other keeps being delivered', async () => {
    store = openSqliteStore(':memory:');
    const pagerduty = hangingPagerDuty();
    // How many pages were hanging as each Slack message went out.
    const pagesHangingAtPost: number[] = [];
    const slack = answeringSlack(() => pagesHangingAtPost.push(pagerduty.counter.calls));
    // The pages are the oldest items: a claim without a bound would give them every slot.
    for (let i = 0; i < 6; i++) await writeTo(`paged${i}`, PAGERDUTY);
    const posts = [await writeTo('post0', SLACK), await writeTo('post1', SLACK_LOW), await writeTo('post2', SLACK)];
    startFourSlots({ slack, pagerduty: pagerduty.notifier });
    for (const n of posts) expect(await untilSent(n.id)).toBe('sent');
    // While Slack had items due, pages held their share, two of the four slots, and no more.
    expect(pagesHangingAtPost).toHaveLength(3);
    expect(Math.max(...pagesHangingAtPost)).toBe(2);
    await worker.stop(10);
  });

  it('a delivery cut short by shutdown is handed back untried: on its last attempt it is pending again, not dead', async () => {
    store = openSqliteStore(':memory:');
    const pagerduty = hangingPagerDuty();
    const page = await writeTo('cut-short', PAGERDUTY);
    worker = startTestWorker({
      store,
      notifiers: { slack: answeringSlack(), pagerduty: pagerduty.notifier },
      policy: { ...TEST_RETRY_POLICY, maxAttempts: 1 },
      concurrency: 4,
    });
    for (let i = 0; i < 500 && pagerduty.counter.calls < 1; i++) await new Promise((r) => setImmediate(r));
    expect(pagerduty.counter.calls).toBe(1);
    await worker.stop(10);
    expect(await store.getNotification(page.id)).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
  });

  it('a receiver alone uses all slots but one; the one left serves the other receiver\'s next item at once', async () => {
    store = openSqliteStore(':memory:');
    const pagerduty = hangingPagerDuty();
    for (let i = 0; i < 6; i++) await writeTo(`paged${i}`, PAGERDUTY);
    const w = startFourSlots({ slack: answeringSlack(), pagerduty: pagerduty.notifier });
    for (let i = 0; i < 500 && pagerduty.counter.calls < 3; i++) await new Promise((r) => setImmediate(r));
    // Nothing of Slack's is due: PagerDuty may take three of the four slots (its share is two).
    expect(pagerduty.counter.calls).toBe(3);
    const post = await writeTo('post', SLACK);
    w.wake();
    expect(await untilSent(post.id)).toBe('sent');
    expect(pagerduty.counter.calls).toBe(3);
    await w.stop(10);
  });
});

describe('OutboxWorker pacing', () => {
  it('a delivery deferred for its channel slot takes no slot: the next one is where the calls made left it', async () => {
    // Both clocks stand still, so no slot comes free and no deferred item comes due again: what
    // the channel's queue holds afterwards is what the worker took from it, with no wall-clock
    // slack (the gateway-pacing backlog test measures the same end to end).
    // One call per 10 s, burst 2: two posts now, the third slot 10 s away, past the 5 s a
    // delivery may wait for it, so the other four are deferred.
    const at = new Date(Date.now() + 60_000);
    const pacer = new ChannelPacer({ ratePerSecond: 0.1, burst: 2, now: () => at.getTime() });
    store = openSqliteStore(':memory:');
    const ids = await enqueueSlackPosts(Array.from({ length: 6 }, (_, i) => `paced${i}`));
    const delivered: number[] = [];
    const slack = recordingSlack(delivered);
    // One claim takes all six (eight slots, all Slack's); no poll within the test.
    worker = startTestWorker({
      store,
      notifiers: { slack, pagerduty: unused },
      concurrency: 8,
      receiverConcurrency: 8,
      pacer,
      now: () => at,
    });
    const records = () => Promise.all(ids.map((id) => store.getNotification(id)));
    await vi.waitFor(
      async () => {
        // Sent, or handed back to a time after the clocks' (written, they are due before it).
        const done = (await records()).filter((n) => n?.status === 'sent' || Date.parse(n?.nextAttemptAt ?? '') > at.getTime());
        expect(done).toHaveLength(6);
      },
      { timeout: 10_000, interval: 5 },
    );
    const all = await records();
    expect(delivered).toHaveLength(2);
    const deferred = all.filter((n) => n?.status !== 'sent');
    // Each deferred untried to the channel's next free slot, 10 s on, not queued behind one
    // another's tokens (10, 20, 30, 40 s when a deferral took a slot).
    expect(deferred.map((n) => ({ status: n?.status, attempts: n?.attempts, nextAttemptAt: n?.nextAttemptAt }))).toEqual(
      Array(4).fill({ status: 'pending', attempts: 0, nextAttemptAt: new Date(at.getTime() + 10_000).toISOString() }),
    );
    // And the channel's next call is due 10 s on: the two calls made took its burst, the four
    // deferrals nothing (a token each pushed it to 50 s).
    expect(pacer.reserveWithin(targetKey(SLACK), 60_000)).toEqual({ waitsMs: [10_000] });
  });
});

describe('OutboxWorker lease cut before the first call', () => {
  it('uses an attempt: an item whose lease runs out before its first call goes dead in time, not round for ever', async () => {
    // Two posts to one channel claimed together; the channel's one token goes to the first, so
    // the second's slot is 2 s away (the pacer's clock standing still), past its 1 s lease: cut
    // before any call. In production the same cut follows claims or a hand-off write eating most
    // of the lease. Before, the cut item was handed back untried and due at once, its attempt
    // given back: claimed, cut and handed back again for as long as that went on, never dead.
    const at = Date.now();
    const pacer = new ChannelPacer({ ratePerSecond: 0.5, burst: 1, now: () => at });
    store = openSqliteStore(':memory:');
    const ids = await enqueueSlackPosts(['first', 'second']);
    const delivered: number[] = [];
    const slack = recordingSlack(delivered);
    // On its last attempt: one cut that counts is the end of it.
    worker = startTestWorker({ store, notifiers: { slack, pagerduty: unused }, pacer, leaseMs: 1_000, concurrency: 2, receiverConcurrency: 2, policy: { ...TEST_RETRY_POLICY, maxAttempts: 1 } });
    expect((await notificationReaching(store, ids[0]!, 'sent'))?.status).toBe('sent');
    const cut = await notificationReaching(store, ids[1]!, 'dead', 3_000);
    expect(cut).toMatchObject({ status: 'dead', attempts: 1 });
    expect(cut!.lastError).toMatch(/^delivery cut after \d+ ms of its 1000 ms lease \(OUTBOX_LEASE_MS\), so that no other worker takes it over while it is still sending: cut before its first call \(nothing was sent\)$/);
    expect(delivered).toEqual([ids[0]]);
  });
});

describe('OutboxWorker with more than 10 deliveries in flight', () => {
  it('warns of no listener leak: every call listens on the one shutdown signal', async () => {
    store = openSqliteStore(':memory:');
    for (let i = 0; i < 16; i++) await enqueueMessage(store, { team: 'payments', channel: `#c${i}`, key: `k${i}`, message: { text: 'hello' } });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    onTestFinished(() => void process.off('warning', onWarning));
    let inFlight = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let allInFlight!: () => void;
    const sixteen = new Promise<void>((resolve) => (allInFlight = resolve));
    const slack: Notifier = {
      type: 'slack',
      notify: async (_d, signal) => {
        // As http-post does for every call.
        const onAbort = () => undefined;
        signal?.addEventListener('abort', onAbort);
        if (++inFlight === 16) allInFlight();
        await released;
        signal?.removeEventListener('abort', onAbort);
        return { ok: true, slackRef: { channel: 'C1', ts: '1.0' } };
      },
    };
    worker = startTestWorker({
      store,
      notifiers: { slack, pagerduty: unused },
      owner: 'test',
      pollMs: 5,
      concurrency: 16,
      receiverConcurrency: 16,
    });
    await sixteen;
    release();
    await worker.stop(1000);
    // Node emits 'warning' on the next tick after the listener that crosses its limit.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
