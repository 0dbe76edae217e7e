/**
 * @module store/contract/retention
 * Contract: history retention (`Store.pruneHistory`). Old delivered history goes, with the
 * groups it belonged to once they are resolved and quiet; nothing pending or failed, held or of
 * alertgate's own state ever does, nor anything dead an operator may still retry, and a pass
 * walks every group in bounded steps.
 */
import { describe, expect, it } from 'vitest';
import type { Target } from '../../model/target.js';
import type { GroupRecord, NotificationRecord, PruneResult, PruneStep, Store } from '../store.js';
import type { ContractClock, CurrentStore } from '../store.case.js';
import { PAGERDUTY, SLACK, alert, enqueue, group, later, notification } from './fixtures.case.js';

const LEASE_MS = 30_000;

/** A resolved group last updated long ago: what a pass removes. */
function quiet(id: string, overrides: Partial<GroupRecord> = {}): GroupRecord {
  return group(id, { status: 'resolved', alerts: [alert(`${id}-1`, 'resolved')], ...overrides });
}

/** Deliver every due item (marking each sent, with a Slack ref for Slack ones). */
async function deliverAll(store: Store): Promise<void> {
  for (const n of await store.claimDue({ owner: 'w', now: later(), limit: 100, leaseMs: LEASE_MS })) {
    const slackRef = n.target.type === 'slack' ? { channel: 'C0PAY', ts: `1700000000.${n.id}` } : undefined;
    await store.markSent(n.id, { claim: n.claim, owner: 'w', sentAt: later(), ...(slackRef ? { slackRef } : {}) });
  }
}

/** Run a whole pass in steps of `limit`; answers the totals and how many steps it took. */
async function pass(store: Store, before: Date, limit = 100): Promise<{ notifications: number; groups: number; steps: number }> {
  const total = { notifications: 0, groups: 0, steps: 0 };
  let cursor: string | undefined;
  for (;;) {
    const step: PruneStep = { before, limit, ...(cursor !== undefined ? { cursor } : {}) };
    const r: PruneResult = await store.pruneHistory(step);
    total.notifications += r.notifications;
    total.groups += r.groups;
    total.steps++;
    if (r.cursor === null) return total;
    cursor = r.cursor;
    if (total.steps > 1000) throw new Error('the pass does not end');
  }
}

export function retentionContract(store: CurrentStore, clock: ContractClock): void {
  describe('history retention', () => {
    it('deletes delivered and suppressed notifications created before the cut, and keeps pending, failed and dead ones', async () => {
      const live = group('live');
      const [sent, suppressed] = await enqueue(store(), live, [notification(live, SLACK), notification(live, PAGERDUTY, { status: 'suppressed', reason: 'duplicate' })]);
      await deliverAll(store());
      const [dead] = await enqueue(store(), live, [notification(live, SLACK, { kind: 'changed' })]);
      const [failed] = await enqueue(store(), live, [notification(live, PAGERDUTY, { kind: 'changed' })]);
      const [pending] = await enqueue(store(), group('other'));
      for (const n of await store().claimDue({ owner: 'w', now: later(), limit: 100, leaseMs: LEASE_MS })) {
        if (n.id === dead?.id) await store().markFailed(n.id, { claim: n.claim, owner: 'w', error: 'channel_not_found', nextAttemptAt: null });
        if (n.id === failed?.id) await store().markFailed(n.id, { claim: n.claim, owner: 'w', error: 'timeout', nextAttemptAt: later(LEASE_MS) });
        if (n.id === pending?.id) await store().defer(n.id, { claim: n.claim, owner: 'w', nextAttemptAt: later() });
      }
      // A cut before everything was written removes nothing.
      expect(await pass(store(), new Date(Date.now() - 60_000))).toMatchObject({ notifications: 0, groups: 0 });
      expect(await pass(store(), later())).toMatchObject({ notifications: 2, groups: 0 });
      for (const n of [sent, suppressed]) expect(await store().getNotification(n?.id ?? -1)).toBeUndefined();
      expect((await store().getNotification(failed?.id ?? -1))?.status).toBe('failed');
      expect((await store().getNotification(pending?.id ?? -1))?.status).toBe('pending');
      expect(await store().outboxDepth()).toBe(2);
      // The firing group and its Slack message stay: a later change still edits that message.
      expect(await store().getGroup('live')).toBeDefined();
      expect(await store().getSlackRef('live', SLACK.channel)).toEqual({ channel: 'C0PAY', ts: `1700000000.${sent?.id}` });
      const listed = await store().listNotifications({ limit: 100 });
      const ids = (...ns: (NotificationRecord | undefined)[]) => ns.map((n) => n?.id ?? -1).sort((a, b) => a - b);
      expect(ids(...listed.items)).toEqual(ids(dead, failed, pending));
      // The dead one stays visible and retryable: an operator may not have fixed its cause yet.
      expect((await store().listNotifications({ limit: 100, status: 'dead' })).items.map((n) => n.id)).toEqual([dead?.id]);
      expect((await store().retryDead(dead?.id ?? -1, new Date())).outcome).toBe('requeued');
    });

    it('keeps a dead notification however old, and its group however quiet, until it is retried and delivered', async () => {
      const g = quiet('g');
      const [dead] = await enqueue(store(), g, [notification(g, SLACK, { kind: 'resolved' })]);
      for (const n of await store().claimDue({ owner: 'w', now: later(), limit: 10, leaseMs: LEASE_MS })) {
        await store().markFailed(n.id, { claim: n.claim, owner: 'w', error: 'channel_not_found', nextAttemptAt: null });
      }
      expect(await pass(store(), later())).toMatchObject({ notifications: 0, groups: 0 });
      expect((await store().getNotification(dead!.id))?.status).toBe('dead');
      expect(await store().getGroup('g')).toBeDefined();
      // Retried once its cause is fixed, and delivered: then it is history like any other.
      expect((await store().retryDead(dead!.id, new Date())).outcome).toBe('requeued');
      await deliverAll(store());
      await pass(store(), later());
      expect(await store().getNotification(dead!.id)).toBeUndefined();
      expect(await store().getGroup('g')).toBeUndefined();
    });

    it('deletes a dead notification with the newer delivered one of its group and target that superseded it', async () => {
      const g = quiet('g');
      const die = async () => {
        for (const n of await store().claimDue({ owner: 'w', now: later(), limit: 10, leaseMs: LEASE_MS })) {
          await store().markFailed(n.id, { claim: n.claim, owner: 'w', error: 'channel_not_found', nextAttemptAt: null });
        }
      };
      const [superseded, otherTarget] = await enqueue(store(), g, [notification(g, SLACK), notification(g, PAGERDUTY)]);
      await die();
      const [newer] = await enqueue(store(), g, [notification(g, SLACK, { kind: 'resolved' })]);
      await deliverAll(store());
      // Retrying it would post its older state after the newer one: it is refused.
      expect(await store().retryDead(superseded!.id, new Date())).toEqual({ outcome: 'superseded', supersededBy: newer!.id, supersededByStatus: 'sent' });
      expect(await pass(store(), later())).toMatchObject({ notifications: 2, groups: 0 });
      for (const n of [superseded, newer]) expect(await store().getNotification(n!.id)).toBeUndefined();
      // The PagerDuty one was superseded by nothing: it stays, and its group with it.
      expect((await store().getNotification(otherTarget!.id))?.status).toBe('dead');
      expect(await store().getGroup('g')).toBeDefined();
      expect((await store().retryDead(otherTarget!.id, new Date())).outcome).toBe('requeued');
    });

    it('deletes a resolved group last updated before the cut with its alerts, history and Slack ref', async () => {
      const old = quiet('old');
      await enqueue(store(), old, [notification(old, SLACK)]);
      await deliverAll(store());
      expect(await store().getSlackRef('old', SLACK.channel)).toBeDefined();
      expect(await pass(store(), later())).toMatchObject({ notifications: 1, groups: 1 });
      expect(await store().getGroup('old')).toBeUndefined();
      expect(await store().getSlackRef('old', SLACK.channel)).toBeUndefined();
      expect((await store().listAlerts({ limit: 100 })).items).toEqual([]);
      expect((await store().listNotifications({ limit: 100 })).items).toEqual([]);
      // The same group id firing again starts afresh.
      const again = group('old', { alerts: [alert('old-2')] });
      await enqueue(store(), again);
      expect((await store().getGroup('old'))?.alerts.map((a) => a.fingerprint)).toEqual(['old-2']);
      expect(await store().outboxDepth()).toBe(1);
    });

    it('keeps groups that are firing, recent, held, undelivered or alertgate’s own state', async () => {
      // Updated after the cut (`later()`).
      const recentIso = later(60_000).toISOString();
      await enqueue(store(), group('firing'), []);
      await enqueue(store(), quiet('recent', { updatedAt: recentIso }), []);
      await enqueue(store(), quiet('held', { heldUntil: Date.now() - 1000 }), []);
      const undelivered = quiet('undelivered');
      await enqueue(store(), undelivered, [notification(undelivered, SLACK)]);
      for (const [id, groupKey] of [
        ['maintenance-state', 'maintenance'],
        ['storm-state', 'storm:#payments-alerts'],
        ['posted-report', 'message:report:payments:monthly:2026-10'],
      ] as const) {
        await enqueue(store(), quiet(id, { groupKey, alerts: [] }), []);
      }
      await enqueue(store(), quiet('gone'), []);
      expect(await pass(store(), later())).toMatchObject({ notifications: 0, groups: 1 });
      expect(await store().getGroup('gone')).toBeUndefined();
      for (const id of ['firing', 'recent', 'held', 'undelivered', 'maintenance-state', 'storm-state', 'posted-report']) {
        expect(await store().getGroup(id), id).toBeDefined();
      }
      expect(await store().outboxDepth()).toBe(1);
    });

    it('keeps a quiet group while a notification of it is younger than the cut', async () => {
      const g = quiet('noted');
      const [n] = await enqueue(store(), g, [notification(g, SLACK, { status: 'suppressed', reason: 'duplicate' })]);
      const cut = new Date(Date.now() - 60_000);
      expect(await pass(store(), cut)).toMatchObject({ notifications: 0, groups: 0 });
      expect(await store().getGroup('noted')).toBeDefined();
      expect((await store().getNotification(n?.id ?? -1))?.status).toBe('suppressed');
    });

    /** Every notification listed still has its group (none was left behind by a group's deletion). */
    async function expectEveryNotificationHasItsGroup(): Promise<void> {
      for (const n of (await store().listNotifications({ limit: 100 })).items) {
        expect(await store().getGroup(n.groupId), `group of notification ${n.id}`).toBeDefined();
      }
    }
    const suppressed = (g: GroupRecord, target: Target = SLACK) => notification(g, target, { status: 'suppressed', reason: 'duplicate' });

    it('leaves no notification without its group when the clock stepped back before a newer one was stamped', async () => {
      // NTP steps the store's clock back between two writes: the newer notification (higher id)
      // is stamped 10 minutes before the older one, and the cut falls between the two stamps.
      const t0 = clock.now().getTime();
      const first = quiet('first');
      await enqueue(store(), first, [suppressed(first)]);
      clock.advance(-10 * 60_000);
      const second = quiet('second');
      await enqueue(store(), second, [suppressed(second)]);
      await pass(store(), new Date(t0 - 5 * 60_000));
      await expectEveryNotificationHasItsGroup();
      await pass(store(), later());
      expect((await store().listNotifications({ limit: 100 })).items).toEqual([]);
      for (const id of ['first', 'second']) expect(await store().getGroup(id), id).toBeUndefined();
    });

    it('leaves no notification without its group when a group’s own notifications were stamped out of order', async () => {
      // The group's second notification is stamped 20 minutes before its first (the clock stepped
      // back), as is another group's; the cut keeps the first and not the others.
      const t0 = clock.now().getTime();
      const g = quiet('g');
      await enqueue(store(), g, [suppressed(g)]);
      clock.advance(-20 * 60_000);
      await enqueue(store(), g, [suppressed(g, PAGERDUTY)]);
      const h = quiet('h');
      await enqueue(store(), h, [suppressed(h)]);
      await pass(store(), new Date(t0 - 15 * 60_000));
      await expectEveryNotificationHasItsGroup();
      expect(await store().getGroup('g')).toBeDefined();
      await pass(store(), later());
      expect((await store().listNotifications({ limit: 100 })).items).toEqual([]);
      for (const id of ['g', 'h']) expect(await store().getGroup(id), id).toBeUndefined();
    });

    it('deletes old notifications before it looks at groups, and walks the groups in bounded steps', async () => {
      for (let i = 0; i < 7; i++) {
        const g = quiet(`g${i}`);
        await enqueue(store(), g, [notification(g, SLACK, { status: 'suppressed', reason: 'duplicate' })]);
      }
      await enqueue(store(), group('firing'), []);
      const first = await store().pruneHistory({ before: later(), limit: 3 });
      expect(first).toMatchObject({ notifications: 3, groups: 0 });
      expect(first.cursor).not.toBeNull();
      const rest = await pass(store(), later(), 3);
      expect(rest.notifications + first.notifications).toBe(7);
      expect(rest.groups).toBe(7);
      // Three notifications, then the last one and the first three groups, then three and two groups.
      expect(rest.steps).toBe(4);
      expect(await store().getGroup('firing')).toBeDefined();
      // A pass over what is left finds nothing more.
      expect(await pass(store(), later(), 3)).toMatchObject({ notifications: 0, groups: 0 });
    });

    it('never leaves a notification without its group when a requeued one is delivered during a step', async () => {
      const g = quiet('g');
      const [n] = await enqueue(store(), g, [notification(g, SLACK, { kind: 'resolved' })]);
      const claim = () => store().claimDue({ owner: 'w', now: later(), limit: 10, leaseMs: LEASE_MS });
      const [first] = await claim();
      await store().markFailed(n!.id, { claim: first!.claim, owner: 'w', error: 'channel_not_found', nextAttemptAt: null });
      // An admin requeues the dead item; its delivery ends as a step runs (the cut after everything).
      expect((await store().retryDead(n!.id, new Date())).outcome).toBe('requeued');
      const again = await claim();
      expect(again.map((c) => c.id)).toEqual([n!.id]);
      // The requeue gave the attempts back, not the claim number: this is the item's second claim.
      expect(again[0]).toMatchObject({ attempts: 1, claim: 2 });
      const sent = store().markSent(n!.id, { claim: again[0]!.claim, owner: 'w', sentAt: new Date(), slackRef: { channel: 'C0PAY', ts: '1.2' } });
      const step = pass(store(), later());
      await Promise.all([sent, step]);
      // Either both went or both stayed; a second pass leaves neither.
      const left = await store().getNotification(n!.id);
      if (left) expect(await store().getGroup('g')).toBeDefined();
      await pass(store(), later());
      expect(await store().getNotification(n!.id)).toBeUndefined();
      expect(await store().getGroup('g')).toBeUndefined();
    });

    it('stores a group written while a step prunes it exactly as decided', async () => {
      const old = quiet('old', { alerts: [alert('old-1', 'resolved'), alert('old-2', 'resolved')] });
      await enqueue(store(), old, []);
      let decided: GroupRecord | undefined;
      const pruning = store().pruneHistory({ before: later(), limit: 100 });
      const writing = store().updateGroups(['old'], (current) => {
        const prev = current.get('old');
        decided = { ...(prev ?? old), status: 'firing', alerts: [...(prev?.alerts ?? []), alert('old-3')], updatedAt: new Date().toISOString() };
        return [{ group: decided, notifications: [] }];
      });
      await Promise.all([pruning, writing]);
      const stored = await store().getGroup('old');
      expect(stored?.status).toBe('firing');
      expect(stored?.alerts).toEqual(decided?.alerts);
    });
  });
}
