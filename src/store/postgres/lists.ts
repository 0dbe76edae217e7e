/**
 * @module store/postgres/lists
 * Newest-first, cursor-paged listings of notifications and alerts. The SQL is assembled from
 * the filters present (rather than `$1 IS NULL OR …`) so the planner can use the matching index.
 * Cursors are the shared ones of `store/cursor.ts`, so pages look alike on every backend.
 */
import type pg from 'pg';
import type { AlertStatus } from '../../model/alert.js';
import { decodeAlertCursor, decodeNotificationCursor, encodeAlertCursor, encodeNotificationCursor } from '../cursor.js';
import { page, pageSize } from '../list-page.js';
import type { AlertRecord, ListQuery, NotificationRecord, NotificationStatus, Page } from '../store.js';
import { ALERT_LIST_KEY } from './schema-v8.js';
import { toAlertRecord, toNotificationRecord, type AlertRow, type NotificationRow } from './rows.js';

export async function listNotifications(pool: pg.Pool, q: ListQuery<NotificationStatus>): Promise<Page<NotificationRecord>> {
  const f = new Filters(q, 'n');
  if (q.cursor !== undefined) f.where.push(`n.id < ${f.param(decodeNotificationCursor(q.cursor).id)}`);
  const limit = pageSize(q);
  const sql = `SELECT n.* FROM notifications n ${f.clause()} ORDER BY n.id DESC LIMIT ${f.param(limit + 1)}`;
  const { rows } = await pool.query<NotificationRow>(sql, f.params);
  return page(rows, limit, toNotificationRecord, (r) => encodeNotificationCursor({ id: Number(r.id) }));
}

/**
 * Newest first by when each alert was first stored (schema-v8.ts), not by its last change: a
 * change leaves the alert in its place, so a walk along the cursors lists every alert that was
 * there when it began exactly once (in the state the page read), whatever changes meanwhile.
 */
export async function listAlerts(pool: pg.Pool, q: ListQuery<AlertStatus>): Promise<Page<AlertRecord>> {
  const { rows } = await pool.query<AlertRow & { group_key: string; list_key: Date }>(alertListQuery(q));
  return page(rows, pageSize(q), toAlertRecord, (r) =>
    encodeAlertCursor({ createdAt: r.list_key.getTime(), groupId: r.group_id, fingerprint: r.fingerprint }),
  );
}

/** The statement of a page of alerts (apart, so that a test can have its plan explained). */
export function alertListQuery(q: ListQuery<AlertStatus>): { text: string; values: unknown[] } {
  const f = new Filters(q, 'a');
  // Not a tombstone's row (store/rows.ts TOMBSTONE_POSITION): the lists show the groups' alerts.
  f.where.push('a.position >= 0');
  const key = ALERT_LIST_KEY('a.');
  if (q.cursor !== undefined) {
    const c = decodeAlertCursor(q.cursor);
    f.where.push(`(${key}, a.group_id, a.fingerprint) < (${f.param(new Date(c.createdAt))}, ${f.param(c.groupId)}, ${f.param(c.fingerprint)})`);
  }
  const text = `SELECT a.*, ${key} AS list_key, g.group_key FROM alerts a JOIN groups g ON g.id = a.group_id ${f.clause()}
    ORDER BY ${key} DESC, a.group_id DESC, a.fingerprint DESC LIMIT ${f.param(pageSize(q) + 1)}`;
  return { text, values: f.params };
}

/** WHERE terms with their positional parameters. */
class Filters {
  readonly where: string[] = [];
  readonly params: unknown[] = [];

  constructor(q: ListQuery<string>, alias: string) {
    if (q.team !== undefined) this.where.push(`${alias}.team = ${this.param(q.team)}`);
    if (q.status !== undefined) this.where.push(`${alias}.status = ${this.param(q.status)}`);
  }

  /** Adds a parameter and returns its placeholder. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  clause(): string {
    return this.where.length === 0 ? '' : `WHERE ${this.where.join(' AND ')}`;
  }
}
