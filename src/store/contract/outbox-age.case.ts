/**
 * @module store/contract/outbox-age
 * Contract: `oldestWaitingCreatedAt`, what alertgate_outbox_oldest_age_seconds is read from.
 * Waiting is pending or failed, whether due, behind an older item of its queue or awaiting a
 * retry; sent, dead and suppressed items (maintenance holds included) are final and never
 * count. The test's clock moves between writes, so each item has a creation time of its own.
 */
import { describe, expect, it } from 'vitest';
import type { NotificationRecord } from '../store.js';
import type { ContractClock, CurrentStore } from '../store.case.js';
import { PAGERDUTY, SLACK, enqueue, group, later, notification, only } from './fixtures.case.js';

const LEASE_MS = 30_000;
/** Between two writes of a test: the clock of the store moves this much, so creation times differ. */
const STEP_MS = 5_000;

export function outboxAgeContract(store: CurrentStore, clock: ContractClock): void {
  const oldest = async () => (await store().oldestWaitingCreatedAt())?.toISOString() ?? null;
  const claimOne = async (owner: string): Promise<NotificationRecord> =>
    only(await store().claimDue({ owner, now: later(), limit: 1, leaseMs: LEASE_MS }));
  const post = async (id: string): Promise<NotificationRecord> => {
    const g = group(id);
    return only(await enqueue(store(), g, [notification(g, SLACK)]));
  };

  describe('oldest waiting notification', () => {
    it('is null when nothing waits', async () => {
      expect(await oldest()).toBeNull();
    });

    it('is the oldest pending item, then, as each is sent, the next one, including one queued behind it', async () => {
      const g1 = group('g1');
      const [first] = await enqueue(store(), g1, [notification(g1, SLACK)]);
      clock.advance(STEP_MS);
      // An edit of the same group and channel: not claimable before the post is sent, still waiting.
      const [behind] = await enqueue(store(), g1, [notification(g1, SLACK, { kind: 'changed' })]);
      clock.advance(STEP_MS);
      const other = await post('g2');
      expect(await oldest()).toBe(first?.createdAt);
      for (const [next, after] of [
        [first, behind?.createdAt],
        [behind, other.createdAt],
        [other, null],
      ] as const) {
        const claimed = await claimOne('w1');
        expect(claimed.id).toBe(next?.id);
        // Claimed and in flight, it still waits.
        expect(await oldest()).toBe(next?.createdAt);
        await store().markSent(claimed.id, { claim: claimed.claim, owner: 'w1', sentAt: later() });
        expect(await oldest()).toBe(after);
      }
    });

    it('counts a failed item awaiting its retry, older or newer than the pending ones', async () => {
      const failing = await post('g1');
      clock.advance(STEP_MS);
      const pending = await post('g2');
      clock.advance(STEP_MS);
      const failingToo = await post('g3');
      const retryAt = later(3_600_000);
      const first = await claimOne('w1');
      await store().markFailed(first.id, { claim: first.claim, owner: 'w1', error: 'slack: 500', nextAttemptAt: retryAt });
      // g3 fails too; g2 is handed back untried, still pending.
      const [second, third] = await store().claimDue({ owner: 'w1', now: later(), limit: 10, leaseMs: LEASE_MS });
      expect([second?.id, third?.id]).toEqual([pending.id, failingToo.id]);
      await store().defer(pending.id, { claim: second!.claim, owner: 'w1', nextAttemptAt: later() });
      await store().markFailed(failingToo.id, { claim: third!.claim, owner: 'w1', error: 'slack: 500', nextAttemptAt: retryAt });
      expect((await store().getNotification(failing.id))?.status).toBe('failed');
      expect(await oldest()).toBe(failing.createdAt);
      // The oldest is delivered at its retry: now a pending one is the oldest, older than the other failed one.
      const due = await store().claimDue({ owner: 'w2', now: retryAt, limit: 10, leaseMs: LEASE_MS });
      expect(due.map((n) => n.id).sort((a, b) => a - b)).toEqual([failing.id, pending.id, failingToo.id]);
      const claimOf = (id: number) => due.find((n) => n.id === id)?.claim ?? -1;
      await store().markSent(failing.id, { claim: claimOf(failing.id), owner: 'w2', sentAt: retryAt });
      expect(await oldest()).toBe(pending.createdAt);
      await store().markSent(pending.id, { claim: claimOf(pending.id), owner: 'w2', sentAt: retryAt });
      expect(await oldest()).toBe(failingToo.createdAt);
    });

    it('does not count sent, dead or suppressed items (a duplicate, a maintenance hold); a requeued dead one waits again from its creation', async () => {
      const dead = await post('dead');
      const claimedDead = await claimOne('w1');
      await store().markFailed(claimedDead.id, { claim: claimedDead.claim, owner: 'w1', error: 'slack: channel_not_found', nextAttemptAt: null });
      const sent = await post('sent');
      const claimedSent = await claimOne('w1');
      await store().markSent(claimedSent.id, { claim: claimedSent.claim, owner: 'w1', sentAt: later() });
      const held = group('held');
      await enqueue(store(), held, [
        notification(held, SLACK, { status: 'suppressed', reason: 'maintenance: window db-upgrade' }),
        notification(held, PAGERDUTY, { status: 'suppressed', reason: 'duplicate within dedup window 4h' }),
      ]);
      expect(await oldest()).toBeNull();
      clock.advance(STEP_MS);
      const waiting = await post('waiting');
      expect(await oldest()).toBe(waiting.createdAt);
      expect([(await store().getNotification(dead.id))?.status, (await store().getNotification(sent.id))?.status]).toEqual(['dead', 'sent']);
      expect((await store().retryDead(dead.id, later())).outcome).toBe('requeued');
      expect(await oldest()).toBe(dead.createdAt);
    });
  });
}
