/**
 * @module pipeline/ticker
 * A periodic background pass (ending quiet storms, releasing ended maintenance windows, pruning
 * history) that never overlaps itself, logs and survives failures, and does not keep the process
 * alive. At shutdown `stop` aborts the pass's signal (a pass checks it between its store calls)
 * and answers when the pass in flight has ended: the store must not close under it, where its
 * next query would fail and be logged as an error of a clean shutdown. Failing passes (a store
 * outage) are logged as a streak (log/failure-streak): the first, a reminder at most every 30 s,
 * and an info line when a pass works again.
 */
import type { Logger } from '../log/logger.js';
import { FailureStreakLog } from '../log/failure-streak.js';

export interface Ticker {
  /** No pass from now on; resolves once the one in flight, if any, has ended (never rejects). */
  stop(): Promise<void>;
}

/**
 * `firstAfterMs`: run the first pass this soon after start instead of a whole interval later.
 * `logNow`: the monotonic clock (ms) of the failure lines (tests).
 */
export function startTicker(pass: (signal: AbortSignal) => Promise<unknown>, intervalMs: number, logger: Logger, what: string, firstAfterMs?: number, logNow?: () => number): Ticker {
  const stopping = new AbortController();
  let running: Promise<void> | undefined;
  const failures = new FailureStreakLog({ logger, failing: `${what} failed; will retry`, recovered: `${what} works again; recovered`, ...(logNow ? { now: logNow } : {}) });
  const tick = () => {
    if (running || stopping.signal.aborted) return;
    running = pass(stopping.signal)
      .then(
        () => failures.succeeded(),
        (err: unknown) => failures.failed(err),
      )
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  const first = firstAfterMs !== undefined && firstAfterMs < intervalMs ? setTimeout(tick, firstAfterMs) : undefined;
  first?.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      clearTimeout(first);
      stopping.abort();
      await running;
    },
  };
}
