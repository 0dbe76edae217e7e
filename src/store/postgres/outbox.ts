/**
 * @module store/postgres/outbox
 * Claiming and finishing outbox items, each one statement (atomic on its own).
 *
 * Replicas share the queue: a claim is a lease (owner + expiry) taken with
 * `FOR UPDATE SKIP LOCKED`, so concurrent claims never hand one item to two replicas. A
 * replica that dies keeps its leases until they expire; then any other replica claims the
 * items again (at-least-once). Unlike the embedded SQLite store, nothing is released at open:
 * a lease found then may belong to a live replica.
 *
 * Attempts are counted when an item is claimed, not when it fails: a delivery that kills its
 * worker before `markFailed` still uses up its retry budget. An item handed back untried (`defer`)
 * gets its attempt back. Each claim also takes the item's next claim number (never given back),
 * which its outcome write must name: a write of an ended claim changes nothing.
 */
import type pg from 'pg';
import type { SlackRef } from '../../delivery/notifier.js';
import { LEASE_RAN_OUT, MAY_HAVE_POSTED } from '../../model/post-notes.js';
import type { ClaimHeld, ClaimOptions, LeaseOffer, NotificationRecord, OutcomeWrite } from '../store.js';
import type { Queryable } from './pool.js';
import { targetKey, type ReceiverType } from '../../model/target.js';
import { leasedTo, receiverLimit, roomCounter } from '../rows.js';
import * as q from './queries.js';
import { toNotificationRecord, type NotificationRow } from './rows.js';

export async function claimDue(pool: pg.Pool, opts: ClaimOptions): Promise<NotificationRecord[]> {
  const limit = Math.max(0, Math.floor(opts.limit));
  if (limit === 0) return [];
  const leaseUntil = new Date(opts.now.getTime() + opts.leaseMs);
  const room = (receiver: ReceiverType) => receiverLimit(opts.receiverRoom, receiver, limit);
  const { rows } = await pool.query<NotificationRow>(q.CLAIM_DUE, [
    opts.now,
    limit,
    opts.owner,
    leaseUntil,
    opts.excludeTargetKeys ?? [],
    room('slack'),
    room('pagerduty'),
    MAY_HAVE_POSTED,
    LEASE_RAN_OUT,
  ]);
  // Oldest due first, as the worker starts them.
  return rows.map(toNotificationRecord).sort((a, b) => byDue(a, b));
}

/**
 * Lease what a group write just committed to the offering worker; returns the records with the
 * leased ones marked (`leasedTo`, attempt counted).
 */
export async function leaseInserted(c: Queryable, inserted: NotificationRecord[], lease: LeaseOffer, now: Date): Promise<NotificationRecord[]> {
  const excluded = new Set(lease.excludeTargetKeys ?? []);
  // Only a receiver's room's worth of its items are offered to the lease.
  const room = roomCounter(lease.receiverRoom);
  const candidates = inserted
    .filter((n) => {
      if (n.status !== 'pending' || excluded.has(targetKey(n.target)) || !room.has(n.target.type)) return false;
      room.take(n.target.type);
      return true;
    })
    .map((n) => n.id);
  const max = Math.max(0, Math.floor(lease.max));
  if (candidates.length === 0 || max === 0) return inserted;
  const { rows } = await c.query<{ id: string | number; claims: number }>(q.LEASE_INSERTED, [candidates, lease.owner, new Date(now.getTime() + lease.leaseMs), max]);
  // The claim number as the lease took it: the one its outcome writes name.
  const leased = new Map(rows.map((r) => [Number(r.id), r.claims]));
  return inserted.map((n) => {
    const claim = leased.get(n.id);
    return claim === undefined ? n : { ...leasedTo(n, lease.owner), claim };
  });
}

function byDue(a: NotificationRecord, b: NotificationRecord): number {
  return Date.parse(a.nextAttemptAt ?? '') - Date.parse(b.nextAttemptAt ?? '') || a.id - b.id;
}

/** The outcome writes: each changes the item only while the claim it names holds it (queries.ts MARK_SENT). */
export async function markSent(pool: pg.Pool, id: number, opts: ClaimHeld & { sentAt: Date; slackRef?: SlackRef }): Promise<OutcomeWrite> {
  return written(await pool.query(q.MARK_SENT, [id, opts.owner, opts.sentAt, opts.slackRef?.channel ?? null, opts.slackRef?.ts ?? null, opts.claim]));
}

export async function markFailed(pool: pg.Pool, id: number, opts: ClaimHeld & { error: string; nextAttemptAt: Date | null }): Promise<OutcomeWrite> {
  return written(await pool.query(q.MARK_FAILED, [id, opts.owner, opts.error, opts.nextAttemptAt, opts.claim]));
}

export async function defer(pool: pg.Pool, id: number, opts: ClaimHeld & { nextAttemptAt: Date; lastError?: string }): Promise<OutcomeWrite> {
  return written(await pool.query(q.DEFER, [id, opts.owner, opts.nextAttemptAt, opts.lastError ?? null, opts.claim]));
}

/** MARK_SENT returns a row when it marked the item; the others count the row they updated. */
function written(result: pg.QueryResult): OutcomeWrite {
  return (result.rowCount ?? 0) > 0 ? 'recorded' : 'not-held';
}
