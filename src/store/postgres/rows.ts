/**
 * @module store/postgres/rows
 * Row shapes of the PostgreSQL tables and their mapping to and from the Store's records.
 * node-postgres returns `timestamptz` as Date and `bigint` as string (it may exceed 2^53; our
 * ids never will). JSON columns hold data this store wrote itself: parsed without re-validation.
 */
import type { Alert, AlertStatus, Labels } from '../../model/alert.js';
import type { ChangeKind, GroupSnapshot } from '../../model/group.js';
import type { Target } from '../../model/target.js';
import type { AlertRecord, GroupRecord, NotificationRecord, NotificationStatus } from '../store.js';

export interface GroupRow {
  id: string;
  team: string;
  group_key: string;
  receiver: string;
  external_url: string;
  group_labels: string;
  common_labels: string;
  common_annotations: string;
  status: string;
  notified_hash: string | null;
  notified_at: string | null;
  targets: string;
  created_at: string;
  updated_at: string;
}

export interface AlertRow {
  group_id: string;
  fingerprint: string;
  position: number;
  team: string;
  status: string;
  labels: string;
  annotations: string;
  starts_at: string;
  ends_at: string | null;
  generator_url: string;
  updated_at: Date;
}

export interface NotificationRow {
  id: string;
  group_id: string;
  team: string;
  target: string;
  target_key: string;
  kind: string;
  status: string;
  reason: string | null;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  next_attempt_at: Date | null;
  sent_at: Date | null;
  lease_owner: string | null;
  lease_until: Date | null;
  snapshot: string;
}

/** Labels as JSON with sorted keys, so equal label sets are equal strings (change detection). */
export function labelsJson(labels: Labels): string {
  const sorted: Labels = {};
  for (const key of Object.keys(labels).sort()) sorted[key] = labels[key] ?? '';
  return JSON.stringify(sorted);
}

export function toAlert(row: Omit<AlertRow, 'updated_at'>): Alert {
  return {
    fingerprint: row.fingerprint,
    status: row.status as AlertStatus,
    labels: JSON.parse(row.labels) as Labels,
    annotations: JSON.parse(row.annotations) as Labels,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    generatorURL: row.generator_url,
  };
}

export function toAlertRecord(row: AlertRow & { group_key: string }): AlertRecord {
  return { ...toAlert(row), team: row.team, groupId: row.group_id, groupKey: row.group_key, updatedAt: row.updated_at.toISOString() };
}

export function toGroupRecord(row: GroupRow, alerts: Alert[]): GroupRecord {
  return {
    id: row.id,
    team: row.team,
    groupKey: row.group_key,
    receiver: row.receiver,
    externalURL: row.external_url,
    groupLabels: JSON.parse(row.group_labels) as Labels,
    commonLabels: JSON.parse(row.common_labels) as Labels,
    commonAnnotations: JSON.parse(row.common_annotations) as Labels,
    status: row.status as AlertStatus,
    alerts,
    notifiedHash: row.notified_hash,
    notifiedAt: row.notified_at,
    targets: JSON.parse(row.targets) as Target[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toNotificationRecord(row: NotificationRow): NotificationRecord {
  return {
    id: Number(row.id),
    groupId: row.group_id,
    team: row.team,
    target: JSON.parse(row.target) as Target,
    kind: row.kind as ChangeKind,
    status: row.status as NotificationStatus,
    reason: row.reason,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    sentAt: row.sent_at?.toISOString() ?? null,
    snapshot: JSON.parse(row.snapshot) as GroupSnapshot,
  };
}
