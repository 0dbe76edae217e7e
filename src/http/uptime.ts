/**
 * @module http/uptime
 * GET /v1/uptime?team=&from=&to=&tz= (also `period=`, `month=`): the uptime report JSON
 * (contract "Uptime report JSON"); GET /v1/uptime.csv: the same as CSV.
 *
 * The CSV has no place for warnings, Thanos's or alertgate's own (every row is a service's day
 * or total in the documented columns; a comment row would be read as data), so a CSV with
 * warnings says so in
 * an `X-Alertgate-Warnings` header (a JSON array) and in its file name (`…-incomplete.csv`):
 * a partial figure must not pass for a complete one.
 *
 * Errors are JSON `{"error", "kind"}` (plus `param` for a bad parameter): 400 bad parameter
 * (also one the endpoint does not take, or one given twice),
 * 404 unknown team, 502 Thanos refused the query (Prometheus' error text), 503 Thanos
 * unreachable, `THANOS_URL` not set, or the report past UPTIME_REPORT_TIMEOUT_MS.
 *
 * Every answer, report or error, is `Cache-Control: no-store`, as the pages are: a report to date,
 * or one of a period a maintenance window was created for since, changes, and a copy a browser
 * or proxy stored would pass for the current figures.
 *
 * A report runs for its request only (`forRequest`): its Thanos queries stop when the client
 * closes the connection and at the deadline.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { reportToCsv } from '../uptime/csv.js';
import { httpStatusOf, UptimeError } from '../uptime/errors.js';
import type { RangeRequest } from '../uptime/range.js';
import { NOT_CONFIGURED_MESSAGE, type UptimeService } from '../uptime/service.js';
import { addDays, localDate, zonedMidnight } from '../uptime/time-zone.js';
import type { AppDeps } from './deps.js';
import { jsonError } from './errors.js';
import { readQuery } from './pagination.js';

/** The parameters /v1/uptime and /v1/uptime.csv take. */
const API_PARAMS = ['team', 'from', 'to', 'tz', 'period', 'month'] as const;
/** The parameters the /uptime pages take: the range ones (the team is in the path, or all teams). */
export const PAGE_PARAMS = ['from', 'to', 'tz', 'period', 'month'] as const;

function anyValues(names: readonly string[]) {
  return z.object(Object.fromEntries(names.map((n) => [n, z.string().optional()])));
}

/**
 * The query read as strictly as the list endpoints read theirs (http/pagination.ts): a parameter
 * not taken (`timezone=`, a typo, gave a report in UTC) or given twice (only the first was read)
 * is an `invalid` UptimeError (400) naming it and the parameters taken. Every problem is in the
 * message; `param` names the first. The values themselves are checked by the service.
 */
export function checkUptimeQuery(c: Context, takes: readonly string[], taker: string): void {
  const read = readQuery(c.req, anyValues(takes), taker);
  if (!('issues' in read)) return;
  // An unknown parameter's issue lists the ones taken already; a repeated one's does not.
  const listsTakes = read.issues.some((i) => !takes.includes(i.path));
  const message = read.issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ') + (listsTakes ? '' : ` (${taker} takes ${takes.join(', ')})`);
  throw new UptimeError('invalid', message, read.issues[0]!.path);
}

/** checkUptimeQuery for a page. */
export function checkPageQuery(c: Context): void {
  checkUptimeQuery(c, PAGE_PARAMS, 'this page');
}

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
  c.header('cache-control', 'no-store');
  return jsonError(c, httpStatusOf(err), err.message, { kind: err.kind, ...(err.param !== undefined ? { param: err.param } : {}) });
}

/** The 503 message of a report stopped at its deadline. */
export function deadlineMessage(ms: number): string {
  return (
    `the uptime report took longer than UPTIME_REPORT_TIMEOUT_MS (${ms} ms) allows, and its Thanos queries were stopped: ` +
    'Thanos answers too slowly for this range. Ask for a shorter range, or raise UPTIME_REPORT_TIMEOUT_MS (keeping it below the timeout of the ingress or proxy in front of alertgate)'
  );
}

/**
 * Runs a report's work for this request, with the signal its queries stop on: when the client
 * closes the connection (an ingress that gave up, a closed browser tab: @hono/node-server aborts
 * `c.req.raw.signal` then), and at `deps.uptimeReportTimeoutMs`, when the request is answered
 * 503 at once instead of by the ingress' own timeout page. Either way the work's promise is not
 * waited for: this rejects with an UptimeError `cancelled` or `deadline`. A client gone is
 * logged at info (not a Thanos failure), a deadline at warn.
 */
export async function forRequest<T>(c: Context, deps: AppDeps, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const started = Date.now();
  const stop = new AbortController();
  const stopped = new Promise<never>((_, reject) => stop.signal.addEventListener('abort', () => reject(stop.signal.reason as Error), { once: true }));
  const request = c.req.raw.signal;
  const gone = () => stop.abort(new UptimeError('cancelled', `the client closed the connection after ${Date.now() - started} ms`));
  if (request.aborted) gone();
  else request.addEventListener('abort', gone, { once: true });
  const ms = deps.uptimeReportTimeoutMs;
  const timer = ms ? setTimeout(() => stop.abort(new UptimeError('deadline', deadlineMessage(ms))), ms) : undefined;
  try {
    return await Promise.race([work(stop.signal), stopped]);
  } catch (err) {
    if (err === stop.signal.reason && err instanceof UptimeError) {
      const what = { path: c.req.path, ms: Date.now() - started };
      if (err.kind === 'deadline') deps.logger.warn({ ...what, timeoutMs: ms }, 'uptime report stopped at UPTIME_REPORT_TIMEOUT_MS; answered 503');
      else deps.logger.info(what, 'uptime report stopped: the client closed the connection; its Thanos queries were ended');
    }
    throw err;
  } finally {
    clearTimeout(timer);
    request.removeEventListener('abort', gone);
  }
}

/** Response headers of the report's warnings: the JSON array they are, in ASCII, under this many characters. */
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

/**
 * The first day a range ending at `to` leaves out: `to`'s own day when `to` is its midnight, else
 * the next one. A month to date ends during today, whose row is in the file, so naming today
 * as the excluded date (as the end's own date did) read as if today were left out.
 */
function excludedDate(to: number, tz: string): string {
  const day = localDate(to, tz);
  return zonedMidnight(day, tz) === to ? day : addDays(day, 1);
}

export function uptimeRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const report = (c: Context) => {
    c.header('cache-control', 'no-store');
    checkUptimeQuery(c, API_PARAMS, 'this endpoint');
    return forRequest(c, deps, (signal) => uptimeOf(deps).report({ team: c.req.query('team') ?? '', ...rangeParams(c), signal }));
  };

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
      const name = `uptime-${r.team}-${localDate(Date.parse(r.from), r.tz)}-${excludedDate(Date.parse(r.to), r.tz)}${partial}.csv`;
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
