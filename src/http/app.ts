/**
 * @module http/app
 * The Hono application: one file per route group, registered here.
 */
import { Hono } from 'hono';
import { alertRoutes } from './alerts.js';
import type { AppDeps } from './deps.js';
import { jsonError } from './errors.js';
import { maintenanceRoutes } from './maintenance.js';
import { notificationRoutes } from './notifications.js';
import { openApiRoutes } from './openapi.js';
import { opsRoutes } from './ops.js';
import { uptimeRoutes } from './uptime.js';
import { uptimePageRoutes } from './uptime-pages.js';
import { webhookRoutes } from './webhook.js';

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.route('/', webhookRoutes(deps));
  app.route('/', alertRoutes(deps));
  app.route('/', notificationRoutes(deps));
  app.route('/', maintenanceRoutes(deps));
  app.route('/', opsRoutes(deps));
  app.route('/', openApiRoutes());
  app.route('/', uptimeRoutes(deps));
  app.route('/', uptimePageRoutes(deps));
  app.notFound((c) => jsonError(c, 404, `no route for ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    deps.logger.error({ err, path: c.req.path }, 'unhandled error');
    return jsonError(c, 500, 'internal error');
  });
  return app;
}
