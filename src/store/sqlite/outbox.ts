/**
 * @module store/sqlite/outbox
 * Claiming and finishing outbox items, run by the writer inside one IMMEDIATE transaction, so
 * two workers (or two processes on one file) can never claim the same item. Rows come back as
 * stored; the store maps them to records on its own thread (a snapshot is parsed once, there).
 *
 * Attempts are counted when an item is claimed, not when it fails: a delivery that kills its
 * worker before `markFailed` still uses up its retry budget. An item handed back untried (`defer`)
 * gets its attempt back. Each claim also takes the item's next claim number (never given back),
 * which its outcome write must name: a write of an ended claim changes nothing.
 */
import type { SlackRef } from '../../delivery/notifier.js';
import { RECEIVER_TYPES, receiverOfKey, type Target } from '../../model/target.js';
import { receiverLimit, roomCounter } from '../rows.js';
import type { ClaimHeld, OutcomeWrite, ReceiverRoom, SupersedingStatus } from '../store.js';
import type { GroupWritePlan } from './groups.js';
import type { NotificationRow } from './rows.js';
import type { ClaimCandidate, Statements } from './statements.js';

export interface ClaimArgs {
  nowMs: number;
  limit: number;
  leaseMs: number;
  owner: string;
  excludeTargetKeys: readonly string[];
  receiverRoom?: ReceiverRoom;
}

export function claimDue(s: Statements, opts: ClaimArgs): NotificationRow[] {
  const leaseUntil = opts.nowMs + opts.leaseMs;
  const limit = Math.max(0, Math.floor(opts.limit));
  const claimed: NotificationRow[] = [];
  for (const { id } of claimCandidates(s, opts, limit)) {
    if (s.claim.run({ id, owner: opts.owner, lease_until: leaseUntil }).changes === 0) continue;
    const row = s.selectNotification.get(id);
    if (row) claimed.push(row);
  }
  return claimed;
}

/**
 * The oldest `limit` claimable items: each receiver is asked for its own oldest items, up to its
 * room, and the lists are merged in claim order. A full receiver's items are not even read, so
 * however many wait, they cannot crowd out the other's.
 */
function claimCandidates(s: Statements, opts: ClaimArgs, limit: number): ClaimCandidate[] {
  const base = { now: opts.nowMs, exclude: JSON.stringify(opts.excludeTargetKeys) };
  return RECEIVER_TYPES.flatMap((receiver) => {
    const n = receiverLimit(opts.receiverRoom, receiver, limit);
    return n > 0 ? s.selectClaimableOf.all({ ...base, limit: n, receiver }) : [];
  })
    .sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id)
    .slice(0, limit);
}

/** A lease offered with a group write (`UpdateOptions.lease`), as the writer applies it. */
export interface LeaseArgs {
  owner: string;
  leaseUntilMs: number;
  max: number;
  excludeTargetKeys: readonly string[];
  receiverRoom?: ReceiverRoom;
}

/**
 * Lease up to `max` of the pending items `applyGroupPlan` just inserted (`ids`, per plan) to the
 * offering worker, in write order; returns the ids leased. Same transaction as the insert.
 */
export function leaseInserted(s: Statements, plans: readonly GroupWritePlan[], ids: readonly number[][], lease: LeaseArgs): number[] {
  const leased: number[] = [];
  const excluded = new Set(lease.excludeTargetKeys);
  const room = roomCounter(lease.receiverRoom);
  plans.forEach((plan, p) =>
    plan.notifications.forEach(({ row }, n) => {
      if (leased.length >= lease.max || row.status !== 'pending' || excluded.has(row.target_key)) return;
      const receiver = receiverOfKey(row.target_key);
      if (!room.has(receiver)) return;
      const id = ids[p]![n]!;
      if (s.leaseInserted.run({ id, owner: lease.owner, lease_until: lease.leaseUntilMs }).changes === 0) return;
      leased.push(id);
      room.take(receiver);
    }),
  );
  return leased;
}

/** The outcome writes: each changes the item only while the claim it names holds it (queries.ts MARK_SENT). */
export function markSent(s: Statements, id: number, opts: ClaimHeld & { sentAtMs: number; slackRef?: SlackRef }): OutcomeWrite {
  const row = s.markSent.get({ id, owner: opts.owner, claim: opts.claim, sent_at: opts.sentAtMs });
  if (!row) return 'not-held';
  if (!opts.slackRef) return 'recorded';
  const target = JSON.parse(row.target) as Target;
  s.upsertSlackMessage.run({
    group_seq: row.group_seq,
    // Keyed by the channel as configured (what the outbox looks up by); the ref keeps the
    // channel as Slack answered it, which chat.update needs.
    channel: target.type === 'slack' ? target.channel : opts.slackRef.channel,
    ref_channel: opts.slackRef.channel,
    ts: opts.slackRef.ts,
    now: opts.sentAtMs,
  });
  return 'recorded';
}

export function markFailed(s: Statements, id: number, opts: ClaimHeld & { error: string; nextAttemptAtMs: number | null }): OutcomeWrite {
  return written(s.markFailed.run({ id, owner: opts.owner, claim: opts.claim, error: opts.error, next_attempt_at: opts.nextAttemptAtMs }).changes);
}

export function defer(s: Statements, id: number, opts: ClaimHeld & { nextAttemptAtMs: number; lastError?: string }): OutcomeWrite {
  return written(s.defer.run({ id, owner: opts.owner, claim: opts.claim, next_attempt_at: opts.nextAttemptAtMs, last_error: opts.lastError ?? null }).changes);
}

function written(changes: number): OutcomeWrite {
  return changes > 0 ? 'recorded' : 'not-held';
}

/** `RetryDeadResult` with the requeued item as stored (the store maps it on its own thread). */
export type RetryDeadRow =
  | { outcome: 'requeued'; row: NotificationRow }
  | { outcome: 'superseded'; supersededBy: number; supersededByStatus: SupersedingStatus }
  | { outcome: 'not-dead' };

/**
 * The check and the requeue share the one writer's transaction: no newer item is written, nor
 * sent, in between.
 */
export function retryDead(s: Statements, id: number, nowMs: number): RetryDeadRow {
  const newer = s.selectNewerThanDead.get({ id });
  if (newer) return { outcome: 'superseded', supersededBy: newer.id, supersededByStatus: newer.status };
  if (s.retryDead.run({ id, now: nowMs }).changes === 0) return { outcome: 'not-dead' };
  s.touchGroupOfNotification.run({ id, now: nowMs });
  const row = s.selectNotification.get(id);
  return row ? { outcome: 'requeued', row } : { outcome: 'not-dead' };
}
