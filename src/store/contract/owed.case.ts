/**
 * @module store/contract/owed
 * Contract: the targets a group owes its current state (GroupRecord.owedTargets), which
 * `updateGroups` hands `decide`: those whose newest notification of the group that is not
 * suppressed is dead. Read from the outbox under the group's lock, so the dead marking, a newer
 * notification and an admin retry each change it with nothing else written.
 */
import { describe, expect, it } from 'vitest';
import { MAY_HAVE_POSTED } from '../../model/post-notes.js';
import { targetKey } from '../../model/target.js';
import type { CurrentStore } from '../store.case.js';
import type { OwedDead } from '../store.js';
import { alertsContentHash, contentHash } from '../../model/content-hash.js';
import { PAGERDUTY, SLACK, alert, enqueue, group, later, notification, snapshot } from './fixtures.case.js';

export function owedContract(store: CurrentStore): void {
  /** What `updateGroups` gives `decide` as the group's owed targets (a read: nothing written). */
  const owed = async (id: string): Promise<string[]> => {
    let seen: string[] | undefined;
    await store().updateGroups([id], (current) => {
      seen = [...(current.get(id)?.owedTargets ?? [])].sort();
      return [];
    });
    return seen ?? [];
  };
  /** The dead notifications behind the group's owed targets, as `updateGroups` gives `decide` them. */
  const owedDead = async (id: string): Promise<Record<string, OwedDead> | undefined> => {
    let seen: Record<string, OwedDead> | undefined;
    await store().updateGroups([id], (current) => {
      seen = current.get(id)?.owedDead;
      return [];
    });
    return seen;
  };
  /** Claims what is due: `dead` ids go dead, the others are sent. */
  const deliver = async (dead: ReadonlySet<number | undefined>, error = 'slack: 503'): Promise<void> => {
    for (const n of await store().claimDue({ owner: 'w1', now: later(), limit: 100, leaseMs: 30_000 })) {
      if (dead.has(n.id)) await store().markFailed(n.id, { claim: n.claim, owner: 'w1', error, nextAttemptAt: null });
      else await store().markSent(n.id, { claim: n.claim, owner: 'w1', sentAt: later() });
    }
  };

  describe('owed targets', () => {
    it('are none while nothing is dead', async () => {
      const g = group('g1');
      await enqueue(store(), g, [notification(g, SLACK), notification(g, PAGERDUTY)]);
      expect(await owed('g1')).toEqual([]);
      await deliver(new Set());
      expect(await owed('g1')).toEqual([]);
    });

    it('are the targets whose newest notification went dead, not those delivered, nor another group\'s', async () => {
      const g = group('g1');
      const [post] = await enqueue(store(), g, [notification(g, SLACK), notification(g, PAGERDUTY)]);
      const other = group('g2');
      await enqueue(store(), other, [notification(other, PAGERDUTY)]);
      await deliver(new Set([post?.id]));
      expect(await owed('g1')).toEqual([targetKey(SLACK)]);
      expect(await owed('g2')).toEqual([]);
    });

    it('stay owed past a newer suppressed notification; a newer pending or failed one pays them', async () => {
      const g = group('g1');
      const [post] = await enqueue(store(), g, [notification(g, SLACK)]);
      await deliver(new Set([post?.id]));
      await enqueue(store(), g, [notification(g, SLACK, { kind: 'repeat', status: 'suppressed', reason: 'duplicate within dedup window 4h' })]);
      expect(await owed('g1')).toEqual([targetKey(SLACK)]);
      const [again] = await enqueue(store(), g, [notification(g, SLACK, { kind: 'repeat' })]);
      expect(await owed('g1')).toEqual([]);
      const [claimed] = await store().claimDue({ owner: 'w1', now: later(), limit: 100, leaseMs: 30_000 });
      expect(claimed?.id).toBe(again?.id);
      await store().markFailed(again?.id ?? -1, { claim: claimed?.claim ?? -1, owner: 'w1', error: 'slack: 503', nextAttemptAt: later(1_000) });
      expect(await owed('g1')).toEqual([]);
      // That one goes dead too: owed again, once.
      const [retry] = await store().claimDue({ owner: 'w1', now: later(1_000), limit: 100, leaseMs: 30_000 });
      await store().markFailed(retry?.id ?? -1, { claim: retry?.claim ?? -1, owner: 'w1', error: 'slack: 503', nextAttemptAt: null });
      expect(await owed('g1')).toEqual([targetKey(SLACK)]);
    });

    it('are paid by a newer notification of the target that was sent, whatever the team wrote between; not by one of another target', async () => {
      const g = group('g1');
      const [post] = await enqueue(store(), g, [notification(g, SLACK)]);
      await deliver(new Set([post?.id]));
      // The team's other groups, and the group's other target, after the dead one.
      for (const id of ['g2', 'g3']) {
        const other = group(id);
        await enqueue(store(), other, [notification(other, SLACK)]);
      }
      await enqueue(store(), g, [notification(g, PAGERDUTY, { kind: 'repeat' })]);
      await deliver(new Set());
      expect(await owed('g1')).toEqual([targetKey(SLACK)]);
      expect(await owed('g2')).toEqual([]);
      await enqueue(store(), g, [notification(g, SLACK, { kind: 'repeat' })]);
      await deliver(new Set());
      expect(await owed('g1')).toEqual([]);
    });

    it('come with the dead notification behind each (id, queue time, last error); a re-send starts with the last error it is given', async () => {
      const g = group('g1');
      const [post, page] = await enqueue(store(), g, [notification(g, SLACK), notification(g, PAGERDUTY)]);
      const timedOut = `slack chat.postMessage: timed out — ${MAY_HAVE_POSTED}`;
      const both = await store().claimDue({ owner: 'w1', now: later(), limit: 100, leaseMs: 30_000 });
      const [claimed] = both.filter((n) => n.id === post?.id);
      expect(claimed?.id).toBe(post?.id);
      await store().markFailed(post?.id ?? -1, { claim: claimed?.claim ?? -1, owner: 'w1', error: timedOut, nextAttemptAt: null });
      await store().markSent(page?.id ?? -1, { claim: both.find((n) => n.id === page?.id)?.claim ?? -1, owner: 'w1', sentAt: later() });
      const shown = alertsContentHash(g.alerts);
      const behind = { [targetKey(SLACK)]: { id: post?.id, createdAt: post?.createdAt, lastError: timedOut, contentHash: shown } };
      expect(await owedDead('g1')).toEqual(behind);
      // Past a newer suppressed one, still the same dead notification.
      await enqueue(store(), g, [notification(g, SLACK, { kind: 'repeat', status: 'suppressed', reason: 'duplicate within dedup window 4h' })]);
      expect(await owedDead('g1')).toEqual(behind);

      const note = `re-sent after notification ${post?.id} went dead`;
      const [resend] = await enqueue(store(), g, [notification(g, SLACK, { kind: 'repeat', lastError: note })]);
      expect(resend).toMatchObject({ status: 'pending', attempts: 0, lastError: note });
      expect(await store().getNotification(resend?.id ?? -1)).toMatchObject({ status: 'pending', lastError: note });
      expect(await owedDead('g1')).toBeUndefined();
      const [again] = await store().claimDue({ owner: 'w1', now: later(), limit: 100, leaseMs: 30_000 });
      expect(again).toMatchObject({ id: resend?.id, lastError: note });
      // The attempt's own error replaces it, as any.
      await store().markFailed(resend?.id ?? -1, { claim: again?.claim ?? -1, owner: 'w1', error: 'slack: 503', nextAttemptAt: null });
      // An error that says no post was made: no content read (nothing could be adopted).
      expect(await owedDead('g1')).toEqual({ [targetKey(SLACK)]: { id: resend?.id, createdAt: resend?.createdAt, lastError: 'slack: 503' } });
      // Without one, a new notification has none.
      const other = group('g2');
      const [plain] = await enqueue(store(), other, [notification(other, SLACK)]);
      expect(plain?.lastError).toBeNull();
      expect((await store().getNotification(plain?.id ?? -1))?.lastError).toBeNull();
    });

    it("come with the content hash of the dead notification's snapshot (what its post shows), not of the group as it is now; a large snapshot too", async () => {
      const timedOut = `slack chat.postMessage: timed out — ${MAY_HAVE_POSTED}`;
      // The resolution of 60 alerts (a snapshot stored deflated by SQLite) goes dead, then the group fires again.
      const alerts = Array.from({ length: 60 }, (_, i) => alert(`g1-${i}`, 'resolved'));
      const resolved = group('g1', { status: 'resolved', alerts });
      const [resolution] = await enqueue(store(), resolved, [notification(resolved, SLACK, { kind: 'resolved', snapshot: snapshot(resolved, 'resolved') })]);
      await deliver(new Set([resolution?.id]), timedOut);
      const firingAgain = group('g1', { alerts: [alert('g1-0'), ...alerts.slice(1)] });
      await enqueue(store(), firingAgain, [notification(firingAgain, SLACK, { status: 'suppressed', reason: 'storm: gathered into the channel digest' })]);
      const dead = (await owedDead('g1'))?.[targetKey(SLACK)];
      expect(dead?.id).toBe(resolution?.id);
      expect(dead?.contentHash).toBe(alertsContentHash([]));
      expect(dead?.contentHash).not.toBe(alertsContentHash(firingAgain.alerts));
      // A dead post of some firing alerts hashes those (in fingerprint order, as dedup does).
      const some = group('g2', { alerts: [alert('b', 'firing'), alert('c', 'resolved'), alert('a', 'firing')] });
      const [post] = await enqueue(store(), some, [notification(some, SLACK)]);
      await deliver(new Set([post?.id]), timedOut);
      expect((await owedDead('g2'))?.[targetKey(SLACK)]?.contentHash).toBe(contentHash(['a', 'b']));
      // A dead page never left a Slack post: its content is not read.
      const paged = group('g3');
      const [page] = await enqueue(store(), paged, [notification(paged, PAGERDUTY)]);
      await deliver(new Set([page?.id]), timedOut);
      expect(await owedDead('g3')).toEqual({ [targetKey(PAGERDUTY)]: { id: page?.id, createdAt: page?.createdAt, lastError: timedOut } });
    });

    it('are paid by an admin retry of the dead notification', async () => {
      const g = group('g1');
      const [post] = await enqueue(store(), g, [notification(g, SLACK)]);
      await deliver(new Set([post?.id]));
      expect(await owed('g1')).toEqual([targetKey(SLACK)]);
      expect((await store().retryDead(post?.id ?? -1, later())).outcome).toBe('requeued');
      expect(await owed('g1')).toEqual([]);
    });
  });
}
