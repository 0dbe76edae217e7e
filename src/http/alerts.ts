/**
 * @module http/alerts
 * GET /v1/alerts — current alert state per team, newest first (by when each alert was first stored).
 */
import { Hono } from 'hono';
import type { AppDeps } from './deps.js';
import { InvalidCursorError } from '../store/cursor.js';
import { jsonError } from './errors.js';
import { bindCursor, CURSOR_STALE, listQuerySchema, readQuery, unbindCursor, unknownTeamIssue } from './pagination.js';
import { alertView } from './views.js';

const query = listQuerySchema(['firing', 'resolved'] as const);

export function alertRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/v1/alerts', async (c) => {
    const q = readQuery(c.req, query);
    if ('issues' in q) return jsonError(c, 400, 'invalid query', { issues: q.issues });
    const { cursor, ...list } = q.data; // list: its filters and limit
    const from = cursor === undefined ? undefined : unbindCursor(cursor, list);
    if (from && 'error' in from) return jsonError(c, 400, from.error);
    const page = await deps.store.listAlerts({ ...list, ...(from ? { cursor: from.cursor } : {}) }).catch((err: unknown) => {
      if (err instanceof InvalidCursorError) return err;
      throw err;
    });
    if (page instanceof InvalidCursorError) return jsonError(c, 400, page.detail ?? CURSOR_STALE);
    if (page.items.length === 0) {
      const hasStored = async (team: string) => (await deps.store.listAlerts({ team, limit: 1 })).items.length > 0;
      const issue = await unknownTeamIssue(list.team, [...(deps.routing()?.teams.keys() ?? [])], hasStored);
      if (issue) return jsonError(c, 400, 'invalid query', { issues: [issue] });
    }
    return c.json({ items: page.items.map(alertView), nextCursor: bindCursor(page.nextCursor, list) });
  });
  return app;
}
