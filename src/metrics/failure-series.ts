/**
 * @module metrics/failure-series
 * Puts the failure counters of every configured team on /metrics at 0 before anything fails.
 *
 * Why: prom-client shows a labelled counter's series only once it is first incremented, and
 * Prometheus' increase()/rate() need two samples of a series to see a change. The first dead
 * notification of a team and receiver in a process's life (or the first uptime summary given
 * up) would appear at 1 and look like no increase at all, so `increase(…{outcome="dead"}[1h]) > 0`
 * — the shipped self-monitoring alert (deploy/kubernetes/prometheusrule.yaml) — would miss
 * exactly the one-off failures it is there to catch. A series that is already there at 0 turns
 * 0 → 1, which increase() sees.
 */
import type { TeamConfig, RoutingConfig } from '../config/types.js';
import type { ReceiverType } from '../model/target.js';
import type { Metrics, RateLimitScope } from './metrics.js';

/** Delivery outcomes the alerts and dashboards compare (suppressed is not a failure or a send). */
const DELIVERY_OUTCOMES = ['sent', 'failed', 'dead'] as const;
/** Uptime summary outcomes that mean something went wrong. */
const REPORT_FAILURES = ['attempt_failed', 'not_posted'] as const;
/** What each receiver's rate limits hold (a 429 delays a team's notifications: worth an alert). */
const RATE_LIMIT_SCOPES: Record<ReceiverType, readonly RateLimitScope[]> = { slack: ['channel', 'workspace'], pagerduty: ['routing_key'] };

/** The receivers a team's notifications can go to: its routes', and Slack for its scheduled summaries. */
function receiversOf(team: TeamConfig): Set<ReceiverType> {
  const receivers = new Set<ReceiverType>(team.routes.flatMap((r) => r.receivers));
  if (team.reports.length > 0) receivers.add('slack');
  return receivers;
}

/**
 * Adds 0 to the delivery, rate-limit and report failure counters of every team in `config` (a series that
 * exists keeps its value). Called at every successful (re)load, so a team added later gets its
 * series too; a removed team's series stay, as its last deliveries may still go dead.
 */
export function showFailureSeries(metrics: Pick<Metrics, 'notifications' | 'uptimeReports' | 'rateLimited'>, config: RoutingConfig): void {
  for (const team of config.teams.values()) {
    for (const receiver of receiversOf(team)) {
      for (const outcome of DELIVERY_OUTCOMES) metrics.notifications.inc({ team: team.team, receiver, outcome }, 0);
      for (const scope of RATE_LIMIT_SCOPES[receiver]) metrics.rateLimited.inc({ team: team.team, receiver, scope }, 0);
    }
    if (team.reports.length === 0) continue;
    for (const outcome of REPORT_FAILURES) metrics.uptimeReports.inc({ team: team.team, outcome }, 0);
  }
}
