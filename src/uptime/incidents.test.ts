import { describe, expect, it } from 'vitest';
import { bucketStarts, downPeriods, mergePeriods, sampleSpacingMs, shareInside } from './incidents.js';
import { isPlainSelector, sumAndCountQuery } from './promql-window.js';

const s = (t: number, v: number) => ({ t, v });

describe('down periods', () => {
  const day = { start: 0, end: 1_000 };
  it('run from the first down sample to the next sample, within 1.5 intervals', () => {
    const samples = [s(0, 1), s(10, 0), s(21, 0), s(30, 1), s(40, 1)];
    expect(mergePeriods(downPeriods(samples, 10, day))).toEqual([{ start: 10, end: 30 }]);
  });

  it('end one interval after the last down sample when samples stop (a gap is no data)', () => {
    const samples = [s(10, 0), s(20, 0), s(500, 0), s(510, 1)];
    expect(mergePeriods(downPeriods(samples, 10, day))).toEqual([
      { start: 10, end: 30 },
      { start: 500, end: 510 },
    ]);
  });

  it('only start inside the day, but may end in the next one; touching periods merge across midnight', () => {
    const today = downPeriods([s(980, 1), s(990, 0), s(1_000, 0)], 10, day);
    expect(today).toEqual([{ start: 990, end: 1_000 }]);
    const tomorrow = downPeriods([s(1_000, 0), s(1_010, 1)], 10, { start: 1_000, end: 2_000 });
    expect(mergePeriods([...tomorrow, ...today])).toEqual([{ start: 990, end: 1_010 }]);
  });

  it('count a partially-up downsampled value as down', () => {
    expect(downPeriods([s(0, 0.9), s(10, 1)], 10, day)).toEqual([{ start: 0, end: 10 }]);
  });
});

describe('downsampled samples', () => {
  const H = 3_600_000;
  it('stand for their bucket, whether stamped at its end − 1 ms (Thanos) or at its last raw sample', () => {
    const stamped = [s(11 * H - 1, 0.8), s(12 * H - 1, 1), s(23 * H + 59 * 60_000 + 45_000, 0.5)];
    expect(bucketStarts(stamped, H)).toEqual([s(10 * H, 0.8), s(11 * H, 1), s(23 * H, 0.5)]);
  });
  it('make an incident of the bucket the outage was in, the range\'s last one included', () => {
    const day = { start: 0, end: 24 * H };
    const samples = bucketStarts([s(10 * H - 1, 1), s(11 * H - 1, 0.8), s(12 * H - 1, 1), s(24 * H - 1, 0.9), s(25 * H - 1, 1)], H);
    expect(mergePeriods(downPeriods(samples, H, day))).toEqual([
      { start: 10 * H, end: 11 * H },
      { start: 23 * H, end: 24 * H },
    ]);
  });
});

describe('the share of a down period inside maintenance windows', () => {
  const windows = [
    { start: 100, end: 200 },
    { start: 300, end: 400 },
  ];
  it('is the part of it the windows cover', () => {
    expect(shareInside(windows, 120, 180)).toBe(1);
    expect(shareInside(windows, 50, 150)).toBe(0.5);
    expect(shareInside(windows, 150, 350)).toBe(0.5);
    expect(shareInside(windows, 200, 300)).toBe(0);
    expect(shareInside(windows, 400, 500)).toBe(0);
    expect(shareInside([], 0, 10)).toBe(0);
  });
});

describe('sample spacing of data asked for at a coarse resolution', () => {
  const every = (stepMs: number, n: number) => Array.from({ length: n }, (_, i) => s(i * stepMs, 1));
  it('is the bucket when the samples come one per bucket (Thanos downsampled data)', () => {
    expect(sampleSpacingMs(every(300_000, 12), 30_000, 300_000)).toBe(300_000);
  });
  it('is the probe interval when raw samples come back (Prometheus ignores the resolution)', () => {
    expect(sampleSpacingMs(every(30_000, 12), 30_000, 300_000)).toBe(30_000);
    expect(sampleSpacingMs(every(30_000, 12), 30_000, 0)).toBe(30_000);
  });
  it('is the probe interval when one sample cannot tell', () => {
    expect(sampleSpacingMs(every(300_000, 1), 30_000, 300_000)).toBe(30_000);
  });
});

describe('uptime PromQL', () => {
  it('windows plain selectors directly and anything else as a subquery', () => {
    expect(isPlainSelector(' probe_success{job="blackbox"} ')).toBe(true);
    expect(isPlainSelector('min(probe_success)')).toBe(false);
    expect(isPlainSelector('up offset 1h')).toBe(false);
    expect(sumAndCountQuery('up{job="a"}', 86_399_999, 60_000)).toBe(
      'label_replace(sum_over_time(up{job="a"}[86399999ms]), "alertgate_agg", "sum", "", "") or label_replace(count_over_time(up{job="a"}[86399999ms]), "alertgate_agg", "count", "", "")',
    );
    // An expression's subquery keeps only its finite values: NaN and ±Inf are neither up nor down.
    expect(sumAndCountQuery('min(up)', 1000, 30_000)).toContain('sum_over_time(((min(up)) > -Inf < +Inf)[1000ms:30000ms])');
  });
});
