import { describe, expect, it } from 'vitest';
import type { RoutingConfig } from '../config/types.js';
import { decideGroup } from '../dedup/decide.js';
import { updateFromRecord } from '../pipeline/split-by-team.js';
import type { GroupRecord } from '../store/store.js';
import { applyMaintenance, RESOLVED_INSIDE_REASON } from './hold.js';
import { HeldGroups } from './held-groups.js';
import { at, config, firing, turned, window } from './maintenance.case.js';
import { maintenanceStateId, readMaintenanceState } from './state.js';

const stateId = maintenanceStateId('payments');

/** The team's maintenance state as a version before stored it, listing held groups. */
function listedBefore(annotations: Record<string, string>): GroupRecord {
  return { ...firing(0, 'none', at('09:00:00')).group, id: stateId, alerts: [], commonAnnotations: annotations };
}

describe('maintenance holds', () => {
  it('hold a group on its own record until the end of the window holding it; the team state is not written', () => {
    const cfg = config([window('Patching', '09:00:00', '12:00:00')]);
    const writes = applyMaintenance([firing(1, 'Patching', at('09:30:00'))], new Map(), cfg, at('09:30:00'));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.notifications[0]!.status).toBe('suppressed');
    expect(writes[0]!.group.heldUntil).toBe(at('12:00:00').getTime());
  });

  it('hold a group until the first of its alerts is no longer covered; an alert covered twice, by the later window', () => {
    const cfg = config([window('Patching', '09:00:00', '12:00:00'), window('Rebuild', '09:00:00', '10:00:00'), { ...window('Rebuild', '09:00:00', '11:00:00'), reason: 'Rebuild, extended' }]);
    const both = firing(1, 'Patching', at('09:30:00'));
    both.group.alerts.push({ ...both.group.alerts[0]!, fingerprint: 'fRebuild', labels: { alertname: 'Rebuild' } });
    const [held] = applyMaintenance([both], new Map(), cfg, at('09:30:00'));
    expect(held!.group.heldUntil).toBe(at('11:00:00').getTime());
    expect(held!.notifications[0]!.reason).toBe('maintenance: Rebuild, extended');
  });

  it('releases the hold when the group resolves inside the window, and sends nothing for it', () => {
    const cfg = config([window('Patching', '09:00:00', '12:00:00')]);
    const [held] = applyMaintenance([firing(1, 'Patching', at('09:30:00'))], new Map(), cfg, at('09:30:00'));
    const resolved = turned(held!.group, 'resolved', at('09:40:00'));
    const [write] = applyMaintenance([resolved], new Map([[held!.group.id, held!.group]]), cfg, at('09:40:00'));
    expect(write!.group.heldUntil).toBeUndefined();
    expect(write!.notifications.map((n) => [n.status, n.reason])).toEqual([['suppressed', RESOLVED_INSIDE_REASON]]);
  });

  it('lets go of a held group with nothing firing and nothing to tell: its alerts moved away after its team was removed', () => {
    const cfg = config([window('Patching', '09:00:00', '12:00:00')]);
    const [held] = applyMaintenance([firing(1, 'Patching', at('09:30:00'))], new Map(), cfg, at('09:30:00'));
    // The re-attribution pass marks the alert resolved here (pipeline/reattribute.ts); no routes, never announced: no target.
    const left = { ...held!.group, alerts: held!.group.alerts.map((a) => ({ ...a, status: 'resolved' as const })) };
    const noTeam: RoutingConfig = { teams: new Map(), fallbackTeam: 'platform' };
    const decided = decideGroup(held!.group, updateFromRecord(left, noTeam), at('10:00:00'));
    expect(decided.notifications).toEqual([]);
    const [write] = applyMaintenance([decided], new Map([[held!.group.id, held!.group]]), noTeam, at('10:00:00'));
    expect(write!.group.heldUntil).toBeUndefined();
  });

  it('takes over a group listed as held by a version before (either encoding), writing the state without it', () => {
    const cfg = config([window('Patching', '09:00:00', '12:00:00')]);
    const encodings: Record<string, string>[] = [{ 'alertgate.maintenance.held': ',g1,g2,' }, { 'alertgate.maintenance': JSON.stringify({ windows: [], held: ['g1', 'g2'] }) }];
    for (const listed of encodings) {
      const current = new Map([[stateId, listedBefore(listed)]]);
      const writes = applyMaintenance([firing(1, 'Other', at('09:30:00'))], current, cfg, at('09:30:00'));
      // Not covered any more: no longer held, and announced.
      expect(writes[0]!.notifications[0]!.status).toBe('pending');
      expect(readMaintenanceState(writes.find((w) => w.group.id === stateId)?.group).legacyHeld.ids()).toEqual(['g2']);
    }
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
    expect(JSON.stringify(again)).toBe(JSON.stringify(held));
  });
});
