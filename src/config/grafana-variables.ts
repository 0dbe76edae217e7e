/**
 * @module config/grafana-variables
 * Grafana's global variables in dashboard panel queries. Grafana replaces `$__rate_interval`,
 * `$__interval`, `$__range` (and their `${…}` forms) before Prometheus sees a query, and
 * `rate(x[$__rate_interval])` is what Grafana recommends; PromQL itself has no `$`, so a panel
 * expression is checked with each global replaced by a value of its kind (a duration, a number),
 * offsets mapping back to the YAML. Generated dashboards define no template variables of their
 * own, so any other `$name` outside a string would reach Prometheus as is: reported by name.
 */
import { substitute, type Substituted } from './promql.js';

/** Each global variable and a stand-in of its kind (durations; milliseconds, seconds, epoch ms). */
const GLOBALS: Readonly<Record<string, string>> = {
  __interval: '5m',
  __rate_interval: '5m',
  __range: '5m',
  __auto: '5m',
  __interval_ms: '300000',
  __rate_interval_ms: '300000',
  __range_ms: '300000',
  __range_s: '300',
  __from: '0',
  __to: '0',
};

/** `$__name` or `${__name}` (a `${__name:format}` too). */
const VARIABLE = /\$\{(\w+)(?::[\w-]+)?\}|\$(\w+)/g;

/** `expr` with Grafana's global variables replaced by stand-ins; others are left for the check to report. */
export function substituteGrafanaGlobals(expr: string): Substituted {
  return substitute(expr, VARIABLE, (m) => GLOBALS[m[1] ?? m[2] ?? '']);
}

/** Names Grafana defines in every dashboard, for messages. */
export const GRAFANA_GLOBAL_NAMES = Object.keys(GLOBALS).map((n) => `$${n}`);

/** A clearer message when a PromQL error is a `$variable` generated dashboards do not define. */
export function unknownVariableMessage(expr: string, offset: number): string | undefined {
  const m = /^\$\{?(\w+)/.exec(expr.slice(offset));
  if (!m) return undefined;
  // The one variable generated dashboards do have picks the data source, not part of a query.
  if (m[1] === 'datasource') return 'PromQL: "$datasource" is the dashboard\'s data source picker, which every panel already queries; it has no place inside a query';
  return `unknown Grafana variable "$${m[1]}": generated dashboards define no template variables; Grafana's global ones can be used (${GRAFANA_GLOBAL_NAMES.slice(0, 3).join(', ')}, …)`;
}
