/**
 * @module store/sqlite/groups
 * Loading and writing groups with their alerts and new notifications. Callers run these inside
 * one IMMEDIATE transaction, which is what makes `updateGroups` a lock around `decide`.
 */
import type { Alert } from '../../model/alert.js';
import { targetKey } from '../../model/target.js';
import type { GroupRecord, GroupWrite, NewNotification, NotificationRecord } from '../store.js';
import { alertParams, groupParams, iso, toAlert, toGroupRecord, type AlertRow } from './rows.js';
import type { Statements } from './statements.js';

/** Stored alert rows of the loaded groups, as read: group id → fingerprint → row. */
export type StoredAlertRows = Map<string, Map<string, AlertRow>>;

/**
 * Load groups with their alerts. `rows`, when given, receives the alert rows as stored, so
 * `writeGroup` can skip rewriting the ones a decision left unchanged.
 */
export function loadGroups(s: Statements, ids: string[], rows?: StoredAlertRows): Map<string, GroupRecord> {
  const idsJson = JSON.stringify([...new Set(ids)]);
  const alertsByGroup = new Map<string, Alert[]>();
  for (const row of s.selectGroupAlerts.all({ ids: idsJson })) {
    const list = alertsByGroup.get(row.group_id) ?? [];
    list.push(toAlert(row));
    alertsByGroup.set(row.group_id, list);
    if (rows) {
      const byFingerprint = rows.get(row.group_id) ?? new Map<string, AlertRow>();
      byFingerprint.set(row.fingerprint, row);
      rows.set(row.group_id, byFingerprint);
    }
  }
  const groups = new Map<string, GroupRecord>();
  for (const row of s.selectGroups.all({ ids: idsJson })) {
    groups.set(row.id, toGroupRecord(row, alertsByGroup.get(row.id) ?? []));
  }
  return groups;
}

/** The columns an alert upsert would write are what is stored already (updated_at aside). */
function sameRow(next: AlertRow, stored: AlertRow): boolean {
  return (
    next.position === stored.position &&
    next.status === stored.status &&
    next.starts_at === stored.starts_at &&
    next.ends_at === stored.ends_at &&
    next.generator_url === stored.generator_url &&
    next.team === stored.team &&
    next.labels === stored.labels &&
    next.annotations === stored.annotations
  );
}

/**
 * Persist one decided write; `nowMs` stamps the new notifications. Returns them as inserted.
 * `stored` (the group's alert rows as loaded in this transaction, or undefined for a group not
 * loaded or already rewritten) lets alerts whose row would not change be left alone: Alertmanager
 * resends whole groups, so most alerts of a changed or repeated group are unchanged, and each
 * skipped upsert saves four B-tree writes.
 */
export function writeGroup(s: Statements, write: GroupWrite, nowMs: number, stored?: Map<string, AlertRow>): NotificationRecord[] {
  const { group } = write;
  s.upsertGroup.run(groupParams(group));
  const alertsUpdatedAt = parseTime(group.updatedAt, `group ${group.id} updatedAt`);
  const fingerprints = new Set(group.alerts.map((a) => a.fingerprint));
  // Nothing to delete when the group is new or kept every alert it had.
  if (stored === undefined || [...stored.keys()].some((f) => !fingerprints.has(f))) {
    s.deleteStaleAlerts.run({ group_id: group.id, fingerprints: JSON.stringify([...fingerprints]) });
  }
  group.alerts.forEach((alert, position) => {
    const row = alertParams(group, alert, position, alertsUpdatedAt);
    const before = stored?.get(alert.fingerprint);
    if (before === undefined || !sameRow(row, before)) s.upsertAlert.run(row);
  });
  // The targets of one decision usually share one snapshot object: serialise it once.
  const snapshots = new Map<object, string>();
  const snapshotJson = (snapshot: object): string => {
    let json = snapshots.get(snapshot);
    if (json === undefined) snapshots.set(snapshot, (json = JSON.stringify(snapshot)));
    return json;
  };
  return write.notifications.map((n) => insertNotification(s, n, nowMs, snapshotJson(n.snapshot)));
}

/**
 * Inserts one notification and returns its record, built from what was inserted (only the id
 * comes back from SQLite): reading the row back would parse the snapshot just serialised.
 */
function insertNotification(s: Statements, n: NewNotification, nowMs: number, snapshot: string): NotificationRecord {
  const key = targetKey(n.target);
  if (n.supersedesPending && n.status === 'pending') {
    s.supersedePending.run({ group_id: n.groupId, target_key: key, now: nowMs });
  }
  // A pending item is due at once; a suppressed one is history only.
  const nextAttemptAt = n.status === 'pending' ? nowMs : null;
  const row = s.insertNotification.get({
    group_id: n.groupId,
    team: n.team,
    target: JSON.stringify(n.target),
    target_key: key,
    kind: n.kind,
    status: n.status,
    reason: n.reason ?? null,
    created_at: nowMs,
    next_attempt_at: nextAttemptAt,
    snapshot,
  });
  if (!row) throw new Error('insert into notifications returned no row');
  return {
    id: row.id,
    groupId: n.groupId,
    team: n.team,
    target: n.target,
    kind: n.kind,
    status: n.status,
    reason: n.reason ?? null,
    attempts: 0,
    lastError: null,
    createdAt: iso(nowMs),
    nextAttemptAt: nextAttemptAt === null ? null : iso(nextAttemptAt),
    sentAt: null,
    snapshot: n.snapshot,
  };
}

function parseTime(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`${what} is not an RFC3339 time: ${JSON.stringify(value)}`);
  return ms;
}
