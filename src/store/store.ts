/**
 * @module store/store
 * The persistence contract of alertgate. The pipeline talks only to this interface;
 * `sqlite/` (default, embedded) and `postgres/` (several replicas) implement it, and both run
 * the same contract suite (`store.case.ts`).
 *
 * Design: the decision of what to notify is a pure function of the current group state and the
 * incoming alerts (dedup/). `updateGroups` hands that function the current state under a lock
 * (a SQLite write transaction, or `SELECT … FOR UPDATE` on PostgreSQL) and persists its result
 * atomically, so concurrent redeliveries of one webhook can never both enqueue a notification.
 */
import type { Alert, AlertStatus, Labels } from '../model/alert.js';
import type { ChangeKind, GroupSnapshot } from '../model/group.js';
import type { ReceiverType, Target } from '../model/target.js';
import type { SlackRef } from '../delivery/notifier.js';

export interface GroupRecord {
  /** Stable id: hash of team and Alertmanager groupKey. */
  id: string;
  team: string;
  groupKey: string;
  receiver: string;
  externalURL: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  status: AlertStatus;
  /** Latest merged snapshot of the group's alerts. */
  alerts: Alert[];
  /**
   * Resolved alerts the group dropped from `alerts` lately (dedup/tombstones.ts: a lagging HA
   * peer's firing copy of one is stale), never a fingerprint `alerts` holds. Stored as alert rows
   * at position -1 (store/rows.ts), so rows written before them read as none. Absent when none.
   */
  tombstones?: Alert[];
  /** Content hash of the last notification decided (not suppressed) for this group. */
  notifiedHash: string | null;
  /** RFC3339 time of that decision. */
  notifiedAt: string | null;
  /**
   * Every target the group's current (or last) episode was notified to: its resolution is
   * delivered to all of them. A new episode starts again from the targets the routes give then.
   */
  targets: Target[];
  /**
   * The storm digests that gathered this group, by Slack channel (storm/storm-control.ts): kept
   * on the group's own row, which every webhook of the group reads anyway, so a channel's state
   * does not grow with its storm. Absent when no digest ever gathered the group.
   */
  stormDigests?: StormDigests;
  /**
   * Held by a maintenance window (maintenance/hold.ts): the end of the window holding it, Unix
   * ms. Kept on the group's own row, so holding a group writes nothing else, and the release
   * pass finds what is due through `heldGroupIds`. Absent when the group is not held.
   */
  heldUntil?: number;
  /**
   * Target keys (model/target.ts `targetKey`) whose newest notification of the group that is not
   * suppressed is dead: that target never got the group's current state, so Alertmanager's next
   * resend of the unchanged group is notified to it rather than suppressed (dedup/decide.ts), as
   * Alertmanager's own notification log records a send only once it succeeds. Read by
   * `updateGroups` under the group's lock from the outbox itself, never stored: the dead marking,
   * a retry and a newer notification change it with no second write to keep in step. Absent (or
   * empty) when no target is owed, and on every record but those `updateGroups` hands `decide`.
   */
  owedTargets?: string[];
  /**
   * For each of `owedTargets`, by target key, the dead notification that makes it owed, read
   * with them: a re-send to a Slack target whose dead post may have been made (its last error
   * says so) and showed the content sent now looks for that post before posting
   * (dedup/decide.ts, delivery/slack/post-lookup.ts).
   * Present exactly when `owedTargets` is, never stored.
   */
  owedDead?: Record<string, OwedDead>;
  createdAt: string;
  updatedAt: string;
}

/** The dead notification behind an owed target (GroupRecord.owedDead). */
export interface OwedDead {
  /** Its outbox id. */
  id: number;
  /** When it was queued, as its NotificationRecord.createdAt: with the id, what its Slack posts' metadata names. */
  createdAt: string;
  /** Its last error (which says whether its Slack post may have been made). */
  lastError: string | null;
  /**
   * The content hash (model/content-hash.ts) of its snapshot: what its Slack post, if made,
   * shows. A re-send adopts that post only when it sends the same content (dedup/decide.ts).
   * Only where a post may have been made (model/post-notes.ts `deadPostPossible`): the snapshot
   * is read at each webhook of the group while the target is owed, and for a PagerDuty item or
   * a refused post (channel_not_found) nobody would use it.
   */
  contentHash?: string;
}

/** Channel → the storm (its start, Unix ms) whose digest gathered the group, and the status the digest counts. */
export type StormDigests = Record<string, { storm: number; status: AlertStatus }>;

export type NotificationStatus = 'pending' | 'failed' | 'sent' | 'suppressed' | 'dead';

/** The statuses of a newer item that keep a dead one from being retried (`RetryDeadResult`). */
export type SupersedingStatus = Exclude<NotificationStatus, 'suppressed'>;

export interface NewNotification {
  groupId: string;
  team: string;
  target: Target;
  kind: ChangeKind;
  /** `suppressed` rows are written straight to the delivery log and never sent. */
  status: 'pending' | 'suppressed';
  /** Why it was suppressed (e.g. "duplicate within dedup window 4h"). */
  reason?: string;
  /**
   * The last error a pending item starts with (none, normally): a re-send to an owed Slack
   * target whose dead notification's post may have been made carries the note that names that
   * notification (model/post-notes.ts `deadPostNote`), so its first attempt looks for
   * that post before posting.
   */
  lastError?: string;
  snapshot: GroupSnapshot;
  /**
   * Coalesce edits: older undelivered, unclaimed items of the same group and target whose kind
   * is not `new` or `resolved` become `suppressed` ("superseded by a newer edit"), since this one
   * carries the latest state (used for messages edited in place). A first post is never dropped,
   * nor an end announced in the thread (a storm digest's closing edit is `resolved`), which a
   * later edit does not repeat.
   */
  supersedesPending?: boolean;
}

export interface NotificationRecord {
  id: number;
  groupId: string;
  team: string;
  target: Target;
  kind: ChangeKind;
  status: NotificationStatus;
  reason: string | null;
  attempts: number;
  /**
   * The number of the item's latest claim (claims and leases with a write, counted from 1 and
   * never given back; 0 before the first). An outcome write (`markSent`, `markFailed`, `defer`)
   * names the claim it finishes with this number, as the claim returned it (`ClaimHeld`).
   */
  claim: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  sentAt: string | null;
  snapshot: GroupSnapshot;
  /**
   * Set only on records `updateGroups` returns: the worker the item was leased to with the write
   * (`UpdateOptions.lease`). That worker delivers it without claiming it.
   */
  leasedTo?: string;
}

/**
 * What `retryDead` did. A dead item carries an older snapshot than any newer item of the same
 * group and target that is not suppressed (suppressed items are never sent: a duplicate from the
 * other Alertmanager of an HA pair is one), and it is refused while there is one:
 * - sent: delivering the dead one after it would undo it (a PagerDuty trigger after the resolve
 *   leaves an incident open that nothing will resolve; a Slack `new` post after the edits is a
 *   second, stale FIRING message);
 * - pending or failed, claimed or not: being delivered, it is sent before the retried one (the
 *   same harm); waiting, it is sent right after it (a page for an alert already resolved);
 * - dead too: only the newest is retried, since it holds the group's latest state (a Slack edit
 *   of a message never posted posts a fresh one; a PagerDuty trigger carries everything).
 * The check and the requeue are one step of the store, under the lock the group's writers take.
 */
export type RetryDeadResult =
  | { outcome: 'requeued'; notification: NotificationRecord }
  /** `supersededBy`: the newest such item of the same group and target, with its status. */
  | { outcome: 'superseded'; supersededBy: number; supersededByStatus: SupersedingStatus }
  /** Unknown, or not dead (any more). */
  | { outcome: 'not-dead' };

export interface GroupWrite {
  group: GroupRecord;
  notifications: NewNotification[];
}

export interface AlertRecord extends Alert {
  team: string;
  groupId: string;
  groupKey: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next (older) page; null when there is none. */
  nextCursor: string | null;
}

export interface ListQuery<S extends string> {
  team?: string;
  status?: S;
  limit: number;
  cursor?: string;
}

/**
 * The claim an outcome write finishes: the worker holding it and the claim's number
 * (`NotificationRecord.claim` of the record the claim, or the lease with a write, returned). The
 * owner alone does not tell one claim from the next: one process claims an item again under the
 * same owner once its own lease ran out (or its delivery thread was restarted), and a slow write
 * of the earlier claim landing after that cleared the new claim's lease, or finished the item
 * for it while the new attempt was still being delivered.
 */
export interface ClaimHeld {
  owner: string;
  claim: number;
}

/**
 * What an outcome write did: `recorded`, or `not-held` when the claim it names no longer holds
 * the item (its lease ran out and the item was claimed again, by any worker; it was released;
 * or it is finished already) and nothing was changed. The item's current claim, if any, decides
 * its outcome.
 */
export type OutcomeWrite = 'recorded' | 'not-held';

export interface ClaimOptions {
  now: Date;
  limit: number;
  /** How long a claim is exclusive; an expired claim (crashed worker) is claimable again. */
  leaseMs: number;
  /** Identity of the claiming worker (process/replica). */
  owner: string;
  /**
   * Queues whose target (see `targetKey`) must not be claimed now: Slack channels that are
   * paced or told us to back off (429 Retry-After). Their items stay due for later.
   */
  excludeTargetKeys?: readonly string[];
  /** At most this many items of each receiver (see `ReceiverRoom`). */
  receiverRoom?: ReceiverRoom;
}

/**
 * How many more items of each receiver a worker may take now (absent: no limit): the slots a
 * receiver may still fill (OUTBOX_RECEIVER_CONCURRENCY), so that a receiver whose calls hang
 * until the timeout cannot hold every delivery slot. Items passed over stay due.
 */
export type ReceiverRoom = Partial<Record<ReceiverType, number>>;

/**
 * A local worker's offer to deliver what a write enqueues, leased with the write: the item
 * skips the claim (a wake-up, a round trip to the store and a read of the snapshot just
 * written) and its delivery starts as soon as the write committed.
 */
export interface LeaseOffer {
  owner: string;
  leaseMs: number;
  /** Most items to lease (the worker's free delivery slots it reserved for this write). */
  max: number;
  /** As in `ClaimOptions`: paced or backing-off targets are not leased. */
  excludeTargetKeys?: readonly string[];
  /** As in `ClaimOptions`: no item of a receiver without room is leased. */
  receiverRoom?: ReceiverRoom;
}

export interface UpdateOptions {
  /**
   * Lease new pending items to this worker, as a claim at commit time would: up to `max`, in
   * write order, only items that head their (group, target) queue and whose target is not
   * excluded. Leased records come back with `leasedTo` set and the attempt counted. SQLite
   * leases inside the write's transaction; PostgreSQL right after its commit (the group locks
   * are not held longer), so an item another replica claimed first is not leased.
   */
  lease?: LeaseOffer;
}

/**
 * One step of a history pruning pass (`Store.pruneHistory`, retention/history-pruner.ts).
 * `cursor`: where the pass's walk over the groups stands (absent: at the start).
 */
export interface PruneStep {
  /** Notifications created before this go, and groups last updated before it once none of theirs is left. */
  before: Date;
  /** Most notifications deleted, and most groups looked at, in this step. */
  limit: number;
  cursor?: string;
}

export interface PruneResult {
  notifications: number;
  groups: number;
  /** Where the next step goes on; null when this step looked at the last group (the pass is done). */
  cursor: string | null;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';

  /**
   * Atomically load the groups with these ids (absent ones are missing from the map), run
   * `decide`, and persist every returned group (upsert, including its alerts) and notification.
   * `decide` must be pure and synchronous. Returns the inserted notifications. A loaded record
   * carries `owedTargets`, read in the same transaction; a store may leave it out (none owed) for
   * alertgate's own records (reserved group keys: no dedup decision reads theirs), and for
   * a group whose write it has in flight, which only delays a re-notification to a later resend.
   */
  updateGroups(ids: string[], decide: (current: Map<string, GroupRecord>) => GroupWrite[], opts?: UpdateOptions): Promise<NotificationRecord[]>;

  getGroup(id: string): Promise<GroupRecord | undefined>;

  /**
   * Ids of the team's groups held by a maintenance window (`heldUntil` set) whose hold ends at
   * or before `dueBy`; every held group of the team without it. Committed groups only: a group
   * held by a write still in flight is found by a later call.
   */
  heldGroupIds(team: string, dueBy?: Date): Promise<string[]>;

  /**
   * Ids of the storm states whose storm goes on: alertgate's own records keyed `storm:<channel>`
   * (storm/channel-state.ts), stored as firing while their storm lasts (and while the pages it
   * held are owed: storm/held-pages.ts). Committed ones. The storm
   * ticker ends them after their quiet minute, whether or not the config still names the channel.
   */
  activeStormIds(): Promise<string[]>;

  /**
   * Ids of the team's groups whose row names the storm that started at `storm` (Unix ms) in
   * `channel` (`stormDigests`), whatever their status, in ascending order of id (byte order)
   * after `after` (from the first when undefined), `limit` at most. Committed ones. The storm
   * ticker reads them a batch at a time when a storm of a team with storm.holdPagerDuty ends,
   * and while its pages are owed, to page under the lock those still firing that never paged
   * (storm/held-pages.ts). Not indexed by storm: it reads the team's rows in id order until it
   * has `limit`.
   */
  stormGroupIds(team: string, channel: string, storm: number, after: string | undefined, limit: number): Promise<string[]>;

  /** Per team with any, how many of its groups a maintenance window holds (committed ones). */
  heldGroupCounts(): Promise<Record<string, number>>;

  /**
   * Claim up to `limit` due notifications (status pending/failed, nextAttemptAt <= now, not
   * leased by another live claim). Per group and target, only the oldest undelivered item is
   * ever claimable, so a group's Slack post always precedes its edits. Dead items do not block.
   */
  claimDue(opts: ClaimOptions): Promise<NotificationRecord[]>;

  /**
   * Mark sent, only if the claim named (`ClaimHeld`) still holds the item; store the Slack
   * message ref if given, with it. Otherwise nothing changes (`not-held`).
   */
  markSent(id: number, opts: ClaimHeld & { sentAt: Date; slackRef?: SlackRef }): Promise<OutcomeWrite>;

  /**
   * Record a failed attempt, only if the claim named still holds the item: retry at
   * `nextAttemptAt`, or `dead` when it is null. Otherwise nothing changes (`not-held`).
   */
  markFailed(id: number, opts: ClaimHeld & { error: string; nextAttemptAt: Date | null }): Promise<OutcomeWrite>;

  /**
   * Hand a claimed item back untried (only if the claim named still holds it): due again at
   * `nextAttemptAt`, and the attempt its claim counted given back, as nothing was sent. Its
   * status and last error stay as they were: a pacing wait is not a failure, and an item deferred
   * again and again must not reach the attempt budget (`markFailed` is for real attempts).
   * `lastError`, when given, replaces the last error (status still kept): a delivery cut by
   * shutdown after a Slack post's request was sent hands its item back saying the post may have
   * been made, so that the next attempt, on any replica, looks for it before posting again.
   */
  defer(id: number, opts: ClaimHeld & { nextAttemptAt: Date; lastError?: string }): Promise<OutcomeWrite>;

  /**
   * Requeue a dead notification (admin) with a fresh retry budget, unless a newer item of its
   * group and target that is not suppressed exists (`superseded`): see `RetryDeadResult`.
   */
  retryDead(id: number, now: Date): Promise<RetryDeadResult>;

  /**
   * The group's Slack message in `channel` (as the target names it), that later notifications
   * edit. With `forNotification` (an alert group's notification about to be delivered there):
   * only a message of that notification's episode, undefined when the stored one is an earlier
   * episode's, which a new episode never edits (it posts its own). The stored message is the one
   * the newest item of the (group, target) queue sent before it posted or edited (the queue is
   * delivered in order); it is an earlier episode's when that item was the group's resolution (a
   * RESOLVED message is final), or when a dead or suppressed item after it (after the queue's
   * start, once history retention deleted its sent items) was a `new` (the episode's own post
   * never went out: dead, gathered by a storm digest, held by a maintenance window) or a
   * resolution (the episode ended; unless `forNotification` is that resolution's re-send, which
   * edits the message). Suppressed items of other kinds (duplicates, folded or superseded edits)
   * end no episode. So a new episode a storm digest gathered, or whose post went dead, posts a
   * message of its own at its next delivery, even once retention deleted the earlier episode's
   * deliveries. Read from the queue's sent, dead and suppressed `new`/`resolved` items (their
   * partial indexes by queue), on the delivery path only; on ingest, a suppressed `new` or
   * resolution costs one index entry.
   */
  getSlackRef(groupId: string, channel: string, forNotification?: { id: number; kind: ChangeKind }): Promise<SlackRef | undefined>;
  /**
   * The id Slack answered for a target's `channel` (e.g. "#payments-alerts"), from the most
   * recently updated message of any group there; undefined when none is recorded. Read only when
   * a post may have posted (delivery/slack/post-lookup.ts): Slack's reads take ids only. It scans
   * the Slack message refs, which the rare caller can afford.
   */
  getSlackChannelId(channel: string): Promise<string | undefined>;

  getNotification(id: number): Promise<NotificationRecord | undefined>;
  listNotifications(q: ListQuery<NotificationStatus>): Promise<Page<NotificationRecord>>;
  listAlerts(q: ListQuery<AlertStatus>): Promise<Page<AlertRecord>>;

  /**
   * One step of history retention. First deletes up to `limit` sent and suppressed
   * notifications created before `before`, oldest first, with their snapshots, and with each
   * sent one the dead items of its group and target older than it (which it superseded: see
   * `RetryDeadResult`); once none is left, looks at up to `limit` groups after `cursor` and
   * deletes, with their alerts and Slack message refs, each that is resolved, not held by a
   * maintenance window, not one of alertgate's own records (storm and maintenance state, posted
   * messages), last updated before `before`, and with no notification left. Pending, failed and
   * dead items (an operator retries those), and the groups they belong to, are never pruned for
   * their age.
   */
  pruneHistory(step: PruneStep): Promise<PruneResult>;
  /** Count of notifications waiting to be sent (pending + failed). */
  outboxDepth(): Promise<number>;

  /**
   * When the oldest notification still waiting to be delivered was created, or null when none
   * waits (alertgate_outbox_oldest_age_seconds). Waiting is pending or failed, whatever holds it
   * back: due now, claimed and in flight, awaiting a retry or a pacing wait, or queued behind an
   * older item of its group and target. The other states are final: sent, dead, and suppressed
   * (duplicates, superseded edits, and what a maintenance window holds: its end queues new
   * items, which wait from then). A dead item an admin requeues waits again, from its creation.
   * A few index lookups whatever the size of the backlog and the history (see the queries).
   */
  oldestWaitingCreatedAt(): Promise<Date | null>;

  /** Throws when the store is unreachable, or reachable but refusing writes (StoreNotWritableError) (readiness). */
  ping(): Promise<void>;
  /**
   * Closes the store once the calls in flight have ended. With `cutAfterMs` (a shutdown past its
   * deadline), PostgreSQL calls still waiting on the server after that long have their
   * connections cut and reject; the server rolls their transactions back, so nothing is left
   * half-written. Answers `cut` when it cut any (for the shutdown's log), else `closed`.
   */
  close(cutAfterMs?: number): Promise<'closed' | 'cut'>;
}

/**
 * The store answers but would refuse every write: a PostgreSQL standby (in recovery, read-only),
 * reached while a failover is still promoting it or through a URL that names a replica.
 * Readiness reports its message, which says what is wrong.
 */
export class StoreNotWritableError extends Error {
  override readonly name = 'StoreNotWritableError';
}
