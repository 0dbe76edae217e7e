/**
 * @module store/postgres/rows
 * The PostgreSQL rows (store/rows.ts) as node-postgres returns them: `timestamptz` as Date and
 * `bigint` ids as strings (they may exceed 2^53 in general; ours never will).
 */
import type { AlertRecord, NotificationRecord } from '../store.js';
import * as rows from '../rows.js';

export { labelsJson, toAlert, toGroupRecord, type GroupRow } from '../rows.js';

export type AlertRow = rows.AlertRowOf<Date>;
export type NotificationRow = rows.NotificationRowOf<string, Date>;

const iso = (d: Date): string => d.toISOString();

export function toAlertRecord(row: AlertRow & { group_key: string }): AlertRecord {
  return rows.toAlertRecord(row, iso);
}

export function toNotificationRecord(row: NotificationRow): NotificationRecord {
  return rows.toNotificationRecord(row, iso);
}
