/**
 * @module outbox/delivery-deadline
 * The one deadline of a delivery, from its outbox lease: every call and pacing wait of the
 * delivery ends by then, so no delivery is still sending when its lease runs out and another
 * worker (a replica, or this one) claims the item and sends it too. The lease's start-up check
 * (config/env.ts) fits an ordinary delivery (a paced wait, an edit and its thread reply); what
 * takes longer (a compact resend, a new post for a message that cannot be edited, a retry with a
 * re-read token, a wait behind a channel's Retry-After) is cut and retried as a failed attempt.
 *
 * One AbortController and one timer per delivery, not AbortSignal.any/timeout: those cost ~2 % of
 * the event loop at a thousand deliveries a second (delivery/http-post.ts).
 */

/**
 * How long before its lease runs out a delivery is cut: room for timers firing late on a busy
 * event loop, for recording the outcome, and for clock skew between replicas (lease times are
 * compared with each replica's clock).
 */
export const LEASE_MARGIN_MS = 1_000;

/** How long a delivery may run under a lease of `leaseMs` (a tenth of a short test lease is its margin). */
export function deliveryBudgetMs(leaseMs: number): number {
  return leaseMs - Math.min(LEASE_MARGIN_MS, leaseMs / 10);
}

export class DeliveryDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private passed = false;
  /** The signal of every call and wait of the delivery: aborted at the deadline or by shutdown. */
  readonly signal = this.controller.signal;

  /**
   * @param endsAt Date.now() at which the delivery must have stopped calling
   * @param shutdown the worker's shutdown signal (cuts the delivery too)
   */
  constructor(
    /** Date.now() at which the delivery must have stopped calling (a notifier plans its calls by it). */
    readonly endsAt: number,
    private readonly shutdown: AbortSignal,
  ) {
    this.timer = setTimeout(this.cut, Math.max(0, endsAt - Date.now()));
    if (shutdown.aborted) this.controller.abort();
    else shutdown.addEventListener('abort', this.onShutdown, { once: true });
  }

  private readonly cut = (): void => {
    this.passed = true;
    this.controller.abort();
  };

  private readonly onShutdown = (): void => this.controller.abort();

  /** True once the deadline cut the delivery (not shutdown). */
  get expired(): boolean {
    return this.passed;
  }

  /**
   * Wait `ms` unless cut first; a wait that would end past the deadline cuts the delivery at
   * once (no call could follow it). Answers whether the wait ran its course.
   */
  readonly pause = (ms: number): Promise<boolean> => {
    if (this.signal.aborted) return Promise.resolve(false);
    if (Date.now() + ms >= this.endsAt) {
      this.cut();
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const signal = this.signal;
      const timer = setTimeout(() => done(true), ms);
      function done(waited: boolean) {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        resolve(waited);
      }
      function aborted() {
        done(false);
      }
      signal.addEventListener('abort', aborted, { once: true });
    });
  };

  /** The delivery ended: drop the timer and the shutdown listener. */
  end(): void {
    clearTimeout(this.timer);
    this.shutdown.removeEventListener('abort', this.onShutdown);
  }
}
