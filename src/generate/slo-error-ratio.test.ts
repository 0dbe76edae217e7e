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

  it.each([
    ['sum by (route) (rate(err_total[{{window}}]))'],
    ['sum(rate(err_total[{{window}}])) by (route)'],
    ['sum(rate(err_total[{{window}}])) # comment\n  by (route)'],
    ['sum(rate(a_total[{{window}}])) - sum(rate(b_total[{{window}}]))'],
    ['topk(3, rate(err_total[{{window}}]))'],
    ['job:err:rate{{window}}'],
  ])('any other vector, %j, may carry labels: a 0 per label set of the total (`or (0 * (total))`)', (errors) => {
    const expr = ratio5m(errors);
    expect(expr).toMatch(/ or \(0 \* \(sum\(rate\(req_total\[5m\]\)\)\)\)\) \/ \(\(sum\(rate\(req_total\[5m\]\)\)\) > 0\)$/);
    expect(findPromqlError(expr)).toBeUndefined();
  });

  it('a scalar errors or total gets no fill (`or` takes vectors only)', () => {
    expect(ratio5m('scalar(sum(rate(err_total[{{window}}])))')).toBe('(scalar(sum(rate(err_total[5m])))) / ((sum(rate(req_total[5m]))) > 0)');
    expect(ratio5m('sum(rate(err_total[{{window}}]))', 'scalar(sum(rate(req_total[{{window}}])))')).toBe(
      '(sum(rate(err_total[5m]))) / (scalar(sum(rate(req_total[5m]))))',
    );
  });
});
