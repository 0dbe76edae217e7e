import { describe, expect, it } from 'vitest';
import { parseMatchers } from '../config/matchers.js';
import { paymentsTeam, routingOf } from '../config/team-config.case.js';
import type { MaintenanceConfig, RoutingConfig } from '../config/types.js';
import { decideGroup } from '../dedup/decide.js';
import type { Target } from '../model/target.js';
import type { GroupRecord } from '../store/store.js';
import { applyMaintenance } from './hold.js';
import { HeldGroups } from './held-groups.js';
import { maintenanceStateId, readMaintenanceState, releaseDue } from './state.js';

const slack: Target = { type: 'slack', channel: '#payments-alerts' };
const at = (time: string) => new Date(`2026-11-27T${time}Z`);

const config = (maintenance: MaintenanceConfig[]): RoutingConfig => routingOf(paymentsTeam({ maintenance }));

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
    expect(held.held.ids()).toEqual(['g1']);
    expect(held.checkAt).toBe(at('12:00:00').getTime());
    expect(releaseDue(held, at('11:59:59'))).toBe(false);
    expect(releaseDue(held, at('12:00:00'))).toBe(true);

    // A second group held by a window ending sooner brings the check forward.
    const stored = new Map([[maintenanceStateId('payments'), first[1]!.group]]);
    const second = applyMaintenance([firing(2, 'Rebuild', at('09:31:00'))], stored, cfg, at('09:31:00'));
    expect(stateOf(second).held.ids()).toEqual(['g1', 'g2']);
    expect(stateOf(second).checkAt).toBe(at('10:00:00').getTime());
  });

  it('looks at the held groups at once in a state written before the check time was kept', () => {
    expect(releaseDue({ windows: [], held: HeldGroups.of(['g1']) }, at('09:00:00'))).toBe(true);
    expect(releaseDue({ windows: [], held: HeldGroups.of([]), checkAt: 0 }, at('09:00:00'))).toBe(false);
  });

  it('reads the held groups of a state written by the version before (a JSON array)', () => {
    const stored = readMaintenanceState({
      ...firing(1, 'Patching', at('09:00:00')).group,
      commonAnnotations: { 'alertgate.maintenance': JSON.stringify({ windows: [], held: ['g1', 'g2'] }) },
    });
    expect(stored.held.ids()).toEqual(['g1', 'g2']);
    expect(stored.checkAt).toBeUndefined();
  });
});

describe('held groups', () => {
  it('adds, finds and deletes ids, telling apart ids that share a prefix', () => {
    const held = HeldGroups.of(['g1', 'g10', 'g100']);
    expect(held.has('g10')).toBe(true);
    expect(held.has('g')).toBe(false);
    held.delete('g10');
    expect(held.ids()).toEqual(['g1', 'g100']);
    held.add('g1');
    expect(held.ids()).toEqual(['g1', 'g100']);
    held.delete('g1');
    held.delete('g100');
    expect(held.empty).toBe(true);
    expect(JSON.stringify({ held })).toBe('{"held":""}');
    expect(() => held.add('a,b')).toThrow(/comma/);
  });

  it('round-trips through JSON as one string', () => {
    const held = HeldGroups.of(['4f2a', '9c01']);
    const again = HeldGroups.stored(JSON.parse(JSON.stringify(held)));
    expect(again.ids()).toEqual(['4f2a', '9c01']);
    expect(again.equals(held)).toBe(true);
  });
});
