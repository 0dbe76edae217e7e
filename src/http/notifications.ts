/**
 * @module http/notifications
 * GET /v1/notifications (delivery log), POST /v1/notifications/{id}/retry (admin): a dead
 * notification is requeued unless a newer one of its group and target is not suppressed (409).
 */
import { Hono } from 'hono';
import { requireAdmin } from './admin.js';
import type { AppDeps } from './deps.js';
import type { SupersedingStatus } from '../store/store.js';
import { InvalidCursorError } from '../store/cursor.js';
import { jsonError } from './errors.js';
import { bindCursor, CURSOR_STALE, decimalNumber, listQuerySchema, quoted, readQuery, unbindCursor, unknownTeamIssue } from './pagination.js';
import { notificationView } from './views.js';

const query = listQuerySchema(['pending', 'failed', 'sent', 'suppressed', 'dead'] as const);

/**
 * Notifications read from the store per page of the answer. Each record carries its whole frozen
 * snapshot (~8 KB of JSON for a 10-alert group) and the view keeps a few fields of it: reading a
 * 1,000-item page in chunks keeps ~100 parsed snapshots alive at a time instead of 1,000, which
 * is what made V8 grow the heap past 250 MB when such pages were read back to back.
 */
export const LIST_CHUNK = 100;

type NotificationQuery = Parameters<AppDeps['store']['listNotifications']>[0];

async function listViews(deps: AppDeps, q: NotificationQuery): Promise<{ items: ReturnType<typeof notificationView>[]; nextCursor: string | null }> {
  const items: ReturnType<typeof notificationView>[] = [];
  let cursor = q.cursor;
  for (;;) {
    const limit = Math.min(LIST_CHUNK, q.limit - items.length);
    const chunk = await deps.store.listNotifications({ ...q, limit, ...(cursor !== undefined ? { cursor } : {}) });
    for (const n of chunk.items) items.push(notificationView(n));
    if (chunk.nextCursor === null || items.length >= q.limit) return { items, nextCursor: chunk.nextCursor };
    cursor = chunk.nextCursor;
  }
}

/** Why retrying notification `id` would send stale content, and what to do instead (store.ts RetryDeadResult). */
function supersededMessage(id: number, newer: number, status: SupersedingStatus): string {
  const by = `notification ${id} is superseded: notification ${newer} for the same group and target`;
  switch (status) {
    case 'sent':
      return `${by} was sent after it`;
    case 'dead':
      return `${by} is newer and dead too; retry notification ${newer}, which carries the group's latest state`;
    case 'pending':
    case 'failed':
      return `${by} is newer and not delivered yet (${status}): the older content of ${id} would be sent after it or just before it`;
  }
}

export function notificationRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/v1/notifications', async (c) => {
    const q = readQuery(c.req, query);
    if ('issues' in q) return jsonError(c, 400, 'invalid query', { issues: q.issues });
    const { cursor, ...list } = q.data; // list: its filters and limit
    const from = cursor === undefined ? undefined : unbindCursor(cursor, list);
    if (from && 'error' in from) return jsonError(c, 400, from.error);
    const page = await listViews(deps, { ...list, ...(from ? { cursor: from.cursor } : {}) }).catch((err: unknown) => {
      if (err instanceof InvalidCursorError) return undefined;
      throw err;
    });
    if (!page) return jsonError(c, 400, CURSOR_STALE);
    if (page.items.length === 0) {
      const hasStored = async (team: string) => (await deps.store.listNotifications({ team, limit: 1 })).items.length > 0;
      const issue = await unknownTeamIssue(list.team, [...(deps.routing()?.teams.keys() ?? [])], hasStored);
      if (issue) return jsonError(c, 400, 'invalid query', { issues: [issue] });
    }
    return c.json({ items: page.items, nextCursor: bindCursor(page.nextCursor, list) });
  });
  app.post('/v1/notifications/:id/retry', requireAdmin(deps.adminToken), async (c) => {
    // Decimal digits only: Number() also reads `0x10`, `1e3` or ` 1`, and would act on that notification.
    const given = c.req.param('id');
    const id = decimalNumber(given);
    if (!Number.isSafeInteger(id) || id <= 0) {
      return jsonError(c, 400, `notification id must be a positive integer in decimal digits, got "${quoted(given)}"`);
    }
    const existing = await deps.store.getNotification(id);
    if (!existing) return jsonError(c, 404, `notification ${id} not found`);
    if (existing.status !== 'dead') return jsonError(c, 409, `notification ${id} is ${existing.status}; only dead notifications can be retried`);
    const result = await deps.store.retryDead(id, (deps.now ?? (() => new Date()))());
    if (result.outcome === 'not-dead') return jsonError(c, 409, `notification ${id} is no longer dead`);
    // Sending it now would put its older snapshot after, or just before, the newer one.
    if (result.outcome === 'superseded') {
      const error = supersededMessage(id, result.supersededBy, result.supersededByStatus);
      return jsonError(c, 409, error, { supersededBy: result.supersededBy, supersededByStatus: result.supersededByStatus });
    }
    const updated = result.notification;
    deps.logger.info({ notification: id, team: updated.team }, 'dead notification requeued by admin');
    deps.onAccepted?.();
    return c.json(notificationView(updated), 202);
  });
  return app;
}
