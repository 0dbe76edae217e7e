/**
 * @module store/sqlite/rows
 * The SQLite rows (store/rows.ts: times as Unix ms, integer ids) and the bind parameters of
 * the group upsert (an alert upsert binds `AlertValues`, groups.ts).
 */
import type { AlertRecord, GroupRecord, NotificationRecord } from '../store.js';
import * as rows from '../rows.js';
import { labelsJson, type GroupRow } from '../rows.js';

export { labelsJson, toAlert, toGroupRecord, type GroupRow } from '../rows.js';

/** SQLite keeps times as Unix ms and ids as integers. */
export type AlertRow = rows.AlertRowOf<number>;
export type NotificationRow = rows.NotificationRowOf<number, number>;

/** Unix ms → RFC3339 (UTC, millisecond precision). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function toAlertRecord(row: AlertRow & { group_key: string }): AlertRecord {
  return rows.toAlertRecord(row, iso);
}

export function toNotificationRecord(row: NotificationRow): NotificationRecord {
  return rows.toNotificationRecord(row, iso);
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
    storm_digests: g.stormDigests ? JSON.stringify(g.stormDigests) : null,
    held_until: g.heldUntil ?? null,
  };
}
