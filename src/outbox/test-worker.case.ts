/**
 * An outbox worker as the worker's own tests start it: fast retries (3 attempts), silent, and a
 * poll far beyond a test, so only a hand-off or a wake-up starts a delivery unless a test asks
 * for a poll. Each test gives the store, the notifiers and what it is about.
 */
import { afterEach, beforeEach } from 'vitest';
import type { Notifier } from '../delivery/notifier.js';
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

/** A notifier for the receiver type a test sends nothing to. */
export function unusedNotifier(type: Notifier['type']): Notifier {
  return { type, notify: () => Promise.resolve({ ok: true }) };
}

/**
 * The store, the fake service and the worker of the test running now, for a file whose cases run
 * on both stores: made at the file's top (it closes all three after each test, the worker first,
 * so that nothing it delivers meets a closed store), and `openEach` in each store's block.
 */
export class WorkerTestRig<Fake extends { close(): Promise<void> }> {
  store!: Store;
  fake!: Fake;
  worker: OutboxWorker | undefined;

  constructor(private readonly startFake: () => Promise<Fake>) {
    afterEach(async () => {
      await this.worker?.stop(1_000);
      this.worker = undefined;
      await this.store?.close();
      await this.fake?.close();
    });
  }

  /** Before each test of the block: a new store of its kind and a fresh fake service. */
  openEach(newStore: () => Promise<Store>): void {
    beforeEach(async () => {
      this.store = await newStore();
      this.fake = await this.startFake();
    });
  }
}
