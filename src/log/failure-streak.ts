/**
 * @module log/failure-streak
 * The log lines of a loop that keeps retrying something that fails for as long as an outage lasts
 * (the outbox worker's claim, the background passes on a store that does not answer): an error
 * line when it starts failing, then at most one per `reminderMs` saying how many failures were not
 * logged meanwhile (`suppressed`) and how long it has been failing, and an info line when it works
 * again. One line per attempt (the claim's was twice a second per replica) buried the start and
 * the end of the outage under identical lines. Every attempt is still logged at debug.
 */
import type { Logger } from './logger.js';
import { LineThrottle } from './line-throttle.js';

/** At most one error line per failing streak this often after its first. */
export const FAILURE_REMINDER_MS = 30_000;

export interface FailureStreakOptions {
  logger: Logger;
  /** The error line's message, e.g. 'outbox: could not claim notifications; will retry'. */
  failing: string;
  /** The info line's message when it works again; ` after N s` is added. */
  recovered: string;
  /** Monotonic clock (ms); tests move it on instead of sleeping. Default `performance.now`. */
  now?: () => number;
  reminderMs?: number;
}

/** Seconds, to a tenth. */
const seconds = (ms: number) => Math.round(ms / 100) / 10;

export class FailureStreakLog {
  readonly #o: FailureStreakOptions;
  readonly #now: () => number;
  /** The streak going on: when it started, its failures, the throttle of its lines. */
  #streak: { since: number; failures: number; throttle: LineThrottle } | undefined;

  constructor(o: FailureStreakOptions) {
    this.#o = o;
    this.#now = o.now ?? (() => performance.now());
  }

  /** Failures in a row so far (0 when the last attempt worked). */
  get failures(): number {
    return this.#streak?.failures ?? 0;
  }

  /** An attempt failed with `err`: logged at error if it is the streak's first or a reminder is due, else at debug. */
  failed(err: unknown): void {
    const now = this.#now();
    // A throttle per streak: the next outage's first failure is logged at once, whenever it comes.
    const streak = (this.#streak ??= { since: now, failures: 0, throttle: new LineThrottle({ now: this.#now, windowMs: this.#o.reminderMs ?? FAILURE_REMINDER_MS }) });
    streak.failures++;
    const failingForSeconds = seconds(now - streak.since);
    const suppressed = streak.throttle.admit('streak', 'streak');
    if (suppressed === undefined) {
      this.#o.logger.debug({ err, failures: streak.failures, failingForSeconds }, `${this.#o.failing} (still failing; logged at error at most every ${seconds(this.#o.reminderMs ?? FAILURE_REMINDER_MS)} s)`);
    } else if (streak.failures === 1) {
      this.#o.logger.error({ err }, this.#o.failing);
    } else {
      this.#o.logger.error({ err, suppressed, failures: streak.failures, failingForSeconds }, this.#o.failing);
    }
  }

  /** An attempt worked: ends the streak, if one was going on, with an info line. */
  succeeded(): void {
    const streak = this.#streak;
    if (streak === undefined) return;
    this.#streak = undefined;
    const failedForSeconds = seconds(this.#now() - streak.since);
    this.#o.logger.info({ failures: streak.failures, failedForSeconds }, `${this.#o.recovered} after ${failedForSeconds} s`);
  }
}
