import { describe, expect, it } from 'vitest';
import { parseMatchers } from '../config/matchers.js';
import type { MaintenanceConfig, RoutingConfig, TeamConfig } from '../config/types.js';
import { decideGroup } from '../dedup/decide.js';
import type { Target } from '../model/target.js';
import type { GroupRecord } from '../store/store.js';
import { applyMaintenance } from './hold.js';
import { maintenanceStateId, readMaintenanceState, releaseDue } from './state.js';

const slack: Target = { type: 'slack', channel: '#payments-alerts' };
const at = (time: string) => new Date(`2026-11-27T${time}Z`);

function config(windows: MaintenanceConfig[]): RoutingConfig {
  const team: TeamConfig = {
    team: 'payments',
    file: 'routes/payments.yaml',
    owns: { namespaces: [], matchers: [] },
    dedup: { windowMs: 3_600_000 },
    routes: [],
    reports: [],
    maintenance: windows,
    slack: { channel: '#payments-alerts' },
  };
  return { teams: new Map([['payments', team]]), fallbackTeam: 'payments' };
}

const window = (name: string, start: string, end: string): MaintenanceConfig => ({
  reason: name,
  start: at(start).toISOString(),
  end: at(end).toISOString(),
  matchers: [parseMatchers(`alertname="${name}"`)],
});

function firing(i: number, alertname: string, now: Date, prev?: GroupRecord) {
  return decideGroup(
    prev,
    {
      groupId: `g${i}`,
      team: 'payments',
      notification: { receiver: 'x', status: 'firing', groupKey: `k${i}`, groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: '', truncatedAlerts: 0 },
      alerts: [{ fingerprint: `f${alertname}`, status: 'firing', labels: { alertname }, annotations: {}, startsAt: '2026-11-27T09:00:00Z', endsAt: null, generatorURL: '' }],
      targets: [slack],
      dedupWindowMs: 3_600_000,
    },
    now,
  );
}

const stateOf = (writes: ReturnType<typeof applyMaintenance>) => readMaintenanceState(writes.find((w) => w.group.id === maintenanceStateId('payments'))?.group);

describe('maintenance holds', () => {
  it('hold a group until the end of the window holding it: the release pass has nothing to look at before', () => {
    const cfg = config([window('Patching', '09:00:00', '12:00:00'), window('Rebuild', '09:00:00', '10:00:00')]);
    const first = applyMaintenance([firing(1, 'Patching', at('09:30:00'))], new Map(), cfg, at('09:30:00'));
    expect(first[0]!.notifications[0]!.status).toBe('suppressed');
    const held = stateOf(first);
    expect(held).toMatchObject({ held: ['g1'], checkAt: at('12:00:00').getTime() });
    expect(releaseDue(held, at('11:59:59'))).toBe(false);
    expect(releaseDue(held, at('12:00:00'))).toBe(true);

    // A second group held by a window ending sooner brings the check forward.
    const stored = new Map([[maintenanceStateId('payments'), first[1]!.group]]);
    const second = applyMaintenance([firing(2, 'Rebuild', at('09:31:00'))], stored, cfg, at('09:31:00'));
    expect(stateOf(second)).toMatchObject({ held: ['g1', 'g2'], checkAt: at('10:00:00').getTime() });
  });

  it('looks at the held groups at once in a state written before the check time was kept', () => {
    expect(releaseDue({ windows: [], held: ['g1'] }, at('09:00:00'))).toBe(true);
    expect(releaseDue({ windows: [], held: [], checkAt: 0 }, at('09:00:00'))).toBe(false);
  });
});
