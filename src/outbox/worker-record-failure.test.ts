/**
 * A failed attempt whose outcome the store could not record at once (PostgreSQL failing over, a
 * connection cut as the write went out) on a real PostgreSQL store. The write of the failure is
 * made to fail once by a trigger of the test's schema raising PostgreSQL's own error for a
 * terminated connection (57P01), as a server restarting does; the next write goes through.
 * Before, that write's error was taken for a crash of the delivery: the failure was recorded a
 * second time as `delivery crashed: …`, which dropped the note that a Slack post may have been
 * made (the retry then posted a second message without looking for the first), and the attempt
 * was counted twice in `alertgate_notifications_total` (a dead one also as failed).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../delivery/notifier.case.js';
import { createSlackNotifier } from '../delivery/slack/notifier.js';
import { createMetrics } from '../metrics/metrics.js';
import { MAY_HAVE_POSTED } from '../model/post-notes.js';
import type { Target } from '../model/target.js';
import { group, notification } from '../store/contract/fixtures.case.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/store.js';
import { startFakeSlack, type FakeSlack } from '../testing/fake-slack.js';
import { adminQuery, createTestDatabase, createTestSchema, requirePostgres, type TestDatabase } from '../testing/postgres.js';
import { notificationReaching, startTestWorker, unusedNotifier } from './test-worker.case.js';
import type { OutboxWorker } from './worker.js';

const TOKEN = 'xoxb-2222222222-record-secret';
const CHANNEL_ID = 'C0RECORD';
const TARGET: Target = { type: 'slack', channel: CHANNEL_ID };

/**
 * The first write of a failed attempt (status `failed` or `dead`) raises what a terminated
 * connection raises; a sequence counts, as it is not rolled back with the failed write.
 */
const FAIL_FIRST_FAILURE_WRITE = `
  CREATE SEQUENCE failure_writes;
  CREATE FUNCTION fail_first_failure_write() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF nextval('failure_writes') = 1 THEN
      RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER fail_first_failure_write BEFORE UPDATE ON notifications
    FOR EACH ROW WHEN (NEW.status IN ('failed', 'dead') AND OLD.status IN ('pending', 'failed'))
    EXECUTE FUNCTION fail_first_failure_write();`;

const admin = await requirePostgres();

describe.skipIf(!admin)('a failed attempt whose outcome the store could not record at once', () => {
  let db: TestDatabase;
  let schemas = 0;
  let store: Store | undefined;
  let slack: FakeSlack | undefined;
  let worker: OutboxWorker | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(admin!);
  });
  afterAll(async () => {
    await db?.drop();
  });
  afterEach(async () => {
    await worker?.stop(5_000);
    await store?.close();
    await slack?.close();
  });

  /** A store in a fresh schema whose first failure write fails, a fake Slack, metrics and logs. */
  async function rig() {
    const url = await createTestSchema(db.url, `rf${++schemas}`);
    store = await openPostgresStore(url);
    await adminQuery(url, FAIL_FIRST_FAILURE_WRITE);
    slack = await startFakeSlack({ channels: { record: CHANNEL_ID } });
    const metrics = createMetrics();
    const logs = captureLogger();
    return { store, slack, metrics, logs };
  }

  async function failedCount(metrics: ReturnType<typeof createMetrics>, outcome: 'failed' | 'dead'): Promise<number> {
    const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`alertgate_notifications_total{team="payments",receiver="slack",outcome="${outcome}"}`));
    return Number(line?.split(' ').at(-1) ?? 0);
  }

  it('a Slack post that may have been made is looked for, not posted again, and its attempt counted once', async () => {
    const { store, slack, metrics, logs } = await rig();
    slack.respondWith([{ applyThen: 'hang' }]);
    const g = group('record-g1');
    const [n] = await store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, TARGET)] }]);
    worker = startTestWorker({
      store,
      notifiers: { slack: createSlackNotifier({ token: TOKEN, apiUrl: slack.url, timeoutMs: 300, logger: logs.logger }), pagerduty: unusedNotifier('pagerduty') },
      metrics,
      pollMs: 20,
    });
    worker.wake();
    const sent = await notificationReaching(store, n!.id, 'sent');
    expect(sent?.status).toBe('sent');
    const posts = [...slack.messages.values()].filter((m) => m.threadTs === undefined);
    expect(posts).toHaveLength(1);
    expect(slack.requests.map((r) => r.method)).toEqual(['chat.postMessage', 'conversations.history']);
    // The attempt that timed out is one failure; the recording's retry is not another.
    expect(await failedCount(metrics, 'failed')).toBe(1);
    expect(sent?.lastError).toContain(MAY_HAVE_POSTED);
    expect(sent?.lastError).not.toContain('delivery crashed');
    expect(logs.text()).not.toContain(TOKEN);
  });

  it('a refusal is recorded as itself, dead once: not also counted and written as a crash', async () => {
    const { store, slack, metrics, logs } = await rig();
    slack.respondWith([{ slackError: 'channel_not_found' }]);
    const g = group('record-g2');
    const [n] = await store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, TARGET)] }]);
    worker = startTestWorker({
      store,
      notifiers: { slack: createSlackNotifier({ token: TOKEN, apiUrl: slack.url, timeoutMs: 300, logger: logs.logger }), pagerduty: unusedNotifier('pagerduty') },
      metrics,
      pollMs: 20,
    });
    worker.wake();
    const dead = await notificationReaching(store, n!.id, 'dead');
    expect(dead?.status).toBe('dead');
    expect(dead?.lastError).toContain('channel_not_found');
    expect(await failedCount(metrics, 'dead')).toBe(1);
    expect(await failedCount(metrics, 'failed')).toBe(0);
  });
});
