/**
 * @module outbox/worker
 * Delivers what the outbox holds: claims due notifications (with a lease, so a crashed worker's
 * items are picked up again), hands each to its receiver's Notifier, and records the outcome with
 * the one retry policy. Items of one group and target are delivered strictly in order (the
 * store only hands out the oldest), so a Slack post always precedes its edits.
 */
import type { Delivery, Notifier } from '../delivery/notifier.js';
import type { Logger } from '../log/logger.js';
import type { NotificationOutcome } from '../metrics/metrics.js';

/** The metrics the worker records: a gateway's Metrics, or the delivery thread's relay of them. */
export interface OutboxMetrics {
  notifications: { inc(labels: { team: string; receiver: ReceiverType; outcome: NotificationOutcome }): void };
  deliveryLatency: { observe(labels: { receiver: ReceiverType }, seconds: number): void };
}
import { targetKey, type ReceiverType } from '../model/target.js';
import type { NotificationRecord, Store } from '../store/store.js';
import type { ChannelPacer } from './channel-pacer.js';
import { nextAttemptDelay, type RetryPolicy } from './retry-policy.js';

import { MAX_PACED_WAIT_MS } from '../config/env.js';

export interface OutboxWorkerOptions {
  store: Store;
  notifiers: Record<ReceiverType, Notifier>;
  policy: RetryPolicy;
  logger: Logger;
  metrics?: OutboxMetrics;
  /** Per-channel pacing of Slack calls (and channel-wide Retry-After). */
  pacer?: ChannelPacer;
  /** Identity of this worker in leases. */
  owner: string;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** A claim is exclusive this long; must exceed a notifier's request timeout. */
  leaseMs?: number;
  /** Longest sleep between looks at the outbox when nothing wakes the worker. */
  pollMs?: number;
  now?: () => Date;
  random?: () => number;
}

export class OutboxWorker {
  private readonly o: Required<Omit<OutboxWorkerOptions, 'metrics' | 'pacer'>> & { metrics?: OutboxMetrics; pacer?: ChannelPacer };
  private running = false;
  private loop?: Promise<void>;
  private inFlight = new Set<Promise<void>>();
  private wakeUp?: () => void;
  private woken = false;
  private readonly abort = new AbortController();

  constructor(opts: OutboxWorkerOptions) {
    this.o = {
      concurrency: 8,
      leaseMs: 60_000,
      pollMs: 500,
      now: () => new Date(),
      random: Math.random,
      ...opts,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Look at the outbox now (called after new notifications were committed). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Stop claiming, let in-flight deliveries finish until `deadlineMs`, then abort them; their
   * leases expire and another worker (or the next start) delivers them: at-least-once.
   */
  async stop(deadlineMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), deadlineMs)));
    const outcome = await Promise.race([Promise.allSettled([...this.inFlight]).then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.o.logger.warn({ inFlight: this.inFlight.size }, 'shutdown deadline reached; aborting in-flight deliveries');
      this.abort.abort();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      const free = this.o.concurrency - this.inFlight.size;
      let claimed: NotificationRecord[] = [];
      // Reset before looking, whether or not a slot is free: a wake-up that arrived while every
      // slot was busy must not turn sleep() into a no-op (a microtask spin that starves I/O).
      this.woken = false;
      if (free > 0) {
        try {
          claimed = await this.o.store.claimDue({
            now: this.o.now(),
            limit: free,
            leaseMs: this.o.leaseMs,
            owner: this.o.owner,
            ...(this.o.pacer ? { excludeTargetKeys: this.o.pacer.blockedKeys() } : {}),
          });
        } catch (err) {
          this.o.logger.error({ err }, 'outbox: could not claim notifications; will retry');
        }
        for (const item of claimed) this.track(this.deliver(item));
      }
      // A full batch may mean more is waiting; otherwise sleep until woken, a slot frees, or the poll.
      if (claimed.length === 0 || claimed.length < free) await this.sleep();
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      this.wakeUp?.();
    });
  }

  private sleep(): Promise<void> {
    if (this.woken || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.o.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  /** Sleep that ends early when shutdown aborts in-flight work. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }

  private async deliver(item: NotificationRecord): Promise<void> {
    const { store, logger, metrics, owner } = this.o;
    const target = item.target;
    const log = logger.child({ notification: item.id, team: item.team, receiver: target.type, group: item.groupId, kind: item.kind });
    // The store counts the claim as the attempt (so a crash-looping item still goes dead).
    const attempt = item.attempts;
    try {
      const delivery: Delivery = { id: item.id, target, group: item.snapshot };
      // A 'new' episode gets a fresh Slack message; every other change edits the existing one.
      if (target.type === 'slack' && item.kind !== 'new') {
        const ref = await store.getSlackRef(item.groupId, target.channel);
        if (ref) delivery.slackRef = ref;
      }
      if (target.type === 'slack' && this.o.pacer) {
        const wait = this.o.pacer.reserve(targetKey(target));
        if (wait > MAX_PACED_WAIT_MS) {
          // The channel is backing off (Retry-After) or far behind: hand the slot back.
          const nextAttemptAt = new Date(this.o.now().getTime() + wait);
          await store.markFailed(item.id, { owner, error: `Slack channel ${target.channel} is rate limited; waiting`, nextAttemptAt });
          log.debug({ waitMs: Math.round(wait) }, 'notification deferred: channel paced');
          return;
        }
        if (wait > 0) await this.pause(wait);
      }
      const result = await this.o.notifiers[target.type].notify(delivery, this.abort.signal);
      const now = this.o.now();
      if (!result.ok && result.retryAfterMs !== undefined && target.type === 'slack') {
        this.o.pacer?.backOff(targetKey(target), result.retryAfterMs);
      }
      // Metrics count what the receiver did, so they are recorded before the outcome is stored:
      // whoever sees the stored outcome (the API, a test) then sees the metric too, even when the
      // worker runs on the delivery thread and its metrics reach the registry by message.
      if (result.ok) {
        const latency = (now.getTime() - Date.parse(item.createdAt)) / 1000;
        metrics?.notifications.inc({ team: item.team, receiver: target.type, outcome: 'sent' });
        metrics?.deliveryLatency.observe({ receiver: target.type }, latency);
        await store.markSent(item.id, { owner, sentAt: now, ...(result.slackRef ? { slackRef: result.slackRef } : {}) });
        log.info({ attempt, latencySeconds: latency }, 'notification sent');
        return;
      }
      const delay = result.retryable ? nextAttemptDelay(this.o.policy, attempt, result.retryAfterMs, this.o.random) : null;
      const nextAttemptAt = delay === null ? null : new Date(now.getTime() + delay);
      metrics?.notifications.inc({ team: item.team, receiver: target.type, outcome: delay === null ? 'dead' : 'failed' });
      await store.markFailed(item.id, { owner, error: result.error, nextAttemptAt });
      if (delay === null) {
        log.error({ attempt, error: result.error, retryable: result.retryable }, 'notification dead: retry budget spent or failure not retryable');
      } else {
        log.warn({ attempt, error: result.error, retryInMs: Math.round(delay) }, 'notification failed; will retry');
      }
    } catch (err) {
      // An unexpected error (a notifier bug, a store hiccup): treat it as a retryable failure, so
      // the item keeps its place, is retried with backoff, and goes dead (visible) when the budget
      // is spent instead of crashing forever. If the store itself is down this fails too, and the
      // lease expiring brings the item back.
      const message = `delivery crashed: ${err instanceof Error ? err.message : String(err)}`;
      const delay = nextAttemptDelay(this.o.policy, attempt, undefined, this.o.random);
      const nextAttemptAt = delay === null ? null : new Date(this.o.now().getTime() + delay);
      log.error({ err, attempt, dead: delay === null }, 'notification delivery crashed; retrying with backoff');
      await store.markFailed(item.id, { owner, error: message, nextAttemptAt }).catch((storeErr: unknown) => {
        log.error({ err: storeErr }, 'could not record the crashed delivery; it is retried when its lease expires');
      });
      metrics?.notifications.inc({ team: item.team, receiver: target.type, outcome: delay === null ? 'dead' : 'failed' });
    }
  }
}
