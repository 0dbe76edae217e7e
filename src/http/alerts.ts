/**
 * @module http/alerts
 * GET /v1/alerts — current alert state per team, newest first.
 */
import { Hono } from 'hono';
import type { AppDeps } from './deps.js';
import { InvalidCursorError } from '../store/cursor.js';
import { jsonError } from './errors.js';
import { listQuerySchema, readQuery } from './pagination.js';
import { alertView } from './views.js';

const query = listQuerySchema(['firing', 'resolved'] as const);

export function alertRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/v1/alerts', async (c) => {
    const q = readQuery(c.req.queries(), query);
    if ('issues' in q) return jsonError(c, 400, 'invalid query', { issues: q.issues });
    const page = await deps.store.listAlerts(q.data).catch((err: unknown) => {
      if (err instanceof InvalidCursorError) return undefined;
      throw err;
    });
    if (!page) return jsonError(c, 400, 'invalid cursor: pass the nextCursor of a previous page of this list');
    return c.json({ items: page.items.map(alertView), nextCursor: page.nextCursor });
  });
  return app;
}
