/**
 * @module uptime/promql-window
 * The PromQL uptime is computed with. A plain selector (`probe_success{instance="…"}`, the usual
 * `up:`) is windowed directly, `sum_over_time(sel[86399999ms])`, which reads every raw (or
 * downsampled-aggregate) sample: exact. Any other expression needs a subquery
 * (`(expr)[86399999ms:30s]`), evaluated every scrape interval: exact for the expression's value
 * at those points, the best PromQL allows.
 *
 * Windows are one millisecond shorter than the day and evaluated one millisecond before its
 * end: Prometheus 2.x range selectors include both ends, so `[start, end - 1ms]` is exactly the
 * day `[start, end)` without counting a sample at midnight twice.
 *
 * Values that are not finite numbers (NaN, ±Inf) are neither up nor down: an expression's
 * subquery filters them out (`> -Inf < +Inf`), and so does the coverage query, so their time is
 * no data; a plain selector's sums cannot filter them without a subquery (uptime/daily-totals.ts).
 */
import { parser } from '@prometheus-io/lezer-promql';
import { closeTrailingComment } from '../config/promql.js';
import { offsetClause } from './step-align.js';

/** Marks which half of the combined daily query a series belongs to. */
export const AGG_LABEL = 'alertgate_agg';

/** A series' labels without AGG_LABEL, as one key; and which half of the combined query it is. */
export function seriesKey(labels: Record<string, string>): { agg: string | undefined; key: string } {
  const { [AGG_LABEL]: agg, ...rest } = labels;
  return { agg, key: JSON.stringify(Object.entries(rest).sort()) };
}

/** True when `expr` is one vector selector, without offset, `@` or parentheses. */
export function isPlainSelector(expr: string): boolean {
  const text = expr.trim();
  const top = parser.parse(text).topNode.firstChild;
  return top !== null && top.name === 'VectorSelector' && top.from === 0 && top.to === text.length;
}

/** A label name PromQL takes unquoted (Prometheus 2.x knows no other). */
const PLAIN_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The plain selector `sel` narrowed to the one series with `labels` (as a query result gives them,
 * without `__name__`): its own matchers, and each label's value as an equality matcher. Values
 * are written as JSON strings, whose escapes (`\"`, `\\`, `\n`, `\uXXXX`) are Go's, as PromQL
 * reads them. A series with more labels than `labels` still matches: the caller tells them apart.
 */
export function oneSeriesSelector(sel: string, labels: Record<string, string>): string {
  const text = sel.trim();
  const node = parser.parse(text).topNode.firstChild!;
  const name = node.getChild('Identifier');
  const own: string[] = [];
  for (let c = node.getChild('LabelMatchers')?.firstChild ?? null; c; c = c.nextSibling) {
    if (c.name === 'UnquotedLabelMatcher' || c.name === 'QuotedLabelMatcher' || c.name === 'QuotedLabelName') own.push(text.slice(c.from, c.to));
  }
  const exact = Object.entries(labels)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${PLAIN_LABEL_NAME.test(k) ? k : JSON.stringify(k)}=${JSON.stringify(v)}`);
  return `${name ? text.slice(name.from, name.to) : ''}{${[...own, ...exact].join(', ')}}`;
}

/** Only the finite values of an instant vector (NaN fails every comparison; ±Inf one of these). */
const finite = (vector: string) => `${vector} > -Inf < +Inf`;

/**
 * `expr` as a range vector over `rangeMs` (subquery every `stepMs` of its finite values unless it
 * is a plain selector), read `offsetMs` back from the evaluation time (uptime/step-align.ts).
 */
export function rangeVector(expr: string, rangeMs: number, stepMs: number, offsetMs = 0): string {
  const text = expr.trim();
  const back = offsetClause(offsetMs);
  return isPlainSelector(text) ? `${text}[${rangeMs}ms]${back}` : `(${finite(`(${closeTrailingComment(text)})`)})[${rangeMs}ms:${stepMs}ms]${back}`;
}

/**
 * One query answering both per-series sums and counts over `rangeMs`, told apart by AGG_LABEL:
 * `sum_over_time` (up samples) and `count_over_time` (all samples).
 */
export function sumAndCountQuery(expr: string, rangeMs: number, stepMs: number, offsetMs = 0): string {
  const rv = rangeVector(expr, rangeMs, stepMs, offsetMs);
  return `label_replace(sum_over_time(${rv}), "${AGG_LABEL}", "sum", "", "") or label_replace(count_over_time(${rv}), "${AGG_LABEL}", "count", "", "")`;
}

/**
 * How many of a day's slots of `slotMs` hold a sample of at least one series of `expr`, asked at
 * the day's end over `rangeMs` (the day − 1 ms); see uptime/coverage.ts.
 *
 * A plain selector: one subquery step `t` per slot-aligned instant in (start, end], each asking
 * whether any series has a raw sample in `[t − slot, t)` (`last_over_time` over slot − 1 ms, 1 ms
 * back, since 2.x windows include both ends), so the slots partition the day exactly as the
 * sample counts do and a series that stops is not carried on by the 5-minute lookback. Any other
 * expression is only ever evaluated at its subquery steps: the same steps as its sums and counts
 * (`offset 1ms` puts them in [start, end)), each standing for the slot it starts. `offsetMs`
 * moves the whole day back from the evaluation time (uptime/step-align.ts).
 */
export function coverageQuery(expr: string, rangeMs: number, slotMs: number, offsetMs = 0): string {
  const text = expr.trim();
  if (isPlainSelector(text)) return `count_over_time(group(${finite(`last_over_time(${text}[${slotMs - 1}ms] offset 1ms)`)})[${rangeMs}ms:${slotMs}ms]${offsetClause(offsetMs)})`;
  return `count_over_time(group(${finite(`(${closeTrailingComment(text)})`)})[${rangeMs}ms:${slotMs}ms] offset ${1 + offsetMs}ms)`;
}
