import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findPromqlError } from './promql.js';
import { unquoteGoString as unquote } from './go-string.js';
import { PROMQL_FEATURE_FLAGS } from './promql-features.js';
import { EXPERIMENTAL_FUNCTIONS, FUNCTIONS, UNCHECKED_FUNCTIONS } from './promql-functions.js';

describe('findPromqlError: what Prometheus rejects after its grammar accepted it', () => {
  // [expression, offset (promtool's column - 1), message as promtool prints it after "parse error: "]
  it.each([
    ['rate(http_requests_total) > 1', 5, 'expected type range vector in call to function "rate", got instant vector'],
    ['rate(sum(x)[5m])', 11, 'ranges only allowed for vector selectors'],
    ['absent(up[5m])', 7, 'expected type instant vector in call to function "absent", got range vector'],
    ['label_replace(up,"a","b")', 0, 'expected 5 argument(s) in call to "label_replace", got 3'],
    ['up == "a"', 6, 'binary expression must contain only scalar and instant vector types'],
    ['sum_over_time(up)', 14, 'expected type range vector in call to function "sum_over_time", got instant vector'],
    ['1 > 2', 2, 'comparisons between scalars must use BOOL modifier'],
    ['scalar(up) > 1 + 2', 11, 'comparisons between scalars must use BOOL modifier'],
    ['sum(up[5m])', 4, 'expected type instant vector in aggregation expression, got range vector'],
    ['topk(up, 3)', 9, 'expected type instant vector in aggregation expression, got scalar'],
    ['count_values(1, up)', 13, 'expected type string in aggregation parameter, got scalar'],
    ['quantile("a", up)', 9, 'expected type scalar in aggregation parameter, got string'],
    ['sum()', 0, 'no arguments for aggregate expression provided'],
    ['topk(3)', 0, 'wrong number of arguments for aggregate expression provided, expected 2, got 1'],
    ['(up)[5m]', 4, 'ranges only allowed for vector selectors'],
    ['rate(up[5m])[10m]', 12, 'ranges only allowed for vector selectors'],
    ['1[5m:]', 0, 'subquery is only allowed on instant vector, got scalar instead'],
    ['time()[5m:1m]', 0, 'subquery is only allowed on instant vector, got scalar instead'],
    ['up[5m][10m:]', 0, 'subquery is only allowed on instant vector, got matrix instead'],
    ['sum(x) offset 5m', 0, 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
    ['x offset 1m offset 2m', 0, 'offset may not be set multiple times'],
    ['x offset 1m [5m]', 12, 'no offset modifiers allowed before range'],
    ['x @ 100 @ 200', 0, '@ <timestamp> may not be set multiple times'],
    ['sum(x) @ 100', 0, '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
    ['-x[5m]', 0, 'unary expression only allowed on expressions of type scalar or instant vector, got "range vector"'],
    ['-"a"', 0, 'unary expression only allowed on expressions of type scalar or instant vector, got "string"'],
    ['up and 1', 0, 'set operator "and" not allowed in binary scalar expression'],
    ['1 + on(a) up', 0, 'vector matching only allowed between instant vectors'],
    ['up and on(a) group_left x', 0, 'no grouping allowed for "and" operation'],
    ['up + bool up', 3, 'bool modifier can only be used on comparison operators'],
    ['up + on(a) group_left(a) y', 3, 'label "a" must not occur in ON and GROUP clause at once'],
    ['round(up, 1, 2)', 0, 'expected at most 2 argument(s) in call to "round", got 3'],
    ['label_join(up)', 0, 'expected at least 3 argument(s) in call to "label_join", got 1'],
    ['histogram_quantile(rate(x[5m]), 0.9)', 19, 'expected type scalar in call to function "histogram_quantile", got instant vector'],
    ['vector("a")', 7, 'expected type scalar in call to function "vector", got string'],
    ['{}', 0, 'vector selector must contain at least one non-empty matcher'],
    ['{a=~".*"}', 0, 'vector selector must contain at least one non-empty matcher'],
    ['foo{__name__="bar"}', 0, 'metric name must not be set twice: "foo" or "bar"'],
    // Prometheus binds offset and [range] tighter than any operator: the error is on `b`.
    ['a + b[5m]', 4, 'binary expression must contain only scalar and instant vector types'],
    ['-x offset 5m [5m]', 13, 'no offset modifiers allowed before range'],
    ['sum(rate(x[5m])) / sum(rate(x[5m])) offset 1w', 19, 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
    // Regexp matchers are compiled as Go compiles `^(?:value)$`: reported at the matcher's label.
    ['probe_success{instance=~"*.example.com"}', 14, 'error parsing regexp: missing argument to repetition operator: `*`'],
    ['sum(rate(http_requests_total{job="a",code=~"5**"}[5m]))', 37, 'error parsing regexp: invalid nested repetition operator: `**`'],
    ['up{job!~"(?=x)"}', 3, 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
    ['up{job=~"[z-a]"}', 3, 'error parsing regexp: invalid character class range: `z-a`'],
    ['up{job=~"(a)\\\\1"}', 3, 'error parsing regexp: invalid escape sequence: `\\1`'],
    ['up{job=~"5..|(?i"}', 3, 'error parsing regexp: missing closing ): `^(?:5..|(?i)$`'],
    ['up{job=~"a)|(b"}', 3, 'error parsing regexp: unexpected ): `a)|(b`'],
    ['{job=~"x{1001}"}', 1, 'error parsing regexp: invalid repeat count: `{1001}`'],
    ['up{job=~"(a{2}){501}"}', 3, 'error parsing regexp: invalid repeat count: `{501}`'],
  ])('rejects %s at offset %i', (expr, offset, message) => {
    expect(findPromqlError(expr)).toEqual({ offset, message });
  });

  it.each([
    ['histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="a"}[5m]))) > 1'],
    ['label_replace(up, "dst", "$1", "src", "(.*)")'],
    ['label_join(up, "dst", ",")'],
    ['label_join(up, "dst", ",", "a", "b", "c")'],
    ['vector(1)'],
    ['vector(time())'],
    ['scalar(sum(up))'],
    ['time()'],
    ['time() > bool 1'],
    ['pi() * 2'],
    ['absent_over_time(up{job="a"}[5m])'],
    ['absent(up{job="a"})'],
    ['predict_linear(node_filesystem_free_bytes[1h], 3600) < 0'],
    ['quantile_over_time(0.9, x[5m])'],
    ['clamp(x, 0, 1) + clamp_min(x, 0) - clamp_max(x, 1)'],
    ['round(x)'],
    ['round(x, 0.5)'],
    ['day_of_week()'],
    ['hour(timestamp(up))'],
    ['histogram_fraction(0, 0.5, rate(h[5m]))'],
    ['max_over_time(rate(x[5m])[1h:1m])'],
    ['avg_over_time((up > 0)[1d:5m])'],
    ['rate(x[5m:1m] @ 100)'],
    ['x[5m:] offset 1m'],
    ['rate(x[5m] offset 1w)'],
    ['rate(x[5m] @ end())'],
    ['x @ 100 offset 5m'],
    ['x offset 5m @ start()'],
    ['rate((x[5m]))'],
    ['sum(rate(x[5m])) / sum(rate(x[5m] offset 1w))'],
    ['sum(a) + -b offset 1m'],
    ['a + b @ 100'],
    ['-x offset 5m'],
    ['- - up'],
    ['-(1)'],
    ['up > bool 1 and up'],
    ['up == bool 1'],
    ['sum(rate(x[5m])) by (job) / on(job) group_left(team) sum(y) by (job, team)'],
    ['a * ignoring(instance) group_right b'],
    ['a and on(job) b or c unless ignoring(x) d'],
    ['1 + on() up'],
    ['count_values("value", up)'],
    ['topk(3, up)'],
    ['quantile(0.9, up)'],
    ['sum without (instance) (up)'],
    ['(certificate_expiration_seconds - time()) < 14 * 24 * 3600'],
    ['"a"'],
    ['{a=~".+"}'],
    ['{__name__=~"up|x"}'],
    ['{a!=""}'],
    ['up{a=~"(?i)A|(?U)b*|[[:^alpha:]]"}'], // valid Go JavaScript has no syntax for: valid PromQL
    ['up{a=~"^*|\\\\b+|(?P<1>x)(?P<1>y)|x{01001}|[\\\\d-z]|(?:a{10}){100}"}'], // Go accepts each; JavaScript would not as written
    ['unknown_metric_name or up'],
    ['x # comment [\n + y'],
  ])('accepts %s', (expr) => {
    expect(findPromqlError(expr)).toBeUndefined();
  });

  // Experimental functions (promql-features.ts refuses them without their flag): types checked as before with it on.
  it.each([
    ['double_exponential_smoothing(x[10m], 0.5, 0.5)'],
    ['sort_by_label(up, "instance")'],
    ['sort_by_label_desc(up, "a", "b")'],
    ['histogram_quantiles(x, "q", 0.5)'], // in the grammar, not in the table: accepted
    ['info(rate(x[5m]), {k8s_cluster_name=~".*"})'], // Prometheus 3 lets info's filter match everything
  ])('accepts %s with --enable-feature=promql-experimental-functions', (expr) => {
    expect(findPromqlError(expr, { features: new Set(['promql-experimental-functions']) })).toBeUndefined();
  });

  it('still reports syntax errors first, as before', () => {
    expect(findPromqlError('rate(x) +')?.message).toBe('PromQL syntax error: unexpected end of expression');
    expect(findPromqlError('holt_winters(x[5m], 0.5, 0.5)')?.message).toBe(
      'PromQL: unknown function with name "holt_winters" (Prometheus 3 renamed it double_exponential_smoothing, an experimental function)',
    );
  });
});

describe('findPromqlError: experimental PromQL that a stock Prometheus refuses (its --enable-feature flag named)', () => {
  const fns = (name: string) => `function "${name}" is not enabled (experimental: Prometheus needs --enable-feature=promql-experimental-functions)`;
  const duration = 'experimental duration expression is not enabled (Prometheus needs --enable-feature=promql-duration-expr); write a plain duration such as 5m';
  // [expression, offset (where Prometheus 3 reports it; a modifier at its keyword), message]
  const REFUSED: Array<[string, number, string]> = [
    ['sort_by_label(up, "instance") > 0', 0, fns('sort_by_label')],
    ['sort_by_label_desc(up, "a")', 0, fns('sort_by_label_desc')],
    ['sum(rate(x[5m])) / mad_over_time(up[5m])', 19, fns('mad_over_time')],
    ['double_exponential_smoothing(x[10m], 0.5, 0.5)', 0, fns('double_exponential_smoothing')],
    ['info(rate(x[5m]))', 0, fns('info')],
    ['first_over_time(x[5m])', 0, fns('first_over_time')],
    ['ts_of_max_over_time(x[5m])', 0, fns('ts_of_max_over_time')],
    ['ts_of_last_over_time(x[5m])', 0, fns('ts_of_last_over_time')],
    ['histogram_quantiles(x, "q", 0.5)', 0, fns('histogram_quantiles')],
    ['vector(step())', 7, fns('step')],
    ['limitk(2, up) > 0', 0, 'limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions'],
    ['sum by (a) (limit_ratio(0.5, up))', 12, 'limit_ratio() is experimental and must be enabled with --enable-feature=promql-experimental-functions'],
    ['rate(x_total[5m+1m]) > 0', 13, duration],
    ['rate(x_total[5m * 2])', 13, duration],
    ['rate(x_total[(5m)])', 13, duration],
    ['x[step()]', 2, duration],
    ['x[range()]', 2, duration],
    ['max_over_time(x[1h:step()])', 19, duration],
    ['x[min_of(5m, 1h)]', 2, duration],
    ['x offset (5m)', 9, duration],
    ['x offset -step()', 9, duration],
    ['rate(x[5m] anchored)', 11, 'anchored modifier is experimental and not enabled (Prometheus needs --enable-feature=promql-extended-range-selectors)'],
    ['rate(x[5m] smoothed)', 11, 'smoothed modifier is experimental and not enabled (Prometheus needs --enable-feature=promql-extended-range-selectors)'],
    ['up + fill(0) x', 5, 'binop fill modifiers are experimental and not enabled (Prometheus needs --enable-feature=promql-binop-fill-modifiers)'],
  ];

  it.each(REFUSED)('rejects %s at offset %i', (expr, offset, message) => {
    expect(findPromqlError(expr)).toEqual({ offset, message });
  });

  it('accepts each of them with every flag on (the type checker still runs)', () => {
    const features = new Set(PROMQL_FEATURE_FLAGS);
    for (const [expr] of REFUSED) expect(findPromqlError(expr, { features }), expr).toBeUndefined();
    expect(findPromqlError('sort_by_label(up[5m])', { features })?.message).toBe('expected type instant vector in call to function "sort_by_label", got range vector');
  });

  it.each([
    ['rate(x[5m])'],
    ['x offset -5m'],
    ['x offset 1h30m'],
    ['x[1h:]'],
    ['max_over_time(x[1h:1m] offset 5m)'],
    ['rate(x[5m] @ end())'],
    ['x offset 5m @ start()'],
    ['histogram_avg(x) + histogram_stddev(x)'], // newer than promtool 2.42 but not experimental
    ['last_over_time(x[5m]) + present_over_time(x[5m])'],
    ['topk(3, up) + quantile(0.9, up)'],
  ])('does not refuse %s (no flag needed)', (expr) => {
    expect(findPromqlError(expr)).toBeUndefined();
  });

  it('lists only functions the grammar knows, with a signature or as unchecked (integral: not in the grammar yet)', () => {
    for (const name of EXPERIMENTAL_FUNCTIONS) if (name !== 'integral') expect(FUNCTIONS.has(name) || UNCHECKED_FUNCTIONS.has(name), name).toBe(true);
  });
});

describe('findPromqlError on random token soup', () => {
  const TOKENS = ['rate', 'sum', 'by', '(', ')', '[5m]', '[5m:1m]', 'x', 'up{a="b"}', '{}', '1', '"s"', '+', '-', '>', 'bool', 'and',
    'on(a)', 'group_left', 'offset 5m', '@ 100', ',', 'label_join', 'topk', 'count_values', 'vector', 'time()', 'anchored', '#c\n'];
  it('never throws, and answers an offset inside the expression', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 12 }), (parts) => {
        const expr = parts.join(' ');
        const err = findPromqlError(expr);
        if (err) expect(err.offset).toBeGreaterThanOrEqual(0);
        if (err) expect(err.offset).toBeLessThanOrEqual(expr.length);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('findPromqlError with a required result type', () => {
  const vectorOrScalar = { types: ['instant vector', 'scalar'] as const, why: 'why' };
  const vectorOnly = { types: ['instant vector'] as const, why: 'why', rangeHint: 'drop the range' };

  it.each([
    ['up{job="api"}[10m]', vectorOrScalar, 0, 'must be an instant vector or a scalar, got a range vector: did you forget rate() or an *_over_time() function around it? (why)'],
    ['  (up[5m] offset 1m)', vectorOrScalar, 2, 'must be an instant vector or a scalar, got a range vector: did you forget rate() or an *_over_time() function around it? (why)'],
    ['(up > 0)[1h:5m]', vectorOrScalar, 0, 'must be an instant vector or a scalar, got a range vector: did you forget an *_over_time() function around the subquery? (why)'],
    ['"a"', vectorOrScalar, 0, 'must be an instant vector or a scalar, got a string (why)'],
    ['probe_success[1m]', vectorOnly, 0, 'must be an instant vector, got a range vector: drop the range (why)'],
    ['1', vectorOnly, 0, 'must be an instant vector, got a scalar (why)'],
  ])('refuses %s', (expr, result, offset, message) => {
    expect(findPromqlError(expr, { result })).toEqual({ offset, message });
  });

  it.each([
    ['up', vectorOrScalar],
    ['1', vectorOrScalar],
    ['sum(rate(x[5m]))', vectorOrScalar],
    ['max_over_time((up > 0)[1h:5m])', vectorOnly],
    ['vector(1)', vectorOnly],
  ])('accepts %s', (expr, result) => {
    expect(findPromqlError(expr, { result })).toBeUndefined();
  });

  it('reports a type error inside the expression first, as Prometheus', () => {
    expect(findPromqlError('rate(up)[5m:]', { result: vectorOrScalar })?.message).toBe(
      'expected type range vector in call to function "rate", got instant vector',
    );
  });
});

describe('the function table', () => {
  const grammar = readFileSync(
    fileURLToPath(new URL('../../node_modules/@prometheus-io/lezer-promql/src/promql.grammar', import.meta.url)),
    'utf8',
  );
  const grammarNames = new Set([...grammar.matchAll(/condFn<"([a-z_0-9]+)">/g)].map((m) => m[1]!));

  it('covers every function name of the Lezer grammar (or says it does not check it)', () => {
    const missing = [...grammarNames].filter((n) => !FUNCTIONS.has(n) && !UNCHECKED_FUNCTIONS.has(n));
    expect(missing).toEqual([]);
  });

  it('holds only names the grammar parses as functions', () => {
    expect([...FUNCTIONS.keys()].filter((n) => !grammarNames.has(n))).toEqual([]);
  });
});

describe('unquote', () => {
  it.each([
    ['"a\\"b"', 'a"b'],
    ["'a\\'b'", "a'b"],
    ['`a\\b`', 'a\\b'],
    ['"\\x41\\u00e9\\101"', 'Aé' + 'A'],
    ['""', ''],
  ])('%s', (raw, value) => {
    expect(unquote(raw)).toBe(value);
  });
  it('answers undefined for what Go would not unquote', () => {
    expect(unquote('"\\q"')).toBeUndefined();
    expect(unquote('"a')).toBeUndefined();
  });
});
