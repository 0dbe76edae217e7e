/**
 * An outbox worker as the worker's own tests start it: fast retries (3 attempts), silent, and a
 * poll far beyond a test, so only a hand-off or a wake-up starts a delivery unless a test asks
 * for a poll. Each test gives the store, the notifiers and what it is about.
 */
import { silentLogger } from '../log/logger.js';
import type { NotificationRecord, NotificationStatus, Store } from '../store/store.js';
import type { RetryPolicy } from './retry-policy.js';
import { OutboxWorker, type OutboxWorkerOptions } from './worker.js';

export const TEST_RETRY_POLICY: RetryPolicy = { baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 10, maxAttempts: 3 };

export function startTestWorker(opts: Pick<OutboxWorkerOptions, 'store' | 'notifiers'> & Partial<OutboxWorkerOptions>): OutboxWorker {
  const worker = new OutboxWorker({ policy: TEST_RETRY_POLICY, logger: silentLogger, owner: 'local', pollMs: 600_000, ...opts });
  worker.start();
  return worker;
}

/**
 * The notification once it reaches `status`, or as it stands after `timeoutMs` (the test's
 * assertion then shows where it stopped). The store has no event for a status change to await.
 */
export async function notificationReaching(store: Store, id: number, status: NotificationStatus, timeoutMs = 10_000): Promise<NotificationRecord | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const n = await store.getNotification(id);
    if (n?.status === status || Date.now() > until) return n;
    await new Promise((r) => setTimeout(r, 10));
  }
}
