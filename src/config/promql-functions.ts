/**
 * @module config/promql-functions
 * Signatures of the PromQL functions, as Prometheus declares them in promql/parser/functions.go:
 * argument types, how many trailing arguments are optional (`variadic`), and the return type.
 * The type checker (promql-types.ts) uses them to reject what promtool rejects, such as
 * `rate(x)` ("expected type range vector in call to function "rate", got instant vector").
 *
 * The names are those of the Lezer grammar's FunctionIdentifier (any other name is already a
 * syntax error). A name the grammar knows but this table does not (a function newer than the
 * table) is not type-checked at all: a missing entry must never reject a valid expression.
 */

/** PromQL value types, spelled as Prometheus' DocumentedType spells them in its messages. */
export type ValueType = 'scalar' | 'string' | 'instant vector' | 'range vector';

export interface FunctionSignature {
  args: readonly ValueType[];
  /**
   * As functions.go's `Variadic`: 0 = exactly `args.length` arguments; n > 0 = the last
   * argument type may appear 0 to n times; -1 = the last argument type may repeat without limit
   * (so at least `args.length - 1` arguments either way).
   */
  variadic: number;
  returns: ValueType;
}

const S: ValueType = 'scalar';
const STR: ValueType = 'string';
const V: ValueType = 'instant vector';
const M: ValueType = 'range vector';

const fn = (args: ValueType[], returns: ValueType = V, variadic = 0): FunctionSignature => ({ args, variadic, returns });

/** instant vector → instant vector: math and histogram functions. */
const VECTOR_FNS = [
  'abs', 'absent', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'ceil', 'cos', 'cosh', 'deg', 'exp', 'floor',
  'histogram_avg', 'histogram_count', 'histogram_stddev', 'histogram_stdvar', 'histogram_sum', 'ln', 'log10', 'log2',
  'rad', 'sgn', 'sin', 'sinh', 'sort', 'sort_desc', 'sqrt', 'tan', 'tanh', 'timestamp',
];

/** range vector → instant vector: the `*_over_time` family and the counter/gauge functions. */
const RANGE_FNS = [
  'absent_over_time', 'avg_over_time', 'changes', 'count_over_time', 'delta', 'deriv', 'first_over_time', 'idelta',
  'increase', 'irate', 'last_over_time', 'mad_over_time', 'max_over_time', 'min_over_time', 'present_over_time', 'rate',
  'resets', 'stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'ts_of_first_over_time', 'ts_of_last_over_time',
  'ts_of_max_over_time', 'ts_of_min_over_time',
];

/** Optional instant vector (default `vector(time())`) → instant vector: the calendar functions. */
const TIME_FNS = ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'];

export const FUNCTIONS: ReadonlyMap<string, FunctionSignature> = new Map<string, FunctionSignature>([
  ...VECTOR_FNS.map((n) => [n, fn([V])] as const),
  ...RANGE_FNS.map((n) => [n, fn([M])] as const),
  ...TIME_FNS.map((n) => [n, fn([V], V, 1)] as const),
  ['clamp', fn([V, S, S])],
  ['clamp_max', fn([V, S])],
  ['clamp_min', fn([V, S])],
  ['double_exponential_smoothing', fn([M, S, S])],
  ['histogram_fraction', fn([S, S, V])],
  ['histogram_quantile', fn([S, V])],
  ['info', fn([V, V], V, 1)],
  ['label_join', fn([V, STR, STR, STR], V, -1)],
  ['label_replace', fn([V, STR, STR, STR, STR])],
  ['pi', fn([], S)],
  ['predict_linear', fn([M, S])],
  ['quantile_over_time', fn([S, M])],
  ['round', fn([V, S], V, 1)],
  ['scalar', fn([V], S)],
  ['sort_by_label', fn([V, STR], V, -1)],
  ['sort_by_label_desc', fn([V, STR], V, -1)],
  ['time', fn([], S)],
  ['vector', fn([S])],
]);

/**
 * Functions the grammar knows whose signature is deliberately not in FUNCTIONS: too new to be
 * documented when this table was written (`histogram_quantiles`, `start_timestamp`) or only
 * meaningful inside duration expressions (`start`, `end`, `range`, `step`, `min_of`, `max_of`). Calls to them are not
 * type-checked and their result fits anywhere.
 */
export const UNCHECKED_FUNCTIONS: ReadonlySet<string> = new Set([
  'end', 'histogram_quantiles', 'max_of', 'min_of', 'range', 'start', 'start_timestamp', 'step',
]);

/**
 * Functions Prometheus 3 marks `Experimental: true` in promql/parser/functions.go: its parser
 * refuses a call to one ("function "mad_over_time" is not enabled") unless Prometheus runs with
 * `--enable-feature=promql-experimental-functions`, and `promtool check rules` refuses it too
 * (promtool 2.x does not know most of them at all). Checked in config/promql-features.ts.
 *
 * Kept to what functions.go marks, no guesses: a name is added when Prometheus adds an
 * experimental function, and removed when Prometheus makes it stable (then this list would
 * refuse a valid rule). `start`, `end`, `range` and `step` are also the functions of duration
 * expressions (`[step()]`), gated there by `promql-duration-expr`; called on their own, as here,
 * they are experimental functions. Functions newer than Prometheus 2.42 that are not
 * experimental (`histogram_avg`, …) are not refused: they are a version question, not a flag.
 */
export const EXPERIMENTAL_FUNCTIONS: ReadonlySet<string> = new Set([
  'double_exponential_smoothing', 'end', 'first_over_time', 'histogram_quantiles', 'info', 'integral', 'mad_over_time',
  'range', 'sort_by_label', 'sort_by_label_desc', 'start', 'step', 'ts_of_first_over_time', 'ts_of_last_over_time',
  'ts_of_max_over_time', 'ts_of_min_over_time',
]);

/** Aggregations behind the same flag (Prometheus' `IsExperimentalAggregator`). */
export const EXPERIMENTAL_AGGREGATIONS: ReadonlySet<string> = new Set(['limitk', 'limit_ratio']);

/** "expected 5 argument(s) …" as checkAST words it, or undefined when `count` arguments fit. */
export function argumentCountError(name: string, sig: FunctionSignature, count: number): string | undefined {
  const n = sig.args.length;
  if (sig.variadic === 0) return count === n ? undefined : `expected ${n} argument(s) in call to "${name}", got ${count}`;
  const min = n - 1;
  if (count < min) return `expected at least ${min} argument(s) in call to "${name}", got ${count}`;
  if (sig.variadic > 0 && count > min + sig.variadic) return `expected at most ${min + sig.variadic} argument(s) in call to "${name}", got ${count}`;
  return undefined;
}

/** The type argument `i` must have (the last type repeats for variadic functions), or undefined past a fixed list. */
export function argumentType(sig: FunctionSignature, i: number): ValueType | undefined {
  if (i < sig.args.length) return sig.args[i];
  return sig.variadic === 0 ? undefined : sig.args[sig.args.length - 1];
}
