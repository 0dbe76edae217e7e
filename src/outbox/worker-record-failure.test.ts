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
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createPagerDutyNotifier } from '../delivery/pagerduty/notifier.js';
import { createRoutingKeyResolver } from '../delivery/pagerduty/routing-key.js';
import { captureLogger } from '../delivery/notifier.case.js';
import { createSlackNotifier } from '../delivery/slack/notifier.js';
import { createLogger } from '../log/logger.js';
import { createMetrics } from '../metrics/metrics.js';
import { MAY_HAVE_POSTED } from '../model/post-notes.js';
import type { Target } from '../model/target.js';
import { group, notification } from '../store/contract/fixtures.case.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/store.js';
import { startFakeSlack, type FakeSlack } from '../testing/fake-slack.js';
import { adminQuery, createTestDatabase, createTestSchema, requirePostgres, type TestDatabase } from '../testing/postgres.js';
import { ChannelPacer } from './channel-pacer.js';
import { notificationReaching, startTestWorker, TEST_RETRY_POLICY, unusedNotifier } from './test-worker.case.js';
import type { OutboxWorker, OutboxWorkerOptions } from './worker.js';

const TOKEN = 'xoxb-2222222222-record-secret';
const CHANNEL_ID = 'C0RECORD';
const TARGET: Target = { type: 'slack', channel: CHANNEL_ID };

/**
 * A trigger on notifications whose first `times` updates matching `when` raise what a terminated
 * connection raises; a sequence counts, as it is not rolled back with the failed write.
 */
function failingUpdates(name: string, when: string, times = 1): string {
  return `
  CREATE SEQUENCE ${name}_count;
  CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF nextval('${name}_count') <= ${times} THEN
      RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER ${name} BEFORE UPDATE ON notifications
    FOR EACH ROW WHEN (${when})
    EXECUTE FUNCTION ${name}();`;
}

/** A failed attempt's write (status `failed` or `dead`). */
const FAILURE_WRITE = "NEW.status IN ('failed', 'dead') AND OLD.status IN ('pending', 'failed')";

/** The first write of a failed attempt fails as above. */
const FAIL_FIRST_FAILURE_WRITE = failingUpdates('fail_failure_write', FAILURE_WRITE);

/** The first two writes of a failed attempt fail as above; the third goes through. */
const FAIL_TWO_FAILURE_WRITES = failingUpdates('fail_failure_write', FAILURE_WRITE, 2);

/** The first hand-back of a claimed item untried (`defer` gives the claim's attempt back) fails as above. */
const FAIL_FIRST_DEFER = failingUpdates('fail_first_defer', 'NEW.attempts < OLD.attempts AND OLD.lease_owner IS NOT NULL AND NEW.lease_owner IS NULL');

/** The worker's line for a failed attempt's write given up at the item's lease. */
const GIVEN_UP = 'failed attempt not recorded (store unavailable; not retried past its lease): the notification is retried when its lease expires';

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

  /** A store in a fresh schema whose first failure write (or other, by `failing`) fails, a fake Slack, metrics and logs. */
  async function rig(failing = FAIL_FIRST_FAILURE_WRITE) {
    const url = await createTestSchema(db.url, `rf${++schemas}`);
    store = await openPostgresStore(url);
    await adminQuery(url, failing);
    slack = await startFakeSlack({ channels: { record: CHANNEL_ID } });
    const metrics = createMetrics();
    const logs = captureLogger();
    return { store, slack, metrics, logs };
  }
  type Rig = Awaited<ReturnType<typeof rig>>;

  /** One notification to `target` for a new group `name`, as a webhook writes it. */
  async function enqueue(r: Rig, name: string, target: Target = TARGET) {
    const g = group(name);
    const [n] = await r.store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, target)] }]);
    return n!;
  }

  /**
   * The test's worker on the rig's store and metrics, polling every 20 ms, started and woken;
   * Slack through the rig's fake unless `o` gives the notifiers.
   */
  function startWorker(r: Rig, o: Partial<OutboxWorkerOptions> = {}): void {
    const notifiers = o.notifiers ?? {
      slack: createSlackNotifier({ token: TOKEN, apiUrl: r.slack.url, timeoutMs: 300, logger: r.logs.logger }),
      pagerduty: unusedNotifier('pagerduty'),
    };
    worker = startTestWorker({ store: r.store, metrics: r.metrics, pollMs: 20, ...o, notifiers });
    worker.wake();
  }

  async function failedCount(metrics: ReturnType<typeof createMetrics>, outcome: 'failed' | 'dead'): Promise<number> {
    const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`alertgate_notifications_total{team="payments",receiver="slack",outcome="${outcome}"}`));
    return Number(line?.split(' ').at(-1) ?? 0);
  }

  it('a Slack post that may have been made is looked for, not posted again, and its attempt counted once', async () => {
    const r = await rig();
    r.slack.respondWith([{ applyThen: 'hang' }]);
    const n = await enqueue(r, 'record-g1');
    startWorker(r);
    const sent = await notificationReaching(r.store, n.id, 'sent');
    expect(sent?.status).toBe('sent');
    const posts = [...r.slack.messages.values()].filter((m) => m.threadTs === undefined);
    expect(posts).toHaveLength(1);
    expect(r.slack.requests.map((q) => q.method)).toEqual(['chat.postMessage', 'conversations.history']);
    // The attempt that timed out is one failure; the recording's retry is not another.
    expect(await failedCount(r.metrics, 'failed')).toBe(1);
    expect(sent?.lastError).toContain(MAY_HAVE_POSTED);
    expect(sent?.lastError).not.toContain('delivery crashed');
    expect(r.logs.text()).not.toContain(TOKEN);
  });

  it('a refusal is recorded as itself, dead once: not also counted and written as a crash', async () => {
    const r = await rig();
    r.slack.respondWith([{ slackError: 'channel_not_found' }]);
    const n = await enqueue(r, 'record-g2');
    startWorker(r);
    const dead = await notificationReaching(r.store, n.id, 'dead');
    expect(dead?.status).toBe('dead');
    expect(dead?.lastError).toContain('channel_not_found');
    expect(await failedCount(r.metrics, 'dead')).toBe(1);
    expect(await failedCount(r.metrics, 'failed')).toBe(0);
  });

  it('a delivery cut before its first call is recorded as that cut, dead once: not also counted and written as a crash', async () => {
    const r = await rig();
    // Two posts to one channel claimed together; the channel's one token goes to the first, so
    // the second's slot is 2 s away (the pacer's clock standing still), past its 1 s lease: cut
    // before any call, on its last attempt, so its failure write is the one that fails.
    const at = Date.now();
    const pacer = new ChannelPacer({ ratePerSecond: 0.5, burst: 1, now: () => at });
    const workerLog: string[] = [];
    const first = await enqueue(r, 'record-g3');
    const second = await enqueue(r, 'record-g4');
    startWorker(r, {
      pacer,
      leaseMs: 1_000,
      concurrency: 2,
      receiverConcurrency: 2,
      policy: { ...TEST_RETRY_POLICY, maxAttempts: 1 },
      logger: createLogger({ write: (line) => workerLog.push(line) }),
    });
    expect((await notificationReaching(r.store, first.id, 'sent'))?.status).toBe('sent');
    const cut = await notificationReaching(r.store, second.id, 'dead');
    expect(cut?.status).toBe('dead');
    expect(cut?.lastError).toContain('cut before its first call (nothing was sent)');
    expect(cut?.lastError).not.toContain('delivery crashed');
    expect(await failedCount(r.metrics, 'dead')).toBe(1);
    expect(workerLog.join('\n')).toContain('failed attempt not recorded yet (store error); retrying the write');
  });

  it('an item its store could not hand back untried is not recorded as a failed attempt: its lease brings it back', async () => {
    const r = await rig(FAIL_FIRST_DEFER);
    // chat.postMessage held in every channel by a Retry-After longer than a claimed item waits
    // for its slot (MAX_PACED_WAIT_MS, 5 s): the item is claimed (a held method does not keep a
    // channel from claims), handed back untried, and that write fails.
    const pacer = new ChannelPacer({ ratePerSecond: 100, burst: 10 });
    pacer.methods.hold('chat.postMessage', 5_500);
    const workerLog: string[] = [];
    const n = await enqueue(r, 'record-g5');
    startWorker(r, {
      pacer,
      // Long enough that the claim after it has run out waits out the hold's rest (1.5 s) within it.
      leaseMs: 4_000,
      logger: createLogger({ write: (line) => workerLog.push(line) }),
    });
    const sent = await notificationReaching(r.store, n.id, 'sent', 15_000);
    expect(sent?.status).toBe('sent');
    expect(sent?.lastError ?? '').not.toContain('delivery crashed');
    expect(await failedCount(r.metrics, 'failed')).toBe(0);
    expect(workerLog.join('\n')).toContain('could not hand the notification back untried');
  });

  it('a failure write is not retried past the lease: the claim after it delivers once, and that success is kept', async () => {
    const r = await rig(FAIL_TWO_FAILURE_WRITES);
    // The worker's log, and the end of the first attempt's failure write: given up at the lease
    // (now), or (a regression) written again after it, which the store answers not-held.
    const workerLog: Record<string, unknown>[] = [];
    let failureWriteEnded!: () => void;
    const firstOutcomeSettled = new Promise<void>((resolve) => (failureWriteEnded = resolve));
    const logger = createLogger({
      write: (text) => {
        const line = JSON.parse(text) as Record<string, unknown>;
        workerLog.push(line);
        if (line.msg === GIVEN_UP || String(line.msg).startsWith('notification outcome not recorded') || line.msg === 'notification failed; will retry') failureWriteEnded();
      },
    });
    // PagerDuty refuses the first event at once (500) and takes the others once the first
    // attempt's failure write has ended: the claim after it is still in flight then, whichever
    // way that write ended. (An answer 800 ms later raced the second claim's 900 ms delivery
    // deadline: on a loaded machine the delivery was cut and the event sent a third time.)
    const received: number[] = [];
    const pagerduty = http.createServer((req, res) => {
      req.resume();
      received.push(Date.now());
      if (received.length === 1) res.writeHead(500).end('{"message":"try again"}');
      else void firstOutcomeSettled.then(() => res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success"}'));
    });
    await new Promise<void>((done) => pagerduty.listen(0, '127.0.0.1', done));
    onTestFinished(() => new Promise<void>((done) => pagerduty.close(() => done())));
    const key = 'a'.repeat(32);
    const resolveRoutingKey = createRoutingKeyResolver(() => ({ routingKeyEnv: 'PAGERDUTY_PAYMENTS_KEY' }), { env: { PAGERDUTY_PAYMENTS_KEY: key } });
    const n = await enqueue(r, 'record-g6', { type: 'pagerduty', team: 'payments' });
    // The failure's write fails twice: its third try would come 1 s after the second (the second
    // retry wait), past the 1 s lease whatever the machine's load, so it is given up. Written
    // anyway it lands after this worker (polling) claimed the item again. The stores checked only
    // the lease's owner then: the late write cleared that claim's lease, its success matched no
    // row and was lost, and the event was sent a third time. The write now also names its claim,
    // so a late one changes nothing (worker-stale-outcome.test.ts); this case checks that the
    // worker does not make it (no stale outcome, the give-up said).
    startWorker(r, {
      notifiers: { slack: unusedNotifier('slack'), pagerduty: createPagerDutyNotifier({ eventsUrl: `http://127.0.0.1:${(pagerduty.address() as AddressInfo).port}`, resolveRoutingKey }) },
      leaseMs: 1_000,
      logger,
    });
    const sent = await notificationReaching(r.store, n.id, 'sent');
    expect(sent?.status).toBe('sent');
    // The refused event, then the one after the lease ran out, whose success is recorded.
    expect(received).toHaveLength(2);
    expect(workerLog.map((l) => l.msg)).toContain(GIVEN_UP);
    expect(workerLog.filter((l) => String(l.msg).startsWith('notification outcome not recorded'))).toEqual([]);
    expect(await r.metrics.registry.metrics()).toContain('alertgate_outbox_stale_outcomes_total{receiver="pagerduty"} 0');
  });
});
