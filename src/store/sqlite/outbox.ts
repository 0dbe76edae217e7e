/**
 * @module store/sqlite/outbox
 * Claiming and finishing outbox items. Callers run each function in one IMMEDIATE transaction,
 * so two workers (or two processes on one file) can never claim the same item.
 *
 * Attempts are counted when an item is claimed, not when it fails: a delivery that kills its
 * worker before `markFailed` still uses up its retry budget.
 */
import type { SlackRef } from '../../delivery/notifier.js';
import type { Target } from '../../model/target.js';
import type { ClaimOptions, NotificationRecord } from '../store.js';
import { toNotificationRecord } from './rows.js';
import type { Statements } from './statements.js';

export function claimDue(s: Statements, opts: ClaimOptions): NotificationRecord[] {
  const now = opts.now.getTime();
  const leaseUntil = now + opts.leaseMs;
  const limit = Math.max(0, Math.floor(opts.limit));
  const claimed: NotificationRecord[] = [];
  for (const { id } of s.selectClaimable.all({ now, limit, exclude: JSON.stringify(opts.excludeTargetKeys ?? []) })) {
    const row = s.claim.get({ id, owner: opts.owner, lease_until: leaseUntil });
    if (row) claimed.push(toNotificationRecord(row));
  }
  return claimed;
}

export function markSent(s: Statements, id: number, opts: { owner: string; sentAt: Date; slackRef?: SlackRef }): void {
  const row = s.markSent.get({ id, owner: opts.owner, sent_at: opts.sentAt.getTime() });
  if (!row || !opts.slackRef) return;
  const target = JSON.parse(row.target) as Target;
  s.upsertSlackMessage.run({
    group_id: row.group_id,
    // Keyed by the channel as configured (what the outbox looks up by); the ref keeps the
    // channel as Slack answered it, which chat.update needs.
    channel: target.type === 'slack' ? target.channel : opts.slackRef.channel,
    ref_channel: opts.slackRef.channel,
    ts: opts.slackRef.ts,
    now: opts.sentAt.getTime(),
  });
}

export function markFailed(s: Statements, id: number, opts: { owner: string; error: string; nextAttemptAt: Date | null }): void {
  s.markFailed.run({ id, owner: opts.owner, error: opts.error, next_attempt_at: opts.nextAttemptAt?.getTime() ?? null });
}

export function retryDead(s: Statements, id: number, now: Date): NotificationRecord | undefined {
  const row = s.retryDead.get({ id, now: now.getTime() });
  return row ? toNotificationRecord(row) : undefined;
}
