/**
 * An attempt's outcome that reaches the store after its claim has ended: the lease ran out while
 * the worker waited for Slack, and the same process (same owner) claimed the item again. On a
 * real SQLite store and a real PostgreSQL one, with the fake Slack on loopback. Before, the stores checked the owner only,
 * so the late `markSent` finished the item for the new claim: marked sent under it while its
 * attempt was still being delivered, and the new claim's own outcome then matched nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSlackNotifier } from '../delivery/slack/notifier.js';
import { createLogger } from '../log/logger.js';
import { createMetrics } from '../metrics/metrics.js';
import type { Target } from '../model/target.js';
import { group, notification, only } from '../store/contract/fixtures.case.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { startFakeSlack, type FakeSlack } from '../testing/fake-slack.js';
import { createTestDatabase, createTestSchema, requirePostgres, type TestDatabase } from '../testing/postgres.js';
import { startTestWorker, unusedNotifier } from './test-worker.case.js';
import type { OutboxWorker } from './worker.js';

const TOKEN = 'xoxb-3333333333-stale-secret';
const CHANNEL_ID = 'C0STALE';
const TARGET: Target = { type: 'slack', channel: CHANNEL_ID };
const LEASE_MS = 60_000;

let store: Store | undefined;
let slack: FakeSlack | undefined;
let worker: OutboxWorker | undefined;
afterEach(async () => {
  await worker?.stop(1_000);
  await store?.close();
  await slack?.close();
});

const admin = await requirePostgres();

describe('on SQLite', () => {
  it("leaves the new claim alone when a delivery's outcome lands after the same process claimed the item again, and says so at warn", () => staleOutcome(async () => openSqliteStore(':memory:')));
});

describe.skipIf(!admin)('on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(admin!);
  });
  afterAll(async () => {
    await db?.drop();
  });
  it("leaves the new claim alone when a delivery's outcome lands after the same process claimed the item again, and says so at warn", async () =>
    staleOutcome(async () => openPostgresStore(await createTestSchema(db.url, 'stale'))));
});

async function staleOutcome(openStore: () => Promise<Store>): Promise<void> {
  store = await openStore();
  slack = await startFakeSlack({ channels: { stale: CHANNEL_ID } });
  // The post is made and its answer held until the item has been claimed again.
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  slack.respondWith([{ status: 200, body: { ok: true, channel: CHANNEL_ID, ts: '1700000000.000100' }, after: answered }]);
  const lines: Record<string, unknown>[] = [];
  // The worker's line about the outcome: recorded ('notification sent') or not.
  let sawOutcome!: (line: Record<string, unknown>) => void;
  const outcomeLine = new Promise<Record<string, unknown>>((resolve) => (sawOutcome = resolve));
  const logger = createLogger({
    write: (text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      if (line.msg === 'notification sent' || String(line.msg).startsWith('notification outcome not recorded')) sawOutcome(line);
    },
  });
  const g = group('stale-g1');
  const [n] = await store.updateGroups([g.id], () => [{ group: g, notifications: [notification(g, TARGET)] }]);
  const metrics = createMetrics({ defaultMetrics: false });
  worker = startTestWorker({
    store,
    metrics,
    notifiers: { slack: createSlackNotifier({ token: TOKEN, apiUrl: slack.url, timeoutMs: 5_000, logger }), pagerduty: unusedNotifier('pagerduty') },
    leaseMs: LEASE_MS,
    logger,
  });
  worker.wake();
  await slack.waitFor((r) => r.method === 'chat.postMessage');

  // The lease has run out (by the claim's clock) and this process claims the item again.
  const later = new Date(Date.now() + 2 * LEASE_MS);
  const again = only(await store.claimDue({ owner: 'local', now: later, limit: 1, leaseMs: LEASE_MS }));
  expect(again).toMatchObject({ id: n!.id, attempts: 2, claim: 2 });
  answer();

  expect(await outcomeLine).toMatchObject({ level: 'warn', notification: n!.id, team: 'payments', receiver: 'slack', claim: 1, outcome: 'sent' });
  // The second claim still holds the item: not sent, no message ref, and nobody else can claim it.
  expect(await store.getNotification(n!.id)).toMatchObject({ status: 'pending', attempts: 2, sentAt: null });
  expect(await store.getSlackRef(g.id, CHANNEL_ID)).toBeUndefined();
  expect(await store.claimDue({ owner: 'other', now: new Date(later.getTime() + 1), limit: 1, leaseMs: LEASE_MS })).toEqual([]);
  expect(lines.some((l) => l.msg === 'notification sent')).toBe(false);
  expect(await metrics.registry.metrics()).toContain('alertgate_outbox_stale_outcomes_total{receiver="slack"} 1');
  // Its own outcome is the one recorded.
  expect(await store.markSent(n!.id, { owner: 'local', claim: again.claim, sentAt: later })).toBe('recorded');
  expect(JSON.stringify(lines)).not.toContain(TOKEN);
}
