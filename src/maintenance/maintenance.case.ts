/**
 * @module maintenance/maintenance.case
 * Test fixtures of the maintenance tests: the payments team with configured windows, and
 * decided updates of its groups (one alert each, or all of a group's alerts resolved).
 */
import { parseMatchers } from '../config/matchers.js';
import { paymentsTeam, routingOf } from '../config/team-config.case.js';
import type { MaintenanceConfig, RoutingConfig } from '../config/types.js';
import { decideGroup } from '../dedup/decide.js';
import type { AlertStatus } from '../model/alert.js';
import type { Target } from '../model/target.js';
import type { GroupRecord, GroupWrite } from '../store/store.js';

export const slack: Target = { type: 'slack', channel: '#payments-alerts' };
export const at = (time: string) => new Date(`2026-11-27T${time}Z`);

export const config = (maintenance: MaintenanceConfig[]): RoutingConfig => routingOf(paymentsTeam({ maintenance }));

/** A configured window over the alerts named `name` (its reason). */
export const window = (name: string, start: string, end: string): MaintenanceConfig => ({
  reason: name,
  start: at(start).toISOString(),
  end: at(end).toISOString(),
  matchers: [parseMatchers(`alertname="${name}"`)],
});

/** Group `g<i>` with one alert named `alertname`, firing, as dedup decides it. */
export function firing(i: number, alertname: string, now: Date, prev?: GroupRecord): GroupWrite {
  return decideGroup(prev, update(`g${i}`, `k${i}`, [{ fingerprint: `f${alertname}`, status: 'firing', labels: { alertname }, annotations: {}, startsAt: '2026-11-27T09:00:00Z', endsAt: null, generatorURL: '' }]), now);
}

/** Every alert of `g` turned `status`, as dedup decides it. */
export function turned(g: GroupRecord, status: AlertStatus, now: Date): GroupWrite {
  return decideGroup(g, update(g.id, g.groupKey, g.alerts.map((a) => ({ ...a, status, endsAt: status === 'resolved' ? now.toISOString() : null }))), now);
}

function update(groupId: string, groupKey: string, alerts: GroupRecord['alerts']) {
  return {
    groupId,
    team: 'payments',
    notification: { receiver: 'x', status: alerts.some((a) => a.status === 'firing') ? ('firing' as const) : ('resolved' as const), groupKey, groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: '', truncatedAlerts: 0 },
    alerts,
    targets: [slack],
    dedupWindowMs: 3_600_000,
  };
}
