/**
 * @module maintenance/state
 * Per team: ad-hoc maintenance windows (created through the API) and the groups currently held
 * by a window. Kept in the store as a per-team pseudo-group, so it is read and changed under the
 * same lock as the groups it holds and shared by every replica. Only this module knows the encoding.
 */
import { stateGroupId } from '../model/group-id.js';
import { pseudoGroupRecord } from '../store/pseudo-group.js';
import type { GroupRecord } from '../store/store.js';
import { HeldGroups } from './held-groups.js';

export interface StoredWindow {
  id: string;
  team: string;
  matchers: string[];
  /** RFC3339. */
  start: string;
  end: string;
  reason: string;
  createdAt: string;
}

export interface MaintenanceState {
  windows: StoredWindow[];
  /** Groups held by a window: delivered when it ends if still firing. */
  held: HeldGroups;
  /**
   * Unix ms from which a held group may be released: the earliest end of the windows holding
   * them (of the window that held each, which may be earlier than when it is free). Until then
   * the release pass does not load the held groups; absent, it does.
   */
  checkAt?: number;
}

const STATE_KEY = 'alertgate.maintenance';

export function maintenanceGroupKey(): string {
  return 'maintenance';
}

export function maintenanceStateId(team: string): string {
  return stateGroupId(team, maintenanceGroupKey());
}

/**
 * The held groups in an annotation of their own: the part of the state that grows is then stored
 * as a plain string, not as a string inside the state's JSON that the store would escape and
 * encode a second time (and parse twice on the way back).
 */
const HELD_KEY = 'alertgate.maintenance.held';

export function readMaintenanceState(record: GroupRecord | undefined): MaintenanceState {
  const raw = record?.commonAnnotations[STATE_KEY];
  const parsed = raw ? (JSON.parse(raw) as Partial<Record<keyof MaintenanceState, unknown>>) : {};
  return {
    windows: (parsed.windows as StoredWindow[] | undefined) ?? [],
    // A state written by the version before has them inside (as an array).
    held: HeldGroups.stored(record?.commonAnnotations[HELD_KEY] ?? parsed.held),
    ...(typeof parsed.checkAt === 'number' ? { checkAt: parsed.checkAt } : {}),
  };
}

/** Whether the release pass must look at the held groups now (release.ts). */
export function releaseDue(state: MaintenanceState, now: Date): boolean {
  return !state.held.empty && (state.checkAt === undefined || now.getTime() >= state.checkAt);
}

/** A group was held by a window ending at `end`: the pass must look again by then. */
export function checkBy(state: MaintenanceState, end: Date): void {
  state.checkAt = Math.min(state.checkAt ?? Infinity, end.getTime());
}

export function maintenanceRecord(team: string, state: MaintenanceState, prev: GroupRecord | undefined, now: Date): GroupRecord {
  return pseudoGroupRecord(
    {
      id: maintenanceStateId(team),
      team,
      groupKey: maintenanceGroupKey(),
      status: state.held.empty ? 'resolved' : 'firing',
      annotations: { [STATE_KEY]: JSON.stringify({ ...state, held: undefined }), [HELD_KEY]: state.held.toJSON() },
    },
    prev,
    now,
  );
}
