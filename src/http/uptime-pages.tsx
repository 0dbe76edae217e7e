/**
 * @module http/uptime-pages
 * The uptime report pages for managers, rendered on the server:
 * - GET /uptime: every team's services, one row each (uptime, objective, error-budget state,
 *   a strip of daily bars);
 * - GET /uptime/{team}: per service its figures, daily bars and table, and incidents;
 * - GET /uptime/style.css: their only stylesheet.
 * `/uptime/` and `/uptime/{team}/` redirect (308, query kept) to the pages without the slash.
 * Both pages take the /v1/uptime range parameters (from, to, tz, period, month), and only them,
 * once each (a 400 error page otherwise, as /v1/uptime answers).
 *
 * No script, no external asset: a strict Content-Security-Policy forbids everything but the
 * stylesheet from this origin. Errors are HTML for browsers and JSON for everyone else.
 */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { httpStatusOf, UptimeError } from '../uptime/errors.js';
import { formatDuration, formatLocalTime, formatPercent, DAY_LEVEL_WORDS, dayLevel, dayMeasuredNothing, incidentNotes, measuredNothing } from '../uptime/format.js';
import type { ServiceUptime, UptimeReport } from '../uptime/report-types.js';
import { parseInstant } from '../uptime/range.js';
import { addMonths, canonicalTimeZone, localDate, parseDate, zonedMidnight } from '../uptime/time-zone.js';
import type { AppDeps } from './deps.js';
import { headingId, serviceAnchors } from './service-anchors.js';
import { BudgetBadge, DayStrip, daysText, Layout, Legend, RangeChooser, stripSummary, tzPair, Warnings } from './uptime-components.js';
import { checkPageQuery, forRequest, rangeParams, uptimeErrorJson, uptimeOf } from './uptime.js';
import { UPTIME_CSS } from './uptime-style.js';

export const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const TEAM_RE = /^[a-z][a-z0-9-]{1,62}$/;

/** `home`: the header's link to all services, with the page's range and zone (see `homeQuery`). */
async function page(c: Context, status: ContentfulStatusCode, title: string, body: unknown, home = '/uptime'): Promise<Response> {
  const html = await (
    <Layout title={title} home={home}>
      {body as never}
    </Layout>
  ).toString();
  return c.html(`<!DOCTYPE html>${html}`, status, {
    'content-security-policy': PAGE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
}

function wantsHtml(c: Context): boolean {
  return (c.req.header('accept') ?? '').includes('text/html');
}

/**
 * The query of an error page's links to all services (the header's and "Back to all services"),
 * so the reader keeps the zone, and the range, they asked for. A bad request (400) keeps only a
 * valid zone, as the quick period links do (anything else given may be what is wrong); another
 * error (Thanos down or refusing) had a valid range, kept whole. It was a bare `/uptime`.
 */
function wayBackQuery(c: Context, status: number): string {
  const given = rangeParams(c).tz;
  const tz = given ? canonicalTimeZone(given) : undefined;
  if (status !== 400) return queryOf(c, tz);
  return tz && tz !== 'UTC' ? `?${tzPair(tz)}` : '';
}

/**
 * `wayBack`: the links under the message; by default, to all services. `formPath`: the page whose
 * range form a bad request (400) shows under its message, filled with the values as given, so a
 * `from=2026-09-31` or `tz=Mars/Base` is corrected there, not by editing the URL. `home`: the
 * query of the links to all services (`wayBackQuery` by default).
 */
function errorResponse(c: Context, err: UptimeError, wayBack?: unknown, formPath?: string, home?: string): Promise<Response> | Response {
  if (!wantsHtml(c)) return uptimeErrorJson(c, err);
  const status = httpStatusOf(err);
  const heading = { 400: 'The request is not valid', 404: 'Not found', 502: 'Thanos refused the query', 503: 'Uptime data is unavailable' }[status];
  const allServices = `/uptime${home ?? wayBackQuery(c, status)}`;
  return page(
    c,
    status,
    `${heading} · alertgate uptime`,
    <>
      <h1>{heading}</h1>
      <p class="error" role="alert">
        {err.message}
      </p>
      {formPath && status === 400 ? <RangeChooser {...givenChooserProps(c, formPath)} /> : null}
      {wayBack ?? (
        <p>
          <a href={allServices}>Back to all services</a>
        </p>
      )}
    </>,
    allServices,
  );
}

/**
 * A team page that does not exist (a typo, a team renamed or removed): its error page offers
 * every team's page and all services, for the range asked when the report read it (the service
 * checks the range before the team; a path that cannot be a team's is refused before either, so
 * its query is not kept). It gave only a bare link to /uptime, which dropped the range and left
 * the reader to find the team again. Still a 404.
 */
async function teamNotFound(c: Context, deps: AppDeps, err: UptimeError): Promise<Response> {
  if (!wantsHtml(c)) return uptimeErrorJson(c, err);
  const tz = rangeParams(c).tz;
  const query = err.param === 'team' ? queryOf(c, tz ? canonicalTimeZone(tz) : undefined) : '';
  // Without a readable config there is no list: the link to all services stays.
  const teams = await (deps.uptime?.teams() ?? Promise.resolve([])).catch(() => [] as string[]);
  return errorResponse(
    c,
    err,
    <>
      {teams.length > 0 ? (
        <nav aria-label="Teams with uptime reports">
          <p>Teams with uptime reports:</p>
          <ul>
            {teams.map((team) => (
              <li>
                <a href={`/uptime/${team}${query}`}>{team}</a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <p>
        <a href={`/uptime${query}`}>Back to all services</a>
      </p>
    </>,
    undefined,
    query,
  );
}

function RangeLine(props: { report: Pick<UptimeReport, 'from' | 'to' | 'tz'> }) {
  const { from, to, tz } = props.report;
  return (
    <p class="range">
      From <time datetime={from}>{formatLocalTime(from, tz)}</time> to <time datetime={to}>{formatLocalTime(to, tz)}</time> (end
      excluded; days in {tz})
    </p>
  );
}

/** The query string of the download links: every value encoded (a zone's '/' kept, for reading). */
export function downloadQuery(report: Pick<UptimeReport, 'team' | 'from' | 'to' | 'tz'>): string {
  const { team, from, to, tz } = report;
  return `?team=${encodeURIComponent(team)}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&tz=${encodeURIComponent(tz).replaceAll('%2F', '/')}`;
}

/**
 * The team page's report as CSV and JSON (/v1/uptime.csv, /v1/uptime), for exactly the range and
 * zone shown: its instants, not the page's `period` or "last 30 days", which a later click would
 * read as another range (a month to date grows). Without it the CSV was reachable only by typing
 * the API's address.
 */
function Downloads(props: { report: Pick<UptimeReport, 'team' | 'from' | 'to' | 'tz'> }) {
  const { tz } = props.report;
  const query = downloadQuery(props.report);
  return (
    <p class="downloads">
      This report as <a href={`/v1/uptime.csv${query}`}>CSV</a> (for a spreadsheet; dates are days in {tz}) or <a href={`/v1/uptime${query}`}>JSON</a>
    </p>
  );
}

/**
 * The range chooser of a page showing `range`. Its form starts from the days shown, in the zone
 * shown, so that changing one field (the time zone, say) keeps the rest: left empty, a page of
 * `month=2026-10` submitted "the last 30 days", and a `from` instant cut to its first ten
 * characters named the UTC date, a day before a London month's first. A range ending at now (to
 * date) leaves To empty, which means "until now". A range of hours (from or to other than a
 * midnight, as given) shows those instants, in text fields: a date widened it to whole days, and
 * an empty To ran it until now, so changing only the zone changed the range.
 */
function chooserProps(c: Context, path: string, range: Pick<UptimeReport, 'from' | 'to' | 'tz'> | undefined) {
  const q = rangeParams(c);
  const custom = !!(q.from || q.to || q.month);
  if (!range) return { path, tz: q.tz || 'UTC', period: q.period, custom, from: q.from?.slice(0, 10), to: q.to?.slice(0, 10) };
  const { tz } = range;
  const [from, to] = [Date.parse(range.from), Date.parse(range.to)];
  const [fromDate, toDate] = [localDate(from, tz), localDate(to, tz)];
  // An end other than a midnight: the instant given, unless the report was cut at now (to date).
  const toGiven = q.to ? givenInstant(q.to, tz) === to : false;
  return {
    path,
    tz,
    period: q.period,
    custom,
    from: zonedMidnight(fromDate, tz) === from ? fromDate : range.from,
    to: zonedMidnight(toDate, tz) === to ? toDate : toGiven ? range.to : undefined,
  };
}

/** The instant a valid `from`/`to` value names in `tz` (the report has checked it), or undefined. */
function givenInstant(value: string, tz: string): number | undefined {
  try {
    return parseInstant('to', value, tz);
  } catch {
    return undefined;
  }
}

/**
 * The range chooser of an error page: the values as given (escaped by JSX, as all text), whole,
 * for the reader to correct; a valid `month` as its days, so fixing only the zone keeps it. Its
 * quick period links carry only a valid zone (as the tz database spells it): one that is none
 * is left out of them, or each would lead to another 400 (the links carry nothing else given).
 */
function givenChooserProps(c: Context, path: string) {
  const q = rangeParams(c);
  const first = q.month && /^\d{4}-\d{2}$/.test(q.month) && parseDate(`${q.month}-01`) ? `${q.month}-01` : undefined;
  const [from, to] = !q.from && !q.to && first ? [first, addMonths(first, 1)] : [q.from, q.to];
  const linkTz = (q.tz && canonicalTimeZone(q.tz)) || 'UTC';
  // A month not shown as its days (none, or given with from or to) keeps a field of its own.
  const monthField = q.month && !(first && !q.from && !q.to) ? q.month : undefined;
  return { path, tz: q.tz || 'UTC', linkTz, period: q.period, custom: !!(q.from || q.to || q.month), from, to, periodField: q.period || undefined, monthField };
}

/**
 * One row per service. On a phone each row becomes a small card (see the stylesheet); the
 * explicit ARIA table roles keep it a table for screen readers when CSS changes its display.
 */
function ServicesTable(props: { caption: string; rows: Array<{ team: string; service: ServiceUptime; anchor: string }>; query: string; showTeam: boolean }) {
  return (
    <div class="scroll">
      <table class="services" role="table">
        <caption>{props.caption}</caption>
        <thead role="rowgroup">
          <tr role="row">
            <th scope="col" role="columnheader">
              Service
            </th>
            {props.showTeam ? (
              <th scope="col" role="columnheader">
                Team
              </th>
            ) : null}
            <th scope="col" role="columnheader" class="num">
              Uptime
            </th>
            <th scope="col" role="columnheader" class="num">
              Objective
            </th>
            <th scope="col" role="columnheader">
              Error budget
            </th>
            <th scope="col" role="columnheader">
              Daily
            </th>
          </tr>
        </thead>
        <tbody role="rowgroup">
          {props.rows.map(({ team, service: s, anchor }) => (
            <tr role="row">
              <th scope="row" role="rowheader">
                <a href={`/uptime/${team}${props.query}#${anchor}`}>{s.service}</a>
              </th>
              {props.showTeam ? (
                <td role="cell" data-label="Team">
                  <a href={`/uptime/${team}${props.query}`}>{team}</a>
                </td>
              ) : null}
              <td role="cell" class="num" data-label="Uptime">
                {formatPercent(s.uptimePercent)}
                {/* A service probed for part of the range: its figure is of that part only. */}
                {s.uptimePercent !== null && s.noDataSeconds > 0 ? <span class="detail">{`no data ${formatDuration(s.noDataSeconds)} (not counted)`}</span> : null}
              </td>
              <td role="cell" class="num" data-label="Objective">
                {`${s.objective}%`}
              </td>
              <td role="cell" class="budget">
                <BudgetBadge service={s} />
              </td>
              <td role="cell" class="daily">
                <DayStrip service={s} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ServiceSection(props: { service: ServiceUptime; tz: string; anchor: string }) {
  const s = props.service;
  // A day's time in maintenance windows, as the JSON and CSV give it: its downtime there is not
  // counted, so without it a day's Down reads short of the incident beside it. Only for a service
  // that had maintenance in the range, so other services' tables stay narrow.
  const maintained = s.maintenanceSeconds > 0;
  // Never measured in the range: "0s" down and "No incidents" would claim a clean month.
  const unmeasured = measuredNothing(s);
  return (
    <section id={props.anchor} aria-labelledby={headingId(props.anchor)}>
      <h2 id={headingId(props.anchor)}>{s.service}</h2>
      <dl class="figures">
        <div>
          <dt>Uptime</dt>
          <dd>{formatPercent(s.uptimePercent)}</dd>
        </div>
        <div>
          <dt>Objective</dt>
          <dd>{`${s.objective}%`}</dd>
        </div>
        <div>
          <dt>Downtime</dt>
          <dd>{unmeasured ? 'no data' : formatDuration(s.downSeconds)}</dd>
        </div>
        <div>
          <dt>No data</dt>
          <dd>{formatDuration(s.noDataSeconds)}</dd>
        </div>
        <div>
          <dt>Error budget</dt>
          <dd>
            <BudgetBadge service={s} />
          </dd>
        </div>
      </dl>
      <DayStrip service={s} big />
      <p class="strip-note">{stripSummary(s)}</p>
      {unmeasured ? (
        <p>No incidents known: nothing was measured in this period (no data).</p>
      ) : s.incidents.length === 0 ? (
        <p>No incidents in this period.</p>
      ) : (
        <div class="scroll">
          <table>
            <caption>{`Incidents of ${s.service} (${s.incidents.length})`}</caption>
            <thead>
              <tr>
                <th scope="col">Start</th>
                <th scope="col">End</th>
                <th scope="col" class="num">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {s.incidents.map((i) => (
                <tr>
                  <td>
                    <time datetime={i.start}>{formatLocalTime(i.start, props.tz)}</time>
                    {incidentNotes(i).start && ` ${incidentNotes(i).start}`}
                  </td>
                  <td>
                    <time datetime={i.end}>{formatLocalTime(i.end, props.tz)}</time>
                    {incidentNotes(i).end && ` ${incidentNotes(i).end}`}
                  </td>
                  <td class="num">
                    {formatDuration(i.seconds)}
                    {i.maintenanceSeconds ? ` (${formatDuration(i.maintenanceSeconds)} in maintenance, not counted)` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {s.maintenance.length > 0 && (
        <div class="scroll">
          <table>
            <caption>{`Maintenance windows of ${s.service} (${formatDuration(s.maintenanceSeconds)}, not counted as downtime)`}</caption>
            <thead>
              <tr>
                <th scope="col">Start</th>
                <th scope="col">End</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {s.maintenance.map((m) => (
                <tr>
                  <td>
                    <time datetime={m.start}>{formatLocalTime(m.start, props.tz)}</time>
                  </td>
                  <td>
                    <time datetime={m.end}>{formatLocalTime(m.end, props.tz)}</time>
                  </td>
                  <td>{m.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <details>
        <summary>{`Day by day (${daysText(s.daily.length)})`}</summary>
        <div class="scroll">
          <table class="days">
            <caption>{`Daily uptime of ${s.service}`}</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col" class="num">
                  Uptime
                </th>
                <th scope="col" class="num">
                  Down
                </th>
                <th scope="col" class="num hide-narrow">
                  No data
                </th>
                {maintained ? (
                  <th scope="col" class="num">
                    Maintenance
                  </th>
                ) : null}
                <th scope="col">Compared with objective</th>
              </tr>
            </thead>
            <tbody>
              {s.daily.map((d) => (
                <tr>
                  <th scope="row">{d.date}</th>
                  <td class="num">{formatPercent(d.uptimePercent)}</td>
                  {/* A day without a sample has no downtime to show: "0s" read as a day up. */}
                  <td class="num">{dayMeasuredNothing(d) ? 'no data' : formatDuration(d.downSeconds)}</td>
                  <td class="num hide-narrow">{formatDuration(d.noDataSeconds)}</td>
                  {maintained ? <td class="num">{formatDuration(d.maintenanceSeconds)}</td> : null}
                  <td>{DAY_LEVEL_WORDS[dayLevel(d.uptimePercent, s.objective)]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

/**
 * The request's query string (`?…` or ''), so links between the pages keep the range; its `tz`
 * as the report names the zone (`Europe/London` for a `europe/london` typed), when there is one.
 */
function queryOf(c: Context, tz?: string): string {
  const search = new URL(c.req.url).search;
  if (search.length <= 1) return '';
  if (tz === undefined) return search;
  // Only the tz pair is rewritten: the rest stays as typed (URLSearchParams would re-encode it all).
  const zone = tzPair(tz);
  return `?${search
    .slice(1)
    .split('&')
    .map((pair) => (pair === 'tz' || pair.startsWith('tz=') ? zone : pair))
    .join('&')}`;
}

export function uptimePageRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.get('/uptime/style.css', (c) =>
    c.body(UPTIME_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }),
  );

  // A bookmarked or typed `/uptime/` (or `/uptime/payments/`) is the page without its slash:
  // answered the API's JSON 404 before, which a browser shows as a bare error.
  const withoutSlash = (c: Context, path: string) => {
    const search = new URL(c.req.url).search;
    return c.redirect(`${path}${search}`, 308);
  };
  app.get('/uptime/', (c) => withoutSlash(c, '/uptime'));
  app.get('/uptime/:team/', async (c, next) => {
    const team = c.req.param('team');
    // Only a name that can be a team's: the Location is built from it.
    if (!TEAM_RE.test(team)) return next();
    return withoutSlash(c, `/uptime/${team}`);
  });

  app.get('/uptime', async (c) => {
    try {
      checkPageQuery(c);
      const results = await forRequest(c, deps, (signal) => uptimeOf(deps).reportAll({ ...rangeParams(c), signal }));
      const reports = results.flatMap((r) => ('report' in r ? [r.report] : []));
      const failed = results.flatMap((r) => ('error' in r ? [r] : []));
      // Nothing to show at all (Thanos down): the page is that error, with its status.
      if (reports.length === 0 && failed[0]) throw failed[0].error;
      const rows = reports.flatMap((r) => {
        const anchors = serviceAnchors(r.services.map((s) => s.service));
        return r.services.map((service) => ({ team: r.team, service, anchor: anchors.get(service.service)! }));
      });
      const first = reports[0];
      return page(
        c,
        200,
        'Uptime of all services · alertgate',
        <>
          <h1>Uptime of all services</h1>
          {first ? <RangeLine report={first} /> : null}
          <RangeChooser {...chooserProps(c, '/uptime', first)} />
          {failed.length > 0 ? (
            <div class="error" role="alert">
              <strong>{`No report for ${failed.length} team${failed.length === 1 ? '' : 's'}:`}</strong>
              <ul>
                {failed.map((f) => (
                  <li>{f.error.message}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <Warnings warnings={[...new Set(reports.flatMap((r) => r.warnings))]} />
          {rows.length === 0 ? (
            <p>No team has uptime checks yet: add them under uptime: in rules/&lt;team&gt;.yaml.</p>
          ) : (
            <>
              <Legend />
              <ServicesTable caption={`${rows.length} services of ${reports.length} team${reports.length === 1 ? '' : 's'}`} rows={rows} query={queryOf(c, first?.tz)} showTeam />
            </>
          )}
        </>,
        `/uptime${queryOf(c, first?.tz)}`,
      );
    } catch (err) {
      if (err instanceof UptimeError) return errorResponse(c, err, undefined, '/uptime');
      throw err;
    }
  });

  app.get('/uptime/:team', async (c) => {
    const team = c.req.param('team');
    try {
      if (!TEAM_RE.test(team)) throw new UptimeError('not-found', `no such page: /uptime/${team}`);
      checkPageQuery(c);
      const r = await forRequest(c, deps, (signal) => uptimeOf(deps).report({ team, ...rangeParams(c), signal }));
      const anchors = serviceAnchors(r.services.map((s) => s.service));
      return page(
        c,
        200,
        `Uptime of ${team} · alertgate`,
        <>
          <p class="back">
            <a href={`/uptime${queryOf(c, r.tz)}`}>All services</a>
          </p>
          <h1>{`Uptime of team ${team}`}</h1>
          <RangeLine report={r} />
          <Downloads report={r} />
          <RangeChooser {...chooserProps(c, `/uptime/${team}`, r)} />
          <Warnings warnings={r.warnings} />
          {r.services.length === 0 ? (
            <p>{`Team ${team} has no uptime checks: add them under uptime: in rules/${team}.yaml.`}</p>
          ) : (
            <>
              <Legend />
              <ServicesTable caption={`Services of ${team}`} rows={r.services.map((service) => ({ team, service, anchor: anchors.get(service.service)! }))} query={queryOf(c, r.tz)} showTeam={false} />
              {r.services.map((s) => (
                <ServiceSection service={s} tz={r.tz} anchor={anchors.get(s.service)!} />
              ))}
            </>
          )}
        </>,
        `/uptime${queryOf(c, r.tz)}`,
      );
    } catch (err) {
      if (err instanceof UptimeError) return err.kind === 'not-found' ? teamNotFound(c, deps, err) : errorResponse(c, err, undefined, `/uptime/${team}`);
      throw err;
    }
  });
  return app;
}
