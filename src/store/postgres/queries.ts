/**
 * @module store/postgres/queries
 * The SQL of the PostgreSQL store (positional parameters). Statuses that form the outbox
 * queue: pending and failed; a claimed item keeps its status and gains a lease.
 */

/** Class id of the group advisory locks ("AG" + 1); the migration lock uses the one-bigint form. */
export const GROUP_LOCK_CLASS = 0x41470001;

/**
 * `BEGIN` plus one transaction-scoped advisory lock per group key, in one round trip (the keys
 * are integers computed by `groupLockKeys`, sorted, so two transactions always lock in the same
 * order and cannot deadlock). The locks serialise `updateGroups` of a group across replicas even
 * before the group's row exists, which `SELECT … FOR UPDATE` alone cannot: two replicas
 * receiving a brand-new group at once would both see nothing and both enqueue a notification.
 */
export function beginAndLockGroups(keys: readonly number[]): string {
  for (const k of keys) if (!Number.isSafeInteger(k)) throw new Error(`invalid group lock key ${k}`);
  return ['BEGIN', ...keys.map((k) => `SELECT pg_advisory_xact_lock(${GROUP_LOCK_CLASS}, ${k})`)].join('; ');
}

/**
 * The groups that exist among $1, row-locked, each with its alerts in position order and the
 * targets it owes its current state (GroupRecord.owedTargets: those whose newest item that is
 * not suppressed is dead; a group without a dead item costs one probe of the dead index), each
 * with that dead item's id, queue time, last error and, for a Slack item whose post may have been
 * made ($2: model/post-notes.ts MAY_HAVE_POSTED, `deadPostPossible`), its snapshot's firing
 * fingerprints, for its content hash (GroupRecord.owedDead; one per target: an older dead item
 * has a newer one that is not suppressed), in one round trip: the lock is held while it runs. Runs after the advisory locks, so its snapshot
 * holds everything the previous holder of a lock committed, an admin retry's requeue included.
 */
export const SELECT_GROUPS_WITH_ALERTS_FOR_UPDATE = `
  SELECT g.*, COALESCE((SELECT json_agg(a ORDER BY a.position) FROM alerts a WHERE a.group_id = g.id), '[]') AS alerts,
    (SELECT json_agg(json_build_object('target_key', d.target_key, 'id', d.id, 'created_at', d.created_at, 'last_error', d.last_error,
        'firing', CASE WHEN d.target_key LIKE 'slack:%' AND strpos(coalesce(d.last_error, ''), $2) > 0 THEN coalesce(
          (SELECT json_agg(a ->> 'fingerprint') FROM json_array_elements(d.snapshot::json -> 'alerts') a WHERE a ->> 'status' = 'firing'), '[]') END)) FROM notifications d
      WHERE d.group_id = g.id AND d.status = 'dead' AND NOT EXISTS (SELECT 1 FROM notifications o
        WHERE o.team = d.team AND o.id > d.id AND o.group_id = d.group_id AND o.target_key = d.target_key AND o.status <> 'suppressed')
    ) AS owed
  FROM groups g WHERE g.id = ANY($1::text[])
  FOR UPDATE OF g`;

/** Readiness: one round trip, and whether this server would take a write (a standby would not). */
export const PING = `SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') = 'on' AS read_only`;

export const SELECT_GROUPS = `SELECT * FROM groups WHERE id = ANY($1::text[])`;

/** The storm states whose storm goes on (schema-v6.ts: the partial index holds exactly them). */
export const SELECT_ACTIVE_STORM_IDS = `SELECT id FROM groups WHERE status = 'firing' AND group_key LIKE 'storm:%' ORDER BY id`;

/**
 * The team's ($1) groups whose storm digests (JSON text, schema-v3.ts) name channel $2's storm
 * $3, after id $4 (or from the first), $5 at most. Ids in byte order (COLLATE "C"), as SQLite's
 * and JavaScript's comparisons of the hex ids: the storm ticker's cursor compares them. Read from
 * `groups_storm_digests` (schema-v11.ts), whose condition the `IS NOT NULL` test repeats and
 * whose order is that one: the team's gathered groups from the cursor on, no sort (the plan is
 * checked in postgres-store.test.ts).
 */
export const SELECT_STORM_GROUP_IDS = `
  SELECT id FROM groups WHERE team = $1 AND storm_digests IS NOT NULL
    AND (storm_digests::jsonb -> $2::text ->> 'storm')::bigint = $3::bigint
    AND id COLLATE "C" > coalesce($4::text, '')
  ORDER BY id COLLATE "C" LIMIT $5`;

/** Held groups per team (the partial index holds exactly them). */
export const COUNT_HELD_GROUPS = `SELECT team, count(*)::int AS n FROM groups WHERE held_until IS NOT NULL GROUP BY team`;

/** The team's ($1) held groups (schema-v4.ts), those whose hold ends by $2 (Unix ms). */
export const SELECT_HELD_GROUP_IDS = `
  SELECT id FROM groups WHERE team = $1 AND held_until IS NOT NULL AND held_until <= $2
  ORDER BY held_until, id`;
export const SELECT_GROUP_ALERTS = `SELECT * FROM alerts WHERE group_id = ANY($1::text[]) ORDER BY group_id, position`;

/** The stored alert row (`alerts`) differs from the one written (`excluded`) in what the API shows. */
const ALERT_CONTENT_CHANGED = `(alerts.status IS DISTINCT FROM excluded.status
          OR alerts.labels IS DISTINCT FROM excluded.labels
          OR alerts.annotations IS DISTINCT FROM excluded.annotations
          OR alerts.starts_at IS DISTINCT FROM excluded.starts_at
          OR alerts.ends_at IS DISTINCT FROM excluded.ends_at
          OR alerts.generator_url IS DISTINCT FROM excluded.generator_url
          OR alerts.team IS DISTINCT FROM excluded.team)`;

/**
 * Persist decided writes in one statement (one round trip while the group locks are held):
 * - upsert the groups (created_at is kept from the first insert);
 * - delete the alerts that left their group's snapshot, upsert the others (an alert's
 *   updated_at moves only when its content changed; created_at, its place in the lists, is set
 *   by the insert, or, for a row a previous release inserted, to the updated_at it had:
 *   schema-v8.ts; a tombstone's row that becomes an alert again takes the write's, as a new
 *   alert: SQLite's UPSERT_ALERT). A row written again as it was (same content and position: a
 *   live alert or a tombstone, rows.ts TOMBSTONE_POSITION) is left alone (the WHERE), as
 *   SQLite's planGroupWrite leaves unchanged rows: every write of a group sends all its alerts
 *   and tombstones (up to 100), and an update leaves a dead tuple and WAL even when nothing
 *   changed. A row without created_at (a previous release inserted it; a tombstone such a row
 *   became, too, though lists leave tombstones out) is still written once, so the first write
 *   of this release freezes it where it is listed, before an old replica (which never sets
 *   created_at) can move it;
 * - coalesce: older unclaimed edits of the queues named in $35/$36 become suppressed;
 * - $37, the groups' storm digests, and $38, their holds, come last: added with migrations 3 and 4;
 * - insert the new notifications, identity values drawn in array order, with $39 their starting
 *   last errors (NewNotification.lastError; no migration: the column was always there).
 * Data-modifying CTEs touch disjoint rows, and foreign keys are checked at the end of the
 * statement, when the groups exist. Group ids must be distinct within one call.
 */
export const WRITE_GROUPS = `
  WITH upsert_groups AS (
    INSERT INTO groups (id, team, group_key, receiver, external_url, group_labels, common_labels,
      common_annotations, status, notified_hash, notified_at, targets, created_at, updated_at, storm_digests, held_until)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
      $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $37::text[], $38::bigint[])
    ON CONFLICT (id) DO UPDATE SET
      team = excluded.team, group_key = excluded.group_key, receiver = excluded.receiver,
      external_url = excluded.external_url, group_labels = excluded.group_labels,
      common_labels = excluded.common_labels, common_annotations = excluded.common_annotations,
      status = excluded.status, notified_hash = excluded.notified_hash,
      notified_at = excluded.notified_at, targets = excluded.targets, updated_at = excluded.updated_at,
      storm_digests = excluded.storm_digests, held_until = excluded.held_until
  ),
  kept AS (
    SELECT * FROM unnest($15::text[], $16::text[], $17::integer[], $18::text[], $19::text[], $20::text[],
      $21::text[], $22::text[], $23::text[], $24::text[], $25::timestamptz[])
      AS k(group_id, fingerprint, position, team, status, labels, annotations, starts_at, ends_at, generator_url, updated_at)
  ),
  delete_stale AS (
    DELETE FROM alerts a WHERE a.group_id = ANY($1::text[])
      AND NOT EXISTS (SELECT 1 FROM kept WHERE kept.group_id = a.group_id AND kept.fingerprint = a.fingerprint)
  ),
  upsert_alerts AS (
    INSERT INTO alerts (group_id, fingerprint, position, team, status, labels, annotations,
      starts_at, ends_at, generator_url, updated_at, created_at)
    SELECT *, updated_at FROM kept
    ON CONFLICT (group_id, fingerprint) DO UPDATE SET
      created_at = CASE WHEN alerts.position < 0 AND excluded.position >= 0 THEN excluded.created_at
        ELSE coalesce(alerts.created_at, alerts.updated_at) END,
      updated_at = CASE WHEN ${ALERT_CONTENT_CHANGED} THEN excluded.updated_at ELSE alerts.updated_at END,
      position = excluded.position, team = excluded.team, status = excluded.status,
      labels = excluded.labels, annotations = excluded.annotations, starts_at = excluded.starts_at,
      ends_at = excluded.ends_at, generator_url = excluded.generator_url
    WHERE alerts.created_at IS NULL OR alerts.position IS DISTINCT FROM excluded.position OR ${ALERT_CONTENT_CHANGED}
  ),
  supersede AS (
    -- An item being claimed right now is row-locked by the claim: this waits for it and then
    -- sees its lease, so a claimed item is never suppressed under its worker.
    UPDATE notifications n SET status = 'suppressed', reason = 'superseded by a newer edit', next_attempt_at = NULL
    FROM unnest($35::text[], $36::text[]) AS s(group_id, target_key)
    WHERE n.group_id = s.group_id AND n.target_key = s.target_key AND n.status IN ('pending', 'failed')
      AND n.kind NOT IN ('new', 'resolved') AND (n.lease_until IS NULL OR n.lease_until <= $26)
  ),
  insert_notifications AS (
    INSERT INTO notifications (group_id, team, target, target_key, kind, status, reason, attempts,
      created_at, next_attempt_at, snapshot, last_error)
    SELECT t.group_id, t.team, t.target, t.target_key, t.kind, t.status, t.reason, 0, $26,
      CASE WHEN t.status = 'pending' THEN $26::timestamptz END, t.snapshot, t.last_error
    FROM unnest($27::text[], $28::text[], $29::text[], $30::text[], $31::text[], $32::text[], $33::text[], $34::text[], $39::text[])
      WITH ORDINALITY AS t(group_id, team, target, target_key, kind, status, reason, snapshot, last_error, ord)
    ORDER BY t.ord
    RETURNING *
  )
  SELECT * FROM insert_notifications ORDER BY id`;

export const SELECT_NOTIFICATION = `SELECT * FROM notifications WHERE id = $1`;

/**
 * The notification `n` heads its (group, target) queue: no older item of the queue is still
 * undelivered (pending or failed, leased or not, due or not). The claim and the lease share it.
 */
const HEADS_ITS_QUEUE = `NOT EXISTS (
        SELECT 1 FROM notifications o
        WHERE o.group_id = n.group_id AND o.target_key = n.target_key
          AND o.status IN ('pending', 'failed') AND o.id < n.id)`;

/** One receiver's due items (by notifications_due_by_receiver); CLAIM_DUE has one of these per RECEIVER_TYPES entry. */
const dueOf = (receiver: string, limit: string) => `
    SELECT n.id, n.next_attempt_at FROM notifications n
    WHERE n.status IN ('pending', 'failed')
      AND n.next_attempt_at <= $1
      AND (n.lease_until IS NULL OR n.lease_until <= $1)
      AND NOT (n.target_key = ANY($5::text[]))
      AND split_part(n.target_key, ':', 1) = ${receiver}
      AND ${HEADS_ITS_QUEUE}
    ORDER BY n.next_attempt_at, n.id
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`;

/**
 * Claim due items that head their (group, target) queue, in one statement: an older
 * pending/failed item of the same queue — leased or not, due or not — makes an item wait.
 * `FOR UPDATE SKIP LOCKED` lets replicas claim concurrently without waiting on each other's
 * candidate rows; a row whose lease another replica committed meanwhile is re-checked against
 * its new version and dropped. A claim counts as an attempt, so an item that crashes its
 * worker every time still goes dead, and takes the item's next claim number (schema-v14.ts),
 * which its outcome write must name. Queues of excluded targets (paced Slack channels) wait.
 * Each receiver's oldest items are read up to its room ($6 Slack, $7 PagerDuty: ReceiverRoom, or
 * the limit; a target key begins with its receiver), so a full receiver's backlog is never in
 * the way of the other's; the oldest $2 of both are claimed, the rest stay due (and unlocked).
 * A Slack item whose lease ran out with no outcome written (its replica was killed, or lost the
 * database, mid-delivery: nothing else leaves a lease behind) gets the note that its post may
 * have been made ($9, which contains $8: model/post-notes.ts MAY_HAVE_POSTED), so the
 * attempt this claim starts looks for that message before posting again.
 * ($1 now, $2 limit, $3 owner, $4 lease until, $5 excluded target keys, $8 the note, $9 the error
 * that carries it)
 */
export const CLAIM_DUE = `
  WITH due_slack AS (${dueOf("'slack'", '$6')}
  ), due_pagerduty AS (${dueOf("'pagerduty'", '$7')}
  ), picked AS (
    SELECT d.id FROM (SELECT * FROM due_slack UNION ALL SELECT * FROM due_pagerduty) d
    ORDER BY d.next_attempt_at, d.id
    LIMIT $2
  )
  UPDATE notifications n SET lease_owner = $3, lease_until = $4, attempts = n.attempts + 1, claims = n.claims + 1,
    last_error = CASE
      WHEN n.lease_until IS NOT NULL AND split_part(n.target_key, ':', 1) = 'slack'
        AND strpos(coalesce(n.last_error, ''), $8) = 0
      THEN $9 ELSE n.last_error END
  FROM picked WHERE n.id = picked.id
  RETURNING n.*`;

/**
 * Lease items just written (ids `$1`, in write order) to the local worker (`UpdateOptions.lease`),
 * right after their commit: up to `$4`, with the claim's conditions (an older undelivered item
 * of the same queue keeps an item waiting for a claim, as it would there) and its row locks, so
 * a claim by another replica in the meantime wins and the item is not leased here. Only an item
 * nobody has touched since its insert: another replica may have claimed it in between and handed
 * it back (deferred or failed, due later), and leasing it then would deliver it before it is due.
 * Untouched is told by the row alone (no attempt, due when created), not by clocks.
 */
export const LEASE_INSERTED = `
  WITH heads AS (
    SELECT n.id FROM notifications n
    WHERE n.id = ANY($1::bigint[]) AND n.status = 'pending' AND n.lease_owner IS NULL
      AND n.attempts = 0 AND n.next_attempt_at = n.created_at
      AND ${HEADS_ITS_QUEUE}
    ORDER BY n.id
    LIMIT $4
    FOR UPDATE SKIP LOCKED
  )
  UPDATE notifications n SET lease_owner = $2, lease_until = $3, attempts = n.attempts + 1, claims = n.claims + 1
  FROM heads WHERE n.id = heads.id
  RETURNING n.id, n.claims`;

/**
 * Only the claim that holds the item may finish it: its owner and its number ($6, schema-v14.ts).
 * An expired lease nobody took over still counts; one claimed again since, by any replica (this
 * one too), does not, and the statement changes nothing: it returns a row only when it marked
 * the item (Store.markSent answers `not-held` otherwise). The Slack message ref is stored in the
 * same statement, so the next item of the queue — claimable only once this one is sent — always
 * finds it, on whichever replica.
 * ($1 id, $2 owner, $3 sent_at, $4 Slack channel id or null, $5 Slack ts or null, $6 claim)
 */
export const MARK_SENT = `
  WITH sent AS (
    UPDATE notifications SET status = 'sent', sent_at = $3, next_attempt_at = NULL,
      lease_owner = NULL, lease_until = NULL
    WHERE id = $1 AND lease_owner = $2 AND claims = $6 AND status IN ('pending', 'failed')
    RETURNING group_id, target::json AS target
  ), slack_ref AS (
    INSERT INTO slack_messages (group_id, channel, ref_channel, ts, created_at, updated_at)
    SELECT group_id,
      -- Keyed by the channel as configured (what the outbox looks up by).
      COALESCE(CASE WHEN target->>'type' = 'slack' THEN target->>'channel' END, $4::text),
      $4::text, $5::text, $3, $3
    FROM sent WHERE $5::text IS NOT NULL
    ON CONFLICT (group_id, channel) DO UPDATE SET
      ref_channel = excluded.ref_channel, ts = excluded.ts, updated_at = excluded.updated_at
  )
  SELECT 1 FROM sent`;

/** As MARK_SENT: only the claim that holds the item. ($1 id, $2 owner, $3 error, $4 next attempt or null → dead, $5 claim) */
export const MARK_FAILED = `
  UPDATE notifications SET
    status = CASE WHEN $4::timestamptz IS NULL THEN 'dead' ELSE 'failed' END,
    last_error = $3, next_attempt_at = $4, lease_owner = NULL, lease_until = NULL
  WHERE id = $1 AND lease_owner = $2 AND claims = $5 AND status IN ('pending', 'failed')`;

/**
 * Hand a claimed item back untried (`Store.defer`): the claim counted an attempt that was never
 * made, so it is given back; status is left alone, and last_error too unless $4 is given (a
 * hand-back of a Slack post that may have posted keeps saying so). As MARK_SENT: only the claim
 * that holds the item; its number is not given back with the attempt, so that no later claim
 * takes the number of one whose writes may still land. ($1 id, $2 owner, $3 next attempt, $4 last
 * error or null, $5 claim)
 */
export const DEFER = `
  UPDATE notifications SET next_attempt_at = $3, attempts = GREATEST(attempts - 1, 0),
    last_error = COALESCE($4::text, last_error), lease_owner = NULL, lease_until = NULL
  WHERE id = $1 AND lease_owner = $2 AND claims = $5 AND status IN ('pending', 'failed')`;

/**
 * The newer items of the queue of `d` (an alias) that are not suppressed (pending, failed, sent
 * or dead): while there is one, the dead item's snapshot is out of date and it is not retried
 * (`RetryDeadResult`). The team test (a group's items share its team) lets the planner walk
 * `notifications_by_team` from the dead item on; there is no index of a queue's items whatever
 * their status, and this runs only on an admin retry.
 */
const NEWER_IN_QUEUE = (d: string) => `
    SELECT o.id, o.status FROM notifications o
    WHERE o.team = ${d}.team AND o.id > ${d}.id AND o.group_id = ${d}.group_id
      AND o.target_key = ${d}.target_key AND o.status <> 'suppressed'`;

/** The group of a dead item: its requeue takes that group's lock (outbox-retry.ts). ($1 id) */
export const SELECT_GROUP_OF_DEAD = `SELECT group_id FROM notifications WHERE id = $1 AND status = 'dead'`;

/**
 * Requeue with a fresh retry budget (attempts back to 0); last_error stays as history. Refused
 * in the same statement while a newer item of the queue is not suppressed, so the check and the
 * requeue see one snapshot; run under the group's lock (outbox-retry.ts), so no write inserts one
 * after that snapshot. The group's row is key-share locked, as inserting an item would: the one
 * change that makes a final item undelivered again must not race a history pruning step that
 * checked the group had nothing undelivered and is deleting it (retention.ts), which holds the
 * row for update. Either this waits and then finds the item gone, or the step passes over the
 * group. ($1 id, $2 now)
 */
export const RETRY_DEAD = `
  UPDATE notifications d SET status = 'pending', attempts = 0, next_attempt_at = $2,
    lease_owner = NULL, lease_until = NULL
  WHERE d.id = $1 AND d.status = 'dead' AND NOT EXISTS (${NEWER_IN_QUEUE('d')})
    AND EXISTS (SELECT 1 FROM groups g WHERE g.id = d.group_id FOR KEY SHARE)
  RETURNING *`;

/** Why RETRY_DEAD changed nothing: the newest such item after the dead one, if any. ($1 id) */
export const SELECT_NEWER_THAN_DEAD = `
  SELECT o.id, o.status FROM notifications d JOIN LATERAL (${NEWER_IN_QUEUE('d')}
    ORDER BY o.id DESC LIMIT 1
  ) o ON true
  WHERE d.id = $1 AND d.status = 'dead'`;

export const SELECT_SLACK_CHANNEL_ID = `SELECT ref_channel FROM slack_messages WHERE channel = $1 ORDER BY updated_at DESC LIMIT 1`;
export const SELECT_SLACK_MESSAGE = `SELECT ref_channel, ts FROM slack_messages WHERE group_id = $1 AND channel = $2`;
/**
 * SELECT_SLACK_MESSAGE for notification $4 (of kind $5) of the group's $3 queue: none when the
 * stored message is an earlier episode's (Store.getSlackRef): when the newest sent item before $4
 * was a resolution, or when an edge of an episode that did not reach the channel lies between
 * that item (or the queue's start, once history retention deleted its sent items) and $4: a
 * `new` (dead, or suppressed: gathered by a storm digest, held by a maintenance window) or a
 * resolution (dead, or suppressed: told of by a digest), unless $4 re-sends that resolution. The
 * newest sent item before $4 is one seek in `notifications_sent_by_queue` (schema-v12.ts), the
 * dead and suppressed edges after it ranges of `notifications_dead` (schema-v7.ts) and
 * `notifications_suppressed_edges` (schema-v13.ts). The sent item is asked for by `-id`, the key
 * of that index, not by `id`: ordered by `id`, the planner took the primary key backwards for a
 * group common in its statistics, expecting to meet one of its rows soon, and walked past every
 * other group's rows since (519 ms over 3,000,000 rows); nothing but that index gives the `-id` order.
 */
export const SELECT_EPISODE_SLACK_MESSAGE = `
  WITH last_sent AS (
    SELECT id, kind FROM notifications WHERE group_id = $1 AND target_key = $3 AND status = 'sent' AND -id > -$4::bigint
    ORDER BY -id LIMIT 1)
  SELECT m.ref_channel, m.ts FROM slack_messages m
  WHERE m.group_id = $1 AND m.channel = $2
    AND NOT EXISTS (SELECT 1 FROM last_sent WHERE kind = 'resolved')
    AND NOT EXISTS (SELECT 1 FROM notifications d
      WHERE d.group_id = $1 AND d.target_key = $3 AND d.status = 'dead'
        AND d.id > coalesce((SELECT id FROM last_sent), 0) AND d.id < $4
        AND (d.kind = 'new' OR (d.kind = 'resolved' AND $5::text <> 'resolved')))
    AND NOT EXISTS (SELECT 1 FROM notifications e
      WHERE e.group_id = $1 AND e.target_key = $3 AND e.status = 'suppressed' AND e.kind IN ('new', 'resolved')
        AND e.id > coalesce((SELECT id FROM last_sent), 0) AND e.id < $4
        AND (e.kind = 'new' OR $5::text <> 'resolved'))`;

export const COUNT_OUTBOX = `SELECT count(*)::integer AS n FROM notifications WHERE status IN ('pending', 'failed')`;

/**
 * When the oldest waiting notification was created (`Store.oldestWaitingCreatedAt`), read at
 * every scrape by every replica. Ids follow creation up to the replicas' clocks and the time
 * between stamping a write and its insert (seconds at most, against an age watched in minutes),
 * so the oldest waiting item is at the start of the `pending` or the `failed` range of
 * `notifications_by_status (status, id)`: two index-only seeks and two primary-key lookups, a
 * handful of buffers whether 50,000 items wait or none. Measured with 2 million sent rows before
 * 50,000 waiting ones: 0.2 ms, 18 buffers; `WHERE status IN (...) ORDER BY id LIMIT 1` instead
 * walked the primary key past all 2 million (0.6 s), and `min(created_at)` over the waiting rows
 * reads every one. The partial indexes (notifications_due_by_receiver, notifications_queue)
 * hold only waiting rows, but not in id order. The plan is checked in postgres-store.test.ts.
 */
export const OLDEST_WAITING_CREATED_AT = `
  SELECT min(created_at) AS created_at FROM notifications
  WHERE id IN ((SELECT min(id) FROM notifications WHERE status = 'pending'),
               (SELECT min(id) FROM notifications WHERE status = 'failed'))`;
