/**
 * The history pruner's passes, against a real SQLite store: a pass deletes what is older than
 * the retention in bounded steps, reports what each step deleted, and stops between steps when
 * told to.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SLACK, alert, enqueue, group, notification } from '../store/contract/fixtures.case.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';
import { pruneHistoryPass } from './history-pruner.js';

const DAY = 86_400_000;
let store: SqliteStore;

beforeEach(async () => {
  store = openSqliteStore(':memory:');
  // Six resolved groups (last updated 2026-10-01, as the fixtures are) with a delivered-or-suppressed
  // notification each, and one firing group that must stay.
  for (let i = 0; i < 6; i++) {
    const g = group(`old${i}`, { status: 'resolved', alerts: [alert(`old${i}-1`, 'resolved')] });
    await enqueue(store, g, [notification(g, SLACK, { status: 'suppressed', reason: 'duplicate' })]);
  }
  await enqueue(store, group('firing'), []);
});
afterEach(async () => {
  await store.close();
});

it('deletes, in steps, what is older than the retention, and nothing younger', async () => {
  // Notifications are stamped now: a 1-day retention read today keeps them, and their groups.
  expect(await pruneHistoryPass({ store, retentionMs: DAY, stepLimit: 4 })).toMatchObject({ notifications: 0, groups: 0 });
  expect((await store.listNotifications({ limit: 100 })).items).toHaveLength(6);

  const steps: { notifications: number; groups: number }[] = [];
  let passAt: Date | undefined;
  const threeDaysOn = new Date(Date.now() + 3 * DAY);
  const totals = await pruneHistoryPass({ store, retentionMs: DAY, stepLimit: 4, now: () => threeDaysOn, onPruned: (d) => steps.push(d), onPass: (at) => (passAt = at) });
  expect(totals).toEqual({ notifications: 6, groups: 6, steps: 3 });
  expect(steps).toEqual([
    { notifications: 4, groups: 0 },
    { notifications: 2, groups: 4 },
    { notifications: 0, groups: 2 },
  ]);
  expect(passAt).toEqual(threeDaysOn);
  expect((await store.listNotifications({ limit: 100 })).items).toEqual([]);
  expect((await store.listAlerts({ limit: 100 })).items.map((a) => a.groupId)).toEqual(['firing']);
});

it('stops between steps once aborted, without reporting a completed pass', async () => {
  const stopping = new AbortController();
  let passes = 0;
  const totals = await pruneHistoryPass({
    store,
    retentionMs: DAY,
    stepLimit: 4,
    now: () => new Date(Date.now() + 3 * DAY),
    onPruned: () => stopping.abort(),
    onPass: () => passes++,
    signal: stopping.signal,
  });
  expect(totals).toEqual({ notifications: 4, groups: 0, steps: 1 });
  expect(passes).toBe(0);
  expect((await store.listNotifications({ limit: 100 })).items).toHaveLength(2);
});
