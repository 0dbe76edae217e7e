/**
 * @module outbox/worker
 * Delivers what the outbox holds: claims due notifications (with a lease, so a crashed worker's
 * items are picked up again), hands each to its receiver's Notifier, and records the outcome with
 * the one retry policy. Items of one group and target are delivered strictly in order (the
 * store only hands out the oldest), so a Slack post always precedes its edits. Its slots are
 * shared between the receivers as outbox/receiver-shares decides.
 */
import { setMaxListeners } from 'node:events';
import type { Delivery, Notifier, SlackRef } from '../delivery/notifier.js';
import type { Logger } from '../log/logger.js';
import type { NotificationOutcome, RateLimitScope } from '../metrics/metrics.js';
import type { PostLookupResult } from '../delivery/slack/post-lookup.js';

/** The metrics the worker records: a gateway's Metrics, or the delivery thread's relay of them. */
export interface OutboxMetrics {
  notifications: { inc(labels: { team: string; receiver: ReceiverType; outcome: NotificationOutcome }): void };
  deliveryLatency: { observe(labels: { receiver: ReceiverType }, seconds: number): void };
  rateLimited: { inc(labels: { team: string; receiver: ReceiverType; scope: RateLimitScope }): void };
  leaseCuts: { inc(labels: { receiver: ReceiverType }): void };
  /** Outcome writes the store answered `not-held` (`claimEnded`). */
  staleOutcomes: { inc(labels: { receiver: ReceiverType }): void };
  /** Counted by the Slack notifier (delivery/slack/post-lookup.ts), not by the worker. */
  slackPostLookups: { inc(labels: { result: PostLookupResult }): void };
}
import { targetKey, type ReceiverType } from '../model/target.js';
import type { ClaimHeld, ClaimOptions, LeaseOffer, NotificationRecord, OutcomeWrite, Store } from '../store/store.js';
import { firstSlackMethod, slackCallCount, WORKSPACE_LIMITED_METHODS } from '../delivery/slack/calls.js';
import { isChannelId } from '../delivery/slack/post-lookup.js';
import { carryingEarlierPosts, MAY_HAVE_POSTED, mayHavePosted } from '../model/post-notes.js';
import { settledWithin } from '../pipeline/settled-within.js';
import type { ChannelPacer } from './channel-pacer.js';
import { SlackSlots } from './slack-slots.js';
import { ReceiverShares, type Room } from './receiver-shares.js';
import { DeliveryDeadline, deliveryBudgetMs } from './delivery-deadline.js';
import { nextAttemptDelay, type RetryPolicy } from './retry-policy.js';
import { FailureStreakLog } from '../log/failure-streak.js';

import { MAX_PACED_WAIT_MS, receiverConcurrencyFor } from '../config/env.js';

/**
 * After a shutdown's deadline aborted the deliveries in flight, how long they get to hand their
 * items back (or record what the receiver answered) before the shutdown gives up on them. Ample
 * for a store that answers (a write or two each); a delivery given up while recording its
 * outcome is repeated after its lease, so not shorter than the uptime reports' abandon wait,
 * which bounds the shutdown anyway.
 */
export const HAND_BACK_WAIT_MS = 1_000;

/** Waits before writing an attempt's outcome (sent, failed) again, after the store failed the write. */
const RECORD_OUTCOME_RETRY_MS = [100, 1_000, 5_000];

/**
 * Waits before claiming again after a claim failed (the store unreachable): doubling from the
 * first, reset by a claim that answers. At the poll's pace a replica tried twice a second for the
 * whole outage; the longest wait bounds how long deliveries wait once the store is back.
 */
export const CLAIM_RETRY_MS = { first: 500, max: 5_000 };

/**
 * The error of an attempt that made no call or whose outcome is unknown here (cut before its
 * first call, a crash), keeping the note that an earlier attempt's Slack post may have been made
 * (delivery/slack/post-lookup.ts) when the item's previous error had it: nothing settled it, so
 * the next attempt must still look before posting. Without it, that attempt posted again.
 */
export function keepingPostedNote(item: NotificationRecord, error: string): string {
  return mayHavePosted(item.lastError ?? undefined) && !mayHavePosted(error) ? `${error} — ${MAY_HAVE_POSTED}` : error;
}

/** What a receiver's rate limit on `call` covers (held below only when the answer says for how long). */
function rateLimitScope(receiver: ReceiverType, call: string): RateLimitScope {
  if (receiver === 'pagerduty') return 'routing_key';
  return WORKSPACE_LIMITED_METHODS.has(call) ? 'workspace' : 'channel';
}

export interface OutboxWorkerOptions {
  store: Store;
  notifiers: Record<ReceiverType, Notifier>;
  policy: RetryPolicy;
  logger: Logger;
  metrics?: OutboxMetrics;
  /**
   * Per-channel pacing of Slack calls (and channel-wide or workspace-wide Retry-After), and a
   * PagerDuty team's hold after a 429.
   */
  pacer?: ChannelPacer;
  /** Identity of this worker in leases. */
  owner: string;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /**
   * Deliveries in flight at once to one receiver (Slack, PagerDuty) while the other has items
   * due, so that a receiver whose calls hang until the timeout holds at most this many of the
   * `concurrency` slots and the other keeps the rest. While the other has nothing due, a receiver
   * may use every slot but one (kept for the other's next item). Default:
   * `receiverConcurrencyFor(concurrency)`.
   */
  receiverConcurrency?: number;
  /**
   * A claim is exclusive this long; must exceed a notifier's request timeout. A delivery is cut
   * shortly before its lease runs out (outbox/delivery-deadline), so no other worker claims an
   * item still being sent.
   */
  leaseMs?: number;
  /** Longest sleep between looks at the outbox when nothing wakes the worker. */
  pollMs?: number;
  now?: () => Date;
  random?: () => number;
  /** Monotonic clock (ms) of the failed claims' log lines (log/failure-streak); tests move it on instead of sleeping. */
  logNow?: () => number;
}

export class OutboxWorker {
  private readonly o: Required<Omit<OutboxWorkerOptions, 'metrics' | 'pacer' | 'receiverConcurrency' | 'logNow'>> & { metrics?: OutboxMetrics; pacer?: ChannelPacer };
  /** The failed claims' lines: the first, a reminder at most every 30 s, and when claims work again. */
  private readonly claimFailures: FailureStreakLog;
  /** Ends the wait after a failed claim (`stop`). */
  private endClaimRetryWait?: () => void;
  /** The slots each receiver may fill (`receiverConcurrency`). */
  private readonly shares: ReceiverShares;
  private running = false;
  /** `stop` has returned: the store is about to close, and nothing starts any more. */
  private stopped = false;
  private loop?: Promise<void>;
  private inFlight = new Set<Promise<void>>();
  private wakeUp?: () => void;
  /** Due items may be waiting: claim when a slot is free (the first look, a wake-up, a full claim, the poll). */
  private workWaiting = true;
  /** Slots promised to writes by `offer` and not yet settled. */
  private reserved = 0;
  /** Told when the last reservation is settled (stop waits for it). */
  private allSettled?: () => void;
  private readonly abort = new AbortController();
  /**
   * When each open offer was made (Date.now()), before its write: the store reads its clock for
   * the lease after this, so a deadline measured from here never ends after the lease does, however
   * long the write then waits for a connection or a group commit.
   */
  private readonly offeredAt = new WeakMap<LeaseOffer, number>();

  constructor(opts: OutboxWorkerOptions) {
    this.o = {
      concurrency: 8,
      leaseMs: 60_000,
      pollMs: 500,
      now: () => new Date(),
      random: Math.random,
      ...opts,
    };
    this.claimFailures = new FailureStreakLog({
      logger: this.o.logger,
      failing: 'outbox: could not claim notifications; will retry',
      recovered: 'outbox: claiming notifications works again; recovered',
      ...(opts.logNow ? { now: opts.logNow } : {}),
    });
    const share = Math.max(1, opts.receiverConcurrency ?? receiverConcurrencyFor(this.o.concurrency));
    this.shares = new ReceiverShares(share, Math.max(share, this.o.concurrency - 1));
    // Every delivery in flight (its deadline) listens on the one shutdown signal: past Node's
    // default of 10 listeners (OUTBOX_CONCURRENCY above 10) it would warn of a leak that is not
    // there. Each delivery holds one; the margin is for those ending while others start.
    setMaxListeners(2 * this.o.concurrency + 8, this.abort.signal);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Look at the outbox now (called after new notifications were committed). */
  wake(): void {
    this.workWaiting = true;
    this.shares.newWork();
    this.wakeUp?.();
  }

  /**
   * Stop claiming, let in-flight deliveries finish until `deadlineMs`, then abort them; their
   * leases expire and another worker (or the next start) delivers them: at-least-once.
   * Every wait is bounded, however the store behaves: a claim still waiting on a store that
   * stopped answering (a partition: up to the query timeout, 35 s) is given up at the deadline,
   * and the hand-backs of aborted deliveries get HAND_BACK_WAIT_MS more. Waiting for either
   * with no limit held the shutdown past SHUTDOWN_GRACE_MS and Kubernetes' SIGKILL. Resolves
   * with what was given up (logged here): its items are leased to this worker until their lease
   * expires, and then delivered again.
   */
  async stop(deadlineMs = 10_000): Promise<string[]> {
    if (!this.running) return [];
    const deadline = Date.now() + deadlineMs;
    const left = () => Math.max(0, deadline - Date.now());
    const gaveUp: string[] = [];
    this.running = false;
    this.wake();
    this.endClaimRetryWait?.();
    if (!(await settledWithin(this.loop!.then(() => true), left(), false))) {
      gaveUp.push('outbox claim');
      this.o.logger.warn({ deadlineMs }, 'shutdown: the outbox claim still waiting on the store at the deadline was given up; what it claims is not delivered here (its lease expires and it is delivered again)');
    }
    // Writes still holding an offer may yet hand items over: those are in flight too.
    const settled = this.reserved === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.allSettled = resolve));
    const finished = settled.then(() => Promise.allSettled([...this.inFlight])).then(() => 'done' as const);
    const outcome = await settledWithin(finished, left(), 'timeout' as const);
    if (outcome === 'timeout') {
      this.o.logger.warn({ inFlight: this.inFlight.size }, 'shutdown deadline reached; aborting in-flight deliveries');
      this.abort.abort();
      const handedBack = await settledWithin(Promise.allSettled([...this.inFlight]).then(() => true), HAND_BACK_WAIT_MS, false);
      if (!handedBack) {
        gaveUp.push('deliveries');
        this.o.logger.warn({ inFlight: this.inFlight.size, waitedMs: HAND_BACK_WAIT_MS }, 'shutdown: deliveries still handing back or recording their outcome after the deadline were given up; their leases expire and they are delivered again');
      }
    }
    // From now on nothing starts: a claim or hand-off write answering late only leases items.
    this.stopped = true;
    return gaveUp;
  }

  /**
   * Offer to deliver what the caller's next write enqueues without claiming it (`LeaseOffer`):
   * reserves one free slot until `settle`. Undefined when no slot is free or the worker stops.
   * One slot: most writes enqueue one item; the rest of a write is claimed as before.
   */
  offer(): LeaseOffer | undefined {
    if (!this.running || this.freeSlots() <= 0) return undefined;
    const room = this.shares.room(this.reserved);
    if (room.slack <= 0 && room.pagerduty <= 0) return undefined;
    this.reserved += 1;
    const offer: LeaseOffer = { owner: this.o.owner, leaseMs: this.o.leaseMs, max: 1, ...this.claimFilters(room, 1) };
    this.offeredAt.set(offer, Date.now());
    return offer;
  }

  /**
   * What a claim or lease of up to `limit` items leaves out: paced channels' queues, and beyond
   * its room the items of a receiver whose room is below `limit` (most claims are smaller than a
   * receiver's room, and then nothing is limited).
   */
  private claimFilters(room: Room, limit: number): Pick<ClaimOptions, 'excludeTargetKeys' | 'receiverRoom'> {
    const excluded = this.o.pacer?.blockedKeys() ?? [];
    return {
      ...(excluded.length ? { excludeTargetKeys: excluded } : {}),
      ...(room.slack < limit || room.pagerduty < limit ? { receiverRoom: room } : {}),
    };
  }

  /** The write `offer` was made for ended (`leased`: what it returned, [] if it failed): deliver what was leased to this worker. */
  settle(offer: LeaseOffer, leased: readonly NotificationRecord[]): void {
    this.reserved -= offer.max;
    // Not now: the lease's clock started when the write began, which may be long before it answered.
    const leasedAt = this.offeredAt.get(offer) ?? Date.now();
    this.offeredAt.delete(offer);
    let started = 0;
    for (const item of leased) {
      if (item.leasedTo !== this.o.owner) continue;
      this.track(item, leasedAt);
      started++;
    }
    // Open offers hold both receivers' room: a claim may have waited for this one.
    if (this.shares.offerSettled()) this.workWaiting = true;
    if (started < offer.max && this.workWaiting) this.wakeUp?.();
    if (this.reserved === 0) this.allSettled?.();
  }

  private freeSlots(): number {
    return this.o.concurrency - this.inFlight.size - this.reserved;
  }

  /**
   * Claims only when a slot is free and work may be waiting (`workWaiting`: a wake-up, a full
   * claim, or the poll for retries that came due), so a delivery that ends, or an item handed
   * over by `settle`, does not cost a claim that finds nothing.
   */
  private async run(): Promise<void> {
    while (this.running) {
      const free = this.freeSlots();
      const room = this.shares.room(this.reserved);
      // With no room for either receiver, the next settled offer or ended delivery wakes the loop.
      if (free <= 0 || !this.workWaiting || (room.slack <= 0 && room.pagerduty <= 0)) {
        await this.sleep();
        continue;
      }
      // Cleared before looking: a wake-up that arrives during the claim is not lost.
      this.workWaiting = false;
      let claimed: NotificationRecord[] = [];
      // The claim's lease runs from the `now` it is given: its deliveries' deadlines too.
      const leasedAt = Date.now();
      try {
        claimed = await this.o.store.claimDue({ now: this.o.now(), limit: free, leaseMs: this.o.leaseMs, owner: this.o.owner, ...this.claimFilters(room, free) });
        this.claimFailures.succeeded();
      } catch (err) {
        // A claim the shutdown gave up on fails when the store is closed under it: said already.
        if (this.stopped) continue;
        this.claimFailures.failed(err);
        // What was waiting still is: claim again after the wait, which wake-ups do not cut short
        // (they come from the work waiting, not from the store answering).
        await this.claimRetryWait(Math.min(CLAIM_RETRY_MS.max, CLAIM_RETRY_MS.first * 2 ** (this.claimFailures.failures - 1)));
        this.workWaiting = true;
        continue;
      }
      const claimedOf = { slack: 0, pagerduty: 0 };
      for (const item of claimed) {
        claimedOf[item.target.type] += 1;
        this.track(item, leasedAt);
      }
      // A full batch may mean more is waiting; so may a receiver's items its room passed over.
      if (claimed.length >= free) this.workWaiting = true;
      if (this.shares.claimed(free, room, claimedOf)) this.workWaiting = true;
    }
  }

  /** Deliver `item`, leased at `leasedAt` (Date.now()). */
  private track(item: NotificationRecord, leasedAt: number): void {
    if (this.stopped) {
      // Leased by a claim or hand-off write that answered after the shutdown gave up on it: the
      // store is closing, so nothing is sent; the lease expires and the item is delivered again.
      this.o.logger.info({ notification: item.id }, 'notification leased after the shutdown deadline: not delivered here; delivered again when its lease expires');
      return;
    }
    const receiver = item.target.type;
    this.shares.started(receiver);
    const p = this.deliver(item, leasedAt);
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      if (this.shares.ended(receiver)) this.workWaiting = true;
      if (this.workWaiting) this.wakeUp?.();
    });
  }

  /** The claim `item` was delivered under, which its outcome write names (store.ts `ClaimHeld`). */
  private held(item: NotificationRecord): ClaimHeld {
    return { owner: this.o.owner, claim: item.claim };
  }

  /**
   * An outcome write the store answered `not-held`: the claim it named had ended (its lease ran
   * out and the item was claimed again, by this process or another, or it was released or
   * finished) and nothing was changed, so the current claim, if any, decides the item. Said at
   * warn with the notification (the child logger's fields), the claim and the outcome that was
   * not written, and counted (alertgate_outbox_stale_outcomes_total); the receiver's answer was
   * counted in alertgate_notifications_total already.
   * `afterStoreError`: an earlier try of the same write failed with a store error, which may
   * have been recorded after all (then this is no loss).
   */
  private claimEnded(item: NotificationRecord, outcome: 'sent' | 'failed' | 'dead' | 'handed back', log: Logger, afterStoreError = false): void {
    this.o.metrics?.staleOutcomes.inc({ receiver: item.target.type });
    const fields = { claim: item.claim, attempt: item.attempts, outcome };
    if (afterStoreError) {
      log.warn(fields, 'notification outcome not recorded: the claim no longer holds the notification (an earlier try of this write that reported a store error was recorded after all, or the lease ran out and the notification was claimed again)');
    } else {
      log.warn(fields, 'notification outcome not recorded: its claim had ended (the lease ran out and the notification was claimed again, or it was released); the current claim decides it');
    }
  }

  /** `ms`, or until `stop`. */
  private claimRetryWait(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.endClaimRetryWait?.(), ms);
      this.endClaimRetryWait = () => {
        clearTimeout(timer);
        this.endClaimRetryWait = undefined;
        resolve();
      };
    });
  }

  /** Until woken (`wakeUp`: new work, a freed slot, stop) or the poll, after which work may be due. */
  private sleep(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(() => {
        this.workWaiting = true;
        this.shares.newWork();
        done();
      }, this.o.pollMs);
      this.wakeUp = done;
    });
  }

  /**
   * A delivery cut short by shutdown (`stop` past its deadline) is not the receiver's failure:
   * the item is handed back untried, due at once, without using an attempt. Counted as failed,
   * an item on its last attempt went dead at every restart that caught it in flight. The call may
   * have reached the receiver: the next delivery repeats it (at-least-once). When the cut call was
   * a Slack post whose request had gone out (`error`, the notifier's answer, says it may have
   * posted), that is recorded as the item's last error, so the next attempt, on any replica,
   * looks for the post first; otherwise the last error stays as it was (an earlier note too).
   */
  private async handBackAborted(item: NotificationRecord, log: Logger, error?: string): Promise<void> {
    const lastError = error !== undefined && mayHavePosted(error) ? { lastError: carryingEarlierPosts(item.lastError, `delivery cut short by shutdown: ${error}`) } : {};
    try {
      const written = await this.o.store.defer(item.id, { ...this.held(item), nextAttemptAt: this.o.now(), ...lastError });
      if (written === 'recorded') log.info({ notification: item.id }, 'delivery cut short by shutdown; handed back untried');
      else this.claimEnded(item, 'handed back', log);
    } catch (err) {
      // Past the hand-back wait the shutdown gave up on it (said so) and closed the store under it.
      if (!this.stopped) log.error({ err }, 'could not hand back the delivery cut short by shutdown; it is retried when its lease expires');
    }
  }

  /**
   * Records a delivery the receiver took. A store error here is not the delivery's failure:
   * recorded as one (markFailed, as any other error in `deliver`), the item was sent again, and
   * for Slack the repeat replaced the message ref, leaving the first post FIRING for ever. So the
   * write is retried (after a failover the first query on a pooled connection fails, the next
   * one gets a new connection); if the store stays down, the lease expiring delivers the item
   * again: the one repeat at-least-once allows.
   */
  private recordSent(item: NotificationRecord, sent: { sentAt: Date; slackRef?: SlackRef }, leasedAt: number, log: Logger): Promise<boolean> {
    return this.recordOutcome(item, 'sent', () => this.o.store.markSent(item.id, { ...this.held(item), ...sent }), leasedAt, log, {
      retrying: 'notification delivered but not recorded yet (store error); retrying the write',
      givenUp: 'notification delivered but not recorded (store unavailable; not retried past its lease): it is delivered again when its lease expires',
    });
  }

  /**
   * Records a failed attempt, retried as a delivered one is. A store error here is not the
   * delivery crashing either: taken for one, the failure was written again as `delivery
   * crashed: …`, without the attempt's own error, so a Slack post that may have been made was
   * posted again without looking for it first, and the attempt was counted a second time. If the
   * store stays down, the lease expiring brings the item back, noted as possibly posted.
   */
  private recordFailed(item: NotificationRecord, failed: { error: string; nextAttemptAt: Date | null }, leasedAt: number, log: Logger): Promise<boolean> {
    return this.recordOutcome(item, failed.nextAttemptAt === null ? 'dead' : 'failed', () => this.o.store.markFailed(item.id, { ...this.held(item), ...failed }), leasedAt, log, {
      retrying: 'failed attempt not recorded yet (store error); retrying the write',
      givenUp: 'failed attempt not recorded (store unavailable; not retried past its lease): the notification is retried when its lease expires',
    });
  }

  /**
   * Writes an attempt's outcome, retried while the item's lease (from `leasedAt`) lasts. Not past
   * it: the write names this claim (`ClaimHeld`), and once the lease has run out the item may be
   * claimed again, after which the write changes nothing. Given up, the lease expiring brings
   * the item back, as when the store stays down. True when the outcome was recorded; a write the
   * store answered `not-held` is said at warn (`claimEnded`).
   */
  private async recordOutcome(
    item: NotificationRecord,
    outcome: 'sent' | 'failed' | 'dead',
    write: () => Promise<OutcomeWrite>,
    leasedAt: number,
    log: Logger,
    say: { retrying: string; givenUp: string },
  ): Promise<boolean> {
    const leaseEndsAt = leasedAt + this.o.leaseMs;
    for (let i = 0; ; i++) {
      try {
        if ((await write()) === 'recorded') return true;
        this.claimEnded(item, outcome, log, i > 0);
        return false;
      } catch (err) {
        const waitMs = RECORD_OUTCOME_RETRY_MS[i];
        // Past a shutdown that gave up on it the store is closed: a retry would only keep the process alive.
        if (waitMs === undefined || this.stopped || Date.now() + waitMs >= leaseEndsAt) {
          log.error({ err }, say.givenUp);
          return false;
        }
        log.warn({ err, retryInMs: waitMs }, say.retrying);
        // Not this.pause: a shutdown must not skip recording what was attempted. Unref'd: a
        // shutdown that gave up on it (its own timers hold the process until then) is not kept
        // alive up to 5 s longer by this wait.
        await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
      }
    }
  }

  /**
   * Hand `item` back untried (no attempt, no error: nothing failed) for `waitMs`. A store error
   * here is no failed attempt either: thrown on, it was recorded as `delivery crashed: …` and
   * counted as a failure, for an item nothing was tried for. It stays leased; its lease
   * expiring brings it back.
   */
  private async deferUntried(item: NotificationRecord, waitMs: number, why: string, log: Logger): Promise<void> {
    try {
      if ((await this.o.store.defer(item.id, { ...this.held(item), nextAttemptAt: new Date(this.o.now().getTime() + waitMs) })) === 'not-held') {
        this.claimEnded(item, 'handed back', log);
        return;
      }
    } catch (err) {
      log.warn({ err, why }, 'could not hand the notification back untried (store error); it is claimed again when its lease expires');
      return;
    }
    log.debug({ waitMs: Math.round(waitMs) }, `notification deferred: ${why}`);
  }

  /**
   * The pacing slots of a Slack delivery, once its first call's has come; undefined when the item
   * was handed back untried instead: its channel paced or held by a Retry-After, its first call's
   * method held in the whole workspace (a chat.update 429 in another channel) or released at its
   * pace after that, or the delivery cut before its first call.
   */
  private async slackSlots(item: NotificationRecord, delivery: Delivery, pacer: ChannelPacer, deadline: DeliveryDeadline, leasedAt: number, log: Logger): Promise<SlackSlots | undefined> {
    const method = firstSlackMethod(delivery);
    const reserved = SlackSlots.reserve(pacer, targetKey(delivery.target), slackCallCount(delivery), method, MAX_PACED_WAIT_MS, deadline.pause);
    if ('deferMs' in reserved) {
      // The channel, or the method in every channel, is held (Retry-After) or far behind: hand
      // the item back untried, without a slot, until its next free one.
      await this.deferUntried(item, reserved.deferMs, reserved.why, log);
      return undefined;
    }
    // A 429 Retry-After may have come for the channel, or for the method in every channel, while
    // this item waited for its slot: hand the item back untried (and its slots) until it ends.
    const held = await reserved.first(method);
    if (deadline.signal.aborted) {
      // Cut before the first call (shutdown, or a claim that took most of its lease): nothing was sent.
      reserved.release();
      if (deadline.expired) await this.failCutBeforeFirstCall(item, leasedAt, log);
      else await this.handBackAborted(item, log);
      return undefined;
    }
    if (held > 0) {
      await this.deferUntried(item, held, `channel (or ${method} in every channel) held by a Retry-After`, log);
      return undefined;
    }
    return reserved;
  }

  /**
   * The id Slack gave `channel`, for the read that looks for a post the previous attempt may
   * have made (delivery/slack/post-lookup.ts). A store error is not the delivery's: the read is
   * then skipped (channel_unresolved) rather than the attempt failed, which would drop the note
   * that the post may have been made.
   */
  private async slackChannelId(channel: string, log: Logger): Promise<string | undefined> {
    try {
      return await this.o.store.getSlackChannelId(channel);
    } catch (err) {
      log.warn({ err }, 'could not read the Slack channel id from the store; the post is not looked for first');
      return undefined;
    }
  }

  /**
   * Under one deadline from its lease (outbox/delivery-deadline): every call and pacing wait of
   * the delivery ends before the lease does, so no other worker claims the item while it is
   * still being sent.
   */
  private async deliver(item: NotificationRecord, leasedAt: number): Promise<void> {
    const deadline = new DeliveryDeadline(leasedAt + deliveryBudgetMs(this.o.leaseMs), this.abort.signal);
    try {
      await this.deliverWithin(item, leasedAt, deadline);
    } finally {
      deadline.end();
    }
  }

  /**
   * A delivery its lease deadline cut before its first call (a claim or hand-off write that took
   * most of the lease, then a pacing wait past its end) is a failed attempt, with backoff, though
   * nothing was sent. Handed back untried and due at once, as before, an item whose claims kept
   * eating its lease looped claim, cut, hand back for ever and never went dead.
   */
  private async failCutBeforeFirstCall(item: NotificationRecord, leasedAt: number, log: Logger): Promise<void> {
    const { metrics } = this.o;
    const receiver = item.target.type;
    metrics?.leaseCuts.inc({ receiver });
    const error = carryingEarlierPosts(item.lastError, keepingPostedNote(item, this.cutError(leasedAt, 'cut before its first call (nothing was sent)')));
    const delay = nextAttemptDelay(this.o.policy, item.attempts, undefined, this.o.random);
    const nextAttemptAt = delay === null ? null : new Date(this.o.now().getTime() + delay);
    metrics?.notifications.inc({ team: item.team, receiver, outcome: delay === null ? 'dead' : 'failed' });
    // Retried as any failed attempt's record (recordFailed): a store error taken for a crash
    // counted the attempt twice and wrote it as `delivery crashed: …`.
    if (!(await this.recordFailed(item, { error, nextAttemptAt }, leasedAt, log))) return;
    if (delay === null) log.error({ attempt: item.attempts, error }, 'notification dead: retry budget spent');
    else log.warn({ attempt: item.attempts, error, retryInMs: Math.round(delay) }, 'notification failed; will retry');
  }

  /** A delivery cut by its deadline: a failed attempt that says why (the call may have reached the receiver). */
  private cutError(leasedAt: number, error: string): string {
    const ran = Date.now() - leasedAt;
    return `delivery cut after ${ran} ms of its ${this.o.leaseMs} ms lease (OUTBOX_LEASE_MS), so that no other worker takes it over while it is still sending: ${error}`;
  }

  private async deliverWithin(item: NotificationRecord, leasedAt: number, deadline: DeliveryDeadline): Promise<void> {
    const { store, logger, metrics } = this.o;
    const target = item.target;
    const log = logger.child({ notification: item.id, team: item.team, receiver: target.type, group: item.groupId, kind: item.kind });
    // The store counts the claim as the attempt (so a crash-looping item still goes dead).
    const attempt = item.attempts;
    try {
      const delivery: Delivery = {
        id: item.id,
        target,
        group: item.snapshot,
        lastAttempt: attempt >= this.o.policy.maxAttempts,
        enqueuedAt: item.createdAt,
        deadlineAt: deadline.endsAt,
        // What the previous attempt left: a Slack post that may have posted is looked for first.
        ...(item.lastError === null ? {} : { previousError: item.lastError }),
      };
      if (target.type === 'slack' && mayHavePosted(delivery.previousError) && !isChannelId(target.channel)) {
        const id = await this.slackChannelId(target.channel, log);
        if (id !== undefined) delivery.slackChannelId = id;
      }
      // A 'new' episode gets a fresh Slack message; every other change edits the existing one,
      // an alert group's only if it is its episode's (a new episode a storm digest gathered, or
      // whose post went dead, posts its own rather than edit the last episode's RESOLVED one). A
      // pre-rendered message (a digest) is edited after its `resolved` too (a closed storm's counts).
      if (target.type === 'slack' && item.kind !== 'new') {
        const episode = item.snapshot.message ? undefined : { id: item.id, kind: item.kind };
        const ref = await store.getSlackRef(item.groupId, target.channel, episode);
        if (ref) delivery.slackRef = ref;
      }
      let slots: SlackSlots | undefined;
      if (target.type === 'slack' && this.o.pacer) {
        slots = await this.slackSlots(item, delivery, this.o.pacer, deadline, leasedAt, log);
        // Handed back untried: paced, held by a Retry-After, or cut before its first call.
        if (slots === undefined) return;
      }
      // A 429 for the team's routing key came meanwhile (its other items are no longer claimed).
      const teamHeld = target.type === 'pagerduty' ? (this.o.pacer?.heldFor(targetKey(target)) ?? 0) : 0;
      if (teamHeld > 0) {
        await this.deferUntried(item, teamHeld, "team's PagerDuty sends held after a 429", log);
        return;
      }
      let result = await this.o.notifiers[target.type].notify(delivery, deadline.signal, slots?.next).finally(() => slots?.release());
      const now = this.o.now();
      if (!result.ok && this.abort.signal.aborted) {
        await this.handBackAborted(item, log, result.error);
        return;
      }
      // A final refusal that came before the cut keeps its own reason.
      if (!result.ok && result.retryable && deadline.expired) {
        result = { ...result, error: this.cutError(leasedAt, result.error) };
        metrics?.leaseCuts.inc({ receiver: target.type });
      }
      if (!result.ok && result.retryAfterMs !== undefined && target.type === 'slack') {
        // A workspace-wide method's limit holds that method in every channel; a channel's, the channel.
        if (result.limitedCall !== undefined && WORKSPACE_LIMITED_METHODS.has(result.limitedCall)) this.o.pacer?.methods.hold(result.limitedCall, result.retryAfterMs);
        else this.o.pacer?.backOff(targetKey(target), result.retryAfterMs);
      }
      // Every rate-limit answer, held or not (no Retry-After, a PagerDuty 429 on the last attempt).
      if (!result.ok && result.limitedCall !== undefined) metrics?.rateLimited.inc({ team: item.team, receiver: target.type, scope: rateLimitScope(target.type, result.limitedCall) });
      // Metrics count what the receiver did, so they are recorded before the outcome is stored:
      // whoever sees the stored outcome (the API, a test) then sees the metric too, even when the
      // worker runs on the delivery thread and its metrics reach the registry by message.
      if (result.ok) {
        const latency = (now.getTime() - Date.parse(item.createdAt)) / 1000;
        metrics?.notifications.inc({ team: item.team, receiver: target.type, outcome: 'sent' });
        metrics?.deliveryLatency.observe({ receiver: target.type }, latency);
        if (await this.recordSent(item, { sentAt: now, ...(result.slackRef ? { slackRef: result.slackRef } : {}) }, leasedAt, log)) {
          log.info({ attempt, latencySeconds: latency }, 'notification sent');
        }
        return;
      }
      const delay = result.retryable ? nextAttemptDelay(this.o.policy, attempt, result.retryAfterMs, this.o.random) : null;
      const nextAttemptAt = delay === null ? null : new Date(now.getTime() + delay);
      // PagerDuty's limit is per routing key and its 429 says for how long by no Retry-After: the
      // team's other items wait, untried, as long as this one's backoff.
      if (target.type === 'pagerduty' && result.limitedCall !== undefined && delay !== null) this.o.pacer?.backOff(targetKey(target), delay);
      metrics?.notifications.inc({ team: item.team, receiver: target.type, outcome: delay === null ? 'dead' : 'failed' });
      // A note naming a dead notification's post (a re-send's) stays while the note does.
      if (!(await this.recordFailed(item, { error: carryingEarlierPosts(item.lastError, result.error), nextAttemptAt }, leasedAt, log))) return;
      if (delay === null) {
        log.error({ attempt, error: result.error, retryable: result.retryable }, 'notification dead: retry budget spent or failure not retryable');
      } else {
        log.warn({ attempt, error: result.error, retryInMs: Math.round(delay) }, 'notification failed; will retry');
      }
    } catch (err) {
      if (this.abort.signal.aborted) return this.handBackAborted(item, log);
      // An unexpected error (a notifier bug, a store hiccup): treat it as a retryable failure, so
      // the item keeps its place, is retried with backoff, and goes dead (visible) when the budget
      // is spent instead of crashing forever. If the store itself is down this fails too, and the
      // lease expiring brings the item back.
      const message = carryingEarlierPosts(item.lastError, keepingPostedNote(item, `delivery crashed: ${err instanceof Error ? err.message : String(err)}`));
      const delay = nextAttemptDelay(this.o.policy, attempt, undefined, this.o.random);
      const nextAttemptAt = delay === null ? null : new Date(this.o.now().getTime() + delay);
      log.error({ err, attempt, dead: delay === null }, 'notification delivery crashed; retrying with backoff');
      // Counted before it is stored, as every other outcome (see above); counted after, the API
      // showed it failed or dead while /metrics did not yet.
      metrics?.notifications.inc({ team: item.team, receiver: target.type, outcome: delay === null ? 'dead' : 'failed' });
      await store.markFailed(item.id, { ...this.held(item), error: message, nextAttemptAt }).then(
        (written) => {
          if (written === 'not-held') this.claimEnded(item, delay === null ? 'dead' : 'failed', log);
        },
        (storeErr: unknown) => {
          log.error({ err: storeErr }, 'could not record the crashed delivery; it is retried when its lease expires');
        },
      );
    }
  }
}
