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
import { checkBy, maintenanceRecord, maintenanceStateId, readMaintenanceState, releaseDue, type MaintenanceState } from './state.js';
import { HeldGroups } from './held-groups.js';
import { holdingWindow, openWindows } from './windows.js';

/**
 * Release what no open window holds any more; answers how many notifications were queued.
 * Unless `force` (a window was deleted, the config changed), the held groups are not looked at
 * before the state's `checkAt`: until a window holding one of them ends, they are all still
 * held, and loading thousands of held groups on every tick took the event loop as long.
 */
export async function releaseHeld(store: Store, config: RoutingConfig, team: string, now: Date, force = false): Promise<number> {
  const stateId = maintenanceStateId(team);
  const snapshot = readMaintenanceState(await store.getGroup(stateId));
  if (!(force ? !snapshot.held.empty : releaseDue(snapshot, now))) return 0;
  const locked = new Set(snapshot.held.ids());
  const inserted = await store.updateGroups([stateId, ...locked], (current) => {
    const prev = current.get(stateId);
    const state = readMaintenanceState(prev);
    const windows = openWindows(config.teams.get(team), state.windows, now);
    const writes: GroupWrite[] = [];
    const next: MaintenanceState = { windows: state.windows, held: HeldGroups.of([]) };
    for (const id of state.held.ids()) {
      const group = current.get(id);
      if (!locked.has(id)) {
        // Held concurrently after our snapshot: not locked by us, look again next time.
        next.held.add(id);
        checkBy(next, now);
        continue;
      }
      if (!group || !group.alerts.some((a) => a.status === 'firing')) continue; // resolved inside: nothing to send
      const window = holdingWindow(windows, group.alerts);
      if (window) {
        next.held.add(id);
        checkBy(next, window.end);
      } else writes.push(decideGroup(group, updateFromRecord(group, config), now));
    }
    if (next.held.equals(state.held) && next.checkAt === state.checkAt) return [];
    return [...writes, { group: maintenanceRecord(team, next, prev, now), notifications: [] }];
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

/** One pass over every team; `force`: look at every held group (see releaseHeld). */
export async function releaseAll(o: MaintenanceTickerOptions, force = false): Promise<number> {
  const config = o.config();
  if (!config) return 0;
  let total = 0;
  for (const team of config.teams.keys()) {
    const n = await releaseHeld(o.store, config, team, (o.now ?? (() => new Date()))(), force);
    if (n > 0) o.logger.info({ team, notifications: n }, 'maintenance over: held groups delivered');
    total += n;
  }
  if (total > 0) o.onReleased?.();
  return total;
}

export function startMaintenanceTicker(o: MaintenanceTickerOptions): { stop(): void } {
  // A reloaded config may end or shorten a window: every held group is looked at once after it.
  let lookedWith: RoutingConfig | undefined;
  const pass = async () => {
    const config = o.config();
    const released = await releaseAll(o, config !== lookedWith);
    lookedWith = config;
    return released;
  };
  return startTicker(pass, o.intervalMs ?? 15_000, o.logger, 'maintenance release');
}
