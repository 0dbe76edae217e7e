import { describe, expect, it } from 'vitest';
import { aggregationGrouping } from './promql-grouping.js';

describe('aggregationGrouping: one aggregation only', () => {
  it('reads one aggregation and nothing around it', () => {
    expect(aggregationGrouping('sum(x) by (b, a)')).toEqual(['a', 'b']);
    expect(aggregationGrouping('sum by (a) (x) > 0')).toBeUndefined();
    expect(aggregationGrouping('(sum by (a) (x))')).toBeUndefined();
    expect(aggregationGrouping('sum without (a) (x)')).toBeUndefined();
  });
});
