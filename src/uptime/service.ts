/**
 * @module uptime/service
 * Uptime reports for a team (or all teams) over a requested range: what the HTTP endpoints,
 * the HTML pages, the CLI and the scheduled Slack summaries all call. Failures are UptimeErrors
 * (uptime/errors.ts); a report is never made of guessed numbers.
 *
 * @example
 * const uptime = createUptimeService({ client: createThanosClient({ url }), checks });
 * const report = await uptime.report({ team: 'payments', period: 'previous-month', tz: 'Europe/London' });
 */
import { computeServiceUptime } from './compute.js';
import { invalidParam, UptimeError } from './errors.js';
import type { ChecksSource } from './checks-source.js';
import { calendarDays, resolveRange, type RangeRequest } from './range.js';
import { rfc3339, type UptimeReport } from './report-types.js';
import { DEFAULT_RESOLUTION_POLICY, type ResolutionPolicy } from './resolution.js';
import { mapLimit } from './semaphore.js';
import type { ThanosClient } from './thanos-client.js';
import type { MaintenanceInterval, ServiceMaintenance } from '../maintenance/intervals.js';

/**
 * What a report is for, and who waits for it: when `signal` aborts (an HTTP client went away, a
 * deadline passed), its Thanos queries stop, and the report fails with the signal's reason when
 * that is an UptimeError (thanos-client.ts withSignal).
 */
export interface ReportRequest extends RangeRequest {
  signal?: AbortSignal;
}

export interface UptimeRequest extends ReportRequest {
  team: string;
}

export interface UptimeService {
  /** One team's report; periods are relative to `at` (epoch ms, default now). */
  report(req: UptimeRequest, at?: number): Promise<UptimeReport>;
  /**
   * Reports of every team that has uptime checks, by team name. A team whose report fails (a
   * broken `up:` expression) is an error entry, so one team cannot hide every other's report.
   */
  reportAll(req: ReportRequest, at?: number): Promise<TeamReport[]>;
  /** Teams that have uptime checks, sorted. */
  teams(): Promise<string[]>;
}

export type TeamReport = { team: string; report: UptimeReport } | { team: string; error: UptimeError };

export interface UptimeServiceOptions {
  /** Undefined when `THANOS_URL` is not set: every report is UptimeError `not-configured`. */
  client?: ThanosClient;
  checks: ChecksSource;
  now?: () => number;
  policy?: ResolutionPolicy;
  /** Services computed at once (the client separately bounds requests in flight); default 16. */
  serviceConcurrency?: number;
  /**
   * Maintenance windows covering a service in [from, to): excluded from its downtime. Asked once
   * per service: for windows that cost nothing to look up (a config's, a test's).
   */
  maintenance?: (team: string, service: string, from: Date, to: Date) => Promise<MaintenanceInterval[]>;
  /**
   * The same, for windows read from somewhere (the store): asked once per report, before its
   * services are computed, and every service takes its windows from what it resolved to. Read
   * per service, a long report of many services read the same records over and over, many at
   * once, on the pool webhook writes need. A failure fails the report, once. Not kept past the
   * report: windows are created and deleted at any time. Takes the place of `maintenance`.
   */
  reportMaintenance?: (team: string, from: Date, to: Date) => Promise<ServiceMaintenance>;
}

export const NOT_CONFIGURED_MESSAGE = 'THANOS_URL is not set: uptime reports need the URL of a Thanos Querier or another Prometheus-compatible query API';

const TEAM_RE = /^[a-z][a-z0-9-]{1,62}$/;

export function createUptimeService(opts: UptimeServiceOptions): UptimeService {
  const now = opts.now ?? Date.now;
  const policy = opts.policy ?? DEFAULT_RESOLUTION_POLICY;
  const concurrency = opts.serviceConcurrency ?? 16;

  async function compute(team: string, req: ReportRequest, at: number): Promise<UptimeReport> {
    const range = resolveRange(req, at);
    const checks = (await opts.checks()).get(team);
    if (!checks) throw new UptimeError('not-found', `unknown team "${team}" (no routes/${team}.yaml)`, 'team');
    if (!opts.client) throw new UptimeError('not-configured', NOT_CONFIGURED_MESSAGE);
    const client = req.signal ? opts.client.withSignal(req.signal) : opts.client;
    const days = calendarDays(range);
    const [from, to] = [new Date(range.from), new Date(range.to)];
    // A team without checks has no service to excuse: no windows to read.
    const covering = opts.reportMaintenance && checks.length > 0 ? await opts.reportMaintenance(team, from, to) : undefined;
    const results = await mapLimit(checks, concurrency, async (spec) => {
      const maintenance = covering ? covering(spec.service) : opts.maintenance ? await opts.maintenance(team, spec.service, from, to) : [];
      return computeServiceUptime(client, team, spec, range, days, { now: at, policy, maintenance });
    });
    return {
      team,
      from: rfc3339(range.from),
      to: rfc3339(range.to),
      tz: range.tz,
      services: results.map((r) => r.uptime),
      warnings: [...new Set(results.flatMap((r) => r.warnings))],
    };
  }

  async function teams(): Promise<string[]> {
    const checks = await opts.checks();
    return [...checks.entries()].filter(([, c]) => c.length > 0).map(([t]) => t).sort();
  }

  return {
    teams,
    async report(req, at = now()) {
      if (!req.team) throw invalidParam('team', 'is required, e.g. team=payments');
      if (!TEAM_RE.test(req.team)) throw invalidParam('team', `"${req.team}" is not a team name (${TEAM_RE.source})`);
      return compute(req.team, req, at);
    },
    async reportAll(req, at = now()) {
      resolveRange(req, at); // bad parameters are reported before any query
      if (!opts.client) throw new UptimeError('not-configured', NOT_CONFIGURED_MESSAGE);
      const names = await teams();
      return Promise.all(
        names.map(async (team): Promise<TeamReport> => {
          try {
            return { team, report: await compute(team, req, at) };
          } catch (err) {
            // Stopped by the caller: no team's report is wanted any more, not one team's failure.
            if (err instanceof UptimeError && !req.signal?.aborted) return { team, error: err };
            throw err;
          }
        }),
      );
    },
  };
}
