/**
 * @module http/notifications
 * GET /v1/notifications (delivery log), POST /v1/notifications/{id}/retry (admin).
 */
import { Hono } from 'hono';
import { requireAdmin } from './admin.js';
import type { AppDeps } from './deps.js';
import { InvalidCursorError } from '../store/cursor.js';
import { jsonError } from './errors.js';
import { issuesOf, listQuerySchema } from './pagination.js';
import { notificationView } from './views.js';

const query = listQuerySchema(['pending', 'failed', 'sent', 'suppressed', 'dead'] as const);

export function notificationRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/v1/notifications', async (c) => {
    const q = query.safeParse(c.req.query());
    if (!q.success) return jsonError(c, 400, 'invalid query', { issues: issuesOf(q.error) });
    const page = await deps.store.listNotifications(q.data).catch((err: unknown) => {
      if (err instanceof InvalidCursorError) return undefined;
      throw err;
    });
    if (!page) return jsonError(c, 400, 'invalid cursor: pass the nextCursor of a previous page of this list');
    return c.json({ items: page.items.map(notificationView), nextCursor: page.nextCursor });
  });
  app.post('/v1/notifications/:id/retry', requireAdmin(deps.adminToken), async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0) return jsonError(c, 400, `notification id must be a positive integer, got "${c.req.param('id')}"`);
    const existing = await deps.store.getNotification(id);
    if (!existing) return jsonError(c, 404, `notification ${id} not found`);
    if (existing.status !== 'dead') return jsonError(c, 409, `notification ${id} is ${existing.status}; only dead notifications can be retried`);
    const updated = await deps.store.retryDead(id, (deps.now ?? (() => new Date()))());
    if (!updated) return jsonError(c, 409, `notification ${id} is no longer dead`);
    deps.logger.info({ notification: id, team: updated.team }, 'dead notification requeued by admin');
    deps.onAccepted?.();
    return c.json(notificationView(updated), 202);
  });
  return app;
}
