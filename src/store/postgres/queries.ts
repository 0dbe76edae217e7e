/**
 * @module store/postgres/queries
 * The SQL of the PostgreSQL store (positional parameters). Statuses that form the outbox
 * queue: pending and failed; a claimed item keeps its status and gains a lease.
 */

/**
 * One transaction-scoped advisory lock per group id (keys computed by `groupLockKeys`, sorted,
 * so two transactions always lock in the same order and cannot deadlock). It serialises
 * `updateGroups` of one group across replicas even before the group's row exists, which
 * `SELECT … FOR UPDATE` alone cannot: two replicas receiving a brand-new group at once would
 * both see nothing and both enqueue a notification.
 */
export const LOCK_GROUPS = `SELECT pg_advisory_xact_lock($1::integer, k) FROM unnest($2::integer[]) AS k`;

/** Class id of the group locks ("AG" + 1); the migration lock uses the one-bigint form. */
export const GROUP_LOCK_CLASS = 0x41470001;

export const SELECT_GROUPS_FOR_UPDATE = `SELECT * FROM groups WHERE id = ANY($1::text[]) FOR UPDATE`;
export const SELECT_GROUPS = `SELECT * FROM groups WHERE id = ANY($1::text[])`;
export const SELECT_GROUP_ALERTS = `SELECT * FROM alerts WHERE group_id = ANY($1::text[]) ORDER BY group_id, position`;

/** created_at is kept from the first insert. */
export const UPSERT_GROUP = `
  INSERT INTO groups (id, team, group_key, receiver, external_url, group_labels, common_labels,
    common_annotations, status, notified_hash, notified_at, targets, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
  ON CONFLICT (id) DO UPDATE SET
    team = excluded.team, group_key = excluded.group_key, receiver = excluded.receiver,
    external_url = excluded.external_url, group_labels = excluded.group_labels,
    common_labels = excluded.common_labels, common_annotations = excluded.common_annotations,
    status = excluded.status, notified_hash = excluded.notified_hash,
    notified_at = excluded.notified_at, targets = excluded.targets, updated_at = excluded.updated_at`;

/** Remove alerts that left the group's snapshot ($2: the fingerprints kept). */
export const DELETE_STALE_ALERTS = `
  DELETE FROM alerts WHERE group_id = $1 AND NOT (fingerprint = ANY($2::text[]))`;

/**
 * Upsert all alerts of one group in one statement ($1 group, $2 team, $3 write time, then one
 * array per column). An alert's updated_at moves only when its content changed.
 */
export const UPSERT_ALERTS = `
  INSERT INTO alerts (group_id, fingerprint, position, team, status, labels, annotations,
    starts_at, ends_at, generator_url, updated_at)
  SELECT $1, t.fingerprint, t.position, $2, t.status, t.labels, t.annotations, t.starts_at,
    t.ends_at, t.generator_url, $3
  FROM unnest($4::text[], $5::integer[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
    AS t(fingerprint, position, status, labels, annotations, starts_at, ends_at, generator_url)
  ON CONFLICT (group_id, fingerprint) DO UPDATE SET
    updated_at = CASE WHEN alerts.status IS DISTINCT FROM excluded.status
        OR alerts.labels IS DISTINCT FROM excluded.labels
        OR alerts.annotations IS DISTINCT FROM excluded.annotations
        OR alerts.starts_at IS DISTINCT FROM excluded.starts_at
        OR alerts.ends_at IS DISTINCT FROM excluded.ends_at
        OR alerts.generator_url IS DISTINCT FROM excluded.generator_url
        OR alerts.team IS DISTINCT FROM excluded.team
      THEN excluded.updated_at ELSE alerts.updated_at END,
    position = excluded.position, team = excluded.team, status = excluded.status,
    labels = excluded.labels, annotations = excluded.annotations, starts_at = excluded.starts_at,
    ends_at = excluded.ends_at, generator_url = excluded.generator_url`;

/**
 * Insert one group's new notifications ($1 created_at, then one array per column); identity
 * values are drawn in array order, so sorting the returned rows by id restores it.
 */
export const INSERT_NOTIFICATIONS = `
  INSERT INTO notifications (group_id, team, target, target_key, kind, status, reason, attempts,
    created_at, next_attempt_at, snapshot)
  SELECT t.group_id, t.team, t.target, t.target_key, t.kind, t.status, t.reason, 0, $1,
    CASE WHEN t.status = 'pending' THEN $1::timestamptz END, t.snapshot
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
    WITH ORDINALITY AS t(group_id, team, target, target_key, kind, status, reason, snapshot, ord)
  ORDER BY t.ord
  RETURNING *`;

export const SELECT_NOTIFICATION = `SELECT * FROM notifications WHERE id = $1`;

/**
 * Claim due items that head their (group, target) queue, in one statement: an older
 * pending/failed item of the same queue — leased or not, due or not — makes an item wait.
 * `FOR UPDATE SKIP LOCKED` lets replicas claim concurrently without waiting on each other's
 * candidate rows; a row whose lease another replica committed meanwhile is re-checked against
 * its new version and dropped. A claim counts as an attempt, so an item that crashes its
 * worker every time still goes dead. ($1 now, $2 limit, $3 owner, $4 lease until)
 */
export const CLAIM_DUE = `
  WITH due AS (
    SELECT n.id FROM notifications n
    WHERE n.status IN ('pending', 'failed')
      AND n.next_attempt_at <= $1
      AND (n.lease_until IS NULL OR n.lease_until <= $1)
      AND NOT EXISTS (
        SELECT 1 FROM notifications o
        WHERE o.group_id = n.group_id AND o.target_key = n.target_key
          AND o.status IN ('pending', 'failed') AND o.id < n.id)
    ORDER BY n.next_attempt_at, n.id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  )
  UPDATE notifications n SET lease_owner = $3, lease_until = $4, attempts = n.attempts + 1
  FROM due WHERE n.id = due.id
  RETURNING n.*`;

/**
 * Only the lease holder may finish an item (an expired lease nobody took over still counts).
 * The Slack message ref is stored in the same statement, so the next item of the queue —
 * claimable only once this one is sent — always finds it, on whichever replica.
 * ($1 id, $2 owner, $3 sent_at, $4 Slack channel id or null, $5 Slack ts or null)
 */
export const MARK_SENT = `
  WITH sent AS (
    UPDATE notifications SET status = 'sent', sent_at = $3, next_attempt_at = NULL,
      lease_owner = NULL, lease_until = NULL
    WHERE id = $1 AND lease_owner = $2 AND status IN ('pending', 'failed')
    RETURNING group_id, target::json AS target
  )
  INSERT INTO slack_messages (group_id, channel, ref_channel, ts, created_at, updated_at)
  SELECT group_id,
    -- Keyed by the channel as configured (what the outbox looks up by).
    COALESCE(CASE WHEN target->>'type' = 'slack' THEN target->>'channel' END, $4::text),
    $4::text, $5::text, $3, $3
  FROM sent WHERE $5::text IS NOT NULL
  ON CONFLICT (group_id, channel) DO UPDATE SET
    ref_channel = excluded.ref_channel, ts = excluded.ts, updated_at = excluded.updated_at`;

/** ($1 id, $2 owner, $3 error, $4 next attempt or null → dead) */
export const MARK_FAILED = `
  UPDATE notifications SET
    status = CASE WHEN $4::timestamptz IS NULL THEN 'dead' ELSE 'failed' END,
    last_error = $3, next_attempt_at = $4, lease_owner = NULL, lease_until = NULL
  WHERE id = $1 AND lease_owner = $2 AND status IN ('pending', 'failed')`;

/** Requeue with a fresh retry budget (attempts back to 0); last_error stays as history. */
export const RETRY_DEAD = `
  UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = $2,
    lease_owner = NULL, lease_until = NULL
  WHERE id = $1 AND status = 'dead'
  RETURNING *`;

export const SELECT_SLACK_MESSAGE = `SELECT ref_channel, ts FROM slack_messages WHERE group_id = $1 AND channel = $2`;

export const COUNT_OUTBOX = `SELECT count(*)::integer AS n FROM notifications WHERE status IN ('pending', 'failed')`;
