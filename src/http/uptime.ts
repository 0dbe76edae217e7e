/**
 * @module http/uptime
 * GET /v1/uptime?team=&from=&to=&tz= (also `period=`, `month=`): the uptime report JSON
 * (contract "Uptime report JSON"); GET /v1/uptime.csv: the same as CSV.
 *
 * The CSV has no place for Thanos warnings (every row is a service's day or total in the
 * documented columns; a comment row would be read as data), so a CSV with warnings says so in
 * an `X-Alertgate-Warnings` header (a JSON array) and in its file name (`…-incomplete.csv`):
 * a partial figure must not pass for a complete one.
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

/** Response headers of Thanos warnings: the JSON array they are, in ASCII, under this many characters. */
export const WARNINGS_HEADER = 'x-alertgate-warnings';
const WARNINGS_HEADER_MAX = 2000;
const WARNING_MAX = 500;

/**
 * The warnings as one header value: a JSON array of strings, every character outside printable
 * ASCII escaped as `\uXXXX` (a header takes nothing else), each warning cut at 500 characters
 * and the whole under 2,000 (proxies refuse responses whose headers outgrow a few kilobytes);
 * warnings left out are counted in a last entry.
 */
export function warningsHeaderValue(warnings: readonly string[]): string {
  const ascii = (list: string[]) => JSON.stringify(list).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const cut = warnings.map((w) => (w.length > WARNING_MAX ? `${w.slice(0, WARNING_MAX - 1)}…` : w));
  for (let n = cut.length; n >= 0; n--) {
    const list = n === cut.length ? cut : [...cut.slice(0, n), `…and ${cut.length - n} more (GET /v1/uptime lists them all)`];
    const value = ascii(list);
    if (value.length <= WARNINGS_HEADER_MAX) return value;
  }
  return ascii([`${cut.length} warnings (GET /v1/uptime lists them)`]);
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
      const partial = r.warnings.length > 0 ? '-incomplete' : '';
      const name = `uptime-${r.team}-${localDate(Date.parse(r.from), r.tz)}-${localDate(Date.parse(r.to), r.tz)}${partial}.csv`;
      return c.body(reportToCsv(r), 200, {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="${name}"`,
        ...(partial ? { [WARNINGS_HEADER]: warningsHeaderValue(r.warnings) } : {}),
      });
    } catch (err) {
      if (err instanceof UptimeError) return uptimeErrorJson(c, err);
      throw err;
    }
  });
  return app;
}
