/**
 * A delivery the receiver took while the store failed its outcome write: after a failover the
 * pooled connections hang (the old primary), new ones work. The worker writes the outcome again
 * on a new connection instead of recording a failure and posting a second Slack message (which
 * took the message ref and left the first post FIRING for ever).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notifier } from '../delivery/notifier.js';
import { group, notification, SLACK } from '../store/contract/fixtures.case.js';
import { openPostgresStore, type PostgresStore } from '../store/postgres/postgres-store.js';
import { createTestDatabase, createTestSchema, requirePostgres, type TestDatabase } from '../testing/postgres.js';
import { startPostgresProxy, throughProxy, type PostgresProxy } from '../testing/postgres-proxy.js';
import { startTestWorker } from './test-worker.case.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('a delivered notification whose outcome write meets a failover', () => {
  let db: TestDatabase;
  let proxy: PostgresProxy;
  let store: PostgresStore;
  beforeAll(async () => {
    db = await createTestDatabase(admin!);
    proxy = await startPostgresProxy(db.url);
    store = await openPostgresStore(throughProxy(await createTestSchema(db.url, 'failover'), proxy), { queryTimeoutMs: 500 });
  });
  afterAll(async () => {
    await store?.close();
    await proxy?.stop();
    await db?.drop();
  });

  it('is recorded sent on a new connection: one Slack post, no error, the ref of that post', async () => {
    const posts: string[] = [];
    const slack: Notifier = {
      type: 'slack',
      async notify(d) {
        posts.push(d.slackRef ? `edit ${d.slackRef.ts}` : 'post');
        // Slack answered; meanwhile the database failed over under the pool's open connections.
        proxy.freezeOpen();
        return { ok: true, slackRef: { channel: 'C1', ts: `${posts.length}.0` } };
      },
    };
    const g = group('failover');
    const [item] = await store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, SLACK)] }]);
    const worker = startTestWorker({
      store,
      notifiers: { slack, pagerduty: slack },
      policy: { baseDelayMs: 50, maxDelayMs: 100, maxRetryAfterMs: 100, maxAttempts: 5 },
      owner: 'w',
      pollMs: 50,
    });
    // Until the item is recorded sent (reads through a hanging connection fail: read again).
    const deadline = Date.now() + 20_000;
    while ((await store.getNotification(item!.id).catch(() => undefined))?.status !== 'sent' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await worker.stop(1000);

    expect(posts).toEqual(['post']);
    expect(await store.getNotification(item!.id)).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(await store.getSlackRef(g.id, SLACK.channel)).toEqual({ channel: 'C1', ts: '1.0' });
  });
});
