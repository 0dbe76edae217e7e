/**
 * @module pipeline/ticker
 * A periodic background pass (ending quiet storms, releasing ended maintenance windows) that
 * never overlaps itself, logs and survives failures, and does not keep the process alive.
 */
import type { Logger } from '../log/logger.js';

/** `firstAfterMs`: run the first pass this soon after start instead of a whole interval later. */
export function startTicker(pass: () => Promise<unknown>, intervalMs: number, logger: Logger, what: string, firstAfterMs?: number): { stop(): void } {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    pass()
      .catch((err: unknown) => logger.error({ err }, `${what} failed; will retry`))
      .finally(() => (running = false));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  const first = firstAfterMs !== undefined && firstAfterMs < intervalMs ? setTimeout(tick, firstAfterMs) : undefined;
  first?.unref();
  return {
    stop: () => {
      clearInterval(timer);
      clearTimeout(first);
    },
  };
}
