/**
 * @module outbox/delivery-thread-host
 * Runs the outbox worker on a thread of its own (OUTBOX_THREAD=true, SQLite file stores).
 *
 * Why: the event loop that answers Alertmanager also delivers every notification, and a Slack
 * delivery (render the message, the Slack call, parse the answer, record the outcome) costs about
 * as much CPU as accepting the webhook that caused it. During a storm each new group is one of
 * each, so acks queue behind deliveries. Measured at 500 webhooks/s of 10 alerts: event-loop CPU
 * 1.04 → 0.57 ms per webhook, p99 ack 17.9–19.9 → 9.6–10.9 ms, the same total CPU.
 * Why not by default: a third V8 heap costs 15–25 MB more RSS (memory benchmark: 113 → 130 MB
 * after start, 195 → 219 MB paging the list endpoints), past the 200 MB budget the container is
 * sized for. Operators who give the pod the memory get the lower ack latency.
 *
 * The thread writes through the store's writer thread (same group commits, same order), reads
 * with its own connection, and sends its log lines and metric updates back here. If it dies it
 * is restarted; its claims are leased, so nothing it held is lost (at-least-once, as before).
 * A thread that keeps dying (a bug it meets at every start, a heap too small for its work) is
 * restarted ever later (THREAD_RESTART) and its exits are logged as a streak
 * (log/failure-streak.ts): restarted every second with a line each, it flooded the log and spent
 * a core loading its modules again and again.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { errorCause, FailureStreakLog } from '../log/failure-streak.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { settledWithin } from '../pipeline/settled-within.js';
import { startThread } from '../threads/start-thread.js';
import { HAND_BACK_WAIT_MS } from './worker.js';
import type { DeliveryThreadData, FromDeliveryThread, RoutingKeys, ToDeliveryThread } from './delivery-messages.js';

/**
 * The thread's own heap. It holds little (a few claimed notifications, the pacer, one HTTP
 * client), but left to V8's defaults its young generation grew like the gateway's: +45 MB RSS
 * under a storm, against the 200 MB budget. Smaller spaces cost it more frequent, shorter GCs.
 */
export const DELIVERY_THREAD_HEAP = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 48 } as const;

/** After its worker's stop, how long the delivery thread gets to close its connection and exit before it is ended. */
const THREAD_EXIT_MS = 1_000;

/** How a delivery thread that exited is started again. */
export interface RestartBackoff {
  /** Wait before restarting a thread that exited; doubled for each exit in a row. */
  firstMs: number;
  /** Longest wait. */
  maxMs: number;
  /**
   * A thread up this long (from its `ready`: loaded and connected) has stopped exiting: the next
   * exit waits `firstMs` again, and the streak's end is logged.
   */
  stableMs: number;
}

/** 1 s, 2 s, 4 s … 30 s; back to 1 s once a thread stays up a minute (twice the longest wait). */
export const THREAD_RESTART: RestartBackoff = { firstMs: 1_000, maxMs: 30_000, stableMs: 60_000 };

/**
 * The `err` of an exit no uncaught error caused (ended from outside, process.exit in it). Its
 * code is not in the message: it varies with when the thread was ended (0 while it still loads),
 * and the message is what tells one cause from another. No stack: ours would say nothing.
 */
function exitedWithoutError(): Error {
  const err = new Error('the delivery thread exited without an uncaught error');
  err.stack = undefined;
  return err;
}

/** What the gateway needs of its outbox worker, wherever it runs. */
export interface OutboxRunner {
  start(): void;
  /** Look at the outbox now (new notifications were committed). */
  wake(): void;
  /**
   * Stop claiming; let in-flight deliveries finish until the deadline, then abort them. Resolves
   * soon after the deadline whatever the store does, with what was given up (already logged).
   */
  stop(deadlineMs?: number): Promise<string[]>;
}

export interface DeliveryThreadOptions {
  /** A fresh link to the database for each (re)start of the thread. */
  link: () => { filename: string; writerPort: MessagePort };
  data: Omit<DeliveryThreadData, 'filename' | 'writerPort' | 'routingKeys'>;
  routingKeys: () => RoutingKeys;
  logger: Logger;
  metrics: Metrics;
  /** A send on the thread found a routing key that resolves: pages go to PagerDuty from now on. */
  onPagesLive?: () => void;
  /** The thread sends with a new secret (a rotated SLACK_TOKEN_FILE, a routing key): the logger must scrub it. */
  onSecret?: (secret: string) => void;
  /** How a thread that died is restarted (tests shorten it). */
  restart?: Partial<RestartBackoff>;
  /**
   * Monotonic clock (ms) of the exit lines' streak (log/failure-streak.ts) and of how long a
   * thread has stayed up (`stableMs`); tests move it on instead of sleeping.
   */
  logNow?: () => number;
}

export class DeliveryThread implements OutboxRunner {
  private thread: Worker | undefined;
  private stopping: Promise<string[]> | undefined;
  private wakeQueued = false;
  private onStopped: (() => void) | undefined;
  /**
   * The Slack token a thread last read from SLACK_TOKEN_FILE. A replacement thread starts with it:
   * with the token read at process start it would first post with one a rotation revoked.
   */
  private slackToken: string | undefined;
  private readonly backoff: RestartBackoff;
  /** Exits in a row, none of those threads up for `stableMs`. */
  private exitsInRow = 0;
  private readonly exits: FailureStreakLog;
  /** Ends the exit streak once the thread started last has stayed up `stableMs`. */
  private stableTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  /** When the running thread said it was ready (`now`), if it has. */
  private readyAt: number | undefined;
  private readonly now: () => number;

  constructor(private readonly o: DeliveryThreadOptions) {
    this.backoff = { ...THREAD_RESTART, ...o.restart };
    this.now = o.logNow ?? (() => performance.now());
    this.exits = new FailureStreakLog({
      logger: o.logger,
      failing: 'delivery thread exited; restarting it (its leased notifications are delivered again)',
      recovered: `delivery thread stays up again (${Math.round(this.backoff.stableMs / 1000)} s since it was ready); recovered`,
      // A thread ending on another error (out of heap, after exceptions at start) gets a first line of its own.
      causeOf: errorCause,
      ...(o.logNow ? { now: o.logNow } : {}),
    });
  }

  start(): void {
    if (this.thread || this.stopping) return;
    const link = this.o.link();
    let thread: Worker;
    try {
      const settings = this.slackToken ? { ...this.o.data.settings, slackToken: this.slackToken } : this.o.data.settings;
      const data: DeliveryThreadData = { ...this.o.data, settings, ...link, routingKeys: this.o.routingKeys() };
      thread = startThread(import.meta.url, 'delivery-thread', data, [link.writerPort], DELIVERY_THREAD_HEAP);
    } catch (err) {
      // No thread took the port: closed here, or the writer thread would keep its end for ever.
      link.writerPort.close();
      throw err;
    }
    this.thread = thread;
    this.readyAt = undefined;
    // What ended it, for its exit's line: an uncaught error comes just before the exit.
    let failure: Error | undefined;
    thread.on('message', (msg: FromDeliveryThread) => {
      // Up from here, not from start(): a thread slow to load, dying a little after stableMs
      // from its start each time, was taken for stable at every start and never backed off.
      if (msg.t === 'ready') {
        if (this.thread === thread) this.readyAt = this.now();
        this.watchStable(thread);
      } else this.received(msg);
    });
    thread.on('error', (err) => (failure = err));
    thread.on('exit', (code) => {
      if (this.thread !== thread) return;
      this.thread = undefined;
      clearTimeout(this.stableTimer);
      this.onStopped?.();
      if (this.stopping) return;
      // Up long enough by the clock though the timer had not fired yet: the streak before it is over.
      this.endStreakIfStable();
      this.readyAt = undefined;
      this.exitsInRow++;
      const delay = Math.min(this.backoff.maxMs, this.backoff.firstMs * 2 ** (this.exitsInRow - 1));
      this.exits.failed(failure ?? exitedWithoutError(), { fields: { code, restartInMs: delay } });
      this.restartTimer = setTimeout(() => this.restart(), delay).unref();
    });
  }

  /**
   * Once the thread has stayed up `stableMs` (by `now`): the exit streak ends. Looked at again
   * until then (a test's clock may stand still while timers run).
   */
  private watchStable(thread: Worker): void {
    clearTimeout(this.stableTimer);
    if (this.thread !== thread || this.readyAt === undefined) return;
    const upMs = this.now() - this.readyAt;
    if (this.endStreakIfStable()) return;
    this.stableTimer = setTimeout(() => this.watchStable(thread), Math.max(1, this.backoff.stableMs - upMs)).unref();
  }

  private endStreakIfStable(): boolean {
    if (this.readyAt === undefined || this.now() - this.readyAt < this.backoff.stableMs) return false;
    if (this.exitsInRow > 0) {
      this.exitsInRow = 0;
      this.exits.succeeded();
    }
    return true;
  }

  private restart(): void {
    this.restartTimer = undefined;
    if (this.thread || this.stopping) return;
    try {
      this.start();
    } catch (err) {
      // From a timer, this would have ended the process. Not started: tried again at the longest wait.
      this.thread = undefined;
      this.exitsInRow++;
      this.exits.failed(err, { fields: { restartInMs: this.backoff.maxMs } });
      this.restartTimer = setTimeout(() => this.restart(), this.backoff.maxMs).unref();
      return;
    }
    this.o.metrics.deliveryThreadRestarts.inc();
  }

  wake(): void {
    // One wake-up per turn is enough, however many webhooks were accepted in it.
    if (!this.thread || this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      this.post({ t: 'wake' });
    });
  }

  /** The config was reloaded: PagerDuty routing keys are looked up from the new one. */
  routingKeysChanged(): void {
    this.post({ t: 'routingKeys', routingKeys: this.o.routingKeys() });
  }

  stop(deadlineMs = 10_000): Promise<string[]> {
    this.stopping ??= (async () => {
      clearTimeout(this.restartTimer);
      clearTimeout(this.stableTimer);
      const thread = this.thread;
      if (!thread) return [];
      const stopped = new Promise<void>((resolve) => (this.onStopped = resolve));
      this.post({ t: 'stop', deadlineMs });
      // The thread stops itself after draining (its worker's stop is bounded: the deadline, then
      // the hand-back wait); past that and a moment to close its connection, it is ended.
      const inTime = await settledWithin(stopped.then(() => true), deadlineMs + HAND_BACK_WAIT_MS + THREAD_EXIT_MS, false);
      await thread.terminate();
      if (inTime) return [];
      this.o.logger.warn({ deadlineMs }, 'shutdown: the delivery thread did not stop in time and was ended; what it held is delivered again when its lease expires');
      return ['delivery thread'];
    })();
    return this.stopping;
  }

  /** Ends the current thread abruptly, as a crash would; it is restarted like one (tests). */
  async crash(): Promise<void> {
    await this.thread?.terminate();
  }

  private post(msg: ToDeliveryThread): void {
    this.thread?.postMessage(msg);
  }

  private received(msg: Exclude<FromDeliveryThread, { t: 'ready' }>): void {
    if (msg.t === 'stopped') {
      this.onStopped?.();
      return;
    }
    const { logger, metrics } = this.o;
    for (const e of msg.events) {
      if (e.t === 'log') logger.child(e.bound)[e.level](e.fields, e.msg);
      else if (e.t === 'notification') metrics.notifications.inc(e.labels);
      else if (e.t === 'latency') metrics.deliveryLatency.observe(e.labels, e.seconds);
      else if (e.t === 'rate-limited') metrics.rateLimited.inc(e.labels);
      else if (e.t === 'lease-cut') metrics.leaseCuts.inc(e.labels);
      else if (e.t === 'stale-outcome') metrics.staleOutcomes.inc(e.labels);
      else if (e.t === 'post-lookup') metrics.slackPostLookups.inc(e.labels);
      else if (e.t === 'secret') this.o.onSecret?.(e.secret);
      else if (e.t === 'slackToken') this.slackToken = e.token;
      else this.o.onPagesLive?.();
    }
  }
}
