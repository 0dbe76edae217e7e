/**
 * @module store/rows
 * Row shapes shared by the SQLite and PostgreSQL stores, and their mapping to the Store's
 * records. The tables have the same columns; the backends differ only in how times and ids come
 * back (SQLite: Unix ms numbers; node-postgres: `timestamptz` as Date, `bigint` as string), so
 * the mappings take the time type as a parameter and a function turning it into RFC3339.
 * JSON columns hold data the store wrote itself, so they are parsed without re-validation.
 */
import type { Alert, AlertStatus, Labels } from '../model/alert.js';
import type { ChangeKind } from '../model/group.js';
import type { ReceiverType, Target } from '../model/target.js';
import { decodeSnapshot } from './snapshot-text.js';
import type { AlertRecord, GroupRecord, NotificationRecord, NotificationStatus, ReceiverRoom, StormDigests } from './store.js';

/** RFC3339 text of a backend's time value. */
export type ToIso<Time> = (time: Time) => string;

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
  /** JSON StormDigests, or null (schema: SQLite 6, PostgreSQL 3). */
  storm_digests: string | null;
  /** Unix ms, or null (schema: SQLite 7, PostgreSQL 4); node-postgres returns a bigint as text. */
  held_until: number | string | null;
}

export interface AlertRowOf<Time> {
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
  updated_at: Time;
}

export interface NotificationRowOf<Id, Time> {
  id: Id;
  group_id: string;
  team: string;
  target: string;
  target_key: string;
  kind: string;
  status: string;
  reason: string | null;
  attempts: number;
  /** The item's claims so far (SQLite schema-v15.ts, PostgreSQL schema-v14.ts): NotificationRecord.claim. */
  claims: number;
  last_error: string | null;
  created_at: Time;
  next_attempt_at: Time | null;
  sent_at: Time | null;
  lease_owner: string | null;
  lease_until: Time | null;
  snapshot: string;
}

/** A record `updateGroups` leased to `owner` with its write: the lease counts as an attempt and takes the next claim number, as a claim does. */
export function leasedTo<R extends NotificationRecord>(record: R, owner: string): R {
  return { ...record, attempts: record.attempts + 1, claim: record.claim + 1, leasedTo: owner };
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
  // No prototype: a label named `__proto__` stays a label instead of setting one.
  const sorted = Object.create(null) as Labels;
  for (const key of Object.keys(labels).sort()) sorted[key] = labels[key] ?? '';
  return JSON.stringify(sorted);
}

/** An alert row as the group loads read it. */
type StoredAlertRow = Omit<AlertRowOf<unknown>, 'updated_at'>;

export function toAlert(row: StoredAlertRow): Alert {
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

export function toAlertRecord<Time>(row: AlertRowOf<Time> & { group_key: string }, iso: ToIso<Time>): AlertRecord {
  return { ...toAlert(row), team: row.team, groupId: row.group_id, groupKey: row.group_key, updatedAt: iso(row.updated_at) };
}

/**
 * The position of a tombstone's row (GroupRecord.tombstones): a resolved alert the group dropped,
 * kept in the alerts table beside the group's alerts (positions from 0), so it needs no column
 * or table of its own and is read with them. The alert lists leave these rows out.
 */
export const TOMBSTONE_POSITION = -1;

/**
 * The tombstones of `g` to store: one fingerprint has one row, and an alert the group holds is
 * never written over by its tombstone (dedup keeps them apart; this holds for any writer).
 */
export function tombstonesToStore(g: GroupRecord): readonly Alert[] {
  if (!g.tombstones?.length) return NO_TOMBSTONES;
  const held = new Set(g.alerts.map((a) => a.fingerprint));
  return g.tombstones.filter((t) => !held.has(t.fingerprint));
}
const NO_TOMBSTONES: readonly Alert[] = [];

/** A group row and its alert rows (tombstones among them, in any order) as a record. */
export function toGroupRecord(row: GroupRow, alertRows: readonly StoredAlertRow[]): GroupRecord {
  const alerts: Alert[] = [];
  let tombstones: Alert[] | undefined;
  for (const a of alertRows) {
    if (a.position >= 0) alerts.push(toAlert(a));
    else (tombstones ??= []).push(toAlert(a));
  }
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
    ...(tombstones ? { tombstones } : {}),
    notifiedHash: row.notified_hash,
    notifiedAt: row.notified_at,
    targets: JSON.parse(row.targets) as Target[],
    ...(row.storm_digests ? { stormDigests: JSON.parse(row.storm_digests) as StormDigests } : {}),
    ...(row.held_until != null ? { heldUntil: Number(row.held_until) } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toNotificationRecord<Time>(row: NotificationRowOf<number | string, Time>, iso: ToIso<Time>): NotificationRecord {
  return {
    id: Number(row.id),
    groupId: row.group_id,
    team: row.team,
    target: JSON.parse(row.target) as Target,
    kind: row.kind as ChangeKind,
    status: row.status as NotificationStatus,
    reason: row.reason,
    attempts: row.attempts,
    claim: row.claims,
    lastError: row.last_error,
    createdAt: iso(row.created_at),
    nextAttemptAt: row.next_attempt_at === null ? null : iso(row.next_attempt_at),
    sentAt: row.sent_at === null ? null : iso(row.sent_at),
    snapshot: decodeSnapshot(row.snapshot),
  };
}

/** How many of a claim's `limit` items one receiver may have: its room, when smaller (never below 0). */
export function receiverLimit(room: ReceiverRoom | undefined, receiver: ReceiverType, limit: number): number {
  return Math.max(0, Math.min(limit, room?.[receiver] ?? limit));
}

/** Counts items taken against a `ReceiverRoom` (a receiver it does not name has no limit). */
export function roomCounter(room: ReceiverRoom = {}): { has(receiver: ReceiverType): boolean; take(receiver: ReceiverType): void } {
  const left = { ...room };
  return {
    has: (receiver) => (left[receiver] ?? 1) > 0,
    take: (receiver) => {
      if (left[receiver] !== undefined) left[receiver] -= 1;
    },
  };
}
