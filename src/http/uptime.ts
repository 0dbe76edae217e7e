/**
 * @module http/uptime
 * GET /v1/uptime?team=&from=&to=&tz= (also `period=`, `month=`): the uptime report JSON
 * (contract "Uptime report JSON"); GET /v1/uptime.csv: the same as CSV.
 *
 * Errors are JSON `{"error", "kind"}` (plus `param` for a bad parameter): 400 bad parameter,
 * 404 unknown team, 502 Thanos refused the query (Prometheus' error text), 503 Thanos
 * unreachable or `THANOS_URL` not set.
 */
import { Hono, type Context } from 'hono';
import { reportToCsv } from '../uptime/csv.js';
import { httpStatusOf, UptimeError } from '../uptime/errors.js';
import type { RangeRequest } from '../uptime/range.js';
import { NOT_CONFIGURED_MESSAGE, type UptimeService } from '../uptime/service.js';
import { localDate } from '../uptime/time-zone.js';
import type { AppDeps } from './deps.js';
import { jsonError } from './errors.js';

/** The range parameters of a request, as given (validated by the service). */
export function rangeParams(c: Context): RangeRequest {
  const q = c.req.query();
  return { from: q.from, to: q.to, tz: q.tz, period: q.period, month: q.month };
}

/** The service, or the 503 error every uptime endpoint answers without one. */
export function uptimeOf(deps: AppDeps): UptimeService {
  if (!deps.uptime) throw new UptimeError('not-configured', NOT_CONFIGURED_MESSAGE);
  return deps.uptime;
}

export function uptimeErrorJson(c: Context, err: UptimeError): Response {
  return jsonError(c, httpStatusOf(err), err.message, { kind: err.kind, ...(err.param ? { param: err.param } : {}) });
}

export function uptimeRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const report = (c: Context) => uptimeOf(deps).report({ team: c.req.query('team') ?? '', ...rangeParams(c) });

  app.get('/v1/uptime', async (c) => {
    try {
      return c.json(await report(c));
    } catch (err) {
      if (err instanceof UptimeError) return uptimeErrorJson(c, err);
      throw err;
    }
  });

  app.get('/v1/uptime.csv', async (c) => {
    try {
      const r = await report(c);
      // Dates in the report's zone (as its rows): a London October starts 30 September 23:00 UTC.
      const name = `uptime-${r.team}-${localDate(Date.parse(r.from), r.tz)}-${localDate(Date.parse(r.to), r.tz)}.csv`;
      return c.body(reportToCsv(r), 200, {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="${name}"`,
      });
    } catch (err) {
      if (err instanceof UptimeError) return uptimeErrorJson(c, err);
      throw err;
    }
  });
  return app;
}
