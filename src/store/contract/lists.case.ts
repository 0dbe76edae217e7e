/**
 * @module store/contract/lists
 * Contract: newest-first listings with filters and opaque cursors; counters and lifecycle.
 */
import { describe, expect, it } from 'vitest';
import type { AlertStatus } from '../../model/alert.js';
import type { AlertRecord, ListQuery, NotificationRecord, NotificationStatus, Page, Store } from '../store.js';
import type { CurrentStore } from '../store.case.js';
import { PAGERDUTY, SLACK, alert, enqueue, group, later, notification, only } from './fixtures.case.js';

/** Follow cursors to the end, returning each page's items. */
async function pages<T>(fetch: (cursor?: string) => Promise<Page<T>>): Promise<T[][]> {
  const out: T[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await fetch(cursor);
    out.push(page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

const notificationPages = (s: Store, q: Omit<ListQuery<NotificationStatus>, 'cursor'>) =>
  pages<NotificationRecord>((cursor) => s.listNotifications({ ...q, ...(cursor === undefined ? {} : { cursor }) }));
const alertPages = (s: Store, q: Omit<ListQuery<AlertStatus>, 'cursor'>) =>
  pages<AlertRecord>((cursor) => s.listAlerts({ ...q, ...(cursor === undefined ? {} : { cursor }) }));

export function listContract(store: CurrentStore): void {
  describe('listNotifications', () => {
    /** 8 notifications: payments ×5 (one suppressed), prisons ×3; returns ids in insert order. */
    async function seed(): Promise<number[]> {
      const ids: number[] = [];
      for (const [id, team] of [['p1', 'payments'], ['p2', 'payments'], ['j1', 'prisons']] as const) {
        const g = group(id, { team });
        const notes = [notification(g, SLACK), notification(g, PAGERDUTY)];
        if (id === 'p1') notes.push(notification(g, SLACK, { status: 'suppressed', reason: 'duplicate' }));
        if (id === 'j1') notes.push(notification(g, SLACK, { kind: 'changed' }));
        ids.push(...(await enqueue(store(), g, notes)).map((n) => n.id));
      }
      return ids;
    }

    it('pages newest first over several pages and ends with a null cursor', async () => {
      const ids = await seed();
      const result = await notificationPages(store(), { limit: 3 });
      expect(result.map((p) => p.length)).toEqual([3, 3, 2]);
      expect(result.flat().map((n) => n.id)).toEqual([...ids].reverse());
    });

    it('returns no cursor when the last page is exactly full', async () => {
      await seed();
      const page = await store().listNotifications({ limit: 8 });
      expect(page.items).toHaveLength(8);
      expect(page.nextCursor).toBeNull();
    });

    it('filters by team and status, also across pages', async () => {
      const ids = await seed();
      const prisons = (await notificationPages(store(), { team: 'prisons', limit: 2 })).flat();
      expect(prisons.map((n) => n.id)).toEqual(ids.slice(5).reverse());
      expect(new Set(prisons.map((n) => n.team))).toEqual(new Set(['prisons']));
      const suppressed = await store().listNotifications({ status: 'suppressed', limit: 10 });
      expect(suppressed.items.map((n) => n.id)).toEqual([ids[2]]);
      const paymentsPending = (await notificationPages(store(), { team: 'payments', status: 'pending', limit: 1 })).flat();
      expect(paymentsPending.map((n) => n.id)).toEqual([ids[4], ids[3], ids[1], ids[0]]);
      expect(await store().listNotifications({ team: 'nobody', limit: 10 })).toEqual({ items: [], nextCursor: null });
    });

    it('lists sent, failed and dead items by status', async () => {
      const ids = await seed();
      const claimed = await store().claimDue({ owner: 'w', now: later(), limit: 3, leaseMs: 60_000 });
      const [a, b, c] = claimed.map((n) => n.id);
      const [claimA, claimB, claimC] = claimed.map((n) => n.claim);
      await store().markSent(a ?? -1, { claim: claimA ?? -1, owner: 'w', sentAt: later() });
      await store().markFailed(b ?? -1, { claim: claimB ?? -1, owner: 'w', error: 'timeout', nextAttemptAt: later(60_000) });
      await store().markFailed(c ?? -1, { claim: claimC ?? -1, owner: 'w', error: 'invalid_auth', nextAttemptAt: null });
      for (const [status, id] of [['sent', a], ['failed', b], ['dead', c]] as const) {
        expect((await store().listNotifications({ status, limit: 10 })).items.map((n) => n.id)).toEqual([id]);
      }
      expect((await store().listNotifications({ status: 'pending', limit: 10 })).items).toHaveLength(ids.length - 4);
    });

    it('rejects a cursor it did not issue', async () => {
      await seed();
      await expect(store().listNotifications({ limit: 2, cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
    });
  });

  describe('listAlerts', () => {
    /** payments g1 (10:00, 2 alerts), prisons g2 (11:00, 1 alert), payments g3 (12:00, 2 alerts, one resolved). */
    async function seed(): Promise<void> {
      await enqueue(store(), group('g1', { alerts: [alert('a'), alert('b')], updatedAt: '2026-10-01T10:00:00.000Z' }), []);
      await enqueue(store(), group('g2', { team: 'prisons', alerts: [alert('c')], updatedAt: '2026-10-01T11:00:00.000Z' }), []);
      await enqueue(store(), group('g3', { alerts: [alert('d'), alert('e', 'resolved')], updatedAt: '2026-10-01T12:00:00.000Z' }), []);
    }

    it('lists alerts newest first with their group and team, over several pages', async () => {
      await seed();
      const result = await alertPages(store(), { limit: 2 });
      expect(result.map((p) => p.length)).toEqual([2, 2, 1]);
      const all = result.flat();
      // Newest group write first; the order among alerts of one write is the store's own.
      expect(all.map((a) => a.groupId)).toEqual(['g3', 'g3', 'g2', 'g1', 'g1']);
      expect(all.map((a) => a.fingerprint).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
      const c = all.find((a) => a.fingerprint === 'c');
      expect(c).toMatchObject({ ...alert('c'), team: 'prisons', groupId: 'g2', groupKey: group('g2', { team: 'prisons' }).groupKey });
      expect(c?.updatedAt).toBe('2026-10-01T11:00:00.000Z');
    });

    it('filters by team and status', async () => {
      await seed();
      const prisons = await store().listAlerts({ team: 'prisons', limit: 10 });
      expect(prisons.items.map((a) => a.fingerprint)).toEqual(['c']);
      const resolved = await store().listAlerts({ status: 'resolved', limit: 10 });
      expect(resolved.items.map((a) => a.fingerprint)).toEqual(['e']);
      const firingPayments = (await alertPages(store(), { team: 'payments', status: 'firing', limit: 1 })).flat();
      expect(firingPayments.map((a) => a.fingerprint).sort()).toEqual(['a', 'b', 'd']);
    });

    it('keeps a changed alert in its place, newest first by when it was first stored; updatedAt moves only when it changes', async () => {
      await seed();
      await enqueue(store(), group('g1', { alerts: [alert('a'), alert('b', 'resolved'), alert('f')], updatedAt: '2026-10-01T13:00:00.000Z' }), []);
      const items = (await store().listAlerts({ limit: 10 })).items;
      expect(items.map((a) => a.fingerprint)[0]).toBe('f');
      expect(items.slice(1).map((a) => a.groupId)).toEqual(['g3', 'g3', 'g2', 'g1', 'g1']);
      expect(items.find((a) => a.fingerprint === 'b')).toMatchObject({ status: 'resolved', updatedAt: '2026-10-01T13:00:00.000Z' });
      expect(items.find((a) => a.fingerprint === 'a')?.updatedAt).toBe('2026-10-01T10:00:00.000Z');
    });

    it('walks every alert exactly once while alerts change between pages', async () => {
      await seed();
      const first = await store().listAlerts({ limit: 2 });
      // Between pages: an alert not reached yet (a, of the oldest group) resolves, and one
      // already listed (d) changes too. Both used to jump to the top, out of the walk's way.
      await enqueue(store(), group('g1', { alerts: [alert('a', 'resolved'), alert('b')], updatedAt: '2026-10-01T13:00:00.000Z' }), []);
      await enqueue(store(), group('g3', { alerts: [alert('d', 'resolved'), alert('e', 'resolved')], updatedAt: '2026-10-01T14:00:00.000Z' }), []);
      const rest = await alertPages(store(), { limit: 2, ...(first.nextCursor === null ? {} : { cursor: first.nextCursor }) });
      const walked = [...first.items, ...rest.flat()].map((a) => a.fingerprint);
      expect(walked.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('lists an alert that fires again after its group dropped it (a tombstone) as a new one, at the top', async () => {
      await enqueue(store(), group('g1', { alerts: [alert('a')], updatedAt: '2026-10-01T10:00:00.000Z' }), []);
      await enqueue(store(), group('g2', { alerts: [alert('b')], updatedAt: '2026-10-01T11:00:00.000Z' }), []);
      const dropped = { ...alert('a', 'resolved'), endsAt: '2026-10-01T12:00:00Z' };
      await enqueue(store(), group('g1', { alerts: [alert('x')], tombstones: [dropped], updatedAt: '2026-10-01T12:00:00.000Z' }), []);
      const again = { ...alert('a'), startsAt: '2026-10-01T13:00:00Z' };
      await enqueue(store(), group('g1', { alerts: [alert('x'), again], updatedAt: '2026-10-01T13:00:00.000Z' }), []);
      const items = (await store().listAlerts({ limit: 10 })).items;
      expect(items.map((x) => x.fingerprint)).toEqual(['a', 'x', 'b']);
      // The same when a later write of its group left the tombstone as it was.
      const bDropped = { ...alert('b', 'resolved'), endsAt: '2026-10-01T14:00:00Z' };
      await enqueue(store(), group('g2', { alerts: [alert('y')], tombstones: [bDropped], updatedAt: '2026-10-01T14:00:00.000Z' }), []);
      await enqueue(store(), group('g2', { alerts: [alert('y')], tombstones: [bDropped], updatedAt: '2026-10-01T15:00:00.000Z' }), []);
      const bAgain = { ...alert('b'), startsAt: '2026-10-01T16:00:00Z' };
      await enqueue(store(), group('g2', { alerts: [alert('y'), bAgain], updatedAt: '2026-10-01T16:00:00.000Z' }), []);
      expect((await store().listAlerts({ limit: 10 })).items.map((x) => x.fingerprint)).toEqual(['b', 'y', 'a', 'x']);
    });

    it('rejects a cursor it did not issue', async () => {
      await seed();
      await expect(store().listAlerts({ limit: 2, cursor: 'bm9wZQ' })).rejects.toThrow(/cursor/);
    });
  });

  describe('lifecycle', () => {
    it('counts pending and failed items as outbox depth', async () => {
      const g = group('g1');
      await enqueue(store(), g, [notification(g, SLACK), notification(g, PAGERDUTY), notification(g, SLACK, { status: 'suppressed' })]);
      expect(await store().outboxDepth()).toBe(2);
      const first = only(await store().claimDue({ owner: 'w', now: later(), limit: 1, leaseMs: 1_000 }));
      await store().markFailed(first.id, { claim: first.claim, owner: 'w', error: 'e', nextAttemptAt: later() });
      expect(await store().outboxDepth()).toBe(2);
      const second = only(await store().claimDue({ owner: 'w', now: later(), limit: 1, leaseMs: 1_000 }));
      await store().markSent(second.id, { claim: second.claim, owner: 'w', sentAt: later() });
      expect(await store().outboxDepth()).toBe(1);
    });

    it('answers ping while open and fails it once closed; close is idempotent', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
      await expect(store().close()).resolves.toBe('closed');
      await expect(store().ping()).rejects.toThrow();
      await expect(store().close()).resolves.toBe('closed');
    });
  });
}
