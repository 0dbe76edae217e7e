/**
 * @module store/contract/outbox
 * Contract: the outbox queue — due items, per-(group, target) ordering, exclusive leases that
 * expire, completion checked against the claim (its owner and number), retries, deferrals (no attempt used), dead items and Slack
 * message refs.
 */
import { describe, expect, it } from 'vitest';
import { LEASE_RAN_OUT, MAY_HAVE_POSTED } from '../../model/post-notes.js';
import type { ChangeKind } from '../../model/group.js';
import { targetKey } from '../../model/target.js';
import type { ClaimOptions, NotificationRecord } from '../store.js';
import type { CurrentStore } from '../store.case.js';
import { PAGERDUTY, SLACK, SLACK_LOW, enqueue, group, later, notification, only } from './fixtures.case.js';

const LEASE_MS = 30_000;

export function outboxContract(store: CurrentStore): void {
  const claim = (owner: string, now: Date = later(), extra: Partial<ClaimOptions> = {}): Promise<NotificationRecord[]> =>
    store().claimDue({ owner, now, limit: 100, leaseMs: LEASE_MS, ...extra });
  const status = async (id: number) => (await store().getNotification(id))?.status;

  describe('outbox', () => {
    it('makes a pending item due at once; suppressed items are never claimable', async () => {
      const g = group('g1');
      const [pending, suppressed] = await enqueue(store(), g, [
        notification(g, SLACK),
        notification(g, PAGERDUTY, { status: 'suppressed', reason: 'duplicate' }),
      ]);
      expect(await store().outboxDepth()).toBe(1);
      const claimed = only(await claim('w1'));
      expect(claimed.id).toBe(pending?.id);
      // A claimed item keeps its public status and counts the attempt.
      expect(claimed).toMatchObject({ status: 'pending', attempts: 1 });
      await store().markSent(claimed.id, { claim: claimed.claim, owner: 'w1', sentAt: later() });
      expect(await store().outboxDepth()).toBe(0);
      expect(await claim('w2', later(LEASE_MS * 10))).toEqual([]);
      expect(await status(suppressed?.id ?? -1)).toBe('suppressed');
    });

    it('hands out only the oldest item of a group and target until it is sent', async () => {
      const g = group('g1');
      const [post, edit] = await enqueue(store(), g, [notification(g, SLACK), notification(g, SLACK, { kind: 'changed' })]);
      const first = only(await claim('w1'));
      expect(first.id).toBe(post?.id);
      // Even with the first item's lease long expired, the second waits behind it.
      const again = only(await claim('w2', later(LEASE_MS * 2)));
      expect(again.id).toBe(post?.id);
      await store().markSent(again.id, { claim: again.claim, owner: 'w2', sentAt: later() });
      expect(only(await claim('w3')).id).toBe(edit?.id);
    });

    it('keeps targets and groups independent of each other', async () => {
      const g1 = group('g1');
      const g2 = group('g2');
      const items = [
        ...(await enqueue(store(), g1, [notification(g1, SLACK), notification(g1, SLACK), notification(g1, SLACK_LOW), notification(g1, PAGERDUTY)])),
        ...(await enqueue(store(), g2, [notification(g2, SLACK)])),
      ];
      const claimed = (await claim('w1')).map((n) => n.id).sort((a, b) => a - b);
      const expected = [items[0], items[2], items[3], items[4]].map((n) => n?.id);
      expect(claimed).toEqual(expected);
    });

    it('skips excluded targets (paced or backing-off channels), leaving them due', async () => {
      const g = group('g1');
      const [slack, low, page] = await enqueue(store(), g, [notification(g, SLACK), notification(g, SLACK_LOW), notification(g, PAGERDUTY)]);
      const claimed = await claim('w1', later(), { excludeTargetKeys: [targetKey(SLACK), targetKey(SLACK_LOW)] });
      expect(claimed.map((n) => n.id)).toEqual([page?.id]);
      const rest = (await claim('w2')).map((n) => n.id).sort((a, b) => a - b);
      expect(rest).toEqual([slack?.id, low?.id]);
    });

    it('takes at most a receiver\'s room, leaving what it passed over due', async () => {
      // Five groups posting to one channel, one to another, one page: Slack has room for two more.
      const items: NotificationRecord[] = [];
      for (let i = 0; i < 5; i++) {
        const g = group(`busy${i}`);
        items.push(...(await enqueue(store(), g, [notification(g, SLACK)])));
      }
      const low = group('quiet');
      const [quiet] = await enqueue(store(), low, [notification(low, SLACK_LOW)]);
      const paged = group('paged');
      const [page] = await enqueue(store(), paged, [notification(paged, PAGERDUTY)]);
      const claimed = await claim('w1', later(), { limit: 10, receiverRoom: { slack: 2 } });
      // Oldest first: two Slack items, then the page (PagerDuty has no limit here).
      expect(claimed.map((n) => n.id)).toEqual([items[0]?.id, items[1]?.id, page?.id]);
      // No room for PagerDuty: only Slack; and the limit still counts first.
      const next = await claim('w2', later(), { limit: 1, receiverRoom: { slack: 5, pagerduty: 0 } });
      expect(next.map((n) => n.id)).toEqual([items[2]?.id]);
      // What was passed over stayed due.
      const rest = (await claim('w3', later(LEASE_MS * 4))).map((n) => n.id).sort((a, b) => a - b);
      expect(rest).toEqual([...items, quiet, page].map((n) => n!.id).sort((a, b) => a - b));
    });

    it('leases a written item only to a receiver with room', async () => {
      const g = group('g1');
      const offer = { owner: 'w1', leaseMs: 120_000, max: 1, receiverRoom: { pagerduty: 0 } };
      const written = await store().updateGroups([g.id], () => [{ group: g, notifications: [notification(g, PAGERDUTY), notification(g, SLACK)] }], { lease: offer });
      // The page comes first in the write, but PagerDuty has no room: the Slack item is leased.
      expect(written.map((n) => n.leasedTo)).toEqual([undefined, 'w1']);
      expect(only(await claim('w2')).id).toBe(written[0]?.id);
    });

    it('coalesces edits: a superseding item suppresses older unclaimed edits, never a first post, an announced end or a claimed one', async () => {
      const g = group('g1');
      const [post, edit1, end, edit2] = await enqueue(store(), g, [
        notification(g, SLACK),
        notification(g, SLACK, { kind: 'changed' }),
        // A storm digest's closing edit: it announces the end in the thread, which later edits do not.
        notification(g, SLACK, { kind: 'resolved' }),
        notification(g, SLACK, { kind: 'changed' }),
      ]);
      const claimedPost = only(await claim('w1'));
      expect(claimedPost.id).toBe(post?.id);
      const [latest] = await enqueue(store(), g, [notification(g, SLACK, { kind: 'changed', supersedesPending: true })]);
      expect(await status(edit1?.id ?? -1)).toBe('suppressed');
      expect((await store().getNotification(edit2?.id ?? -1))?.reason).toBe('superseded by a newer edit');
      expect(await status(post?.id ?? -1)).toBe('pending');
      expect(await status(end?.id ?? -1)).toBe('pending');
      await store().markSent(claimedPost.id, { claim: claimedPost.claim, owner: 'w1', sentAt: later() });
      const claimedEnd = only(await claim('w2'));
      expect(claimedEnd.id).toBe(end?.id);
      await store().markSent(claimedEnd.id, { claim: claimedEnd.claim, owner: 'w2', sentAt: later() });
      expect(only(await claim('w2')).id).toBe(latest?.id);
    });

    it('coalesces within one write too: a superseding item suppresses the earlier edits of the write, not its announced end', async () => {
      const g = group('g1');
      const written = await enqueue(store(), g, [
        notification(g, SLACK, { kind: 'changed' }),
        notification(g, SLACK, { kind: 'resolved' }),
        notification(g, SLACK, { kind: 'changed', supersedesPending: true }),
      ]);
      expect(await Promise.all(written.map((n) => status(n.id)))).toEqual(['suppressed', 'pending', 'pending']);
    });

    it('lets a failed item block its queue until its retry time, then hands it out again', async () => {
      const g = group('g1');
      const [first, second] = await enqueue(store(), g, [notification(g, SLACK), notification(g, SLACK)]);
      const t = later();
      const claimed = only(await claim('w1', t));
      const retryAt = new Date(t.getTime() + 60_000);
      await store().markFailed(first?.id ?? -1, { claim: claimed.claim, owner: 'w1', error: 'slack: ratelimited', nextAttemptAt: retryAt });
      const failed = await store().getNotification(first?.id ?? -1);
      expect(failed).toMatchObject({ status: 'failed', lastError: 'slack: ratelimited', nextAttemptAt: retryAt.toISOString(), attempts: 1 });
      expect(await store().outboxDepth()).toBe(2);
      expect(await claim('w1', new Date(retryAt.getTime() - 1))).toEqual([]);
      const retried = only(await claim('w1', retryAt));
      expect(retried).toMatchObject({ id: first?.id, status: 'failed', attempts: 2 });
      await store().markSent(retried.id, { claim: retried.claim, owner: 'w1', sentAt: retryAt });
      expect(await store().getNotification(retried.id)).toMatchObject({ status: 'sent', sentAt: retryAt.toISOString() });
      expect(only(await claim('w1', retryAt)).id).toBe(second?.id);
    });

    it('defers a claimed item without using an attempt: lease released, due again at the given time, status and last error kept', async () => {
      const g = group('g1');
      const [post, edit] = await enqueue(store(), g, [notification(g, SLACK), notification(g, SLACK, { kind: 'changed' })]);
      const t = later();
      const claimed = only(await claim('w1', t));
      expect(claimed).toMatchObject({ id: post?.id, attempts: 1, claim: 1 });
      const resumeAt = new Date(t.getTime() + 5_000);
      expect(await store().defer(post?.id ?? -1, { claim: claimed.claim, owner: 'w1', nextAttemptAt: resumeAt })).toBe('recorded');
      // Never tried: still pending, no error, and the claim's attempt given back.
      expect(await store().getNotification(post?.id ?? -1)).toMatchObject({ status: 'pending', lastError: null, attempts: 0, nextAttemptAt: resumeAt.toISOString() });
      expect(await store().outboxDepth()).toBe(2);
      // Not due before its time; and, still undelivered, it keeps its edit waiting behind it.
      expect(await claim('w2', new Date(resumeAt.getTime() - 1))).toEqual([]);
      // The attempt is given back, the claim number is not: the next claim is the second.
      const again = only(await claim('w2', resumeAt));
      expect(again).toMatchObject({ id: post?.id, attempts: 1, claim: 2 });
      await store().markSent(post?.id ?? -1, { claim: again.claim, owner: 'w2', sentAt: resumeAt });
      expect(only(await claim('w2', resumeAt)).id).toBe(edit?.id);
    });

    it('defers a failed item keeping its status, error and the attempts it really used', async () => {
      const [item] = await enqueue(store(), group('g1'));
      const id = item?.id ?? -1;
      const t = later();
      const first = only(await claim('w1', t));
      const retryAt = new Date(t.getTime() + 1_000);
      await store().markFailed(id, { claim: first.claim, owner: 'w1', error: 'slack: internal_error', nextAttemptAt: retryAt });
      const second = only(await claim('w1', retryAt));
      expect(second).toMatchObject({ id, attempts: 2 });
      const resumeAt = new Date(retryAt.getTime() + 3_000);
      await store().defer(id, { claim: second.claim, owner: 'w1', nextAttemptAt: resumeAt });
      expect(await store().getNotification(id)).toMatchObject({ status: 'failed', lastError: 'slack: internal_error', attempts: 1, nextAttemptAt: resumeAt.toISOString() });
      expect(only(await claim('w2', resumeAt))).toMatchObject({ id, attempts: 2 });
    });

    it('defers with a last error when given one: recorded, status kept, the attempt given back', async () => {
      const [item] = await enqueue(store(), group('g1'));
      const id = item?.id ?? -1;
      const t = later();
      const first = only(await claim('w1', t));
      const resumeAt = new Date(t.getTime() + 1_000);
      await store().defer(id, { claim: first.claim, owner: 'w1', nextAttemptAt: resumeAt, lastError: 'slack chat.postMessage: timed out — the message may have been posted' });
      expect(await store().getNotification(id)).toMatchObject({ status: 'pending', lastError: 'slack chat.postMessage: timed out — the message may have been posted', attempts: 0, nextAttemptAt: resumeAt.toISOString() });
      // A later defer without one leaves it as it was.
      const second = only(await claim('w1', resumeAt));
      await store().defer(id, { claim: second.claim, owner: 'w1', nextAttemptAt: resumeAt });
      expect(await store().getNotification(id)).toMatchObject({ lastError: 'slack chat.postMessage: timed out — the message may have been posted', attempts: 0 });
    });

    it('ignores a defer by a worker that does not hold the claim, and of a finished item', async () => {
      const [item] = await enqueue(store(), group('g1'));
      const id = item?.id ?? -1;
      expect(await store().defer(id, { claim: 0, owner: 'stranger', nextAttemptAt: later(60_000) })).toBe('not-held');
      expect(await store().getNotification(id)).toEqual(item);
      const t = later();
      const claimed = only(await claim('w1', t));
      expect(await store().defer(id, { claim: claimed.claim, owner: 'stranger', nextAttemptAt: later(60_000) })).toBe('not-held');
      // Still w1's: nobody else can claim it while the lease lasts.
      expect(await claim('w2', t)).toEqual([]);
      expect(await store().markSent(id, { claim: claimed.claim, owner: 'w1', sentAt: t })).toBe('recorded');
      expect(await store().defer(id, { claim: claimed.claim, owner: 'w1', nextAttemptAt: later(60_000) })).toBe('not-held');
      expect(await store().getNotification(id)).toMatchObject({ status: 'sent', attempts: 1, nextAttemptAt: null });
    });

    it('marks an item dead when no retry is given; dead items do not block the queue', async () => {
      const g = group('g1');
      const [first, second] = await enqueue(store(), g, [notification(g, SLACK), notification(g, SLACK)]);
      const claimed = only(await claim('w1'));
      await store().markFailed(first?.id ?? -1, { claim: claimed.claim, owner: 'w1', error: 'channel_not_found', nextAttemptAt: null });
      expect(await store().getNotification(first?.id ?? -1)).toMatchObject({ status: 'dead', lastError: 'channel_not_found', nextAttemptAt: null });
      expect(await store().outboxDepth()).toBe(1);
      expect(only(await claim('w1')).id).toBe(second?.id);
    });

    it('requeues a dead item with a fresh budget, and only dead items', async () => {
      const g = group('g1');
      const [item] = await enqueue(store(), g);
      const id = item?.id ?? -1;
      expect(await store().retryDead(id, later())).toEqual({ outcome: 'not-dead' });
      const claimed = only(await claim('w1'));
      await store().markFailed(id, { claim: claimed.claim, owner: 'w1', error: 'invalid_auth', nextAttemptAt: null });
      const now = later(1_000);
      const result = await store().retryDead(id, now);
      expect(result.outcome).toBe('requeued');
      const requeued = result.outcome === 'requeued' ? result.notification : undefined;
      expect(requeued).toMatchObject({ id, status: 'pending', attempts: 0, nextAttemptAt: now.toISOString() });
      expect(await store().getNotification(id)).toEqual(requeued);
      expect(await claim('w1', new Date(now.getTime() - 1))).toEqual([]);
      expect(only(await claim('w1', now))).toMatchObject({ id, attempts: 1 });
      expect(await store().retryDead(999_999, now)).toEqual({ outcome: 'not-dead' });
    });

    /** A dead PagerDuty trigger of `g`; made when nothing else is due (what else is claimed is sent). */
    const deadTrigger = async (g: ReturnType<typeof group>): Promise<number> => {
      const [trigger] = await enqueue(store(), g, [notification(g, PAGERDUTY)]);
      const id = trigger?.id ?? -1;
      for (const n of await claim('w1')) {
        if (n.id === id) await store().markFailed(id, { claim: n.claim, owner: 'w1', error: 'pagerduty: 503', nextAttemptAt: null });
        else await store().markSent(n.id, { claim: n.claim, owner: 'w1', sentAt: later() });
      }
      expect(await status(id)).toBe('dead');
      return id;
    };

    it('refuses to requeue a dead item while a newer item of its group and target waits, is being delivered, failed or was sent', async () => {
      const g = group('g1');
      const id = await deadTrigger(g);
      const superseded = (newer: number | undefined, newerStatus: string) => ({ outcome: 'superseded', supersededBy: newer, supersededByStatus: newerStatus });
      // Each time the retried trigger would reach PagerDuty after the resolve, or just before it
      // (paging someone for an alert already over): it stays dead.
      const [resolve] = await enqueue(store(), g, [notification(g, PAGERDUTY, { kind: 'resolved' })]);
      expect(await store().retryDead(id, later())).toEqual(superseded(resolve?.id, 'pending'));
      const inFlight = only(await claim('w1'));
      expect(inFlight.id).toBe(resolve?.id);
      expect(await store().retryDead(id, later())).toEqual(superseded(resolve?.id, 'pending'));
      await store().markFailed(inFlight.id, { claim: inFlight.claim, owner: 'w1', error: 'pagerduty: 503', nextAttemptAt: later(1_000) });
      expect(await store().retryDead(id, later())).toEqual(superseded(resolve?.id, 'failed'));
      const again = only(await claim('w1', later(1_000)));
      await store().markSent(again.id, { claim: again.claim, owner: 'w1', sentAt: later(1_000) });
      expect(await store().retryDead(id, later())).toEqual(superseded(resolve?.id, 'sent'));
      expect(await store().getNotification(id)).toMatchObject({ status: 'dead', attempts: 1, lastError: 'pagerduty: 503' });
      expect(await store().outboxDepth()).toBe(0);
    });

    it('requeues a dead item whatever newer items of other queues, or newer suppressed ones of its own, there are', async () => {
      const g = group('g1');
      const id = await deadTrigger(g);
      // Another target of the group, and the same target for another group: other queues.
      await enqueue(store(), g, [notification(g, SLACK, { kind: 'changed' })]);
      const other = group('g2');
      const [otherSent] = await enqueue(store(), other, [notification(other, PAGERDUTY)]);
      await enqueue(store(), other, [notification(other, PAGERDUTY, { kind: 'resolved' })]);
      for (const n of await claim('w1')) if (n.id === otherSent?.id) await store().markSent(n.id, { claim: n.claim, owner: 'w1', sentAt: later() });
      // A suppressed item is never sent, so nothing it says can be overtaken; the copy of each
      // notification the second Alertmanager of an HA pair sends is one (a duplicate).
      await enqueue(store(), g, [notification(g, PAGERDUTY, { kind: 'repeat', status: 'suppressed', reason: 'duplicate within dedup window 4h' })]);
      const result = await store().retryDead(id, later());
      expect(result).toMatchObject({ outcome: 'requeued', notification: { id, status: 'pending' } });
    });

    it('refuses to requeue a dead item when a newer one of its queue is dead too: only the newest is retried', async () => {
      const g = group('g1');
      const trigger = await deadTrigger(g);
      const change = await deadTrigger(g);
      expect(await store().retryDead(trigger, later())).toEqual({ outcome: 'superseded', supersededBy: change, supersededByStatus: 'dead' });
      expect((await store().retryDead(change, later())).outcome).toBe('requeued');
      expect(await store().retryDead(trigger, later())).toEqual({ outcome: 'superseded', supersededBy: change, supersededByStatus: 'pending' });
      expect(await status(trigger)).toBe('dead');
    });

    it('names the newest newer item of the queue whatever the statuses of those before it (sent, dead, waiting)', async () => {
      const g = group('g1');
      const trigger = await deadTrigger(g);
      const [sent] = await enqueue(store(), g, [notification(g, PAGERDUTY, { kind: 'changed' })]);
      for (const n of await claim('w1')) await store().markSent(n.id, { claim: n.claim, owner: 'w1', sentAt: later() });
      expect(await status(sent?.id ?? -1)).toBe('sent');
      expect(await store().retryDead(trigger, later())).toEqual({ outcome: 'superseded', supersededBy: sent?.id, supersededByStatus: 'sent' });
      const dead = await deadTrigger(g);
      expect(await store().retryDead(trigger, later())).toEqual({ outcome: 'superseded', supersededBy: dead, supersededByStatus: 'dead' });
      const [waiting] = await enqueue(store(), g, [notification(g, PAGERDUTY, { kind: 'resolved' })]);
      expect(await store().retryDead(trigger, later())).toEqual({ outcome: 'superseded', supersededBy: waiting?.id, supersededByStatus: 'pending' });
      expect(await store().retryDead(dead, later())).toEqual({ outcome: 'superseded', supersededBy: waiting?.id, supersededByStatus: 'pending' });
      for (const n of await claim('w1')) await store().markSent(n.id, { claim: n.claim, owner: 'w1', sentAt: later() });
      // Sent last: newer than the dead one, though sent ones before it were older.
      expect(await store().retryDead(trigger, later())).toEqual({ outcome: 'superseded', supersededBy: waiting?.id, supersededByStatus: 'sent' });
    });

    it('gives a live claim to one owner only, even when claims race', async () => {
      for (let i = 0; i < 12; i++) {
        const g = group(`g${i}`);
        await enqueue(store(), g);
      }
      const t = later();
      const results = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => claim(owner, t, { limit: 5 })));
      const ids = results.flat().map((n) => n.id);
      expect(ids).toHaveLength(12);
      expect(new Set(ids).size).toBe(12);
      expect(await claim('e', new Date(t.getTime() + LEASE_MS - 1))).toEqual([]);
    });

    it('returns at most limit items', async () => {
      for (let i = 0; i < 5; i++) await enqueue(store(), group(`g${i}`));
      expect(await claim('w1', later(), { limit: 2 })).toHaveLength(2);
      expect(await claim('w2', later(), { limit: 10 })).toHaveLength(3);
    });

    it('lets another owner take over an expired claim; the old owner can no longer finish it', async () => {
      const [item] = await enqueue(store(), group('g1'));
      const id = item?.id ?? -1;
      const t = later();
      const crashed = only(await claim('crashed', t));
      // Nothing says whether the crashed owner's Slack post went out: the rescuer's attempt looks first.
      const rescue = only(await claim('rescuer', new Date(t.getTime() + LEASE_MS)));
      expect(rescue).toMatchObject({ id, attempts: 2, lastError: LEASE_RAN_OUT });
      expect(await store().markSent(id, { claim: crashed.claim, owner: 'crashed', sentAt: t, slackRef: { channel: 'C1', ts: '1.1' } })).toBe('not-held');
      expect(await store().markFailed(id, { claim: crashed.claim, owner: 'crashed', error: 'late', nextAttemptAt: null })).toBe('not-held');
      // Nor with the current claim's number: the owner must match as well.
      expect(await store().markFailed(id, { claim: rescue.claim, owner: 'crashed', error: 'late', nextAttemptAt: null })).toBe('not-held');
      expect(await store().getNotification(id)).toMatchObject({ status: 'pending', lastError: LEASE_RAN_OUT, sentAt: null });
      expect(await store().getSlackRef('g1', SLACK.channel)).toBeUndefined();
      expect(await store().markSent(id, { claim: rescue.claim, owner: 'rescuer', sentAt: t })).toBe('recorded');
      expect(await status(id)).toBe('sent');
    });

    it('ignores an outcome written for a claim that has ended, even when the same owner claimed the item again', async () => {
      // One process (one owner) whose outcome write was slow: it lands after the lease ran out
      // and the same process claimed the item again.
      const [item] = await enqueue(store(), group('g1'));
      const id = item?.id ?? -1;
      const t = later();
      const first = only(await claim('w1', t));
      const second = only(await claim('w1', new Date(t.getTime() + LEASE_MS)));
      expect(second).toMatchObject({ id, attempts: 2, claim: first.claim + 1 });
      const stale = { owner: 'w1', claim: first.claim };
      for (const write of [
        () => store().markSent(id, { ...stale, sentAt: t, slackRef: { channel: 'C1', ts: '1.1' } }),
        () => store().markFailed(id, { ...stale, error: 'late', nextAttemptAt: null }),
        () => store().markFailed(id, { ...stale, error: 'late', nextAttemptAt: t }),
        () => store().defer(id, { ...stale, nextAttemptAt: t }),
      ]) {
        expect(await write()).toBe('not-held');
        // The second claim still holds the item: nobody else can claim it while its lease lasts.
        expect(await store().getNotification(id)).toMatchObject({ status: 'pending', attempts: 2, lastError: LEASE_RAN_OUT, sentAt: null });
        expect(await claim('w2', new Date(t.getTime() + LEASE_MS + 1))).toEqual([]);
      }
      expect(await store().getSlackRef('g1', SLACK.channel)).toBeUndefined();
      expect(await store().markSent(id, { owner: 'w1', claim: second.claim, sentAt: t })).toBe('recorded');
      expect(await status(id)).toBe('sent');
    });

    it('notes on a Slack item taken over from an expired lease that its post may have been made, once; not on PagerDuty items nor on items handed back', async () => {
      const g = group('g1');
      const [post, page] = await enqueue(store(), g, [notification(g, SLACK), notification(g, PAGERDUTY)]);
      const t = later();
      expect((await claim('crashed', t)).map((n) => n.id).sort()).toEqual([post!.id, page!.id].sort());
      const taken = await claim('rescuer', new Date(t.getTime() + LEASE_MS));
      expect(taken.find((n) => n.id === post!.id)).toMatchObject({ lastError: LEASE_RAN_OUT, attempts: 2 });
      expect(taken.find((n) => n.id === page!.id)).toMatchObject({ lastError: null, attempts: 2 });
      const claimOf = (id: number) => taken.find((n) => n.id === id)?.claim ?? -1;
      await store().markSent(page!.id, { claim: claimOf(page!.id), owner: 'rescuer', sentAt: t });
      // A post that timed out already says so: its own words are kept.
      const timedOut = `slack chat.postMessage: timed out — ${MAY_HAVE_POSTED}`;
      await store().markFailed(post!.id, { claim: claimOf(post!.id), owner: 'rescuer', error: timedOut, nextAttemptAt: t });
      only(await claim('third', new Date(t.getTime() + LEASE_MS)));
      const fourth = only(await claim('fourth', new Date(t.getTime() + 2 * LEASE_MS)));
      expect(fourth).toMatchObject({ id: post!.id, lastError: timedOut });
      // An outcome written (here a failure that settles nothing about a post) leaves no note behind.
      await store().markFailed(post!.id, { claim: fourth.claim, owner: 'fourth', error: 'slack: HTTP 500', nextAttemptAt: t });
      expect(only(await claim('fifth', new Date(t.getTime() + 2 * LEASE_MS)))).toMatchObject({ id: post!.id, lastError: 'slack: HTTP 500' });
    });

    it('ignores completion by a worker that never claimed the item', async () => {
      const [item] = await enqueue(store(), group('g1'));
      const id = item?.id ?? -1;
      expect(await store().markSent(id, { claim: 0, owner: 'stranger', sentAt: later() })).toBe('not-held');
      expect(await store().markFailed(id, { claim: 0, owner: 'stranger', error: 'x', nextAttemptAt: null })).toBe('not-held');
      expect(await store().getNotification(id)).toEqual(item);
      const claimed = only(await claim('w1'));
      expect(await store().markSent(id, { claim: claimed.claim, owner: 'w1', sentAt: later() })).toBe('recorded');
      // A finished item cannot be finished again, by anyone.
      expect(await store().markFailed(id, { claim: claimed.claim, owner: 'w1', error: 'x', nextAttemptAt: null })).toBe('not-held');
      expect(await status(id)).toBe('sent');
      expect(await claim('w1', later(LEASE_MS * 10))).toEqual([]);
    });

    it('leases new items to the writing worker in the same write; the others see them only once the lease expires', async () => {
      const g = group('g1');
      const lease = { owner: 'local', leaseMs: 120_000, max: 1 };
      const [slack, page] = await store().updateGroups([g.id], () => [{ group: g, notifications: [notification(g, SLACK), notification(g, PAGERDUTY)] }], { lease });
      // At most `max`, in write order; the lease counts the attempt, as a claim does.
      expect(slack).toMatchObject({ status: 'pending', attempts: 1, claim: 1, leasedTo: 'local' });
      expect(page).toMatchObject({ status: 'pending', attempts: 0, claim: 0 });
      expect(page?.leasedTo).toBeUndefined();
      expect((await claim('w2', later())).map((n) => n.id)).toEqual([page?.id]);
      expect(await store().outboxDepth()).toBe(2);
      await store().markSent(slack?.id ?? -1, { claim: slack?.claim ?? -1, owner: 'local', sentAt: later() });
      expect(await status(slack?.id ?? -1)).toBe('sent');
      // An expired lease is claimable like any other (a worker that died before delivering).
      const [orphan] = await store().updateGroups([g.id], () => [{ group: g, notifications: [notification(g, SLACK_LOW)] }], {
        lease: { owner: 'gone', leaseMs: 1_000, max: 1 },
      });
      expect(orphan?.leasedTo).toBe('gone');
      expect(only(await claim('w3', later())).id).toBe(orphan?.id);
    });

    it('leases on write only what heads its queue, is pending and whose target is not excluded', async () => {
      const g = group('g1');
      const [queued] = await enqueue(store(), g, [notification(g, SLACK)]);
      const written = await store().updateGroups(
        [g.id],
        () => [
          {
            group: g,
            notifications: [
              notification(g, SLACK, { kind: 'changed' }),
              notification(g, PAGERDUTY, { status: 'suppressed', reason: 'duplicate' }),
              notification(g, SLACK_LOW),
              notification(g, PAGERDUTY),
            ],
          },
        ],
        { lease: { owner: 'local', leaseMs: 120_000, max: 10, excludeTargetKeys: [targetKey(SLACK_LOW)] } },
      );
      expect(written.map((n) => n.leasedTo ?? null)).toEqual([null, null, null, 'local']);
      // The edit still waits behind the post queued before it; the excluded channel's item is due.
      const claimed = (await claim('w2', later())).map((n) => n.id).sort((a, b) => a - b);
      expect(claimed).toEqual([queued?.id, written[2]?.id]);
    });

    it('stores the Slack message ref of a group per target channel, replacing older ones', async () => {
      const g = group('g1');
      const [post, edit, low] = await enqueue(store(), g, [notification(g, SLACK), notification(g, SLACK), notification(g, SLACK_LOW)]);
      expect(await store().getSlackRef('g1', SLACK.channel)).toBeUndefined();
      const firstClaim = await claim('w1');
      expect(firstClaim.map((n) => n.id).sort()).toEqual([post?.id, low?.id].sort());
      // Slack answers with the channel id, which chat.update needs; lookups use the configured name.
      const claimOf = (id: number | undefined) => firstClaim.find((n) => n.id === id)?.claim ?? -1;
      await store().markSent(post?.id ?? -1, { claim: claimOf(post?.id), owner: 'w1', sentAt: later(), slackRef: { channel: 'C0PAY', ts: '1700000000.000100' } });
      await store().markSent(low?.id ?? -1, { claim: claimOf(low?.id), owner: 'w1', sentAt: later(), slackRef: { channel: 'C0LOW', ts: '1700000000.000200' } });
      expect(await store().getSlackRef('g1', SLACK.channel)).toEqual({ channel: 'C0PAY', ts: '1700000000.000100' });
      expect(await store().getSlackRef('g1', SLACK_LOW.channel)).toEqual({ channel: 'C0LOW', ts: '1700000000.000200' });
      expect(await store().getSlackRef('g2', SLACK.channel)).toBeUndefined();
      const claimedEdit = only(await claim('w1'));
      expect(claimedEdit.id).toBe(edit?.id);
      await store().markSent(edit?.id ?? -1, { claim: claimedEdit.claim, owner: 'w1', sentAt: later(), slackRef: { channel: 'C0PAY', ts: '1700000000.000300' } });
      expect(await store().getSlackRef('g1', SLACK.channel)).toEqual({ channel: 'C0PAY', ts: '1700000000.000300' });
    });

    it("answers an alert group's Slack message for a notification only when it is that notification's episode's", async () => {
      /** Queue `kind` for g's Slack channel and deliver it: sent (editing or posting `ts`) or dead; or leave it pending. */
      const step = async (g: ReturnType<typeof group>, kind: ChangeKind, outcome: 'sent' | 'dead' | 'suppressed' | 'pending', ts = '1700000000.000100') => {
        const [n] = await enqueue(store(), g, [notification(g, SLACK, { kind, ...(outcome === 'suppressed' ? { status: 'suppressed', reason: 'storm: gathered into the channel digest' } : {}) })]);
        if (outcome === 'suppressed' || outcome === 'pending') return n!;
        // Items left pending above are claimed along, and stay leased.
        const claimed = (await claim('w1')).find((c) => c.id === n?.id);
        expect(claimed).toBeDefined();
        if (outcome === 'sent') await store().markSent(n!.id, { claim: claimed!.claim, owner: 'w1', sentAt: later(), slackRef: { channel: 'C0PAY', ts } });
        else await store().markFailed(n!.id, { claim: claimed!.claim, owner: 'w1', error: 'slack: channel_not_found', nextAttemptAt: null });
        return n!;
      };
      const refFor = (g: string, n: NotificationRecord, kind: ChangeKind = n.kind) => store().getSlackRef(g, SLACK.channel, { id: n.id, kind });
      const first = { channel: 'C0PAY', ts: '1700000000.000100' };

      // Within an episode, a dead change in between: its re-send still edits the message.
      const live = group('live');
      await step(live, 'new', 'sent');
      await step(live, 'changed', 'dead');
      expect(await refFor('live', await step(live, 'repeat', 'pending'))).toEqual(first);

      // An episode whose RESOLVED message went out; the next one a storm digest gathered: its change posts.
      const gathered = group('gathered');
      await step(gathered, 'new', 'sent');
      await step(gathered, 'resolved', 'sent');
      await step(gathered, 'new', 'suppressed');
      const change = await step(gathered, 'changed', 'pending');
      expect(await refFor('gathered', change)).toBeUndefined();
      // Not asked for a notification, the stored message is answered as it is (a digest's, edited after its end).
      expect(await store().getSlackRef('gathered', SLACK.channel)).toEqual(first);
      // Once that change posted its own message, the episode's later notifications edit it.
      const claimedChange = (await claim('w1')).find((c) => c.id === change.id);
      expect(claimedChange).toBeDefined();
      await store().markSent(change.id, { claim: claimedChange!.claim, owner: 'w1', sentAt: later(), slackRef: { channel: 'C0PAY', ts: '1700000000.000200' } });
      expect(await refFor('gathered', await step(gathered, 'resolved', 'pending'))).toEqual({ channel: 'C0PAY', ts: '1700000000.000200' });

      // An episode's resolution went dead: its re-send edits the message, a new episode's resend whose post went dead does not.
      const owed = group('owed');
      await step(owed, 'new', 'sent');
      await step(owed, 'resolved', 'dead');
      const resend = await step(owed, 'resolved', 'pending');
      expect(await refFor('owed', resend)).toEqual(first);
      expect(await refFor('owed', resend, 'repeat')).toBeUndefined();
      const again = group('again');
      await step(again, 'new', 'sent');
      await step(again, 'resolved', 'sent');
      await step(again, 'new', 'dead');
      expect(await refFor('again', await step(again, 'repeat', 'pending'))).toBeUndefined();
      // The episode's resolution never reached the channel (a digest told of it), so the newest
      // sent item is the first episode's post: only the next episode's dead post says it ended.
      const quiet = group('quiet');
      await step(quiet, 'new', 'sent');
      await step(quiet, 'resolved', 'suppressed');
      await step(quiet, 'new', 'dead');
      expect(await refFor('quiet', await step(quiet, 'changed', 'pending'))).toBeUndefined();
      // The same, the next episode's first message gathered by a digest (suppressed) instead of dead.
      const hushed = group('hushed');
      await step(hushed, 'new', 'sent');
      await step(hushed, 'resolved', 'suppressed');
      await step(hushed, 'new', 'suppressed');
      expect(await refFor('hushed', await step(hushed, 'changed', 'pending'))).toBeUndefined();
      // A gathered new episode is an episode's start whatever the queue held before it (history
      // retention may have deleted every sent item): its change posts.
      const gatheredOnly = group('gathered-only');
      await step(gatheredOnly, 'new', 'sent');
      await step(gatheredOnly, 'new', 'suppressed');
      expect(await refFor('gathered-only', await step(gatheredOnly, 'repeat', 'pending'))).toBeUndefined();
      // Suppressed items of other kinds (a duplicate within the dedup window, a superseded edit)
      // end no episode: the change after them edits the message.
      const reminded = group('reminded');
      await step(reminded, 'new', 'sent');
      await step(reminded, 'repeat', 'suppressed');
      await step(reminded, 'changed', 'suppressed');
      expect(await refFor('reminded', await step(reminded, 'changed', 'pending'))).toEqual(first);
    });

    it("answers the id Slack gave a target channel, from any group's message there, the most recently sent", async () => {
      expect(await store().getSlackChannelId(SLACK.channel)).toBeUndefined();
      const g1 = group('g1');
      const g2 = group('g2');
      const [old] = await enqueue(store(), g1, [notification(g1, SLACK)]);
      const [renamed, low] = await enqueue(store(), g2, [notification(g2, SLACK), notification(g2, SLACK_LOW)]);
      const claimed = await claim('w1');
      const claimOf = (id: number | undefined) => claimed.find((n) => n.id === id)?.claim ?? -1;
      await store().markSent(old?.id ?? -1, { claim: claimOf(old?.id), owner: 'w1', sentAt: later(1_000), slackRef: { channel: 'C0OLD', ts: '1700000000.000100' } });
      // The name now belongs to another channel (the old one was renamed): the newer id wins.
      await store().markSent(renamed?.id ?? -1, { claim: claimOf(renamed?.id), owner: 'w1', sentAt: later(2_000), slackRef: { channel: 'C0PAY', ts: '1700000000.000200' } });
      await store().markSent(low?.id ?? -1, { claim: claimOf(low?.id), owner: 'w1', sentAt: later(3_000), slackRef: { channel: 'C0LOW', ts: '1700000000.000300' } });
      expect(await store().getSlackChannelId(SLACK.channel)).toBe('C0PAY');
      expect(await store().getSlackChannelId(SLACK_LOW.channel)).toBe('C0LOW');
      expect(await store().getSlackChannelId('#elsewhere')).toBeUndefined();
    });
  });
}
