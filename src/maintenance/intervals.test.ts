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
