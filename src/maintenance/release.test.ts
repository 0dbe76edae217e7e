/**
 * The release pass against a real (in-memory SQLite) store: groups held on their own rows are
 * found when their hold ends, delivered once if still firing, held on if another window holds
 * them; holds listed in the team state by a version before are moved to the groups' rows.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RoutingConfig } from '../config/types.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { GroupWrite } from '../store/store.js';
import { applyMaintenance } from './hold.js';
import { at, config, firing, turned, window } from './maintenance.case.js';
import { maintenancePass, releaseHeld } from './release.js';
import { paymentsTeam, routingOf } from '../config/team-config.case.js';
import { channelGroupId } from '../storm/channel-state.js';
import { createLogger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { maintenanceRecord, maintenanceStateId, readMaintenanceState } from './state.js';
import { HeldGroups } from './held-groups.js';

const stateId = maintenanceStateId('payments');
let store: SqliteStore;
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(() => store.close());

/** A webhook's write of group g<i>, through the maintenance stage as ingest runs it. */
async function ingest(i: number, alertname: string, cfg: RoutingConfig, now: Date) {
  return store.updateGroups([`g${i}`, stateId], (current) => applyMaintenance([firing(i, alertname, now, current.get(`g${i}`))], current, cfg, now));
}

const heldUntil = async (i: number) => (await store.getGroup(`g${i}`))?.heldUntil;

describe('releasing held groups', () => {
  it('delivers a held group once, when the window holding it ends, and looks at nothing before', async () => {
    const cfg = config([window('Patching', '09:00:00', '12:00:00')]);
    expect(await ingest(1, 'Patching', cfg, at('09:30:00'))).toMatchObject([{ status: 'suppressed' }]);
    expect(await releaseHeld(store, cfg, 'payments', at('11:59:59'))).toBe(0);
    expect(await heldUntil(1)).toBe(at('12:00:00').getTime());

    expect(await releaseHeld(store, cfg, 'payments', at('12:00:00'))).toBe(1);
    expect(await heldUntil(1)).toBeUndefined();
    expect((await store.listNotifications({ status: 'pending', limit: 10 })).items.map((n) => [n.groupId, n.kind])).toEqual([['g1', 'new']]);
    expect(await releaseHeld(store, cfg, 'payments', at('12:00:01'))).toBe(0);
  });

  it('holds on, until its end, a group another window holds when the first one ends', async () => {
    const cfg = config([window('Patching', '09:00:00', '10:00:00'), window('Patching', '09:45:00', '12:00:00')]);
    await ingest(1, 'Patching', cfg, at('09:30:00'));
    expect(await heldUntil(1)).toBe(at('10:00:00').getTime());
    expect(await releaseHeld(store, cfg, 'payments', at('10:00:00'))).toBe(0);
    expect(await heldUntil(1)).toBe(at('12:00:00').getTime());
    expect(await releaseHeld(store, cfg, 'payments', at('12:00:00'))).toBe(1);
  });

  it('a forced pass (window deleted, config reloaded) frees what no window holds any more, before its hold would end', async () => {
    await ingest(1, 'Patching', config([window('Patching', '09:00:00', '12:00:00')]), at('09:30:00'));
    const without = config([]);
    expect(await releaseHeld(store, without, 'payments', at('10:00:00'))).toBe(0);
    expect(await releaseHeld(store, without, 'payments', at('10:00:00'), true)).toBe(1);
    expect(await heldUntil(1)).toBeUndefined();
  });

  it('sends nothing for a group that resolved while held and only releases it', async () => {
    const cfg = config([window('Patching', '09:00:00', '12:00:00')]);
    await ingest(1, 'Patching', cfg, at('09:30:00'));
    const held = (await store.getGroup('g1'))!;
    // Stored resolved without the maintenance stage (as a version before could leave it).
    await store.updateGroups(['g1'], () => [{ group: turned(held, 'resolved', at('09:40:00')).group, notifications: [] }]);
    expect(await heldUntil(1)).toBe(at('12:00:00').getTime());
    expect(await releaseHeld(store, cfg, 'payments', at('12:00:00'))).toBe(0);
    expect(await heldUntil(1)).toBeUndefined();
  });

  it('moves the holds a version before listed in the team state to the groups, delivering the free ones', async () => {
    const cfg = config([window('Patching', '09:00:00', '12:00:00')]);
    // Held as a version before held a group: nothing told, the group not marked.
    const asBefore = (w: GroupWrite): GroupWrite => ({
      group: { ...w.group, notifiedHash: null, notifiedAt: null, targets: [] },
      notifications: w.notifications.map((n) => ({ ...n, status: 'suppressed', reason: 'maintenance' })),
    });
    await store.updateGroups(['g1', 'g2', 'g3', stateId], () => [
      asBefore(firing(1, 'Patching', at('09:10:00'))),
      asBefore(firing(2, 'Rebuild', at('09:10:00'))),
      { group: turned(firing(3, 'Patching', at('09:10:00')).group, 'resolved', at('09:20:00')).group, notifications: [] },
      { group: maintenanceRecord('payments', { windows: [], legacyHeld: HeldGroups.of(['g1', 'g2', 'g3']) }, undefined, at('09:20:00')), notifications: [] },
    ]);
    expect(await releaseHeld(store, cfg, 'payments', at('09:30:00'))).toBe(1);
    expect((await store.listNotifications({ status: 'pending', limit: 10 })).items.map((n) => n.groupId)).toEqual(['g2']);
    expect(await heldUntil(1)).toBe(at('12:00:00').getTime());
    expect(await heldUntil(3)).toBeUndefined();
    expect(readMaintenanceState(await store.getGroup(stateId)).legacyHeld.empty).toBe(true);
    expect(await releaseHeld(store, cfg, 'payments', at('12:00:00'))).toBe(1);
  });

  it('releases a flood through storm control: the channel\'s limit of messages, the rest gathered into one digest', async () => {
    const windows = [window('Patching', '09:00:00', '10:00:00')];
    const cfg = routingOf(paymentsTeam({ maintenance: windows, storm: { maxMessagesPerMinute: 5, holdPagerDuty: false } }));
    // More groups than one release turn takes: the storm goes on across turns.
    const groups = 150;
    for (let i = 0; i < groups; i++) await ingest(i, 'Patching', cfg, at('09:30:00'));
    expect((await store.listNotifications({ status: 'pending', limit: 1000 })).items).toHaveLength(0);

    await releaseHeld(store, cfg, 'payments', at('10:00:00'));
    const pending = (await store.listNotifications({ status: 'pending', limit: 1000 })).items;
    const channelId = channelGroupId('payments', '#payments-alerts');
    const posts = pending.filter((n) => n.kind === 'new' && n.groupId !== channelId);
    const digests = pending.filter((n) => n.groupId === channelId);
    expect(posts).toHaveLength(5);
    expect(digests[0]).toMatchObject({ kind: 'changed' });
    expect(digests.at(-1)).toMatchObject({ kind: 'new' });
    expect(digests[0]!.snapshot.message!.text).toContain(`${groups - 5} new groups`);
    expect(await heldUntil(groups - 1)).toBeUndefined();
  });

  it('after a reload, looks at every held group only of the teams whose windows changed', async () => {
    const passes: string[] = [];
    // The real store, its held-group query recorded: 'all' is a forced look.
    const recording = Object.assign(Object.create(store) as Store, {
      heldGroupIds: (team: string, dueBy?: Date) => {
        passes.push(`${team} ${dueBy ? 'due' : 'all'}`);
        return store.heldGroupIds(team, dueBy);
      },
    });
    const twoTeams = (paymentsWindows: ReturnType<typeof window>[]): RoutingConfig => {
      const payments = config(paymentsWindows).teams.get('payments')!;
      return { teams: new Map([['payments', payments], ['prisons', paymentsTeam({ team: 'prisons', maintenance: [window('Search', '09:00:00', '12:00:00')] })]]), fallbackTeam: 'payments' };
    };
    let current = twoTeams([window('Patching', '09:00:00', '12:00:00')]);
    const pass = maintenancePass({ store: recording, config: () => current, logger: createLogger({ level: 'error' }), now: () => at('09:30:00') });
    const looked = async () => {
      passes.length = 0;
      await pass();
      return [...passes];
    };
    expect(await looked()).toEqual(['payments all', 'prisons all']); // the first pass after a start
    expect(await looked()).toEqual(['payments due', 'prisons due']);
    current = twoTeams([window('Patching', '09:00:00', '11:00:00')]); // reloaded: payments' window shortened
    expect(await looked()).toEqual(['payments all', 'prisons due']);
    current = { ...current }; // reloaded, the windows as they were
    expect(await looked()).toEqual(['payments due', 'prisons due']);
  });
});
