import { describe, expect, it } from 'vitest';
import { aggregationGrouping, resultGrouping } from './promql-grouping.js';

const RATE = 'rate(errors_total{code=~"5..", path="/a(b"}[5m])';

describe('resultGrouping: the labels of a result read without a parse', () => {
  it.each([
    ['sum by (team) (x)', ['team']],
    ['sum(x) by (b, a, b)', ['a', 'b']],
    ['count(x)', []],
    ['quantile by (le) (0.9, x)', ['le']],
    [`sum by (team) (${RATE}) > 0`, ['team']],
    [`sum by (team) (${RATE}) >= bool 1`, ['team']],
    [`sum by (team) (${RATE}) > -Inf`, ['team']],
    [`(sum by (team) (${RATE})) > 0`, ['team']],
    [`((sum by (team) (${RATE}))) > 0x1F`, ['team']],
    [`sum by (team) (${RATE}) / sum by (team) (rate(total[5m])) > 0.05`, ['team']],
    [`(sum by (team, ns) (${RATE}) / sum(rate(total[5m])) by (ns, team)) * 100 > 5e-1`, ['ns', 'team']],
    [`100 * -(sum by (team) (${RATE})) atan2 2 != 3`, ['team']],
    [`sum by (team) (${RATE}) # the errors, (\n / # over the total\n sum by (team) (x)`, ['team']],
    [`  sum by ( team , ) (${RATE})  > 0  `, ['team']],
  ])('%s → %j', (expr, labels) => {
    expect(resultGrouping(expr)).toEqual(labels);
  });

  it.each([
    // Vector matching modifiers and groupings that differ: the result is not read, not guessed.
    `sum by (team) (${RATE}) / on (team) sum by (team) (x)`,
    `sum by (team) (${RATE}) / ignoring (code) group_left sum by (team) (x)`,
    `sum by (team) (${RATE}) > bool on () sum by (team) (x)`,
    `sum by (team) (${RATE}) / sum by (team, service) (x)`,
    `sum(${RATE}) / sum by (team) (x)`,
    // without: the result keeps whichever labels the series have.
    `sum without (pod) (${RATE}) > 0`,
    `sum by (team) (${RATE}) / sum without (pod) (x)`,
    // Set operators, selectors, functions, other aggregations, modifiers, scalars, unbalanced text.
    `sum by (team) (${RATE}) > 0 and sum by (team) (x) > 0`,
    `sum by (team) (${RATE}) or vector(0)`,
    `sum by (team) (${RATE}) / x`,
    `topk by (team) (3, ${RATE})`,
    `absent(x)`,
    `sum by (team) (${RATE}) > 5m`,
    `sum by ("team") (${RATE})`,
    `1 + 2`,
    `(sum by (team) (${RATE})`,
    `sum by (team) (${RATE}))`,
    `sum by (team) (${RATE}) >`,
    `sum by (team) (${RATE}) + bool 1`,
    '',
  ])('%s → undefined', (expr) => {
    expect(resultGrouping(expr)).toBeUndefined();
  });

  it('reads long and pathological expressions in one pass (the generate benchmark checks 10,000 alerts)', () => {
    const deep = 100_000;
    expect(resultGrouping(`${'('.repeat(deep)}sum by (team) (x)${')'.repeat(deep)} > 0`)).toEqual(['team']);
    expect(resultGrouping(`${'('.repeat(deep)}sum by (team) (x)`)).toBeUndefined();
    expect(resultGrouping(Array.from({ length: 20_000 }, () => `sum by (team) (${RATE})`).join(' / ') + ' > 0')).toEqual(['team']);
    expect(resultGrouping(`${'- '.repeat(deep)}sum by (team) (x)`)).toEqual(['team']);
    expect(resultGrouping(`sum(x)${' '.repeat(deep)}x`)).toBeUndefined();
    expect(resultGrouping(`sum(x) > ${'1'.repeat(deep)}x`)).toBeUndefined();
    expect(resultGrouping(`sum by (${'a, '.repeat(deep)}) (x)`)).toEqual(['a']);
    expect(resultGrouping(`sum(x{a="${'\\"('.repeat(deep)}`)).toBeUndefined();
    expect(resultGrouping(`sum(x) ${'# (\n'.repeat(deep)}> 0`)).toEqual([]);
  });
});

describe('aggregationGrouping: one aggregation only', () => {
  it('reads one aggregation and nothing around it', () => {
    expect(aggregationGrouping('sum(x) by (b, a)')).toEqual(['a', 'b']);
    expect(aggregationGrouping('sum by (a) (x) > 0')).toBeUndefined();
    expect(aggregationGrouping('(sum by (a) (x))')).toBeUndefined();
    expect(aggregationGrouping('sum without (a) (x)')).toBeUndefined();
  });
});
