/**
 * @module store/sqlite/queries
 * The SQL of the SQLite store (bind parameters by name). Statuses that form the outbox queue:
 * pending and failed; a claimed item keeps its status and gains a lease.
 */

import { LEASE_RAN_OUT, MAY_HAVE_POSTED } from '../../model/post-notes.js';
import { RECEIVER_OF_TARGET_KEY } from './schema-v5.js';

/** Groups and alerts whose ids are in the JSON array `@ids`. */
export const SELECT_GROUPS = `SELECT * FROM groups WHERE id IN (SELECT value FROM json_each(@ids))`;
/**
 * SELECT_GROUPS for a decision: with `has_dead`, whether the group has a dead notification (one
 * probe of the dead index), so SELECT_OWED_TARGETS runs only for groups that may owe a target,
 * not for every resend of a stored group. Needs schema 11's index (a writable store's).
 */
export const SELECT_GROUPS_NOTING_DEAD = `
  SELECT g.*, EXISTS (SELECT 1 FROM notifications d INDEXED BY notifications_dead WHERE d.group_seq = g.seq AND d.status = 'dead') AS has_dead
  FROM groups g WHERE g.id IN (SELECT value FROM json_each(@ids))`;
export const SELECT_GROUP_ALERTS = `
  SELECT a.* FROM groups g JOIN alerts a ON a.group_seq = g.seq
  WHERE g.id IN (SELECT value FROM json_each(@ids))
  ORDER BY a.group_seq, a.position`;

/** The team's held groups (schema-v7.ts), those whose hold ends by `@due` (Unix ms). */
export const SELECT_HELD_GROUP_IDS = `
  SELECT id FROM groups WHERE team = @team AND held_until IS NOT NULL AND held_until <= @due
  ORDER BY held_until, id`;

/** The storm states whose storm goes on (schema-v9.ts: the partial index holds exactly them). */
export const SELECT_ACTIVE_STORM_IDS = `
  SELECT id FROM groups WHERE status = 'firing' AND substr(group_key, 1, 6) = 'storm:' ORDER BY id`;

/**
 * The team's groups whose storm digests (JSON, schema-v6.ts) name the channel's storm `@storm`,
 * after id `@after` (or from the first), `@limit` at most. Read from `groups_storm_digests`
 * (schema-v13.ts), whose condition the `IS NOT NULL` test repeats: the team's gathered groups in
 * id order, from the cursor on (the plan is checked in sqlite-store.test.ts).
 */
export const SELECT_STORM_GROUP_IDS = `
  SELECT id FROM groups WHERE team = @team AND storm_digests IS NOT NULL
    AND json_extract(storm_digests, '$.' || json_quote(@channel) || '.storm') = @storm
    AND id > coalesce(@after, '')
  ORDER BY id LIMIT @limit`;

/** Held groups per team (the partial index holds exactly them). */
export const COUNT_HELD_GROUPS = `
  SELECT team, count(*) AS n FROM groups WHERE held_until IS NOT NULL GROUP BY team`;

/**
 * The id the last of `@new_notifications` notifications (> 0) inserted next will get: SQLite's
 * own AUTOINCREMENT rule, "one more than the larger of the highest id ever used (sqlite_sequence)
 * and the highest id in the table", applied once per insert. `applyGroupPlan` upserts the group
 * first (the inserts need its seq) and then inserts exactly that many notifications into this
 * table, on the only writer, in the same transaction, with no other insert into it between (the
 * supersede step is an UPDATE; snapshots go to their own table): so their ids are base+1 …
 * base+n and this is the last of them, exactly. Were it ever off, it could only be high (an id
 * is never reused, so none can come out lower than the rule says), and a high value only keeps
 * the group longer: retention (retention.ts `stillPrunable`) waits for its bound to pass it.
 * A low one, which would let a group go with a notification of it still there, cannot happen.
 * Both lookups are one seek each (a few rows; the right edge of the primary key, which every
 * insert appends to), done only when the write has notifications.
 */
const NEXT_LAST_NOTIFICATION_ID = `CASE WHEN @new_notifications > 0 THEN
    max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'notifications'), 0),
        coalesce((SELECT max(id) FROM notifications), 0)) + @new_notifications
  END`;

/**
 * created_at is kept from the first insert, and last_notification_at (schema-v8.ts) by a write
 * without a notification; it only grows (the newest stamp, even after the clock stepped back:
 * schema-v10.ts). last_notification_id (schema-v10.ts) is set in the same statement, before the
 * write's notifications exist (NEXT_LAST_NOTIFICATION_ID says why that is exact): a statement
 * after the inserts would cost the single writer one more write of the row per webhook.
 * Returns the group's seq (schema-v4.ts), new or kept.
 */
export const UPSERT_GROUP = `
  INSERT INTO groups (id, team, group_key, receiver, external_url, group_labels, common_labels,
    common_annotations, status, notified_hash, notified_at, targets, created_at, updated_at, storm_digests, held_until,
    last_notification_at, last_notification_id)
  VALUES (@id, @team, @group_key, @receiver, @external_url, @group_labels, @common_labels,
    @common_annotations, @status, @notified_hash, @notified_at, @targets, @created_at, @updated_at, @storm_digests, @held_until,
    @last_notification_at, ${NEXT_LAST_NOTIFICATION_ID})
  ON CONFLICT (id) DO UPDATE SET
    team = excluded.team, group_key = excluded.group_key, receiver = excluded.receiver,
    external_url = excluded.external_url, group_labels = excluded.group_labels,
    common_labels = excluded.common_labels, common_annotations = excluded.common_annotations,
    status = excluded.status, notified_hash = excluded.notified_hash,
    notified_at = excluded.notified_at, targets = excluded.targets, updated_at = excluded.updated_at,
    storm_digests = excluded.storm_digests, held_until = excluded.held_until,
    last_notification_at = max(coalesce(excluded.last_notification_at, last_notification_at), coalesce(last_notification_at, excluded.last_notification_at)),
    last_notification_id = max(coalesce(excluded.last_notification_id, last_notification_id), coalesce(last_notification_id, excluded.last_notification_id))
  RETURNING seq`;

/**
 * An alert's updated_at moves only when its content changed (right-hand sides see the old row);
 * created_at, its place in the lists (schema-v12.ts), is set by the insert, and again when a
 * tombstone's row (rows.ts TOMBSTONE_POSITION) becomes an alert: one that fires again after its
 * group dropped it is a new one, listed at the top.
 * Positional parameters in column order (`applyGroupPlan` binds them; groups.ts says why).
 */
export const UPSERT_ALERT = `
  INSERT INTO alerts (group_seq, group_id, fingerprint, position, team, status, labels, annotations,
    starts_at, ends_at, generator_url, updated_at, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (group_seq, fingerprint) DO UPDATE SET
    updated_at = CASE WHEN status IS NOT excluded.status OR labels IS NOT excluded.labels
        OR annotations IS NOT excluded.annotations OR starts_at IS NOT excluded.starts_at
        OR ends_at IS NOT excluded.ends_at OR generator_url IS NOT excluded.generator_url
        OR team IS NOT excluded.team
      THEN excluded.updated_at ELSE updated_at END,
    created_at = CASE WHEN position < 0 AND excluded.position >= 0 THEN excluded.created_at ELSE created_at END,
    position = excluded.position, team = excluded.team, status = excluded.status,
    labels = excluded.labels, annotations = excluded.annotations, starts_at = excluded.starts_at,
    ends_at = excluded.ends_at, generator_url = excluded.generator_url`;

/** Remove alerts that left the group's snapshot (`@fingerprints`: JSON array of the kept ones). */
export const DELETE_STALE_ALERTS = `
  DELETE FROM alerts WHERE group_seq = @group_seq
    AND fingerprint NOT IN (SELECT value FROM json_each(@fingerprints))`;

export const INSERT_NOTIFICATION = `
  INSERT INTO notifications (group_id, group_seq, team, target, target_key, kind, status, reason, attempts,
    created_at, next_attempt_at, last_error)
  VALUES (@group_id, @group_seq, @team, @target, @target_key, @kind, @status, @reason, 0,
    @created_at, @next_attempt_at, @last_error)
  RETURNING id`;

/** Written once with its notification, never updated (schema-v3.ts says why it is apart). */
export const INSERT_SNAPSHOT = `INSERT INTO notification_snapshots (id, snapshot) VALUES (@id, @snapshot)`;

/** Coalescing: a newer edit makes older, unclaimed edits of the same queue redundant (store.ts `supersedesPending`). */
export const SUPERSEDE_PENDING = `
  UPDATE notifications SET status = 'suppressed', reason = 'superseded by a newer edit', next_attempt_at = NULL
  WHERE group_seq = @group_seq AND target_key = @target_key AND status IN ('pending', 'failed')
    AND kind NOT IN ('new', 'resolved') AND (lease_until IS NULL OR lease_until <= @now)`;

/** A notification row with its snapshot (the columns of NotificationRow). */
export const SELECT_NOTIFICATION = `
  SELECT n.*, s.snapshot FROM notifications n CROSS JOIN notification_snapshots s ON s.id = n.id
  WHERE n.id = ?`;

/**
 * The notification `n` (an alias) heads its (group, target) queue: no older item of the queue is
 * still undelivered (pending or failed, leased or not, due or not). Served by
 * `notifications_queue`, whose partial-index condition the status test repeats.
 */
const headsItsQueue = (n: string) => `NOT EXISTS (
      SELECT 1 FROM notifications o
      WHERE o.group_seq = ${n}.group_seq AND o.target_key = ${n}.target_key
        AND o.status IN ('pending', 'failed') AND o.id < ${n}.id)`;

/**
 * One receiver's (@receiver) due, unleased (or lease expired) items that head their (group,
 * target) queue: an older pending/failed item of the same queue — leased or not, due or not —
 * makes them wait. `notifications_due` (receiver, then claim order) walks that receiver's queue
 * and stops at the limit; without the hint the planner prefers notifications_by_status and sorts
 * the whole queue on every claim.
 */
export const SELECT_CLAIMABLE_OF = `
  SELECT n.id, n.next_attempt_at FROM notifications n INDEXED BY notifications_due
  WHERE ${RECEIVER_OF_TARGET_KEY('n.target_key')} = @receiver
    AND n.status IN ('pending', 'failed')
    AND n.next_attempt_at <= @now
    AND (n.lease_until IS NULL OR n.lease_until <= @now)
    AND n.target_key NOT IN (SELECT value FROM json_each(@exclude))
    AND ${headsItsQueue('n')}
  ORDER BY n.next_attempt_at, n.id
  LIMIT @limit`;

const sqlText = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The error of a Slack item whose lease ends with no outcome written (its process was killed or
 * its delivery thread died mid-delivery: a claim taking the lease over, or a release): that
 * attempt may have posted, so the note is kept and the next attempt looks first
 * (model/post-notes.ts LEASE_RAN_OUT).
 */
const LAST_ERROR_OF_LOST_LEASE = `CASE
      WHEN lease_until IS NOT NULL AND target_key LIKE 'slack:%' AND instr(coalesce(last_error, ''), ${sqlText(MAY_HAVE_POSTED)}) = 0
      THEN ${sqlText(LEASE_RAN_OUT)} ELSE last_error END`;

/** Release every lease at open: the one process on the file has just started (sqlite-store.ts). */
export const RELEASE_ALL_LEASES = `
  UPDATE notifications SET last_error = ${LAST_ERROR_OF_LOST_LEASE}, lease_owner = NULL, lease_until = NULL
  WHERE lease_owner IS NOT NULL`;

/**
 * A claim counts as an attempt, so an item that crashes its worker every time still goes dead.
 * It takes the item's next claim number (schema-v15.ts), which its outcome write must name.
 */
export const CLAIM = `
  UPDATE notifications SET last_error = ${LAST_ERROR_OF_LOST_LEASE},
    lease_owner = @owner, lease_until = @lease_until, attempts = attempts + 1, claims = claims + 1
  WHERE id = @id`;

/**
 * Lease a notification just inserted to the local worker (`UpdateOptions.lease`): the claim's
 * UPDATE with the claim query's conditions for one id. An older undelivered item of the same
 * queue (leased or not, due or not) keeps it waiting for a claim, as it would there.
 */
export const LEASE_INSERTED = `
  UPDATE notifications SET lease_owner = @owner, lease_until = @lease_until, attempts = attempts + 1, claims = claims + 1
  WHERE id = @id AND status IN ('pending', 'failed') AND lease_owner IS NULL
    AND ${headsItsQueue('notifications')}`;

/**
 * Only the claim that holds the item may finish it: its owner and its number (@claim, schema-v15.ts).
 * An expired lease nobody took over still counts; one claimed again since, by any owner (this
 * one too), does not, and the write changes nothing (Store.markSent answers `not-held`).
 */
export const MARK_SENT = `
  UPDATE notifications SET status = 'sent', sent_at = @sent_at, next_attempt_at = NULL,
    lease_owner = NULL, lease_until = NULL
  WHERE id = @id AND lease_owner = @owner AND claims = @claim AND status IN ('pending', 'failed')
  RETURNING group_seq, target`;

/** As MARK_SENT: only the claim that holds the item. */
export const MARK_FAILED = `
  UPDATE notifications SET
    status = CASE WHEN @next_attempt_at IS NULL THEN 'dead' ELSE 'failed' END,
    last_error = @error, next_attempt_at = @next_attempt_at, lease_owner = NULL, lease_until = NULL
  WHERE id = @id AND lease_owner = @owner AND claims = @claim AND status IN ('pending', 'failed')`;

/**
 * The items of a queue that are not suppressed, by status, each with the partial index by queue
 * (group_seq, target_key, id) that holds exactly them: undelivered ones (schema-v4.ts), dead ones
 * (schema-v11.ts) and sent ones (schema-v13.ts). A test of "a newer item that is not suppressed"
 * is one seek in each: no index holds a queue's items whatever their status, and the team's
 * index (the only other way to them) walks every notification of the team after the item.
 * The index is named (INDEXED BY): the planner may prefer `notifications_by_status`, which walks
 * every item of that status; the status test repeats the index's condition, as SQLite requires.
 */
const QUEUE_ITEMS_NOT_SUPPRESSED = [
  { index: 'notifications_queue', status: `IN ('pending', 'failed')` },
  { index: 'notifications_dead', status: `= 'dead'` },
  { index: 'notifications_sent_by_queue', status: `= 'sent'` },
] as const;

/** The items of `d`'s queue (an alias) newer than it, of one of QUEUE_ITEMS_NOT_SUPPRESSED's statuses (`o` the alias). */
const newerInQueue = (d: string, { index, status }: (typeof QUEUE_ITEMS_NOT_SUPPRESSED)[number]) =>
  `notifications o INDEXED BY ${index}
      WHERE o.group_seq = ${d}.group_seq AND o.target_key = ${d}.target_key AND o.status ${status} AND o.id > ${d}.id`;

/**
 * The newest item of a dead item's (group, target) queue that is newer than it and not
 * suppressed (pending, failed, sent or dead): the dead item's snapshot is out of date, so it is
 * not retried (`RetryDeadResult`). The newest of each status is one seek, to the end of the
 * queue's range in its index (QUEUE_ITEMS_NOT_SUPPRESSED; `max` over an index in id order), and
 * the newest of those three is looked up by its id (none: 0, no row).
 */
export const SELECT_NEWER_THAN_DEAD = `
  SELECT o.id, o.status FROM notifications d CROSS JOIN notifications o ON o.id = max(
      ${QUEUE_ITEMS_NOT_SUPPRESSED.map((items) => `coalesce((SELECT max(o.id) FROM ${newerInQueue('d', items)}), 0)`).join(',\n      ')})
  WHERE d.id = @id AND d.status = 'dead'`;

/**
 * The targets a group owes its current state (GroupRecord.owedTargets): those whose newest item
 * that is not suppressed is dead, each with that dead item's id, queue time and last error
 * (GroupRecord.owedDead; one per target: an older dead item has a newer one that is not
 * suppressed). Groups without a dead item (nearly all) cost one probe of the dead index; for a
 * dead one, one seek per status says whether a newer item is there (QUEUE_ITEMS_NOT_SUPPRESSED),
 * whatever the length of the group's or the team's history. The joins are CROSS (SQLite keeps
 * their order) and the indexes named: left to itself, the planner read every dead notification
 * of the store (by status) at each write. The plan is checked in sqlite-store.test.ts.
 */
export const SELECT_OWED_TARGETS = `
  SELECT DISTINCT g.id AS group_id, d.target_key, d.id, d.created_at, d.last_error FROM json_each(@ids) AS wanted
    CROSS JOIN groups g ON g.id = wanted.value
    CROSS JOIN notifications d INDEXED BY notifications_dead ON d.group_seq = g.seq AND d.status = 'dead'
  WHERE ${QUEUE_ITEMS_NOT_SUPPRESSED.map((items) => `NOT EXISTS (SELECT 1 FROM ${newerInQueue('d', items)})`).join('\n    AND ')}`;

/**
 * The stored text of a notification's snapshot (snapshot-text.ts): an owed target's dead item's,
 * for its content hash (GroupRecord.owedDead). Read apart from SELECT_OWED_TARGETS, whose plan is
 * tuned, and only for its rows (dead items that no newer item paid: few).
 */
export const SELECT_SNAPSHOT_TEXT = `SELECT snapshot FROM notification_snapshots WHERE id = @id`;

/**
 * Hand a claimed item back untried (`Store.defer`): the claim counted an attempt that was never
 * made, so it is given back; status is left alone, and last_error too unless @last_error is given
 * (a hand-back of a Slack post that may have posted keeps saying so). As MARK_SENT: only the
 * claim that holds the item. The claim number is not given back with the attempt: a later claim
 * must not take the number of one whose writes may still land.
 */
export const DEFER = `
  UPDATE notifications SET next_attempt_at = @next_attempt_at, attempts = max(attempts - 1, 0),
    last_error = coalesce(@last_error, last_error), lease_owner = NULL, lease_until = NULL
  WHERE id = @id AND lease_owner = @owner AND claims = @claim AND status IN ('pending', 'failed')`;

/** Requeue with a fresh retry budget (attempts back to 0); last_error stays as history. */
export const RETRY_DEAD = `
  UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = @now,
    lease_owner = NULL, lease_until = NULL
  WHERE id = @id AND status = 'dead'`;

/**
 * A requeued item counts as the group's newest notification for history retention
 * (schema-v8.ts): delivered later, it must keep its group as long as a new one would, or a
 * prune step could delete the group under it (retention.ts).
 */
export const TOUCH_GROUP_OF_NOTIFICATION = `
  UPDATE groups SET last_notification_at = max(coalesce(last_notification_at, 0), @now)
  WHERE seq = (SELECT group_seq FROM notifications WHERE id = @id)`;

/** A worker that restarts (a delivery thread) gives back what it held: it is delivered again at once. */
export const RELEASE_LEASES = `
  UPDATE notifications SET last_error = ${LAST_ERROR_OF_LOST_LEASE}, lease_owner = NULL, lease_until = NULL
  WHERE lease_owner = @owner AND status IN ('pending', 'failed')`;

export const UPSERT_SLACK_MESSAGE = `
  INSERT INTO slack_messages (group_seq, channel, ref_channel, ts, created_at, updated_at)
  VALUES (@group_seq, @channel, @ref_channel, @ts, @now, @now)
  ON CONFLICT (group_seq, channel) DO UPDATE SET
    ref_channel = excluded.ref_channel, ts = excluded.ts, updated_at = excluded.updated_at`;

export const SELECT_SLACK_CHANNEL_ID = `
  SELECT ref_channel FROM slack_messages WHERE channel = @channel ORDER BY updated_at DESC LIMIT 1`;

export const SELECT_SLACK_MESSAGE = `
  SELECT m.ref_channel, m.ts FROM groups g JOIN slack_messages m ON m.group_seq = g.seq
  WHERE g.id = @group_id AND m.channel = @channel`;

/**
 * SELECT_SLACK_MESSAGE for notification @id (of kind @kind) of the group's @target_key queue:
 * none when the stored message is an earlier episode's (Store.getSlackRef). It is, when the
 * newest sent item before @id was a resolution, or when an edge of an episode that did not reach
 * the channel lies between that item (or the queue's start, once history retention deleted its
 * sent items) and @id: a `new` (its post dead, or gathered by a storm digest or held by a
 * maintenance window: suppressed), or a resolution (dead, or told of by a digest: suppressed),
 * unless @id re-sends that resolution. The newest sent item before @id is one seek backwards in
 * `notifications_sent_by_queue` (schema-v13.ts), the dead and suppressed edges after it ranges
 * of `notifications_dead` (schema-v11.ts) and `notifications_suppressed_edges` (schema-v14.ts):
 * few, however long the group's history. Indexes named, as in SELECT_OWED_TARGETS.
 */
export const SELECT_EPISODE_SLACK_MESSAGE = `
  WITH g AS (SELECT seq FROM groups WHERE id = @group_id),
  last_sent AS (
    SELECT s.id, s.kind FROM g CROSS JOIN notifications s INDEXED BY notifications_sent_by_queue
    WHERE s.group_seq = g.seq AND s.target_key = @target_key AND s.status = 'sent' AND s.id < @id
    ORDER BY s.id DESC LIMIT 1)
  SELECT m.ref_channel, m.ts FROM g CROSS JOIN slack_messages m ON m.group_seq = g.seq
  WHERE m.channel = @channel
    AND NOT EXISTS (SELECT 1 FROM last_sent WHERE kind = 'resolved')
    AND NOT EXISTS (SELECT 1 FROM notifications d INDEXED BY notifications_dead
      WHERE d.group_seq = g.seq AND d.target_key = @target_key AND d.status = 'dead'
        AND d.id > coalesce((SELECT id FROM last_sent), 0) AND d.id < @id
        AND (d.kind = 'new' OR (d.kind = 'resolved' AND @kind <> 'resolved')))
    AND NOT EXISTS (SELECT 1 FROM notifications e INDEXED BY notifications_suppressed_edges
      WHERE e.group_seq = g.seq AND e.target_key = @target_key AND e.status = 'suppressed' AND e.kind IN ('new', 'resolved')
        AND e.id > coalesce((SELECT id FROM last_sent), 0) AND e.id < @id
        AND (e.kind = 'new' OR @kind <> 'resolved'))`;

export const COUNT_OUTBOX = `SELECT count(*) AS n FROM notifications WHERE status IN ('pending', 'failed')`;

/**
 * When the oldest waiting notification was created (`Store.oldestWaitingCreatedAt`), read at
 * every scrape. Ids follow creation (a write is stamped on the event loop as it is queued to the
 * one writer), so the oldest waiting item is at the start of the `pending` or the `failed` range
 * of `notifications_by_status (status, id)`: two seeks into that index and two rowid lookups, a
 * handful of pages whether 50,000 items wait or none, and however many millions of sent ones
 * came before them. `min(created_at)` of the two also covers a clock that stepped back. Not
 * `WHERE status IN (...) ORDER BY id LIMIT 1` (PostgreSQL walks the primary key past every older
 * sent row for it), nor `min(created_at)` over the waiting rows (it reads all of them); the
 * partial indexes (notifications_due, notifications_queue) hold only waiting rows, but not in
 * id order. The plan is checked in sqlite-store.test.ts.
 */
export const OLDEST_WAITING_CREATED_AT = `
  SELECT min(created_at) AS created_at FROM notifications
  WHERE id IN ((SELECT min(id) FROM notifications WHERE status = 'pending'),
               (SELECT min(id) FROM notifications WHERE status = 'failed'))`;
