/**
 * Literals the Lezer grammar parses but `promtool check rules` (2.x) refuses: each at its
 * offset, with a message saying what to write. test/promql-promtool-agreement.test.ts checks the
 * same verdicts against the real promtool.
 */
import { describe, expect, it } from 'vitest';
import { findPromqlError } from './promql.js';

describe('findPromqlError: numbers, durations and strings promtool refuses', () => {
  it.each([
    // A bare number where a duration goes.
    ['x offset 5', 9, 'PromQL: the offset needs a unit: write 5s for seconds (or 5m, 5h…), not the bare number 5 (Prometheus 2 and promtool 2.x refuse a number there; Prometheus 3 reads it as seconds)'],
    ['x offset -5', 10, 'PromQL: the offset needs a unit: write 5s for seconds'],
    ['rate(x[300])', 7, 'PromQL: the range needs a unit: write 300s for seconds'],
    ['rate(x[1.5])', 7, 'PromQL: the range needs a unit: write a duration such as 30s, 5m or 1h30m, not the bare number 1.5'],
    ['max_over_time(x[5m:1])', 19, 'PromQL: the subquery step needs a unit: write 1s'],
    ['x[5:1m]', 2, 'PromQL: the subquery range needs a unit: write 5s'],
    // Durations no Prometheus takes.
    ['rate(x[0s])', 7, 'PromQL: the range must be greater than 0, got 0s'],
    ['rate(x[-5m])', 8, 'PromQL: the range must be greater than 0, got -5m'],
    ['x[5m:-1m]', 6, 'PromQL: the subquery step must be greater than 0, got -1m'],
    ['x offset 0m', 9, 'PromQL: offset 0m is zero (Prometheus 2 refuses it: "duration must be greater than 0"); leave the offset out'],
    ['x offset 300y', 9, 'PromQL: duration 300y is out of range (at most about 292 years)'],
    // A duration where a number goes, and Prometheus 3's underscores.
    ['time() - 1h > x', 9, 'PromQL: unexpected duration 1h where a number goes: write its seconds as a number, 3600 (Prometheus 2 and promtool 2.x refuse a duration there; Prometheus 3 reads it as seconds)'],
    ['predict_linear(x[1h], 4h) < 0', 22, 'write its seconds as a number, 14400'],
    ['x @ 5m', 4, 'PromQL: unexpected duration 5m where an @ timestamp goes: write its seconds as a number, 300'],
    ['x > 1_000', 4, 'PromQL: write the number 1_000 without underscores, 1000 (Prometheus 2 and promtool 2.x refuse them)'],
    // @ timestamps Prometheus cannot hold.
    ['x @ NaN', 4, 'PromQL: timestamp out of bounds for @ modifier: NaN (give Unix seconds, or start() / end())'],
    ['x @ -Inf', 4, 'timestamp out of bounds for @ modifier: -Inf'],
    ['x @ 1e20', 4, 'timestamp out of bounds for @ modifier: 1e20'],
    // String escapes Go's strconv refuses, at the backslash.
    ['rate(http_requests_total{path=~"/api/\\d+"}[5m])', 37, 'PromQL string has an unknown escape sequence \\d; a backslash meant for a regex is written \\\\d inside quotes, or put the string in backticks'],
    ['x{a="\\."}', 5, 'unknown escape sequence \\.'],
    ['label_replace(x, "a", "$1", "b", "\\q")', 34, 'unknown escape sequence \\q'],
    ["x{a='\\\"'}", 5, 'PromQL string has \\", which Go allows only inside "…": write " without the backslash'],
    ['x{a="\\\'"}', 5, "has \\', which Go allows only inside '…'"],
    ['x{a="\\400"}', 5, 'PromQL string has an escape sequence that is not a valid Unicode code point: \\400'],
    ['x{a="\\uD800"}', 5, 'not a valid Unicode code point: \\uD800'],
    // A misspelt function: named, as Prometheus names it.
    ['histogram_quantil(0.9, x)', 0, 'PromQL: unknown function with name "histogram_quantil"'],
    ['sum(rate (x[5m])) / sum(ratee (y[5m]))', 24, 'PromQL: unknown function with name "ratee"'],
    // Its argument a selector with label matchers, as most are: still the function is named.
    ['sum(rates(http_requests_total{job="orders"}[5m]))', 4, 'PromQL: unknown function with name "rates"'],
    ['maximum(orders_queue_depth{job="orders"}) > 500', 0, 'PromQL: unknown function with name "maximum"'],
  ])('refuses %s at offset %i', (expr, offset, message) => {
    const err = findPromqlError(expr);
    expect(err?.message).toContain(message);
    expect(err?.offset).toBe(offset);
  });

  it.each([
    ['x offset 5m'],
    ['x offset -1h30m'],
    ['x offset 1w2d'],
    ['rate(x[5m:30s] offset 1d)'],
    ['x[1h:]'],
    ['x @ 1609746000'],
    ['x @ -100'],
    ['x @ 0x10'],
    ['rate(x[5m] @ end())'],
    ['x > 0x1f and x < 1e3 or x == Inf or x != NaN or x > -2.5e-3'],
    ['x{a="\\n\\t\\\\\\"\\x41\\101\\u00e9\\U0001F600"}'],
    ["x{a='\\''}"],
    ['x{a=~`\\d+\\.\\w`}'],
    ['x{a=~"\\\\d+\\\\."}'],
    // Duration arithmetic is the feature gate's (promql-features.ts), not a bare number.
    ['rate(x[5m * 2])'],
  ])('accepts %s (or leaves it to another check)', (expr) => {
    const err = findPromqlError(expr);
    expect(err === undefined || err.message.includes('--enable-feature'), err?.message).toBe(true);
  });
});
