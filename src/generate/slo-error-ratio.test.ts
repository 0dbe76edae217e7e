import { describe, expect, it } from 'vitest';
import { findPromqlError } from '../config/promql.js';
import { errorRatio } from './slo-error-ratio.js';

const TOTAL = 'sum(rate(req_total[{{window}}]))';
const ratio5m = (errors: string, total = TOTAL) => errorRatio({ name: 's', objective: 99, window: '30d', errors, total })('5m');

describe('SLO error ratio: which 0 fills an absent errors series', () => {
  it.each([
    ['sum(rate(err_total[{{window}}]))'],
    ['sum (rate(err_total[{{window}}]))'],
    ['count(rate(err_total{path="a)b"}[{{window}}]))'],
    ["max(rate(err_total{path='(', code=`)`}[{{window}}]))"],
    ['sum(rate(err_total{path="a\\")"}[{{window}}]))'],
    ['sum(rate(err_total[{{window}}]))  # stray ) in a comment'],
    ['sum(\n  rate(err_total[{{window}}])  # by (route) in a comment\n)'],
  ])('an aggregation without grouping, %j, is one series without labels: `or vector(0)`, the total evaluated once', (errors) => {
    const expr = ratio5m(errors);
    expect(expr).toMatch(/ or vector\(0\)\) \/ \(\(sum\(rate\(req_total\[5m\]\)\)\) > 0\)$/);
    expect(expr.match(/req_total/g)).toHaveLength(1);
    expect(findPromqlError(expr)).toBeUndefined();
  });

  const BY_ROUTE = 'sum by (route) (rate(req_total[{{window}}]))';
  it.each([
    ['sum by (route) (rate(err_total[{{window}}]))'],
    ['sum(rate(err_total[{{window}}])) by (route)'],
    ['sum(rate(err_total[{{window}}])) # comment\n  by (route)'],
  ])('errors %j grouped as the total is: a 0 per label set of the total (`or (0 * (total))`)', (errors) => {
    const expr = ratio5m(errors, BY_ROUTE);
    expect(expr).toMatch(/ or \(0 \* \(sum by \(route\) \(rate\(req_total\[5m\]\)\)\)\)\) \/ \(\(sum by \(route\) \(rate\(req_total\[5m\]\)\)\) > 0\)$/);
    expect(findPromqlError(expr)).toBeUndefined();
  });

  it.each([
    ['sum by (route) (rate(err_total[{{window}}]))', TOTAL],
    ['sum(rate(a_total[{{window}}])) - sum(rate(b_total[{{window}}]))', TOTAL],
    ['topk(3, rate(err_total[{{window}}]))', TOTAL],
    ['job:err:rate{{window}}', TOTAL],
    ['job:err:rate{{window}}', 'job:req:rate{{window}}'],
    ['sum without (code) (rate(err_total[{{window}}]))', BY_ROUTE],
  ])('errors %j over %j, labels a scan cannot match up: a 0 only while errors has no series at all', (errors, total) => {
    const expr = ratio5m(errors, total);
    const e = errors.replaceAll('{{window}}', '5m');
    const t = total.replaceAll('{{window}}', '5m');
    expect(expr).toBe(`((${e}) or ((0 * (${t})) unless on() (${e}))) / ((${t}) > 0)`);
    expect(findPromqlError(expr)).toBeUndefined();
  });

  it('a scalar errors or total gets no fill (`or` takes vectors only)', () => {
    expect(ratio5m('scalar(sum(rate(err_total[{{window}}])))')).toBe('(scalar(sum(rate(err_total[5m])))) / ((sum(rate(req_total[5m]))) > 0)');
    expect(ratio5m('sum(rate(err_total[{{window}}]))', 'scalar(sum(rate(req_total[{{window}}])))')).toBe(
      '(sum(rate(err_total[5m]))) / (scalar(sum(rate(req_total[5m]))))',
    );
  });
});
