/**
 * The outbox worker against a real (in-memory) SQLite store: a notifier that throws is treated as
 * a retryable failure with backoff, and the notification goes dead when the budget is spent —
 * never a silent loop.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Notifier } from '../delivery/notifier.js';
import { silentLogger } from '../log/logger.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { enqueueMessage } from '../pipeline/enqueue-message.js';
import { OutboxWorker } from './worker.js';

let store: Store;
let worker: OutboxWorker;
afterEach(async () => {
  await worker?.stop(1000);
  await store?.close();
});

const crashing: Notifier = {
  type: 'slack',
  notify: () => Promise.reject(new Error('renderer exploded')),
};
const unused: Notifier = { type: 'pagerduty', notify: () => Promise.resolve({ ok: true }) };

describe('OutboxWorker', () => {
  it('a crashing notifier is retried with backoff, then the notification is dead with the reason', async () => {
    store = openSqliteStore(':memory:');
    await enqueueMessage(store, { team: 'payments', channel: '#payments-alerts', key: 'k1', message: { text: 'hello' } });
    worker = new OutboxWorker({
      store,
      notifiers: { slack: crashing, pagerduty: unused },
      policy: { baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 10, maxAttempts: 3 },
      logger: silentLogger,
      owner: 'test',
      pollMs: 5,
    });
    worker.start();
    const deadline = Date.now() + 5000;
    let status: string | undefined;
    while (Date.now() < deadline) {
      const page = await store.listNotifications({ limit: 10 });
      status = page.items[0]?.status;
      if (status === 'dead') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const [n] = (await store.listNotifications({ limit: 10 })).items;
    expect(n).toMatchObject({ status: 'dead', attempts: 3 });
    expect(n!.lastError).toBe('delivery crashed: renderer exploded');
  });
});
