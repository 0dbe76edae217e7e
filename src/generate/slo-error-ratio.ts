/**
 * @module generate/slo-error-ratio
 * The PromQL of an SLO's error ratio over one window: `errors` over `total`, with two guards.
 *
 * - No requests, no ratio: the total is kept only where it is above 0 (`(total) > 0`), so a
 *   window without requests records no sample rather than 0/0 = NaN, which every panel showed as
 *   "NaN". As Sloth's author advises for quiet services (slok/sloth#133); the panels say "No
 *   data". A scalar total cannot be filtered so (comparing scalars needs `bool`, which yields 0
 *   or 1) and is divided as written.
 * - No error series, 0 errors: an `errors` query commonly matches nothing while all is well
 *   (`rate(http_requests_total{code=~"5.."}[…])` before the first 5xx: the series does not
 *   exist), and dividing nothing gives nothing: the board said "No data" for a service serving
 *   every request. So where `total` has a sample and `errors` none, errors count as 0:
 *   - `errors` a single aggregation without grouping (`sum(…)`, the common case): its one series
 *     has no labels, so Pyrra's `or vector(0)` fills it, and the total is evaluated once.
 *   - `errors` and `total` single aggregations grouped by the same labels (`sum by (route)`):
 *     `or (0 * (total))`, a 0 for every label set of the total that errors lacks, so each
 *     healthy route gets its 0 (`vector(0)` has no labels and would match none). This evaluates
 *     the total twice per window (PromQL has no shared subexpressions): twice the cost of the
 *     total query, which for the SLO window (30d) is the dominant cost of the group.
 *   - any other vector (a recorded series, `a - b`, `topk`, `without`), whose labels a scan
 *     cannot read: `or ((0 * (total)) unless on() (errors))`, a 0 for every label set of the
 *     total only while errors has no series at all (both queries evaluated twice per window).
 *     That 0 is true whatever the labels (there
 *     are no errors), whereas a 0 per label set would be false if errors carried other labels
 *     than total (`job` over none: they never divide, errors would read 0 while counting; a
 *     check can only refuse the groupings it reads, config/check-slo-grouping.ts). So once one
 *     label set has errors, the others without an error series record nothing, as before:
 *     write such SLOs as one aggregation each, grouped alike, for a 0 per label set.
 *   - a scalar errors or total: PromQL's `or` takes only vectors, so it is divided as before.
 *   A total of 0 still gives no sample: the filled 0 is divided by `(total) > 0` like the rest.
 *   The burn-rate alerts see 0, which is above no threshold, as no sample was.
 */
import type { SloSpec } from './model.js';
import { closeTrailingComment, promqlType, substituteWindow } from '../config/promql.js';
import { aggregationGrouping } from '../config/promql-grouping.js';

/** The error ratio expression of `slo` for a window, as a function of the window. */
export function errorRatio(slo: SloSpec): (window: string) => string {
  // Typed once per SLO, not per window: the window does not change the shape.
  const errorsAt = substituteWindow(slo.errors, slo.window).text;
  const totalAt = substituteWindow(slo.total, slo.window).text;
  const scalarTotal = isScalar(totalAt);
  const fill = fillOf(errorsAt, totalAt, scalarTotal);
  return (w) => {
    const errors = closeTrailingComment(substituteWindow(slo.errors, w).text);
    const total = closeTrailingComment(substituteWindow(slo.total, w).text);
    if (scalarTotal) return `(${errors}) / (${total})`;
    const filled = {
      none: `(${errors})`,
      vector: `((${errors}) or vector(0))`,
      perLabelSet: `((${errors}) or (0 * (${total})))`,
      whenNoErrors: `((${errors}) or ((0 * (${total})) unless on() (${errors})))`,
    }[fill];
    return `${filled} / ((${total}) > 0)`;
  };
}

/** How errors get a 0 where they have no series: see the module comment. */
type Fill = 'none' | 'vector' | 'perLabelSet' | 'whenNoErrors';

function fillOf(errors: string, total: string, scalarTotal: boolean): Fill {
  if (scalarTotal || isScalar(errors)) return 'none';
  const errorsBy = aggregationGrouping(errors);
  if (errorsBy?.length === 0) return 'vector';
  const totalBy = aggregationGrouping(total);
  return errorsBy && totalBy && errorsBy.join() === totalBy.join() ? 'perLabelSet' : 'whenNoErrors';
}

/** An aggregation, as the first thing in an expression. */
const LEADING_AGGREGATION = /^(?:sum|avg|count|min|max|group|stddev|stdvar|topk|bottomk|quantile|count_values|limitk|limit_ratio)\s*(?:\(|by\b|without\b)/;

/**
 * Whether a validated expression (an instant vector or a scalar) is a scalar. One that starts
 * with an aggregation is not (an operator with a vector operand gives a vector): that spares the
 * usual `sum(rate(…))` a parse, about 50 µs each (the generate benchmark has 1,500 SLOs).
 */
function isScalar(expr: string): boolean {
  return !LEADING_AGGREGATION.test(expr) && promqlType(expr) === 'scalar';
}
