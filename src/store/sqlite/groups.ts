/**
 * @module store/sqlite/groups
 * Loading and writing groups with their alerts and new notifications. Callers run these inside
 * one IMMEDIATE transaction, which is what makes `updateGroups` a lock around `decide`.
 */
import type { Alert } from '../../model/alert.js';
import { targetKey } from '../../model/target.js';
import type { GroupRecord, GroupWrite, NewNotification, NotificationRecord } from '../store.js';
import { alertParams, groupParams, toAlert, toGroupRecord, toNotificationRecord } from './rows.js';
import type { Statements } from './statements.js';

export function loadGroups(s: Statements, ids: string[]): Map<string, GroupRecord> {
  const idsJson = JSON.stringify([...new Set(ids)]);
  const alertsByGroup = new Map<string, Alert[]>();
  for (const row of s.selectGroupAlerts.all({ ids: idsJson })) {
    const list = alertsByGroup.get(row.group_id) ?? [];
    list.push(toAlert(row));
    alertsByGroup.set(row.group_id, list);
  }
  const groups = new Map<string, GroupRecord>();
  for (const row of s.selectGroups.all({ ids: idsJson })) {
    groups.set(row.id, toGroupRecord(row, alertsByGroup.get(row.id) ?? []));
  }
  return groups;
}

/** Persist one decided write; `nowMs` stamps the new notifications. Returns them as inserted. */
export function writeGroup(s: Statements, write: GroupWrite, nowMs: number): NotificationRecord[] {
  const { group } = write;
  s.upsertGroup.run(groupParams(group));
  const alertsUpdatedAt = parseTime(group.updatedAt, `group ${group.id} updatedAt`);
  s.deleteStaleAlerts.run({ group_id: group.id, fingerprints: JSON.stringify(group.alerts.map((a) => a.fingerprint)) });
  group.alerts.forEach((alert, position) => s.upsertAlert.run(alertParams(group, alert, position, alertsUpdatedAt)));
  return write.notifications.map((n) => insertNotification(s, n, nowMs));
}

function insertNotification(s: Statements, n: NewNotification, nowMs: number): NotificationRecord {
  if (n.supersedesPending && n.status === 'pending') {
    s.supersedePending.run({ group_id: n.groupId, target_key: targetKey(n.target), now: nowMs });
  }
  const row = s.insertNotification.get({
    group_id: n.groupId,
    team: n.team,
    target: JSON.stringify(n.target),
    target_key: targetKey(n.target),
    kind: n.kind,
    status: n.status,
    reason: n.reason ?? null,
    created_at: nowMs,
    // A pending item is due at once; a suppressed one is history only.
    next_attempt_at: n.status === 'pending' ? nowMs : null,
    snapshot: JSON.stringify(n.snapshot),
  });
  if (!row) throw new Error('insert into notifications returned no row');
  return toNotificationRecord(row);
}

function parseTime(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`${what} is not an RFC3339 time: ${JSON.stringify(value)}`);
  return ms;
}
