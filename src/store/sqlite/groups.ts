/**
 * @module store/sqlite/groups
 * Loading groups with their alerts, and writing decided groups in two steps: `planGroupWrite`
 * turns a decision into the rows to write (serialised, compared with what is stored) on the
 * calling thread; `applyGroupPlan` runs the statements wherever the writer lives (the writer
 * thread for a file, the same connection for `:memory:`). Plans are plain data, so they cross
 * threads as cheap string copies.
 */
import type { Alert } from '../../model/alert.js';
import { targetKey } from '../../model/target.js';
import { encodeSnapshot } from '../snapshot-text.js';
import type { GroupRecord, GroupWrite, NotificationRecord } from '../store.js';
import { leasedTo, TOMBSTONE_POSITION, tombstonesToStore } from '../rows.js';
import { groupParams, iso, labelsJson, toGroupRecord, type AlertRow, type GroupRow } from './rows.js';
import type { GroupParams, NewNotificationRow, Statements } from './statements.js';

/** Stored alert rows of the loaded groups, as read: group id → fingerprint → row. */
export type StoredAlertRows = Map<string, Map<string, AlertRow>>;

/**
 * What an alert upsert binds that differs between the alerts of one group, in the statement's
 * column order (the group id, team and `updated_at` come from the plan). A tuple, not an object:
 * plans cross to the writer thread by structured clone, which writes an object's property names
 * again for every alert (a 100-alert plan: 67 → 37 µs to clone out, 103 → 51 µs to read back in
 * a microbenchmark), and better-sqlite3 binds positional parameters without name lookups.
 */
export type AlertValues = [
  fingerprint: string,
  position: number,
  status: string,
  labels: string,
  annotations: string,
  startsAt: string,
  endsAt: string | null,
  generatorUrl: string,
];

/** Everything one decided group write does to the database, as bind parameters. */
export interface GroupWritePlan {
  group: GroupParams;
  /** JSON array of the fingerprints kept, when alerts may have left the group; null: nothing to delete. */
  deleteStaleExcept: string | null;
  /** Alerts to upsert (the unchanged ones are left out), all stamped `alertsUpdatedAt` (Unix ms). */
  alerts: AlertValues[];
  alertsUpdatedAt: number;
  /** Each distinct snapshot of the write, serialised once (the targets of one decision share one). */
  snapshots: string[];
  /** `snapshot`: the index of the notification's snapshot in `snapshots`. */
  notifications: { row: NewNotificationRow; snapshot: number; supersedePending: boolean }[];
}

/**
 * Load groups with their alerts. `rows`, when given, receives the alert rows as stored, so
 * `planGroupWrite` can leave out the ones a decision left unchanged; `withDead`, when given, the
 * ids of the groups that have a dead notification (SELECT_GROUPS_NOTING_DEAD).
 */
export function loadGroups(s: Statements, ids: string[], rows?: StoredAlertRows, withDead?: Set<string>): Map<string, GroupRecord> {
  const groups = new Map<string, GroupRecord>();
  if (ids.length === 0) return groups;
  const unique = [...new Set(ids)];
  const idsJson = JSON.stringify(unique);
  const groupRows = withDead ? s.selectGroupsNotingDead.all({ ids: idsJson }) : s.selectGroups.all({ ids: idsJson });
  if (withDead) for (const row of groupRows) if ((row as { has_dead?: number }).has_dead) withDead.add(row.id);
  // Most webhooks bring a new group: nothing stored, so no alerts to look for.
  if (groupRows.length === 0) return groups;
  const alertsByGroup = new Map<string, AlertRow[]>();
  const foundJson = groupRows.length === unique.length ? idsJson : JSON.stringify(groupRows.map((g) => g.id));
  for (const row of s.selectGroupAlerts.all({ ids: foundJson })) {
    const list = alertsByGroup.get(row.group_id) ?? [];
    list.push(row);
    alertsByGroup.set(row.group_id, list);
    if (rows) {
      const byFingerprint = rows.get(row.group_id) ?? new Map<string, AlertRow>();
      byFingerprint.set(row.fingerprint, row);
      rows.set(row.group_id, byFingerprint);
    }
  }
  for (const row of groupRows) {
    groups.set(row.id, toGroupRecord(row, alertsByGroup.get(row.id) ?? []));
  }
  return groups;
}

/** A copy a decision may edit without touching the original. */
export function copyGroup(g: GroupRecord): GroupRecord {
  return {
    ...g,
    groupLabels: { ...g.groupLabels },
    commonLabels: { ...g.commonLabels },
    commonAnnotations: { ...g.commonAnnotations },
    targets: g.targets.map((t) => ({ ...t })),
    alerts: g.alerts.map(copyAlert),
    ...(g.tombstones ? { tombstones: g.tombstones.map(copyAlert) } : {}),
  };
}

function copyAlert(a: Alert): Alert {
  return { ...a, labels: { ...a.labels }, annotations: { ...a.annotations } };
}

/** An alert's values as this decision would write them. */
function alertValues(alert: Alert, position: number): AlertValues {
  return [alert.fingerprint, position, alert.status, labelsJson(alert.labels), labelsJson(alert.annotations), alert.startsAt, alert.endsAt, alert.generatorURL];
}

/** What an alert upsert would write is what is stored already (updated_at aside). */
function sameRow([, position, status, labels, annotations, startsAt, endsAt, generatorUrl]: AlertValues, team: string, stored: AlertRow): boolean {
  return (
    position === stored.position &&
    status === stored.status &&
    startsAt === stored.starts_at &&
    endsAt === stored.ends_at &&
    generatorUrl === stored.generator_url &&
    team === stored.team &&
    labels === stored.labels &&
    annotations === stored.annotations
  );
}

/**
 * The rows one decided write needs; `nowMs` stamps the new notifications. `stored` is the group's
 * alert rows as stored (an empty map for a group known not to exist), or undefined when what is
 * stored is not known (not read, already rewritten in this decision, or read from a write still
 * in flight): then the group is rewritten whole. Alertmanager resends whole groups, so most
 * alerts of a changed or repeated group are unchanged, and each skipped upsert saves four
 * B-tree writes.
 */
export function planGroupWrite(write: GroupWrite, nowMs: number, stored?: Map<string, AlertRow>): GroupWritePlan {
  const { group } = write;
  const alertsUpdatedAt = parseTime(group.updatedAt, `group ${group.id} updatedAt`);
  const tombstones = tombstonesToStore(group);
  const fingerprints = new Set(group.alerts.map((a) => a.fingerprint));
  for (const t of tombstones) fingerprints.add(t.fingerprint);
  // Nothing to delete when the group is new or kept every alert (and tombstone) it had.
  const mayDelete = stored === undefined || [...stored.keys()].some((f) => !fingerprints.has(f));
  const alerts: AlertValues[] = [];
  const plan = (alert: Alert, position: number) => {
    const values = alertValues(alert, position);
    const before = stored?.get(alert.fingerprint);
    if (before === undefined || !sameRow(values, group.team, before)) alerts.push(values);
  };
  group.alerts.forEach(plan);
  for (const t of tombstones) plan(t, TOMBSTONE_POSITION);
  // The targets of one decision usually share one snapshot object: serialise (and send) it once.
  const snapshots: string[] = [];
  const snapshotIndex = new Map<object, number>();
  const indexOf = (snapshot: object): number => {
    let index = snapshotIndex.get(snapshot);
    if (index === undefined) snapshotIndex.set(snapshot, (index = snapshots.push(JSON.stringify(snapshot)) - 1));
    return index;
  };
  return {
    group: { ...groupParams(group), last_notification_at: write.notifications.length > 0 ? nowMs : null, new_notifications: write.notifications.length },
    deleteStaleExcept: mayDelete ? JSON.stringify([...fingerprints]) : null,
    alerts,
    alertsUpdatedAt,
    snapshots,
    notifications: write.notifications.map((n) => ({
      supersedePending: n.supersedesPending === true && n.status === 'pending',
      snapshot: indexOf(n.snapshot),
      row: {
        group_id: n.groupId,
        team: n.team,
        target: JSON.stringify(n.target),
        target_key: targetKey(n.target),
        kind: n.kind,
        status: n.status,
        reason: n.reason ?? null,
        last_error: n.lastError ?? null,
        created_at: nowMs,
        // A pending item is due at once; a suppressed one is history only.
        next_attempt_at: n.status === 'pending' ? nowMs : null,
      },
    })),
  };
}

/**
 * Run one plan's statements (inside the caller's transaction); returns the new notifications' ids.
 * Large snapshots are deflated here (`snapshot-text.ts`), on the writer thread, whose commits
 * the saved pages shorten (deflating on the event loop measured slower: that thread is the busier
 * one at 100 alerts).
 */
export function applyGroupPlan(s: Statements, plan: GroupWritePlan): number[] {
  // The group's seq keys its rows in the other tables (schema-v4.ts): new groups append there.
  const upserted = s.upsertGroup.get(plan.group);
  if (!upserted) throw new Error('upsert into groups returned no row');
  const seq = upserted.seq;
  if (plan.deleteStaleExcept !== null) s.deleteStaleAlerts.run({ group_seq: seq, fingerprints: plan.deleteStaleExcept });
  const { id, team } = plan.group;
  for (const [fingerprint, position, status, labels, annotations, startsAt, endsAt, generatorUrl] of plan.alerts) {
    // The write's stamp is the alert's updated_at, and its created_at if this inserts it.
    s.upsertAlert.run(seq, id, fingerprint, position, team, status, labels, annotations, startsAt, endsAt, generatorUrl, plan.alertsUpdatedAt, plan.alertsUpdatedAt);
  }
  const snapshots = plan.snapshots.map(encodeSnapshot);
  const ids = plan.notifications.map(({ row, snapshot, supersedePending }) => {
    if (row.group_id !== id) throw new Error(`notification of group ${row.group_id} in the write of group ${id}`);
    if (supersedePending) s.supersedePending.run({ group_seq: seq, target_key: row.target_key, now: row.created_at });
    const inserted = s.insertNotification.get({ ...row, group_seq: seq });
    if (!inserted) throw new Error('insert into notifications returned no row');
    s.insertSnapshot.run({ id: inserted.id, snapshot: snapshots[snapshot]! });
    return inserted.id;
  });
  // No statement after the inserts: the upsert set the group's last_notification_id to the last
  // of these ids already (queries.ts UPSERT_GROUP), counting `plan.notifications`, all inserted here.
  return ids;
}

/**
 * The records of a write's new notifications, built from the decision and the ids SQLite
 * assigned (`nowMs` as in `planGroupWrite`): reading the rows back would parse the snapshots just
 * serialised, and keeping the plan until the commit would keep its strings alive that long.
 */
export function insertedRecords(write: GroupWrite, nowMs: number, ids: number[], leased?: { owner: string; ids: ReadonlySet<number> }): NotificationRecord[] {
  const at = iso(nowMs);
  return write.notifications.map((n, i) => {
    const id = ids[i]!;
    const record: NotificationRecord = {
      id,
      groupId: n.groupId,
      team: n.team,
      target: n.target,
      kind: n.kind,
      status: n.status,
      reason: n.reason ?? null,
      attempts: 0,
      claim: 0,
      lastError: n.lastError ?? null,
      createdAt: at,
      // A pending item is due at once; a suppressed one is history only.
      nextAttemptAt: n.status === 'pending' ? at : null,
      sentAt: null,
      snapshot: n.snapshot,
    };
    return leased?.ids.has(id) ? leasedTo(record, leased.owner) : record;
  });
}

function parseTime(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`${what} is not an RFC3339 time: ${JSON.stringify(value)}`);
  return ms;
}
