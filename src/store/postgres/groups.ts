/**
 * @module store/postgres/groups
 * Locking, loading and writing groups with their alerts and new notifications. Callers run
 * these inside one transaction: lock → load → decide → write is what makes `updateGroups` the
 * dedup race guard across replicas.
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../../model/alert.js';
import { targetKey } from '../../model/target.js';
import type { GroupRecord, GroupWrite, NotificationRecord } from '../store.js';
import type { Queryable } from './pool.js';
import * as q from './queries.js';
import { groupParams, labelsJson, toAlert, toGroupRecord, toNotificationRecord, type AlertRow, type GroupRow, type NotificationRow } from './rows.js';

/**
 * 32-bit advisory lock keys of these group ids, distinct and sorted: every transaction takes
 * them in the same order, so two of them can never wait on each other in a cycle. Two ids
 * sharing a key (1 in 2^32) only means those groups are serialised together.
 */
export function groupLockKeys(ids: readonly string[]): number[] {
  const keys = new Set(ids.map((id) => createHash('sha256').update(id).digest().readInt32BE(0)));
  return [...keys].sort((a, b) => a - b);
}

/** Take the group locks, then load (and row-lock) the groups that exist. */
export async function lockAndLoadGroups(c: Queryable, ids: readonly string[]): Promise<Map<string, GroupRecord>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  await c.query(q.LOCK_GROUPS, [q.GROUP_LOCK_CLASS, groupLockKeys(unique)]);
  // Read after the locks are held: READ COMMITTED takes a fresh snapshot per statement, so this
  // sees everything the previous holder of a lock committed.
  const groups = await c.query<GroupRow>(q.SELECT_GROUPS_FOR_UPDATE, [unique]);
  return withAlerts(c, groups.rows);
}

/** Load groups without locking (reads). */
export async function loadGroups(c: Queryable, ids: readonly string[]): Promise<Map<string, GroupRecord>> {
  const groups = await c.query<GroupRow>(q.SELECT_GROUPS, [[...new Set(ids)]]);
  return withAlerts(c, groups.rows);
}

async function withAlerts(c: Queryable, rows: GroupRow[]): Promise<Map<string, GroupRecord>> {
  const out = new Map<string, GroupRecord>();
  if (rows.length === 0) return out;
  const alertsByGroup = new Map<string, Alert[]>();
  const alerts = await c.query<AlertRow>(q.SELECT_GROUP_ALERTS, [rows.map((r) => r.id)]);
  for (const row of alerts.rows) {
    const list = alertsByGroup.get(row.group_id) ?? [];
    list.push(toAlert(row));
    alertsByGroup.set(row.group_id, list);
  }
  for (const row of rows) out.set(row.id, toGroupRecord(row, alertsByGroup.get(row.id) ?? []));
  return out;
}

/** Persist one decided write; `now` stamps the new notifications. Returns them as inserted, in order. */
export async function writeGroup(c: Queryable, write: GroupWrite, now: Date): Promise<NotificationRecord[]> {
  const { group } = write;
  const alertsUpdatedAt = new Date(parseTime(group.updatedAt, `group ${group.id} updatedAt`));
  await c.query(q.UPSERT_GROUP, groupParams(group));
  const alerts = lastByFingerprint(group.alerts);
  await c.query(q.DELETE_STALE_ALERTS, [group.id, alerts.map(([a]) => a.fingerprint)]);
  if (alerts.length > 0) {
    await c.query(q.UPSERT_ALERTS, [
      group.id,
      group.team,
      alertsUpdatedAt,
      alerts.map(([a]) => a.fingerprint),
      alerts.map(([, position]) => position),
      alerts.map(([a]) => a.status),
      alerts.map(([a]) => labelsJson(a.labels)),
      alerts.map(([a]) => labelsJson(a.annotations)),
      alerts.map(([a]) => a.startsAt),
      alerts.map(([a]) => a.endsAt),
      alerts.map(([a]) => a.generatorURL),
    ]);
  }
  const notes = write.notifications;
  if (notes.length === 0) return [];
  const { rows } = await c.query<NotificationRow>(q.INSERT_NOTIFICATIONS, [
    now,
    notes.map((n) => n.groupId),
    notes.map((n) => n.team),
    notes.map((n) => JSON.stringify(n.target)),
    notes.map((n) => targetKey(n.target)),
    notes.map((n) => n.kind),
    notes.map((n) => n.status),
    notes.map((n) => n.reason ?? null),
    notes.map((n) => JSON.stringify(n.snapshot)),
  ]);
  return rows.sort((a, b) => Number(a.id) - Number(b.id)).map(toNotificationRecord);
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
