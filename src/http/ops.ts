/**
 * @module http/ops
 * /healthz (the process answers), /readyz (store reachable, config loaded, not draining),
 * /metrics, POST /-/reload (admin).
 */
import { Hono } from 'hono';
import { requireAdmin } from './admin.js';
import type { AppDeps } from './deps.js';
import { jsonError } from './errors.js';
import { settledWithin } from '../pipeline/settled-within.js';
import { StoreNotWritableError } from '../store/store.js';

/**
 * How long /readyz waits for the store's answer: under the manifests' readiness probe timeout
 * (6 s), and above a healthy round trip by far. A slower store is reported unreachable.
 */
export const READY_STORE_TIMEOUT_MS = 3_000;

export function opsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const problems: string[] = [];
    try {
      // A store that does not answer (a partition, a failover that moved the address) would
      // hold the answer for as long as the query's own timeout (35 s with PostgreSQL): past the
      // probe's timeoutSeconds, and an operator's curl hangs. Bounded, it says what it is.
      const answered = await settledWithin(deps.store.ping().then(() => true), READY_STORE_TIMEOUT_MS, false);
      if (!answered) problems.push(`store unreachable (no answer within ${READY_STORE_TIMEOUT_MS / 1000} s)`);
    } catch (err) {
      problems.push(err instanceof StoreNotWritableError ? err.message : 'store unreachable');
    }
    if (!deps.routing()) problems.push('no valid configuration loaded');
    if (!deps.accepting()) problems.push('shutting down');
    if (problems.length) return jsonError(c, 503, problems.join('; '), { problems });
    return c.json({ status: 'ready' });
  });
  app.get('/metrics', async (c) => {
    const body = await deps.metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': deps.metrics.registry.contentType });
  });
  app.post('/-/reload', requireAdmin(deps.adminToken), async (c) => {
    if (!deps.reload) return jsonError(c, 501, 'reload is not available');
    const outcome = await deps.reload();
    if (!outcome.ok) return jsonError(c, 400, 'invalid configuration; the previous configuration is kept', { errors: outcome.errors });
    return c.json({ status: 'reloaded' });
  });
  return app;
}
