/**
 * @module http/app
 * The Hono application: one file per route group, registered here.
 */
import { Hono } from 'hono';
import { unmatchedMethodLabel } from '../metrics/metrics.js';
import { settledWithin } from '../pipeline/settled-within.js';
import { alertRoutes } from './alerts.js';
import type { AppDeps } from './deps.js';
import { jsonError } from './errors.js';
import { maintenanceRoutes } from './maintenance.js';
import { allowedMethodsOf, methodAnswer } from './methods.js';
import { notificationRoutes } from './notifications.js';
import { openApiRoutes } from './openapi.js';
import { opsRoutes } from './ops.js';
import { BodyAbortedError, nodeIncoming } from './read-body.js';
import { UnmatchedLog } from './unmatched-log.js';
import { uptimeRoutes } from './uptime.js';
import { uptimePageRoutes } from './uptime-pages.js';
import { webhookRoutes } from './webhook.js';

/** How long an error answer waits for the store to say whether it is up. */
const STORE_CHECK_MS = 2_000;

function storeAnswers(deps: AppDeps, withinMs: number): Promise<boolean> {
  return settledWithin(deps.store.ping().then(() => true, () => false), withinMs, false);
}

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
  const allowedMethods = allowedMethodsOf(app);
  const unmatchedLog = new UnmatchedLog(deps.logger, {
    ...(deps.refusalLogNow ? { now: deps.refusalLogNow } : {}),
    ...(deps.logSecrets ? { secrets: deps.logSecrets } : {}),
  });
  app.notFound((c) => {
    const answer = methodAnswer(c, allowedMethods(c.req.path));
    if (answer) return answer;
    // Counted without the path (any path can be asked for): alertgate_http_unmatched_requests_total.
    deps.metrics.httpUnmatchedRequests.inc({ method: unmatchedMethodLabel(c.req.method) });
    // The path only in a throttled line, which says which path and who (http/unmatched-log.ts).
    unmatchedLog.unmatched({ method: c.req.method, path: c.req.path, client: nodeIncoming(c.env)?.socket.remoteAddress, userAgent: c.req.header('user-agent') });
    return jsonError(c, 404, `no route for ${c.req.method} ${c.req.path}`);
  });
  app.onError(async (err, c) => {
    if (err instanceof BodyAbortedError) {
      // Nobody is left to answer; a 5xx in case anyone is (never a 4xx: Alertmanager drops those).
      deps.logger.info({ path: c.req.path }, 'request abandoned: the connection closed before its body arrived; nothing stored');
      return jsonError(c, 503, 'request body incomplete; retry');
    }
    // A read or admin call failing while the store is unreachable is an outage to retry (503, as
    // a webhook gets), not a bug (500): ask the store, briefly, which it is.
    if (!(await storeAnswers(deps, STORE_CHECK_MS))) {
      deps.logger.warn({ err, path: c.req.path }, 'store unavailable; answering 503');
      return jsonError(c, 503, 'store unavailable; retry later');
    }
    deps.logger.error({ err, path: c.req.path }, 'unhandled error');
    return jsonError(c, 500, 'internal error');
  });
  return app;
}
