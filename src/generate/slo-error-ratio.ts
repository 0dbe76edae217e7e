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
 *   - any other vector (`sum by (route) (…)`, `a - b`, a recorded series): `or (0 * (total))`,
 *     a 0 for every label set of the total that errors lacks, so `by (route)` gets a 0 per
 *     healthy route (`vector(0)` has no labels and would match none). This evaluates the total
 *     twice per window (PromQL has no shared subexpressions): twice the cost of the total query,
 *     which for the SLO window (30d) is the dominant cost of the group.
 *   - a scalar errors or total: PromQL's `or` takes only vectors, so it is divided as before.
 *   A total of 0 still gives no sample: the filled 0 is divided by `(total) > 0` like the rest.
 *   The burn-rate alerts see 0, which is above no threshold, as no sample was.
 *
 * Both fills assume `errors` and `total` are grouped alike, as the division already does (it
 * matches series with equal labels): errors `by (route, code)` over a total `by (route)` was never
 * recorded, and with `or (0 * (total))` it would read 0 everywhere. Validation refuses such
 * SLOs where the grouping can be read (config/check-slo-grouping.ts); `or vector(0)` cannot
 * match a grouped total, so the common ungrouped form is safe either way.
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
  const fill: Fill = scalarTotal || isScalar(errorsAt) ? 'none' : aggregationGrouping(errorsAt)?.length === 0 ? 'vector' : 'total';
  return (w) => {
    const errors = closeTrailingComment(substituteWindow(slo.errors, w).text);
    const total = closeTrailingComment(substituteWindow(slo.total, w).text);
    if (scalarTotal) return `(${errors}) / (${total})`;
    const filled = fill === 'none' ? `(${errors})` : fill === 'vector' ? `((${errors}) or vector(0))` : `((${errors}) or (0 * (${total})))`;
    return `${filled} / ((${total}) > 0)`;
  };
}

/** How errors get a 0 where they have no series: see the module comment. */
type Fill = 'none' | 'vector' | 'total';

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
