import { describe, expect, it } from 'vitest';
import { parseMatchers } from '../config/matchers.js';
import { paymentsTeam } from '../config/team-config.case.js';
import type { TeamConfig } from '../config/types.js';
import { maintenanceIntervals } from './intervals.js';

const team = (maintenance: TeamConfig['maintenance']): TeamConfig => paymentsTeam({ maintenance });

describe('maintenanceIntervals', () => {
  it('expands a weekly cron window over a month, clipped to the range', () => {
    const t = team([{ reason: 'patching', schedule: '0 22 * * 2', duration: '2h', matchers: [] }]);
    const got = maintenanceIntervals(t, [], 'checkout', new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'));
    expect(got.map((i) => i.start.toISOString())).toEqual([
      '2026-11-03T22:00:00.000Z',
      '2026-11-10T22:00:00.000Z',
      '2026-11-17T22:00:00.000Z',
      '2026-11-24T22:00:00.000Z',
    ]);
    expect(got.every((i) => i.end.getTime() - i.start.getTime() === 2 * 3_600_000)).toBe(true);
  });

  it('applies only windows whose matchers match the service, and merges overlaps', () => {
    const t = team([
      { reason: 'db move', start: '2026-11-05T10:00:00Z', end: '2026-11-05T12:00:00Z', matchers: [parseMatchers('service="checkout"')] },
      { reason: 'other', start: '2026-11-05T10:00:00Z', end: '2026-11-05T12:00:00Z', matchers: [parseMatchers('service="basket"')] },
    ]);
    const stored = [{ id: 'payments.x', team: 'payments', matchers: [], start: '2026-11-05T11:00:00Z', end: '2026-11-05T13:00:00Z', reason: 'failover', createdAt: '' }];
    const got = maintenanceIntervals(t, stored, 'checkout', new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'));
    expect(got).toEqual([{ start: new Date('2026-11-05T10:00:00Z'), end: new Date('2026-11-05T13:00:00Z'), reason: 'db move; failover' }]);
  });
});

describe('maintenanceIntervals across daylight saving', () => {
  const HOUR = 3_600_000;
  const weekly = team([{ reason: 'patching', schedule: '30 1 * * 0', duration: '2h', timezone: 'Europe/London', matchers: [] }]);
  const intervals = (t: TeamConfig, from: string, to: string) =>
    maintenanceIntervals(t, [], 'checkout', new Date(from), new Date(to)).map((i) => [i.start.toISOString(), (i.end.getTime() - i.start.getTime()) / HOUR]);

  it('Europe/London spring-forward: the Sunday 01:30 window opens at 02:00 BST, when the clocks change', () => {
    expect(intervals(weekly, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z')).toEqual([
      ['2026-03-01T01:30:00.000Z', 2],
      ['2026-03-08T01:30:00.000Z', 2],
      ['2026-03-15T01:30:00.000Z', 2],
      ['2026-03-22T01:30:00.000Z', 2],
      ['2026-03-29T01:00:00.000Z', 2],
    ]);
  });

  it('Europe/London fall-back: the Sunday 01:30 window opens once, at 01:30 BST, for 2h', () => {
    expect(intervals(weekly, '2026-10-01T00:00:00Z', '2026-11-02T00:00:00Z')).toEqual([
      ['2026-10-04T00:30:00.000Z', 2],
      ['2026-10-11T00:30:00.000Z', 2],
      ['2026-10-18T00:30:00.000Z', 2],
      ['2026-10-25T00:30:00.000Z', 2],
      ['2026-11-01T01:30:00.000Z', 2],
    ]);
  });

  it('Australia/Lord_Howe: a 30-minute spring-forward and fall-back', () => {
    const daily = (schedule: string) => team([{ reason: 'patching', schedule, duration: '1h', timezone: 'Australia/Lord_Howe', matchers: [] }]);
    // 2026-10-04 02:00 +10:30 becomes 02:30 +11:00: 02:15 fires at 02:30.
    expect(intervals(daily('15 2 * * *'), '2026-10-02T00:00:00Z', '2026-10-05T00:00:00Z')).toEqual([
      ['2026-10-02T15:45:00.000Z', 1],
      ['2026-10-03T15:30:00.000Z', 1],
      ['2026-10-04T15:15:00.000Z', 1],
    ]);
    // 2026-04-05 02:00 +11:00 becomes 01:30 +10:30: 01:45 fires once, at its first occurrence.
    expect(intervals(daily('45 1 * * *'), '2026-04-03T00:00:00Z', '2026-04-06T00:00:00Z')).toEqual([
      ['2026-04-03T14:45:00.000Z', 1],
      ['2026-04-04T14:45:00.000Z', 1],
      ['2026-04-05T15:15:00.000Z', 1],
    ]);
  });
});
