/**
 * @module store/postgres/groups
 * Locking, loading and writing groups with their alerts and new notifications. Callers run
 * these inside one transaction: lock → load → decide → write is what makes `updateGroups` the
 * dedup race guard across replicas.
 *
 * Every webhook of a team also locks that team's channel storm state, so a team's webhooks
 * take turns on every replica: the time the locks are held is the team's throughput limit.
 * Hence few round trips while locked: BEGIN + locks, one load, one write, COMMIT.
 */
import { sha256Bytes } from '../../model/sha256.js';
import type { Alert } from '../../model/alert.js';
import { contentHash } from '../../model/content-hash.js';
import { MAY_HAVE_POSTED } from '../../model/post-notes.js';
import { TOMBSTONE_POSITION, tombstonesToStore } from '../rows.js';
import type { ChangeKind, GroupSnapshot } from '../../model/group.js';
import { targetKey } from '../../model/target.js';
import type { GroupRecord, GroupWrite, NewNotification, NotificationRecord } from '../store.js';
import type { Queryable } from './pool.js';
import * as q from './queries.js';
import { labelsJson, toGroupRecord, toNotificationRecord, type AlertRow, type GroupRow, type NotificationRow } from './rows.js';

/**
 * 32-bit advisory lock keys of these group ids, distinct and sorted: every transaction takes
 * them in the same order, so two of them can never wait on each other in a cycle. Two ids
 * sharing a key (1 in 2^32) only means those groups are serialised together.
 */
export function groupLockKeys(ids: readonly string[]): number[] {
  const keys = new Set(ids.map((id) => sha256Bytes(id).readInt32BE(0)));
  return [...keys].sort((a, b) => a - b);
}

/** The statement opening an `updateGroups` transaction: BEGIN and the group locks. */
export function beginLocked(ids: readonly string[]): string {
  return q.beginAndLockGroups(groupLockKeys(ids));
}

/** A dead notification behind an owed target, as SELECT_GROUPS_WITH_ALERTS_FOR_UPDATE's json gives it. */
interface OwedRow {
  target_key: string;
  id: number | string;
  created_at: string;
  last_error: string | null;
  /** Its snapshot's firing alerts' fingerprints, where a post may have been made (else null). */
  firing: string[] | null;
}

/** Load (and row-lock) the groups that exist; run after `beginLocked`. */
export async function loadLockedGroups(c: Queryable, ids: readonly string[]): Promise<Map<string, GroupRecord>> {
  const unique = [...new Set(ids)];
  const out = new Map<string, GroupRecord>();
  if (unique.length === 0) return out;
  const { rows } = await c.query<GroupRow & { alerts: Omit<AlertRow, 'updated_at'>[]; owed: OwedRow[] | null }>(q.SELECT_GROUPS_WITH_ALERTS_FOR_UPDATE, [unique, MAY_HAVE_POSTED]);
  for (const row of rows) {
    const { owed, ...groupRow } = row;
    const group = toGroupRecord(groupRow, row.alerts);
    if (owed && owed.length > 0) {
      group.owedTargets = [...new Set(owed.map((d) => d.target_key))];
      // json_build_object gives the time as PostgreSQL's text (…+00:00): as toNotificationRecord's.
      group.owedDead = Object.fromEntries(
        owed.map((d) => [
          d.target_key,
          { id: Number(d.id), createdAt: new Date(d.created_at).toISOString(), lastError: d.last_error, ...(d.firing ? { contentHash: contentHash(d.firing.sort()) } : {}) },
        ]),
      );
    }
    out.set(row.id, group);
  }
  return out;
}

/** Load groups without locking (reads; run in a REPEATABLE READ transaction for one snapshot). */
export async function loadGroups(c: Queryable, ids: readonly string[]): Promise<Map<string, GroupRecord>> {
  const out = new Map<string, GroupRecord>();
  const groups = await c.query<GroupRow>(q.SELECT_GROUPS, [[...new Set(ids)]]);
  if (groups.rows.length === 0) return out;
  const alertsByGroup = new Map<string, AlertRow[]>();
  const alerts = await c.query<AlertRow>(q.SELECT_GROUP_ALERTS, [groups.rows.map((r) => r.id)]);
  for (const row of alerts.rows) alertsByGroup.set(row.group_id, [...(alertsByGroup.get(row.group_id) ?? []), row]);
  for (const row of groups.rows) out.set(row.id, toGroupRecord(row, alertsByGroup.get(row.id) ?? []));
  return out;
}

/**
 * Persist decided writes; `now` stamps the new notifications. Returns them as inserted, in
 * write order. One statement per run of writes with distinct group ids (normally all of them).
 */
export async function writeGroups(c: Queryable, writes: readonly GroupWrite[], now: Date): Promise<NotificationRecord[]> {
  const inserted: NotificationRecord[] = [];
  for (const batch of distinctRuns(writes)) {
    const { rows } = await c.query<NotificationRow>(q.WRITE_GROUPS, writeParams(batch, now));
    const given = batch.flatMap((w) => w.notifications);
    // Each record as it was inserted, like the SQLite store (which inserts one by one): an item
    // coalesced by a later one of the same call is stored suppressed but returned as given.
    inserted.push(...rows.map((row, i) => asGiven(toNotificationRecord(row), given[i])));
  }
  return inserted;
}

function asGiven(record: NotificationRecord, given: NewNotification | undefined): NotificationRecord {
  if (!given || record.status === given.status) return record;
  return { ...record, status: given.status, reason: given.reason ?? null, nextAttemptAt: given.status === 'pending' ? record.createdAt : null };
}

/** Consecutive runs of writes in which no group id repeats (one statement cannot upsert a row twice). */
function distinctRuns(writes: readonly GroupWrite[]): GroupWrite[][] {
  const runs: GroupWrite[][] = [];
  let run: GroupWrite[] = [];
  let ids = new Set<string>();
  for (const w of writes) {
    if (ids.has(w.group.id)) {
      runs.push(run);
      run = [];
      ids = new Set();
    }
    run.push(w);
    ids.add(w.group.id);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function writeParams(writes: readonly GroupWrite[], now: Date): unknown[] {
  const groups = writes.map((w) => w.group);
  const alerts = groups.flatMap((g) => {
    const at = new Date(parseTime(g.updatedAt, `group ${g.id} updatedAt`)).toISOString();
    const rows = lastByFingerprint(g.alerts).map(([a, position]) => ({ g, a, position, at }));
    for (const a of tombstonesToStore(g)) rows.push({ g, a, position: TOMBSTONE_POSITION, at });
    return rows;
  });
  const notes = writes.flatMap((w) => coalesceWithin(w.notifications));
  const superseding = notes.filter((n) => n.supersedesPending && n.status === 'pending');
  // The targets of one decision share one snapshot object: serialise it once.
  const snapshotText = new Map<GroupSnapshot, string>();
  const textOf = (snapshot: GroupSnapshot): string => {
    let text = snapshotText.get(snapshot);
    if (text === undefined) snapshotText.set(snapshot, (text = JSON.stringify(snapshot)));
    return text;
  };
  return [
    groups.map((g) => g.id),
    groups.map((g) => g.team),
    groups.map((g) => g.groupKey),
    groups.map((g) => g.receiver),
    groups.map((g) => g.externalURL),
    groups.map((g) => labelsJson(g.groupLabels)),
    groups.map((g) => labelsJson(g.commonLabels)),
    groups.map((g) => labelsJson(g.commonAnnotations)),
    groups.map((g) => g.status),
    groups.map((g) => g.notifiedHash),
    groups.map((g) => g.notifiedAt),
    groups.map((g) => JSON.stringify(g.targets)),
    groups.map((g) => g.createdAt),
    groups.map((g) => g.updatedAt),
    alerts.map((x) => x.g.id),
    alerts.map((x) => x.a.fingerprint),
    alerts.map((x) => x.position),
    alerts.map((x) => x.g.team),
    alerts.map((x) => x.a.status),
    alerts.map((x) => labelsJson(x.a.labels)),
    alerts.map((x) => labelsJson(x.a.annotations)),
    alerts.map((x) => x.a.startsAt),
    alerts.map((x) => x.a.endsAt),
    alerts.map((x) => x.a.generatorURL),
    alerts.map((x) => x.at),
    now,
    notes.map((n) => n.groupId),
    notes.map((n) => n.team),
    notes.map((n) => JSON.stringify(n.target)),
    notes.map((n) => targetKey(n.target)),
    notes.map((n) => n.kind),
    notes.map((n) => n.status),
    notes.map((n) => n.reason ?? null),
    notes.map((n) => textOf(n.snapshot)),
    superseding.map((n) => n.groupId),
    superseding.map((n) => targetKey(n.target)),
    // $37 and $38, after the rest: added with migrations 3 and 4.
    groups.map((g) => (g.stormDigests ? JSON.stringify(g.stormDigests) : null)),
    groups.map((g) => g.heldUntil ?? null),
    // $39: the last error a re-send starts with (NewNotification.lastError).
    notes.map((n) => n.lastError ?? null),
  ];
}

/**
 * Coalescing inside one write: a superseding item suppresses the earlier, still pending edits
 * of its queue in the same write, as inserting them one by one would (the statement itself only
 * sees rows that existed before it).
 */
function coalesceWithin(notes: readonly NewNotification[]): NewNotification[] {
  const supersedable = (kind: ChangeKind) => kind !== 'new' && kind !== 'resolved';
  const out = notes.map((n) => ({ ...n }));
  out.forEach((n, j) => {
    if (!n.supersedesPending || n.status !== 'pending') return;
    const key = targetKey(n.target);
    for (const earlier of out.slice(0, j)) {
      if (earlier.groupId === n.groupId && earlier.status === 'pending' && supersedable(earlier.kind) && targetKey(earlier.target) === key) {
        earlier.status = 'suppressed';
        earlier.reason = 'superseded by a newer edit';
      }
    }
  });
  return out;
}

/**
 * Each fingerprint once, with the position of its last occurrence (one statement cannot upsert
 * a row twice; a repeated fingerprint behaves as successive upserts would: the last one wins).
 */
function lastByFingerprint(alerts: readonly Alert[]): [Alert, number][] {
  const byFingerprint = new Map<string, [Alert, number]>();
  alerts.forEach((a, position) => {
    byFingerprint.delete(a.fingerprint);
    byFingerprint.set(a.fingerprint, [a, position]);
  });
  return [...byFingerprint.values()];
}

function parseTime(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`${what} is not an RFC3339 time: ${JSON.stringify(value)}`);
  return ms;
}
