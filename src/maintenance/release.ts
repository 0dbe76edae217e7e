/**
 * @module maintenance/release
 * When a window ends (or is deleted), deliver the groups it held that are still firing, once.
 * A timer runs this for every team with held groups; deleting a window runs it at once.
 */
import type { RoutingConfig } from '../config/types.js';
import { decideGroup } from '../dedup/decide.js';
import type { Logger } from '../log/logger.js';
import { startTicker } from '../pipeline/ticker.js';
import { updateFromRecord } from '../pipeline/split-by-team.js';
import type { GroupWrite, Store } from '../store/store.js';
import { maintenanceRecord, maintenanceStateId, readMaintenanceState } from './state.js';
import { holdingWindow, openWindows } from './windows.js';

/** Release what no open window holds any more; answers how many notifications were queued. */
export async function releaseHeld(store: Store, config: RoutingConfig, team: string, now: Date): Promise<number> {
  const stateId = maintenanceStateId(team);
  const snapshot = readMaintenanceState(await store.getGroup(stateId));
  if (snapshot.held.length === 0) return 0;
  const inserted = await store.updateGroups([stateId, ...snapshot.held], (current) => {
    const prev = current.get(stateId);
    const state = readMaintenanceState(prev);
    const windows = openWindows(config.teams.get(team), state.windows, now);
    const writes: GroupWrite[] = [];
    const keep: string[] = [];
    for (const id of state.held) {
      const group = current.get(id);
      // Held concurrently after our snapshot: not locked by us, look again next time.
      if (!snapshot.held.includes(id)) keep.push(id);
      else if (!group || !group.alerts.some((a) => a.status === 'firing')) continue; // resolved inside: nothing to send
      else if (holdingWindow(windows, group.alerts)) keep.push(id);
      else writes.push(decideGroup(group, updateFromRecord(group, config), now));
    }
    if (keep.length === state.held.length) return [];
    return [...writes, { group: maintenanceRecord(team, { ...state, held: keep }, prev, now), notifications: [] }];
  });
  return inserted.length;
}

export interface MaintenanceTickerOptions {
  store: Store;
  config: () => RoutingConfig | undefined;
  logger: Logger;
  intervalMs?: number;
  now?: () => Date;
  onReleased?: () => void;
}

export async function releaseAll(o: MaintenanceTickerOptions): Promise<number> {
  const config = o.config();
  if (!config) return 0;
  let total = 0;
  for (const team of config.teams.keys()) {
    const n = await releaseHeld(o.store, config, team, (o.now ?? (() => new Date()))());
    if (n > 0) o.logger.info({ team, notifications: n }, 'maintenance over: held groups delivered');
    total += n;
  }
  if (total > 0) o.onReleased?.();
  return total;
}

export function startMaintenanceTicker(o: MaintenanceTickerOptions): { stop(): void } {
  return startTicker(() => releaseAll(o), o.intervalMs ?? 15_000, o.logger, 'maintenance release');
}
