/**
 * An outbox worker as the worker's own tests start it: fast retries (3 attempts), silent, and a
 * poll far beyond a test, so only a hand-off or a wake-up starts a delivery unless a test asks
 * for a poll. Each test gives the store, the notifiers and what it is about.
 */
import { silentLogger } from '../log/logger.js';
import type { RetryPolicy } from './retry-policy.js';
import { OutboxWorker, type OutboxWorkerOptions } from './worker.js';

export const TEST_RETRY_POLICY: RetryPolicy = { baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 10, maxAttempts: 3 };

export function startTestWorker(opts: Pick<OutboxWorkerOptions, 'store' | 'notifiers'> & Partial<OutboxWorkerOptions>): OutboxWorker {
  const worker = new OutboxWorker({ policy: TEST_RETRY_POLICY, logger: silentLogger, owner: 'local', pollMs: 600_000, ...opts });
  worker.start();
  return worker;
}
