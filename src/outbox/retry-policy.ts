/**
 * @module outbox/retry-policy
 * The one retry policy of every integration (notifiers only say *whether* a failure is
 * retryable): exponential backoff with full jitter, a server's Retry-After honoured up to a cap,
 * and a budget of attempts after which the notification is dead (visible, and retryable by an admin).
 */

export interface RetryPolicy {
  /** First backoff step. */
  baseDelayMs: number;
  /** Longest backoff step. */
  maxDelayMs: number;
  /** Longest Retry-After we honour; longer requests are capped, not ignored. */
  maxRetryAfterMs: number;
  /** Attempts (including the first) before the notification is dead. */
  maxAttempts: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  maxRetryAfterMs: 10 * 60_000,
  maxAttempts: 15,
};

/**
 * When to try again after the `attempt`-th failed attempt (1-based), or null when the budget is
 * spent. `random` is injected so tests are deterministic.
 */
export function nextAttemptDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | null {
  if (attempt >= policy.maxAttempts) return null;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // "Equal jitter": at least half the step, so retries never bunch up at zero delay.
  const backoff = ceiling / 2 + random() * (ceiling / 2);
  const serverAsked = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return Math.max(backoff, serverAsked);
}
