/**
 * @module pipeline/ticker
 * A periodic background pass (ending quiet storms, releasing ended maintenance windows) that
 * never overlaps itself, logs and survives failures, and does not keep the process alive.
 */
import type { Logger } from '../log/logger.js';

export function startTicker(pass: () => Promise<unknown>, intervalMs: number, logger: Logger, what: string): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    pass()
      .catch((err: unknown) => logger.error({ err }, `${what} failed; will retry`))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
