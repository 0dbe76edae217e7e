import { describe, expect, it } from 'vitest';
import type { RoutingConfig, TeamConfig } from '../config/types.js';
import { decideGroup } from '../dedup/decide.js';
import type { Target } from '../model/target.js';
import { applyStormControl, DIGESTED_REASON } from './storm-control.js';

const slack: Target = { type: 'slack', channel: '#payments-alerts' };
const pd: Target = { type: 'pagerduty', team: 'payments' };

function config(storm: TeamConfig['storm']): RoutingConfig {
  const team: TeamConfig = {
    team: 'payments',
    file: 'routes/payments.yaml',
    owns: { namespaces: [], matchers: [] },
    dedup: { windowMs: 3_600_000 },
    routes: [],
    reports: [],
    maintenance: [],
    slack: { channel: '#payments-alerts' },
    ...(storm ? { storm } : {}),
  };
  return { teams: new Map([['payments', team]]), fallbackTeam: 'payments' };
}

function newGroup(i: number) {
  return decideGroup(
    undefined,
    {
      groupId: `g${i}`,
      team: 'payments',
      notification: { receiver: 'x', status: 'firing', groupKey: `k${i}`, groupLabels: {}, commonLabels: { alertname: `A${i}`, severity: 'critical' }, commonAnnotations: {}, externalURL: '', truncatedAlerts: 0 },
      alerts: [{ fingerprint: `f${i}`, status: 'firing', labels: { alertname: `A${i}` }, annotations: {}, startsAt: '2026-11-27T10:00:00Z', endsAt: null, generatorURL: '' }],
      targets: [slack, pd],
      dedupWindowMs: 3_600_000,
    },
    new Date('2026-11-27T10:00:00Z'),
  );
}

const statuses = (writes: ReturnType<typeof applyStormControl>) =>
  writes.filter((w) => w.group.id.startsWith('g')).map((w) => w.notifications.map((n) => `${n.target.type}:${n.status}`).join(' '));

describe('applyStormControl', () => {
  it('digests Slack beyond the limit but never holds back PagerDuty by default', () => {
    const writes = applyStormControl([newGroup(1), newGroup(2)], new Map(), { config: config({ maxMessagesPerMinute: 1, holdPagerDuty: false }), now: new Date('2026-11-27T10:00:00Z') });
    expect(statuses(writes)).toEqual(['slack:pending pagerduty:pending', 'slack:suppressed pagerduty:pending']);
    expect(writes.find((w) => w.group.id === 'g2')!.notifications[0]!.reason).toBe(DIGESTED_REASON);
  });

  it('holds back pages of digested groups when the team configures holdPagerDuty', () => {
    const writes = applyStormControl([newGroup(1), newGroup(2)], new Map(), { config: config({ maxMessagesPerMinute: 1, holdPagerDuty: true }), now: new Date('2026-11-27T10:00:00Z') });
    expect(statuses(writes)).toEqual(['slack:pending pagerduty:pending', 'slack:suppressed pagerduty:suppressed']);
  });
});
