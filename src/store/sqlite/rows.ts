/**
 * @module store/sqlite/rows
 * Row shapes of the SQLite tables and their mapping to and from the Store's records.
 * JSON columns hold data this store wrote itself, so they are parsed without re-validation.
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
  updated_at: number;
}

export interface NotificationRow {
  id: number;
  group_id: string;
  team: string;
  target: string;
  target_key: string;
  kind: string;
  status: string;
  reason: string | null;
  attempts: number;
  last_error: string | null;
  created_at: number;
  next_attempt_at: number | null;
  sent_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  snapshot: string;
}

/** Unix ms → RFC3339 (UTC, millisecond precision). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Labels as JSON with sorted keys, so equal label sets are equal strings (change detection). */
export function labelsJson(labels: Labels): string {
  // Alertmanager (Go's encoding/json) sends label maps with sorted keys: serialise them as they are.
  let previous: string | undefined;
  let ordered = true;
  for (const key in labels) {
    if ((previous !== undefined && !(previous < key)) || typeof labels[key] !== 'string') {
      ordered = false;
      break;
    }
    previous = key;
  }
  if (ordered) return JSON.stringify(labels);
  const sorted: Labels = {};
  for (const key of Object.keys(labels).sort()) sorted[key] = labels[key] ?? '';
  return JSON.stringify(sorted);
}

export function toAlert(row: AlertRow): Alert {
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
  return { ...toAlert(row), team: row.team, groupId: row.group_id, groupKey: row.group_key, updatedAt: iso(row.updated_at) };
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

/** Bind parameters of the group upsert. */
export function groupParams(g: GroupRecord): GroupRow {
  return {
    id: g.id,
    team: g.team,
    group_key: g.groupKey,
    receiver: g.receiver,
    external_url: g.externalURL,
    group_labels: labelsJson(g.groupLabels),
    common_labels: labelsJson(g.commonLabels),
    common_annotations: labelsJson(g.commonAnnotations),
    status: g.status,
    notified_hash: g.notifiedHash,
    notified_at: g.notifiedAt,
    targets: JSON.stringify(g.targets),
    created_at: g.createdAt,
    updated_at: g.updatedAt,
  };
}

/** Bind parameters of the alert upsert. */
export function alertParams(g: GroupRecord, a: Alert, position: number, updatedAtMs: number): AlertRow {
  return {
    group_id: g.id,
    fingerprint: a.fingerprint,
    position,
    team: g.team,
    status: a.status,
    labels: labelsJson(a.labels),
    annotations: labelsJson(a.annotations),
    starts_at: a.startsAt,
    ends_at: a.endsAt,
    generator_url: a.generatorURL,
    updated_at: updatedAtMs,
  };
}

export function toNotificationRecord(row: NotificationRow): NotificationRecord {
  return {
    id: row.id,
    groupId: row.group_id,
    team: row.team,
    target: JSON.parse(row.target) as Target,
    kind: row.kind as ChangeKind,
    status: row.status as NotificationStatus,
    reason: row.reason,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: iso(row.created_at),
    nextAttemptAt: row.next_attempt_at === null ? null : iso(row.next_attempt_at),
    sentAt: row.sent_at === null ? null : iso(row.sent_at),
    snapshot: JSON.parse(row.snapshot) as GroupSnapshot,
  };
}
