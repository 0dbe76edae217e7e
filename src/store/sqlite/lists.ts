/**
 * @module store/sqlite/lists
 * Newest-first, cursor-paged listings of notifications and alerts. The SQL is assembled from
 * the filters present (rather than `@team IS NULL OR …`) so SQLite can use the matching index.
 */
import type Database from 'better-sqlite3';
import type { AlertStatus } from '../../model/alert.js';
import { page, pageSize } from '../list-page.js';
import type { AlertRecord, ListQuery, NotificationRecord, NotificationStatus, Page } from '../store.js';
import { decodeAlertCursor, decodeNotificationCursor, encodeAlertCursor, encodeNotificationCursor } from './cursor.js';
import { toAlertRecord, toNotificationRecord, type AlertRow, type NotificationRow } from './rows.js';

type Params = Record<string, string | number>;

/** Not a tombstone's row (store/rows.ts TOMBSTONE_POSITION): the lists show the groups' alerts. */
const LISTED_ALERT = 'a.position >= 0';

export class Lists {
  private readonly statements = new Map<string, Database.Statement<[Params], unknown>>();

  constructor(private readonly db: Database.Database) {}

  notifications(q: ListQuery<NotificationStatus>): Page<NotificationRecord> {
    const { where, params } = filters(q, 'n');
    if (q.cursor !== undefined) {
      where.push('n.id < @cursor_id');
      params.cursor_id = decodeNotificationCursor(q.cursor).id;
    }
    // CROSS JOIN keeps notifications the outer loop (its filter and id order pick the rows).
    const sql = `SELECT n.*, s.snapshot FROM notifications n CROSS JOIN notification_snapshots s ON s.id = n.id
      ${clause(where)} ORDER BY n.id DESC LIMIT @limit`;
    const rows = this.all<NotificationRow>(sql, { ...params, limit: pageSize(q) + 1 });
    return page(rows, pageSize(q), toNotificationRecord, (r) => encodeNotificationCursor({ id: r.id }));
  }

  /**
   * Newest first by when each alert was first stored (schema-v12.ts), not by its last change:
   * a change leaves the alert in its place, so a walk along the cursors lists every alert that
   * was there when it began exactly once (in the state the page read), whatever changes meanwhile.
   */
  alerts(q: ListQuery<AlertStatus>): Page<AlertRecord> {
    const { where, params } = filters(q, 'a');
    where.push(LISTED_ALERT);
    if (q.cursor !== undefined) {
      const c = decodeAlertCursor(q.cursor);
      // The first term lets the (…, created_at) index start at the cursor; the second breaks ties.
      where.push('a.created_at <= @cursor_c', '(a.created_at, a.group_id, a.fingerprint) < (@cursor_c, @cursor_g, @cursor_f)');
      Object.assign(params, { cursor_c: c.createdAt, cursor_g: c.groupId, cursor_f: c.fingerprint });
    }
    // Unfiltered, the planner would rather scan the key index and sort everything: walk the
    // time index instead (only rows sharing a created_at are sorted, and it stops at the limit).
    const hint = q.team === undefined && q.status === undefined ? 'INDEXED BY alerts_by_created' : '';
    const sql = `SELECT a.*, g.group_key FROM alerts a ${hint} JOIN groups g ON g.seq = a.group_seq ${clause(where)}
      ORDER BY a.created_at DESC, a.group_id DESC, a.fingerprint DESC LIMIT @limit`;
    const rows = this.all<AlertRow & { group_key: string; created_at: number }>(sql, { ...params, limit: pageSize(q) + 1 });
    return page(rows, pageSize(q), toAlertRecord, (r) =>
      encodeAlertCursor({ createdAt: r.created_at, groupId: r.group_id, fingerprint: r.fingerprint }),
    );
  }

  private all<R>(sql: string, params: Params): R[] {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<[Params], unknown>(sql);
      this.statements.set(sql, stmt);
    }
    return stmt.all(params) as R[];
  }
}

function filters(q: ListQuery<string>, alias: string): { where: string[]; params: Params } {
  const where: string[] = [];
  const params: Params = {};
  if (q.team !== undefined) {
    where.push(`${alias}.team = @team`);
    params.team = q.team;
  }
  if (q.status !== undefined) {
    where.push(`${alias}.status = @status`);
    params.status = q.status;
  }
  return { where, params };
}

function clause(where: string[]): string {
  return where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
}
